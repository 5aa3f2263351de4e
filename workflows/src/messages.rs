//! What crosses into Temporal. Only ids, codes and verdicts: these land in workflow history.

use idproof_proofing::{ApplicationId, ApplicationStatus, EvidenceId, EvidenceKind, StepOutcome};
use serde::{Deserialize, Serialize};

/// How a proofing workflow starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofingInput {
    /// The application, which is also the workflow id.
    pub application_id: ApplicationId,
    /// How long the application may wait for evidence before it expires, in seconds.
    pub idle_timeout_secs: u64,
    /// How long one activity attempt may run before Temporal retries it elsewhere, in seconds.
    pub step_timeout_secs: u64,
    /// How the immigration lookup retries a registry that does not answer.
    #[serde(default)]
    pub registry_retry: RegistryRetry,
    /// How SMS delivery and the face comparison retry a gateway or provider that does not
    /// answer, with the same shape as the registry's.
    #[serde(default = "RegistryRetry::for_providers")]
    pub provider_retry: RegistryRetry,
}

/// How often, and how patiently, the immigration lookup asks a registry that times out, answers
/// 5xx or rate-limits. When the attempts run out the case is flagged `registry.unavailable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRetry {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The pause before the second attempt, in milliseconds; each later pause doubles.
    pub first_retry_ms: u64,
    /// The longest pause, in milliseconds; also caps the registry's own Retry-After.
    pub longest_retry_ms: u64,
}

impl RegistryRetry {
    /// The default for the SMS gateway and the face provider: a person waits at the counter,
    /// so fewer and shorter pauses than the registry's.
    pub fn for_providers() -> Self {
        Self { attempts: 4, first_retry_ms: 1_000, longest_retry_ms: 10_000 }
    }
}

impl Default for RegistryRetry {
    fn default() -> Self {
        Self { attempts: 6, first_retry_ms: 2_000, longest_retry_ms: 60_000 }
    }
}

/// A step the workflow runs itself, with no evidence signalled: which application, which
/// attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStep {
    /// The application.
    pub application_id: ApplicationId,
    /// Which attempt at the step, from 1.
    pub attempt: i32,
}

/// What the decision step concluded, and where it leaves the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionOutcome {
    /// The decision step's verdict: the tier reached is in its reason (`tier_t2`).
    pub outcome: StepOutcome,
    /// Completed, in review or rejected.
    pub status: ApplicationStatus,
}

/// Sent when evidence has been stored for the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSubmitted {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// The stored evidence.
    pub evidence_id: EvidenceId,
}

/// Sent when the immigration registry reports a change to the stay of the application's person.
/// Only the change's position in the registry's feed and its kind: never the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayChanged {
    /// The contract's kind code: `entered`, `extended`, `departed`, `overstayed`, `barred`, or
    /// one the contract added since.
    pub kind: String,
    /// The change's cursor in the registry's feed, which identifies it.
    pub cursor: u64,
}

/// How the application's one-time code was answered at the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeAnswered {
    /// The code was right: the number may be bound once the identity is proven.
    Verified {
        /// The challenge verified.
        challenge_id: uuid::Uuid,
    },
    /// The last allowed wrong answer locked the challenge: the case goes to an officer.
    Locked,
}

/// Why an application is being cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The client asked through the API.
    ClientRequest,
    /// Someone cancelled the workflow in Temporal itself.
    WorkflowCancelled,
}

impl CancelReason {
    /// The stable reason code recorded with the cancellation step.
    pub fn code(&self) -> &'static str {
        match self {
            CancelReason::ClientRequest => "client_request",
            CancelReason::WorkflowCancelled => "workflow_cancelled",
        }
    }
}

/// How a proofing workflow ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofingOutcome {
    /// The application's final status.
    pub status: ApplicationStatus,
    /// The step that ended it.
    pub closing_step: StepOutcome,
}
