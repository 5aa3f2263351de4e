//! Check digits (Doc 9303-3, 4.9): weights 7, 3, 1 repeating; digits count as themselves,
//! letters A to Z as 10 to 35, the filler `<` as 0; the sum modulo 10.

/// The value of one MRZ character, or `None` for a character outside the MRZ set.
pub(crate) fn value(character: u8) -> Option<u32> {
    match character {
        b'0'..=b'9' => Some(u32::from(character - b'0')),
        b'A'..=b'Z' => Some(u32::from(character - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The check digit over `characters`, or `None` if one is outside the MRZ set.
pub fn compute(characters: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0;
    for (index, &character) in characters.iter().enumerate() {
        sum += value(character)? * WEIGHTS[index % 3];
    }
    u8::try_from(sum % 10).ok().map(|digit| b'0' + digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_examples_hold() {
        // Doc 9303-3, 4.9: the worked examples.
        assert_eq!(compute(b"520727"), Some(b'3'));
        assert_eq!(compute(b"AB2134<<<"), Some(b'5'));
        assert_eq!(compute(b"L898902C3"), Some(b'6'));
        assert_eq!(compute(b"L898902C<"), Some(b'3'));
    }

    #[test]
    fn characters_outside_the_set_have_no_check_digit() {
        assert_eq!(compute(b"l898902c3"), None);
        assert_eq!(compute(b"L89 8902"), None);
        assert_eq!(compute("Ä".as_bytes()), None);
    }

    #[test]
    fn an_empty_field_checks_to_zero() {
        assert_eq!(compute(b""), Some(b'0'));
        assert_eq!(compute(b"<<<<<<<<<"), Some(b'0'));
    }
}
