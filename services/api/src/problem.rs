//! Errors as RFC 9457 problem details, mapped to HTTP in one place.
//!
//! Every error a caller sees carries a stable `code` and the request id, so a clerk can quote it.
//! A 500 says nothing internal; the log has the whole chain, without personal data.

use idproof_passport::ocr::{ImageLimits, OcrError};
use poem::{Response, error::ResponseError, http::StatusCode};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};
use serde::Serialize;

tokio::task_local! {
    /// The id of the request being served, for error bodies.
    pub(crate) static REQUEST_ID: String;
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details body (RFC 9457).
#[derive(Debug, Clone, Serialize, Object)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// A stable machine-readable code, such as `unknown_purpose`.
    pub code: String,
    /// The id of the request, to quote to support.
    pub request_id: String,
    /// For a wrong one-time code: the answers left before the challenge locks.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i32>,
}

/// A request refused by a rule of the mobile or face steps, with its stable code. Built only by
/// the modules that own the codes (`mobile`, `face`, `applications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code, such as `mobile.cooldown`.
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// What a clerk is told.
    pub detail: String,
    /// Seconds until the request may be sent again, as `Retry-After`.
    pub retry_after: Option<u64>,
    /// Answers left, for a wrong code.
    pub attempts_left: Option<i32>,
}

impl Refusal {
    /// A refusal with no retry hint.
    pub fn new(code: &'static str, status: StatusCode, detail: impl Into<String>) -> Self {
        Self { code, status, detail: detail.into(), retry_after: None, attempts_left: None }
    }

