//! Settling fields OCR may have misread, each against what can confirm it: a country code
//! against the table of codes, a date and a number against their check digits.

use super::Zone;
use crate::mrz::{Field, check_digit, codes, parse::Span};

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

/// How many ambiguous positions a field may have before no swaps are tried.
const MAX_AMBIGUOUS: usize = 10;

/// How many look-alikes are swapped at once, at most.
const MAX_SWAPS: usize = 2;

impl Zone {
    /// A state or nationality that names no state is tried with one look-alike letter swapped
    /// (`IPN` for `JPN`, `XKA` for `XXA`); taken only when exactly one swap names a state.
    pub(super) fn settle_country(&mut self, span: Span) {
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
            (b'S', b'J'),
            (b'J', b'S'),
            (b'O', b'C'),
            (b'C', b'O'),
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

    /// A date whose check digit fails is tried with one digit (of the date or of the check)
    /// swapped for one OCR confuses it with; taken only when exactly one swap makes the check
    /// hold on a real month and day.
    pub(super) fn settle_date(&mut self, date: Span, check: Span) {
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
    /// check digit holds; see [`settled`].
    pub(super) fn settle_by_check_digit(&mut self, named: Field, field: Span, check: Span) {
        let digit = self.bytes(check)[0];
        let Some((settled, guess)) = settled(self.bytes(field), digit) else { return };
        self.0[field.line][field.at..field.at + field.len].copy_from_slice(&settled);
        if guess {
            self.1.push(named);
        }
    }

    /// A card number longer than nine characters (TD1, TD2: `<` in the check digit's place)
    /// goes on in the optional data up to its check digit: the whole is settled as one.
    pub(super) fn settle_long_number(&mut self, number: Span, number_check: Span, optional: Span) {
        if self.bytes(number_check)[0] != b'<' {
            return;
        }
        let rest = self.bytes(optional);
        let used = rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
        if used < 2 {
            return;
        }
        let whole: Vec<u8> = self.bytes(number).iter().chain(&rest[..used - 1]).copied().collect();
        let digit = rest[used - 1];
        let Some((settled, guess)) = settled(&whole, digit) else { return };

        let (head, tail) = settled.split_at(number.len);
        self.0[number.line][number.at..number.at + number.len].copy_from_slice(head);
        self.0[optional.line][optional.at..optional.at + tail.len()].copy_from_slice(tail);
        if guess {
            self.1.push(Field::DocumentNumber);
        }
    }
}

/// `read` with look-alikes swapped, fewest first, so that its check digit holds, when exactly
/// one candidate of the fewest swaps does; or, when several do (swaps at positions of equal
/// weight hold alike), the one candidate whose letters lead, as most states write numbers
/// (`O4800701`, not `048O0701`), flagged as a guess. `None` when the read holds already, the
/// digit is no digit, or nothing settles it.
fn settled(read: &[u8], digit: u8) -> Option<(Vec<u8>, bool)> {
    if !digit.is_ascii_digit() || check_digit(read) == Some(digit) {
        return None;
    }
    let end = read.iter().rposition(|&b| b != b'<').map_or(0, |last| last + 1);
    let ambiguous: Vec<usize> =
        (0..end).filter(|&i| SWAPS.iter().any(|(from, _)| *from == read[i])).collect();
    if ambiguous.len() > MAX_AMBIGUOUS {
        return None;
    }

    for swaps in 1..=MAX_SWAPS.min(ambiguous.len()) {
        let holding: Vec<Vec<u8>> = subsets(&ambiguous, swaps)
            .into_iter()
            .map(|positions| {
                let mut candidate = read.to_vec();
                for position in positions {
                    candidate[position] = swapped(candidate[position]);
                }
                candidate
            })
            .filter(|candidate| check_digit(candidate) == Some(digit))
            .collect();
        match holding.as_slice() {
            [only] => return Some((only.clone(), false)),
            [] => continue,
            several => {
                let letters_first: Vec<&Vec<u8>> =
                    several.iter().filter(|candidate| letters_lead(candidate)).collect();
                return match letters_first.as_slice() {
                    [only] => Some(((*only).clone(), true)),
                    _ => None,
                };
            }
        }
    }
    None
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
pub(super) fn subsets(items: &[usize], size: usize) -> Vec<Vec<usize>> {
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
