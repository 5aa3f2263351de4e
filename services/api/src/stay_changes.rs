//! Acting on the registry's stay changes, pushed or polled: each change signals the running
//! proofing workflows of its person, once per change.

use std::sync::Arc;

use idproof_immigration::StayChange;
use idproof_proofing::Clock;
use idproof_store::{PersonIndexKey, Store, StoreError};
use idproof_workflows::StayChanged;

use crate::engine::{EngineError, WorkflowEngine};

/// What acting on one change did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StayChangeReceipt {
    /// The change was acted on before: nothing was signalled this time.
    pub duplicate: bool,
    /// Workflows signalled.
    pub signalled: usize,
    /// Applications of the person whose workflow had already ended.
    pub ended: usize,
}

/// Why a change could not be acted on; it is not recorded, so a later delivery tries again.
#[derive(Debug, thiserror::Error)]
pub enum StayChangeError {
    /// The database failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// Temporal did not answer.
    #[error("the workflow engine failed")]
    Engine(#[source] EngineError),
}

/// Signals the workflows of the person a stay change is about.
#[derive(Clone)]
pub struct StayChangeReceiver {
    store: Store,
    engine: WorkflowEngine,
    index: PersonIndexKey,
    clock: Arc<dyn Clock>,
}

impl StayChangeReceiver {
    /// A receiver finding people by `index` in `store` and signalling through `engine`.
    pub fn new(
        store: Store,
        engine: WorkflowEngine,
        index: PersonIndexKey,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { store, engine, index, clock }
    }

    /// Signals each open application of the change's person, unless the change was acted on
    /// before. Under a race (the push and the poll at once) a change may be signalled twice;
    /// a second signal only asks the registry again.
    pub async fn receive(&self, change: &StayChange) -> Result<StayChangeReceipt, StayChangeError> {
        let cursor = change.cursor;
        if self.store.stay_change_seen(cursor).await? {
            tracing::debug!(cursor, "stay change already acted on");
            return Ok(StayChangeReceipt { duplicate: true, ..StayChangeReceipt::default() });
        }

        let person = self.index.hash(change.nationality.as_str(), change.document_number.as_str());
        let applications = self.store.open_applications_of(&person).await?;
        let signal = StayChanged { kind: change.kind.code().to_owned(), cursor };
        let mut receipt = StayChangeReceipt::default();
        for application_id in applications {
            match self.engine.stay_changed(application_id, signal.clone()).await {
                Ok(()) => receipt.signalled += 1,
                Err(EngineError::WorkflowGone) => receipt.ended += 1,
                Err(err) => return Err(StayChangeError::Engine(err)),
            }
        }

        let now = self.clock.now();
        if !self
            .store
            .record_stay_change(cursor, change.kind.code(), receipt.signalled, now)
            .await?
        {
            receipt.duplicate = true;
        }
        tracing::info!(
            cursor,
            kind = change.kind.code(),
            signalled = receipt.signalled,
            ended = receipt.ended,
            "stay change received"
        );
        Ok(receipt)
    }
}
