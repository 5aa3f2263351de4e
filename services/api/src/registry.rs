//! `/v1/registry/stay-changes`: where the immigration registry pushes its stay changes.

use chrono::{DateTime, Utc};
use idproof_immigration::{ChangeKind, DocumentNumber, Nationality, StayChange};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, payload::Json};

use crate::{
    auth::{ApiKeyAuth, Scope},
    problem::ApiError,
    state::ApiState,
    stay_changes::StayChangeError,
};

#[derive(Tags)]
enum ApiTags {
    /// What the immigration registry reports to idproof.
    Registry,
}

/// The registry's API.
pub struct RegistryApi;

/// A change to a stay, as the registry's contract (`openapi/immigration.yaml`) pushes it.
/// Properties the contract adds later are ignored, as the contract asks of its clients.
#[derive(Clone, Object)]
#[oai(rename = "PushedStayChange")]
pub(crate) struct PushedStayChange {
    /// The change's position in the registry's feed: it identifies the change.
    #[oai(validator(maximum(value = "9223372036854775807")))]
    pub(crate) cursor: u64,
    /// The registry's record; not kept.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub(crate) record_id: String,
    /// The passport's nationality, without filler.
    #[oai(validator(pattern = "^[A-Z]{1,3}$"))]
    pub(crate) nationality: String,
    /// The passport's number, without filler; only its keyed hash is used, never kept.
    #[oai(validator(pattern = "^[A-Z0-9]{1,20}$"))]
    pub(crate) document_number: String,
    /// What happened: `entered`, `extended`, `departed`, `overstayed`, `barred`, or a kind the
    /// contract added since.
    #[oai(validator(pattern = "^[a-z_]{1,32}$"))]
    pub(crate) kind: String,
    /// When it happened.
    pub(crate) changed_at: DateTime<Utc>,
}

/// The receipt for a pushed change.
#[derive(Clone, Debug, Object)]
pub struct StayChangeAck {
    /// The change was received before (by push or from the feed) and nothing was done again.
    pub duplicate: bool,
}

/// The answer to a pushed change.
#[derive(ApiResponse)]
pub enum PushResponse {
    /// The change was acted on, now or before.
    #[oai(status = 200)]
    Ok(Json<StayChangeAck>),
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Registry")]
impl RegistryApi {
    /// Report a stay change
    ///
    /// The immigration registry pushes each change to a stay here, with a key that holds the
    /// `registry:notify` scope. The running applications of the change's person ask the
    /// registry about the stay again. A change pushed twice, or also read from the feed, is
    /// acted on once; any 2xx acknowledges it. A 503 asks the registry to push it again.
    #[oai(path = "/registry/stay-changes", method = "post", operation_id = "stay_change_push")]
    async fn push(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        body: Json<PushedStayChange>,
    ) -> Result<PushResponse, ApiError> {
        auth.require(Scope::RegistryNotify)?;
        let change = stay_change(body.0)?;

        let receipt = state.stay_changes.receive(&change).await.map_err(|err| match err {
            StayChangeError::Engine(err) => {
                tracing::warn!(cursor = change.cursor, error = ?err, "stay change not signalled");
                ApiError::WorkflowEngineUnavailable
            }
            StayChangeError::Store(err) => ApiError::internal(err),
        })?;
        Ok(PushResponse::Ok(Json(StayChangeAck { duplicate: receipt.duplicate })))
    }
}

/// The contract's change from the checked body. The validators already hold the shapes; the
/// domain types check them again rather than trust that.
fn stay_change(body: PushedStayChange) -> Result<StayChange, ApiError> {
    let invalid = |err: idproof_immigration::InvalidField| ApiError::InvalidField(err.to_string());
    let kind: ChangeKind = serde_json::from_value(serde_json::Value::String(body.kind))
        .map_err(|_| ApiError::InvalidField("kind is not a change kind".to_owned()))?;
    Ok(StayChange {
        cursor: body.cursor,
        record_id: body.record_id,
        nationality: Nationality::parse(&body.nationality).map_err(invalid)?,
        document_number: DocumentNumber::parse(&body.document_number).map_err(invalid)?,
        kind,
        changed_at: body.changed_at,
    })
}
