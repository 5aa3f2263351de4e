//! The registry's stay changes already acted on, by their feed cursor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stay_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cursor: i64,
    /// The contract's kind code, such as `extended`.
    pub kind: String,
    /// How many running workflows were signalled.
    pub signalled: i32,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
