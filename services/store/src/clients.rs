//! API clients and their keys.

use chrono::{DateTime, Utc};
use idproof_proofing::ClientId;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Store,
    api_keys::{self, IssuedKey},
    audit::{self, Actor},
    entities::api_client,
    error::{DbContext, StoreError},
};

/// What is needed to register a client.
#[derive(Clone, Debug)]
pub struct NewClient {
    /// A name people recognise, such as the shop chain's.
    pub name: String,
    /// The scopes its key carries.
    pub scopes: Vec<String>,
    /// Where the client wants webhooks.
    pub callback_url: Option<String>,
}

/// A client as the API sees it after authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRecord {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// The scopes its key carries.
    pub scopes: Vec<String>,
}

impl From<api_client::Model> for ClientRecord {
    fn from(model: api_client::Model) -> Self {
        let scopes = model.scopes.split_whitespace().map(str::to_owned).collect();
        Self { id: model.id, name: model.name, scopes }
    }
}

impl Store {
    /// Where the client takes webhooks, if it gave a callback URL.
    pub async fn callback_url_of(&self, client_id: ClientId) -> Result<Option<String>, StoreError> {
        let found = api_client::Entity::find_by_id(client_id.as_uuid())
            .one(&self.db)
            .await
            .context("failed to read a client")?;
        Ok(found.and_then(|client| client.callback_url))
    }

    /// Registers a client and returns its key, which is not stored and cannot be shown again.
    pub async fn create_client(
        &self,
        new: NewClient,
        now: DateTime<Utc>,
    ) -> Result<(ClientRecord, IssuedKey), StoreError> {
        let issued = api_keys::issue();
        let id = Uuid::now_v7();
        let model = api_client::ActiveModel {
            id: Set(id),
            name: Set(new.name.clone()),
            key_prefix: Set(issued.prefix.clone()),
            key_hash: Set(issued.hash.clone()),
            scopes: Set(new.scopes.join(" ")),
            callback_url: Set(new.callback_url),
            created_at: Set(now),
            disabled_at: Set(None),
        };

        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        api_client::Entity::insert(model)
            .exec_without_returning(&txn)
            .await
            .context("failed to insert an API client")?;
        let detail = json!({ "client_id": id, "scopes": new.scopes });
        audit::record(&txn, Actor::Operator, "client.created", None, detail, now).await?;
        txn.commit().await.context("failed to commit a new API client")?;

        let record = ClientRecord { id, name: new.name, scopes: new.scopes };
        Ok((record, issued))
    }

    /// The enabled client whose key this is, or `None` for any key that is not one.
    pub async fn authenticate(&self, presented: &str) -> Result<Option<ClientRecord>, StoreError> {
        let Some(key) = api_keys::parse(presented) else {
            return Ok(None);
        };

        let found = api_client::Entity::find()
            .filter(api_client::Column::KeyPrefix.eq(key.prefix))
            .one(&self.db)
            .await
            .context("failed to look up an API key")?;

        Ok(found
            .filter(|client| client.disabled_at.is_none() && key.matches(&client.key_hash))
            .map(ClientRecord::from))
    }
}
