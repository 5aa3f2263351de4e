//! Applications: one per person being proofed for one purpose.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub purpose: String,
    pub tier: String,
    pub channel: String,
    pub client_reference: Option<String>,
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request that created the application, to refuse a reused idempotency key.
    pub request_fingerprint: Option<String>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
