//! The stay-change path's rows: the person index, the changes acted on, the feed's cursor.
//!
//! The person index holds a keyed hash of the passport's nationality and number, never the
//! values: with the key it finds the applications a registry change concerns; without the key
//! it tells nothing, not even whether a given passport is in it.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use idproof_proofing::{ApplicationId, ApplicationStatus};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::OnConflict};
use sha2::Sha256;

use crate::{
    Store,
    crypto::CipherError,
    entities::{application, person_index, stay_change, stay_feed},
    error::{DbContext, StoreError},
};

/// What the index key is derived with when it comes from an evidence key.
const DERIVATION_LABEL: &[u8] = b"idproof/person-index/v1";

/// The key of the person index.
#[derive(Clone)]
pub struct PersonIndexKey([u8; 32]);

impl std::fmt::Debug for PersonIndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonIndexKey(<redacted>)")
    }
}

/// A person as the index knows them: HMAC-SHA256 of `nationality|document_number`, hex.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonHash(String);

impl std::fmt::Debug for PersonHash {
    // Short enough to correlate two log lines, too short to test a guess against.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonHash({}…)", &self.0[..8])
    }
}

impl PersonHash {
    /// The hash, hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PersonIndexKey {
    /// The key from 32 bytes of base64, named `key_id` in errors.
    pub fn from_base64(key_id: &str, encoded: &str) -> Result<Self, CipherError> {
        let bad = || CipherError::BadKey { key_id: key_id.to_owned() };
        let bytes = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
        Ok(Self(bytes.try_into().map_err(|_| bad())?))
    }

    /// A key derived from an evidence key (32 bytes of base64): HMAC of a fixed label under
    /// it, so that the index key is not the key that seals evidence.
    pub fn derived_from_evidence_key(key_id: &str, encoded: &str) -> Result<Self, CipherError> {
        let evidence = Self::from_base64(key_id, encoded)?;
        Ok(Self(evidence.mac(&[DERIVATION_LABEL])))
    }

    /// The person with this passport. Both values are as the registry writes them, without
    /// MRZ filler: `D` and `C01X00T47`.
    pub fn hash(&self, nationality: &str, document_number: &str) -> PersonHash {
        let mac = self.mac(&[nationality.as_bytes(), b"|", document_number.as_bytes()]);
        PersonHash(hex::encode(mac))
    }

    /// The identity a mobile binding belongs to: the passport's issuing state, number and the
    /// holder's date of birth (`YYYY-MM-DD`), read from the chip or the MRZ. A label keeps it
    /// apart from the person index's hash of the same passport.
    pub fn identity(&self, issuing_state: &str, document_number: &str, birth_date: &str) -> String {
        let parts: [&[u8]; 6] = [
            b"identity|",
            issuing_state.as_bytes(),
            b"|",
            document_number.as_bytes(),
            b"|",
            birth_date.as_bytes(),
        ];
        hex::encode(self.mac(&parts))
    }

    /// A registry record as identity links know it, from the registry's record id.
    pub fn registry_record(&self, record_id: &str) -> String {
        hex::encode(self.mac(&[b"record|", record_id.as_bytes()]))
    }

