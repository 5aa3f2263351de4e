//! SIM registrations: the shop visit a `sim_registration` application is opened with, and the
//! record the shop gets once the application is decided.

use chrono::{DateTime, Utc};
use idproof_proofing::{ApplicationId, Tier};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Store,
    entities::sim_registration,
    error::{DbContext, StoreError},
};

/// Who registers the SIM: the operator the shop declares, and the shop's and clerk's own
/// references. The operator is recorded with the binding; numbers move between operators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopVisit {
    /// The operator's code (`ais`, `true`, `nt`, ...).
    pub operator: String,
    /// The shop's reference, as the client knows it.
    pub shop_reference: String,
    /// The clerk's reference, as the client knows it.
    pub clerk_reference: String,
}

/// What a decided SIM registration came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimOutcome {
    /// The identity reached the tier the registration needs and the number is bound: the shop
    /// may activate the SIM.
    Registered,
    /// An officer must look before the SIM is activated.
    InReview,
    /// No tier was reached, or the application ended without one: no SIM.
    Refused,
}

impl SimOutcome {
    /// The stable text, as stored and sent.
    pub fn as_str(&self) -> &'static str {
        match self {
            SimOutcome::Registered => "registered",
            SimOutcome::InReview => "in_review",
            SimOutcome::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [SimOutcome::Registered, SimOutcome::InReview, SimOutcome::Refused]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// A SIM registration: the visit, and the decision once there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRegistrationRecord {
    /// The application.
    pub application_id: ApplicationId,
    /// Who registers the SIM.
    pub visit: ShopVisit,
    /// What it came to; `None` until the application is decided.
    pub outcome: Option<SimOutcome>,
    /// The tier reached.
    pub tier: Option<Tier>,
    /// The number bound, masked.
    pub number_masked: Option<String>,
    /// The binding made.
    pub binding_id: Option<Uuid>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When the client's webhook took it.
    pub notified_at: Option<DateTime<Utc>>,
}

/// The decision written into a SIM registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimDecision {
    /// What it came to.
    pub outcome: SimOutcome,
    /// The tier reached.
    pub tier: Option<Tier>,
    /// The number bound, masked.
    pub number_masked: Option<String>,
    /// The binding made.
    pub binding_id: Option<Uuid>,
}

impl TryFrom<sim_registration::Model> for SimRegistrationRecord {
    type Error = StoreError;

    fn try_from(row: sim_registration::Model) -> Result<Self, Self::Error> {
        let outcome = row
            .outcome
            .as_deref()
            .map(|text| {
                SimOutcome::parse(text)
                    .ok_or(StoreError::Corrupt { column: "sim_registration.outcome" })
            })
            .transpose()?;
        let tier = row
            .tier
            .as_deref()
            .map(|text| {
                text.parse().map_err(|_| StoreError::Corrupt { column: "sim_registration.tier" })
            })
            .transpose()?;
        Ok(Self {
            application_id: row.application_id.into(),
            visit: ShopVisit {
                operator: row.operator,
                shop_reference: row.shop_reference,
                clerk_reference: row.clerk_reference,
            },
            outcome,
            tier,
            number_masked: row.number_masked,
            binding_id: row.binding_id,
            decided_at: row.decided_at,
            notified_at: row.notified_at,
        })
    }
}

impl Store {
    /// The SIM registration of an application, if it was opened for one.
    pub async fn sim_registration(
        &self,
        application_id: ApplicationId,
    ) -> Result<Option<SimRegistrationRecord>, StoreError> {
        sim_registration::Entity::find_by_id(application_id.as_uuid())
            .one(&self.db)
            .await
            .context("failed to read a SIM registration")?
            .map(SimRegistrationRecord::try_from)
            .transpose()
    }

    /// Writes the decision into the application's SIM registration. A later decision (an
    /// officer's, or a retried activity's) overwrites an earlier one; the webhook is owed again.
    /// Returns `false` when the application has no SIM registration.
    pub async fn decide_sim_registration(
        &self,
        application_id: ApplicationId,
        decision: SimDecision,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        decide_sim_in(&self.db, application_id, decision, now).await
    }

    /// Notes that the client's webhook took the record decided at `decided_at`; a record
    /// decided again since is still owed.
    pub async fn sim_registration_notified(
        &self,
        application_id: ApplicationId,
        decided_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sim_registration::Entity::update_many()
            .col_expr(sim_registration::Column::NotifiedAt, Expr::value(now))
            .filter(sim_registration::Column::ApplicationId.eq(application_id.as_uuid()))
            .filter(sim_registration::Column::DecidedAt.eq(decided_at))
            .exec(&self.db)
            .await
            .map(drop)
            .context("failed to note a SIM registration's webhook")
    }
}

/// Writes a SIM registration's decision on `db`, a connection or a transaction; whether the
/// application has a SIM registration.
pub(crate) async fn decide_sim_in(
    db: &impl ConnectionTrait,
    application_id: ApplicationId,
    decision: SimDecision,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = sim_registration::Entity::update_many()
        .set(sim_registration::ActiveModel {
            outcome: Set(Some(decision.outcome.as_str().to_owned())),
            tier: Set(decision.tier.map(|tier| tier.as_str().to_owned())),
            number_masked: Set(decision.number_masked),
            binding_id: Set(decision.binding_id),
            decided_at: Set(Some(now)),
            notified_at: Set(None),
            ..Default::default()
        })
        .filter(sim_registration::Column::ApplicationId.eq(application_id.as_uuid()))
        .exec(db)
        .await
        .context("failed to decide a SIM registration")?;
    Ok(updated.rows_affected == 1)
}
