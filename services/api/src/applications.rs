//! `/v1/applications`: open, read and cancel applications.

use idproof_proofing::{
    ApplicationId, ApplicationStatus, Channel, ClientId, EvidencePlan, PlanError, Purpose, Tier,
};
use idproof_store::{ApplicationRecord, CreateOutcome, NewApplication};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi, Tags,
    param::{Header, Path},
    payload::Json,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::{ApiKeyAuth, Scope},
    engine::EngineError,
    problem::ApiError,
    sim::shop_visit_of,
    state::ApiState,
    views::{ApplicationView, CreateApplication},
};

#[derive(Tags)]
enum ApiTags {
    /// Proofing applications: one per person and purpose.
    Applications,
}

/// The applications API.
pub struct ApplicationsApi;

/// The answer to opening an application.
#[derive(ApiResponse)]
pub enum CreateResponse {
    /// The application was opened, or this is the one an identical earlier request with the
    /// same `Idempotency-Key` opened (then `Idempotent-Replayed` is `true`).
    #[oai(status = 201)]
    Created(
        Json<ApplicationView>,
        /// Where the application can be read.
        #[oai(header = "Location")]
        String,
        /// Whether an earlier request already opened this application.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

/// The answer to reading an application.
#[derive(ApiResponse)]
pub enum ReadResponse {
    /// The application.
    #[oai(status = 200)]
    Ok(Json<ApplicationView>),
}

/// The answer to cancelling an application.
#[derive(ApiResponse)]
pub enum CancelResponse {
    /// The workflow was asked to cancel; the status turns `cancelled` once it has.
    #[oai(status = 202)]
    Accepted(Json<ApplicationView>),
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Applications")]
impl ApplicationsApi {
    /// Open an application
    ///
    /// Stores the application and starts its proofing workflow. The answer lists the evidence
    /// the purpose and tier need. Send an `Idempotency-Key` to make retries safe: the same key
    /// with the same body answers the same application; with another body it is refused.
    #[oai(path = "/applications", method = "post", operation_id = "application_create")]
    async fn create(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// A client-chosen key, unique per request, that makes retries safe.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: Json<CreateApplication>,
    ) -> Result<CreateResponse, ApiError> {
        let client = auth.require(Scope::ApplicationsCreate)?;
        let request = body.0;
        let purpose = Purpose::from(request.purpose);
        let tier = Tier::from(request.tier);
        let channel = Channel::from(request.channel);

        EvidencePlan::for_application(purpose, tier, channel).map_err(|refusal| match refusal {
            PlanError::TierBelowPurposeMinimum { .. } => {
                ApiError::TierBelowPurposeMinimum(refusal.to_string())
            }
            PlanError::NeedsAttendedChannel { .. } => {
                ApiError::TierNeedsAttendedChannel(refusal.to_string())
            }
        })?;

        let shop_visit = shop_visit_of(purpose, request.shop_visit.as_ref())?;

        let new = NewApplication {
            id: ApplicationId::new(),
            client_id: ClientId::from(client.id),
            purpose,
            tier,
            channel,
            request_fingerprint: fingerprint(&request),
            client_reference: request.client_reference,
            idempotency_key: idempotency_key.0,
            shop_visit,
        };
        let now = state.clock.now();
        let outcome = state.store.create_application(new, now).await.map_err(ApiError::internal)?;

        let (application, replayed) = match outcome {
            CreateOutcome::Created(application) => {
                if let Err(err) = state.engine.start(application.id).await {
                    tracing::error!(application_id = %application.id, error = ?err,
                        "workflow did not start; discarding the application");
                    state
                        .store
                        .discard_unstarted_application(application.id)
                        .await
                        .map_err(ApiError::internal)?;
                    return Err(ApiError::WorkflowEngineUnavailable);
                }
                state.metrics.application_created(
                    purpose.as_str(),
                    tier.as_str(),
                    channel.as_str(),
                );
                tracing::info!(application_id = %application.id, client_id = %client.id,
                    purpose = %purpose, tier = %tier, channel = %channel, "application opened");
                (application, false)
            }
            CreateOutcome::Replayed(application) => {
                // A crash between storing and starting leaves the workflow unstarted: a retry
                // with the same key finishes the job. Starting twice is harmless.
                if application.status == ApplicationStatus::Received {
                    state.engine.start(application.id).await.map_err(|err| {
                        tracing::error!(application_id = %application.id, error = ?err,
                            "workflow did not start on replay");
                        ApiError::WorkflowEngineUnavailable
                    })?;
                }
                (application, true)
            }
            CreateOutcome::KeyReused => return Err(ApiError::IdempotencyKeyReused),
        };

        let location = format!("/v1/applications/{}", application.id);
        // A new application has no steps yet; a replayed one may.
        let view = if replayed {
            view_of(&state, application).await?
        } else {
            let sim =
                state.store.sim_registration(application.id).await.map_err(ApiError::internal)?;
            ApplicationView::new(application, Vec::new(), None)
                .with_sim_registration(sim.map(Into::into))
        };
        Ok(CreateResponse::Created(Json(view), location, replayed))
    }

    /// Read an application
    ///
    /// Its status, the steps done, the evidence still needed and what was flagged. A client
    /// sees only its own applications.
    #[oai(path = "/applications/:id", method = "get", operation_id = "application_get")]
    async fn get(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
    ) -> Result<ReadResponse, ApiError> {
        let client = auth.require(Scope::ApplicationsRead)?;
        let view = own_application(&state, ClientId::from(client.id), id.0.into()).await?;
        Ok(ReadResponse::Ok(Json(view)))
    }

    /// Cancel an application
    ///
    /// Asks its workflow to cancel. An application that has ended cannot be cancelled.
    #[oai(path = "/applications/:id/cancel", method = "post", operation_id = "application_cancel")]
    async fn cancel(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
    ) -> Result<CancelResponse, ApiError> {
        let client = auth.require(Scope::ApplicationsCancel)?;
        let client_id = ClientId::from(client.id);
        let view = own_application(&state, client_id, id.0.into()).await?;
        if ApplicationStatus::from(view.status).is_final() {
            return Err(ApiError::ApplicationClosed);
        }

        let application_id = ApplicationId::from(id.0);
        state
            .engine
            .cancel(application_id)
            .await
            .map_err(|err| signal_refused(application_id, err))?;
        tracing::info!(application_id = %id.0, client_id = %client.id, "cancellation requested");
        Ok(CancelResponse::Accepted(Json(view)))
    }
}

/// The client's own application; another client's answers 404, so ids cannot be probed.
pub(crate) async fn owned_application(
    state: &ApiState,
    client_id: ClientId,
    id: ApplicationId,
) -> Result<ApplicationRecord, ApiError> {
    state
        .store
        .application_of_client(client_id, id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::ApplicationNotFound)
}

async fn own_application(
    state: &ApiState,
    client_id: ClientId,
    id: ApplicationId,
) -> Result<ApplicationView, ApiError> {
    let application = owned_application(state, client_id, id).await?;
    view_of(state, application).await
}

/// The application with its steps, decision and SIM registration.
async fn view_of(
    state: &ApiState,
    application: ApplicationRecord,
) -> Result<ApplicationView, ApiError> {
    let steps = state.store.steps(application.id).await.map_err(ApiError::internal)?;
    let decision = state.store.latest_decision(application.id).await.map_err(ApiError::internal)?;
    let sim = state.store.sim_registration(application.id).await.map_err(ApiError::internal)?;
    Ok(ApplicationView::new(application, steps, decision)
        .with_sim_registration(sim.map(Into::into)))
}

/// What a refused signal means to the client: a workflow that is gone has ended, so the
/// application is closed; a Temporal failure is logged and answered 503.
pub(crate) fn signal_refused(application_id: ApplicationId, err: EngineError) -> ApiError {
    match err {
        EngineError::WorkflowGone => ApiError::ApplicationClosed,
        EngineError::Unavailable(source) => {
            tracing::error!(%application_id, error = ?source, "signal to the workflow failed");
            ApiError::WorkflowEngineUnavailable
        }
    }
}

/// A hash of what the request asks for, to tell a retry from a reused idempotency key.
fn fingerprint(request: &CreateApplication) -> String {
    let canonical = serde_json::json!({
        "purpose": Purpose::from(request.purpose).as_str(),
        "tier": Tier::from(request.tier).as_str(),
        "channel": Channel::from(request.channel).as_str(),
        "client_reference": request.client_reference,
        "shop_visit": request.shop_visit.as_ref().map(|visit| serde_json::json!({
            "operator": idproof_mobile::Operator::from(visit.operator).code(),
            "shop_id": visit.shop_id,
            "clerk_id": visit.clerk_id,
        })),
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}
