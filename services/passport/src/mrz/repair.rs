//! Repairing what OCR read, by position. The layout says what each position may hold: digits
//! in dates and check digits, letters in codes and names, fillers at the end of a field. OCR's
//! look-alikes are mapped by field kind, runs of filler look-alikes at the end of a field become
//! fillers, and in fields that take both letters and digits the look-alikes are tried until the
//! field's check digit holds. Nothing is guessed where a check digit cannot confirm it: such
//! fields keep what was read, and carry a lower confidence.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    DocumentFormat, Field, MrzError, MrzReport, ProblemKind, check_digit, codes,
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

/// Look-alikes a check digit can tell apart. 6/G and the filler/K weigh the same modulo 10 and
/// are never tried: a check digit would confirm either.
const SWAPS: &[(u8, u8)] = &[
    (b'0', b'O'),
    (b'O', b'0'),
    (b'1', b'I'),
    (b'I', b'1'),
    (b'8', b'B'),
    (b'B', b'8'),
    (b'5', b'S'),
    (b'S', b'5'),
    (b'2', b'Z'),
    (b'Z', b'2'),
    // One way only: a T read for a 7; a 7 taken for a T would be a guess the check digit
    // confirms one time in ten.
    (b'T', b'7'),
    // A filler inside a number (never at its end, where fillers pad it) is an S misread; K
    // weighs the same as the filler, so the check digit could not confirm a K.
    (b'<', b'S'),
];

/// What OCR reads for runs of the filler `<`.
const FILLER_LOOK_ALIKES: &[u8] = b"<KXCS";

/// The shortest run of filler look-alikes, at a field's end, that is read as fillers.
const FILLER_RUN: usize = 3;

/// How many ambiguous positions a field may have before no swaps are tried.
const MAX_AMBIGUOUS: usize = 10;

/// How many look-alikes are swapped at once, at most.
const MAX_SWAPS: usize = 2;

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
/// lines of the wrong count or length are refused as [`parse`](super::parse) refuses them.
pub fn repair(raw: &[&str], today: NaiveDate) -> Result<Repaired, MrzError> {
    repair_with(raw, None, today)
}

/// Repairs lines read cell by cell, whose fillers were told apart from letters by their shape:
/// letters and digits are settled by field kind and check digit, fillers are left be.
/// `cell_confidence` holds the reader's confidence in each character; a field no check digit
/// covers is doubted when any of its characters was read with little.
pub(crate) fn repair_laid(
    lines: &[&str],
    cell_confidence: &[Vec<f32>],
    today: NaiveDate,
) -> Result<Repaired, MrzError> {
    repair_with(lines, Some(cell_confidence), today)
}