    /// A 422 refusal: the request cannot be processed as sent.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(code, StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    /// A 409 refusal: the request conflicts with where the application stands.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(code, StatusCode::CONFLICT, detail)
    }
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON, or not of the expected shape.
    #[error("{0}")]
    MalformedBody(String),
    /// The body has a field the operation does not take.
    #[error("{0}")]
    UnknownField(String),
    /// A field holds a value outside its set or range.
    #[error("{0}")]
    InvalidField(String),
    /// The purpose is not one idproof serves.
    #[error("{0}")]
    UnknownPurpose(String),
    /// No API key, or one that is not valid.
    #[error("a valid X-Api-Key header is required")]
    Unauthenticated,
    /// The key lacks the scope the operation needs.
    #[error("this API key lacks the scope {0}")]
    MissingScope(&'static str),
    /// The application does not exist or belongs to another client.
    #[error("no application with this id")]
    ApplicationNotFound,
    /// No such route.
    #[error("no such resource")]
    RouteNotFound,
    /// The route exists, but not for this method.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// The body is over the configured limit.
    #[error("the request body is over the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// The body's media type is not one the operation takes.
    #[error(
        "this operation does not take this media type: bodies are application/json, and an MRZ \
         image is image/jpeg or image/png"
    )]
    UnsupportedMediaType,
    /// The idempotency key came before with a different request.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// The purpose needs a higher tier.
    #[error("{0}")]
    TierBelowPurposeMinimum(String),
    /// The tier needs an attended channel.
    #[error("{0}")]
    TierNeedsAttendedChannel(String),
    /// Typed MRZ lines of the wrong count, length or characters.
    #[error("{0}")]
    Mrz(idproof_passport::mrz::MrzError),
    /// An MRZ image that gave no zone: not a readable image, too many pixels, no zone found, or
    /// the reader failed. The detail quotes nothing read from the image.
    #[error("{}", image_detail(.0))]
    MrzImage(OcrError),
    /// A chip file (EF.SOD or a data group) that does not parse; the reader's message names
    /// the file and the element, never a value read.
    #[error("{0}; nothing was stored")]
    ChipFile(idproof_passport::lds::LdsError),
    /// A chip upload refused before anything was stored.
    #[error("{0}")]
    Chip(crate::chip::ChipRefusal),
    /// The application has ended and cannot change.
    #[error("the application has ended and cannot change")]
    ApplicationClosed,
    /// The workflow engine did not answer; nothing was stored.
    #[error("the workflow engine is unavailable; nothing was stored, retry later")]
    WorkflowEngineUnavailable,
    /// Refused by a rule of the mobile, face or shop steps; nothing was stored.
    #[error("{}", .0.detail)]
    Refused(Refusal),
    /// Something failed inside; the log has the details.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// Wraps an unexpected failure, logging it with its whole chain.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The stable code a caller can match on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedBody(_) => "malformed_body",
            ApiError::UnknownField(_) => "unknown_field",
            ApiError::InvalidField(_) => "invalid_field",
            ApiError::UnknownPurpose(_) => "unknown_purpose",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::MissingScope(_) => "missing_scope",
            ApiError::ApplicationNotFound => "application_not_found",
            ApiError::RouteNotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::TierBelowPurposeMinimum(_) => "tier_below_purpose_minimum",
            ApiError::TierNeedsAttendedChannel(_) => "tier_needs_attended_channel",
            ApiError::Mrz(err) => err.code(),
            ApiError::MrzImage(err) => err.code(),
            ApiError::ChipFile(err) => err.code(),
            ApiError::Chip(refusal) => refusal.code(),
            ApiError::ApplicationClosed => "application_closed",
            ApiError::WorkflowEngineUnavailable => "workflow_engine_unavailable",
            ApiError::Refused(refusal) => refusal.code,
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::UNAUTHORIZED => "Unauthenticated",
            StatusCode::FORBIDDEN => "Forbidden",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "Payload too large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported media type",
            StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable request",
            StatusCode::GONE => "Gone",
            StatusCode::LOCKED => "Locked",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            StatusCode::SERVICE_UNAVAILABLE => "Service unavailable",
            _ => "Internal error",
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let request_id = REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
        Problem {
            kind: format!("urn:idproof:problem:{}", self.code()),
            title: self.title().to_owned(),
            status: self.status().as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            request_id,
            attempts_left: match self {
                ApiError::Refused(refusal) => refusal.attempts_left,
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedBody(_) | ApiError::UnknownField(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::MissingScope(_) => StatusCode::FORBIDDEN,
            ApiError::ApplicationNotFound | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::ApplicationClosed => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InvalidField(_)
            | ApiError::UnknownPurpose(_)
            | ApiError::IdempotencyKeyReused
            | ApiError::Mrz(_)
            | ApiError::ChipFile(_)
            | ApiError::TierBelowPurposeMinimum(_)
            | ApiError::TierNeedsAttendedChannel(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::WorkflowEngineUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Chip(refusal) => refusal.status(),
            ApiError::MrzImage(err) => match err {
                OcrError::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                OcrError::Truncated => StatusCode::BAD_REQUEST,
                OcrError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                OcrError::NotFound => StatusCode::UNPROCESSABLE_ENTITY,
                OcrError::Engine(_) => StatusCode::SERVICE_UNAVAILABLE,
            },
            ApiError::Refused(refusal) => refusal.status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        if let ApiError::Internal(err) = self {
            tracing::error!(error = ?err, "request failed");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response =
            Response::builder().status(self.status()).content_type(PROBLEM_JSON).body(body);
        if let ApiError::Refused(Refusal { retry_after: Some(seconds), .. }) = self {
            response
                .headers_mut()
                .insert(poem::http::header::RETRY_AFTER, poem::http::HeaderValue::from(*seconds));
        }
        if matches!(self, ApiError::Unauthenticated) {
            response.headers_mut().insert(
                poem::http::header::WWW_AUTHENTICATE,
                poem::http::HeaderValue::from_static("ApiKey header=\"X-Api-Key\""),
            );
        }
        response
    }
}

/// What a caller is told of an MRZ image that gave no zone. The engine's own message stays in
/// the log.
fn image_detail(err: &OcrError) -> String {
    match err {
        OcrError::Unsupported => {
            "the body is not a readable JPEG or PNG image; nothing was stored".to_owned()
        }
        OcrError::Truncated => {
            "the JPEG image is cut off before its end; send the whole file; nothing was stored"
                .to_owned()
        }
        OcrError::TooLarge { width, height } => {
            let limits = ImageLimits::default();
            format!(
                "the image is {width}x{height} pixels, over the limit of {} pixels and {} pixels \
                 a side; nothing was stored",
                limits.max_pixels, limits.max_side
            )
        }
        OcrError::NotFound => "no machine readable zone was found in the image; send an upright, \
                               sharp image of the whole data page, or the typed lines; nothing \
                               was stored"
            .to_owned(),
        OcrError::Engine(_) => {
            "the MRZ reader is unavailable; nothing was stored, retry later".to_owned()
        }
    }
}

/// The statuses an operation may answer with on error, each a [`Problem`].
const DOCUMENTED: &[(u16, &str)] = &[
    (
        400,
        "Malformed JSON, an unknown field, or a JPEG cut off before its end (`malformed_body`, \
         `unknown_field`, `image.truncated`)",
    ),
    (401, "No valid X-Api-Key (`unauthenticated`)"),
    (403, "The key lacks the operation's scope (`missing_scope`)"),
    (404, "No such application for this client (`application_not_found`)"),
    (
        409,
        "The application has ended, or the step is not where the request needs it: no code \
         sent yet, a code already verified, a selfie before the chip (`application_closed`, \
         `mobile.no_code_sent`, `mobile.code_not_delivered`, `mobile.already_verified`, \
         `face.chip_required`)",
    ),
    (410, "The one-time code has expired; ask for a new one (`mobile.code_expired`)"),
    (
        423,
        "Too many wrong codes: the challenge is locked and the case goes to an officer \
         (`mobile.locked`)",
    ),
    (
        429,
        "Too soon after the last code, or the hour's codes to this number are used up; \
         `Retry-After` says when to try again (`mobile.cooldown`, `mobile.hourly_limit`)",
    ),
    (
        413,
        "The body is over the limit, or an MRZ image decodes to more pixels than the reader \
         takes (`payload_too_large`, `image.too_large`)",
    ),
    (
        415,
        "The body's media type is not one the operation takes, or an MRZ image is not a \
         readable JPEG or PNG (`unsupported_media_type`, `image.unsupported`)",
    ),
    (
        422,
        "A value outside its set, a reused idempotency key, a tier the purpose or channel \
         does not allow, MRZ lines of the wrong shape, an MRZ image with no zone found, a \
         shop visit missing or misplaced, a number that is no Thai mobile number, a wrong \
         code (with `attempts_left`), or a selfie or liveness result no comparison can use \
         (`invalid_field`, `unknown_purpose`, `idempotency_key_reused`, \
         `tier_below_purpose_minimum`, `tier_needs_attended_channel`, `mrz.line_count`, \
         `mrz.line_length`, `mrz.charset`, `mrz.not_found`, `application.shop_visit_required`, \
         `application.shop_visit_unexpected`, `mobile.format`, `mobile.not_thai`, \
         `mobile.landline`, `mobile.reserved`, `mobile.operator_required`, \
         `mobile.operator_mismatch`, `mobile.code_format`, `mobile.code_wrong`, `face.*`)",
    ),
    (
        503,
        "The workflow engine or the MRZ reader is unavailable; nothing was stored \
         (`workflow_engine_unavailable`, `ocr.engine`)",
    ),
    (500, "An internal error; quote the request id (`internal_error`)"),
];

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        let responses = DOCUMENTED
            .iter()
            .map(|(status, description)| MetaResponse {
                description,
                status: Some(*status),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_JSON,
                    schema: Problem::schema_ref(),
                }],
                headers: vec![],
            })
            .collect();
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}
