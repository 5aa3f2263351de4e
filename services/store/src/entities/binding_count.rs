//! How many numbers an identity has bound, in all (scope `*`) and per operator.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "binding_count")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub identity_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    pub active: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
