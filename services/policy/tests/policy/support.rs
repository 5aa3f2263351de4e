//! The shipped policy and facts that reach every tier, for tests to spoil one fact at a time.

use chrono::NaiveDate;
use idproof_policy::{Check, Facts, MrzFacts, Policy, StayAnswer, StayRecord, StayStatus};
use idproof_proofing::{Channel, Purpose, Tier};

pub const SHIPPED: &str = include_str!("../../../../policy/idproof.toml");

/// Every visa category code the shipped policy lists: the registry contract's codes.
pub const CATEGORY_CODES: [&str; 20] = [
    "exemption",
    "visa_on_arrival",
    "tr",
    "dtv",
    "non_b",
    "non_ib",
    "smart_t",
    "smart_i",
    "smart_e",
    "smart_s",
    "smart_o",
    "non_ed",
    "non_l_mou",
    "ltr_wgc",
    "ltr_wp",
    "ltr_wftp",
    "ltr_hsp",
    "non_o",
    "o_a",
    "o_x",
];

pub fn shipped() -> Policy {
    Policy::from_toml(SHIPPED, "policy/idproof.toml").unwrap()
}

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A day when every group of the shipped policy is in effect.
pub fn all_groups_day() -> NaiveDate {
    day("2027-06-01")
}

/// Everything an officer-confirmed T4 at a counter needs, for a `non_b` stay of two years.
pub fn full_facts(today: NaiveDate) -> Facts {
    Facts {
        purpose: Purpose::DigitalId,
        requested_tier: Tier::T4,
        channel: Channel::OfficerCounter,
        mrz: Some(MrzFacts { valid: true, document_expiry: today + chrono::Days::new(3000) }),
        chip: Check::Passed,
        face: Check::Passed,
        mobile_bound: true,
        officer_confirmed: true,
        stay: StayAnswer::Record(StayRecord {
            visa_category: "non_b".to_owned(),
            status: StayStatus::InCountry,
            permitted_stay_end: today + chrono::Days::new(730),
            last_entry: Some(today - chrono::Days::new(10)),
            name_matches: true,
            birth_date_matches: true,
        }),
    }
}

pub fn record(facts: &mut Facts) -> &mut StayRecord {
    match &mut facts.stay {
        StayAnswer::Record(record) => record,
        _ => panic!("the facts carry no record"),
    }
}
