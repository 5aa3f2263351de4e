//! The trust store: CSCA certificates and CRLs, as chip verification needs them and as the
//! coverage report counts them. Vetting (signatures, CA flags) is the passport crate's; this
//! keeps what was vetted, once per fingerprint, and imports a batch in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Store,
    audit::{self, Actor},
    entities::{csca_certificate, csca_crl},
    error::{DbContext, StoreError},
};

/// The trust store's tables. It needs no evidence key, so the command line opens it alone.
#[derive(Clone, Debug)]
pub struct TrustStore {
    db: DatabaseConnection,
}

/// A vetted CSCA certificate to keep.
#[derive(Clone, Debug)]
pub struct NewCsca {
    /// The subject's country (`C`).
    pub issuing_state: String,
    /// `root` or `link`.
    pub kind: String,
    /// The subject key identifier, hexadecimal.
    pub subject_key_id: Option<String>,
    /// The serial number, hexadecimal.
    pub serial: String,
    /// notBefore.
    pub not_before: DateTime<Utc>,
    /// notAfter.
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the DER, hexadecimal.
    pub fingerprint: String,
    /// The certificate.
    pub der: Vec<u8>,
    /// Where it came from: `certificate`, or `master-list:` and the list's fingerprint.
    pub source: String,
}

/// A vetted CRL to keep.
#[derive(Clone, Debug)]
pub struct NewCrl {
    /// The issuer's country (`C`).
    pub issuing_state: String,
    /// The issuer's name, one line.
    pub issuer: String,
    /// thisUpdate.
    pub this_update: DateTime<Utc>,
    /// nextUpdate.
    pub next_update: Option<DateTime<Utc>>,
    /// SHA-256 of the DER, hexadecimal.
    pub fingerprint: String,
    /// The CRL.
    pub der: Vec<u8>,
}

/// What an import added and what the store already held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrustImport {
    /// CSCA certificates added.
    pub cscas_added: usize,
    /// CSCA certificates already held.
    pub cscas_known: usize,
    /// CRLs added.
    pub crls_added: usize,
    /// CRLs already held.
    pub crls_known: usize,
}

/// The stored trust material, DER, as chip verification takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredTrustMaterial {
    /// CSCA certificates, roots and link certificates.
    pub cscas: Vec<Vec<u8>>,
    /// CRLs.
    pub crls: Vec<Vec<u8>>,
}

/// Whether a state's newest CRL still holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlStatus {
    /// Its next update is still ahead (or it names none).
    Current,
    /// Its next update has passed.
    Stale,
    /// The state has no CRL.
    Missing,
}

impl CrlStatus {
    /// `current`, `stale` or `missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrlStatus::Current => "current",
            CrlStatus::Stale => "stale",
            CrlStatus::Missing => "missing",
        }
    }
}

/// What the trust store holds for one issuing state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateCoverage {
    /// The country code of the certificates (`C`).
    pub issuing_state: String,
    /// How many CSCA certificates.
    pub cscas: usize,
    /// The next update of the state's newest CRL (by thisUpdate).
    pub crl_next_update: Option<DateTime<Utc>>,
    /// Whether that CRL holds at the moment asked about.
    pub crl: CrlStatus,
}

impl Store {
    /// The trust store, on the same connection.
    pub fn trust(&self) -> TrustStore {
        TrustStore { db: self.db.clone() }
    }
}

