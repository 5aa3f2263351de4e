//! Loading: the shipped policy holds; each way a file can be wrong is refused with its line,
//! column and code.

use idproof_policy::{ErrorCode, Policy, Position};
use idproof_proofing::Tier;

use crate::support::{self, SHIPPED, day, shipped};

#[test]
fn the_shipped_policy_loads_with_every_listed_category() {
    let policy = shipped();
    let version = policy.version_at(day("2025-01-01")).unwrap();

    let codes = support::CATEGORY_CODES;
    assert_eq!(version.categories.len(), codes.len());
    for code in codes {
        assert!(version.categories.contains_key(code), "{code}");
    }
    assert_eq!(version.tiers.len(), 4);
    assert_eq!(version.tiers[&Tier::T3].min_remaining_stay_days, 180);
    assert_eq!(version.tiers[&Tier::T4].min_remaining_stay_days, 180);
    assert_eq!(version.tiers[&Tier::T3].etda_ial, "2.3");
    assert!(policy.version_at(day("2024-12-31")).is_none());
}

#[test]
fn a_tier_includes_the_requirements_of_the_tiers_below() {
    let policy = shipped();
    let version = &policy.versions[0];
    let t4 = version.requirements_of(Tier::T4);
    for below in [Tier::T1, Tier::T2, Tier::T3] {
        for requirement in version.requirements_of(below) {
            assert!(t4.contains(&requirement), "{below} {requirement:?}");
        }
    }
}

/// The shipped file with `from` replaced by `to`, which must occur in it.
fn edited(from: &str, to: &str) -> String {
    assert!(SHIPPED.contains(from), "{from:?} is not in the shipped policy");
    SHIPPED.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    let offset = text.find(needle).unwrap();
    text[..offset].matches('\n').count() + 1
}

/// Refuses `text` and checks the code and that the error points at `needle`'s line.
fn refused(text: &str, code: ErrorCode, needle: &str) -> String {
    let error = Policy::from_toml(text, "edited.toml").unwrap_err();
    assert_eq!(error.code, code, "{error}");
    let position = error.position.expect("a position");
    assert_eq!(position.line, line_of(text, needle), "{error}");
    error.to_string()
}

#[test]
fn a_category_of_an_unknown_group_is_refused_at_its_group() {
    let text = edited(
        "group = \"investor\"\nmax_stay_days = 90\nnote = \"90 d;",
        "group = \"investors\"\nmax_stay_days = 90\nnote = \"90 d;",
    );
    let message = refused(&text, ErrorCode::UnknownGroup, "group = \"investors\"");
    assert!(message.starts_with("edited.toml:"), "{message}");
    assert!(message.ends_with("(policy.unknown_group)"), "{message}");
    assert!(message.contains("\"investors\""), "{message}");
}

#[test]
fn an_unknown_key_is_refused_where_it_is_written() {
    let text = edited("max_validity_days = 90\n", "max_validity_days = 90\nmax_valid_days = 3\n");
    refused(&text, ErrorCode::UnknownKey, "max_valid_days");
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let text = edited("max_validity_days = 90\n", "max_validity_days = \"ninety\"\n");
    refused(&text, ErrorCode::Schema, "\"ninety\"");
}

#[test]
fn a_negative_or_zero_validity_is_refused() {
    let negative = edited("max_validity_days = 90\n", "max_validity_days = -90\n");
    refused(&negative, ErrorCode::Schema, "-90");
    let zero = edited("max_validity_days = 90\n", "max_validity_days = 0\n");
    refused(&zero, ErrorCode::InvalidDays, "max_validity_days = 0");
}

#[test]
fn a_tier_building_on_an_undefined_or_higher_tier_is_refused() {
    let unknown = edited("builds_on = \"t1\"", "builds_on = \"t9\"");
    refused(&unknown, ErrorCode::Schema, "\"t9\"");
    let upward = edited("builds_on = \"t1\"", "builds_on = \"t3\"");
    refused(&upward, ErrorCode::TierOrder, "builds_on = \"t3\"");
}

