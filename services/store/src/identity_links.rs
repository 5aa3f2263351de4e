//! Identities carried over a passport renewal. A binding's identity key is a keyed hash of the
//! passport ([`crate::PersonIndexKey::identity`]), so a new booklet gives a new key; the
//! immigration registry keeps one record per person across booklets, and the first identity
//! seen with a record stays the person's identity for the caps.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};

use crate::{
    Store,
    entities::identity_link,
    error::{DbContext, StoreError},
};

impl Store {
    /// The identity key bindings count against for a person whose passport has `identity_key`
    /// and whose registry record has `record_key`: the identity first linked to the record,
    /// which is `identity_key` itself the first time. Two links made at once agree on one.
    pub async fn carried_identity(
        &self,
        record_key: &str,
        identity_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let link = identity_link::ActiveModel {
            record_key: Set(record_key.to_owned()),
            identity_key: Set(identity_key.to_owned()),
            linked_at: Set(now),
        };
        let keep_first =
            OnConflict::column(identity_link::Column::RecordKey).do_nothing().to_owned();
        identity_link::Entity::insert(link)
            .on_conflict(keep_first)
            .exec_without_returning(&self.db)
            .await
            .context("failed to link an identity to a registry record")?;

        let linked = identity_link::Entity::find_by_id(record_key.to_owned())
            .one(&self.db)
            .await
            .context("failed to read an identity link")?;
        linked.map(|link| link.identity_key).ok_or_else(|| StoreError::NotFound {
            what: "identity link",
            id: "(a keyed hash)".to_owned(),
        })
    }
}
