//! The proofing domain: what an application is, what it asks for, and which evidence each tier
//! of digital ID needs. Nothing here knows HTTP, the database or Temporal.

#![warn(missing_docs)]

mod application;
mod chip_dump;
mod clock;
mod evidence;
mod ids;
mod step;

pub use application::{ApplicationStatus, Channel, Purpose, Tier, UnknownValue};
pub use chip_dump::{
    CHIP_DUMP_MEDIA_TYPE, ChallengeAnswer, ChipDump, ChipDumpError, DataGroupBytes,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use evidence::{EvidenceKind, EvidencePlan, MrzMediaType, PlanError};
pub use ids::{ApplicationId, ClientId, EvidenceId};
pub use step::{Step, StepOutcome, Verdict};
