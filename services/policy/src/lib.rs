//! The proofing policy: which user group a visa category belongs to, what evidence each purpose
//! and group needs, which tier the evidence reaches and until when. Visa rules change by cabinet
//! decision, so every rule is data in an effective-dated policy file, never code.
//!
//! ```no_run
//! # fn main() -> Result<(), idproof_policy::PolicyError> {
//! let policy = idproof_policy::Policy::load(std::path::Path::new("policy/idproof.toml"))?;
//! # let facts: idproof_policy::Facts = todo!();
//! let decision = policy.decide(&facts, chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod decide;
mod error;
mod facts;
mod file;
mod load;
mod model;

pub use decide::{Decision, Flag, RuleOutcome, Source};
pub use error::{ErrorCode, PolicyError, Position};
pub use facts::{Check, Facts, MrzFacts, StayAnswer, StayRecord, StayStatus};
pub use load::MAX_POLICY_BYTES;
pub use model::{
    Category, FlagKind, FlagRule, Group, Policy, PurposeRule, Requirement, TierRule, Version,
};
