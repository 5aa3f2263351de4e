use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000001_create_api_client::ApiClient;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Application::Table)
                    .col(uuid(Application::Id).primary_key())
                    .col(uuid(Application::ClientId))
                    .col(string_len(Application::Purpose, 40))
                    .col(string_len(Application::Tier, 8))
                    .col(string_len(Application::Channel, 40))
                    .col(string_len_null(Application::ClientReference, 128))
                    .col(string_len_null(Application::IdempotencyKey, 255))
                    .col(string_len_null(Application::RequestFingerprint, 64))
                    .col(string_len(Application::Status, 40))
                    .col(timestamp_with_time_zone(Application::CreatedAt))
                    .col(timestamp_with_time_zone(Application::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_client")
                            .from(Application::Table, Application::ClientId)
                            .to(ApiClient::Table, ApiClient::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ux_application_client_idempotency_key")
                    .table(Application::Table)
                    .col(Application::ClientId)
                    .col(Application::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Application::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Application {
    Table,
    Id,
    ClientId,
    Purpose,
    Tier,
    Channel,
    ClientReference,
    IdempotencyKey,
    RequestFingerprint,
    Status,
    CreatedAt,
    UpdatedAt,
}
