//! A CSCA certificate of the trust store: a root or a link certificate, kept once by its
//! SHA-256 fingerprint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "csca_certificate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The subject's country (`C`).
    pub issuing_state: String,
    /// `root` or `link`.
    pub kind: String,
    /// Hexadecimal.
    pub subject_key_id: Option<String>,
    /// Hexadecimal.
    pub serial: String,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    /// SHA-256 of `der`, hexadecimal.
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub der: Vec<u8>,
    /// Where it came from: `certificate`, or `master-list:` and the list's fingerprint.
    pub source: String,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
