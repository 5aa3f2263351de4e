//! Step verdicts, written by the workflow's activities. Each step attempt records at most once,
//! so an activity that Temporal retries after a crash finds its verdict already there.

use chrono::{DateTime, Utc};
use idproof_proofing::{ApplicationId, ApplicationStatus, EvidenceId, Step, StepOutcome, Verdict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait, sea_query::OnConflict,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Store,
    applications::find,
    audit::{self, Actor},
    entities::{application, step_result},
    error::{DbContext, StoreError},
};

/// A recorded step verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRecord {
    /// The step.
    pub step: Step,
    /// Which attempt at the step, from 1.
    pub attempt: i32,
    /// What it concluded.
    pub verdict: Verdict,
    /// The stable reason code.
    pub reason: String,
    /// The evidence it judged, if any.
    pub evidence_id: Option<EvidenceId>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<step_result::Model> for StepRecord {
    type Error = StoreError;

    fn try_from(model: step_result::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            step: model.step.parse().map_err(|_| StoreError::Corrupt { column: "step" })?,
            attempt: model.attempt,
            verdict: model
                .verdict
                .parse()
                .map_err(|_| StoreError::Corrupt { column: "verdict" })?,
            reason: model.reason,
            evidence_id: model.evidence_id.map(EvidenceId::from),
            recorded_at: model.recorded_at,
        })
    }
}

/// A verdict to record, and what it does to the application.
#[derive(Clone, Debug)]
pub struct StepWrite {
    /// The application.
    pub application_id: ApplicationId,
    /// Which attempt at the step, from 1; the workflow numbers them deterministically.
    pub attempt: i32,
    /// The verdict.
    pub outcome: StepOutcome,
    /// The evidence judged, if any.
    pub evidence_id: Option<EvidenceId>,
    /// The status the application moves to, unless it has already ended.
    pub next_status: Option<ApplicationStatus>,
}

impl Store {
    /// Records a verdict once. Returns `false` when this step attempt was already recorded, in
    /// which case nothing changes.
    pub async fn record_step(
        &self,
        write: StepWrite,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        match record_step_in(&txn, &write, now).await {
            Ok(true) => {
                txn.commit().await.context("failed to commit a step verdict")?;
                Ok(true)
            }
            Ok(false) => {
                // Ended at once, not on drop: a dropped transaction is rolled back only when
                // its connection is next used, and on SQLite it holds the write lock until then.
                txn.rollback().await.context("failed to roll back a repeated step verdict")?;
                Ok(false)
            }
            Err(err) => {
                txn.rollback().await.ok();
                Err(err)
            }
        }
    }

    /// The verdicts recorded for an application, oldest first.
    pub async fn steps(&self, id: ApplicationId) -> Result<Vec<StepRecord>, StoreError> {
        step_result::Entity::find()
            .filter(step_result::Column::ApplicationId.eq(id.as_uuid()))
            .order_by_asc(step_result::Column::RecordedAt)
            .order_by_asc(step_result::Column::Id)
            .all(&self.db)
            .await
            .context("failed to read step verdicts")?
            .into_iter()
            .map(StepRecord::try_from)
            .collect()
    }
}

/// Records a verdict inside `txn`; `false` when this step attempt was already recorded, and the
/// caller then rolls back.
pub(crate) async fn record_step_in(
    txn: &DatabaseTransaction,
    write: &StepWrite,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let application_id = write.application_id.as_uuid();
    let Some(current) = find(txn, write.application_id).await? else {
        return Err(StoreError::NotFound {
            what: "application",
            id: write.application_id.to_string(),
        });
    };

    let row = step_result::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application_id),
        step: Set(write.outcome.step.as_str().to_owned()),
        attempt: Set(write.attempt),
        verdict: Set(write.outcome.verdict.as_str().to_owned()),
        reason: Set(write.outcome.reason.clone()),
        evidence_id: Set(write.evidence_id.map(|id| id.as_uuid())),
        recorded_at: Set(now),
    };
    let unique_attempt = OnConflict::columns([
        step_result::Column::ApplicationId,
        step_result::Column::Step,
        step_result::Column::Attempt,
    ])
    .do_nothing()
    .to_owned();
    let inserted = step_result::Entity::insert(row)
        .on_conflict(unique_attempt)
        .exec_without_returning(txn)
        .await
        .context("failed to insert a step verdict")?;
    if inserted == 0 {
        return Ok(false);
    }

    if let Some(next) = write.next_status.filter(|_| !current.status.is_final()) {
        application::Entity::update_many()
            .col_expr(application::Column::Status, next.as_str().into())
            .col_expr(application::Column::UpdatedAt, now.into())
            .filter(application::Column::Id.eq(application_id))
            .exec(txn)
            .await
            .context("failed to move an application to its next status")?;
    }

    let detail = json!({
        "step": write.outcome.step,
        "attempt": write.attempt,
        "verdict": write.outcome.verdict,
        "reason": write.outcome.reason,
        "status": write.next_status,
    });
    let id = Some(application_id);
    audit::record(txn, Actor::Workflow, "step.recorded", id, detail, now).await?;
    Ok(true)
}
