use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// What the stay-change path needs: which person each application is about, as a keyed hash
/// only (`person_index`); the registry's changes already acted on, by cursor (`stay_change`);
/// and how far the feed has been read (`stay_feed`, one row per feed).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonIndex::Table)
                    .col(uuid(PersonIndex::ApplicationId).primary_key())
                    .col(string_len(PersonIndex::PersonHash, 64))
                    .col(timestamp_with_time_zone(PersonIndex::IndexedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_person_index_application")
                            .from(PersonIndex::Table, PersonIndex::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_person_index_hash")
                    .table(PersonIndex::Table)
                    .col(PersonIndex::PersonHash)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StayChange::Table)
                    .col(big_integer(StayChange::Cursor).primary_key())
                    .col(string_len(StayChange::Kind, 32))
                    .col(integer(StayChange::Signalled))
                    .col(timestamp_with_time_zone(StayChange::ReceivedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StayFeed::Table)
                    .col(string_len(StayFeed::Name, 32).primary_key())
                    .col(big_integer(StayFeed::Cursor))
                    .col(timestamp_with_time_zone(StayFeed::ReadAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StayFeed::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(StayChange::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PersonIndex::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum PersonIndex {
    Table,
    ApplicationId,
    PersonHash,
    IndexedAt,
}

#[derive(DeriveIden)]
enum StayChange {
    Table,
    Cursor,
    Kind,
    Signalled,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum StayFeed {
    Table,
    Name,
    Cursor,
    ReadAt,
}
