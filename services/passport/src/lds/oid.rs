//! Object identifiers: the type, and the ones the chip's files name, as their DER contents.

use std::fmt;

/// An object identifier, kept as the contents of its DER encoding (without tag and length),
/// checked to be well formed: every arc fits 63 bits and none starts with a padding byte.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Oid(Vec<u8>);

impl Oid {
    /// Checks the contents of an OBJECT IDENTIFIER element; `None` when malformed.
    pub fn from_der_contents(contents: &[u8]) -> Option<Oid> {
        let last = *contents.last()?;
        if last & 0x80 != 0 {
            return None;
        }

        let mut arc_bytes = 0;
        let mut arc_starts = true;
        for &byte in contents {
            if arc_starts && byte == 0x80 {
                return None;
            }
            arc_bytes += 1;
            if arc_bytes > 9 {
                return None;
            }
            arc_starts = byte & 0x80 == 0;
            if arc_starts {
                arc_bytes = 0;
            }
        }
        Some(Oid(contents.to_vec()))
    }

    /// An identifier written with dots, such as `2.23.136.1.1.1`; `None` when malformed.
    pub fn from_dotted(dotted: &str) -> Option<Oid> {
        let arcs: Vec<u64> =
            dotted.split('.').map(|arc| arc.parse().ok()).collect::<Option<_>>()?;
        let (&first, rest) = arcs.split_first()?;
        let (&second, rest) = rest.split_first()?;
        if first > 2 || (first < 2 && second > 39) {
            return None;
        }

        let mut contents = Vec::new();
        push_arc(&mut contents, first.checked_mul(40)?.checked_add(second)?);
        for &arc in rest {
            push_arc(&mut contents, arc);
        }
        Oid::from_der_contents(&contents)
    }

    /// The contents of its DER encoding.
    pub fn as_der_contents(&self) -> &[u8] {
        &self.0
    }

    /// Whether this is the identifier whose DER contents are `contents`.
    pub fn is(&self, contents: &[u8]) -> bool {
        self.0 == contents
    }

    /// Whether this identifier lies under the arc whose DER contents are `prefix`, itself
    /// excluded.
    pub fn is_under(&self, prefix: &[u8]) -> bool {
        self.0.len() > prefix.len() && self.0.starts_with(prefix)
    }

    /// The arcs, the first two split apart as written.
    pub fn arcs(&self) -> Vec<u64> {
        let mut arcs = Vec::new();
        let mut value: u64 = 0;
        for &byte in &self.0 {
            value = (value << 7) | u64::from(byte & 0x7F);
            if byte & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (value / 40).min(2);
                    arcs.push(first);
                    arcs.push(value - first * 40);
                } else {
                    arcs.push(value);
                }
                value = 0;
            }
        }
        arcs
    }
}

fn push_arc(contents: &mut Vec<u8>, arc: u64) {
    let mut groups = [0u8; 10];
    let mut count = 0;
    let mut rest = arc;
    loop {
        groups[count] = (rest & 0x7F) as u8;
        count += 1;
        rest >>= 7;
        if rest == 0 {
            break;
        }
    }
    for index in (0..count).rev() {
        let more = if index > 0 { 0x80 } else { 0 };
        contents.push(groups[index] | more);
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, arc) in self.arcs().iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            write!(f, "{arc}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// `1.2.840.113549.1.7.1`, id-data: plain data, the content type some passports give their
/// security object.
pub const ID_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
/// `1.2.840.113549.1.7.2`, id-signedData: CMS signed data.
pub const ID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// `1.2.840.113549.1.9.3`, the content-type signed attribute.
pub const ID_CONTENT_TYPE: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03];
/// `1.2.840.113549.1.9.4`, the message-digest signed attribute.
pub const ID_MESSAGE_DIGEST: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04];
/// `2.23.136.1.1.1`, id-icao-ldsSecurityObject.
pub const ID_LDS_SECURITY_OBJECT: &[u8] = &[0x67, 0x81, 0x08, 0x01, 0x01, 0x01];
/// `1.3.27.1.1.1`, an LDS security object identifier from drafts before Doc 9303 settled.
pub const ID_LDS_SECURITY_OBJECT_DRAFT: &[u8] = &[0x2B, 0x1B, 0x01, 0x01, 0x01];
/// `1.2.528.1.1006.1.20.1`, an LDS security object identifier one early Dutch issuer used.
pub const ID_LDS_SECURITY_OBJECT_SDU: &[u8] =
    &[0x2A, 0x84, 0x10, 0x01, 0x87, 0x6E, 0x01, 0x14, 0x01];
