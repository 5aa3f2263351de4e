//! Active Authentication challenges, each spent at most once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chip_challenge")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    /// The eight bytes the chip signs.
    pub challenge: Vec<u8>,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When an upload answered it; a spent challenge is never taken again.
    pub spent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
