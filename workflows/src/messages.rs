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
}

/// Sent when evidence has been stored for the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSubmitted {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// The stored evidence.
    pub evidence_id: EvidenceId,
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
