//! Thai mobile numbers: parsed from what a person or a shop types, kept in E.164, shown masked.
//!
//! Numbering assumed (NBTC national plan, as published by the ITU for +66): a national number is
//! the trunk prefix `0` and a national significant number (NSN). Mobile NSNs have 9 digits and
//! start with 6, 8 or 9 (`06x`, `08x`, `09x`, 10 digits nationally). Fixed lines have 8 digits and
//! start with 2 (Bangkok) or 3, 4, 5, 7 (provincial area codes `03x`–`07x`, 9 digits
//! nationally). A leading 1 is the old mobile range (`01x`, renumbered to `081` in 2006) and
//! short codes: reserved, never a subscriber's mobile.
//!
//! Older copies of the plan list 6x as VoIP; the 061–069 ranges have been issued to mobile
//! operators since, and the whole 6x range is read as mobile here.
// TODO: check 060 against the NBTC's current allocation table; if it is still VoIP, refuse it
// with its own code (an SMS may not reach it).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The longest input read, in bytes; anything longer is refused before it is looked at.
pub const MAX_INPUT_LEN: usize = 32;

/// Why a text is not a Thai mobile number. No variant carries the text: a number is personal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Empty, too long, a character other than digits and separators, a `+` not in front, or a
    /// wrong count of digits.
    #[error("not a phone number in a format that is understood")]
    Format,
    /// A number with a country code other than Thailand's (+66).
    #[error("not a Thai number: the country code is not +66")]
    NotThai,
    /// A Thai fixed line (02 Bangkok, 03x to 07x provinces), which cannot receive a code by SMS.
    #[error("a Thai fixed-line number, not a mobile one")]
    Landline,
    /// A Thai range no subscriber's mobile uses (the former 01x range, short codes).
    #[error("a reserved Thai number range, not a mobile one")]
    Reserved,
}

impl NumberError {
    /// The stable code: `mobile.format`, `mobile.not_thai`, `mobile.landline` or
    /// `mobile.reserved`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "mobile.format",
            Self::NotThai => "mobile.not_thai",
            Self::Landline => "mobile.landline",
            Self::Reserved => "mobile.reserved",
        }
    }
}

/// A Thai mobile number in E.164 (`+66` and 9 digits).
///
/// `Display` and `Debug` are masked (`+66 8x xxx x678`), so a number dropped into a log or an
/// error leaks no more than its last three digits. [`MobileNumber::as_e164`] gives the full
/// number, for the gateway and the store only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber {
    e164: String,
}

impl MobileNumber {
    /// Parses a Thai mobile number as people write it: `+66 81 234 5678`, `0812345678`,
    /// `081-234-5678`, `081.234.5678`, `66812345678`, `0066 81 234 5678`, `+66 (0)81 234 5678`
    /// and `+66 081 234 5678` (a trunk `0` kept after the country code is dropped).
    ///
    /// Only ASCII digits, spaces, `-`, `.` and a `(0)` after the country code are read; Thai or
    /// other Unicode digits are refused (`mobile.format`).
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(NumberError::Format);
        }

        let digits = digits_of(input.trim())?;
        let nsn = national_significant(&digits)?;

        classify(nsn)?;
        Ok(Self { e164: format!("+66{nsn}") })
    }

    /// The full number in E.164, e.g. `+66812345678`: for the gateway and the store, never logs.
    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// The national form, e.g. `0812345678`: to show to the person who owns it.
    pub fn national(&self) -> String {
        format!("0{}", self.nsn())
    }

    /// The masked form for logs and screens, e.g. `+66 8x xxx x678`.
    pub fn masked(&self) -> String {
        let nsn = self.nsn();
        let first = &nsn[..1];
        let last = &nsn[nsn.len() - 3..];
        format!("+66 {first}x xxx x{last}")
    }

    fn nsn(&self) -> &str {
        &self.e164[3..]
    }
}

/// The digits of the input, with `+` and the `00` international prefix kept as a leading `+`.
fn digits_of(input: &str) -> Result<String, NumberError> {
    let (international, rest) = match input.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, input),
    };

    let rest = rest.trim_start();
    let rest = match rest.strip_prefix("66") {
        // `(0)` is the trunk prefix written after the country code: read as nothing.
        Some(after) if international => {
            let after = after.trim_start();
            format!("66{}", after.strip_prefix("(0)").unwrap_or(after))
        }
        _ => rest.to_owned(),
    };

    let mut digits = String::with_capacity(rest.len() + 1);
    if international {
        digits.push('+');
    }
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' => {}
            _ => return Err(NumberError::Format),
        }
    }

    match digits.strip_prefix("00") {
        Some(rest) if !international => Ok(format!("+{rest}")),
        _ => Ok(digits),
    }
}

/// The national significant number: after `+66` (and a stray trunk `0`), or after the trunk `0`
/// of a national number; `66` and 9 digits without `+` is read as international.
fn national_significant(digits: &str) -> Result<&str, NumberError> {
    if let Some(international) = digits.strip_prefix('+') {
        let Some(nsn) = international.strip_prefix("66") else {
            let plausible = (7..=15).contains(&international.len());
            return Err(if plausible { NumberError::NotThai } else { NumberError::Format });
        };
        return Ok(nsn.strip_prefix('0').unwrap_or(nsn));
    }

    if let Some(nsn) = digits.strip_prefix('0') {
        return Ok(nsn);
    }

    match digits.strip_prefix("66") {
        Some(nsn) if nsn.len() == 9 => Ok(nsn),
        _ => Err(NumberError::Format),
    }
}

/// Whether a national significant number is a mobile one.
fn classify(nsn: &str) -> Result<(), NumberError> {
    let Some(first) = nsn.bytes().next() else {
        return Err(NumberError::Format);
    };

    match (first, nsn.len()) {
        (b'6' | b'8' | b'9', 9) => Ok(()),
        (b'2' | b'3' | b'4' | b'5' | b'7', 8) => Err(NumberError::Landline),
        (b'1', 8 | 9) => Err(NumberError::Reserved),
        _ => Err(NumberError::Format),
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MobileNumber").field(&format_args!("{}", self.masked())).finish()
    }
}

impl std::str::FromStr for MobileNumber {
    type Err = NumberError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

/// Serialised in full (E.164), for workflow inputs and the store; read back through `parse`.
impl Serialize for MobileNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.e164)
    }
}

impl<'de> Deserialize<'de> for MobileNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(|error| de::Error::custom(error.code()))
    }
}
