//! The registry's people, drawn with the test passports from a seed and a reference day: the
//! same seed and day give the same people, and seeding twice adds no one.
//!
//! - the demo people: a fixed list, the same for every seed, printed with `--list`;
//! - the holder of every valid test chip (`idproof_test_passports::chip`, drawn for the same
//!   seed and day), in the country on a long stay, so a chip read can reach the top tier;
//! - for every category, one person in every status, one whose stay ends within 30 days, and
//!   where the category's stay is longer, one with less than 180 days left.
//!
//! Stays follow DOMAIN.md section 3: the category gives the length of a stay from entry and
//! the references it rests on.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};
use idproof_test_passports::chip::{self, CHIPS};
use idproof_test_passports::document::{self, Document, Layout};
use idproof_test_passports::pki::keys::stream;
use idproof_test_passports::zone;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::records::{Category, References, Status, StayRecord};
use crate::registry::{Registry, RegistryError};

/// The seed the test chips of idproof's own tests are drawn with.
pub const DEFAULT_SEED: u64 = 9303;

/// The demo people's seed: theirs do not change with the registry's.
const DEMO_SEED: u64 = 0x0de3_0001;

/// What to seed the registry with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedPlan {
    /// Draws the people and the test chips' holders.
    pub seed: u64,
    /// The reference day stays are placed around; the test chips must be drawn for it too.
    pub as_of: NaiveDate,
}

/// Where a seeded person comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// One of the fixed demo people.
    Demo,
    /// The holder of this valid test chip.
    Chip(&'static str),
    /// Drawn for a category and status.
    Drawn,
}

/// One person of the registry: their record, and the passport it was drawn from.
#[derive(Clone, Debug)]
pub struct Person {
    /// The stay record as seeded.
    pub record: StayRecord,
    /// The passport (TD3), whose zone [`Person::mrz`] writes.
    pub document: Document,
    /// Where the person comes from.
    pub origin: Origin,
}

impl Person {
    /// The passport's machine readable zone, two lines of 44.
    pub fn mrz(&self) -> Vec<String> {
        zone::lines(&self.document)
    }
}

/// What seeding did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    /// The people in the plan.
    pub people: usize,
    /// Those newly stored; the rest were there already.
    pub inserted: u64,
    /// The demo people's record ids, categories and statuses: nothing personal.
    pub demo: Vec<(String, Category, Status)>,
}

/// Stores the plan's people that are not in the registry yet.
pub async fn seed(registry: &Registry, plan: SeedPlan) -> Result<SeedReport, RegistryError> {
    let people = people(plan);
    let records: Vec<StayRecord> = people.iter().map(|person| person.record.clone()).collect();
    let inserted = registry.insert_missing(&records).await?;
    let demo = people
        .iter()
        .filter(|person| person.origin == Origin::Demo)
        .map(|person| {
            let record = &person.record;
            (record.record_id.clone(), record.visa_category, record.status)
        })
        .collect();
    Ok(SeedReport { people: people.len(), inserted, demo })
}

/// Every person of the plan: the demo people first, then the chip holders, then the drawn.
pub fn people(plan: SeedPlan) -> Vec<Person> {
    let mut taken = HashSet::new();
    let mut people = demo_people(plan);
    for person in &people {
        taken.insert(passport_key(&person.document));
    }

    for (index, plan_chip) in CHIPS.iter().filter(|chip| chip.expected == "valid").enumerate() {
        let document = chip::page_holder(plan.seed, plan_chip, plan.as_of);
        if !taken.insert(passport_key(&document)) {
            continue;
        }
        // The categories in turn, skipping those the holder's age does not fit.
        let category = (0..CHIP_CATEGORIES.len())
            .map(|turn| CHIP_CATEGORIES[(index + turn) % CHIP_CATEGORIES.len()])
            .find(|category| fits(&document, *category, plan.as_of))
            .unwrap_or(Category::LtrHsp);
        let mut rng = stream(plan.seed, &format!("immigration/chip/{}", plan_chip.name));
        let entry = plan.as_of - Days::new(30);
        let stay = Stay::entered(entry, stay_days(category, true));
        let record = record(&document, category, Status::InCountry, stay, &mut rng, plan);
        people.push(Person { record, document, origin: Origin::Chip(plan_chip.name) });
    }

    for category in Category::ALL {
        let mut shapes: Vec<(Status, Shape)> =
            Status::ALL.iter().map(|status| (*status, Shape::Any)).collect();
        shapes.push((Status::InCountry, Shape::EndsWithin30Days));
        if stay_days(category, true) > 180 {
            shapes.push((Status::InCountry, Shape::Under180DaysLeft));
        }
        for (index, (status, shape)) in shapes.into_iter().enumerate() {
            let label = format!("immigration/{category}/{status}/{index}");
            let mut rng = stream(plan.seed, &label);
            let document = draw_holder(&mut rng, category, plan.as_of, &mut taken);
            let extended = index % 2 == 1;
            let stay = Stay::draw(&mut rng, status, shape, stay_days(category, extended), plan);
            let record = record(&document, category, status, stay, &mut rng, plan);
            people.push(Person { record, document, origin: Origin::Drawn });
        }
    }
    people
}

