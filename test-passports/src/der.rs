//! A small DER writer, enough for certificates, CRLs, CMS SignedData and the LDS files, which
//! use the same tag-length-value layout. Written for the generator alone: it shares nothing with
//! the service's parser, so each checks the other.

use chrono::{DateTime, Datelike, Utc};

/// An object identifier as its arcs, `[2, 23, 136, 1, 1, 1]`.
pub type Oid = &'static [u64];

/// `tag`, the length in definite form, then `content`. `tag` may span several bytes (`5F 1F`).
pub fn tlv(tag: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend(length(content.len()));
    out.extend_from_slice(content);
    out
}

/// A length in definite form: short below 128, else the count of length bytes first.
pub fn length(length: usize) -> Vec<u8> {
    if length < 0x80 {
        return vec![length as u8];
    }
    let bytes: Vec<u8> =
        length.to_be_bytes().iter().copied().skip_while(|byte| *byte == 0).collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// A SEQUENCE of already encoded parts, in order.
pub fn sequence(parts: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    tlv(&[0x30], &parts.into_iter().flatten().collect::<Vec<_>>())
}

/// A SET OF, its elements sorted by their encodings as DER requires.
pub fn set_of(parts: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = parts.into_iter().collect();
    parts.sort();
    tlv(&[0x31], &parts.concat())
}

/// An INTEGER from a small non-negative number.
pub fn integer(value: u64) -> Vec<u8> {
    unsigned_integer(&value.to_be_bytes())
}

/// An INTEGER from a big-endian magnitude: leading zeros dropped, one zero put back when the
/// high bit would otherwise read as a sign.
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|byte| *byte == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|byte| byte & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    tlv(&[0x02], &content)
}

/// An OBJECT IDENTIFIER: the first two arcs in one number, then base 128 with continuation bits.
pub fn oid(arcs: Oid) -> Vec<u8> {
    let mut content = Vec::new();
    let first = arcs.first().copied().unwrap_or(0) * 40 + arcs.get(1).copied().unwrap_or(0);
    for arc in std::iter::once(first).chain(arcs.iter().skip(2).copied()) {
        let mut groups = vec![(arc & 0x7F) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7F) as u8);
            rest >>= 7;
        }
        content.extend(groups.iter().rev());
    }
    tlv(&[0x06], &content)
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// BOOLEAN.
pub fn boolean(value: bool) -> Vec<u8> {
    vec![0x01, 0x01, if value { 0xFF } else { 0x00 }]
}

/// OCTET STRING.
pub fn octet_string(content: &[u8]) -> Vec<u8> {
    tlv(&[0x04], content)
}

/// BIT STRING of whole bytes.
pub fn bit_string(content: &[u8]) -> Vec<u8> {
    let mut bits = vec![0];
    bits.extend_from_slice(content);
    tlv(&[0x03], &bits)
}

/// PrintableString.
pub fn printable_string(text: &str) -> Vec<u8> {
    tlv(&[0x13], text.as_bytes())
}

/// UTF8String.
pub fn utf8_string(text: &str) -> Vec<u8> {
    tlv(&[0x0C], text.as_bytes())
}

/// IA5String.
pub fn ia5_string(text: &str) -> Vec<u8> {
    tlv(&[0x16], text.as_bytes())
}

/// A certificate or CRL time (RFC 5280, 4.1.2.5): UTCTime through 2049, GeneralizedTime after.
pub fn time(at: DateTime<Utc>) -> Vec<u8> {
    if at.year() < 2050 {
        tlv(&[0x17], at.format("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        generalized_time(at)
    }
}

/// GeneralizedTime, whole seconds, in UTC.
pub fn generalized_time(at: DateTime<Utc>) -> Vec<u8> {
    tlv(&[0x18], at.format("%Y%m%d%H%M%SZ").to_string().as_bytes())
}

/// `[number]` EXPLICIT around an encoded value.
pub fn explicit(number: u8, inner: &[u8]) -> Vec<u8> {
    tlv(&[0xA0 | number], inner)
}

/// `[number]` IMPLICIT: the value's own tag replaced, constructed or not as it was.
pub fn implicit(number: u8, encoded: &[u8]) -> Vec<u8> {
    let Some((&tag, rest)) = encoded.split_first() else { return Vec::new() };
    let mut out = vec![(tag & 0x20) | 0x80 | number];
    out.extend_from_slice(rest);
    out
}

/// An AlgorithmIdentifier with parameters, or without when `parameters` is empty.
pub fn algorithm(arcs: Oid, parameters: &[u8]) -> Vec<u8> {
    sequence([oid(arcs), parameters.to_vec()])
}

/// Splits one TLV off the front of `bytes`: its tag bytes, its content and what follows.
/// For the generator's own output (tampering, tests); not hardened against hostile input.
pub fn split(bytes: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut at = 1;
    if bytes.first()? & 0x1F == 0x1F {
        while bytes.get(at)? & 0x80 != 0 {
            at += 1;
        }
        at += 1;
    }
    let tag = bytes.get(..at)?;
    let first = *bytes.get(at)?;
    at += 1;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7F);
        let length = bytes.get(at..at + count)?.iter().fold(0, |sum, b| sum << 8 | usize::from(*b));
        at += count;
        length
    };
    let content = bytes.get(at..at.checked_add(length)?)?;
    Some((tag, content, &bytes[at + length..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_identifiers_are_written_in_base_128() {
        assert_eq!(oid(&[2, 23, 136, 1, 1, 1]), [0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01, 0x01]);
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 7, 2]),
            [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
        );
    }

    #[test]
    fn lengths_of_128_and_more_take_the_long_form() {
        assert_eq!(length(127), [0x7F]);
        assert_eq!(length(128), [0x81, 0x80]);
        assert_eq!(length(0x3162), [0x82, 0x31, 0x62]);
    }

    #[test]
    fn integers_keep_their_sign_bit_clear() {
        assert_eq!(integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(unsigned_integer(&[0, 0, 0x01, 0x00]), [0x02, 0x02, 0x01, 0x00]);
    }

    #[test]
    fn a_set_of_is_sorted_and_a_tlv_splits_back() {
        let set = set_of([integer(2), integer(1)]);
        assert_eq!(set, [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);

        let long = tlv(&[0x5F, 0x2E], &[7; 300]);
        let (tag, content, rest) = split(&long).unwrap();
        assert_eq!((tag, content.len(), rest.len()), (&[0x5F, 0x2E][..], 300, 0));
    }
}
