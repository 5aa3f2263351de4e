//! The committed synthetic corpus (test-passports/corpus), read image by image: no wrong field
//! is ever vouched for, and every layout has an image that reads whole.

use std::path::Path;

use idproof_passport::mrz::{Field, Mrz, Sex};
use idproof_passport::ocr::{self, ImageLimits};
use idproof_test_passports::{Layout, Truth};

/// At and above this confidence a field is vouched for.
const VOUCHED: f32 = 0.9;

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-passports/corpus"))
}

fn fields_of(mrz: &Mrz) -> [String; 10] {
    let date = |date: Option<chrono::NaiveDate>| {
        date.map(|d| d.format("%y%m%d").to_string()).unwrap_or_default()
    };
    let sex = match mrz.sex {
        Sex::Female => "F",
        Sex::Male => "M",
        Sex::Unspecified => "<",
    };
    [
        mrz.document_code.clone(),
        mrz.issuing_state.clone(),
        mrz.primary_identifier.clone(),
        mrz.secondary_identifier.clone(),
        mrz.document_number.clone(),
        mrz.nationality.clone(),
        date(mrz.birth_date),
        sex.to_owned(),
        date(mrz.expiry_date),
        mrz.optional_data.clone(),
    ]
}

fn field_of(name: &str) -> Field {
    match name {
        "document_code" => Field::DocumentCode,
        "issuing_state" => Field::IssuingState,
        "primary_identifier" | "secondary_identifier" => Field::Name,
        "document_number" => Field::DocumentNumber,
        "nationality" => Field::Nationality,
        "birth_date" => Field::BirthDate,
        "sex" => Field::Sex,
        "expiry_date" => Field::ExpiryDate,
        _ => Field::OptionalData,
    }
}

#[test]
fn no_wrong_field_is_vouched_for_and_every_layout_has_an_image_read_whole() {
    let entries = idproof_test_passports::read_manifest(corpus()).unwrap();
    assert_eq!(entries.len(), 20, "the committed corpus");
    let mut layouts_read_whole: Vec<Layout> = Vec::new();

    for entry in &entries {
        let bytes = std::fs::read(corpus().join(&entry.file)).unwrap();
        let Ok(read) = ocr::read_mrz(&bytes, entry.as_of, ImageLimits::default()) else {
            continue;
        };

        let fields = fields_of(&read.report.mrz);
        let truth = entry.truth();
        let wrong: Vec<&str> = Truth::FIELDS
            .iter()
            .zip(fields.iter().zip(truth.values()))
            .filter(|(_, (read, truth))| read.as_str() != *truth)
            .map(|(name, _)| *name)
            .collect();
        for name in &wrong {
            let field = field_of(name);
            let flagged = read.report.problems_with(field).next().is_some();
            let confidence = read.confidence.iter().find(|c| c.field == field);
            let doubted = confidence.is_none_or(|c| c.confidence < VOUCHED);
            assert!(flagged || doubted, "{}: {name} is wrong yet vouched for", entry.file);
        }
        if wrong.is_empty() {
            layouts_read_whole.push(entry.document.layout);
        }
    }

    for layout in Layout::ALL {
        assert!(layouts_read_whole.contains(&layout), "no {layout:?} read whole");
    }
}
