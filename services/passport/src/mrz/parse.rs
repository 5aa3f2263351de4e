//! Reading a zone by its layout, then checking each field.

use chrono::NaiveDate;

use super::{
    DocumentFormat, Field, FieldProblem, Mrz, MrzError, MrzReport, ProblemKind, Sex, check_digit,
    codes,
    dates::{self, DateError},
    names::{self, NameError},
};

/// Characters `at` on line `line` (from 0), `len` long.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    pub(crate) line: usize,
    pub(crate) at: usize,
    pub(crate) len: usize,
}

const fn span(line: usize, at: usize, len: usize) -> Span {
    Span { line, at, len }
}

/// Where each field sits in a layout (Doc 9303 Parts 4 to 7).
pub(crate) struct Layout {
    pub(crate) code: Span,
    pub(crate) state: Span,
    pub(crate) name: Span,
    pub(crate) number: Span,
    pub(crate) number_check: Span,
    pub(crate) nationality: Span,
    pub(crate) birth: Span,
    pub(crate) birth_check: Span,
    pub(crate) sex: Span,
    pub(crate) expiry: Span,
    pub(crate) expiry_check: Span,
    pub(crate) optional: Span,
    pub(crate) optional_check: Option<Span>,
    pub(crate) optional_2: Option<Span>,
    /// The composite check digit and the spans it covers.
    pub(crate) composite: Option<(Span, &'static [Span])>,
}

/// Passports (Part 4, 4.2.2).
const TD3: Layout = Layout {
    code: span(0, 0, 2),
    state: span(0, 2, 3),
    name: span(0, 5, 39),
    number: span(1, 0, 9),
    number_check: span(1, 9, 1),
    nationality: span(1, 10, 3),
    birth: span(1, 13, 6),
    birth_check: span(1, 19, 1),
    sex: span(1, 20, 1),
    expiry: span(1, 21, 6),
    expiry_check: span(1, 27, 1),
    optional: span(1, 28, 14),
    optional_check: Some(span(1, 42, 1)),
    optional_2: None,
    composite: Some((span(1, 43, 1), &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 22)])),
};

/// Cards of two lines (Part 6, 4.2.2).
const TD2: Layout = Layout {
    name: span(0, 5, 31),
    optional: span(1, 28, 7),
    optional_check: None,
    composite: Some((span(1, 35, 1), &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 14)])),
    ..TD3
};

/// Visas, format A (Part 7, 2): no composite check digit.
const MRV_A: Layout =
    Layout { optional: span(1, 28, 16), optional_check: None, composite: None, ..TD3 };

/// Visas, format B (Part 7, 5).
const MRV_B: Layout = Layout {
    name: span(0, 5, 31),
    optional: span(1, 28, 8),
    optional_check: None,
    composite: None,
    ..TD3
};

/// Cards of three lines (Part 5, 4.2.2).
const TD1: Layout = Layout {
    code: span(0, 0, 2),
    state: span(0, 2, 3),
    number: span(0, 5, 9),
    number_check: span(0, 14, 1),
    optional: span(0, 15, 15),
    birth: span(1, 0, 6),
    birth_check: span(1, 6, 1),
    sex: span(1, 7, 1),
    expiry: span(1, 8, 6),
    expiry_check: span(1, 14, 1),
    nationality: span(1, 15, 3),
    optional_2: Some(span(1, 18, 11)),
    name: span(2, 0, 30),
    optional_check: None,
    composite: Some((
        span(1, 29, 1),
        &[span(0, 5, 25), span(1, 0, 7), span(1, 8, 7), span(1, 18, 11)],
    )),
};

/// Parses and checks a zone given as its lines, judging dates against `today`.
pub fn parse(lines: &[&str], today: NaiveDate) -> Result<MrzReport, MrzError> {
    let format = shape_of(lines)?;

    let zone: Vec<&[u8]> = lines.iter().map(|line| line.as_bytes()).collect();
    let layout = layout_of(format);
    Ok(Reader { zone, problems: Vec::new() }.read(format, layout, today))
}

/// The layout of lines that have an MRZ's shape: the count and length of a layout, and only
/// `A-Z`, `0-9` and `<`.
pub(crate) fn shape_of(lines: &[&str]) -> Result<DocumentFormat, MrzError> {
    let format = format_of(lines)?;
    let (_, length) = format.shape();
    for (index, line) in lines.iter().enumerate() {
        let found = line.chars().count();
        if found != length {
            return Err(MrzError::LineLength { line: index + 1, expected: length, found });
        }
        if let Some(position) = line.chars().position(|c| !matches!(c, 'A'..='Z' | '0'..='9' | '<'))
        {
            return Err(MrzError::Charset { line: index + 1, position: position + 1 });
        }
    }
    Ok(format)
}

