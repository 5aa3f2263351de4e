//! The policy once loaded and checked: each version complete, what it inherits from the
//! versions before it included.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use idproof_proofing::{EvidenceKind, Purpose, Tier};
use serde::{Deserialize, Serialize};

/// A fact a tier needs to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// The MRZ was read and its check digits, dates and codes hold.
    MrzValid,
    /// The passport has not expired.
    DocumentNotExpired,
    /// A mobile number was bound by a one-time code.
    MobileBound,
    /// The registry's record has the passport's name and date of birth.
    ImmigrationMatched,
    /// The chip passed passive authentication to a trusted CSCA.
    ChipValid,
    /// The chip proved it is not a clone (Active or Chip Authentication).
    ChipAntiCloning,
    /// The selfie matched the chip's face image, with liveness.
    FaceMatch,
    /// The evidence was captured where a trained person watched.
    AttendedChannel,
    /// An officer confirmed the case.
    OfficerConfirmation,
}

impl Requirement {
    /// The stable text of this requirement, as written in the policy file.
    pub fn as_str(&self) -> &'static str {
        match self {
            Requirement::MrzValid => "mrz_valid",
            Requirement::DocumentNotExpired => "document_not_expired",
            Requirement::MobileBound => "mobile_bound",
            Requirement::ImmigrationMatched => "immigration_matched",
            Requirement::ChipValid => "chip_valid",
            Requirement::ChipAntiCloning => "chip_anti_cloning",
            Requirement::FaceMatch => "face_match",
            Requirement::AttendedChannel => "attended_channel",
            Requirement::OfficerConfirmation => "officer_confirmation",
        }
    }

    /// The evidence the person must provide for this requirement to hold, if any.
    pub fn evidence(&self) -> Option<EvidenceKind> {
        match self {
            Requirement::MrzValid | Requirement::DocumentNotExpired => Some(EvidenceKind::Mrz),
            Requirement::MobileBound => Some(EvidenceKind::MobileNumber),
            Requirement::ChipValid | Requirement::ChipAntiCloning => Some(EvidenceKind::Chip),
            Requirement::FaceMatch => Some(EvidenceKind::Selfie),
            Requirement::ImmigrationMatched
            | Requirement::AttendedChannel
            | Requirement::OfficerConfirmation => None,
        }
    }
}

/// A reason to put a case before an officer, named by a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlagKind {
    /// The registry's record has another name than the passport.
    #[serde(rename = "mrz.name_differs")]
    NameDiffers,
    /// The registry's record has another date of birth than the passport.
    #[serde(rename = "mrz.birth_date_differs")]
    BirthDateDiffers,
    /// The person stays beyond their permitted stay.
    #[serde(rename = "stay.overstayed")]
    Overstayed,
    /// The person is barred from Thailand.
    #[serde(rename = "stay.barred")]
    Barred,
    /// The permitted stay ends within the rule's window.
    #[serde(rename = "stay.ending_soon")]
    StayEndingSoon,
    /// The immigration registry could not be asked.
    #[serde(rename = "registry.unavailable")]
    RegistryUnavailable,
    /// The purpose and group need a chip read and there is none.
    #[serde(rename = "chip.required_missing")]
    ChipRequiredMissing,
}

impl FlagKind {
    /// Every flag.
    pub const ALL: &'static [FlagKind] = &[
        FlagKind::NameDiffers,
        FlagKind::BirthDateDiffers,
        FlagKind::Overstayed,
        FlagKind::Barred,
        FlagKind::StayEndingSoon,
        FlagKind::RegistryUnavailable,
        FlagKind::ChipRequiredMissing,
    ];

    /// The stable code, such as `stay.ending_soon`; in the file, `[version.flags.stay.ending_soon]`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FlagKind::NameDiffers => "mrz.name_differs",
            FlagKind::BirthDateDiffers => "mrz.birth_date_differs",
            FlagKind::Overstayed => "stay.overstayed",
            FlagKind::Barred => "stay.barred",
            FlagKind::StayEndingSoon => "stay.ending_soon",
            FlagKind::RegistryUnavailable => "registry.unavailable",
            FlagKind::ChipRequiredMissing => "chip.required_missing",
        }
    }

    /// The flag a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        FlagKind::ALL.iter().copied().find(|kind| kind.as_str() == code)
    }

    /// Whether the flag's rule needs a `within_days` window.
    pub fn takes_window(&self) -> bool {
        matches!(self, FlagKind::StayEndingSoon)
    }
}