fn repair_with(
    raw: &[&str],
    cell_confidence: Option<&[Vec<f32>]>,
    today: NaiveDate,
) -> Result<Repaired, MrzError> {
    let fillers_from_text = cell_confidence.is_none();
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
    if fillers_from_text {
        zone.fill_trailing_runs(layout);
    }
    zone.end_fields_at_filler_runs(layout);
    zone.settle_country(layout.state);
    zone.settle_country(layout.nationality);
    zone.settle_by_check_digit(Field::DocumentNumber, layout.number, layout.number_check);
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
    let confidence = confidence(layout, &original, &zone, cell_confidence, &report);
    let repaired_characters = original
        .iter()
        .zip(&zone.0)
        .map(|(before, after)| before.iter().zip(after).filter(|(a, b)| a != b).count())
        .sum();
    Ok(Repaired { lines, report, confidence, repaired_characters })
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

    /// A state or nationality that names no state is tried with one look-alike letter swapped
    /// (`IPN` for `JPN`, `XKA` for `XXA`); taken only when exactly one swap names a state.
    fn settle_country(&mut self, span: Span) {
        const LOOK_ALIKES: &[(u8, u8)] = &[
            (b'I', b'J'),
            (b'J', b'I'),
            (b'K', b'X'),
            (b'X', b'K'),
            (b'O', b'D'),
            (b'D', b'O'),
            (b'O', b'Q'),
            (b'V', b'U'),
            (b'U', b'V'),
        ];
        let code = self.bytes(span).to_vec();
        let known = |code: &[u8]| {
            let text: String = code.iter().map(|&b| char::from(b)).collect();
            codes::is_known(text.trim_end_matches('<'))
        };
        if known(&code) {
            return;
        }
        let mut fits = Vec::new();
        for index in 0..code.len() {
            for &(_, to) in LOOK_ALIKES.iter().filter(|(from, _)| *from == code[index]) {
                let mut candidate = code.clone();
                candidate[index] = to;
                if known(&candidate) && !fits.contains(&candidate) {
                    fits.push(candidate);
                }
            }
        }
        if let [only] = fits.as_slice() {
            self.0[span.line][span.at..span.at + span.len].copy_from_slice(only);
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

    /// A date whose check digit fails is tried with one digit (of the date or of the check)
    /// swapped for one OCR confuses it with; taken only when exactly one swap makes the check
    /// hold on a real month and day.
    fn settle_date(&mut self, date: Span, check: Span) {
        const CONFUSED: &[(u8, u8)] = &[
            (b'3', b'5'),
            (b'3', b'8'),
            (b'5', b'6'),
            (b'6', b'8'),
            (b'8', b'9'),
            (b'0', b'8'),
            (b'0', b'9'),
            (b'1', b'7'),
            (b'1', b'4'),
            (b'2', b'7'),
            (b'5', b'8'),
        ];
        let mut read = self.bytes(date).to_vec();
        read.push(self.bytes(check)[0]);
        let holds = |candidate: &[u8]| {
            let (digits, digit) = candidate.split_at(6);
            let month = (digits[2].wrapping_sub(b'0')) * 10 + digits[3].wrapping_sub(b'0');
            let day = (digits[4].wrapping_sub(b'0')) * 10 + digits[5].wrapping_sub(b'0');
            candidate.iter().all(u8::is_ascii_digit)
                && check_digit(digits) == Some(digit[0])
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
        };
        if !read.iter().all(u8::is_ascii_digit) || holds(&read) {
            return;
        }

        let mut fits = Vec::new();
        for index in 0..read.len() {
            for &(a, b) in CONFUSED {
                let to = match read[index] {
                    c if c == a => b,
                    c if c == b => a,
                    _ => continue,
                };
                let mut candidate = read.clone();
                candidate[index] = to;
                if holds(&candidate) {
                    fits.push(candidate);
                }
            }
        }
        if let [only] = fits.as_slice() {
            self.0[date.line][date.at..date.at + date.len].copy_from_slice(&only[..6]);
            self.0[check.line][check.at] = only[6];
        }
    }

    /// Tries look-alike swaps in a field that takes letters and digits, fewest first, until its
    /// check digit holds. A swap is made only when exactly one candidate of the fewest swaps
    /// holds.
    fn settle_by_check_digit(&mut self, named: Field, field: Span, check: Span) {
        let digit = self.bytes(check)[0];
        if !digit.is_ascii_digit() || check_digit(self.bytes(field)) == Some(digit) {
            return;
        }
        let read = self.bytes(field);
        let end = read.iter().rposition(|&b| b != b'<').map_or(0, |last| last + 1);
        let ambiguous: Vec<usize> =
            (0..end).filter(|&i| SWAPS.iter().any(|(from, _)| *from == read[i])).collect();
        if ambiguous.len() > MAX_AMBIGUOUS {
            return;
        }

        for swaps in 1..=MAX_SWAPS.min(ambiguous.len()) {
            let holding: Vec<Vec<u8>> = subsets(&ambiguous, swaps)
                .into_iter()
                .map(|positions| {
                    let mut candidate = self.bytes(field).to_vec();
                    for position in positions {
                        candidate[position] = swapped(candidate[position]);
                    }
                    candidate
                })
                .filter(|candidate| check_digit(candidate) == Some(digit))
                .collect();
            match holding.as_slice() {
                [only] => {
                    self.0[field.line][field.at..field.at + field.len].copy_from_slice(only);
                    return;
                }
                [] => continue,
                several => {
                    // Swaps at positions of equal weight hold alike. Most states' numbers put
                    // their letters first (`O4800701`, not `048O0701`): when exactly one
                    // candidate does, it is taken, as a guess.
                    let letters_first: Vec<&Vec<u8>> =
                        several.iter().filter(|candidate| letters_lead(candidate)).collect();
                    if let [only] = letters_first.as_slice() {
                        self.0[field.line][field.at..field.at + field.len].copy_from_slice(only);
                        self.1.push(named);
                    }
                    return;
                }
            }
        }
    }
}

/// No letter follows a digit: letters, if any, lead.
fn letters_lead(candidate: &[u8]) -> bool {
    let first_digit = candidate.iter().position(u8::is_ascii_digit).unwrap_or(candidate.len());
    !candidate[first_digit..].iter().any(u8::is_ascii_alphabetic)
}

fn swapped(character: u8) -> u8 {
    SWAPS.iter().find(|(from, _)| *from == character).map_or(character, |(_, to)| *to)
}

/// Every way to choose `size` of `items`, in order.
fn subsets(items: &[usize], size: usize) -> Vec<Vec<usize>> {
    if size == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for (index, &item) in items.iter().enumerate() {
        for mut rest in subsets(&items[index + 1..], size - 1) {
            rest.insert(0, item);
            all.push(rest);
        }
    }
    all
}

/// How sure a reader must have been of each character of a field no check digit covers.
const SURE_CHARACTER: f32 = 0.9;

fn confidence(
    layout: &Layout,
    before: &[Vec<u8>],
    zone: &Zone,
    cell_confidence: Option<&[Vec<f32>]>,
    report: &MrzReport,
) -> Vec<FieldConfidence> {
    let after = &zone.0;
    let guessed = |field: Field| zone.1.contains(&field);
    // When the composite check fails, something it covers is wrong: a covered field that was
    // repaired cannot be vouched for by its own check digit alone.
    let composite_fails = report.problems_with(Field::Composite).next().is_some();
    let covered = |spans: &[Span]| {
        layout.composite.is_some_and(|(_, parts)| {
            spans.iter().any(|span| {
                parts.iter().any(|part| {
                    part.line == span.line
                        && span.at < part.at + part.len
                        && part.at < span.at + span.len
                })
            })
        })
    };
    // Characters of the span read with little confidence, of any kind or (for a field a check
    // digit covers) only those the check digit cannot tell apart: 6 and G weigh the same
    // modulo 10, as do the filler and K.
    let unsure_where = |spans: &[Span], blind_only: bool| {
        cell_confidence.is_some_and(|cells| {
            spans.iter().any(|span| {
                let (Some(line), Some(read)) = (cells.get(span.line), after.get(span.line)) else {
                    return false;
                };
                (span.at..span.at + span.len).any(|at| {
                    let blind = matches!(read.get(at), Some(b'6' | b'G' | b'<' | b'K'));
                    let unsure = line.get(at).is_some_and(|&c| c < SURE_CHARACTER);
                    // Where a letter could stand (next to one), 6 and G are never sure.
                    let beside_letter = [at.wrapping_sub(1), at + 1].iter().any(|&next| {
                        next >= span.at
                            && next < span.at + span.len
                            && read.get(next).is_some_and(u8::is_ascii_alphabetic)
                    });
                    let letter_or_six = matches!(read.get(at), Some(b'6' | b'G'));
                    // A filler in a run of fillers is structure, not content: K never stands
                    // in the padding of an empty or short field.
                    let padding = read.get(at) == Some(&b'<')
                        && [at.wrapping_sub(1), at + 1]
                            .iter()
                            .all(|&next| read.get(next).is_none_or(|&b| b == b'<'));
                    (unsure && (blind || !blind_only) && !(blind_only && padding))
                        || (blind_only && letter_or_six && beside_letter)
                })
            })
        })
    };
    // A digit that is neither what was read nor the digit a read letter stands for was
    // guessed from the digits OCR confuses: a check digit confirms one such guess in ten by
    // chance, so it is not a confirmation.
    let digit_swapped = |spans: &[Span]| {
        spans.iter().any(|span| {
            (span.at..span.at + span.len).any(|at| {
                let (was, is) = (before[span.line][at], after[span.line][at]);
                was != is && is.is_ascii_digit() && as_digit(was) != is
            })
        })
    };
    let unsure = |spans: &[Span]| unsure_where(spans, false);
    let blind_unsure = |spans: &[Span]| unsure_where(spans, true);
    let changed = |spans: &[Span]| {
        spans.iter().any(|span| {
            before[span.line][span.at..span.at + span.len]
                != after[span.line][span.at..span.at + span.len]
        })
    };
    // An expired document can be read perfectly: expiry says nothing of the reading.
    let failing: BTreeSet<_> = report
        .problems
        .iter()
        .filter(|problem| problem.kind != ProblemKind::Expired)
        .map(|problem| problem.field)
        .collect();
    let fields: [(Field, Vec<Span>, bool); 9] = [
        (Field::DocumentCode, vec![layout.code], false),
        (Field::IssuingState, vec![layout.state], false),
        (Field::Name, vec![layout.name], false),
        (Field::DocumentNumber, vec![layout.number, layout.number_check], true),
        (Field::Nationality, vec![layout.nationality], false),
        (Field::BirthDate, vec![layout.birth, layout.birth_check], true),
        (Field::Sex, vec![layout.sex], false),
        (Field::ExpiryDate, vec![layout.expiry, layout.expiry_check], true),
        (Field::OptionalData, vec![layout.optional], layout.optional_check.is_some()),
    ];

    fields
        .into_iter()
        .map(|(field, spans, checked)| {
            // Nothing checks an unchecked field but the rest of the read: when a check fails
            // elsewhere, the read was noisy and this field may be wrong too.
            let confidence = if failing.contains(&field) {
                0.2
            } else if guessed(field)
                || (checked && (blind_unsure(&spans) || digit_swapped(&spans)))
                || (composite_fails && changed(&spans) && covered(&spans))
            {
                0.6
            } else if !changed(&spans) && (checked || (failing.is_empty() && !unsure(&spans))) {
                1.0
            } else if checked {
                0.9
            } else {
                0.6
            };
            FieldConfidence { field, confidence }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    fn in_1999() -> NaiveDate {
        NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()
    }

    fn confidence_of(repaired: &Repaired, field: Field) -> f32 {
        repaired.confidence.iter().find(|c| c.field == field).map_or(-1.0, |c| c.confidence)
    }

    #[test]
    fn a_clean_read_is_left_alone_with_full_confidence() {
        let repaired = repair(&TD3, in_1999()).unwrap();

        assert_eq!(repaired.lines, TD3);
        assert_eq!(repaired.repaired_characters, 0);
        assert!(repaired.report.is_valid());
        assert!(repaired.confidence.iter().all(|c| c.confidence == 1.0));
    }

    #[test]
    fn filler_runs_read_as_letters_become_fillers_again() {
        let misread = [
            "P<UTOERIKSSON<<ANNA<MARIAKKKKKKXKKKCKKKKSKKK",
            "L898902C36UTO7408122F1204159ZE184226BKXKKK10",
        ];

        let repaired = repair(&misread, in_1999()).unwrap();

        assert_eq!(repaired.lines, TD3);
        assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
        assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
        assert_eq!(confidence_of(&repaired, Field::OptionalData), 0.9);
    }

    #[test]
    fn look_alikes_are_mapped_by_field_kind() {
        // O for 0 and B for 8 in the dates, 0 for O in the country codes, lowercase and spaces.
        let misread = [
            "p<ut0eriksson<<anna<maria<<<<<<<<<<<<<<<<<<<",
            "L898902C36UT0 74O8l22F12O4159ZE184226B<<<<<1O",
        ];

        let repaired = repair(&misread, in_1999()).unwrap();

        assert_eq!(repaired.lines, TD3);
        assert_eq!(confidence_of(&repaired, Field::BirthDate), 0.9);
        assert_eq!(confidence_of(&repaired, Field::IssuingState), 0.6);
        assert_eq!(confidence_of(&repaired, Field::Sex), 1.0);
    }

    #[test]
    fn read_by_cells_the_name_ends_at_three_fillers_and_countries_are_settled() {
        // Cells the shape test missed after the name, read as K; J read as I in the nationality.
        let read = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<KKKKKKK<<<<<<<<",
            "L898902C36IPN7408122F1204159ZE184226B<<<<<10",
        ];
        let sure = vec![vec![0.99; 44]; 2];

        let repaired = repair_laid(&read, &sure, in_1999()).unwrap();

        assert_eq!(repaired.lines[0], TD3[0]);
        assert_eq!(repaired.report.mrz.nationality, "JPN");
        assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
        assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
        assert_eq!(confidence_of(&repaired, Field::Nationality), 0.6);
    }

    #[test]
    fn a_date_with_one_confused_digit_is_settled_by_its_check_digit() {
        // 740812 read as 740612 (8 as 6): only 6 back to 8 makes the check hold.
        let birth = [TD3[0], "L898902C36UTO7406122F1204159ZE184226B<<<<<10"];
        // 120415 read as 120413 (5 as 3): 120415 and 720413 would both hold, so neither is taken.
        let expiry = [TD3[0], "L898902C36UTO7408122F1204139ZE184226B<<<<<10"];

        let birth = repair(&birth, in_1999()).unwrap();
        let expiry = repair(&expiry, in_1999()).unwrap();

        assert_eq!(birth.lines[1], TD3[1]);
        assert_eq!(confidence_of(&birth, Field::BirthDate), 0.6, "a guess, however likely");
        assert_eq!(expiry.lines[1], "L898902C36UTO7408122F1204139ZE184226B<<<<<10");
        assert_eq!(confidence_of(&expiry, Field::ExpiryDate), 0.2);
    }

    #[test]
    fn a_leading_letter_read_as_a_digit_is_guessed_where_letters_lead() {
        // O4800701 read as 04800701: O at position 1 or 4 would hold alike.
        let number = "O4800701<";
        let digit = char::from(check_digit(number.as_bytes()).unwrap());
        let mut line = format!("04800701<{digit}UTO7408122F1204159ZE184226B<<<<<1");
        let composite = format!("{number}{digit}{}{}", &line[13..20], &line[21..43]);
        line.push(char::from(check_digit(composite.as_bytes()).unwrap()));

        let repaired = repair(&[TD3[0], &line], in_1999()).unwrap();

        assert_eq!(repaired.report.mrz.document_number, "O4800701");
        assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.6, "a guess");
    }

    #[test]
    fn a_repair_under_a_failing_composite_is_not_vouched_for() {
        // The number repaired by its own check digit (O back to 0), but the composite fails:
        // something it covers is wrong, and the repair may be it.
        let misread = [TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<11"];

        let repaired = repair(&misread, in_1999()).unwrap();

        assert_eq!(repaired.report.mrz.document_number, "L898902C3");
        assert_eq!(confidence_of(&repaired, Field::Composite), -1.0, "no confidence of its own");
        assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.6);
        assert_eq!(confidence_of(&repaired, Field::BirthDate), 1.0, "read as is, and checked");
    }

    #[test]
    fn a_filler_read_inside_a_number_is_tried_as_s() {
        let number = "S95138965";
        let digit = char::from(check_digit(number.as_bytes()).unwrap());
        let mut line = format!("<95138965{digit}UTO7408122F1204159ZE184226B<<<<<1");
        let composite = format!("{number}{digit}{}{}", &line[13..20], &line[21..43]);
        line.push(char::from(check_digit(composite.as_bytes()).unwrap()));

        let repaired = repair(&[TD3[0], &line], in_1999()).unwrap();

        assert_eq!(repaired.report.mrz.document_number, number);
        assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    }

    #[test]
    fn a_name_read_unsure_is_not_vouched_for() {
        let mut cells = vec![vec![0.99; 44]; 2];
        cells[0][8] = 0.5;
        // An unsure 9 in the number: its check digit would have caught a misread.
        cells[1][3] = 0.5;

        let repaired = repair_laid(&TD3, &cells, in_1999()).unwrap();

        assert!(repaired.report.is_valid());
        assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
        assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 1.0);
    }

    #[test]
    fn a_document_number_is_settled_by_its_check_digit() {
        // O read for 0 in the number: only the swap back makes the check digit hold.
        let misread = [TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"];

        let repaired = repair(&misread, in_1999()).unwrap();

        assert_eq!(repaired.report.mrz.document_number, "L898902C3");
        assert!(repaired.report.is_valid());
        assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.9);
    }

    #[test]
    fn what_no_check_confirms_is_not_guessed() {
        // G read for 6 in the personal number: the check digit cannot tell them apart, so the
        // read is kept; 7 read for 1 in the number: no look-alike swap explains it, so the
        // number keeps failing and says so.
        let g_for_6 = [TD3[0], "L898902C36UTO7408122F1204159ZE18422GB<<<<<10"];
        let repaired = repair(&g_for_6, in_1999()).unwrap();
        assert_eq!(repaired.report.mrz.optional_data, "ZE18422GB");

        let wrong_digit = [TD3[0], "L898902C76UTO7408122F1204159ZE184226B<<<<<10"];
        let repaired = repair(&wrong_digit, in_1999()).unwrap();
        assert!(!repaired.report.is_valid());
        assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.2);
    }

    #[test]
    fn debian_tesseracts_read_of_the_specimen_is_repaired() {
        // What Debian's libtesseract 5.3 with the eng model (LSTM, whitelist A-Z 0-9 <, page
        // segmentation 6) read from the specimen drawn clean in OCR-B at 40 px: the name line's
        // fillers as K and X, five characters too many; UTO as UT0 on the second line.
        let read = [
            "P<UTOERIKSSON<<ANNAXMARIAK<X<<<K<<<K<K<KKKKKKKKKK",
            "L898902C36UT07408122F1204159ZE184226B<<<<<10",
        ];

        let repaired = repair(&read, in_1999()).unwrap();

        assert_eq!(repaired.lines[1], TD3[1]);
        assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
        assert_eq!(repaired.report.mrz.primary_identifier, "ERIKSSON");
        // The single filler between the given names was read as X: no check digit covers a
        // name, so it stays, and the name carries the confidence of an unconfirmed repair.
        assert_eq!(repaired.lines[0], "P<UTOERIKSSON<<ANNAXMARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
        assert_eq!(confidence_of(&repaired, Field::Nationality), 0.6);
    }

    #[test]
    fn line_lengths_are_fitted_only_through_filler_runs() {
        let short = [&TD3[0][..40], TD3[1]];
        assert_eq!(repair(&short, in_1999()).unwrap().lines, TD3);

        // Cut short in the data: the filler run that would explain it is not there.
        let cut = [TD3[0], &TD3[1][..30]];
        assert!(matches!(repair(&cut, in_1999()), Err(MrzError::LineLength { line: 2, .. })));

        let too_long_in_the_data = [TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<10ABC"];
        assert!(matches!(
            repair(&too_long_in_the_data, in_1999()),
            Err(MrzError::LineLength { line: 2, .. })
        ));
    }

    #[test]
    fn the_wrong_shape_is_still_refused() {
        assert!(matches!(
            repair(&[TD3[0], &TD3[1][..20]], in_1999()),
            Err(MrzError::LineLength { line: 2, .. })
        ));
        assert!(matches!(repair(&[TD3[0]], in_1999()), Err(MrzError::LineCount { found: 1 })));
    }

    #[test]
    fn subsets_are_every_choice_once() {
        assert_eq!(subsets(&[1, 2, 3], 2), vec![vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(subsets(&[1, 2], 0), vec![Vec::<usize>::new()]);
        assert!(subsets(&[1], 2).is_empty());
    }
}