/// Where the fields of a format sit.
pub(crate) fn layout_of(format: DocumentFormat) -> &'static Layout {
    match format {
        DocumentFormat::Td1 => &TD1,
        DocumentFormat::Td2 => &TD2,
        DocumentFormat::Td3 => &TD3,
        DocumentFormat::MrvA => &MRV_A,
        DocumentFormat::MrvB => &MRV_B,
    }
}

/// The layout a zone has, from its line count, first line's length and document code.
fn format_of(lines: &[&str]) -> Result<DocumentFormat, MrzError> {
    let visa = lines.first().is_some_and(|line| line.starts_with('V'));
    match (lines.len(), lines.first().map_or(0, |line| line.chars().count())) {
        (3, _) => Ok(DocumentFormat::Td1),
        (2, 44) if visa => Ok(DocumentFormat::MrvA),
        (2, 44) => Ok(DocumentFormat::Td3),
        (2, 36) if visa => Ok(DocumentFormat::MrvB),
        (2, 36) => Ok(DocumentFormat::Td2),
        // Two lines of another length: say the length a passport needs, the commonest case.
        (2, found) => Err(MrzError::LineLength { line: 1, expected: 44, found }),
        (found, _) => Err(MrzError::LineCount { found }),
    }
}

struct Reader<'a> {
    zone: Vec<&'a [u8]>,
    problems: Vec<FieldProblem>,
}

