//! The contract's objects (openapi/immigration.yaml), as Rust types that serialise to its JSON.
//!
//! Everything that identifies a person (names, date of birth, document number) is left out of
//! `Debug`, so a record or a request can be traced or asserted on without leaking it.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a lookup that does not follow the contract. Its message names the field and the
/// rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be {rule}")]
pub struct InvalidField {
    /// The contract's name of the field.
    pub field: &'static str,
    /// The rule it breaks.
    pub rule: &'static str,
}

/// An ICAO 9303 nationality or issuing-state code as the MRZ writes it: 1 to 3 of A–Z, e.g.
/// `DEU`, or `D` on Germany's older documents.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nationality(String);

impl Nationality {
    /// Checks the code's shape; filler (`<`) must already be stripped.
    pub fn parse(code: &str) -> Result<Self, InvalidField> {
        let valid = (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase());
        if !valid {
            return Err(InvalidField { field: "nationality", rule: "1 to 3 letters A-Z" });
        }

        Ok(Self(code.to_owned()))
    }

    /// The code, e.g. `DEU`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nationality {
    // A nationality alone does not identify anyone, and it helps reading traces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nationality").field(&self.0).finish()
    }
}

impl TryFrom<String> for Nationality {
    type Error = InvalidField;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<Nationality> for String {
    fn from(nationality: Nationality) -> Self {
        nationality.0
    }
}

/// A passport number as the MRZ writes it: 1 to 20 of A–Z and 0–9. Personal data: its `Debug`
/// hides the value and it has no `Display`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);

impl DocumentNumber {
    /// Checks the number's shape; filler (`<`) must already be stripped.
    pub fn parse(number: &str) -> Result<Self, InvalidField> {
        let valid = (1..=20).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(InvalidField { field: "document_number", rule: "1 to 20 of A-Z and 0-9" });
        }

        Ok(Self(number.to_owned()))
    }

    /// The number itself. Keep it out of logs and error messages.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DocumentNumber(<redacted>)")
    }
}

impl TryFrom<String> for DocumentNumber {
    type Error = InvalidField;

    fn try_from(number: String) -> Result<Self, Self::Error> {
        Self::parse(&number)
    }
}

impl From<DocumentNumber> for String {
    fn from(number: DocumentNumber) -> Self {
        number.0
    }
}

/// What idproof asks the registry: the passport's nationality and number, and the holder's
/// date of birth, which the registry compares with its record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRequest {
    /// The nationality in the MRZ.
    pub nationality: Nationality,
    /// The document number in the MRZ.
    pub document_number: DocumentNumber,
    /// The holder's date of birth in the MRZ.
    pub date_of_birth: NaiveDate,
}

impl fmt::Debug for LookupRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LookupRequest")
            .field("nationality", &self.nationality)
            .finish_non_exhaustive()
    }
}

/// How the date of birth given compares with the record found by nationality and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The date of birth is the record's.
    Matched,
    /// The record exists but its date of birth is another: for an officer to judge.
    BirthDateDiffers,
}

/// The registry's answer to a lookup that found a record (HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupAnswer {
    /// How the date of birth compares.
    #[serde(rename = "match")]
    pub matching: Match,
    /// The record found.
    pub record: StayRecord,
}

/// Where a person stands with immigration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StayStatus {
    /// In Thailand within the permitted stay.
    InCountry,
    /// Left Thailand.
    Departed,
    /// In Thailand past the permitted stay.
    Overstayed,
    /// Barred from entry.
    Barred,
}

/// The approvals behind a stay, where the registry knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayReferences {
    // An absent key reads as null, like every `Option` field here.
    /// The work permit's number.
    pub work_permit: Option<String>,
    /// The BOI promotion's approval.
    pub boi_approval: Option<String>,
    /// The LTR visa's approval.
    pub ltr_approval: Option<String>,
    /// The SMART visa's endorsement.
    pub smart_approval: Option<String>,
}

