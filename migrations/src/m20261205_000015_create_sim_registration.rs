use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// The telecom shop's side of an application, and one-time codes drawn at delivery.
///
/// - `sim_registration`: the operator, shop and clerk a `sim_registration` application was
///   opened with, and once decided the SIM registration record: the tier reached, the masked
///   number bound and when the client's webhook took it.
/// - `otp_challenge` gains `evidence_id` (the sealed number the code goes to) and
///   `delivered_at`: the code is drawn by the activity that sends it, so that it exists only in
///   the SMS and as a keyed hash; until then the challenge answers nothing.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SimRegistration::Table)
                    .col(uuid(SimRegistration::ApplicationId).primary_key())
                    .col(string_len(SimRegistration::Operator, 32))
                    .col(string_len(SimRegistration::ShopReference, 64))
                    .col(string_len(SimRegistration::ClerkReference, 64))
                    .col(string_len_null(SimRegistration::Outcome, 32))
                    .col(string_len_null(SimRegistration::Tier, 8))
                    .col(string_len_null(SimRegistration::NumberMasked, 32))
                    .col(uuid_null(SimRegistration::BindingId))
                    .col(timestamp_with_time_zone_null(SimRegistration::DecidedAt))
                    .col(timestamp_with_time_zone_null(SimRegistration::NotifiedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sim_registration_application")
                            .from(SimRegistration::Table, SimRegistration::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(OtpChallenge::Table)
                    .add_column(uuid_null(OtpChallenge::EvidenceId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OtpChallenge::Table)
                    .add_column(timestamp_with_time_zone_null(OtpChallenge::DeliveredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [OtpChallenge::DeliveredAt, OtpChallenge::EvidenceId] {
            manager
                .alter_table(
                    Table::alter().table(OtpChallenge::Table).drop_column(column).to_owned(),
                )
                .await?;
        }
        manager.drop_table(Table::drop().table(SimRegistration::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SimRegistration {
    Table,
    ApplicationId,
    Operator,
    ShopReference,
    ClerkReference,
    Outcome,
    Tier,
    NumberMasked,
    BindingId,
    DecidedAt,
    NotifiedAt,
}

#[derive(DeriveIden)]
enum OtpChallenge {
    Table,
    EvidenceId,
    DeliveredAt,
}
