//! A mobile number bound to a proven identity; active until `unbound_at` is set.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mobile_binding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The identity's keyed hash, hex.
    pub identity_key: String,
    /// The number's keyed hash, hex.
    pub number_key: String,
    /// The number with most digits hidden, for a clerk to recognise.
    pub number_masked: String,
    /// The operator the shop declared.
    pub operator: String,
    pub application_id: Uuid,
    pub bound_at: DateTimeUtc,
    pub unbound_at: Option<DateTimeUtc>,
    pub unbind_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
