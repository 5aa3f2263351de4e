//! What can go wrong in the face step, with a stable code for each fault and whether a retry
//! can help.
//!
//! No message here carries an image, a byte of one, or a score: errors say what was refused and
//! why, with sizes, dimensions and statuses. A provider's JSON error is not kept as a source,
//! because serde's messages quote the values they could not read.

use std::{fmt, time::Duration};

/// How a provider's answer breaks our contract (PROVIDER.md).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerFault {
    /// A status other than 200 that is neither a 4xx nor a 5xx (a redirect, a 204…).
    Status(u16),
    /// Not `application/json`; the media type found, if any, without parameters.
    ContentType(Option<String>),
    /// A body larger than the client accepts.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A body that is not JSON, or JSON of another shape (a missing or mistyped `score`).
    Malformed,
    /// A score that is not a number in 0..=1.
    ScoreOutOfRange,
    /// A `model_version` that is empty, too long, or not printable ASCII.
    ModelVersion,
}

impl fmt::Display for AnswerFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => write!(f, "status {status}, which the contract does not give"),
            Self::ContentType(Some(found)) => write!(f, "content type {found}"),
            Self::ContentType(None) => f.write_str("no content type"),
            Self::TooLarge { limit } => write!(f, "a body over {limit} bytes"),
            Self::Malformed => f.write_str("not JSON of the contract's shape"),
            Self::ScoreOutOfRange => f.write_str("a score outside 0..=1"),
            Self::ModelVersion => f.write_str("an unusable model_version"),
        }
    }
}

/// A fault of the face step, typed so the caller can tell a retry from a retake or a flag.
///
/// [`FaceError::code`] is stable for logs, activity failures, API problems and review cases.
/// [`FaceError::is_transient`] says whether the same call may succeed later (retry it with
/// backoff, waiting at least [`FaceError::retry_after`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaceError {
    /// The selfie is not the image it claims to be: wrong magic bytes, an unreadable header, a
    /// body cut short, or a media type other than the one declared.
    #[error("the selfie is not a readable {expected} image: {reason}")]
    SelfieFormat {
        /// The media type declared.
        expected: &'static str,
        /// What is wrong, in words that hold no image data.
        reason: &'static str,
    },

    /// The selfie is over the size or dimension bounds.
    #[error("the selfie is too large: {what}")]
    SelfieTooLarge {
        /// Which bound, with the figures (e.g. `6000000 bytes, over 5242880`).
        what: String,
    },

    /// The selfie is empty, or smaller than the dimension bound.
    #[error("the selfie is too small: {what}")]
    SelfieTooSmall {
        /// Which bound, with the figures.
        what: String,
    },

    /// The capture app reports that liveness was not shown (not passed, or a score under the
    /// policy's minimum).
    #[error("the capture app's liveness check did not pass")]
    LivenessFailed,

    /// The liveness result is older than the policy allows.
    #[error("the liveness result is {age_seconds} s old, over the {max_seconds} s allowed")]
    LivenessStale {
        /// Its age.
        age_seconds: i64,
        /// The policy's bound.
        max_seconds: i64,
    },

    /// The liveness result cannot be believed: a score outside 0..=1, a time in the future, an
    /// empty or unusable vendor name.
    #[error("the liveness result is invalid: {reason}")]
    LivenessInvalid {
        /// What is wrong.
        reason: &'static str,
    },

    /// The reference image (the chip's DG2 face) is not JPEG or JPEG 2000, is over the bound,
    /// or is a format the comparator cannot read.
    #[error("the reference image cannot be used: {reason}")]
    ReferenceFormat {
        /// What is wrong.
        reason: &'static str,
    },

    /// The provider did not answer in time. Transient.
    #[error("the face comparison provider did not answer in time")]
    ProviderTimeout {
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// The provider cannot answer now: a 5xx or 408, a refused or broken connection. Transient.
    #[error("the face comparison provider is unavailable ({})", status_text(*.status))]
    ProviderUnavailable {
        /// The status, when the provider answered.
        status: Option<u16>,
        /// The provider's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
        /// The HTTP client's error, when there was no answer.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// Too many requests (429). Transient: retry after `retry_after` when given.
    #[error("the face comparison provider limits the rate (retry after {})", retry_text(*.retry_after))]
    ProviderRateLimited {
        /// The provider's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
    },

    /// The provider refused the request (a 4xx other than 408 and 429): our request or our
    /// credentials are wrong for it. Permanent.
    #[error("the face comparison provider refused the request with status {status}")]
    ProviderRejected {
        /// The status.
        status: u16,
    },

    /// An answer that breaks our provider contract. Permanent: a retry gets the same answer.
    #[error("the face comparison provider's answer breaks the contract: {fault}")]
    ProviderAnswer {
        /// How it breaks the contract.
        fault: AnswerFault,
    },

    /// The comparator cannot be built or run: a bad endpoint or header, a failed task.
    #[error("the face comparator is misconfigured: {reason}")]
    Configuration {
        /// What is wrong.
        reason: &'static str,
    },
}

impl FaceError {
    /// The stable code: `face.selfie_format`, `face.selfie_too_large`, `face.selfie_too_small`,
    /// `face.liveness_failed`, `face.liveness_stale`, `face.liveness_invalid`,
    /// `face.reference_format`, `face.provider_timeout`, `face.provider_unavailable`,
    /// `face.provider_rate_limited`, `face.provider_rejected`, `face.provider_answer` or
    /// `face.configuration`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SelfieFormat { .. } => "face.selfie_format",
            Self::SelfieTooLarge { .. } => "face.selfie_too_large",
            Self::SelfieTooSmall { .. } => "face.selfie_too_small",
            Self::LivenessFailed => "face.liveness_failed",
            Self::LivenessStale { .. } => "face.liveness_stale",
            Self::LivenessInvalid { .. } => "face.liveness_invalid",
            Self::ReferenceFormat { .. } => "face.reference_format",
            Self::ProviderTimeout { .. } => "face.provider_timeout",
            Self::ProviderUnavailable { .. } => "face.provider_unavailable",
            Self::ProviderRateLimited { .. } => "face.provider_rate_limited",
            Self::ProviderRejected { .. } => "face.provider_rejected",
            Self::ProviderAnswer { .. } => "face.provider_answer",
            Self::Configuration { .. } => "face.configuration",
        }
    }

    /// Whether the same call may succeed later: a timeout, an unavailable provider or a rate
    /// limit. Everything else is permanent.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::ProviderTimeout { .. }
                | Self::ProviderUnavailable { .. }
                | Self::ProviderRateLimited { .. }
        )
    }

    /// How long the provider asked us to wait, when it said (429 or 5xx with `Retry-After` in
    /// seconds). It is the provider's figure, uncapped: the retry policy decides.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::ProviderRateLimited { retry_after }
            | Self::ProviderUnavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "no answer".to_owned(), |status| format!("status {status}"))
}

fn retry_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(|| "no delay given".to_owned(), |d| format!("{} s", d.as_secs()))
}
