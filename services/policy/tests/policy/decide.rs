//! The decision for one fact spoiled at a time: tier, flags and the rule that explains it.

use chrono::Days;
use idproof_policy::{Check, Decision, FlagKind, StayAnswer, StayStatus};
use idproof_proofing::{Channel, Purpose, Tier};

use crate::support::{all_groups_day, full_facts, record, shipped};

/// A change to otherwise complete facts.
type Spoil = Box<dyn Fn(&mut idproof_policy::Facts)>;

fn decide(spoil: impl FnOnce(&mut idproof_policy::Facts)) -> Decision {
    let today = all_groups_day();
    let mut facts = full_facts(today);
    spoil(&mut facts);
    shipped().decide(&facts, today)
}

#[test]
fn full_evidence_at_a_counter_reaches_t4_for_the_tier_maximum() {
    let today = all_groups_day();
    let decision = decide(|_| {});

    assert_eq!(decision.tier, Some(Tier::T4));
    assert_eq!(decision.group.as_deref(), Some("investor"));
    assert_eq!(decision.valid_until, Some(today + Days::new(730)), "the stay ends first");
    assert!(decision.flags.is_empty(), "{:?}", decision.flags);
    assert!(decision.rule("tier.t4").unwrap().held);
}

#[test]
fn the_tier_never_exceeds_the_request() {
    let decision = decide(|facts| facts.requested_tier = Tier::T2);
    assert_eq!(decision.tier, Some(Tier::T2));
    assert_eq!(decision.valid_until, Some(all_groups_day() + Days::new(365)));
}

#[test]
fn self_service_stops_at_t3() {
    let decision = decide(|facts| facts.channel = Channel::SelfService);
    assert_eq!(decision.tier, Some(Tier::T3));
    assert!(!decision.rule("requirement.attended_channel").unwrap().held);
}

#[test]
fn the_passport_expiry_caps_the_validity() {
    let today = all_groups_day();
    let decision = decide(|facts| {
        facts.mrz.as_mut().unwrap().document_expiry = today + Days::new(40);
    });
    assert_eq!(decision.valid_until, Some(today + Days::new(40)));
}

#[test]
fn t3_needs_180_days_of_stay_left() {
    let today = all_groups_day();
    let short = decide(|facts| record(facts).permitted_stay_end = today + Days::new(179));
    let enough = decide(|facts| record(facts).permitted_stay_end = today + Days::new(180));

    assert_eq!(short.tier, Some(Tier::T2));
    assert!(short.rule("tier.t3").unwrap().reason.contains("180 days"));
    assert_eq!(enough.tier, Some(Tier::T4));
}

#[test]
fn a_name_that_differs_is_flagged_and_stops_at_t1() {
    let decision = decide(|facts| record(facts).name_matches = false);
    assert_eq!(decision.tier, Some(Tier::T1));
    assert!(decision.has_flag(FlagKind::NameDiffers));
    assert!(!decision.has_flag(FlagKind::BirthDateDiffers));

    let decision = decide(|facts| record(facts).birth_date_matches = false);
    assert!(decision.has_flag(FlagKind::BirthDateDiffers));
}

#[test]
fn no_lawful_stay_reaches_no_tier() {
    let today = all_groups_day();
    let cases: [(&str, Spoil, Option<FlagKind>); 6] = [
        ("not found", Box::new(|f| f.stay = StayAnswer::NotFound), None),
        (
            "unavailable",
            Box::new(|f| f.stay = StayAnswer::Unavailable),
            Some(FlagKind::RegistryUnavailable),
        ),
        ("departed", Box::new(|f| record(f).status = StayStatus::Departed), None),
        (
            "overstayed",
            Box::new(|f| record(f).status = StayStatus::Overstayed),
            Some(FlagKind::Overstayed),
        ),
        ("barred", Box::new(|f| record(f).status = StayStatus::Barred), Some(FlagKind::Barred)),
        (
            "stay ended",
            Box::new(move |f| record(f).permitted_stay_end = today - Days::new(1)),
            Some(FlagKind::Overstayed),
        ),
    ];

    for (case, spoil, flag) in cases {
        let decision = decide(spoil);
        assert_eq!(decision.tier, None, "{case}");
        assert_eq!(decision.valid_until, None, "{case}");
        assert!(!decision.rule("stay.lawful").unwrap().held, "{case}");
        if let Some(flag) = flag {
            assert!(decision.has_flag(flag), "{case}: {:?}", decision.flags);
        }
    }
}

