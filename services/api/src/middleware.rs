//! What wraps every request: a request id, the body limits, problem+json for every error,
//! metrics and one log line with fields (never bodies or keys).

use std::time::Instant;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    error::ResponseError,
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::{
    OperationId,
    error::{AuthorizationError, ContentTypeError, ParsePathError, ParseRequestPayloadError},
};
use uuid::Uuid;

use crate::{
    evidence::is_image_upload,
    metrics::Metrics,
    problem::{ApiError, REQUEST_ID},
};

/// The header that carries the request id both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Wraps an endpoint with the request id, body limits, error mapping, metrics and access log.
pub(crate) struct RequestContext {
    pub(crate) limits: BodyLimits,
    pub(crate) metrics: Metrics,
}

/// The largest bodies taken, in bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimits {
    /// Every body but an image.
    pub(crate) body: usize,
    /// An MRZ image or a selfie sent to its route.
    pub(crate) image: usize,
}

impl BodyLimits {
    fn of(&self, req: &Request) -> usize {
        if is_image_upload(req) { self.image } else { self.body }
    }
}

impl<E: Endpoint> Middleware<E> for RequestContext {
    type Output = RequestContextEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestContextEndpoint { inner, limits: self.limits, metrics: self.metrics.clone() }
    }
}

pub(crate) struct RequestContextEndpoint<E> {
    inner: E,
    limits: BodyLimits,
    metrics: Metrics,
}

impl<E: Endpoint> Endpoint for RequestContextEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let request_id = request_id_of(&req);
        let method = req.method().clone();

        let response = REQUEST_ID
            .scope(request_id.clone(), async {
                let limit = self.limits.of(&req);
                let result = match limit_body(req, limit).await {
                    Ok(req) => self.inner.call(req).await.map(IntoResponse::into_response),
                    Err(err) => Err(err.into()),
                };
                match result {
                    Ok(response) => response,
                    Err(err) => {
                        let operation = err.data::<OperationId>().map(|id| OperationId(id.0));
                        let mut response = as_problem(err).as_response();
                        if let Some(operation) = operation {
                            response.set_data(operation);
                        }
                        response
                    }
                }
            })
            .await;

        let mut response = response;
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }

        let operation = response
            .data::<OperationId>()
            .map(|id| id.0.to_owned())
            .unwrap_or_else(|| "other".to_owned());
        let status = response.status();
        let elapsed = started.elapsed();
        self.metrics.observe_request(&method, &operation, status, elapsed);
        tracing::info!(
            target: "idproof::http",
            request_id = %request_id,
            method = %method,
            operation = %operation,
            status = status.as_u16(),
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "request served"
        );
        Ok(response)
    }
}

/// The caller's request id when it is a sane token, else a fresh one.
fn request_id_of(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            !value.is_empty()
                && value.len() <= 64
                && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string())
}

/// Reads the body up to the limit, so no handler ever sees more. A declared length over the
/// limit is refused before a byte is read.
async fn limit_body(mut req: Request, limit: usize) -> Result<Request, ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }

    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::PayloadTooLarge(limit));
    }

    let body = req.take_body();
    let bytes = body.into_bytes_limit(limit).await.map_err(|err| match err {
        poem::error::ReadBodyError::PayloadTooLarge => ApiError::PayloadTooLarge(limit),
        other => ApiError::MalformedBody(format!("the body could not be read: {other}")),
    })?;
    req.set_body(bytes);
    Ok(req)
}

/// Turns any error into an [`ApiError`], so every error body is a problem with a stable code.
fn as_problem(err: poem::Error) -> ApiError {
    if err.is::<ApiError>() {
        return match err.downcast::<ApiError>() {
            Ok(api_error) => api_error,
            Err(other) => ApiError::internal(anyhow::anyhow!("{other}")),
        };
    }
    if err.is::<AuthorizationError>() {
        return ApiError::Unauthenticated;
    }
    if err.is::<ContentTypeError>() {
        return ApiError::UnsupportedMediaType;
    }
    if err.is::<ParsePathError>() {
        // A path that names no resource we could have, such as an id that is not a UUID.
        return ApiError::RouteNotFound;
    }
    if let Some(parse) = err.downcast_ref::<ParseRequestPayloadError>() {
        return classify_payload_error(&parse.reason);
    }

    match err.status() {
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(0),
        status if status.is_client_error() => ApiError::InvalidField(err.to_string()),
        _ => ApiError::internal(anyhow::anyhow!("{err}")),
    }
}

/// Tells the kinds of payload error apart by what poem-openapi says of them.
fn classify_payload_error(reason: &str) -> ApiError {
    let reason = reason.chars().take(300).collect::<String>();
    if reason.contains("unknown field") {
        ApiError::UnknownField(reason)
    } else if reason.contains("Expected input type \"Purpose\"") && !reason.contains("found null") {
        ApiError::UnknownPurpose(
            "purpose must be one of sim_registration, investor_onboarding, digital_id".to_owned(),
        )
    } else if reason.contains("occurred while parsing") || reason.contains("verification failed") {
        ApiError::InvalidField(reason)
    } else {
        ApiError::MalformedBody(reason)
    }
}
