//! `idproof passport parse-mrz`: the MRZ parser at the command line, for clerks' support desks
//! and for people checking a document by hand.

use std::fmt::Write as _;

use std::path::Path;

use idproof_passport::{
    mrz::{self, MrzReport},
    ocr,
};
use idproof_proofing::{Clock, SystemClock};
use serde_json::json;

/// What the command exits with: 0 when every field holds, 1 when a field does not, 2 when the
/// lines are not an MRZ at all.
pub fn parse_mrz(lines: &[String], as_json: bool) -> (String, i32) {
    let lines: Vec<&str> = lines.iter().map(|line| line.trim()).collect();
    let today = SystemClock.now().date_naive();

    match mrz::parse(&lines, today) {
        Ok(report) => {
            let status = if report.is_valid() { 0 } else { 1 };
            let text =
                if as_json { report_json(&report).to_string() } else { report_table(&report) };
            (text, status)
        }
        Err(err) => {
            let text = if as_json {
                json!({ "valid": false, "error": { "code": err.code(), "detail": err.to_string() } })
                    .to_string()
            } else {
                format!("not an MRZ ({}): {err}", err.code())
            };
            (text, 2)
        }
    }
}

/// The largest image file the command reads.
const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// `idproof passport mrz IMAGE`: OCR, repair and checks, with each field's confidence.
pub fn read_mrz(path: &Path, as_json: bool) -> (String, i32) {
    let refuse = |code: &str, detail: String| {
        let text = if as_json {
            json!({ "valid": false, "error": { "code": code, "detail": detail } }).to_string()
        } else {
            format!("no MRZ read ({code}): {detail}")
        };
        (text, 2)
    };
    let size = std::fs::metadata(path).map(|metadata| metadata.len());
    match size {
        Err(err) => return refuse("image.unreadable", format!("{}: {err}", path.display())),
        Ok(size) if size > MAX_IMAGE_BYTES => {
            return refuse("image.too_large", format!("{size} bytes, over {MAX_IMAGE_BYTES}"));
        }
        Ok(_) => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return refuse("image.unreadable", format!("{}: {err}", path.display())),
    };

    let today = SystemClock.now().date_naive();
    match ocr::read_mrz(&bytes, today, ocr::ImageLimits::default()) {
        Err(err) => refuse(err.code(), err.to_string()),
        Ok(repaired) => {
            let status = if repaired.report.is_valid() { 0 } else { 1 };
            let text = if as_json {
                let mut value = report_json(&repaired.report);
                value["confidence"] = json!(repaired.confidence);
                value["repaired_characters"] = json!(repaired.repaired_characters);
                value.to_string()
            } else {
                let confidence: Vec<String> = repaired
                    .confidence
                    .iter()
                    .map(|field| format!("{:?} {:.1}", field.field, field.confidence))
                    .collect();
                format!(
                    "{}
confidence: {}",
                    report_table(&repaired.report),
                    confidence.join(", ")
                )
            };
            (text, status)
        }
    }
}

fn report_json(report: &MrzReport) -> serde_json::Value {
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|problem| {
            json!({ "field": problem.field, "code": problem.kind.code(), "detail": problem.detail })
        })
        .collect();
    json!({ "valid": report.is_valid(), "fields": report.mrz, "problems": problems })
}

fn report_table(report: &MrzReport) -> String {
    let mrz = &report.mrz;
    let date = |date: Option<chrono::NaiveDate>| date.map_or("–".to_owned(), |d| d.to_string());
    let rows = [
        ("format", format!("{:?}", mrz.format)),
        ("document code", mrz.document_code.clone()),
        ("issuing state", mrz.issuing_state.clone()),
        ("primary identifier", mrz.primary_identifier.clone()),
        ("secondary identifier", mrz.secondary_identifier.clone()),
        ("document number", mrz.document_number.clone()),
        ("nationality", mrz.nationality.clone()),
        ("date of birth", date(mrz.birth_date)),
        ("sex", format!("{:?}", mrz.sex)),
        ("date of expiry", date(mrz.expiry_date)),
        ("optional data", mrz.optional_data.clone()),
    ];

    let mut text = String::new();
    for (label, value) in rows {
        let _ = writeln!(text, "{label:<22}{value}");
    }
    if mrz.name_may_be_truncated {
        let _ = writeln!(text, "{:<22}the name fills its field and may be truncated", "note");
    }
    if report.is_valid() {
        let _ = write!(text, "valid: every check holds");
    } else {
        let _ = writeln!(text, "problems:");
        for problem in &report.problems {
            let _ = writeln!(
                text,
                "  {:?}: {} ({})",
                problem.field,
                problem.detail,
                problem.kind.code()
            );
        }
    }
    text.trim_end().to_owned()
}
