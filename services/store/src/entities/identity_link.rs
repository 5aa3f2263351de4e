//! The identity a registry record was first seen with, so that a renewed passport's bindings
//! count against the same person.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_link")]
pub struct Model {
    /// HMAC-SHA256 of `record|` and the registry's record id, hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_key: String,
    /// The identity key of the first passport seen with the record.
    pub identity_key: String,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
