//! A CRL of the trust store, kept once by its SHA-256 fingerprint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "csca_crl")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The issuer's country (`C`).
    pub issuing_state: String,
    /// The issuer's name, one line.
    pub issuer: String,
    pub this_update: DateTimeUtc,
    pub next_update: Option<DateTimeUtc>,
    /// SHA-256 of `der`, hexadecimal.
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub der: Vec<u8>,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
