//! The decision: which group, which tier, until when, which flags, and the rules that led there.
//! A pure function of the policy, the facts and the day.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use idproof_proofing::{EvidenceKind, Tier};
use serde::{Deserialize, Serialize};

use crate::facts::{Facts, StayAnswer, StayRecord, StayStatus};
use crate::model::{FlagKind, Policy, PurposeRule, Requirement, Version};

/// What the policy concluded from the facts, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The `effective_from` of the policy version applied; `None` when none was in force.
    pub policy_version: Option<NaiveDate>,
    /// The day the decision was made for.
    pub decided_on: NaiveDate,
    /// The user group of the person's visa category, when the category is known.
    pub group: Option<String>,
    /// The tier reached; `None` when no tier is granted.
    pub tier: Option<Tier>,
    /// The last day the tier is valid: the earliest of the passport's expiry, the end of the
    /// permitted stay and the tier's maximum validity. `None` when no tier is granted.
    pub valid_until: Option<NaiveDate>,
    /// Reasons for an officer to look at the case.
    pub flags: Vec<Flag>,
    /// The rules applied, in order, whether they held, and the evidence each used.
    pub rules: Vec<RuleOutcome>,
}

impl Decision {
    /// Whether a flag with this code was raised.
    pub fn has_flag(&self, kind: FlagKind) -> bool {
        self.flags.iter().any(|flag| flag.code == kind)
    }

    /// The outcome of a rule, by id, such as `stay.lawful` or `tier.t3`.
    pub fn rule(&self, id: &str) -> Option<&RuleOutcome> {
        self.rules.iter().find(|rule| rule.rule == id)
    }
}

/// A reason for an officer to look at the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The stable code, such as `stay.ending_soon`.
    pub code: FlagKind,
    /// Why it was raised.
    pub reason: String,
}

/// One rule applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// The rule's stable id, such as `stay.lawful`, `requirement.face_match` or `tier.t2`.
    pub rule: String,
    /// Whether it held.
    pub held: bool,
    /// Why, in words.
    pub reason: String,
    /// The evidence it read.
    pub evidence: Vec<Source>,
}

/// Where a fact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The MRZ step.
    Mrz,
    /// The chip step.
    Chip,
    /// The face step.
    Face,
    /// The mobile binding step.
    Mobile,
    /// The immigration registry.
    Registry,
    /// The channel the application came from.
    Channel,
    /// An officer's confirmation.
    Officer,
    /// The policy file itself.
    Policy,
}

impl Policy {
    /// Decides the tier, validity and flags for the facts, under the version in force on
    /// `today`. A person without a lawful stay, or whose group is not yet in effect, reaches no
    /// tier.
    pub fn decide(&self, facts: &Facts, today: NaiveDate) -> Decision {
        let mut trail = Trail { today, rules: Vec::new(), flags: Vec::new() };

        let Some(version) = self.version_at(today) else {
            trail.rule(
                "policy.in_force",
                false,
                format!("no policy version takes effect on or before {today}"),
                &[Source::Policy],
            );
            return trail.into_decision(None, None, None, None);
        };
        trail.rule(
            "policy.in_force",
            true,
            format!("the version effective from {} applies", version.effective_from),
            &[Source::Policy],
        );

        let stay = Stay::assess(version, facts, &mut trail);
        let rule =
            stay.group.as_deref().and_then(|group| purpose_rule(version, facts, group, &mut trail));
        if let Some(rule) = rule {
            chip_required(version, facts, rule, &mut trail);
        }

        let reached = reached_tiers(version, facts, stay.record, &mut trail);
        let tier = match (stay.lawful && stay.group_effective, rule) {
            (true, Some(rule)) => grant(facts, rule, &reached, &mut trail),
            _ => {
                trail.rule(
                    "tier.granted",
                    false,
                    "no tier without a lawful stay, a group in effect and a purpose rule"
                        .to_owned(),
                    &[Source::Registry, Source::Policy],
                );
                None
            }
        };

        let valid_until =
            tier.and_then(|tier| validity(version, facts, stay.record, tier, &mut trail));
        let tier = tier.filter(|_| valid_until.is_some());
        trail.into_decision(Some(version.effective_from), stay.group, tier, valid_until)
    }
}

/// The rules and flags recorded so far.
struct Trail {
    today: NaiveDate,
    rules: Vec<RuleOutcome>,
    flags: Vec<Flag>,
}

impl Trail {
    fn rule(&mut self, rule: &str, held: bool, reason: String, evidence: &[Source]) {
        self.rules.push(RuleOutcome {
            rule: rule.to_owned(),
            held,
            reason,
            evidence: evidence.to_vec(),
        });
    }

