//! Evidence blobs, sealed before they reach the database and opened only by the activity that
//! judges them.

use chrono::{DateTime, Utc};
use idproof_proofing::{ApplicationId, ClientId, EvidenceId, EvidenceKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use crate::{
    Sealed, Store,
    audit::{self, Actor},
    entities::evidence,
    error::{DbContext, StoreError},
};

/// Evidence to store.
#[derive(Clone)]
pub struct NewEvidence {
    /// The application it belongs to.
    pub application_id: ApplicationId,
    /// The client that submitted it.
    pub submitted_by: ClientId,
    /// What it is.
    pub kind: EvidenceKind,
    /// Its media type, such as `image/jpeg`.
    pub content_type: String,
    /// The evidence itself; it is sealed before it is stored.
    pub content: Vec<u8>,
    /// When it must be deleted, for evidence with a retention period.
    pub delete_after: Option<DateTime<Utc>>,
}

/// Opened evidence.
#[derive(Clone)]
pub struct EvidenceRecord {
    /// Its id.
    pub id: EvidenceId,
    /// The application it belongs to.
    pub application_id: ApplicationId,
    /// What it is.
    pub kind: EvidenceKind,
    /// Its media type.
    pub content_type: String,
    /// The evidence, decrypted.
    pub content: Vec<u8>,
}

/// The associated data a blob is sealed with: it ties the blob to its row.
fn seal_context(id: EvidenceId, application_id: ApplicationId, kind: EvidenceKind) -> Vec<u8> {
    format!("idproof/evidence/{id}/{application_id}/{kind}").into_bytes()
}

impl Store {
    /// Seals and stores evidence, with an audit event, in one transaction.
    pub async fn store_evidence(
        &self,
        new: NewEvidence,
        now: DateTime<Utc>,
    ) -> Result<EvidenceId, StoreError> {
        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        let id = self.insert_evidence(&txn, new, now).await?;
        txn.commit().await.context("failed to commit evidence")?;
        Ok(id)
    }

    /// Seals and inserts evidence with its audit event, in the caller's transaction.
    pub(crate) async fn insert_evidence(
        &self,
        txn: &DatabaseTransaction,
        new: NewEvidence,
        now: DateTime<Utc>,
    ) -> Result<EvidenceId, StoreError> {
        let id = EvidenceId::new();
        let context = seal_context(id, new.application_id, new.kind);
        let sealed = self.cipher.seal(&new.content, &context)?;

        let row = evidence::ActiveModel {
            id: Set(id.as_uuid()),
            application_id: Set(new.application_id.as_uuid()),
            kind: Set(new.kind.as_str().to_owned()),
            content_type: Set(new.content_type),
            key_id: Set(sealed.key_id),
            nonce: Set(sealed.nonce),
            ciphertext: Set(sealed.ciphertext),
            created_at: Set(now),
            delete_after: Set(new.delete_after),
        };
        evidence::Entity::insert(row)
            .exec_without_returning(txn)
            .await
            .context("failed to insert evidence")?;

        let detail = json!({ "evidence_id": id, "kind": new.kind });
        let application = Some(new.application_id.as_uuid());
        let actor = Actor::Client(new.submitted_by.as_uuid());
        audit::record(txn, actor, "evidence.stored", application, detail, now).await?;
        Ok(id)
    }

    /// Deletes evidence whose workflow could not be told of it. The audit trail keeps both
    /// events, stored and discarded: it is only ever appended to.
    pub async fn discard_unsubmitted_evidence(
        &self,
        id: EvidenceId,
        application_id: ApplicationId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        evidence::Entity::delete_by_id(id.as_uuid())
            .exec(&txn)
            .await
            .context("failed to delete unsubmitted evidence")?;
        let detail = json!({ "evidence_id": id, "reason": "workflow_unreachable" });
        let application = Some(application_id.as_uuid());
        audit::record(&txn, Actor::Workflow, "evidence.discarded", application, detail, now)
            .await?;
        txn.commit().await.context("failed to commit discarding evidence")
    }

    /// Whether any evidence of `kind` was stored for the application.
    pub async fn has_evidence(
        &self,
        application_id: ApplicationId,
        kind: EvidenceKind,
    ) -> Result<bool, StoreError> {
        let found = evidence::Entity::find()
            .filter(evidence::Column::ApplicationId.eq(application_id.as_uuid()))
            .filter(evidence::Column::Kind.eq(kind.as_str()))
            .one(&self.db)
            .await
            .context("failed to look for evidence")?;
        Ok(found.is_some())
    }

    /// Reads and opens evidence.
    pub async fn open_evidence(&self, id: EvidenceId) -> Result<EvidenceRecord, StoreError> {
        let row = evidence::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .context("failed to read evidence")?
            .ok_or_else(|| StoreError::NotFound { what: "evidence", id: id.to_string() })?;

        let application_id = ApplicationId::from(row.application_id);
        let kind: EvidenceKind =
            row.kind.parse().map_err(|_| StoreError::Corrupt { column: "evidence.kind" })?;
        let sealed = Sealed { key_id: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext };
        let content = self.cipher.open(&sealed, &seal_context(id, application_id, kind))?;

        Ok(EvidenceRecord { id, application_id, kind, content_type: row.content_type, content })
    }
}
