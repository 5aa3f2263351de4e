//! The audit trail. Events are written in the same transaction as the change they record.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    entities::audit_event,
    error::{DbContext, StoreError},
};

/// Who caused an audited change.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Actor {
    /// An API client.
    Client(Uuid),
    /// The proofing workflow.
    Workflow,
    /// An operator at the command line.
    Operator,
}

impl Actor {
    fn name(&self) -> &'static str {
        match self {
            Actor::Client(_) => "client",
            Actor::Workflow => "workflow",
            Actor::Operator => "operator",
        }
    }

    fn client_id(&self) -> Option<Uuid> {
        match self {
            Actor::Client(id) => Some(*id),
            Actor::Workflow | Actor::Operator => None,
        }
    }
}

/// Appends an event. `detail` must hold ids, codes and verdicts only, never personal data.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: &str,
    application_id: Option<Uuid>,
    detail: Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let event = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application_id),
        client_id: Set(actor.client_id()),
        actor: Set(actor.name().to_owned()),
        action: Set(action.to_owned()),
        detail: Set(detail),
        occurred_at: Set(at),
    };
    audit_event::Entity::insert(event)
        .exec_without_returning(db)
        .await
        .context("failed to append an audit event")?;
    Ok(())
}
