//! Repairing what OCR read, by position. The layout says what each position may hold: digits
//! in dates and check digits, letters in codes and names, fillers at the end of a field. OCR's
//! look-alikes are mapped by field kind, runs of filler look-alikes at the end of a field become
//! fillers, and in fields that take both letters and digits the look-alikes are tried until the
//! field's check digit holds. Nothing is guessed where a check digit cannot confirm it: such
//! fields keep what was read, and carry a lower confidence.

use chrono::NaiveDate;
use serde::Serialize;

mod confidence;
mod settle;
#[cfg(test)]
mod tests;

use super::{
    DocumentFormat, Field, MrzError, MrzReport,
    parse::{self, Layout, Span},
};

/// Characters OCR reads for a digit, in fields that hold digits only.
fn as_digit(character: u8) -> u8 {
    match character {
        b'O' | b'Q' | b'D' | b'U' => b'0',
        b'I' | b'L' | b'J' => b'1',
        b'Z' => b'2',
        b'A' => b'4',
        b'S' => b'5',
        b'G' => b'6',
        b'T' => b'7',
        b'B' => b'8',
        other => other,
    }
}

/// Characters OCR reads for a letter, in fields that hold letters only.
fn as_letter(character: u8) -> u8 {
    match character {
        b'0' => b'O',
        b'1' => b'I',
        b'2' => b'Z',
        b'4' => b'A',
        b'5' => b'S',
        b'6' => b'G',
        b'8' => b'B',
        other => other,
    }
}

/// What OCR reads for runs of the filler `<`.
const FILLER_LOOK_ALIKES: &[u8] = b"<KXCS";

/// The shortest run of filler look-alikes, at a field's end, that is read as fillers.
const FILLER_RUN: usize = 3;

/// How far a field can be trusted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldConfidence {
    /// The field.
    pub field: Field,
    /// 1.0: read as is, and its check digit holds, or (for a field no check digit covers)
    /// every check of the zone holds and every character was read sure; 0.9: repaired and
    /// confirmed by a check digit; 0.6: no check digit covers it, and it was repaired, read
    /// unsure, or some other check of the zone fails; or a character its check digit cannot
    /// tell from another (6 and G, `<` and K) was read unsure; 0.2: its own check fails.
    pub confidence: f32,
}

/// A zone repaired and parsed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Repaired {
    /// The lines after repair.
    pub lines: Vec<String>,
    /// The parse of the repaired lines.
    pub report: MrzReport,
    /// Each field's confidence.
    pub confidence: Vec<FieldConfidence>,
    /// How many characters the repair changed.
    pub repaired_characters: usize,
}

/// Repairs OCR output of a zone, then parses it. Spaces are dropped and letters uppercased;
/// lines of the wrong count or length are refused as [`parse`] refuses them.
pub fn repair(raw: &[&str], today: NaiveDate) -> Result<Repaired, MrzError> {
    repair_with(raw, None, today)
}

/// A character two readers of a cell disagreed on, neither settling it: the other reading, and
/// how sure the first reader was before the disagreement made the cell unsure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Doubt {
    pub(crate) rival: u8,
    pub(crate) trust: f32,
}

/// A zone read cell by cell: each line, the reader's confidence in each character, the cells
/// two readers agreed on, and those in doubt.
#[derive(Clone, Debug, Default)]
pub(crate) struct LaidZone {
    pub(crate) lines: Vec<String>,
    pub(crate) confidence: Vec<Vec<f32>>,
    pub(crate) agreed: Vec<Vec<bool>>,
    pub(crate) doubts: Vec<Vec<Option<Doubt>>>,
}

/// Repairs lines read cell by cell, whose fillers were told apart from letters by their shape:
/// letters and digits are settled by field kind and check digit, fillers are left be. A field
/// no check digit covers is doubted when any of its characters was read with little
/// confidence; a doubt the field's kind settles (O against 0 in a name) is no doubt.
pub(crate) fn repair_laid(laid: &LaidZone, today: NaiveDate) -> Result<Repaired, MrzError> {
    let lines: Vec<&str> = laid.lines.iter().map(String::as_str).collect();
    repair_with(&lines, Some(laid), today)
}

