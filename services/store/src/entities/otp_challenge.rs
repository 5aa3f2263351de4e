//! A one-time code sent to a mobile number for an application.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "otp_challenge")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    /// The number's keyed hash.
    pub number_key: String,
    /// The code's keyed hash, hex; never the code. Empty until the code is drawn and sent.
    pub code_hash: String,
    pub attempts_left: i32,
    pub sent_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub verified_at: Option<DateTimeUtc>,
    pub locked_at: Option<DateTimeUtc>,
    /// The sealed number the code goes to.
    pub evidence_id: Option<Uuid>,
    /// When the code was drawn and handed to the SMS gateway.
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
