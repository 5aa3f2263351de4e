//! Reading a policy file: size, encoding, TOML, the shape of each value, then the checks that
//! span values (groups named, tiers ordered, versions in order). Every refusal names the line.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::ops::Range;
use std::path::Path;

use idproof_proofing::Tier;
use toml::Spanned;

use crate::error::{ErrorCode, PolicyError};
use crate::file::{PolicyFile, VersionFile};
use crate::model::{Category, FlagKind, FlagRule, Group, Policy, PurposeRule, TierRule, Version};

/// The largest policy file accepted, in bytes. The shipped one is a few kilobytes.
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

impl Policy {
    /// Reads and checks the policy file at `path`.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let source_name = path.display().to_string();
        let io_error = |error: std::io::Error| {
            PolicyError::whole_file(&source_name, ErrorCode::Io, format!("cannot read: {error}"))
        };

        let file = std::fs::File::open(path).map_err(io_error)?;
        let mut bytes = Vec::new();
        file.take(MAX_POLICY_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;

        Self::from_bytes(&bytes, &source_name)
    }

    /// The policy shipped with idproof (`policy/idproof.toml`), built into the binary so that
    /// a service started without a policy file still decides by the rules in the repository.
    pub fn shipped() -> Result<Self, PolicyError> {
        Self::from_toml(SHIPPED_POLICY, "policy/idproof.toml")
    }

    /// Checks a policy file's bytes: at most [`MAX_POLICY_BYTES`], UTF-8, then as
    /// [`Policy::from_toml`].
    pub fn from_bytes(bytes: &[u8], source_name: &str) -> Result<Self, PolicyError> {
        if bytes.len() as u64 > MAX_POLICY_BYTES {
            return Err(PolicyError::whole_file(
                source_name,
                ErrorCode::TooLarge,
                format!("larger than {MAX_POLICY_BYTES} bytes"),
            ));
        }

        match std::str::from_utf8(bytes) {
            Ok(text) => Self::from_toml(text, source_name),
            Err(error) => {
                let valid = &bytes[..error.valid_up_to()];
                let text = String::from_utf8_lossy(valid);
                Err(PolicyError::at(
                    source_name,
                    &text,
                    text.len()..text.len(),
                    ErrorCode::Encoding,
                    "not UTF-8 text".to_owned(),
                ))
            }
        }
    }

    /// Checks a policy file's text; `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self, PolicyError> {
        if text.len() as u64 > MAX_POLICY_BYTES {
            return Err(PolicyError::whole_file(
                source_name,
                ErrorCode::TooLarge,
                format!("larger than {MAX_POLICY_BYTES} bytes"),
            ));
        }

        let toml_error = |code: ErrorCode, error: toml::de::Error| {
            let span = error.span().unwrap_or(0..0);
            let reason = error.message().trim_end().to_owned();
            PolicyError::at(source_name, text, span, code, reason)
        };
        toml::from_str::<toml::Table>(text)
            .map_err(|error| toml_error(ErrorCode::Syntax, error))?;
        let file = toml::from_str::<PolicyFile>(text).map_err(|error| {
            // The message is the only place toml says which kind of mismatch it met.
            let code = if error.message().starts_with("unknown field") {
                ErrorCode::UnknownKey
            } else {
                ErrorCode::Schema
            };
            toml_error(code, error)
        })?;

        let checker = Checker { source_name, text };
        let versions = checker.versions(file)?;
        Ok(Policy { source_name: source_name.to_owned(), versions })
    }
}

