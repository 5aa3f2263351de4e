//! Mobile numbers bound to proven identities, held to the caps per operator and in all.
//!
//! An identity and a number are keyed hashes ([`crate::PersonIndexKey::identity`] and
//! [`crate::PersonIndexKey::number`]). A binding is written in one transaction with the
//! counters it raises: each counter is raised by a conditional update that fails at the cap, so
//! two shops binding for one person at once cannot both pass it; and a partial unique index lets
//! one active binding hold a number, so two shops binding one number at once cannot both win.

use chrono::{DateTime, Utc};
use idproof_proofing::ApplicationId;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{
    Store,
    entities::{binding_count, mobile_binding},
    error::{DbContext, StoreError},
};

/// The counter scope that holds every operator's bindings together.
const ALL_OPERATORS: &str = "*";

/// A binding to make.
#[derive(Clone, Debug)]
pub struct NewBinding {
    /// The identity's keyed hash.
    pub identity_key: String,
    /// The number's keyed hash.
    pub number_key: String,
    /// The number with most digits hidden.
    pub number_masked: String,
    /// What the per-operator cap counts the binding against: the licensee of the network the
    /// shop declared (`ais`, `true`, `nt`), or the declared operator when it is none of them.
    pub operator: String,
    /// The application that proved the identity and the number.
    pub application_id: ApplicationId,
}

/// How many numbers one identity may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindingCaps {
    /// With one operator (3 for foreigners under the NBTC's measures of August 2025).
    pub per_operator: i32,
    /// With all operators together.
    pub total: i32,
}

/// Which cap a binding would pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapScope {
    /// The cap with the declared operator.
    Operator,
    /// The cap over all operators.
    Total,
}

/// What binding did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindOutcome {
    /// The number is now bound to the identity.
    Bound(Uuid),
    /// The number was already bound to this identity; nothing changed.
    AlreadyBound(Uuid),
    /// The number is bound to another identity: the case goes to an officer, and the answer to
    /// the shop must not say so.
    NumberTaken,
    /// The identity holds as many numbers as the cap allows.
    CapReached(CapScope),
}

/// An active or ended binding, as a clerk or an officer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingRecord {
    /// Its id.
    pub id: Uuid,
    /// The number with most digits hidden.
    pub number_masked: String,
    /// What the per-operator cap counted it against: a licensee, or an unlicensed operator.
    pub operator: String,
    /// The application that made it.
    pub application_id: ApplicationId,
    /// When it was made.
    pub bound_at: DateTime<Utc>,
    /// When it ended, if it has.
    pub unbound_at: Option<DateTime<Utc>>,
    /// Why it ended: `digital_id_expired`, `digital_id_revoked`…
    pub unbind_reason: Option<String>,
}

impl From<mobile_binding::Model> for BindingRecord {
    fn from(model: mobile_binding::Model) -> Self {
        Self {
            id: model.id,
            number_masked: model.number_masked,
            operator: model.operator,
            application_id: ApplicationId::from(model.application_id),
            bound_at: model.bound_at,
            unbound_at: model.unbound_at,
            unbind_reason: model.unbind_reason,
        }
    }
}

/// Why a transaction stopped short: an outcome to answer, or an error.
enum Stop {
    Answer(BindOutcome),
    Failed(StoreError),
}

impl From<StoreError> for Stop {
    fn from(err: StoreError) -> Self {
        Stop::Failed(err)
    }
}

impl Store {
    /// Binds a number to an identity within `caps`. The outcome says why it did not, when it did
    /// not; only a database failure is an error.
    pub async fn bind_number(
        &self,
        binding: NewBinding,
        caps: BindingCaps,
        now: DateTime<Utc>,
    ) -> Result<BindOutcome, StoreError> {
        let txn = self.db.begin().await.context("failed to begin a binding")?;

        match bind_in(&txn, &binding, caps, now).await {
            Ok(id) => {
                txn.commit().await.context("failed to commit a binding")?;
                Ok(BindOutcome::Bound(id))
            }
            Err(stop) => {
                txn.rollback().await.ok();
                match stop {
                    Stop::Answer(outcome) => Ok(outcome),
                    Stop::Failed(err) => Err(err),
                }
            }
        }
    }

    /// Ends a binding and frees its place under the caps; `false` when it had already ended.
    pub async fn unbind_number(
        &self,
        binding_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.context("failed to begin an unbinding")?;

        let ended = mobile_binding::Entity::update_many()
            .col_expr(mobile_binding::Column::UnboundAt, Expr::value(now))
            .col_expr(mobile_binding::Column::UnbindReason, Expr::value(reason))
            .filter(mobile_binding::Column::Id.eq(binding_id))
            .filter(mobile_binding::Column::UnboundAt.is_null())
            .exec(&txn)
            .await
            .context("failed to end a binding")?;
        if ended.rows_affected == 0 {
            txn.rollback().await.context("failed to roll back an unbinding")?;
            return Ok(false);
        }
        let binding = mobile_binding::Entity::find_by_id(binding_id)
            .one(&txn)
            .await
            .context("failed to read an ended binding")?
            .ok_or(StoreError::NotFound { what: "binding", id: binding_id.to_string() })?;

        for scope in [ALL_OPERATORS, binding.operator.as_str()] {
            binding_count::Entity::update_many()
                .col_expr(
                    binding_count::Column::Active,
                    Expr::col(binding_count::Column::Active).sub(1),
                )
                .filter(binding_count::Column::IdentityKey.eq(binding.identity_key.as_str()))
                .filter(binding_count::Column::Scope.eq(scope))
                .filter(binding_count::Column::Active.gt(0))
                .exec(&txn)
                .await
                .context("failed to lower a binding count")?;
        }
        txn.commit().await.context("failed to commit an unbinding")?;
        Ok(true)
    }