/// A person's current stay as the registry holds it.
///
/// The contract sends every property; the client also reads an absent nullable one (the dates
/// of entry and stay end, the references) as `null`, and refuses an absent required one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayRecord {
    /// The registry's id of the record (`IMM-…`).
    pub record_id: String,
    /// The surname on the record.
    pub surname: String,
    /// The given names on the record.
    pub given_names: String,
    /// The date of birth on the record.
    pub date_of_birth: NaiveDate,
    /// The nationality on the record.
    pub nationality: Nationality,
    /// The document number on the record.
    pub document_number: DocumentNumber,
    /// The category of the current stay.
    pub visa_category: VisaCategory,
    /// The last entry into Thailand.
    pub last_entry: Option<NaiveDate>,
    /// The last day of the permitted stay.
    pub permitted_stay_end: Option<NaiveDate>,
    /// Where the person stands.
    pub status: StayStatus,
    /// The approvals behind the stay.
    #[serde(default)]
    pub references: StayReferences,
    /// When the registry last changed the record.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for StayRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StayRecord")
            .field("record_id", &self.record_id)
            .field("nationality", &self.nationality)
            .field("visa_category", &self.visa_category)
            .field("last_entry", &self.last_entry)
            .field("permitted_stay_end", &self.permitted_stay_end)
            .field("status", &self.status)
            .field("references", &self.references)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// The category of a stay. Categories are policy data that change by cabinet decision, so a
/// code this crate does not know is kept as [`VisaCategory::Other`], not refused: the policy
/// decides what it means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum VisaCategory {
    Exemption,
    VisaOnArrival,
    Tr,
    Dtv,
    NonB,
    NonIb,
    SmartT,
    SmartI,
    SmartE,
    SmartS,
    SmartO,
    NonEd,
    NonLMou,
    LtrWgc,
    LtrWp,
    LtrWftp,
    LtrHsp,
    NonO,
    OA,
    OX,
    /// A code the contract did not list when this crate was written.
    Other(String),
}

/// The codes the contract lists, with their variants, in its order.
const KNOWN_CATEGORIES: [(&str, VisaCategory); 20] = [
    ("exemption", VisaCategory::Exemption),
    ("visa_on_arrival", VisaCategory::VisaOnArrival),
    ("tr", VisaCategory::Tr),
    ("dtv", VisaCategory::Dtv),
    ("non_b", VisaCategory::NonB),
    ("non_ib", VisaCategory::NonIb),
    ("smart_t", VisaCategory::SmartT),
    ("smart_i", VisaCategory::SmartI),
    ("smart_e", VisaCategory::SmartE),
    ("smart_s", VisaCategory::SmartS),
    ("smart_o", VisaCategory::SmartO),
    ("non_ed", VisaCategory::NonEd),
    ("non_l_mou", VisaCategory::NonLMou),
    ("ltr_wgc", VisaCategory::LtrWgc),
    ("ltr_wp", VisaCategory::LtrWp),
    ("ltr_wftp", VisaCategory::LtrWftp),
    ("ltr_hsp", VisaCategory::LtrHsp),
    ("non_o", VisaCategory::NonO),
    ("o_a", VisaCategory::OA),
    ("o_x", VisaCategory::OX),
];

impl VisaCategory {
    /// Every code the contract lists, in its order.
    pub fn known_codes() -> impl Iterator<Item = &'static str> {
        KNOWN_CATEGORIES.iter().map(|(code, _)| *code)
    }

    /// The category for a code; an unknown code gives [`VisaCategory::Other`].
    pub fn from_code(code: &str) -> Self {
        KNOWN_CATEGORIES
            .iter()
            .find(|(known, _)| *known == code)
            .map_or_else(|| Self::Other(code.to_owned()), |(_, category)| category.clone())
    }

    /// The contract's code, e.g. `non_b`.
    pub fn code(&self) -> &str {
        match self {
            Self::Other(code) => code,
            known => KNOWN_CATEGORIES
                .iter()
                .find(|(_, category)| category == known)
                .map_or("", |(code, _)| code),
        }
    }
}

impl Serialize for VisaCategory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for VisaCategory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::from_code(&code))
    }
}

