use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Evidence::Table)
                    .col(uuid(Evidence::Id).primary_key())
                    .col(uuid(Evidence::ApplicationId))
                    .col(string_len(Evidence::Kind, 40))
                    .col(string_len(Evidence::ContentType, 100))
                    .col(string_len(Evidence::KeyId, 64))
                    .col(binary(Evidence::Nonce))
                    .col(blob(Evidence::Ciphertext))
                    .col(timestamp_with_time_zone(Evidence::CreatedAt))
                    .col(timestamp_with_time_zone_null(Evidence::DeleteAfter))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_evidence_application")
                            .from(Evidence::Table, Evidence::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_evidence_application")
                    .table(Evidence::Table)
                    .col(Evidence::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Evidence::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Evidence {
    Table,
    Id,
    ApplicationId,
    Kind,
    ContentType,
    KeyId,
    Nonce,
    Ciphertext,
    CreatedAt,
    DeleteAfter,
}
