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
                    .table(StepResult::Table)
                    .col(uuid(StepResult::Id).primary_key())
                    .col(uuid(StepResult::ApplicationId))
                    .col(string_len(StepResult::Step, 40))
                    .col(integer(StepResult::Attempt))
                    .col(string_len(StepResult::Verdict, 20))
                    .col(string_len(StepResult::Reason, 100))
                    .col(uuid_null(StepResult::EvidenceId))
                    .col(timestamp_with_time_zone(StepResult::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_step_result_application")
                            .from(StepResult::Table, StepResult::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // One verdict per step attempt: a retried activity finds its verdict already there.
        manager
            .create_index(
                Index::create()
                    .name("ux_step_result_application_step_attempt")
                    .table(StepResult::Table)
                    .col(StepResult::ApplicationId)
                    .col(StepResult::Step)
                    .col(StepResult::Attempt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StepResult::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum StepResult {
    Table,
    Id,
    ApplicationId,
    Step,
    Attempt,
    Verdict,
    Reason,
    EvidenceId,
    RecordedAt,
}
