//! What the workflow knows when it asks for a decision: verdicts, dates and booleans, never the
//! person's name, number or face.

use chrono::NaiveDate;
use idproof_proofing::{Channel, Purpose, Tier};
use serde::{Deserialize, Serialize};

/// Everything a decision is made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Why the person is proofed.
    pub purpose: Purpose,
    /// The tier asked for; the decision never grants more.
    pub requested_tier: Tier,
    /// Where the evidence was captured.
    pub channel: Channel,
    /// The MRZ step's findings; `None` when no MRZ was read.
    pub mrz: Option<MrzFacts>,
    /// The chip step's verdict.
    pub chip: Check,
    /// The face step's verdict.
    pub face: Check,
    /// Whether a mobile number was bound by a one-time code.
    pub mobile_bound: bool,
    /// Whether an officer confirmed the case.
    pub officer_confirmed: bool,
    /// The immigration registry's answer.
    pub stay: StayAnswer,
}

/// What the MRZ step found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzFacts {
    /// Whether check digits, dates and codes hold.
    pub valid: bool,
    /// The passport's date of expiry.
    pub document_expiry: NaiveDate,
}

/// A step's verdict as the policy reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Check {
    /// The evidence holds.
    Passed,
    /// The step wants an officer to look; counts as not holding until one confirms it.
    Flagged {
        /// The step's reason code.
        reason: String,
    },
    /// The evidence does not hold.
    Failed {
        /// The step's reason code.
        reason: String,
    },
    /// No such evidence was provided.
    Absent,
}

impl Check {
    /// Whether the evidence holds.
    pub fn passed(&self) -> bool {
        matches!(self, Check::Passed)
    }

    /// A short account for the explanation: `passed`, `flagged (reason)`...
    pub(crate) fn describe(&self) -> String {
        match self {
            Check::Passed => "passed".to_owned(),
            Check::Flagged { reason } => format!("flagged ({reason})"),
            Check::Failed { reason } => format!("failed ({reason})"),
            Check::Absent => "absent".to_owned(),
        }
    }
}

/// The immigration registry's answer to a lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum StayAnswer {
    /// The registry holds a record of the person's stay.
    Record(StayRecord),
    /// The registry holds no record of the person.
    NotFound,
    /// The registry could not be asked, after retries.
    Unavailable,
}

/// The registry's record of a stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayRecord {
    /// The registry's code for the visa or stay category, such as `non_b`.
    pub visa_category: String,
    /// Where the person stands.
    pub status: StayStatus,
    /// The last day the person may stay.
    pub permitted_stay_end: NaiveDate,
    /// The day of the last entry, when known.
    pub last_entry: Option<NaiveDate>,
    /// Whether the record's name is the passport's.
    pub name_matches: bool,
    /// Whether the record's date of birth is the passport's.
    pub birth_date_matches: bool,
}

/// Where the person stands, according to the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StayStatus {
    /// In Thailand.
    InCountry,
    /// Left Thailand.
    Departed,
    /// In Thailand beyond the permitted stay.
    Overstayed,
    /// Barred from Thailand.
    Barred,
}

impl StayStatus {
    /// The stable text of this status.
    pub fn as_str(&self) -> &'static str {
        match self {
            StayStatus::InCountry => "in_country",
            StayStatus::Departed => "departed",
            StayStatus::Overstayed => "overstayed",
            StayStatus::Barred => "barred",
        }
    }
}
