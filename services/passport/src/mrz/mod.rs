//! The machine readable zone: its five layouts (TD1, TD2, TD3, MRV-A, MRV-B), parsed and
//! checked field by field against Doc 9303 Parts 3 to 7.
//!
//! A zone that has the wrong shape (line count, line length, characters outside `A-Z0-9<`) is
//! refused as a whole with an [`MrzError`]. A zone of the right shape always parses, and every
//! field that does not hold (a check digit, a date, a country code) is reported as a
//! [`FieldProblem`] of its own, so a clerk is told which field to look at.

mod check_digit;
pub mod codes;
mod dates;
mod names;
mod parse;
pub mod repair;
#[cfg(test)]
mod specimens;

use chrono::NaiveDate;
use serde::Serialize;

pub use check_digit::compute as check_digit;
pub use parse::parse;

/// The five layouts of Doc 9303.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    /// Cards: three lines of 30 (Part 5).
    Td1,
    /// Cards: two lines of 36 (Part 6).
    Td2,
    /// Passports: two lines of 44 (Part 4).
    Td3,
    /// Visas, format A: two lines of 44 (Part 7).
    MrvA,
    /// Visas, format B: two lines of 36 (Part 7).
    MrvB,
}

impl DocumentFormat {
    /// How many lines, of how many characters.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            DocumentFormat::Td1 => (3, 30),
            DocumentFormat::Td2 | DocumentFormat::MrvB => (2, 36),
            DocumentFormat::Td3 | DocumentFormat::MrvA => (2, 44),
        }
    }
}

/// The holder's sex as the MRZ records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// `F`.
    Female,
    /// `M`.
    Male,
    /// `<`, or `X` as some states write it.
    Unspecified,
}

/// The fields of a zone, with fillers removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mrz {
    /// The layout.
    pub format: DocumentFormat,
    /// `P`, `PT`, `I`, `ID`, `V`…
    pub document_code: String,
    /// The issuing state or organisation.
    pub issuing_state: String,
    /// The primary identifier (surname), with spaces where the MRZ has single fillers.
    pub primary_identifier: String,
    /// The secondary identifier (given names), empty when the document has none.
    pub secondary_identifier: String,
    /// The name field is full to its last character, so the name may have been truncated.
    pub name_may_be_truncated: bool,
    /// The document number, long numbers included whole.
    pub document_number: String,
    /// The holder's nationality.
    pub nationality: String,
    /// The date of birth, when it is a real date.
    pub birth_date: Option<NaiveDate>,
    /// The holder's sex.
    pub sex: Sex,
    /// The date of expiry (for visas, "valid until"), when it is a real date.
    pub expiry_date: Option<NaiveDate>,
    /// The optional data (TD3: the personal number), fillers removed.
    pub optional_data: String,
    /// TD1's second optional data field.
    pub optional_data_2: Option<String>,
}

/// A field of the zone, as problems name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The document code.
    DocumentCode,
    /// The issuing state.
    IssuingState,
    /// The name.
    Name,
    /// The document number.
    DocumentNumber,
    /// The nationality.
    Nationality,
    /// The date of birth.
    BirthDate,
    /// The sex.
    Sex,
    /// The date of expiry.
    ExpiryDate,
    /// The optional data.
    OptionalData,
    /// The composite check digit over several fields.
    Composite,
}

/// What is wrong with a field. Each has a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The check digit does not match the field (`mrz.check_digit`).
    CheckDigit,
    /// The field holds characters its kind does not allow, such as a letter in a date
    /// (`mrz.field_charset`).
    FieldCharset,
    /// The code names no state or organisation (`mrz.country`).
    UnknownCountry,
    /// Not a real date, or a date with unknown parts (`mrz.date`).
    InvalidDate,
    /// The document expired before today (`mrz.expired`).
    Expired,
    /// Not `M`, `F`, `<` or `X` (`mrz.sex`).
    InvalidSex,
    /// The document code does not fit the layout (`mrz.document_code`).
    DocumentCode,
    /// The name field does not follow the filler rules (`mrz.name`).
    Name,
}

impl ProblemKind {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::CheckDigit => "mrz.check_digit",
            ProblemKind::FieldCharset => "mrz.field_charset",
            ProblemKind::UnknownCountry => "mrz.country",
            ProblemKind::InvalidDate => "mrz.date",
            ProblemKind::Expired => "mrz.expired",
            ProblemKind::InvalidSex => "mrz.sex",
            ProblemKind::DocumentCode => "mrz.document_code",
            ProblemKind::Name => "mrz.name",
        }
    }
}

/// One field that does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The field.
    pub field: Field,
    /// What is wrong.
    pub kind: ProblemKind,
    /// A sentence for a person; it quotes no field contents.
    pub detail: String,
}

/// A parsed zone and everything wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MrzReport {
    /// The fields.
    pub mrz: Mrz,
    /// The fields that do not hold; empty when the zone is valid.
    pub problems: Vec<FieldProblem>,
}

impl MrzReport {
    /// Whether every field holds.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems with one field.
    pub fn problems_with(&self, field: Field) -> impl Iterator<Item = &FieldProblem> {
        self.problems.iter().filter(move |problem| problem.field == field)
    }
}

/// Why lines could not be read as a zone at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// No layout has this many lines.
    #[error("an MRZ has 2 or 3 lines, not {found}")]
    LineCount {
        /// How many lines were given.
        found: usize,
    },
    /// A line is not as long as its layout says.
    #[error("line {line} has {found} characters; this layout needs {expected}")]
    LineLength {
        /// The line, from 1.
        line: usize,
        /// Its layout's length.
        expected: usize,
        /// Its length.
        found: usize,
    },
    /// A character outside `A-Z`, `0-9` and `<`: lowercase, a space, non-ASCII.
    #[error("line {line} has a character outside A-Z, 0-9 and < at position {position}")]
    Charset {
        /// The line, from 1.
        line: usize,
        /// The position, from 1.
        position: usize,
    },
}

impl MrzError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            MrzError::LineCount { .. } => "mrz.line_count",
            MrzError::LineLength { .. } => "mrz.line_length",
            MrzError::Charset { .. } => "mrz.charset",
        }
    }
}