    /// Raises a flag when the version has an effective rule for it.
    fn flag(&mut self, version: &Version, kind: FlagKind, reason: String) {
        let Some(rule) = version.flags.get(&kind) else { return };
        if rule.effective_from.is_some_and(|from| from > self.today) {
            return;
        }
        self.flags.push(Flag { code: kind, reason });
    }

    fn into_decision(
        self,
        policy_version: Option<NaiveDate>,
        group: Option<String>,
        tier: Option<Tier>,
        valid_until: Option<NaiveDate>,
    ) -> Decision {
        Decision {
            policy_version,
            decided_on: self.today,
            group,
            tier,
            valid_until,
            flags: self.flags,
            rules: self.rules,
        }
    }
}

/// What the registry's answer means under the policy.
struct Stay<'f> {
    record: Option<&'f StayRecord>,
    lawful: bool,
    group: Option<String>,
    group_effective: bool,
}

impl<'f> Stay<'f> {
    fn assess(version: &Version, facts: &'f Facts, trail: &mut Trail) -> Self {
        let record = match &facts.stay {
            StayAnswer::Record(record) => record,
            StayAnswer::NotFound => {
                let reason = "the registry holds no record of the person".to_owned();
                trail.rule("stay.lawful", false, reason, &[Source::Registry]);
                return Self::none();
            }
            StayAnswer::Unavailable => {
                let reason = "the registry could not be asked".to_owned();
                trail.flag(version, FlagKind::RegistryUnavailable, reason.clone());
                trail.rule("stay.lawful", false, reason, &[Source::Registry]);
                return Self::none();
            }
        };

        record_flags(version, record, trail);
        let today = trail.today;
        let lawful = record.status == StayStatus::InCountry && record.permitted_stay_end >= today;
        let reason = if lawful {
            format!("in the country, permitted to stay until {}", record.permitted_stay_end)
        } else if record.status == StayStatus::InCountry {
            format!("the permitted stay ended on {}", record.permitted_stay_end)
        } else {
            format!("the registry's status is {}", record.status.as_str())
        };
        trail.rule("stay.lawful", lawful, reason, &[Source::Registry]);

        let Some(category) = version.categories.get(&record.visa_category) else {
            let reason = format!("the policy has no category {:?}", record.visa_category);
            trail.rule("category.known", false, reason, &[Source::Registry, Source::Policy]);
            return Self { record: Some(record), lawful, group: None, group_effective: false };
        };
        let reason = format!("category {} belongs to group {}", category.code, category.group);
        trail.rule("category.known", true, reason, &[Source::Registry, Source::Policy]);

        let group_effective =
            version.groups.get(&category.group).is_some_and(|group| group.effective_from <= today);
        let since = version.groups.get(&category.group).map(|group| group.effective_from);
        let reason = match (group_effective, since) {
            (true, Some(since)) => format!("group {} in effect since {since}", category.group),
            (false, Some(since)) => {
                format!("group.not_yet_effective: group {} starts on {since}", category.group)
            }
            _ => format!("group.not_yet_effective: group {} is not defined", category.group),
        };
        trail.rule("group.effective", group_effective, reason, &[Source::Policy]);

        Self { record: Some(record), lawful, group: Some(category.group.clone()), group_effective }
    }

    fn none() -> Self {
        Self { record: None, lawful: false, group: None, group_effective: false }
    }
}

/// The flags the registry's record raises.
fn record_flags(version: &Version, record: &StayRecord, trail: &mut Trail) {
    let today = trail.today;
    if !record.name_matches {
        let reason = "the registry's name differs from the passport's".to_owned();
        trail.flag(version, FlagKind::NameDiffers, reason);
    }
    if !record.birth_date_matches {
        let reason = "the registry's date of birth differs from the passport's".to_owned();
        trail.flag(version, FlagKind::BirthDateDiffers, reason);
    }

    let ended = record.permitted_stay_end < today;
    match record.status {
        StayStatus::Overstayed => {
            let reason = "the registry reports an overstay".to_owned();
            trail.flag(version, FlagKind::Overstayed, reason);
        }
        StayStatus::InCountry if ended => {
            let reason =
                format!("in the country after the stay ended on {}", record.permitted_stay_end);
            trail.flag(version, FlagKind::Overstayed, reason);
        }
        StayStatus::Barred => {
            trail.flag(version, FlagKind::Barred, "the registry reports a bar".to_owned());
        }
        StayStatus::InCountry | StayStatus::Departed => {}
    }

    let window = version.flags.get(&FlagKind::StayEndingSoon).and_then(|rule| rule.within_days);
    if let Some(window) = window
        && record.status == StayStatus::InCountry
        && !ended
        && (record.permitted_stay_end - today).num_days() <= i64::from(window)
    {
        let reason = format!(
            "the permitted stay ends on {}, within {window} days",
            record.permitted_stay_end
        );
        trail.flag(version, FlagKind::StayEndingSoon, reason);
    }
}

