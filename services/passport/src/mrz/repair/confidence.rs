//! How far each field of a repaired zone can be trusted.

use std::collections::BTreeSet;

use super::{FieldConfidence, Zone, as_digit};
use crate::mrz::{
    Field, MrzReport, ProblemKind,
    parse::{Layout, Span},
};

/// How sure a reader must have been of each character of a field no check digit covers.
const SURE_CHARACTER: f32 = 0.9;

pub(super) fn confidence(
    layout: &Layout,
    before: &[Vec<u8>],
    zone: &Zone,
    cell_confidence: Option<&[Vec<f32>]>,
    agreed: Option<&[Vec<bool>]>,
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
                    // Unless two readers that tell them apart by shape agreed on it.
                    let two_agreed = agreed
                        .and_then(|agreed| agreed.get(span.line)?.get(at).copied())
                        .unwrap_or(false);
                    let letter_or_six = matches!(read.get(at), Some(b'6' | b'G')) && !two_agreed;
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
