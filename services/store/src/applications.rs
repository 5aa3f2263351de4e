//! Applications: created by the API, advanced by the workflow's activities.

use chrono::{DateTime, SubsecRound, Utc};
use idproof_proofing::{ApplicationId, ApplicationStatus, Channel, ClientId, Purpose, Tier};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use crate::{
    Store,
    audit::{self, Actor},
    entities::{application, audit_event, sim_registration},
    error::{DbContext, StoreError},
    sim_registrations::ShopVisit,
};

/// A new application as the API received it.
#[derive(Clone, Debug)]
pub struct NewApplication {
    /// The id it will have, which is also its workflow's id.
    pub id: ApplicationId,
    /// The client that opened it.
    pub client_id: ClientId,
    /// Why the person is being proofed.
    pub purpose: Purpose,
    /// The tier asked for.
    pub tier: Tier,
    /// Where it was opened.
    pub channel: Channel,
    /// The client's own reference for it.
    pub client_reference: Option<String>,
    /// The `Idempotency-Key` it came with.
    pub idempotency_key: Option<String>,
    /// A hash of the request, to tell a replay from a reused key.
    pub request_fingerprint: String,
    /// The shop visit, for a `sim_registration` application.
    pub shop_visit: Option<ShopVisit>,
}

/// A stored application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// Its id.
    pub id: ApplicationId,
    /// The client that owns it.
    pub client_id: ClientId,
    /// Why the person is being proofed.
    pub purpose: Purpose,
    /// The tier asked for.
    pub tier: Tier,
    /// Where it was opened.
    pub channel: Channel,
    /// The client's own reference.
    pub client_reference: Option<String>,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// What creating an application did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    /// A new application was stored.
    Created(ApplicationRecord),
    /// The same request came before with the same idempotency key: this is its application.
    Replayed(ApplicationRecord),
    /// The idempotency key was used before for a different request.
    KeyReused,
}

impl TryFrom<application::Model> for ApplicationRecord {
    type Error = StoreError;

