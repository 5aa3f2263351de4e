use chrono::{TimeZone, Utc};
use idproof_policy::{Flag, FlagKind};
use idproof_proofing::{ApplicationId, Channel, ClientId, Purpose, Tier};

use super::*;

fn application(tier: Tier) -> ApplicationRecord {
    ApplicationRecord {
        id: ApplicationId::new(),
        client_id: ClientId::from(uuid_of(1)),
        purpose: Purpose::DigitalId,
        tier,
        channel: Channel::SelfService,
        client_reference: None,
        status: ApplicationStatus::AwaitingEvidence,
        created_at: moment(),
        updated_at: moment(),
    }
}

fn moment() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

fn uuid_of(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

fn step(step: Step, verdict: Verdict, reason: &str) -> StepRecord {
    StepRecord {
        step,
        attempt: 1,
        verdict,
        reason: reason.to_owned(),
        evidence_id: None,
        recorded_at: moment(),
    }
}

fn decision(tier: Option<Tier>, flags: Vec<Flag>) -> Decision {
    Decision {
        policy_version: NaiveDate::from_ymd_opt(2025, 1, 1),
        decided_on: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        group: Some("investor".to_owned()),
        tier,
        valid_until: tier.and(NaiveDate::from_ymd_opt(2027, 6, 1)),
        flags,
        rules: Vec::new(),
    }
}

fn judged(
    tier: Option<Tier>,
    flags: Vec<Flag>,
    requested: Tier,
    steps: &[StepRecord],
) -> (Verdict, String, ApplicationStatus) {
    let application = application(requested);
    let findings = Findings { application: &application, steps, page: None, stay: None };
    let (outcome, status) = verdict_of(&decision(tier, flags), &findings);
    assert_eq!(outcome.step, Step::Decision);
    (outcome.verdict, outcome.reason, status)
}

#[test]
fn the_decision_step_completes_reviews_or_rejects() {
    let clean = [
        step(Step::Mrz, Verdict::Passed, "mrz_valid"),
        step(Step::Immigration, Verdict::Passed, "stay_lawful"),
    ];
    let flagged_mobile =
        [clean[0].clone(), step(Step::Mobile, Verdict::Flagged, "no_automatic_verifier")];
    let mended = [flagged_mobile[1].clone(), step(Step::Mobile, Verdict::Passed, "bound")];
    let overstay =
        Flag { code: FlagKind::Overstayed, reason: "past the permitted stay".to_owned() };

    assert_eq!(
        judged(Some(Tier::T2), vec![], Tier::T2, &clean),
        (Verdict::Passed, "tier_t2".to_owned(), ApplicationStatus::Completed)
    );
    assert_eq!(
        judged(None, vec![], Tier::T2, &clean),
        (Verdict::Failed, "no_tier_reached".to_owned(), ApplicationStatus::Rejected)
    );
    assert_eq!(
        judged(Some(Tier::T1), vec![], Tier::T2, &clean),
        (Verdict::Flagged, "tier_below_requested".to_owned(), ApplicationStatus::InReview)
    );
    assert_eq!(
        judged(None, vec![overstay], Tier::T2, &clean),
        (Verdict::Flagged, "stay.overstayed".to_owned(), ApplicationStatus::InReview)
    );
    assert_eq!(
        judged(None, vec![], Tier::T1, &flagged_mobile),
        (Verdict::Flagged, "no_automatic_verifier".to_owned(), ApplicationStatus::InReview)
    );
    assert_eq!(
        judged(Some(Tier::T1), vec![], Tier::T1, &mended),
        (Verdict::Passed, "tier_t1".to_owned(), ApplicationStatus::Completed)
    );
}

#[test]
fn the_stored_decision_keeps_flag_codes_and_rules_as_json() {
    let flag =
        Flag { code: FlagKind::StayEndingSoon, reason: "the stay ends within 30 days".to_owned() };
    let mut decided = decision(Some(Tier::T2), vec![flag]);
    decided.rules.push(idproof_policy::RuleOutcome {
        rule: "stay.lawful".to_owned(),
        held: true,
        reason: "in the country until its permitted-stay end".to_owned(),
        evidence: vec![idproof_policy::Source::Registry],
    });

    let record = record_of(&decided, 2, moment());

    assert_eq!(record.attempt, 2);
    assert_eq!(record.policy_version, "2025-01-01");
    assert_eq!(
        record.flags,
        json!([{"code": "stay.ending_soon", "reason": "the stay ends within 30 days"}])
    );
    assert_eq!(record.explanation["rules"][0]["evidence"], json!(["registry"]));
    assert_eq!(record.explanation["rules"][0]["held"], json!(true));
}

#[test]
fn every_category_the_registry_sends_is_one_the_shipped_policy_knows() {
    let policy = idproof_policy::Policy::shipped().unwrap();
    let today = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    let version = policy.version_at(today).unwrap();

    let unknown: Vec<&str> = idproof_immigration::VisaCategory::known_codes()
        .filter(|code| !version.categories.contains_key(*code))
        .collect();

    assert!(unknown.is_empty(), "the policy has no category for {unknown:?}");
    assert_eq!(idproof_immigration::VisaCategory::known_codes().count(), 20);
}
