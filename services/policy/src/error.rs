//! Why a policy file is refused: where, why, and a stable code a person can quote.

use std::fmt;
use std::ops::Range;

/// A stable code for each way a policy file can be refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The file could not be read.
    Io,
    /// The file is larger than [`crate::MAX_POLICY_BYTES`].
    TooLarge,
    /// The file is not UTF-8 text.
    Encoding,
    /// The file is not TOML.
    Syntax,
    /// A key the policy format does not know.
    UnknownKey,
    /// A value of the wrong type or outside its closed set.
    Schema,
    /// The file holds no version.
    NoVersions,
    /// Two versions take effect on the same day.
    DuplicateVersion,
    /// A version takes effect before the one above it in the file.
    VersionsOutOfOrder,
    /// A category or purpose rule names a group no version defines.
    UnknownGroup,
    /// A tier builds on a tier that is not defined.
    UnknownTier,
    /// A version leaves one of the tiers T1 to T4 undefined.
    MissingTier,
    /// A tier builds on itself or on a higher tier.
    TierOrder,
    /// A purpose rule's lowest tier is above its highest.
    TierRange,
    /// A number of days is zero or out of range.
    InvalidDays,
    /// The same evidence or requirement is listed twice.
    Duplicate,
    /// A purpose rule's evidence cannot reach its own lowest tier.
    EvidenceShort,
    /// A flag rule names a flag that does not exist.
    UnknownFlag,
    /// A flag rule lacks a parameter it needs, or has one it does not use.
    FlagParameter,
}

impl ErrorCode {
    /// The code as printed, such as `policy.unknown_group`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::Io => "policy.io",
            ErrorCode::TooLarge => "policy.too_large",
            ErrorCode::Encoding => "policy.encoding",
            ErrorCode::Syntax => "policy.syntax",
            ErrorCode::UnknownKey => "policy.unknown_key",
            ErrorCode::Schema => "policy.schema",
            ErrorCode::NoVersions => "policy.no_versions",
            ErrorCode::DuplicateVersion => "policy.duplicate_version",
            ErrorCode::VersionsOutOfOrder => "policy.versions_out_of_order",
            ErrorCode::UnknownGroup => "policy.unknown_group",
            ErrorCode::UnknownTier => "policy.unknown_tier",
            ErrorCode::MissingTier => "policy.missing_tier",
            ErrorCode::TierOrder => "policy.tier_order",
            ErrorCode::TierRange => "policy.tier_range",
            ErrorCode::InvalidDays => "policy.invalid_days",
            ErrorCode::Duplicate => "policy.duplicate",
            ErrorCode::EvidenceShort => "policy.evidence_short",
            ErrorCode::UnknownFlag => "policy.unknown_flag",
            ErrorCode::FlagParameter => "policy.flag_parameter",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A line and a column in a policy file, both counted from 1; the column counts characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl Position {
    /// The position of a byte offset in `text`; an offset past the end or inside a character
    /// is moved back to the nearest character boundary.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }

        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        Self { line, column }
    }
}

/// A policy file refused: the file, where in it, why, and the code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The name of the file, as given to the loader.
    pub source_name: String,
    /// Where in the file; `None` when the file as a whole is refused.
    pub position: Option<Position>,
    /// The stable code.
    pub code: ErrorCode,
    /// What is wrong, for a person editing the file.
    pub reason: String,
}

impl PolicyError {
    pub(crate) fn whole_file(source_name: &str, code: ErrorCode, reason: String) -> Self {
        Self { source_name: source_name.to_owned(), position: None, code, reason }
    }

    pub(crate) fn at(
        source_name: &str,
        text: &str,
        span: Range<usize>,
        code: ErrorCode,
        reason: String,
    ) -> Self {
        Self {
            source_name: source_name.to_owned(),
            position: Some(Position::of_offset(text, span.start)),
            code,
            reason,
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(Position { line, column }) => {
                write!(f, "{}:{line}:{column}: {} ({})", self.source_name, self.reason, self.code)
            }
            None => write!(f, "{}: {} ({})", self.source_name, self.reason, self.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let text = "a = 1\nb = \"é\" x\n";
        assert_eq!(Position::of_offset(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of_offset(text, 6), Position { line: 2, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(Position::of_offset(text, x), Position { line: 2, column: 9 });
        assert_eq!(Position::of_offset(text, 10_000).line, 3);
    }
}