    fn try_from(model: application::Model) -> Result<Self, Self::Error> {
        let corrupt = |column| move |_| StoreError::Corrupt { column };
        Ok(Self {
            id: model.id.into(),
            client_id: model.client_id.into(),
            purpose: model.purpose.parse().map_err(corrupt("application.purpose"))?,
            tier: model.tier.parse().map_err(corrupt("application.tier"))?,
            channel: model.channel.parse().map_err(corrupt("application.channel"))?,
            client_reference: model.client_reference,
            status: model.status.parse().map_err(corrupt("application.status"))?,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

impl Store {
    /// Stores a new application, or finds the one an earlier identical request created.
    pub async fn create_application(
        &self,
        new: NewApplication,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome, StoreError> {
        // Stored to the microsecond, as PostgreSQL keeps it, so that the record returned here
        // and a later read agree.
        let now = now.trunc_subsecs(6);

        if let Some(key) = &new.idempotency_key
            && let Some(outcome) = self.replay(new.client_id, key, &new.request_fingerprint).await?
        {
            return Ok(outcome);
        }

        let model = application::ActiveModel {
            id: Set(new.id.as_uuid()),
            client_id: Set(new.client_id.as_uuid()),
            purpose: Set(new.purpose.as_str().to_owned()),
            tier: Set(new.tier.as_str().to_owned()),
            channel: Set(new.channel.as_str().to_owned()),
            client_reference: Set(new.client_reference.clone()),
            idempotency_key: Set(new.idempotency_key.clone()),
            request_fingerprint: Set(Some(new.request_fingerprint.clone())),
            status: Set(ApplicationStatus::Received.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        };

        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        let inserted = application::Entity::insert(model).exec_without_returning(&txn).await;
        if let Err(err) = inserted {
            // Ended at once: on SQLite a transaction left to drop keeps the write lock.
            txn.rollback().await.context("failed to roll back a refused application")?;
            // Two requests with one key raced: the loser answers with the winner's application.
            if let Some(key) = &new.idempotency_key {
                let replay = self.replay(new.client_id, key, &new.request_fingerprint).await?;
                if let Some(outcome) = replay {
                    return Ok(outcome);
                }
            }
            return Err(StoreError::Database {
                context: "failed to insert an application",
                source: err,
            });
        }

        if let Some(visit) = &new.shop_visit {
            let row = sim_registration::ActiveModel {
                application_id: Set(new.id.as_uuid()),
                operator: Set(visit.operator.clone()),
                shop_reference: Set(visit.shop_reference.clone()),
                clerk_reference: Set(visit.clerk_reference.clone()),
                outcome: Set(None),
                tier: Set(None),
                number_masked: Set(None),
                binding_id: Set(None),
                decided_at: Set(None),
                notified_at: Set(None),
            };
            let inserted = sim_registration::Entity::insert(row).exec_without_returning(&txn).await;
            if let Err(source) = inserted {
                txn.rollback().await.ok();
                let context = "failed to insert a shop visit";
                return Err(StoreError::Database { context, source });
            }
        }

        let detail = json!({
            "purpose": new.purpose, "tier": new.tier, "channel": new.channel,
        });
        let actor = Actor::Client(new.client_id.as_uuid());
        let id = Some(new.id.as_uuid());
        audit::record(&txn, actor, "application.created", id, detail, now).await?;
        txn.commit().await.context("failed to commit a new application")?;

        // What was written, as a later read returns it; no second round trip.
        Ok(CreateOutcome::Created(ApplicationRecord {
            id: new.id,
            client_id: new.client_id,
            purpose: new.purpose,
            tier: new.tier,
            channel: new.channel,
            client_reference: new.client_reference,
            status: ApplicationStatus::Received,
            created_at: now,
            updated_at: now,
        }))
    }

    async fn replay(
        &self,
        client_id: ClientId,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<CreateOutcome>, StoreError> {
        let earlier = application::Entity::find()
            .filter(application::Column::ClientId.eq(client_id.as_uuid()))
            .filter(application::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await
            .context("failed to look up an idempotency key")?;

        Ok(match earlier {
            None => None,
            Some(model) if model.request_fingerprint.as_deref() == Some(fingerprint) => {
                Some(CreateOutcome::Replayed(model.try_into()?))
            }
            Some(_) => Some(CreateOutcome::KeyReused),
        })
    }

    /// The application with this id, whoever owns it.
    pub async fn application(&self, id: ApplicationId) -> Result<ApplicationRecord, StoreError> {
        find(&self.db, id)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "application", id: id.to_string() })
    }

    /// The application with this id if `client_id` owns it. Another client's application is
    /// reported as absent, so ids cannot be probed.
    pub async fn application_of_client(
        &self,
        client_id: ClientId,
        id: ApplicationId,
    ) -> Result<Option<ApplicationRecord>, StoreError> {
        Ok(find(&self.db, id).await?.filter(|application| application.client_id == client_id))
    }

    /// Removes an application whose workflow could not be started, with its audit events, so
    /// that nothing is left half-way.
    pub async fn discard_unstarted_application(&self, id: ApplicationId) -> Result<(), StoreError> {
        let txn = self.db.begin().await.context("failed to begin a transaction")?;
        audit_event::Entity::delete_many()
            .filter(audit_event::Column::ApplicationId.eq(id.as_uuid()))
            .exec(&txn)
            .await
            .context("failed to delete an unstarted application's audit events")?;
        sim_registration::Entity::delete_by_id(id.as_uuid())
            .exec(&txn)
            .await
            .context("failed to delete an unstarted application's shop visit")?;
        application::Entity::delete_many()
            .filter(application::Column::Id.eq(id.as_uuid()))
            .filter(application::Column::Status.eq(ApplicationStatus::Received.as_str()))
            .exec(&txn)
            .await
            .context("failed to delete an unstarted application")?;
        txn.commit().await.context("failed to commit discarding an application")
    }
}

pub(crate) async fn find(
    db: &impl ConnectionTrait,
    id: ApplicationId,
) -> Result<Option<ApplicationRecord>, StoreError> {
    let model = application::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await
        .context("failed to read an application")?;
    model.map(ApplicationRecord::try_from).transpose()
}