/// Builds each version on the one before it and checks it whole.
struct Checker<'a> {
    source_name: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn refuse(&self, span: Range<usize>, code: ErrorCode, reason: String) -> PolicyError {
        PolicyError::at(self.source_name, self.text, span, code, reason)
    }

    fn versions(&self, file: PolicyFile) -> Result<Vec<Version>, PolicyError> {
        if file.version.is_empty() {
            return Err(self.refuse(
                0..0,
                ErrorCode::NoVersions,
                "no [[version]]: the policy needs at least one".to_owned(),
            ));
        }

        let mut versions: Vec<Version> = Vec::new();
        for written in file.version {
            let span = written.span();
            let written = written.into_inner();
            let effective_from = written.effective_from.get_ref().0;
            if let Some(previous) = versions.last() {
                let date_span = written.effective_from.span();
                if effective_from == previous.effective_from {
                    return Err(self.refuse(
                        date_span,
                        ErrorCode::DuplicateVersion,
                        format!("a version already takes effect on {effective_from}"),
                    ));
                }
                if effective_from < previous.effective_from {
                    return Err(self.refuse(
                        date_span,
                        ErrorCode::VersionsOutOfOrder,
                        format!(
                            "takes effect on {effective_from}, before the version above it \
                             ({}); list versions oldest first",
                            previous.effective_from
                        ),
                    ));
                }
            }

            let base = versions.last().cloned();
            let version = self.merge(base, written)?;
            self.check(&version, span)?;
            versions.push(version);
        }
        Ok(versions)
    }

    /// The version before, with what this one writes put over it, entry by entry.
    fn merge(&self, base: Option<Version>, written: VersionFile) -> Result<Version, PolicyError> {
        let effective_from = written.effective_from.get_ref().0;
        let mut version = base.unwrap_or_else(|| Version {
            effective_from,
            note: None,
            groups: BTreeMap::new(),
            categories: BTreeMap::new(),
            tiers: BTreeMap::new(),
            purposes: BTreeMap::new(),
            flags: BTreeMap::new(),
        });
        version.effective_from = effective_from;
        version.note = written.note;

        for (id, group) in written.groups {
            let span = group.span();
            let group = group.into_inner();
            let id = id.into_inner();
            let effective_from = group.effective_from.get_ref().0;
            version.groups.insert(id.clone(), Group { id, name: group.name, effective_from, span });
        }

        for (code, category) in written.categories {
            let category = category.into_inner();
            let span = category.group.span();
            if let Some(days) = &category.max_stay_days {
                self.positive(days)?;
            }
            let code = code.into_inner();
            version.categories.insert(
                code.clone(),
                Category {
                    code,
                    name: category.name,
                    group: category.group.into_inner(),
                    max_stay_days: category.max_stay_days.map(Spanned::into_inner),
                    note: category.note,
                    span,
                },
            );
        }

        for (tier, rule) in written.tiers {
            let span = rule.span();
            let rule = rule.into_inner();
            let tier = tier.into_inner();
            self.positive(&rule.max_validity_days)?;
            self.no_repeats(&rule.requires)?;
            if let Some(below) = &rule.builds_on
                && *below.get_ref() >= tier
            {
                return Err(self.refuse(
                    below.span(),
                    ErrorCode::TierOrder,
                    format!("{tier} cannot build on {}, which is not below it", below.get_ref()),
                ));
            }
            version.tiers.insert(
                tier,
                TierRule {
                    tier,
                    builds_on: rule.builds_on.map(Spanned::into_inner),
                    requires: rule.requires.into_inner(),
                    max_validity_days: rule.max_validity_days.into_inner(),
                    min_remaining_stay_days: rule.min_remaining_stay_days,
                    etda_ial: rule.etda_ial,
                    nist_ial: rule.nist_ial,
                    eidas: rule.eidas,
                    span,
                },
            );
        }

        for (purpose, rules) in written.purposes {
            let purpose = purpose.into_inner();
            for (group, rule) in rules {
                let span = rule.span();
                let rule = rule.into_inner();
                self.no_repeats(&rule.evidence)?;
                if rule.min_tier.get_ref() > rule.max_tier.get_ref() {
                    return Err(self.refuse(
                        rule.min_tier.span(),
                        ErrorCode::TierRange,
                        format!(
                            "min_tier {} is above max_tier {}",
                            rule.min_tier.get_ref(),
                            rule.max_tier.get_ref()
                        ),
                    ));
                }
                let group = group.into_inner();
                version.purposes.entry(purpose).or_default().insert(
                    group.clone(),
                    PurposeRule {
                        purpose,
                        group,
                        evidence: rule.evidence.into_inner(),
                        min_tier: rule.min_tier.into_inner(),
                        max_tier: rule.max_tier.into_inner(),
                        effective_from: rule.effective_from.map(|day| day.into_inner().0),
                        span,
                    },
                );
            }
        }

        for (area, rules) in written.flags {
            for (name, rule) in rules {
                let code = format!("{}.{}", area.get_ref(), name.get_ref());
                let Some(kind) = FlagKind::from_code(&code) else {
                    let known: Vec<_> = FlagKind::ALL.iter().map(FlagKind::as_str).collect();
                    return Err(self.refuse(
                        name.span(),
                        ErrorCode::UnknownFlag,
                        format!("no flag {code:?}; flags are {}", known.join(", ")),
                    ));
                };
                let rule_span = rule.span();
                let rule = rule.into_inner();
                match (&rule.within_days, kind.takes_window()) {
                    (Some(days), true) => self.positive(days)?,
                    (None, true) => {
                        return Err(self.refuse(
                            rule_span,
                            ErrorCode::FlagParameter,
                            format!("{code} needs within_days"),
                        ));
                    }
                    (Some(days), false) => {
                        return Err(self.refuse(
                            days.span(),
                            ErrorCode::FlagParameter,
                            format!("{code} takes no within_days"),
                        ));
                    }
                    (None, false) => {}
                }
                version.flags.insert(
                    kind,
                    FlagRule {
                        kind,
                        effective_from: rule.effective_from.map(|day| day.into_inner().0),
                        within_days: rule.within_days.map(Spanned::into_inner),
                    },
                );
            }
        }

        Ok(version)
    }

    /// The checks that need the whole version: every name refers to something defined.
    fn check(&self, version: &Version, version_span: Range<usize>) -> Result<(), PolicyError> {
        for tier in Tier::ALL {
            let Some(rule) = version.tiers.get(tier) else {
                return Err(self.refuse(
                    version_span,
                    ErrorCode::MissingTier,
                    format!(
                        "the version taking effect on {} leaves {tier} undefined",
                        version.effective_from
                    ),
                ));
            };
            if let Some(below) = rule.builds_on
                && !version.tiers.contains_key(&below)
            {
                return Err(self.refuse(
                    rule.span.clone(),
                    ErrorCode::UnknownTier,
                    format!("{tier} builds on {below}, which is not defined"),
                ));
            }
        }

        // Entries are kept by id; report the refusal that comes first in the file.
        let mut refusals = Vec::new();
        for category in version.categories.values() {
            let what = format!("category {}", category.code);
            refusals.extend(self.group_known(
                version,
                &category.group,
                category.span.clone(),
                &what,
            ));
        }

        for rule in version.purposes.values().flat_map(BTreeMap::values) {
            let what = format!("purpose {} rule", rule.purpose);
            refusals.extend(self.group_known(version, &rule.group, rule.span.clone(), &what));

            let needed = version.requirements_of(rule.min_tier);
            if let Some(kind) = needed
                .iter()
                .filter_map(|requirement| requirement.evidence())
                .find(|kind| !rule.evidence.contains(kind))
            {
                refusals.push(self.refuse(
                    rule.span.clone(),
                    ErrorCode::EvidenceShort,
                    format!(
                        "{} for {} has min_tier {}, which needs {kind} evidence the rule does \
                         not ask for",
                        rule.purpose, rule.group, rule.min_tier
                    ),
                ));
            }
        }

        match refusals
            .into_iter()
            .min_by_key(|refusal| refusal.position.map(|p| (p.line, p.column)))
        {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    fn group_known(
        &self,
        version: &Version,
        group: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<PolicyError> {
        if version.groups.contains_key(group) {
            return None;
        }

        let known: Vec<&str> = version.groups.keys().map(String::as_str).collect();
        Some(self.refuse(
            span,
            ErrorCode::UnknownGroup,
            format!("{what} names group {group:?}; groups are {}", known.join(", ")),
        ))
    }

    fn positive(&self, days: &Spanned<u32>) -> Result<(), PolicyError> {
        if *days.get_ref() > 0 {
            return Ok(());
        }
        Err(self.refuse(days.span(), ErrorCode::InvalidDays, "must be at least 1 day".to_owned()))
    }

    fn no_repeats<T: PartialEq + std::fmt::Debug>(
        &self,
        list: &Spanned<Vec<T>>,
    ) -> Result<(), PolicyError> {
        let items = list.get_ref();
        for (index, item) in items.iter().enumerate() {
            if items[..index].contains(item) {
                return Err(self.refuse(
                    list.span(),
                    ErrorCode::Duplicate,
                    format!("{item:?} is listed twice"),
                ));
            }
        }
        Ok(())
    }
}

/// The text of `policy/idproof.toml`.
const SHIPPED_POLICY: &str = include_str!("../../../policy/idproof.toml");