impl<'a> Reader<'a> {
    fn bytes(&self, span: Span) -> &'a [u8] {
        &self.zone[span.line][span.at..span.at + span.len]
    }

    fn text(&self, span: Span) -> String {
        let bytes = self.bytes(span);
        let end = bytes.iter().rposition(|&b| b != b'<').map_or(0, |last| last + 1);
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }

    fn problem(&mut self, field: Field, kind: ProblemKind, detail: impl Into<String>) {
        self.problems.push(FieldProblem { field, kind, detail: detail.into() });
    }

    /// Checks `data` against the digit at `check`.
    fn check(&mut self, field: Field, data: &[u8], check: u8) {
        match (check.is_ascii_digit(), check_digit(data)) {
            (true, Some(expected)) if expected == check => {}
            (true, _) => {
                self.problem(field, ProblemKind::CheckDigit, "the check digit does not match")
            }
            (false, _) => {
                self.problem(field, ProblemKind::CheckDigit, "the check digit is not a digit")
            }
        }
    }

    fn country(&mut self, field: Field, span: Span) -> String {
        let code = self.text(span);
        if !codes::is_known(&code) {
            self.problem(
                field,
                ProblemKind::UnknownCountry,
                "not a code of Doc 9303-3 or ISO 3166-1",
            );
        }
        code
    }

    fn read(mut self, format: DocumentFormat, layout: &Layout, today: NaiveDate) -> MrzReport {
        let document_code = self.document_code(format, layout.code);
        let issuing_state = self.country(Field::IssuingState, layout.state);
        let nationality = self.country(Field::Nationality, layout.nationality);
        let (document_number, optional_data) = self.document_number(format, layout);
        let birth_date = self.date(Field::BirthDate, layout.birth, layout.birth_check, today);
        let expiry_date = self.date(Field::ExpiryDate, layout.expiry, layout.expiry_check, today);
        if expiry_date.is_some_and(|expiry| expiry < today) {
            self.problem(Field::ExpiryDate, ProblemKind::Expired, "the document has expired");
        }
        let sex = self.sex(layout.sex);
        let name = self.name(layout.name);

        if let Some(check) = layout.optional_check {
            self.optional_check(layout.optional, check);
        }
        if let Some((check, spans)) = layout.composite {
            let data: Vec<u8> = spans.iter().flat_map(|span| self.bytes(*span).to_vec()).collect();
            self.check(Field::Composite, &data, self.bytes(check)[0]);
        }
        let optional_data_2 = layout.optional_2.map(|span| self.text(span));

        let mrz = Mrz {
            format,
            document_code,
            issuing_state,
            primary_identifier: name.as_ref().map(|n| n.primary.clone()).unwrap_or_default(),
            secondary_identifier: name.as_ref().map(|n| n.secondary.clone()).unwrap_or_default(),
            name_may_be_truncated: name.as_ref().is_some_and(|n| n.may_be_truncated),
            document_number,
            nationality,
            birth_date,
            sex,
            expiry_date,
            optional_data,
            optional_data_2,
        };
        MrzReport { mrz, problems: self.problems }
    }

    fn document_code(&mut self, format: DocumentFormat, span: Span) -> String {
        let code = self.bytes(span);
        let first_fits = match format {
            DocumentFormat::Td3 => code[0] == b'P',
            DocumentFormat::MrvA | DocumentFormat::MrvB => code[0] == b'V',
            DocumentFormat::Td1 | DocumentFormat::Td2 => matches!(code[0], b'I' | b'A' | b'C'),
        };
        if !first_fits || code[1].is_ascii_digit() {
            self.problem(
                Field::DocumentCode,
                ProblemKind::DocumentCode,
                "the code does not fit the layout",
            );
        }
        self.text(span)
    }

    /// The document number, continued into the optional data when it is longer than nine
    /// characters (TD1 and TD2: the check digit position holds `<`, and the number's remainder
    /// and its check digit open the optional data). Returns the number and the optional data
    /// that is left.
    fn document_number(&mut self, format: DocumentFormat, layout: &Layout) -> (String, String) {
        let first = self.bytes(layout.number);
        let check = self.bytes(layout.number_check)[0];
        let optional = self.bytes(layout.optional);
        let long = check == b'<' && matches!(format, DocumentFormat::Td1 | DocumentFormat::Td2);

        let (number, rest) = if long {
            let used = optional.iter().position(|&b| b == b'<').unwrap_or(optional.len());
            if used < 2 {
                self.problem(
                    Field::DocumentNumber,
                    ProblemKind::CheckDigit,
                    "a long document number has no check digit",
                );
                (first.to_vec(), &optional[used..])
            } else {
                let (continuation, digit) = (&optional[..used - 1], optional[used - 1]);
                let whole: Vec<u8> = first.iter().chain(continuation).copied().collect();
                self.check(Field::DocumentNumber, &whole, digit);
                // The filler after the check digit separates the number from what follows.
                (whole, &optional[(used + 1).min(optional.len())..])
            }
        } else {
            self.check(Field::DocumentNumber, first, check);
            (first.to_vec(), optional)
        };

        let trimmed_end = number.iter().rposition(|&b| b != b'<').map_or(0, |last| last + 1);
        if number[..trimmed_end].contains(&b'<') {
            self.problem(
                Field::DocumentNumber,
                ProblemKind::FieldCharset,
                "a filler inside the number",
            );
        }
        let rest_end = rest.iter().rposition(|&b| b != b'<').map_or(0, |last| last + 1);
        (
            String::from_utf8_lossy(&number[..trimmed_end]).into_owned(),
            String::from_utf8_lossy(&rest[..rest_end]).into_owned(),
        )
    }

    fn date(
        &mut self,
        field: Field,
        span: Span,
        check: Span,
        today: NaiveDate,
    ) -> Option<NaiveDate> {
        let digits = self.bytes(span);
        self.check(field, digits, self.bytes(check)[0]);
        let read = if field == Field::BirthDate {
            dates::birth(digits, today)
        } else {
            dates::expiry(digits, today)
        };
        match read {
            Ok(date) => Some(date),
            Err(DateError::NotDigits { unknown_parts: true }) => {
                self.problem(field, ProblemKind::InvalidDate, "the date has unknown parts");
                None
            }
            Err(DateError::NotDigits { unknown_parts: false }) => {
                self.problem(field, ProblemKind::FieldCharset, "a date holds only digits");
                None
            }
            Err(DateError::NoSuchDay) => {
                self.problem(field, ProblemKind::InvalidDate, "no such day");
                None
            }
        }
    }

    fn sex(&mut self, span: Span) -> Sex {
        match self.bytes(span)[0] {
            b'F' => Sex::Female,
            b'M' => Sex::Male,
            b'<' | b'X' => Sex::Unspecified,
            _ => {
                self.problem(Field::Sex, ProblemKind::InvalidSex, "sex is M, F, X or <");
                Sex::Unspecified
            }
        }
    }

    fn name(&mut self, span: Span) -> Option<names::Name> {
        match names::read(self.bytes(span)) {
            Ok(name) => Some(name),
            Err(NameError::Digit) => {
                self.problem(Field::Name, ProblemKind::FieldCharset, "a name holds no digits");
                None
            }
            Err(NameError::NoPrimaryIdentifier) => {
                self.problem(Field::Name, ProblemKind::Name, "the name has no primary identifier");
                None
            }
        }
    }

    /// TD3's optional data check digit: `<` or `0` when the field is empty (Part 4, 4.2.2.2).
    fn optional_check(&mut self, span: Span, check: Span) {
        let data = self.bytes(span);
        let digit = self.bytes(check)[0];
        let empty = data.iter().all(|&b| b == b'<');
        if !(empty && digit == b'<') {
            self.check(Field::OptionalData, data, digit);
        }
    }
}