/// A position in the feed of stay changes; 0 is before the first change.
pub type Cursor = u64;

/// What happened to a stay.
///
/// Unlike a record's status, a kind this crate does not know is kept as
/// [`ChangeKind::Other`]: refusing it would stop the feed at that change for good, and any
/// change is a reason to look the record up again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// The person entered Thailand.
    Entered,
    /// The permitted stay was extended.
    Extended,
    /// The person left Thailand.
    Departed,
    /// The permitted stay ended with the person still in Thailand.
    Overstayed,
    /// The person was barred.
    Barred,
    /// A kind the contract did not list when this crate was written.
    Other(String),
}

impl ChangeKind {
    /// The contract's code, e.g. `extended`.
    pub fn code(&self) -> &str {
        match self {
            Self::Entered => "entered",
            Self::Extended => "extended",
            Self::Departed => "departed",
            Self::Overstayed => "overstayed",
            Self::Barred => "barred",
            Self::Other(code) => code,
        }
    }
}

impl Serialize for ChangeKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ChangeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(match code.as_str() {
            "entered" => Self::Entered,
            "extended" => Self::Extended,
            "departed" => Self::Departed,
            "overstayed" => Self::Overstayed,
            "barred" => Self::Barred,
            _ => Self::Other(code),
        })
    }
}

/// One change to a stay, from the feed or pushed to idproof's callback.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayChange {
    /// The change's position in the feed: it identifies the change.
    pub cursor: Cursor,
    /// The record changed.
    pub record_id: String,
    /// The nationality of the record's passport.
    pub nationality: Nationality,
    /// The number of the record's passport.
    pub document_number: DocumentNumber,
    /// What happened.
    pub kind: ChangeKind,
    /// When it happened.
    pub changed_at: DateTime<Utc>,
}

impl fmt::Debug for StayChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StayChange")
            .field("cursor", &self.cursor)
            .field("record_id", &self.record_id)
            .field("nationality", &self.nationality)
            .field("kind", &self.kind)
            .field("changed_at", &self.changed_at)
            .finish_non_exhaustive()
    }
}

/// A page of the feed of stay changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayChangePage {
    /// The changes after the cursor asked for, oldest first.
    pub changes: Vec<StayChange>,
    /// The cursor to ask for next.
    pub next_cursor: Cursor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_category_round_trips_and_an_unknown_one_is_kept() {
        for (code, category) in KNOWN_CATEGORIES {
            assert_eq!(VisaCategory::from_code(code), category);
            assert_eq!(category.code(), code);
        }

        let new: VisaCategory = serde_json::from_str("\"eec_specialist\"").unwrap();

        assert_eq!(new, VisaCategory::Other("eec_specialist".to_owned()));
        assert_eq!(serde_json::to_string(&new).unwrap(), "\"eec_specialist\"");
    }

    #[test]
    fn lookup_fields_follow_the_contract_and_refuse_without_echoing() {
        assert!(Nationality::parse("D").is_ok());
        assert!(Nationality::parse("DEU").is_ok());
        assert!(DocumentNumber::parse("C01X00T47").is_ok());

        for bad in ["", "DEUT", "deu", "D<<"] {
            assert!(Nationality::parse(bad).is_err(), "{bad}");
        }
        for bad in ["", "C01X-00T47", "c01x00t47", "C01X00T47C01X00T47C01"] {
            assert!(DocumentNumber::parse(bad).is_err(), "{bad}");
        }

        let error = DocumentNumber::parse("C01X-00T47").unwrap_err();

        assert_eq!(error.to_string(), "document_number must be 1 to 20 of A-Z and 0-9");
    }

    #[test]
    fn debug_leaves_out_personal_data() {
        let request = LookupRequest {
            nationality: Nationality::parse("DEU").unwrap(),
            document_number: DocumentNumber::parse("C01X00T47").unwrap(),
            date_of_birth: NaiveDate::from_ymd_opt(1964, 8, 12).unwrap(),
        };

        let debug = format!("{request:?}");

        assert!(!debug.contains("C01X00T47") && !debug.contains("1964"), "{debug}");
    }
}