/// The purpose rule for the group, when one is in effect.
fn purpose_rule<'v>(
    version: &'v Version,
    facts: &Facts,
    group: &str,
    trail: &mut Trail,
) -> Option<&'v PurposeRule> {
    let Some(rule) = version.purpose_rule(facts.purpose, group) else {
        let reason = format!("{} is not offered to group {group}", facts.purpose);
        trail.rule("purpose.offered", false, reason, &[Source::Policy]);
        return None;
    };
    if let Some(from) = rule.effective_from.filter(|from| *from > trail.today) {
        let reason = format!("{} for group {group} starts on {from}", facts.purpose);
        trail.rule("purpose.offered", false, reason, &[Source::Policy]);
        return None;
    }

    let evidence: Vec<&str> = rule.evidence.iter().map(EvidenceKind::as_str).collect();
    let reason = format!(
        "{} for group {group}: evidence {}, tiers {} to {}",
        facts.purpose,
        evidence.join(", "),
        rule.min_tier,
        rule.max_tier
    );
    trail.rule("purpose.offered", true, reason, &[Source::Policy]);
    Some(rule)
}

fn chip_required(version: &Version, facts: &Facts, rule: &PurposeRule, trail: &mut Trail) {
    if rule.evidence.contains(&EvidenceKind::Chip) && facts.chip == crate::Check::Absent {
        let reason = format!("{} for group {} needs a chip read", rule.purpose, rule.group);
        trail.flag(version, FlagKind::ChipRequiredMissing, reason);
    }
}

/// Whether each requirement holds, with why and from which evidence.
fn requirement(
    requirement: Requirement,
    facts: &Facts,
    record: Option<&StayRecord>,
    today: NaiveDate,
) -> (bool, String, &'static [Source]) {
    match requirement {
        Requirement::MrzValid => match &facts.mrz {
            Some(mrz) if mrz.valid => (true, "the MRZ is valid".to_owned(), &[Source::Mrz]),
            Some(_) => (false, "the MRZ is not valid".to_owned(), &[Source::Mrz]),
            None => (false, "no MRZ was read".to_owned(), &[Source::Mrz]),
        },
        Requirement::DocumentNotExpired => match &facts.mrz {
            Some(mrz) if mrz.document_expiry >= today => {
                (true, format!("the passport expires on {}", mrz.document_expiry), &[Source::Mrz])
            }
            Some(mrz) => {
                (false, format!("the passport expired on {}", mrz.document_expiry), &[Source::Mrz])
            }
            None => (false, "no MRZ was read".to_owned(), &[Source::Mrz]),
        },
        Requirement::MobileBound => (
            facts.mobile_bound,
            bound_or_not(facts.mobile_bound, "a mobile number"),
            &[Source::Mobile],
        ),
        Requirement::ImmigrationMatched => match record {
            Some(record) if record.name_matches && record.birth_date_matches => (
                true,
                "the registry's name and date of birth are the passport's".to_owned(),
                &[Source::Registry, Source::Mrz],
            ),
            Some(_) => (
                false,
                "the registry's name or date of birth differs from the passport's".to_owned(),
                &[Source::Registry, Source::Mrz],
            ),
            None => (false, "no registry record".to_owned(), &[Source::Registry]),
        },
        Requirement::ChipValid => (
            facts.chip.passed(),
            format!("passive authentication: chip step {}", facts.chip.describe()),
            &[Source::Chip],
        ),
        Requirement::ChipAntiCloning => (
            facts.chip.passed(),
            format!("anti-cloning: chip step {}", facts.chip.describe()),
            &[Source::Chip],
        ),
        Requirement::FaceMatch => (
            facts.face.passed(),
            format!("face step {}", facts.face.describe()),
            &[Source::Face, Source::Chip],
        ),
        Requirement::AttendedChannel => {
            (facts.channel.is_attended(), format!("channel {}", facts.channel), &[Source::Channel])
        }
        Requirement::OfficerConfirmation => (
            facts.officer_confirmed,
            bound_or_not(facts.officer_confirmed, "an officer's confirmation"),
            &[Source::Officer],
        ),
    }
}

fn bound_or_not(held: bool, what: &str) -> String {
    if held { format!("{what} is on record") } else { format!("no {what}") }
}

