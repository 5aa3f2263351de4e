//! The immigration step: the registry's stay record for the passport the page gave, judged
//! against that page. The record itself is sealed in the store as evidence; only the step's
//! verdict and its code leave here.

use chrono::NaiveDate;
use idproof_immigration::{
    DocumentNumber, LookupOutcome, LookupRequest, Match, Nationality, StayRecord, StayStatus,
};
use idproof_passport::mrz::Mrz;
use idproof_proofing::{Step, StepOutcome, Verdict};
use serde::{Deserialize, Serialize};

/// The media type of a sealed stay record: the registry's answer as JSON.
pub(crate) const STAY_RECORD_MEDIA_TYPE: &str = "application/vnd.idproof.stay-record+json";

/// The registry's answer as it is sealed: how the record matched, and the record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SealedStay {
    /// Whether the date of birth given was the record's.
    pub(crate) matching: Match,
    /// The record.
    pub(crate) record: StayRecord,
}

/// The question for the registry, from the page's MRZ; `None` when the MRZ lacks a field the
/// registry needs (a date of birth the zone left unknown, a nationality of digits).
pub(crate) fn lookup_request(mrz: &Mrz) -> Option<LookupRequest> {
    let nationality = Nationality::parse(mrz.nationality.trim_end_matches('<')).ok()?;
    let document_number = DocumentNumber::parse(&mrz.document_number).ok()?;
    let date_of_birth = mrz.birth_date?;
    Some(LookupRequest { nationality, document_number, date_of_birth })
}

/// The immigration step's verdict on the registry's answer.
///
/// Passed when the record is the page's person (date of birth and name) with a stay that lasts
/// past `today`. An overstay, a bar or a record that differs from the page goes to an officer;
/// no record, a departure or a stay that has ended fails the step.
pub(crate) fn judge_stay(page: &Mrz, outcome: &LookupOutcome, today: NaiveDate) -> StepOutcome {
    let (matching, record) = match outcome {
        LookupOutcome::NotFound => return verdict(Verdict::Failed, "record_not_found"),
        LookupOutcome::Found { matching, record } => (matching, record),
    };

    match record.status {
        StayStatus::Barred => return verdict(Verdict::Flagged, "stay.barred"),
        StayStatus::Overstayed => return verdict(Verdict::Flagged, "stay.overstayed"),
        StayStatus::Departed => return verdict(Verdict::Failed, "stay.departed"),
        StayStatus::InCountry => {}
    }
    if *matching == Match::BirthDateDiffers {
        return verdict(Verdict::Flagged, "mrz.birth_date_differs");
    }
    if !names_match(page, record) {
        return verdict(Verdict::Flagged, "mrz.name_differs");
    }
    match record.permitted_stay_end {
        Some(end) if end >= today => verdict(Verdict::Passed, "stay_lawful"),
        Some(_) => verdict(Verdict::Failed, "stay.ended"),
        None => verdict(Verdict::Flagged, "stay.end_unknown"),
    }
}

fn verdict(verdict: Verdict, reason: &str) -> StepOutcome {
    StepOutcome::new(Step::Immigration, verdict, reason)
}

/// Whether the registry's name is the one the MRZ holds. The registry may write accents the
/// zone cannot: Doc 9303 Part 3 lets a state write Ä as A or as AE, so both spellings are tried.
/// Where the zone may have cut the name short, the registry's may go on past the cut.
pub(crate) fn names_match(page: &Mrz, record: &StayRecord) -> bool {
    let cut = format!(
        "{}  {}",
        words(&page.primary_identifier, Spelling::Plain),
        words(&page.secondary_identifier, Spelling::Plain)
    );

    [Spelling::Plain, Spelling::Expanded].into_iter().any(|spelling| {
        let whole = format!(
            "{}  {}",
            words(&record.surname, spelling),
            words(&record.given_names, spelling)
        );
        whole == cut || (page.name_may_be_truncated && whole.starts_with(cut.trim_end()))
    })
}

/// How a letter with a diacritic is written in A to Z.
#[derive(Clone, Copy)]
enum Spelling {
    /// The base letter: Ä as A.
    Plain,
    /// Doc 9303's expanded form where it has one: Ä as AE, Ø as OE, Ü as UE.
    Expanded,
}

/// Upper-case letters A to Z, each run of anything else one space: the form the MRZ writes
/// names in.
fn words(name: &str, spelling: Spelling) -> String {
    let mut letters = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_uppercase) {
        match transliterate(c, spelling) {
            Some(latin) => letters.push_str(latin),
            None if c.is_ascii_uppercase() => letters.push(c),
            None => letters.push(' '),
        }
    }
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Latin letters with diacritics that passports' names carry most, in A to Z.
fn transliterate(c: char, spelling: Spelling) -> Option<&'static str> {
    let expanded = matches!(spelling, Spelling::Expanded);
    Some(match c {
        'Ä' | 'Æ' if expanded => "AE",
        'Ö' | 'Ø' if expanded => "OE",
        'Ü' if expanded => "UE",
        'Å' if expanded => "AA",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'Æ' => "AE",
        'Ç' | 'Ć' | 'Č' => "C",
        'Ď' | 'Đ' | 'Ð' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'Ğ' => "G",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => "I",
        'Ł' => "L",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => "O",
        'Œ' => "OE",
        'Ř' => "R",
        'Ś' | 'Š' | 'Ş' => "S",
        'ẞ' => "SS",
        'Ť' | 'Ţ' => "T",
        'Þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
        'Ý' | 'Ÿ' => "Y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
