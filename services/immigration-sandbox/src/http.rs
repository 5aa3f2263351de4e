//! The contract's routes (`/v1`), the admin routes (`/admin`), and what wraps them all: the
//! body limit, problem+json for every error, and one log line a request without bodies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use idproof_proofing::Clock;
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route,
    error::ResponseError,
    get, handler,
    http::{Method, StatusCode, header},
    post,
    web::{Data, Json, Query},
};
use serde::Deserialize;

use crate::admin;
use crate::faults::{Fault, Faults};
use crate::problem::SandboxError;
use crate::push::Pusher;
use crate::records::{ChangesPage, Lookup, LookupAnswer, Match};
use crate::registry::Registry;
use crate::seed::SeedPlan;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) registry: Registry,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) faults: Faults,
    pub(crate) pusher: Option<Pusher>,
    pub(crate) admin_token: Arc<str>,
    pub(crate) plan: SeedPlan,
}

/// The most changes one feed page holds.
const MAX_CHANGES: u64 = 500;
/// A feed page's size when none is asked for.
const DEFAULT_CHANGES: u64 = 100;

/// The whole application.
pub(crate) fn app(state: AppState, body_limit: usize) -> impl Endpoint<Output = Response> {
    let token = state.admin_token.clone();
    Route::new()
        .at("/v1/stay-records/lookup", post(lookup))
        .at("/v1/stay-changes", get(stay_changes))
        .at("/healthz", get(healthz))
        .nest("/admin", admin::routes().around(move |ep, req| admin::guard(ep, req, token.clone())))
        .data(state)
        .around(move |ep, req| wrap(ep, req, body_limit))
}

/// Bounds the body, turns every error into a problem, and logs the request.
async fn wrap<E: Endpoint>(ep: Arc<E>, req: Request, body_limit: usize) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let result = match limit_body(req, body_limit).await {
        Ok(req) => ep.call(req).await.map(IntoResponse::into_response),
        Err(err) => Err(err.into()),
    };
    let response = match result {
        Ok(response) => response,
        Err(err) => as_problem(err).as_response(),
    };
    tracing::info!(
        target: "idproof_immigration_sandbox::http",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request served"
    );
    Ok(response)
}

/// Reads the body up to the limit, so no handler sees more; a declared length over it is
/// refused before a byte is read.
async fn limit_body(mut req: Request, limit: usize) -> Result<Request, SandboxError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE) {
        return Ok(req);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(SandboxError::BodyTooLarge(limit));
    }
    let bytes = req.take_body().into_bytes_limit(limit).await.map_err(|err| match err {
        poem::error::ReadBodyError::PayloadTooLarge => SandboxError::BodyTooLarge(limit),
        _ => SandboxError::InvalidRequest("the body could not be read".to_owned()),
    })?;
    req.set_body(Body::from_bytes(bytes));
    Ok(req)
}

/// Any error as a problem with a stable code.
fn as_problem(err: poem::Error) -> SandboxError {
    if err.is::<SandboxError>() {
        return match err.downcast::<SandboxError>() {
            Ok(err) => err,
            Err(other) => SandboxError::Internal(anyhow::anyhow!("{other}")),
        };
    }
    match err.status() {
        StatusCode::NOT_FOUND => SandboxError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => SandboxError::MethodNotAllowed,
        // A query string that does not parse, a body poem could not read.
        status if status.is_client_error() => {
            SandboxError::InvalidRequest("the request could not be read".to_owned())
        }
        _ => SandboxError::Internal(anyhow::anyhow!("{err}")),
    }
}

#[handler]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `POST /v1/stay-records/lookup`.
#[handler]
async fn lookup(state: Data<&AppState>, body: Body) -> Result<Json<LookupAnswer>, SandboxError> {
    match state.faults.take() {
        None => {}
        Some(Fault::Error) => return Err(SandboxError::InjectedFault),
        Some(Fault::RateLimited { retry_after_secs }) => {
            return Err(SandboxError::RateLimited(Duration::from_secs(retry_after_secs)));
        }
        Some(Fault::Slow { delay_ms }) => tokio::time::sleep(Duration::from_millis(delay_ms)).await,
    }

    // The body is already bounded and read by `wrap`.
    let bytes = body
        .into_vec()
        .await
        .map_err(|_| SandboxError::InvalidRequest("the body could not be read".to_owned()))?;
    let lookup = Lookup::parse(&bytes).map_err(SandboxError::Lookup)?;
    let record = state
        .registry
        .find(&lookup.nationality, &lookup.document_number)
        .await?
        .ok_or(SandboxError::RecordNotFound)?;
    let outcome = if record.date_of_birth == lookup.date_of_birth {
        Match::Matched
    } else {
        Match::BirthDateDiffers
    };
    Ok(Json(LookupAnswer { outcome, record }))
}

#[derive(Deserialize)]
struct ChangesQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/stay-changes?after=&limit=`.
#[handler]
async fn stay_changes(
    state: Data<&AppState>,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<ChangesPage>, SandboxError> {
    let after = match query.after.as_deref() {
        None => 0,
        Some(after) => after.parse::<i64>().ok().filter(|after| *after >= 0).ok_or_else(|| {
            SandboxError::InvalidRequest("after must be a cursor, an integer from 0".to_owned())
        })?,
    };
    let limit = parse_limit(query.limit.as_deref(), DEFAULT_CHANGES, MAX_CHANGES)?;
    let changes = state.registry.changes_after(after, limit).await?;
    let next_cursor = changes.last().map_or(after, |change| change.cursor);
    Ok(Json(ChangesPage { changes, next_cursor }))
}

/// A page size from 1 to `max`, `default` when none is given.
pub(crate) fn parse_limit(
    limit: Option<&str>,
    default: u64,
    max: u64,
) -> Result<u64, SandboxError> {
    match limit {
        None => Ok(default),
        Some(limit) => limit
            .parse::<u64>()
            .ok()
            .filter(|limit| (1..=max).contains(limit))
            .ok_or_else(|| SandboxError::InvalidRequest(format!("limit must be 1 to {max}"))),
    }
}
