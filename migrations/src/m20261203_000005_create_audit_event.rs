use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(uuid(AuditEvent::Id).primary_key())
                    .col(uuid_null(AuditEvent::ApplicationId))
                    .col(uuid_null(AuditEvent::ClientId))
                    .col(string_len(AuditEvent::Actor, 100))
                    .col(string_len(AuditEvent::Action, 100))
                    .col(json(AuditEvent::Detail))
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_audit_event_application")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditEvent::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    ApplicationId,
    ClientId,
    Actor,
    Action,
    Detail,
    OccurredAt,
}
