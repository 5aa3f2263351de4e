use sea_orm_migration::{prelude::*, schema::*};

/// `identity_link`: the identity a registry record was first seen with. A renewed passport
/// gives a new identity key (its number changed), but the registry keeps the person's record;
/// a binding made under the new passport counts against the identity the record was first
/// linked to, so the caps follow the person and not the booklet. Both columns are keyed
/// hashes: the record id and the passport are never stored in the clear.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdentityLink::Table)
                    .col(string_len(IdentityLink::RecordKey, 64).primary_key())
                    .col(string_len(IdentityLink::IdentityKey, 64))
                    .col(timestamp_with_time_zone(IdentityLink::LinkedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdentityLink::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum IdentityLink {
    Table,
    RecordKey,
    IdentityKey,
    LinkedAt,
}
