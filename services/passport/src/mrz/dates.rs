//! MRZ dates: `YYMMDD`, the century resolved against today (Doc 9303-3 gives two digits only).

use chrono::{Datelike, NaiveDate};

/// How far ahead an expiry date may lie before it is read as the previous century's.
const EXPIRY_HORIZON_YEARS: i32 = 30;

/// Why six characters are not a date.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DateError {
    /// Not six digits; `<` stands for an unknown part.
    NotDigits { unknown_parts: bool },
    /// Six digits, but no such day.
    NoSuchDay,
}

fn split(field: &[u8]) -> Result<(i32, u32, u32), DateError> {
    if field.len() != 6 || !field.iter().all(u8::is_ascii_digit) {
        return Err(DateError::NotDigits { unknown_parts: field.contains(&b'<') });
    }
    let number = |at: usize| i32::from(field[at] - b'0') * 10 + i32::from(field[at + 1] - b'0');
    let (month, day) = (number(2), number(4));
    Ok((number(0), u32::try_from(month).unwrap_or(0), u32::try_from(day).unwrap_or(0)))
}

fn in_century(century: i32, year: i32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    NaiveDate::from_ymd_opt(century + year, month, day).ok_or(DateError::NoSuchDay)
}

/// A birth date: the latest date with these digits that is not after today.
pub(crate) fn birth(field: &[u8], today: NaiveDate) -> Result<NaiveDate, DateError> {
    let (year, month, day) = split(field)?;
    let century = today.year() - today.year() % 100;
    match in_century(century, year, month, day) {
        Ok(date) if date <= today => Ok(date),
        Ok(_) => in_century(century - 100, year, month, day),
        // 29 February exists in one century and not the other.
        Err(_) => in_century(century - 100, year, month, day),
    }
}

/// An expiry date: the one with these digits between 70 years back and 30 years ahead.
pub(crate) fn expiry(field: &[u8], today: NaiveDate) -> Result<NaiveDate, DateError> {
    let (year, month, day) = split(field)?;
    let century = today.year() - today.year() % 100;
    let mut full_year = century + year;
    if full_year > today.year() + EXPIRY_HORIZON_YEARS {
        full_year -= 100;
    } else if full_year <= today.year() + EXPIRY_HORIZON_YEARS - 100 {
        full_year += 100;
    }
    NaiveDate::from_ymd_opt(full_year, month, day).ok_or(DateError::NoSuchDay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn birth_dates_are_never_after_today() {
        let today = day(2026, 12, 3);
        assert_eq!(birth(b"740812", today), Ok(day(1974, 8, 12)));
        assert_eq!(birth(b"100101", today), Ok(day(2010, 1, 1)));
        assert_eq!(birth(b"261203", today), Ok(day(2026, 12, 3)));
        assert_eq!(birth(b"261204", today), Ok(day(1926, 12, 4)));
    }

    #[test]
    fn expiry_dates_may_lie_ahead() {
        let today = day(2026, 12, 3);
        assert_eq!(expiry(b"120415", today), Ok(day(2012, 4, 15)));
        assert_eq!(expiry(b"360101", today), Ok(day(2036, 1, 1)));
        assert_eq!(expiry(b"990101", today), Ok(day(1999, 1, 1)));
        assert_eq!(expiry(b"120415", day(1999, 6, 1)), Ok(day(2012, 4, 15)));
        assert_eq!(expiry(b"940623", day(1999, 6, 1)), Ok(day(1994, 6, 23)));
    }

    #[test]
    fn impossible_and_unknown_dates_are_refused() {
        let today = day(2026, 12, 3);
        assert_eq!(birth(b"741332", today), Err(DateError::NoSuchDay));
        assert_eq!(birth(b"740230", today), Err(DateError::NoSuchDay));
        assert_eq!(birth(b"74<<<<", today), Err(DateError::NotDigits { unknown_parts: true }));
        assert_eq!(birth(b"74O812", today), Err(DateError::NotDigits { unknown_parts: false }));
        assert_eq!(expiry(b"12041", today), Err(DateError::NotDigits { unknown_parts: false }));
    }

    #[test]
    fn the_29th_of_february_finds_its_century() {
        let today = day(2026, 12, 3);
        // 2000 was a leap year, 1900 was not; 2004 and 1904 both were.
        assert_eq!(birth(b"000229", today), Ok(day(2000, 2, 29)));
        assert_eq!(birth(b"040229", today), Ok(day(2004, 2, 29)));
        assert_eq!(birth(b"270229", today), Err(DateError::NoSuchDay));
    }
}