/// The tiers whose requirements, remaining stay and lower tier all hold.
fn reached_tiers(
    version: &Version,
    facts: &Facts,
    record: Option<&StayRecord>,
    trail: &mut Trail,
) -> BTreeMap<Tier, bool> {
    let today = trail.today;
    let mut held = BTreeMap::new();
    for rule in version.tiers.values() {
        for need in &rule.requires {
            if held.contains_key(need) {
                continue;
            }
            let (holds, reason, sources) = requirement(*need, facts, record, today);
            trail.rule(&format!("requirement.{}", need.as_str()), holds, reason, sources);
            held.insert(*need, holds);
        }
    }

    let mut reached = BTreeMap::new();
    for (tier, rule) in &version.tiers {
        let missing: Vec<&str> = version
            .requirements_of(*tier)
            .into_iter()
            .filter(|need| !held.get(need).copied().unwrap_or(false))
            .map(|need| need.as_str())
            .collect();
        let remaining = record.map(|record| (record.permitted_stay_end - today).num_days());
        let stay_enough = rule.min_remaining_stay_days == 0
            || remaining.is_some_and(|days| days >= i64::from(rule.min_remaining_stay_days));
        let below =
            rule.builds_on.is_none_or(|below| reached.get(&below).copied().unwrap_or(false));

        let holds = missing.is_empty() && stay_enough && below;
        let mut reasons = Vec::new();
        if !missing.is_empty() {
            reasons.push(format!("missing {}", missing.join(", ")));
        }
        if !stay_enough {
            reasons.push(format!(
                "needs {} days of remaining stay, has {}",
                rule.min_remaining_stay_days,
                remaining.map_or("none".to_owned(), |days| days.to_string())
            ));
        }
        if let Some(below) = rule.builds_on.filter(|_| !below) {
            reasons.push(format!("{below} is not reached"));
        }
        let reason = if holds { "every requirement holds".to_owned() } else { reasons.join("; ") };
        trail.rule(&format!("tier.{tier}"), holds, reason, &[Source::Policy]);
        reached.insert(*tier, holds);
    }
    reached
}

/// The highest tier reached within the request and the purpose rule's range.
fn grant(
    facts: &Facts,
    rule: &PurposeRule,
    reached: &BTreeMap<Tier, bool>,
    trail: &mut Trail,
) -> Option<Tier> {
    let ceiling = facts.requested_tier.min(rule.max_tier);
    let best = reached
        .iter()
        .filter(|(tier, holds)| **holds && **tier <= ceiling)
        .map(|(tier, _)| *tier)
        .max();

    match best {
        Some(tier) if tier >= rule.min_tier => {
            let reason = format!(
                "{tier}: the highest reached at or below {ceiling} (requested {}, purpose \
                 maximum {})",
                facts.requested_tier, rule.max_tier
            );
            trail.rule("tier.granted", true, reason, &[Source::Policy]);
            Some(tier)
        }
        Some(tier) => {
            let reason = format!("{tier} is below the purpose's minimum {}", rule.min_tier);
            trail.rule("tier.granted", false, reason, &[Source::Policy]);
            None
        }
        None => {
            let reason = format!("no tier at or below {ceiling} is reached");
            trail.rule("tier.granted", false, reason, &[Source::Policy]);
            None
        }
    }
}

/// The earliest of the passport's expiry, the end of the stay and the tier's maximum.
fn validity(
    version: &Version,
    facts: &Facts,
    record: Option<&StayRecord>,
    tier: Tier,
    trail: &mut Trail,
) -> Option<NaiveDate> {
    let today = trail.today;
    let (Some(mrz), Some(record), Some(rule)) = (facts.mrz, record, version.tiers.get(&tier))
    else {
        let reason = "a validity needs a passport expiry, a stay end and a tier rule".to_owned();
        trail.rule("validity", false, reason, &[Source::Mrz, Source::Registry]);
        return None;
    };

    let tier_end = today.checked_add_days(Days::new(rule.max_validity_days.into()));
    let candidates = [Some(mrz.document_expiry), Some(record.permitted_stay_end), tier_end];
    let valid_until = candidates.into_iter().flatten().min();
    let reason = format!(
        "the earliest of passport expiry {}, stay end {} and {tier}'s {} days ({})",
        mrz.document_expiry,
        record.permitted_stay_end,
        rule.max_validity_days,
        tier_end.map_or("beyond the calendar".to_owned(), |day| day.to_string())
    );
    trail.rule("validity", true, reason, &[Source::Mrz, Source::Registry, Source::Policy]);
    valid_until
}