impl TrustStore {
    /// Connects to `url`; the schema must already be migrated.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let db = crate::connect_database(url, max_connections).await?;
        Ok(Self { db })
    }

    /// Keeps the certificates and CRLs not already held (by fingerprint), with an audit
    /// event, in one transaction: a failure keeps none of them.
    pub async fn import(
        &self,
        cscas: Vec<NewCsca>,
        crls: Vec<NewCrl>,
        now: DateTime<Utc>,
    ) -> Result<TrustImport, StoreError> {
        let mut outcome = TrustImport::default();
        let txn = self.db.begin().await.context("failed to begin a transaction")?;

        for csca in dedup(cscas, |csca| csca.fingerprint.clone()) {
            let held = csca_certificate::Entity::find()
                .filter(csca_certificate::Column::Fingerprint.eq(&csca.fingerprint))
                .one(&txn)
                .await
                .context("failed to look up a CSCA certificate")?;
            if held.is_some() {
                outcome.cscas_known += 1;
                continue;
            }
            csca_certificate::Entity::insert(csca_row(csca, now))
                .exec_without_returning(&txn)
                .await
                .context("failed to insert a CSCA certificate")?;
            outcome.cscas_added += 1;
        }

        for crl in dedup(crls, |crl| crl.fingerprint.clone()) {
            let held = csca_crl::Entity::find()
                .filter(csca_crl::Column::Fingerprint.eq(&crl.fingerprint))
                .one(&txn)
                .await
                .context("failed to look up a CRL")?;
            if held.is_some() {
                outcome.crls_known += 1;
                continue;
            }
            csca_crl::Entity::insert(crl_row(crl, now))
                .exec_without_returning(&txn)
                .await
                .context("failed to insert a CRL")?;
            outcome.crls_added += 1;
        }

        let detail = json!({
            "cscas_added": outcome.cscas_added,
            "cscas_known": outcome.cscas_known,
            "crls_added": outcome.crls_added,
            "crls_known": outcome.crls_known,
        });
        audit::record(&txn, Actor::Operator, "trust.imported", None, detail, now).await?;
        txn.commit().await.context("failed to commit a trust import")?;
        Ok(outcome)
    }

    /// Every stored CSCA certificate and CRL, oldest import first.
    pub async fn trust_material(&self) -> Result<StoredTrustMaterial, StoreError> {
        let cscas = csca_certificate::Entity::find()
            .select_only()
            .column(csca_certificate::Column::Der)
            .order_by_asc(csca_certificate::Column::ImportedAt)
            .order_by_asc(csca_certificate::Column::Id)
            .into_tuple::<Vec<u8>>()
            .all(&self.db)
            .await
            .context("failed to read the CSCA certificates")?;
        let crls = csca_crl::Entity::find()
            .select_only()
            .column(csca_crl::Column::Der)
            .order_by_asc(csca_crl::Column::ImportedAt)
            .order_by_asc(csca_crl::Column::Id)
            .into_tuple::<Vec<u8>>()
            .all(&self.db)
            .await
            .context("failed to read the CRLs")?;
        Ok(StoredTrustMaterial { cscas, crls })
    }

    /// Per issuing state, in code order: how many CSCA certificates, and the newest CRL's next
    /// update and whether it holds at `at`.
    pub async fn coverage(&self, at: DateTime<Utc>) -> Result<Vec<StateCoverage>, StoreError> {
        let states = csca_certificate::Entity::find()
            .select_only()
            .column(csca_certificate::Column::IssuingState)
            .into_tuple::<String>()
            .all(&self.db)
            .await
            .context("failed to count the CSCA certificates")?;
        let crls = csca_crl::Entity::find()
            .select_only()
            .columns([
                csca_crl::Column::IssuingState,
                csca_crl::Column::ThisUpdate,
                csca_crl::Column::NextUpdate,
            ])
            .into_tuple::<(String, DateTime<Utc>, Option<DateTime<Utc>>)>()
            .all(&self.db)
            .await
            .context("failed to read the CRLs' dates")?;

        let mut cscas: BTreeMap<String, usize> = BTreeMap::new();
        for state in states {
            *cscas.entry(state).or_default() += 1;
        }
        let mut newest: BTreeMap<String, (DateTime<Utc>, Option<DateTime<Utc>>)> = BTreeMap::new();
        for (state, this_update, next_update) in crls {
            let entry = newest.entry(state).or_insert((this_update, next_update));
            if this_update > entry.0 {
                *entry = (this_update, next_update);
            }
        }

        let mut codes: Vec<&String> = cscas.keys().chain(newest.keys()).collect();
        codes.sort();
        codes.dedup();
        Ok(codes
            .into_iter()
            .map(|state| {
                let crl = newest.get(state);
                let crl_next_update = crl.and_then(|(_, next)| *next);
                let status = match crl {
                    None => CrlStatus::Missing,
                    Some((_, Some(next))) if *next <= at => CrlStatus::Stale,
                    Some(_) => CrlStatus::Current,
                };
                StateCoverage {
                    issuing_state: state.clone(),
                    cscas: cscas.get(state).copied().unwrap_or(0),
                    crl_next_update,
                    crl: status,
                }
            })
            .collect())
    }
}

/// The entries of `entries` with distinct keys, first kept.
fn dedup<T>(entries: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    entries.into_iter().filter(|entry| seen.insert(key(entry))).collect()
}

fn csca_row(csca: NewCsca, now: DateTime<Utc>) -> csca_certificate::ActiveModel {
    csca_certificate::ActiveModel {
        id: Set(Uuid::now_v7()),
        issuing_state: Set(csca.issuing_state),
        kind: Set(csca.kind),
        subject_key_id: Set(csca.subject_key_id),
        serial: Set(csca.serial),
        not_before: Set(csca.not_before),
        not_after: Set(csca.not_after),
        fingerprint: Set(csca.fingerprint),
        der: Set(csca.der),
        source: Set(csca.source),
        imported_at: Set(now),
    }
}

fn crl_row(crl: NewCrl, now: DateTime<Utc>) -> csca_crl::ActiveModel {
    csca_crl::ActiveModel {
        id: Set(Uuid::now_v7()),
        issuing_state: Set(crl.issuing_state),
        issuer: Set(crl.issuer),
        this_update: Set(crl.this_update),
        next_update: Set(crl.next_update),
        fingerprint: Set(crl.fingerprint),
        der: Set(crl.der),
        imported_at: Set(now),
    }
}
