//! The steps of a proofing workflow and the verdict each one records.

use serde::{Deserialize, Serialize};

use crate::application::text_enum;

text_enum!(
    /// A step of the proofing workflow. Each records at most one verdict per application.
    Step, "step" {
        /// The application was checked and its evidence planned.
        Intake => "intake",
        /// The MRZ was read and its check digits, dates and codes validated.
        Mrz => "mrz",
        /// The chip passed passive authentication and anti-cloning.
        Chip => "chip",
        /// The selfie matched the chip's face image, with liveness.
        Face => "face",
        /// The immigration registry confirmed a lawful stay.
        Immigration => "immigration",
        /// A mobile number was bound by a one-time code.
        Mobile => "mobile",
        /// An officer decided a flagged case.
        Review => "review",
        /// The evidence as a whole was judged against the tier asked for.
        Decision => "decision",
        /// The application was left idle too long and closed.
        Expiry => "expiry",
        /// The client cancelled the application.
        Cancellation => "cancellation",
    }
);

text_enum!(
    /// What a step concluded.
    Verdict, "verdict" {
        /// The step's evidence holds.
        Passed => "passed",
        /// The step's evidence does not hold.
        Failed => "failed",
        /// The step needs an officer to look.
        Flagged => "flagged",
    }
);

/// A step's verdict with a stable reason code. It carries no personal data, so it may travel
/// through workflow history and logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The step.
    pub step: Step,
    /// What it concluded.
    pub verdict: Verdict,
    /// A stable, machine-readable reason such as `idle_timeout` or `check_digit_mismatch`.
    pub reason: String,
}

impl StepOutcome {
    /// An outcome with the given verdict and reason code.
    pub fn new(step: Step, verdict: Verdict, reason: impl Into<String>) -> Self {
        Self { step, verdict, reason: reason.into() }
    }
}
