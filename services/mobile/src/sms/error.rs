//! What can go wrong sending an SMS, with a stable code and whether a retry can help.
//!
//! No message here carries the number or the text: statuses and reasons only. The HTTP client's
//! error is kept without its URL (a gateway may carry a key in its query).

use std::time::Duration;

use reqwest::StatusCode;

/// A fault of an SMS gateway.
///
/// [`SmsError::is_transient`] says whether the same send may succeed later (a timeout, a 5xx
/// or 408, a 429, a refused connection); a 4xx or a bad configuration will not.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmsError {
    /// No answer within the timeout. Transient.
    #[error("the SMS gateway did not answer in time")]
    Timeout {
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// The gateway cannot take the message now: a 5xx or 408, or no connection. Transient.
    #[error("the SMS gateway is unavailable ({})", status.map_or_else(|| "no answer".to_owned(), |s| s.to_string()))]
    Unavailable {
        /// The status, when the gateway answered.
        status: Option<StatusCode>,
        /// The gateway's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
        /// The HTTP client's error, when there was no answer.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// Too many requests (429). Transient.
    #[error("the SMS gateway limits the rate of sends")]
    RateLimited {
        /// The gateway's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
    },

    /// The gateway refused the message (a 4xx other than 408 and 429): the request, the
    /// credentials or the number are wrong for it. Permanent.
    #[error("the SMS gateway refused the message with {status}")]
    Rejected {
        /// The status.
        status: StatusCode,
    },

    /// An answer that is neither success nor error (a redirect, an informational status).
    /// Permanent.
    #[error("the SMS gateway answered with an unexpected status {status}")]
    UnexpectedAnswer {
        /// The status.
        status: StatusCode,
    },

    /// The gateway is misconfigured: a bad endpoint, header or template. Permanent.
    #[error("the SMS gateway is misconfigured: {reason}")]
    Configuration {
        /// What is wrong.
        reason: &'static str,
    },
}

impl SmsError {
    /// The stable code: `sms.timeout`, `sms.unavailable`, `sms.rate_limited`, `sms.rejected`,
    /// `sms.unexpected_answer` or `sms.configuration`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "sms.timeout",
            Self::Unavailable { .. } => "sms.unavailable",
            Self::RateLimited { .. } => "sms.rate_limited",
            Self::Rejected { .. } => "sms.rejected",
            Self::UnexpectedAnswer { .. } => "sms.unexpected_answer",
            Self::Configuration { .. } => "sms.configuration",
        }
    }

    /// Whether the same send may succeed later: retry it as an activity retry.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Unavailable { .. } | Self::RateLimited { .. })
    }

    /// How long the gateway asked to wait (`Retry-After` in seconds), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Unavailable { retry_after, .. } | Self::RateLimited { retry_after } => {
                *retry_after
            }
            _ => None,
        }
    }
}