/// `2.23.136.1.1.5`, id-icao-mrtd-security-aaProtocolObject: ActiveAuthenticationInfo.
pub const ID_ACTIVE_AUTHENTICATION: &[u8] = &[0x67, 0x81, 0x08, 0x01, 0x01, 0x05];
/// `0.4.0.127.0.7.2.2.1`, id-PK: the arc of ChipAuthenticationPublicKeyInfo.
pub const ID_PK: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01];
/// `0.4.0.127.0.7.2.2.2`, id-TA: TerminalAuthenticationInfo.
pub const ID_TA: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02];
/// `0.4.0.127.0.7.2.2.3`, id-CA: the arc of ChipAuthenticationInfo.
pub const ID_CA: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03];
/// `0.4.0.127.0.7.2.2.4`, id-PACE: the arc of PACEInfo.
pub const ID_PACE: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_the_identifiers_they_name() {
        let named = [
            (ID_DATA, "1.2.840.113549.1.7.1"),
            (ID_SIGNED_DATA, "1.2.840.113549.1.7.2"),
            (ID_CONTENT_TYPE, "1.2.840.113549.1.9.3"),
            (ID_MESSAGE_DIGEST, "1.2.840.113549.1.9.4"),
            (ID_LDS_SECURITY_OBJECT, "2.23.136.1.1.1"),
            (ID_LDS_SECURITY_OBJECT_DRAFT, "1.3.27.1.1.1"),
            (ID_LDS_SECURITY_OBJECT_SDU, "1.2.528.1.1006.1.20.1"),
            (ID_ACTIVE_AUTHENTICATION, "2.23.136.1.1.5"),
            (ID_PK, "0.4.0.127.0.7.2.2.1"),
            (ID_TA, "0.4.0.127.0.7.2.2.2"),
            (ID_CA, "0.4.0.127.0.7.2.2.3"),
            (ID_PACE, "0.4.0.127.0.7.2.2.4"),
        ];
        for (contents, dotted) in named {
            let oid = Oid::from_dotted(dotted).unwrap();
            assert_eq!(oid.as_der_contents(), contents, "{dotted}");
            assert_eq!(Oid::from_der_contents(contents).unwrap().to_string(), dotted);
        }
    }

    #[test]
    fn malformed_contents_are_refused() {
        assert_eq!(Oid::from_der_contents(&[]), None);
        assert_eq!(Oid::from_der_contents(&[0x2A, 0x86]), None, "the last arc is unfinished");
        assert_eq!(Oid::from_der_contents(&[0x2A, 0x80, 0x01]), None, "a padding byte");
        assert_eq!(
            Oid::from_der_contents(&[
                0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F
            ]),
            None
        );
        assert_eq!(Oid::from_dotted("3.1"), None);
        assert_eq!(Oid::from_dotted("1.40"), None);
        assert_eq!(Oid::from_dotted("2"), None);
    }

    #[test]
    fn an_arc_is_tested_by_prefix() {
        let ca = Oid::from_dotted("0.4.0.127.0.7.2.2.3.2.4").unwrap();
        assert!(ca.is_under(ID_CA));
        assert!(!ca.is_under(ID_PACE));
        assert!(!Oid::from_der_contents(ID_CA).unwrap().is_under(ID_CA));
    }
}
