use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_application::Application;

/// One-time codes sent to a mobile number for an application: the code only as a keyed hash,
/// the attempts left, and when it expires, was verified or was locked. Each send is a row, so
/// the cooldown and the hourly limit per number count rows.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OtpChallenge::Table)
                    .col(uuid(OtpChallenge::Id).primary_key())
                    .col(uuid(OtpChallenge::ApplicationId))
                    .col(string_len(OtpChallenge::NumberKey, 64))
                    .col(string_len(OtpChallenge::CodeHash, 64))
                    .col(integer(OtpChallenge::AttemptsLeft))
                    .col(timestamp_with_time_zone(OtpChallenge::SentAt))
                    .col(timestamp_with_time_zone(OtpChallenge::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OtpChallenge::VerifiedAt))
                    .col(timestamp_with_time_zone_null(OtpChallenge::LockedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_otp_challenge_application")
                            .from(OtpChallenge::Table, OtpChallenge::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_otp_challenge_number_sent")
                    .table(OtpChallenge::Table)
                    .col(OtpChallenge::NumberKey)
                    .col(OtpChallenge::SentAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OtpChallenge::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum OtpChallenge {
    Table,
    Id,
    ApplicationId,
    NumberKey,
    CodeHash,
    AttemptsLeft,
    SentAt,
    ExpiresAt,
    VerifiedAt,
    LockedAt,
}
