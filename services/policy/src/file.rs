//! The policy file as written: TOML deserialized with the position of every value kept, so that
//! the checks after parsing can point at the line at fault.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use idproof_proofing::{EvidenceKind, Purpose, Tier};
use serde::{Deserialize, Deserializer, de::Error as _};
use toml::Spanned;

use crate::model::Requirement;

/// The whole file: versions, oldest first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    #[serde(default)]
    pub(crate) version: Vec<Spanned<VersionFile>>,
}

/// One version: what changes from the version before it, from `effective_from` on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionFile {
    pub(crate) effective_from: Spanned<Day>,
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) groups: BTreeMap<Spanned<String>, Spanned<GroupFile>>,
    #[serde(default)]
    pub(crate) categories: BTreeMap<Spanned<String>, Spanned<CategoryFile>>,
    #[serde(default)]
    pub(crate) tiers: BTreeMap<Spanned<Tier>, Spanned<TierFile>>,
    #[serde(default)]
    pub(crate) purposes:
        BTreeMap<Spanned<Purpose>, BTreeMap<Spanned<String>, Spanned<PurposeFile>>>,
    #[serde(default)]
    pub(crate) flags: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<FlagFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupFile {
    pub(crate) name: String,
    pub(crate) effective_from: Spanned<Day>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryFile {
    pub(crate) name: String,
    pub(crate) group: Spanned<String>,
    pub(crate) max_stay_days: Option<Spanned<u32>>,
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierFile {
    pub(crate) builds_on: Option<Spanned<Tier>>,
    pub(crate) requires: Spanned<Vec<Requirement>>,
    pub(crate) max_validity_days: Spanned<u32>,
    #[serde(default)]
    pub(crate) min_remaining_stay_days: u32,
    pub(crate) etda_ial: String,
    pub(crate) nist_ial: String,
    pub(crate) eidas: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PurposeFile {
    pub(crate) evidence: Spanned<Vec<EvidenceKind>>,
    pub(crate) min_tier: Spanned<Tier>,
    pub(crate) max_tier: Spanned<Tier>,
    pub(crate) effective_from: Option<Spanned<Day>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlagFile {
    pub(crate) effective_from: Option<Spanned<Day>>,
    pub(crate) within_days: Option<Spanned<u32>>,
}

/// A calendar date written as a TOML local date (`2026-01-01`), without a time or offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day(pub(crate) NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = toml::value::Datetime::deserialize(deserializer)?;
        let (Some(date), None, None) = (written.date, written.time, written.offset) else {
            return Err(D::Error::custom(
                "expected a local date such as 2026-01-01, without a time",
            ));
        };

        NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
            .map(Day)
            .ok_or_else(|| D::Error::custom("not a calendar date"))
    }
}
