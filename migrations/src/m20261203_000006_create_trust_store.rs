//! The trust store: CSCA certificates and CRLs imported by `idproof trust import`, each kept
//! once by its SHA-256 fingerprint.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CscaCertificate::Table)
                    .col(uuid(CscaCertificate::Id).primary_key())
                    .col(string_len(CscaCertificate::IssuingState, 3))
                    .col(string_len(CscaCertificate::Kind, 10))
                    .col(string_len_null(CscaCertificate::SubjectKeyId, 128))
                    .col(string_len(CscaCertificate::Serial, 128))
                    .col(timestamp_with_time_zone(CscaCertificate::NotBefore))
                    .col(timestamp_with_time_zone(CscaCertificate::NotAfter))
                    .col(string_len_uniq(CscaCertificate::Fingerprint, 64))
                    .col(blob(CscaCertificate::Der))
                    .col(string_len(CscaCertificate::Source, 100))
                    .col(timestamp_with_time_zone(CscaCertificate::ImportedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_csca_certificate_state")
                    .table(CscaCertificate::Table)
                    .col(CscaCertificate::IssuingState)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CscaCrl::Table)
                    .col(uuid(CscaCrl::Id).primary_key())
                    .col(string_len(CscaCrl::IssuingState, 3))
                    .col(string_len(CscaCrl::Issuer, 500))
                    .col(timestamp_with_time_zone(CscaCrl::ThisUpdate))
                    .col(timestamp_with_time_zone_null(CscaCrl::NextUpdate))
                    .col(string_len_uniq(CscaCrl::Fingerprint, 64))
                    .col(blob(CscaCrl::Der))
                    .col(timestamp_with_time_zone(CscaCrl::ImportedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_csca_crl_state")
                    .table(CscaCrl::Table)
                    .col(CscaCrl::IssuingState)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CscaCrl::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CscaCertificate::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum CscaCertificate {
    Table,
    Id,
    IssuingState,
    Kind,
    SubjectKeyId,
    Serial,
    NotBefore,
    NotAfter,
    Fingerprint,
    Der,
    Source,
    ImportedAt,
}

#[derive(DeriveIden)]
enum CscaCrl {
    Table,
    Id,
    IssuingState,
    Issuer,
    ThisUpdate,
    NextUpdate,
    Fingerprint,
    Der,
    ImportedAt,
}
