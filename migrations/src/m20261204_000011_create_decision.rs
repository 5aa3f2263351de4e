use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// The policy's decision on an application: the tier its evidence reached, until when, the
/// flags an officer must look at, and the rules and evidence that led there. One per decision
/// attempt, written in the same transaction as the decision step's verdict.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Decision::Table)
                    .col(uuid(Decision::Id).primary_key())
                    .col(uuid(Decision::ApplicationId))
                    .col(integer(Decision::Attempt))
                    .col(string_len(Decision::PolicyVersion, 64))
                    .col(string_len_null(Decision::UserGroup, 32))
                    .col(string_len_null(Decision::Tier, 8))
                    .col(date_null(Decision::ValidUntil))
                    .col(text(Decision::Flags))
                    .col(text(Decision::Explanation))
                    .col(timestamp_with_time_zone(Decision::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decision_application")
                            .from(Decision::Table, Decision::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ux_decision_application_attempt")
                    .table(Decision::Table)
                    .col(Decision::ApplicationId)
                    .col(Decision::Attempt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Decision::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Decision {
    Table,
    Id,
    ApplicationId,
    Attempt,
    PolicyVersion,
    UserGroup,
    Tier,
    ValidUntil,
    Flags,
    Explanation,
    DecidedAt,
}