#[test]
fn an_unknown_category_reaches_no_tier() {
    let decision = decide(|facts| record(facts).visa_category = "diplomatic".to_owned());
    assert_eq!(decision.tier, None);
    assert_eq!(decision.group, None);
    assert!(!decision.rule("category.known").unwrap().held);
}

#[test]
fn a_stay_ending_within_the_window_is_flagged() {
    let today = all_groups_day();
    let soon = decide(|facts| record(facts).permitted_stay_end = today + Days::new(30));
    let later = decide(|facts| record(facts).permitted_stay_end = today + Days::new(31));

    assert!(soon.has_flag(FlagKind::StayEndingSoon));
    assert_eq!(soon.tier, Some(Tier::T2));
    assert!(!later.has_flag(FlagKind::StayEndingSoon));
}

#[test]
fn a_missing_chip_is_flagged_where_the_purpose_needs_one() {
    let sim = decide(|facts| {
        facts.purpose = Purpose::SimRegistration;
        facts.chip = Check::Absent;
    });
    let digital_id = decide(|facts| facts.chip = Check::Absent);

    assert!(sim.has_flag(FlagKind::ChipRequiredMissing));
    assert_eq!(sim.tier, Some(Tier::T2));
    assert!(!digital_id.has_flag(FlagKind::ChipRequiredMissing));
    assert_eq!(digital_id.tier, Some(Tier::T2));
}

#[test]
fn a_flagged_chip_does_not_count_as_passed() {
    let decision = decide(|facts| {
        facts.chip = Check::Flagged { reason: "chip.no_active_authentication".into() }
    });
    assert_eq!(decision.tier, Some(Tier::T2));
    let rule = decision.rule("requirement.chip_anti_cloning").unwrap();
    assert!(rule.reason.contains("chip.no_active_authentication"), "{}", rule.reason);
}

#[test]
fn below_the_purpose_minimum_no_tier_is_granted() {
    let decision = decide(|facts| {
        facts.purpose = Purpose::SimRegistration;
        record(facts).name_matches = false;
    });
    assert_eq!(decision.tier, None);
    assert!(decision.rule("tier.granted").unwrap().reason.contains("minimum t2"));
}

#[test]
fn a_purpose_not_offered_to_the_group_reaches_no_tier() {
    let decision = decide(|facts| {
        facts.purpose = Purpose::InvestorOnboarding;
        record(facts).visa_category = "non_ed".to_owned();
    });
    assert_eq!(decision.tier, None);
    assert!(!decision.rule("purpose.offered").unwrap().held);
}

#[test]
fn before_the_first_version_nothing_is_in_force() {
    let today = "2024-12-31".parse().unwrap();
    let decision = shipped().decide(&full_facts(today), today);
    assert_eq!(decision.policy_version, None);
    assert_eq!(decision.tier, None);
}

#[test]
fn the_decision_round_trips_through_json_with_stable_codes() {
    let decision = decide(|facts| record(facts).name_matches = false);
    let json = serde_json::to_value(&decision).unwrap();

    assert_eq!(json["tier"], "t1");
    assert_eq!(json["flags"][0]["code"], "mrz.name_differs");
    assert_eq!(json["rules"][0]["rule"], "policy.in_force");
    let back: Decision = serde_json::from_value(json).unwrap();
    assert_eq!(back, decision);
}
