//! Properties over generated facts and days, against the shipped policy.

use chrono::{Days, NaiveDate};
use idproof_policy::{Check, Facts, MrzFacts, StayAnswer, StayRecord, StayStatus};
use idproof_proofing::{Channel, Purpose, Tier};
use proptest::prelude::*;

use std::sync::LazyLock;

use idproof_policy::Policy;

use crate::support;

/// Parsed once: the properties run thousands of cases.
static POLICY: LazyLock<Policy> = LazyLock::new(support::shipped);

fn shipped() -> &'static Policy {
    &POLICY
}

/// The shipped policy's categories, and one it does not know.
fn categories() -> Vec<&'static str> {
    support::CATEGORY_CODES.into_iter().chain(["unknown_code"]).collect()
}

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

/// A day from mid-2024 to 2029, as an offset from `base()`.
fn day() -> impl Strategy<Value = NaiveDate> {
    (0u64..1800).prop_map(|offset| base() + Days::new(offset))
}

/// A day around `today`: up to three years before, up to eleven years after.
fn around(today: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    (-1100i64..4000).prop_map(move |offset| {
        if offset < 0 {
            today - Days::new(offset.unsigned_abs())
        } else {
            today + Days::new(offset.unsigned_abs())
        }
    })
}

fn check() -> impl Strategy<Value = Check> {
    prop_oneof![
        4 => Just(Check::Passed),
        1 => Just(Check::Flagged { reason: "flagged".to_owned() }),
        1 => Just(Check::Failed { reason: "failed".to_owned() }),
        1 => Just(Check::Absent),
    ]
}

fn stay(today: NaiveDate) -> impl Strategy<Value = StayAnswer> {
    let status = prop_oneof![
        4 => Just(StayStatus::InCountry),
        1 => Just(StayStatus::Departed),
        1 => Just(StayStatus::Overstayed),
        1 => Just(StayStatus::Barred),
    ];
    let record = (prop::sample::select(categories()), status, around(today), any::<[bool; 2]>())
        .prop_map(|(category, status, end, [name, birth])| {
            StayAnswer::Record(StayRecord {
                visa_category: category.to_owned(),
                status,
                permitted_stay_end: end,
                last_entry: None,
                name_matches: name,
                birth_date_matches: birth,
            })
        });
    prop_oneof![
        8 => record,
        1 => Just(StayAnswer::NotFound),
        1 => Just(StayAnswer::Unavailable),
    ]
}

fn case() -> impl Strategy<Value = (Facts, NaiveDate)> {
    day().prop_flat_map(|today| {
        let mrz = prop::option::weighted(0.95, (any::<bool>(), around(today)))
            .prop_map(|mrz| mrz.map(|(valid, expiry)| MrzFacts { valid, document_expiry: expiry }));
        (
            prop::sample::select(Purpose::ALL),
            prop::sample::select(Tier::ALL),
            prop::sample::select(Channel::ALL),
            mrz,
            (check(), check()),
            any::<[bool; 2]>(),
            stay(today),
        )
            .prop_map(
                move |(purpose, tier, channel, mrz, (chip, face), [mobile, officer], stay)| {
                    let facts = Facts {
                        purpose,
                        requested_tier: tier,
                        channel,
                        mrz,
                        chip,
                        face,
                        mobile_bound: mobile,
                        officer_confirmed: officer,
                        stay,
                    };
                    (facts, today)
                },
            )
    })
}

fn lawful(facts: &Facts, today: NaiveDate) -> bool {
    let Some(version) = shipped().version_at(today) else { return false };
    let StayAnswer::Record(record) = &facts.stay else { return false };
    let group = version
        .categories
        .get(&record.visa_category)
        .and_then(|category| version.groups.get(&category.group));
    record.status == StayStatus::InCountry
        && record.permitted_stay_end >= today
        && group.is_some_and(|group| group.effective_from <= today)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn validity_never_exceeds_the_stay_or_the_passport((facts, today) in case()) {
        let decision = shipped().decide(&facts, today);

        prop_assert_eq!(decision.tier.is_some(), decision.valid_until.is_some());
        if let Some(valid_until) = decision.valid_until {
            let StayAnswer::Record(record) = &facts.stay else {
                return Err(TestCaseError::fail("a validity without a stay record"));
            };
            prop_assert!(valid_until <= record.permitted_stay_end);
            prop_assert!(valid_until <= facts.mrz.unwrap().document_expiry);
            prop_assert!(valid_until >= today);
        }
    }

    #[test]
    fn without_a_lawful_stay_no_tier_is_reached((facts, today) in case()) {
        let decision = shipped().decide(&facts, today);
        if !lawful(&facts, today) {
            prop_assert_eq!(decision.tier, None);
        }
    }

    #[test]
    fn the_tier_is_never_above_the_request_and_t3_needs_six_months((facts, today) in case()) {
        let decision = shipped().decide(&facts, today);
        if let Some(tier) = decision.tier {
            prop_assert!(tier <= facts.requested_tier);
            if tier >= Tier::T3 {
                let StayAnswer::Record(record) = &facts.stay else {
                    return Err(TestCaseError::fail("a tier without a stay record"));
                };
                prop_assert!((record.permitted_stay_end - today).num_days() >= 180);
            }
        }
    }
}
