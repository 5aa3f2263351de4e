use chrono::{TimeZone, Utc};
use idproof_immigration::{StayReferences, VisaCategory};
use idproof_passport::mrz;

use super::*;

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];

/// A zone whose name fills its field, so the zone may have cut it.
const CUT: [&str; 2] = [
    "P<UTOVILARCHAO<FERNANDEZ<<JOSE<RAMON<MARIA<G",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn page(lines: [&str; 2]) -> Mrz {
    mrz::parse(&lines, day(2000, 1, 1)).unwrap().mrz
}

fn record(
    surname: &str,
    given_names: &str,
    status: StayStatus,
    end: Option<NaiveDate>,
) -> StayRecord {
    StayRecord {
        record_id: "IMM-1".to_owned(),
        surname: surname.to_owned(),
        given_names: given_names.to_owned(),
        date_of_birth: day(1974, 8, 12),
        nationality: Nationality::parse("UTO").unwrap(),
        document_number: DocumentNumber::parse("L898902C3").unwrap(),
        visa_category: VisaCategory::NonB,
        last_entry: Some(day(2026, 6, 1)),
        permitted_stay_end: end,
        status,
        references: StayReferences::default(),
        updated_at: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
    }
}

fn found(record: StayRecord, matching: Match) -> LookupOutcome {
    LookupOutcome::Found { matching, record }
}

#[test]
fn the_question_for_the_registry_comes_from_the_page() {
    let request = lookup_request(&page(TD3)).unwrap();

    assert_eq!(request.nationality.as_str(), "UTO");
    assert_eq!(request.document_number.as_str(), "L898902C3");
    assert_eq!(request.date_of_birth, day(1974, 8, 12));
}

#[test]
fn each_answer_gets_its_verdict() {
    let today = day(2026, 12, 4);
    let later = Some(day(2027, 6, 1));
    let anna = |status, end| record("ERIKSSON", "ANNA MARIA", status, end);
    let cases = [
        (LookupOutcome::NotFound, Verdict::Failed, "record_not_found"),
        (found(anna(StayStatus::InCountry, later), Match::Matched), Verdict::Passed, "stay_lawful"),
        (
            found(anna(StayStatus::InCountry, Some(today)), Match::Matched),
            Verdict::Passed,
            "stay_lawful",
        ),
        (
            found(anna(StayStatus::InCountry, Some(day(2026, 12, 3))), Match::Matched),
            Verdict::Failed,
            "stay.ended",
        ),
        (
            found(anna(StayStatus::InCountry, None), Match::Matched),
            Verdict::Flagged,
            "stay.end_unknown",
        ),
        (
            found(anna(StayStatus::Departed, later), Match::Matched),
            Verdict::Failed,
            "stay.departed",
        ),
        (
            found(anna(StayStatus::Overstayed, later), Match::Matched),
            Verdict::Flagged,
            "stay.overstayed",
        ),
        (found(anna(StayStatus::Barred, later), Match::Matched), Verdict::Flagged, "stay.barred"),
        (
            found(anna(StayStatus::InCountry, later), Match::BirthDateDiffers),
            Verdict::Flagged,
            "mrz.birth_date_differs",
        ),
        (
            found(record("ERIKSSON", "ANNA", StayStatus::InCountry, later), Match::Matched),
            Verdict::Flagged,
            "mrz.name_differs",
        ),
    ];

    for (answer, expected, reason) in cases {
        let outcome = judge_stay(&page(TD3), &answer, today);

        assert_eq!((outcome.verdict, outcome.reason.as_str()), (expected, reason), "{answer:?}");
        assert_eq!(outcome.step, Step::Immigration);
    }
}

#[test]
fn a_name_the_zone_cut_short_matches_the_registrys_whole_name() {
    let cut = page(CUT);
    let whole =
        record("Vilarchao-Fernandez", "José Ramón María Guadalupe", StayStatus::InCountry, None);
    let other = record("Vilarchao Fernandez", "Juan", StayStatus::InCountry, None);

    assert!(cut.name_may_be_truncated);
    assert!(names_match(&cut, &whole));
    assert!(!names_match(&cut, &other));
    assert!(!names_match(
        &page(TD3),
        &record("ERIKSSON", "ANNA MARIA LOUISE", StayStatus::InCountry, None)
    ));
}

#[test]
fn an_umlaut_matches_either_spelling_the_zone_may_use() {
    let plain = page(["P<D<<MULLER<<JURGEN<<<<<<<<<<<<<<<<<<<<<<<<<", TD3[1]]);
    let expanded = page(["P<D<<MUELLER<<JUERGEN<<<<<<<<<<<<<<<<<<<<<<<", TD3[1]]);
    let registry = record("Müller", "Jürgen", StayStatus::InCountry, None);

    assert!(names_match(&plain, &registry));
    assert!(names_match(&expanded, &registry));
    assert!(!names_match(&plain, &record("Müller", "Jörg", StayStatus::InCountry, None)));
}