fn repair_with(
    raw: &[&str],
    laid: Option<&LaidZone>,
    today: NaiveDate,
) -> Result<Repaired, MrzError> {
    let fillers_from_text = laid.is_none();
    let cleaned: Vec<String> = raw
        .iter()
        .map(|line| {
            line.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
        })
        .collect();
    let cleaned = if fillers_from_text { fit_filler_runs_to_length(cleaned) } else { cleaned };
    let cleaned_refs: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    let format = parse::shape_of(&cleaned_refs)?;
    let layout = parse::layout_of(format);

    let original: Vec<Vec<u8>> = cleaned.iter().map(|line| line.as_bytes().to_vec()).collect();
    let mut zone = Zone(original.clone(), Vec::new());
    zone.map_by_kind(format, layout);
    let mut original = original;
    let cell_confidence =
        laid.map(|laid| settle_doubts_by_kind(laid, &mut original, &zone, format, layout));
    if fillers_from_text {
        zone.fill_trailing_runs(layout);
    }
    zone.end_fields_at_filler_runs(layout);
    zone.settle_country(layout.state);
    zone.settle_country(layout.nationality);
    zone.settle_by_check_digit(Field::DocumentNumber, layout.number, layout.number_check);
    if matches!(format, DocumentFormat::Td1 | DocumentFormat::Td2) {
        zone.settle_long_number(layout.number, layout.number_check, layout.optional);
    }
    zone.settle_date(layout.birth, layout.birth_check);
    zone.settle_date(layout.expiry, layout.expiry_check);
    if let Some(check) = layout.optional_check {
        zone.settle_optional_check(layout.optional, check);
        zone.settle_by_check_digit(Field::OptionalData, layout.optional, check);
    }

    let lines: Vec<String> =
        zone.0.iter().map(|line| String::from_utf8_lossy(line).into_owned()).collect();
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let report = parse::parse(&line_refs, today)?;
    let agreed = laid.map(|laid| laid.agreed.as_slice());
    let confidence = confidence::confidence(
        layout,
        &original,
        &zone,
        cell_confidence.as_deref(),
        agreed,
        &report,
    );
    let repaired_characters = original
        .iter()
        .zip(&zone.0)
        .map(|(before, after)| before.iter().zip(after).filter(|(a, b)| a != b).count())
        .sum();
    Ok(Repaired { lines, report, confidence, repaired_characters })
}

/// The cells' confidence, where a doubted cell whose two readings the field's kind maps to the
/// same character (O and 0 in a date or a name) takes back its first reader's confidence.
/// Where the rival reading is that character itself, it becomes the cell's reading in
/// `original`: mapping the other reading to it repaired nothing.
fn settle_doubts_by_kind(
    laid: &LaidZone,
    original: &mut [Vec<u8>],
    mapped: &Zone,
    format: DocumentFormat,
    layout: &Layout,
) -> Vec<Vec<f32>> {
    let mut rivals = Zone(mapped.0.clone(), Vec::new());
    for (line, doubts) in rivals.0.iter_mut().zip(&laid.doubts) {
        for (byte, doubt) in line.iter_mut().zip(doubts) {
            if let Some(doubt) = doubt {
                *byte = doubt.rival;
            }
        }
    }
    rivals.map_by_kind(format, layout);

    let mut confidence = laid.confidence.clone();
    for (row, doubts) in laid.doubts.iter().enumerate() {
        for (at, doubt) in doubts.iter().enumerate() {
            let Some(doubt) = doubt else { continue };
            let settled = mapped.0.get(row).and_then(|line| line.get(at)).copied();
            if settled.is_none() || rivals.0[row].get(at).copied() != settled {
                continue;
            }
            if let Some(trust) = confidence.get_mut(row).and_then(|line| line.get_mut(at)) {
                *trust = trust.max(doubt.trust);
            }
            if Some(doubt.rival) == settled
                && let Some(read) = original.get_mut(row).and_then(|line| line.get_mut(at))
            {
                *read = doubt.rival;
            }
        }
    }
    confidence
}

/// The line length a zone of this many lines most likely has, if any is near enough.
fn likely_length(lines: &[String]) -> Option<usize> {
    const SLACK: usize = 8;
    let longest = lines.iter().map(String::len).max()?;
    match lines.len() {
        3 => Some(30),
        2 => [44, 36].into_iter().min_by_key(|length| longest.abs_diff(*length)),
        _ => None,
    }
    .filter(|length| longest.abs_diff(*length) <= SLACK)
}