/// The demo people: fixed identities, their stays placed around the plan's day.
pub fn demo_people(plan: SeedPlan) -> Vec<Person> {
    let mut taken = HashSet::new();
    DEMO.iter()
        .enumerate()
        .map(|(index, demo)| {
            let label = format!("immigration/demo/{index}");
            let mut rng = stream(DEMO_SEED, &label);
            let mut document = draw_holder(&mut rng, demo.category, DEMO_DAY, &mut taken);
            // The passport stays valid whatever the day.
            document.expiry_date = plan.as_of + Days::new(5 * 365);
            let stay = demo.stay.place(plan.as_of, stay_days(demo.category, true));
            let mut record = record(&document, demo.category, demo.status, stay, &mut rng, plan);
            record.record_id = format!("IMM-DEMO-{:02}", index + 1);
            Person { record, document, origin: Origin::Demo }
        })
        .collect()
}

/// The demo people as a table for people: identities and zones. Personal data (if made up):
/// for stdout on request only, never the log.
pub fn demo_listing(plan: SeedPlan) -> String {
    let mut out = String::new();
    for person in demo_people(plan) {
        let record = &person.record;
        let end = record.permitted_stay_end.map_or("-".to_owned(), |end| end.to_string());
        let _ = writeln!(
            out,
            "{}  {:<10} {:<10} stay until {end}",
            record.record_id, record.visa_category, record.status
        );
        let _ = writeln!(
            out,
            "    {} {}  {} {}  born {}",
            record.surname,
            record.given_names,
            record.nationality,
            record.document_number,
            record.date_of_birth
        );
        for line in person.mrz() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The day the demo people's passports are drawn for.
const DEMO_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// A demo person's stay, relative to the plan's day.
#[derive(Clone, Copy)]
enum DemoStay {
    /// In the country, entered this many days ago, the stay ending this many days from now.
    Current { entered_days_ago: u64, days_left: u64 },
    /// Overstayed by this many days.
    Overstayed { days_over: u64 },
    /// Left this many days ago.
    Departed { days_ago: u64 },
    /// Barred without ever entering.
    Barred,
}

impl DemoStay {
    fn place(self, as_of: NaiveDate, length: u64) -> Stay {
        match self {
            DemoStay::Current { entered_days_ago, days_left } => Stay {
                last_entry: Some(as_of - Days::new(entered_days_ago)),
                permitted_stay_end: Some(as_of + Days::new(days_left)),
            },
            DemoStay::Overstayed { days_over } => {
                let end = as_of - Days::new(days_over);
                Stay { last_entry: Some(end - Days::new(length)), permitted_stay_end: Some(end) }
            }
            DemoStay::Departed { days_ago } => {
                let left = as_of - Days::new(days_ago);
                Stay {
                    last_entry: Some(left - Days::new(length / 2)),
                    permitted_stay_end: Some(left),
                }
            }
            DemoStay::Barred => Stay { last_entry: None, permitted_stay_end: None },
        }
    }
}

struct Demo {
    category: Category,
    status: Status,
    stay: DemoStay,
}

const fn current(category: Category, entered_days_ago: u64, days_left: u64) -> Demo {
    Demo {
        category,
        status: Status::InCountry,
        stay: DemoStay::Current { entered_days_ago, days_left },
    }
}

/// The demo people, `IMM-DEMO-01` onwards, in this order.
const DEMO: &[Demo] = &[
    current(Category::Exemption, 15, 45),
    current(Category::Dtv, 30, 150),
    current(Category::NonB, 165, 200),
    current(Category::NonIb, 65, 300),
    current(Category::SmartT, 365, 1095),
    current(Category::LtrWftp, 365, 1460),
    current(Category::NonEd, 165, 200),
    current(Category::NonLMou, 365, 365),
    current(Category::OA, 115, 250),
    current(Category::NonB, 355, 10),
    Demo {
        category: Category::Exemption,
        status: Status::Overstayed,
        stay: DemoStay::Overstayed { days_over: 12 },
    },
    Demo {
        category: Category::Tr,
        status: Status::Departed,
        stay: DemoStay::Departed { days_ago: 20 },
    },
    Demo { category: Category::Exemption, status: Status::Barred, stay: DemoStay::Barred },
];

/// The categories the valid chips' holders stay in, in turn: long stays of every group.
const CHIP_CATEGORIES: [Category; 9] = [
    Category::LtrHsp,
    Category::SmartT,
    Category::NonB,
    Category::OX,
    Category::LtrWftp,
    Category::NonIb,
    Category::SmartI,
    Category::NonEd,
    Category::LtrWgc,
];

/// The days a stay of `category` lasts from entry (or from an extension). `extended` picks
/// Non-B's one-year extension over its 90 days of entry.
fn stay_days(category: Category, extended: bool) -> u64 {
    match category {
        Category::VisaOnArrival => 15,
        Category::Exemption | Category::Tr => 60,
        Category::NonO => 90,
        Category::NonB if !extended => 90,
        Category::Dtv => 180,
        Category::NonB | Category::NonIb | Category::NonEd | Category::OA => 365,
        Category::NonLMou | Category::SmartS => 2 * 365,
        Category::SmartT | Category::SmartI | Category::SmartE | Category::SmartO => 4 * 365,
        Category::LtrWgc | Category::LtrWp | Category::LtrWftp | Category::LtrHsp => 5 * 365,
        Category::OX => 5 * 365,
    }
}

/// Which stay a drawn person of a status gets.
#[derive(Clone, Copy)]
enum Shape {
    Any,
    EndsWithin30Days,
    Under180DaysLeft,
}

/// A stay's dates.
#[derive(Clone, Copy)]
struct Stay {
    last_entry: Option<NaiveDate>,
    permitted_stay_end: Option<NaiveDate>,
}

impl Stay {
    fn entered(entry: NaiveDate, length: u64) -> Self {
        Stay { last_entry: Some(entry), permitted_stay_end: Some(entry + Days::new(length)) }
    }

    fn ending(end: NaiveDate, length: u64) -> Self {
        Stay { last_entry: Some(end - Days::new(length)), permitted_stay_end: Some(end) }
    }

    fn draw(rng: &mut impl Rng, status: Status, shape: Shape, length: u64, plan: SeedPlan) -> Self {
        let day = plan.as_of;
        match (status, shape) {
            (Status::InCountry, Shape::EndsWithin30Days) => {
                Stay::ending(day + Days::new(rng.random_range(1..=30)), length)
            }
            (Status::InCountry, Shape::Under180DaysLeft) => {
                Stay::ending(day + Days::new(rng.random_range(31..180)), length)
            }
            (Status::InCountry, Shape::Any) => {
                Stay::entered(day - Days::new(rng.random_range(0..length)), length)
            }
            (Status::Departed, _) => {
                let left = day - Days::new(rng.random_range(1..=200));
                Stay {
                    last_entry: Some(left - Days::new(rng.random_range(1..=length))),
                    permitted_stay_end: Some(left),
                }
            }
            (Status::Overstayed, _) => {
                Stay::ending(day - Days::new(rng.random_range(1..=120)), length)
            }
            (Status::Barred, _) if rng.random_bool(0.5) => {
                Stay { last_entry: None, permitted_stay_end: None }
            }
            (Status::Barred, _) => {
                Stay::ending(day - Days::new(rng.random_range(200..=900)), length)
            }
        }
    }
}

/// Draws a passport holder fit for `category` (of a MOU state, of retirement age…) whose
/// passport is not taken yet, and takes it.
fn draw_holder(
    rng: &mut impl Rng,
    category: Category,
    day: NaiveDate,
    taken: &mut HashSet<(String, String)>,
) -> Document {
    let mut fallback = None;
    for _ in 0..1000 {
        let mut document = document::draw(rng, Layout::Td3, day);
        document.document_code = "P".to_owned();
        if taken.contains(&passport_key(&document)) {
            continue;
        }
        if fits(&document, category, day) {
            taken.insert(passport_key(&document));
            return document;
        }
        fallback.get_or_insert(document);
    }
    // Not reached with the pools test-passports draws from; a person of the wrong pool beats
    // none.
    let document = fallback.unwrap_or_else(|| document::draw(rng, Layout::Td3, day));
    taken.insert(passport_key(&document));
    document
}

fn fits(document: &Document, category: Category, day: NaiveDate) -> bool {
    let age = day.year() - document.birth_date.year();
    match category {
        Category::NonLMou => ["MMR", "LAO", "KHM"].contains(&document.nationality.as_str()),
        Category::OA | Category::OX | Category::LtrWp => age >= 51,
        Category::NonEd => age <= 35,
        _ => true,
    }
}

fn passport_key(document: &Document) -> (String, String) {
    (document.nationality.clone(), document.document_number.clone())
}

/// A record id stable for a passport: `IMM-` and 10 hex digits of its hash.
fn record_id(document: &Document) -> String {
    let digest = Sha256::digest(format!("{}<{}", document.nationality, document.document_number));
    format!("IMM-{}", hex::encode_upper(&digest[..5]))
}

fn record(
    document: &Document,
    category: Category,
    status: Status,
    stay: Stay,
    rng: &mut impl Rng,
    plan: SeedPlan,
) -> StayRecord {
    StayRecord {
        record_id: record_id(document),
        surname: document.primary_identifier.clone(),
        given_names: document.secondary_identifier.clone(),
        date_of_birth: document.birth_date,
        nationality: document.nationality.clone(),
        document_number: document.document_number.clone(),
        visa_category: category,
        last_entry: stay.last_entry,
        permitted_stay_end: stay.permitted_stay_end,
        status,
        references: references(category, stay, rng),
        updated_at: plan.as_of.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    }
}

/// The permits a stay of `category` rests on: a work permit for Non-B's extension, Non-IB and
/// MOU workers, a BOI approval for Non-IB, the SMART and LTR approvals.
fn references(category: Category, stay: Stay, rng: &mut impl Rng) -> References {
    let mut number =
        |prefix: &str| format!("{prefix}-{:010}", rng.random_range(0..10_000_000_000u64));
    let length = match (stay.last_entry, stay.permitted_stay_end) {
        (Some(entry), Some(end)) => (end - entry).num_days(),
        _ => 0,
    };
    let mut references = References::default();
    match category {
        Category::NonB if length > 90 => references.work_permit = Some(number("WP")),
        Category::NonLMou => references.work_permit = Some(number("WP")),
        Category::NonIb => {
            references.work_permit = Some(number("WP"));
            references.boi_approval = Some(number("BOI"));
        }
        Category::SmartT
        | Category::SmartI
        | Category::SmartE
        | Category::SmartS
        | Category::SmartO => references.smart_approval = Some(number("SMART")),
        Category::LtrWgc | Category::LtrWp | Category::LtrWftp | Category::LtrHsp => {
            references.ltr_approval = Some(number("LTR"));
        }
        _ => {}
    }
    references
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SeedPlan {
        SeedPlan { seed: DEFAULT_SEED, as_of: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap() }
    }

    #[test]
    fn the_same_plan_draws_the_same_people_and_another_seed_others() {
        let first: Vec<StayRecord> = people(plan()).into_iter().map(|p| p.record).collect();
        let again: Vec<StayRecord> = people(plan()).into_iter().map(|p| p.record).collect();
        assert_eq!(first, again);
        let other = SeedPlan { seed: 1, ..plan() };
        let other: Vec<StayRecord> = people(other).into_iter().map(|p| p.record).collect();
        assert_ne!(first[DEMO.len()..], other[DEMO.len()..]);
        // The demo people do not change with the seed.
        assert_eq!(first[..DEMO.len()], other[..DEMO.len()]);
    }

    #[test]
    fn passports_and_record_ids_are_unique() {
        let people = people(plan());
        let passports: HashSet<_> = people.iter().map(|p| passport_key(&p.document)).collect();
        let ids: HashSet<_> = people.iter().map(|p| p.record.record_id.clone()).collect();
        assert_eq!(passports.len(), people.len());
        assert_eq!(ids.len(), people.len());
    }

    #[test]
    fn stays_are_consistent_with_their_status() {
        let day = plan().as_of;
        for person in people(plan()) {
            let record = &person.record;
            let (entry, end) = (record.last_entry, record.permitted_stay_end);
            if let (Some(entry), Some(end)) = (entry, end) {
                assert!(entry <= end, "{}", record.record_id);
            }
            match record.status {
                Status::InCountry => assert!(entry.unwrap() <= day && end.unwrap() >= day),
                Status::Overstayed | Status::Departed => assert!(end.unwrap() < day),
                Status::Barred => {}
            }
        }
    }

    #[test]
    fn mou_workers_come_from_mou_states_and_retirees_are_over_fifty() {
        for person in people(plan()) {
            // The demo people fit on the day they were drawn for.
            let day = if person.origin == Origin::Demo { DEMO_DAY } else { plan().as_of };
            assert!(
                fits(&person.document, person.record.visa_category, day),
                "{} {:?}",
                person.record.record_id,
                person.origin
            );
        }
    }
}
