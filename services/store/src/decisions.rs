//! The policy's decisions. A decision and its step verdict are written in one transaction, once
//! per decision attempt, so a retried activity finds both or neither.

use chrono::{DateTime, NaiveDate, Utc};
use idproof_proofing::{ApplicationId, Tier};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::OnConflict,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    Store,
    entities::decision,
    error::{DbContext, StoreError},
    sim_registrations::{SimDecision, decide_sim_in},
    steps::{StepWrite, record_step_in},
};

/// What the policy decided, as stored. Flags and the explanation are JSON the policy crate
/// writes; the store keeps them as they are.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionRecord {
    /// Which decision attempt, from 1.
    pub attempt: i32,
    /// The policy version that decided.
    pub policy_version: String,
    /// The user group the visa category falls in, when one was found.
    pub user_group: Option<String>,
    /// The tier reached; none when the evidence reaches no tier.
    pub tier: Option<Tier>,
    /// The last day the digital ID may be valid; none without a tier.
    pub valid_until: Option<NaiveDate>,
    /// The flags raised, each with the rule that raised it.
    pub flags: Value,
    /// The rules applied and the evidence each used.
    pub explanation: Value,
    /// When it was decided.
    pub decided_at: DateTime<Utc>,
}

impl TryFrom<decision::Model> for DecisionRecord {
    type Error = StoreError;

    fn try_from(model: decision::Model) -> Result<Self, Self::Error> {
        let tier = model
            .tier
            .map(|tier| tier.parse().map_err(|_| StoreError::Corrupt { column: "tier" }))
            .transpose()?;
        let json = |text: &str, column| {
            serde_json::from_str(text).map_err(|_| StoreError::Corrupt { column })
        };
        Ok(Self {
            attempt: model.attempt,
            policy_version: model.policy_version,
            user_group: model.user_group,
            tier,
            valid_until: model.valid_until,
            flags: json(&model.flags, "flags")?,
            explanation: json(&model.explanation, "explanation")?,
            decided_at: model.decided_at,
        })
    }
}

impl Store {
    /// Records a decision with the decision step's verdict, and a SIM registration's record
    /// when there is one, in one transaction, once per attempt: a client that reads the
    /// application decided reads its SIM record decided too. Returns `false` when this attempt
    /// was already recorded, in which case nothing changes.
    pub async fn record_decision(
        &self,
        decision: DecisionRecord,
        step: StepWrite,
        sim: Option<SimDecision>,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        let decision_time = decision.decided_at;

        let recorded = match record_step_in(&txn, &step, decision.decided_at).await {
            Ok(recorded) => recorded,
            Err(err) => {
                txn.rollback().await.ok();
                return Err(err);
            }
        };
        if !recorded {
            txn.rollback().await.context("failed to roll back a repeated decision")?;
            return Ok(false);
        }

        let row = decision::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(step.application_id.as_uuid()),
            attempt: Set(decision.attempt),
            policy_version: Set(decision.policy_version),
            user_group: Set(decision.user_group),
            tier: Set(decision.tier.map(|tier| tier.as_str().to_owned())),
            valid_until: Set(decision.valid_until),
            flags: Set(decision.flags.to_string()),
            explanation: Set(decision.explanation.to_string()),
            decided_at: Set(decision.decided_at),
        };
        let unique_attempt =
            OnConflict::columns([decision::Column::ApplicationId, decision::Column::Attempt])
                .do_nothing()
                .to_owned();
        let inserted = decision::Entity::insert(row)
            .on_conflict(unique_attempt)
            .exec_without_returning(&txn)
            .await;
        if let Err(err) = inserted {
            txn.rollback().await.ok();
            return Err(StoreError::Database {
                context: "failed to insert a decision",
                source: err,
            });
        }

        if let Some(sim) = sim {
            let application_id = step.application_id;
            if let Err(err) = decide_sim_in(&txn, application_id, sim, decision_time).await {
                txn.rollback().await.ok();
                return Err(err);
            }
        }
        txn.commit().await.context("failed to commit a decision")?;
        Ok(true)
    }

    /// The latest decision on an application, if there is one.
    pub async fn latest_decision(
        &self,
        id: ApplicationId,
    ) -> Result<Option<DecisionRecord>, StoreError> {
        decision::Entity::find()
            .filter(decision::Column::ApplicationId.eq(id.as_uuid()))
            .order_by_desc(decision::Column::Attempt)
            .one(&self.db)
            .await
            .context("failed to read a decision")?
            .map(DecisionRecord::try_from)
            .transpose()
    }
}