/// A user group, such as investor or tourist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The group's id, such as `investor`.
    pub id: String,
    /// A name people recognise.
    pub name: String,
    /// The first day people of this group can reach a tier.
    pub effective_from: NaiveDate,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// A visa or stay category as the immigration registry names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    /// The registry's code, such as `non_b`.
    pub code: String,
    /// A name people recognise.
    pub name: String,
    /// The group its holders belong to.
    pub group: String,
    /// The stay usually granted per entry, for information; the person's own permitted stay
    /// comes from the registry.
    pub max_stay_days: Option<u32>,
    /// Where the facts come from.
    pub note: Option<String>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// What a tier needs and what it grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierRule {
    /// The tier.
    pub tier: Tier,
    /// The tier whose requirements this one includes.
    pub builds_on: Option<Tier>,
    /// The requirements of this tier beyond those of the tier it builds on.
    pub requires: Vec<Requirement>,
    /// The longest validity this tier grants, in days from the decision.
    pub max_validity_days: u32,
    /// The least number of days the permitted stay must still run.
    pub min_remaining_stay_days: u32,
    /// The ETDA identity assurance level this tier is taken to meet.
    pub etda_ial: String,
    /// The NIST SP 800-63A identity assurance level this tier is taken to meet.
    pub nist_ial: String,
    /// The eIDAS level of assurance, where one is claimed.
    pub eidas: Option<String>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// What a purpose needs from the people of one group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurposeRule {
    /// The purpose.
    pub purpose: Purpose,
    /// The group.
    pub group: String,
    /// The evidence the person must provide.
    pub evidence: Vec<EvidenceKind>,
    /// The lowest tier that serves the purpose; below it, no tier is granted.
    pub min_tier: Tier,
    /// The highest tier granted for the purpose.
    pub max_tier: Tier,
    /// The first day the rule applies, when later than its version's.
    pub effective_from: Option<NaiveDate>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// When a flag is raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlagRule {
    /// The flag.
    pub kind: FlagKind,
    /// The first day the flag is raised, when later than its version's.
    pub effective_from: Option<NaiveDate>,
    /// For `stay.ending_soon`: how many days before the end of the stay.
    pub within_days: Option<u32>,
}

/// One version of the policy, complete: from `effective_from` until the next version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The first day this version applies.
    pub effective_from: NaiveDate,
    /// Why this version was made, such as the cabinet decision it follows.
    pub note: Option<String>,
    /// The user groups, by id.
    pub groups: BTreeMap<String, Group>,
    /// The categories, by registry code.
    pub categories: BTreeMap<String, Category>,
    /// The tiers T1 to T4.
    pub tiers: BTreeMap<Tier, TierRule>,
    /// The purpose rules, by purpose and group id.
    pub purposes: BTreeMap<Purpose, BTreeMap<String, PurposeRule>>,
    /// The flag rules.
    pub flags: BTreeMap<FlagKind, FlagRule>,
}

impl Version {
    /// The purpose rule for a group, whatever its own effective date.
    pub fn purpose_rule(&self, purpose: Purpose, group: &str) -> Option<&PurposeRule> {
        self.purposes.get(&purpose).and_then(|rules| rules.get(group))
    }

    /// The requirements of a tier, with those of the tiers it builds on, lowest first.
    pub fn requirements_of(&self, tier: Tier) -> Vec<Requirement> {
        let mut chain = Vec::new();
        let mut next = Some(tier);
        while let Some(tier) = next {
            let Some(rule) = self.tiers.get(&tier) else { break };
            chain.push(rule);
            next = rule.builds_on.filter(|below| *below < tier);
        }

        let mut requirements = Vec::new();
        for rule in chain.iter().rev() {
            for requirement in &rule.requires {
                if !requirements.contains(requirement) {
                    requirements.push(*requirement);
                }
            }
        }
        requirements
    }

    /// The categories of a group, by code.
    pub fn categories_of(&self, group: &str) -> Vec<&Category> {
        self.categories.values().filter(|category| category.group == group).collect()
    }
}

/// The policy: its versions, oldest first, each complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The name of the file it was loaded from.
    pub source_name: String,
    /// The versions, oldest first.
    pub versions: Vec<Version>,
}

impl Policy {
    /// The version that applies on `day`: the latest whose `effective_from` is on or before it.
    pub fn version_at(&self, day: NaiveDate) -> Option<&Version> {
        self.versions.iter().rev().find(|version| version.effective_from <= day)
    }
}