#[test]
fn an_unknown_evidence_kind_or_requirement_is_refused() {
    let evidence =
        edited("evidence = [\"mrz\", \"mobile_number\"]", "evidence = [\"mrz\", \"dna\"]");
    refused(&evidence, ErrorCode::Schema, "\"dna\"");
    let requirement = edited("requires = [\"immigration_matched\"]", "requires = [\"vibes\"]");
    refused(&requirement, ErrorCode::Schema, "\"vibes\"");
}

#[test]
fn evidence_that_cannot_reach_the_lowest_tier_is_refused() {
    let text = edited(
        "evidence = [\"mrz\", \"chip\", \"selfie\", \"mobile_number\"]\nmin_tier = \"t2\"\nmax_tier = \"t3\"",
        "evidence = [\"mrz\", \"chip\", \"selfie\"]\nmin_tier = \"t2\"\nmax_tier = \"t3\"",
    );
    let error = Policy::from_toml(&text, "edited.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::EvidenceShort, "{error}");
}

#[test]
fn a_minimum_above_the_maximum_is_refused() {
    let text =
        edited("min_tier = \"t1\"\nmax_tier = \"t4\"", "min_tier = \"t4\"\nmax_tier = \"t1\"");
    refused(&text, ErrorCode::TierRange, "min_tier = \"t4\"");
}

#[test]
fn an_unknown_flag_and_a_flag_without_its_window_are_refused() {
    let unknown = edited("[version.flags.stay.barred]", "[version.flags.stay.banned]");
    refused(&unknown, ErrorCode::UnknownFlag, "[version.flags.stay.banned]");
    let windowless = edited("within_days = 30", "");
    let error = Policy::from_toml(&windowless, "edited.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::FlagParameter, "{error}");
    let stray =
        edited("[version.flags.stay.barred]", "[version.flags.stay.barred]\nwithin_days = 3");
    refused(&stray, ErrorCode::FlagParameter, "within_days = 3");
}

const LATER: &str = "\n[[version]]\neffective_from = 2026-07-01\n";

#[test]
fn versions_on_the_same_day_or_out_of_order_are_refused() {
    let twice = format!("{SHIPPED}\n[[version]]\neffective_from = 2025-01-01\n");
    let error = Policy::from_toml(&twice, "edited.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::DuplicateVersion, "{error}");
    assert_eq!(error.position.unwrap().line, twice.lines().count());

    let backwards = format!("{SHIPPED}{LATER}\n[[version]]\neffective_from = 2026-03-01\n");
    let error = Policy::from_toml(&backwards, "edited.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionsOutOfOrder, "{error}");
    assert_eq!(error.position.unwrap().line, backwards.lines().count());
}

#[test]
fn a_later_version_is_checked_with_what_it_inherits() {
    let text = format!(
        "{SHIPPED}{LATER}[version.categories.non_o]\nname = \"Non-O\"\ngroup = \"retiree\"\n"
    );
    let error = Policy::from_toml(&text, "edited.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownGroup, "{error}");
    assert_eq!(error.position.unwrap().line, text.lines().count());

    let fine = format!("{SHIPPED}{LATER}");
    let policy = Policy::from_toml(&fine, "edited.toml").unwrap();
    assert_eq!(policy.versions.len(), 2);
    assert_eq!(policy.versions[1].categories, policy.versions[0].categories);
}

#[test]
fn a_first_version_without_every_tier_is_refused() {
    let text = "[[version]]\neffective_from = 2025-01-01\n\n[version.groups.investor]\nname = \"I\"\neffective_from = 2025-01-01\n";
    let error = Policy::from_toml(text, "short.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::MissingTier, "{error}");
    assert_eq!(error.position, Some(Position { line: 1, column: 1 }), "at its [[version]]");
}

#[test]
fn a_date_with_a_time_or_as_text_is_refused() {
    let timed =
        edited("effective_from = 2025-01-01\nnote", "effective_from = 2025-01-01T00:00:00\nnote");
    refused(&timed, ErrorCode::Schema, "2025-01-01T00:00:00");
    let text = edited("effective_from = 2025-01-01\nnote", "effective_from = \"2025-01-01\"\nnote");
    refused(&text, ErrorCode::Schema, "\"2025-01-01\"");
}