    /// The active binding an application made, if any.
    pub async fn active_binding_of_application(
        &self,
        application_id: ApplicationId,
    ) -> Result<Option<BindingRecord>, StoreError> {
        let row = mobile_binding::Entity::find()
            .filter(mobile_binding::Column::ApplicationId.eq(application_id.as_uuid()))
            .filter(mobile_binding::Column::UnboundAt.is_null())
            .one(&self.db)
            .await
            .context("failed to read an application's binding")?;
        Ok(row.map(BindingRecord::from))
    }

    /// An identity's bindings, newest first, ended ones included.
    pub async fn bindings_of(&self, identity_key: &str) -> Result<Vec<BindingRecord>, StoreError> {
        let rows = mobile_binding::Entity::find()
            .filter(mobile_binding::Column::IdentityKey.eq(identity_key))
            .order_by_desc(mobile_binding::Column::BoundAt)
            .all(&self.db)
            .await
            .context("failed to read bindings")?;
        Ok(rows.into_iter().map(BindingRecord::from).collect())
    }
}

async fn bind_in(
    txn: &DatabaseTransaction,
    binding: &NewBinding,
    caps: BindingCaps,
    now: DateTime<Utc>,
) -> Result<Uuid, Stop> {
    // A write first: on SQLite it takes the write lock before anything is read, so two
    // bindings run one after the other instead of failing on a stale read.
    ensure_counters(txn, &binding.identity_key, &binding.operator).await?;

    let holder = mobile_binding::Entity::find()
        .filter(mobile_binding::Column::NumberKey.eq(binding.number_key.as_str()))
        .filter(mobile_binding::Column::UnboundAt.is_null())
        .one(txn)
        .await
        .context("failed to look for the number's binding")?;
    if let Some(holder) = holder {
        return Err(Stop::Answer(if holder.identity_key == binding.identity_key {
            BindOutcome::AlreadyBound(holder.id)
        } else {
            BindOutcome::NumberTaken
        }));
    }

    if !raise(txn, &binding.identity_key, &binding.operator, caps.per_operator).await? {
        return Err(Stop::Answer(BindOutcome::CapReached(CapScope::Operator)));
    }
    if !raise(txn, &binding.identity_key, ALL_OPERATORS, caps.total).await? {
        return Err(Stop::Answer(BindOutcome::CapReached(CapScope::Total)));
    }

    let id = Uuid::now_v7();
    let row = mobile_binding::ActiveModel {
        id: Set(id),
        identity_key: Set(binding.identity_key.clone()),
        number_key: Set(binding.number_key.clone()),
        number_masked: Set(binding.number_masked.clone()),
        operator: Set(binding.operator.clone()),
        application_id: Set(binding.application_id.as_uuid()),
        bound_at: Set(now),
        unbound_at: Set(None),
        unbind_reason: Set(None),
    };
    match mobile_binding::Entity::insert(row).exec_without_returning(txn).await {
        Ok(_) => Ok(id),
        // Another shop bound the number between the look and the insert: the index refused.
        Err(err) if is_unique_violation(&err) => Err(Stop::Answer(BindOutcome::NumberTaken)),
        Err(err) => Err(Stop::Failed(StoreError::Database {
            context: "failed to insert a binding",
            source: err,
        })),
    }
}

/// The counters of an identity, made at zero where missing.
async fn ensure_counters(
    txn: &DatabaseTransaction,
    identity_key: &str,
    operator: &str,
) -> Result<(), StoreError> {
    let rows = [ALL_OPERATORS, operator].map(|scope| binding_count::ActiveModel {
        identity_key: Set(identity_key.to_owned()),
        scope: Set(scope.to_owned()),
        active: Set(0),
    });
    let keep =
        OnConflict::columns([binding_count::Column::IdentityKey, binding_count::Column::Scope])
            .do_nothing()
            .to_owned();
    binding_count::Entity::insert_many(rows)
        .on_conflict(keep)
        .exec_without_returning(txn)
        .await
        .map(drop)
        .context("failed to make binding counters")
}

/// Raises a counter by one unless it is at `cap`; whether it rose.
async fn raise(
    txn: &DatabaseTransaction,
    identity_key: &str,
    scope: &str,
    cap: i32,
) -> Result<bool, StoreError> {
    let raised = binding_count::Entity::update_many()
        .col_expr(binding_count::Column::Active, Expr::col(binding_count::Column::Active).add(1))
        .filter(binding_count::Column::IdentityKey.eq(identity_key))
        .filter(binding_count::Column::Scope.eq(scope))
        .filter(binding_count::Column::Active.lt(cap))
        .exec(txn)
        .await
        .context("failed to raise a binding count")?;
    Ok(raised.rows_affected == 1)
}

/// A unique index refused the row (SQLite's 2067, PostgreSQL's 23505).
fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
