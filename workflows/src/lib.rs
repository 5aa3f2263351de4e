//! The proofing workflow and its activities.
//!
//! The workflow only decides; activities do all I/O. What crosses into Temporal (inputs,
//! signals, activity results, the workflow's result) is ids, codes and verdicts: evidence stays
//! encrypted in the database, because Temporal's history is shown in its UI.

mod activities;
mod chip_step;
mod decision_step;
mod immigration_step;
mod messages;
mod mrz_step;
mod proofing;
mod service_steps;

pub use activities::{Failpoint, ProofingActivities};
pub use messages::{
    CancelReason, DecisionOutcome, EvidenceSubmitted, ProofingInput, ProofingOutcome,
    RegistryRetry, ServiceStep, StayChanged,
};
pub use proofing::ProofingWorkflow;

/// The default task queue of the proofing workflow and its activities.
pub const DEFAULT_TASK_QUEUE: &str = "idproof-proofing";
