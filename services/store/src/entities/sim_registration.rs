//! A telecom shop's SIM registration: who asked, and once decided, what it reached.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sim_registration")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: Uuid,
    /// The operator the shop declared, by its code (`ais`, `true`, `nt`, ...).
    pub operator: String,
    /// The shop's own reference, as the client sent it.
    pub shop_reference: String,
    /// The clerk's own reference, as the client sent it.
    pub clerk_reference: String,
    /// `registered`, `in_review` or `refused`, once decided.
    pub outcome: Option<String>,
    /// The tier reached, once decided.
    pub tier: Option<String>,
    /// The bound number, masked.
    pub number_masked: Option<String>,
    pub binding_id: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    /// When the client's webhook took the record.
    pub notified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
