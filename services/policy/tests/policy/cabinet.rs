//! A cabinet decision is a new version with a later effective date: it applies from that day,
//! not the day before.

use chrono::Days;
use idproof_proofing::{Purpose, Tier};

use crate::support::{SHIPPED, day, full_facts, record};

const CABINET: &str = r#"
[[version]]
effective_from = 2027-03-01
note = "A cabinet decision: exemption back to 30 days, tourists capped at T2, Non-O moved"

[version.categories.exemption]
name = "Visa exemption"
group = "tourist"
max_stay_days = 30

[version.categories.non_o]
name = "Non-Immigrant O"
group = "tourist"

[version.purposes.digital_id.tourist]
evidence = ["mrz", "mobile_number"]
min_tier = "t1"
max_tier = "t2"
"#;

fn policy() -> idproof_policy::Policy {
    idproof_policy::Policy::from_toml(&format!("{SHIPPED}{CABINET}"), "cabinet.toml").unwrap()
}

#[test]
fn the_new_version_applies_from_its_day_only() {
    let policy = policy();
    let before = day("2027-02-28");
    let on = day("2027-03-01");

    assert_eq!(policy.version_at(before).unwrap().effective_from, day("2025-01-01"));
    assert_eq!(policy.version_at(on).unwrap().effective_from, on);
    let exemption = |today| policy.version_at(today).unwrap().categories["exemption"].max_stay_days;
    assert_eq!(exemption(before), Some(60));
    assert_eq!(exemption(on), Some(30));
    assert_eq!(exemption(day("2030-01-01")), Some(30));
}

#[test]
fn a_cap_change_applies_from_its_day_only() {
    let policy = policy();
    for (today, tier) in [("2027-02-28", Tier::T4), ("2027-03-01", Tier::T2)] {
        let today = day(today);
        let mut facts = full_facts(today);
        record(&mut facts).visa_category = "dtv".to_owned();
        record(&mut facts).permitted_stay_end = today + Days::new(180);

        let decision = policy.decide(&facts, today);

        assert_eq!(decision.tier, Some(tier), "{today}");
        assert_eq!(decision.policy_version, policy.version_at(today).map(|v| v.effective_from));
    }
}

#[test]
fn a_moved_category_changes_group_from_its_day_only() {
    let policy = policy();
    for (today, group) in [("2027-02-28", "ltr"), ("2027-03-01", "tourist")] {
        let today = day(today);
        let mut facts = full_facts(today);
        facts.purpose = Purpose::InvestorOnboarding;
        record(&mut facts).visa_category = "non_o".to_owned();

        let decision = policy.decide(&facts, today);

        assert_eq!(decision.group.as_deref(), Some(group), "{today}");
        assert_eq!(decision.tier, Some(if group == "ltr" { Tier::T4 } else { Tier::T2 }));
    }
}
