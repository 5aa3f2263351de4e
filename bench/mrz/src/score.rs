//! Scoring a read against the ground truth, field by field, the same way for both readers.

use idproof_passport::mrz::{Mrz, Sex};
use idproof_test_passports::truth::words;
use idproof_test_passports::{Entry, Truth};
use serde::Serialize;

/// The fields compared, in report order.
pub(crate) const FIELDS: [&str; 10] = Truth::FIELDS;

/// A document's fields as plain text, fillers removed, in [`FIELDS`] order.
pub(crate) type Fields = [String; 10];

/// What one reader made of one image.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Outcome {
    /// The image, relative to the corpus.
    pub(crate) file: String,
    /// Milliseconds from the encoded image to the fields.
    pub(crate) elapsed_ms: f64,
    /// Which fields were right, in [`FIELDS`] order; all false when nothing was read.
    pub(crate) right: [bool; 10],
    /// The reader said the zone passed every check.
    pub(crate) claimed_valid: bool,
    /// Fields the reader vouched for (no problem, high confidence) that were wrong.
    pub(crate) vouched_wrong: Vec<&'static str>,
    /// The reader vouched for every field: the zone would pass with no officer looking.
    pub(crate) vouched_all: bool,
}

impl Outcome {
    pub(crate) fn fully_right(&self) -> bool {
        self.right.iter().all(|&right| right)
    }
}

/// The truth, from the zone's own lines.
pub(crate) fn truth(entry: &Entry) -> Fields {
    entry.truth().values().map(str::to_owned)
}

/// idproof's fields.
pub(crate) fn ours(mrz: &Mrz) -> Fields {
    let date = |date: Option<chrono::NaiveDate>| date.map(|d| d.format("%y%m%d").to_string());
    [
        mrz.document_code.clone(),
        mrz.issuing_state.clone(),
        mrz.primary_identifier.clone(),
        mrz.secondary_identifier.clone(),
        mrz.document_number.clone(),
        mrz.nationality.clone(),
        date(mrz.birth_date).unwrap_or_default(),
        match mrz.sex {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Unspecified => "<",
        }
        .to_owned(),
        date(mrz.expiry_date).unwrap_or_default(),
        mrz.optional_data.clone(),
    ]
}

/// PassportEye's fields, from the harness's JSON: fillers and spaces as it leaves them are
/// trimmed, `X` for sex counts as unspecified.
pub(crate) fn passporteye(fields: &serde_json::Value) -> Fields {
    let text = |key: &str| {
        let value = fields.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
        value.trim_end_matches('<').trim().to_owned()
    };
    let sex = match text("sex").as_str() {
        "X" | "" => "<".to_owned(),
        other => other.to_owned(),
    };
    [
        text("document_type"),
        text("issuing_state"),
        words(&text("primary_identifier").replace(' ', "<")),
        words(&text("secondary_identifier").replace(' ', "<")),
        text("document_number"),
        text("nationality"),
        text("birth_date"),
        sex,
        text("expiry_date"),
        text("optional_data").replace('<', ""),
    ]
}

/// Which of `read` match `truth`.
pub(crate) fn compare(read: &Fields, truth: &Fields) -> [bool; 10] {
    std::array::from_fn(|index| read[index] == truth[index])
}
