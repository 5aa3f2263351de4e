//! The proofing workflow and its activities.
//!
//! The workflow only decides; activities do all I/O. What crosses into Temporal (inputs,
//! signals, activity results, the workflow's result) is ids, codes and verdicts: evidence stays
//! encrypted in the database, because Temporal's history is shown in its UI.

mod activities;
mod chip_step;
mod decision_step;
mod face_step;
mod immigration_step;
mod messages;
mod mobile_step;
mod mrz_step;
mod proofing;
mod service_steps;
mod sim_step;
pub mod webhook;

pub use activities::{Failpoint, ProofingActivities};
pub use face_step::{FaceStep, SELFIE_MEDIA_TYPE, SelfieSubmission};
pub use messages::{
    CancelReason, CodeAnswered, DecisionOutcome, EvidenceSubmitted, ProofingInput, ProofingOutcome,
    RegistryRetry, ServiceStep, StayChanged,
};
pub use mobile_step::{MobileStep, NUMBER_MEDIA_TYPE, NumberToBind};
pub use proofing::ProofingWorkflow;

/// The default task queue of the proofing workflow and its activities.
pub const DEFAULT_TASK_QUEUE: &str = "idproof-proofing";