/// OCR reads a run of fillers as more or fewer characters than there are. A line that is too
/// long is cut where its end is filler look-alikes; one that is too short and ends in them is
/// padded with fillers. Any other line keeps its length, and the parser refuses it.
fn fit_filler_runs_to_length(lines: Vec<String>) -> Vec<String> {
    let Some(length) = likely_length(&lines) else {
        return lines;
    };
    lines
        .into_iter()
        .map(|line| {
            let bytes = line.as_bytes();
            let run = bytes.iter().rev().take_while(|b| FILLER_LOOK_ALIKES.contains(b)).count();
            let fits = if line.len() > length { line.len() - length <= run } else { run >= 1 };
            if !line.is_ascii() || !fits {
                return line;
            }
            let mut fitted: String = line.chars().take(length).collect();
            while fitted.len() < length {
                fitted.push('<');
            }
            fitted
        })
        .collect()
}

/// The zone's lines, as bytes, under repair, and the fields whose repair was a guess.
struct Zone(Vec<Vec<u8>>, Vec<Field>);

impl Zone {
    fn bytes(&self, span: Span) -> &[u8] {
        &self.0[span.line][span.at..span.at + span.len]
    }

    fn map(&mut self, span: Span, map: fn(u8) -> u8) {
        for byte in &mut self.0[span.line][span.at..span.at + span.len] {
            *byte = map(*byte);
        }
    }

    fn map_by_kind(&mut self, format: DocumentFormat, layout: &Layout) {
        for span in [layout.birth, layout.birth_check, layout.expiry, layout.expiry_check] {
            self.map(span, as_digit);
        }
        if let Some((check, _)) = layout.composite {
            self.map(check, as_digit);
        }
        // A TD1 or TD2 number check position may hold `<` for a long number; keep it.
        let long_number_possible = matches!(format, DocumentFormat::Td1 | DocumentFormat::Td2);
        if !long_number_possible || self.bytes(layout.number_check)[0] != b'<' {
            self.map(layout.number_check, as_digit);
        }
        for span in [layout.code, layout.state, layout.nationality, layout.sex, layout.name] {
            self.map(span, as_letter);
        }
        // A card's code opens with A, C or I (Doc 9303-5, 4.2.2): a T, L or J there is an I.
        let first = &mut self.0[layout.code.line][layout.code.at];
        if matches!(format, DocumentFormat::Td1 | DocumentFormat::Td2)
            && matches!(*first, b'T' | b'L' | b'J')
        {
            *first = b'I';
        }
    }

    /// A field ends in fillers: a run of filler look-alikes at its end becomes fillers.
    // TODO: a name that ends in S, C, K or X right before its fillers loses that letter when
    // tesseract's raw text is repaired ("JONES<<<" becomes "JONE"). Keeping a differing first
    // letter of the run was measured to keep misread fillers after names more often
    // ("MARIAK<X<<" stays "MARIAK"); reads laid on the cell grid skip this step instead.
    fn fill_trailing_runs(&mut self, layout: &Layout) {
        let spans = [Some(layout.name), Some(layout.optional), layout.optional_2];
        for span in spans.into_iter().flatten() {
            let field = &mut self.0[span.line][span.at..span.at + span.len];
            let run = field.iter().rev().take_while(|b| FILLER_LOOK_ALIKES.contains(b)).count();
            if run >= FILLER_RUN {
                let start = field.len() - run;
                field[start..].fill(b'<');
            }
        }
    }

    /// A name holds at most two fillers in a row (between primary and secondary identifier):
    /// after three, the name has ended, and look-alikes read there are fillers.
    /// The same holds for optional data in practice: states fill it from the left.
    fn end_fields_at_filler_runs(&mut self, layout: &Layout) {
        let spans = [Some(layout.name), Some(layout.optional), layout.optional_2];
        for span in spans.into_iter().flatten() {
            let field = &mut self.0[span.line][span.at..span.at + span.len];
            let Some(end) = field.windows(3).position(|run| run == b"<<<") else { continue };
            for byte in &mut field[end..] {
                if FILLER_LOOK_ALIKES.contains(byte) || *byte == b'E' {
                    *byte = b'<';
                }
            }
        }
    }

    /// TD3's optional data check: `<` when the field is empty, else a digit.
    fn settle_optional_check(&mut self, optional: Span, check: Span) {
        let empty = self.bytes(optional).iter().all(|&b| b == b'<');
        let digit = &mut self.0[check.line][check.at];
        if empty && FILLER_LOOK_ALIKES.contains(digit) {
            *digit = b'<';
        } else {
            *digit = as_digit(*digit);
        }
    }
}
