use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// Active Authentication challenges: eight random bytes the chip signs, issued for one
/// application and spent by the one chip upload that answers them.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChipChallenge::Table)
                    .col(uuid(ChipChallenge::Id).primary_key())
                    .col(uuid(ChipChallenge::ApplicationId))
                    .col(binary(ChipChallenge::Challenge))
                    .col(timestamp_with_time_zone(ChipChallenge::IssuedAt))
                    .col(timestamp_with_time_zone(ChipChallenge::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ChipChallenge::SpentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_chip_challenge_application")
                            .from(ChipChallenge::Table, ChipChallenge::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_chip_challenge_application")
                    .table(ChipChallenge::Table)
                    .col(ChipChallenge::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ChipChallenge::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ChipChallenge {
    Table,
    Id,
    ApplicationId,
    Challenge,
    IssuedAt,
    ExpiresAt,
    SpentAt,
}
