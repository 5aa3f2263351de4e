//! The name field (Doc 9303-4, 4.6): primary identifier, `<<`, secondary identifier, with `<`
//! between name components and as filler to the end.

/// A name read from its field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) primary: String,
    pub(crate) secondary: String,
    /// The field is full to its last character: the name may have been cut.
    pub(crate) may_be_truncated: bool,
}

/// Why a name field does not follow the rules.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NameError {
    /// A digit in the name.
    Digit,
    /// Nothing before the first filler.
    NoPrimaryIdentifier,
}

pub(crate) fn read(field: &[u8]) -> Result<Name, NameError> {
    if field.iter().any(u8::is_ascii_digit) {
        return Err(NameError::Digit);
    }
    let text: String = field.iter().map(|&b| char::from(b)).collect();
    let (primary, secondary) = text.split_once("<<").unwrap_or((text.as_str(), ""));
    let words =
        |part: &str| part.split('<').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ");

    let primary = words(primary);
    if primary.is_empty() {
        return Err(NameError::NoPrimaryIdentifier);
    }
    Ok(Name {
        primary,
        secondary: words(secondary),
        may_be_truncated: field.last().is_some_and(|&last| last != b'<'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(field: &str) -> Result<Name, NameError> {
        read(field.as_bytes())
    }

    #[test]
    fn identifiers_split_at_the_double_filler() {
        let name = read_str("ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<").unwrap();
        assert_eq!((name.primary.as_str(), name.secondary.as_str()), ("ERIKSSON", "ANNA MARIA"));
        assert!(!name.may_be_truncated);

        let name = read_str("VAN<DER<MUELLEN<<MARTIN<<<<<<<<<<<<<<<<").unwrap();
        assert_eq!(name.primary, "VAN DER MUELLEN");
    }

    #[test]
    fn a_name_without_secondary_identifier_or_cut_short_is_read() {
        let name = read_str("ARKFREITH<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<").unwrap();
        assert_eq!((name.primary.as_str(), name.secondary.as_str()), ("ARKFREITH", ""));

        let cut = read_str("VILARCHAO<FERNANDEZ<<JOSE<RAMO").unwrap();
        assert_eq!(cut.secondary, "JOSE RAMO");
        assert!(cut.may_be_truncated);
    }

    #[test]
    fn digits_and_empty_primaries_are_refused() {
        assert_eq!(read_str("ERIKSS0N<<ANNA<<<<"), Err(NameError::Digit));
        assert_eq!(read_str("<<ANNA<<<<<<<<"), Err(NameError::NoPrimaryIdentifier));
        assert_eq!(read_str("<<<<<<<<<<<<<<"), Err(NameError::NoPrimaryIdentifier));
    }
}
