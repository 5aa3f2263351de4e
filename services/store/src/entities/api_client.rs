//! API clients: who may call the API, with which scopes. Keys are stored hashed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The public part of the key, used to find the row.
    #[sea_orm(unique)]
    pub key_prefix: String,
    /// SHA-256 of the secret part of the key, hex.
    pub key_hash: String,
    /// Space-separated scopes.
    pub scopes: String,
    pub callback_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
