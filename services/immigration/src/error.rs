//! What can go wrong talking to the registry, with a stable code for each fault and whether a
//! retry can help.
//!
//! No message here carries a request's or an answer's personal data: errors say which operation
//! failed and how, with statuses and positions, never values. A JSON error from the answer is
//! not kept as a source, because serde's messages quote the values they could not read.

use std::{fmt, time::Duration};

use reqwest::StatusCode;

/// The registry operation a fault belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /v1/stay-records/lookup`.
    Lookup,
    /// `GET /v1/stay-changes`.
    StayChanges,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Lookup => "stay-record lookup",
            Self::StayChanges => "stay-changes feed",
        })
    }
}

/// How an answer breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerFault {
    /// A status the contract does not give for this operation (a redirect, a 204…).
    Status,
    /// A 404 that is not the contract's `record_not_found` problem: a wrong base URL or a proxy
    /// answering, which must not pass as "no record".
    NotFoundWithoutProblem,
    /// Not the media type the contract gives; the type found, if any, without parameters.
    ContentType {
        /// The media type found.
        found: Option<String>,
    },
    /// A body larger than the client accepts.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A body that is not JSON, or is cut short.
    NotJson {
        /// The line where reading stopped.
        line: usize,
        /// The column where reading stopped.
        column: usize,
    },
    /// JSON of another shape: a missing field, a value of the wrong type, an unknown status.
    Shape {
        /// Where in the answer, e.g. `record.status`.
        path: String,
    },
    /// A feed page whose `next_cursor` is before the cursor asked for.
    CursorWentBack,
}

impl fmt::Display for AnswerFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status => f.write_str("a status the contract does not give"),
            Self::NotFoundWithoutProblem => f.write_str("a 404 without the record_not_found code"),
            Self::ContentType { found: Some(found) } => write!(f, "content type {found}"),
            Self::ContentType { found: None } => f.write_str("no content type"),
            Self::TooLarge { limit } => write!(f, "a body over {limit} bytes"),
            Self::NotJson { line, column } => {
                write!(f, "not JSON (line {line}, column {column})")
            }
            Self::Shape { path } => write!(f, "JSON of another shape at {path}"),
            Self::CursorWentBack => f.write_str("a next_cursor before the cursor asked for"),
        }
    }
}

/// A fault of the registry client, typed so the caller can tell a retry from a flag.
///
/// [`RegistryError::is_transient`] says whether the same request may succeed later (retry it
/// with backoff, waiting at least [`RegistryError::retry_after`]); every other fault gets the
/// same answer on a retry and needs a person. [`RegistryError::code`] is stable for logs,
/// activity failures and review cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No answer within the client's timeouts (connect or whole request). Transient.
    #[error("the immigration registry did not answer the {operation} in time")]
    Timeout {
        /// The operation.
        operation: Operation,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// The registry cannot answer now: a 5xx or 408, a refused or broken connection. Transient.
    #[error(
        "the immigration registry is unavailable for the {operation} ({})",
        status_text(*.status)
    )]
    Unavailable {
        /// The operation.
        operation: Operation,
        /// The status, when the registry answered.
        status: Option<StatusCode>,
        /// The registry's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
        /// The HTTP client's error, when there was no answer.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// Too many requests (429). Transient: retry after `retry_after` when given.
    #[error(
        "the immigration registry limits the rate of the {operation} (retry after {})",
        retry_text(*.retry_after)
    )]
    RateLimited {
        /// The operation.
        operation: Operation,
        /// The registry's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
    },

    /// The registry refused the request (400, 401, 403 and other 4xx): the request or the
    /// client's certificate is wrong for it. Permanent.
    #[error(
        "the immigration registry refused the {operation} with {status} ({})",
        .problem_code.as_deref().unwrap_or("no problem code")
    )]
    Rejected {
        /// The operation.
        operation: Operation,
        /// The status.
        status: StatusCode,
        /// The problem's `code`, when it had a readable one.
        problem_code: Option<String>,
    },

    /// The TLS handshake failed: the registry's certificate is not trusted, or the registry
    /// refused the client's. Permanent until someone fixes certificates.
    #[error("the TLS connection to the immigration registry failed for the {operation}")]
    Tls {
        /// The operation.
        operation: Operation,
        /// The HTTP client's error; its chain holds the TLS library's.
        #[source]
        source: reqwest::Error,
    },

    /// An answer that breaks the contract. Permanent: a retry gets the same answer.
    #[error(
        "the immigration registry's answer ({status}) to the {operation} breaks the contract: \
         {fault}"
    )]
    UnexpectedAnswer {
        /// The operation.
        operation: Operation,
        /// The answer's status.
        status: StatusCode,
        /// How it breaks the contract.
        fault: AnswerFault,
    },

    /// The client cannot be built: an unreadable or invalid PEM, a bad base URL. Permanent.
    #[error("the immigration registry client is misconfigured: {reason}")]
    Configuration {
        /// What is wrong.
        reason: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl RegistryError {
    /// The stable code: `registry.timeout`, `registry.unavailable`, `registry.rate_limited`,
    /// `registry.rejected`, `registry.tls`, `registry.unexpected_answer` or
    /// `registry.configuration`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "registry.timeout",
            Self::Unavailable { .. } => "registry.unavailable",
            Self::RateLimited { .. } => "registry.rate_limited",
            Self::Rejected { .. } => "registry.rejected",
            Self::Tls { .. } => "registry.tls",
            Self::UnexpectedAnswer { .. } => "registry.unexpected_answer",
            Self::Configuration { .. } => "registry.configuration",
        }
    }

    /// Whether the same request may succeed later: a timeout, an unavailable registry or a
    /// rate limit. Everything else is permanent.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Unavailable { .. } | Self::RateLimited { .. })
    }

    /// How long the registry asked the client to wait, when it said (429 or 5xx with
    /// `Retry-After` in seconds). It is the registry's figure, uncapped: the retry policy
    /// decides how long it is willing to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    pub(crate) fn configuration(
        reason: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Configuration { reason: reason.into(), source: Some(source.into()) }
    }
}

fn status_text(status: Option<StatusCode>) -> String {
    status.map_or_else(|| "no answer".to_owned(), |status| status.to_string())
}

fn retry_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(|| "no delay given".to_owned(), |d| format!("{} s", d.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timeouts_unavailability_and_rate_limits_are_transient() {
        let rate_limited =
            RegistryError::RateLimited { operation: Operation::Lookup, retry_after: None };
        let unavailable = RegistryError::Unavailable {
            operation: Operation::Lookup,
            status: Some(StatusCode::SERVICE_UNAVAILABLE),
            retry_after: Some(Duration::from_secs(3)),
            source: None,
        };
        let rejected = RegistryError::Rejected {
            operation: Operation::Lookup,
            status: StatusCode::FORBIDDEN,
            problem_code: None,
        };
        let unexpected = RegistryError::UnexpectedAnswer {
            operation: Operation::StayChanges,
            status: StatusCode::OK,
            fault: AnswerFault::CursorWentBack,
        };

        assert!(rate_limited.is_transient() && unavailable.is_transient());
        assert!(!rejected.is_transient() && !unexpected.is_transient());
        assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            unavailable.to_string(),
            "the immigration registry is unavailable for the stay-record lookup (503 Service \
             Unavailable)"
        );
        assert_eq!(
            rejected.to_string(),
            "the immigration registry refused the stay-record lookup with 403 Forbidden (no \
             problem code)"
        );
    }
}
