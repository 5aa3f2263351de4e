use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// Mobile numbers bound to proven identities, and the counters that hold each identity to the
/// caps. An identity and a number are keyed hashes, never the values; the number is also kept
/// masked, for a clerk to recognise. At most one binding of a number is active at a time (a
/// partial unique index), so two shops binding one number at once cannot both win.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MobileBinding::Table)
                    .col(uuid(MobileBinding::Id).primary_key())
                    .col(string_len(MobileBinding::IdentityKey, 64))
                    .col(string_len(MobileBinding::NumberKey, 64))
                    .col(string_len(MobileBinding::NumberMasked, 32))
                    .col(string_len(MobileBinding::Operator, 32))
                    .col(uuid(MobileBinding::ApplicationId))
                    .col(timestamp_with_time_zone(MobileBinding::BoundAt))
                    .col(timestamp_with_time_zone_null(MobileBinding::UnboundAt))
                    .col(string_len_null(MobileBinding::UnbindReason, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mobile_binding_application")
                            .from(MobileBinding::Table, MobileBinding::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_mobile_binding_identity")
                    .table(MobileBinding::Table)
                    .col(MobileBinding::IdentityKey)
                    .to_owned(),
            )
            .await?;
        // Both SQLite and PostgreSQL take a partial index in this form.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_mobile_binding_active_number \
                 ON mobile_binding (number_key) WHERE unbound_at IS NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BindingCount::Table)
                    .col(string_len(BindingCount::IdentityKey, 64))
                    .col(string_len(BindingCount::Scope, 40))
                    .col(integer(BindingCount::Active))
                    .primary_key(
                        Index::create().col(BindingCount::IdentityKey).col(BindingCount::Scope),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BindingCount::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MobileBinding::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum MobileBinding {
    Table,
    Id,
    IdentityKey,
    NumberKey,
    NumberMasked,
    Operator,
    ApplicationId,
    BoundAt,
    UnboundAt,
    UnbindReason,
}

/// Active bindings per identity: one row for all operators (`*`) and one per operator.
#[derive(DeriveIden)]
enum BindingCount {
    Table,
    IdentityKey,
    Scope,
    Active,
}
