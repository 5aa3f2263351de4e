use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiClient::Table)
                    .col(uuid(ApiClient::Id).primary_key())
                    .col(string_len(ApiClient::Name, 200))
                    .col(string_len_uniq(ApiClient::KeyPrefix, 32))
                    .col(string_len(ApiClient::KeyHash, 64))
                    .col(string_len(ApiClient::Scopes, 1000))
                    .col(string_len_null(ApiClient::CallbackUrl, 2000))
                    .col(timestamp_with_time_zone(ApiClient::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiClient::DisabledAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApiClient::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ApiClient {
    Table,
    Id,
    Name,
    KeyPrefix,
    KeyHash,
    Scopes,
    CallbackUrl,
    CreatedAt,
    DisabledAt,
}