    /// A mobile number as bindings know it, from its E.164 form.
    pub fn number(&self, e164: &str) -> String {
        hex::encode(self.mac(&[b"number|", e164.as_bytes()]))
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl Store {
    /// Records which person the application is about; a second call replaces the first, as
    /// when the person gives another page.
    pub async fn index_person(
        &self,
        application_id: ApplicationId,
        person: &PersonHash,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = person_index::ActiveModel {
            application_id: Set(application_id.as_uuid()),
            person_hash: Set(person.0.clone()),
            indexed_at: Set(now),
        };
        let replace = OnConflict::column(person_index::Column::ApplicationId)
            .update_columns([person_index::Column::PersonHash, person_index::Column::IndexedAt])
            .to_owned();
        person_index::Entity::insert(row)
            .on_conflict(replace)
            .exec_without_returning(&self.db)
            .await
            .map(drop)
            .context("failed to index an application's person")
    }

    /// The applications about this person that have not ended, oldest first.
    pub async fn open_applications_of(
        &self,
        person: &PersonHash,
    ) -> Result<Vec<ApplicationId>, StoreError> {
        let indexed = person_index::Entity::find()
            .filter(person_index::Column::PersonHash.eq(person.0.as_str()))
            .all(&self.db)
            .await
            .context("failed to read the person index")?;
        let ids = indexed.into_iter().map(|row| row.application_id);
        let applications = application::Entity::find()
            .filter(application::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .context("failed to read a person's applications")?;

        let mut open = Vec::new();
        for model in applications {
            let status: ApplicationStatus = model
                .status
                .parse()
                .map_err(|_| StoreError::Corrupt { column: "application.status" })?;
            if !status.is_final() {
                open.push((model.created_at, ApplicationId::from(model.id)));
            }
        }
        open.sort();
        Ok(open.into_iter().map(|(_, id)| id).collect())
    }

    /// Whether the change at `cursor` was already acted on.
    pub async fn stay_change_seen(&self, cursor: u64) -> Result<bool, StoreError> {
        let found = stay_change::Entity::find_by_id(db_cursor(cursor)?)
            .one(&self.db)
            .await
            .context("failed to read a stay change")?;
        Ok(found.is_some())
    }

    /// Records that the change at `cursor` was acted on. Returns `false` when it already was.
    pub async fn record_stay_change(
        &self,
        cursor: u64,
        kind: &str,
        signalled: usize,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let row = stay_change::ActiveModel {
            cursor: Set(db_cursor(cursor)?),
            kind: Set(kind.chars().take(32).collect()),
            signalled: Set(i32::try_from(signalled).unwrap_or(i32::MAX)),
            received_at: Set(now),
        };
        let inserted = stay_change::Entity::insert(row)
            .on_conflict(OnConflict::column(stay_change::Column::Cursor).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await
            .context("failed to record a stay change")?;
        Ok(inserted > 0)
    }

    /// The cursor of the last change read from the feed `name`; 0 before the first read.
    pub async fn feed_cursor(&self, name: &str) -> Result<u64, StoreError> {
        let found = stay_feed::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await
            .context("failed to read a feed's cursor")?;
        let cursor = found.map_or(0, |row| row.cursor);
        u64::try_from(cursor).map_err(|_| StoreError::Corrupt { column: "stay_feed.cursor" })
    }

    /// Moves the feed `name` on to `cursor`.
    pub async fn set_feed_cursor(
        &self,
        name: &str,
        cursor: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = stay_feed::ActiveModel {
            name: Set(name.to_owned()),
            cursor: Set(db_cursor(cursor)?),
            read_at: Set(now),
        };
        let replace = OnConflict::column(stay_feed::Column::Name)
            .update_columns([stay_feed::Column::Cursor, stay_feed::Column::ReadAt])
            .to_owned();
        stay_feed::Entity::insert(row)
            .on_conflict(replace)
            .exec_without_returning(&self.db)
            .await
            .map(drop)
            .context("failed to move a feed's cursor")
    }
}

/// A cursor as the database keeps it; the contract's cursors fit in 63 bits.
fn db_cursor(cursor: u64) -> Result<i64, StoreError> {
    i64::try_from(cursor).map_err(|_| StoreError::Corrupt { column: "stay_change.cursor" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PersonIndexKey {
        PersonIndexKey::from_base64("k", &STANDARD.encode([byte; 32])).unwrap()
    }

    #[test]
    fn the_hash_is_stable_for_one_key() {
        let hash = key(1).hash("D", "C01X00T47");
        assert_eq!(hash, key(1).hash("D", "C01X00T47"));
        assert_eq!(hash.as_str().len(), 64);
        assert!(!hash.as_str().contains("C01X00T47"));
    }

    #[test]
    fn the_hash_differs_per_key_and_per_person() {
        let hash = key(1).hash("D", "C01X00T47");
        assert_ne!(hash, key(2).hash("D", "C01X00T47"));
        assert_ne!(hash, key(1).hash("D", "C01X00T48"));
        // The separator keeps the two fields apart.
        assert_ne!(key(1).hash("DE", "U1"), key(1).hash("D", "EU1"));
    }

    #[test]
    fn a_derived_key_is_not_the_evidence_key() {
        let encoded = STANDARD.encode([7u8; 32]);
        let derived = PersonIndexKey::derived_from_evidence_key("k", &encoded).unwrap();
        let plain = PersonIndexKey::from_base64("k", &encoded).unwrap();
        assert_ne!(derived.hash("D", "X1"), plain.hash("D", "X1"));
        assert_eq!(format!("{derived:?}"), "PersonIndexKey(<redacted>)");
        assert!(PersonIndexKey::from_base64("k", "c2hvcnQ=").is_err());
    }
}
