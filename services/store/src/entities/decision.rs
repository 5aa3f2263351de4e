//! The policy's decision on an application, one per decision attempt.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub attempt: i32,
    /// The policy version that decided, as its file names it.
    pub policy_version: String,
    pub user_group: Option<String>,
    /// `t1` to `t4`, or none when no tier was reached.
    pub tier: Option<String>,
    pub valid_until: Option<Date>,
    /// A JSON array of flag codes with the rule that raised each.
    pub flags: String,
    /// A JSON document: each rule applied, whether it held, and the evidence it used.
    pub explanation: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
