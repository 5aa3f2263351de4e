//! Every category the issue lists: its group, the tier each purpose reaches with full evidence,
//! and the validity, for a stay of the category's usual length.

use chrono::Days;
use idproof_proofing::{Purpose, Tier};

use crate::support::{all_groups_day, day, full_facts, record, shipped};

struct Row {
    code: &'static str,
    group: &'static str,
    /// Tier and validity in days for a digital ID, then SIM registration.
    digital_id: (Tier, u64),
    sim_registration: (Tier, u64),
    investor_onboarding: Option<Tier>,
}

const fn row(
    code: &'static str,
    group: &'static str,
    digital_id: (Tier, u64),
    sim_registration: (Tier, u64),
    investor_onboarding: Option<Tier>,
) -> Row {
    Row { code, group, digital_id, sim_registration, investor_onboarding }
}

use Tier::{T2, T3, T4};

/// The stay is the category's usual stay per entry: under 180 days caps at T2; T3 grants 730
/// days at most and T4 1825; SIM registration stops at T3.
const ROWS: &[Row] = &[
    row("exemption", "tourist", (T2, 60), (T2, 60), Some(T2)),
    row("visa_on_arrival", "tourist", (T2, 15), (T2, 15), Some(T2)),
    row("tr", "tourist", (T2, 60), (T2, 60), Some(T2)),
    row("dtv", "tourist", (T4, 180), (T3, 180), Some(T2)),
    row("non_b", "investor", (T2, 90), (T2, 90), Some(T2)),
    row("non_ib", "investor", (T2, 90), (T2, 90), Some(T2)),
    row("smart_t", "investor", (T4, 1460), (T3, 730), Some(T4)),
    row("smart_i", "investor", (T4, 1460), (T3, 730), Some(T4)),
    row("smart_e", "investor", (T4, 1460), (T3, 730), Some(T4)),
    row("smart_s", "investor", (T4, 1460), (T3, 730), Some(T4)),
    row("smart_o", "investor", (T4, 1460), (T3, 730), Some(T4)),
    row("non_ed", "student", (T2, 90), (T2, 90), None),
    row("non_l_mou", "worker", (T4, 730), (T3, 730), None),
    row("ltr_wgc", "ltr", (T4, 1825), (T3, 730), Some(T4)),
    row("ltr_wp", "ltr", (T4, 1825), (T3, 730), Some(T4)),
    row("ltr_wftp", "ltr", (T4, 1825), (T3, 730), Some(T4)),
    row("ltr_hsp", "ltr", (T4, 1825), (T3, 730), Some(T4)),
    row("non_o", "ltr", (T2, 90), (T2, 90), Some(T2)),
    row("o_a", "ltr", (T4, 365), (T3, 365), Some(T4)),
    row("o_x", "ltr", (T4, 1825), (T3, 730), Some(T4)),
];

#[test]
fn every_category_reaches_its_group_tier_and_validity() {
    let policy = shipped();
    let today = all_groups_day();
    let version = policy.version_at(today).unwrap();
    assert_eq!(ROWS.len(), version.categories.len());

    for row in ROWS {
        let category = &version.categories[row.code];
        assert_eq!(category.group, row.group, "{}", row.code);
        let stay_days = u64::from(category.max_stay_days.unwrap());
        let mut facts = full_facts(today);
        record(&mut facts).visa_category = row.code.to_owned();
        record(&mut facts).permitted_stay_end = today + Days::new(stay_days);

        let cases = [
            (Purpose::DigitalId, Some(row.digital_id)),
            (Purpose::SimRegistration, Some(row.sim_registration)),
            (Purpose::InvestorOnboarding, row.investor_onboarding.map(|tier| (tier, 0))),
        ];
        for (purpose, expected) in cases {
            facts.purpose = purpose;
            let decision = policy.decide(&facts, today);
            assert_eq!(decision.group.as_deref(), Some(row.group), "{} {purpose}", row.code);
            assert_eq!(decision.tier, expected.map(|(tier, _)| tier), "{} {purpose}", row.code);
            if let Some((_, days)) = expected.filter(|(_, days)| *days > 0) {
                assert_eq!(decision.valid_until, Some(today + Days::new(days)), "{}", row.code);
            }
        }
    }
}

#[test]
fn only_the_groups_already_piloted_reach_a_tier() {
    let policy = shipped();
    let cases = [
        ("2025-06-01", ["investor"].as_slice()),
        ("2026-06-01", ["investor", "tourist", "worker"].as_slice()),
        ("2027-01-01", ["investor", "tourist", "worker", "student", "ltr"].as_slice()),
    ];

    for (today, effective) in cases {
        let today = day(today);
        for row in ROWS {
            let mut facts = full_facts(today);
            record(&mut facts).visa_category = row.code.to_owned();
            let decision = policy.decide(&facts, today);
            let reached = decision.tier.is_some();
            assert_eq!(reached, effective.contains(&row.group), "{} on {today}", row.code);
            if !reached {
                let rule = decision.rule("group.effective").unwrap();
                assert!(rule.reason.starts_with("group.not_yet_effective"), "{}", rule.reason);
            }
        }
    }
}
