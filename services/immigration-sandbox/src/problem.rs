//! Every error the sandbox answers with, as an RFC 9457 problem with a stable `code`, mapped to
//! HTTP in one place. Details never quote what was sent; a 500 says nothing internal.

use std::time::Duration;

use poem::{
    Response,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
};
use serde::Serialize;

use crate::records::{LookupRefusal, UpdateRefusal};
use crate::registry::{ChangeError, RegistryError};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details body.
#[derive(Debug, Clone, Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    code: &'static str,
}

/// Every error the sandbox answers with.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A lookup body that is not a lookup.
    #[error("{0}")]
    Lookup(LookupRefusal),
    /// Another request the sandbox cannot take: bad query, bad admin body.
    #[error("{0}")]
    InvalidRequest(String),
    /// The body is over the limit.
    #[error("the body is over the limit of {0} bytes")]
    BodyTooLarge(usize),
    /// No record for the passport, or with the id.
    #[error("no stay record for this passport")]
    RecordNotFound,
    /// An admin change that does not apply to the record as it stands.
    #[error("{0}")]
    ChangeRefused(UpdateRefusal),
    /// No admin token, or the wrong one.
    #[error("a valid X-Admin-Token header is required")]
    AdminTokenRequired,
    /// No such route.
    #[error("no such resource")]
    RouteNotFound,
    /// The route exists, but not for this method.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// An injected fault: too many requests.
    #[error("too many requests; retry later")]
    RateLimited(Duration),
    /// An injected fault: an internal error.
    #[error("internal error")]
    InjectedFault,
    /// Something failed inside; the log has the details.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl SandboxError {
    /// The stable code a caller can match on.
    pub fn code(&self) -> &'static str {
        match self {
            SandboxError::Lookup(_)
            | SandboxError::InvalidRequest(_)
            | SandboxError::BodyTooLarge(_) => "invalid_request",
            SandboxError::RecordNotFound => "record_not_found",
            SandboxError::ChangeRefused(_) => "change_refused",
            SandboxError::AdminTokenRequired => "admin_token_required",
            SandboxError::RouteNotFound => "not_found",
            SandboxError::MethodNotAllowed => "method_not_allowed",
            SandboxError::RateLimited(_) => "rate_limited",
            SandboxError::InjectedFault | SandboxError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::UNAUTHORIZED => "Unauthenticated",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            _ => "Internal error",
        }
    }
}

impl From<RegistryError> for SandboxError {
    fn from(err: RegistryError) -> Self {
        SandboxError::Internal(err.into())
    }
}

impl From<ChangeError> for SandboxError {
    fn from(err: ChangeError) -> Self {
        match err {
            ChangeError::NotFound => SandboxError::RecordNotFound,
            ChangeError::Refused(refusal) => SandboxError::ChangeRefused(refusal),
            ChangeError::Registry(err) => err.into(),
        }
    }
}

impl ResponseError for SandboxError {
    fn status(&self) -> StatusCode {
        match self {
            SandboxError::Lookup(_)
            | SandboxError::InvalidRequest(_)
            | SandboxError::BodyTooLarge(_) => StatusCode::BAD_REQUEST,
            SandboxError::AdminTokenRequired => StatusCode::UNAUTHORIZED,
            SandboxError::RecordNotFound | SandboxError::RouteNotFound => StatusCode::NOT_FOUND,
            SandboxError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            SandboxError::ChangeRefused(_) => StatusCode::CONFLICT,
            SandboxError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            SandboxError::InjectedFault | SandboxError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn as_response(&self) -> Response {
        if let SandboxError::Internal(err) = self {
            tracing::error!(error = ?err, "request failed");
        }
        let problem = Problem {
            kind: format!("urn:idproof:immigration:problem:{}", self.code()),
            title: self.title(),
            status: self.status().as_u16(),
            detail: Some(self.to_string()),
            code: self.code(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response =
            Response::builder().status(self.status()).content_type(PROBLEM_JSON).body(body);
        if let SandboxError::RateLimited(wait) = self {
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
