//! A small bounded DER reader for what passive authentication reads beyond the LDS parsers:
//! certificates, CRLs, public keys and algorithm parameters. Definite lengths only (X.509 is
//! DER), tags of one byte, every length checked against the bytes that remain. The navigation is
//! explicit, one level at a time, so nesting is bounded by the code that calls it.

/// One element: its tag, its whole encoding and its contents.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The tag byte.
    pub(crate) tag: u8,
    /// Tag, length and contents.
    pub(crate) raw: &'a [u8],
    /// The contents.
    pub(crate) contents: &'a [u8],
}

/// The elements of one level, read in order.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    rest: &'a [u8],
}

/// Why DER could not be read: a short, fixed description of the element that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) &'static str);

impl<'a> Cursor<'a> {
    /// A cursor over `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { rest: bytes }
    }

    /// Whether every element has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, without reading it.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element.
    pub(crate) fn next(&mut self, element: &'static str) -> Result<Tlv<'a>, Malformed> {
        let tlv = split(self.rest).ok_or(Malformed(element))?;
        self.rest = &self.rest[tlv.raw.len()..];
        Ok(tlv)
    }

    /// The next element, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8, element: &'static str) -> Result<Tlv<'a>, Malformed> {
        let tlv = self.next(element)?;
        if tlv.tag != tag {
            return Err(Malformed(element));
        }
        Ok(tlv)
    }

    /// The next element when it carries `tag`; nothing is read otherwise.
    pub(crate) fn optional(
        &mut self,
        tag: u8,
        element: &'static str,
    ) -> Result<Option<Tlv<'a>>, Malformed> {
        if self.peek() == Some(tag) { self.expect(tag, element).map(Some) } else { Ok(None) }
    }
}

impl<'a> Tlv<'a> {
    /// The only element of `bytes`, which must hold nothing else.
    pub(crate) fn whole(bytes: &'a [u8], element: &'static str) -> Result<Tlv<'a>, Malformed> {
        let tlv = split(bytes).ok_or(Malformed(element))?;
        if tlv.raw.len() != bytes.len() {
            return Err(Malformed(element));
        }
        Ok(tlv)
    }

    /// A cursor over the contents.
    pub(crate) fn children(&self) -> Cursor<'a> {
        Cursor::new(self.contents)
    }

    /// An INTEGER's magnitude, leading zero bytes removed.
    pub(crate) fn unsigned(&self, element: &'static str) -> Result<&'a [u8], Malformed> {
        if self.tag != 0x02 || self.contents.first().is_none_or(|first| first & 0x80 != 0) {
            return Err(Malformed(element));
        }
        let start = self.contents.iter().position(|&byte| byte != 0).unwrap_or(self.contents.len());
        Ok(&self.contents[start..])
    }

    /// A small INTEGER.
    pub(crate) fn small(&self, element: &'static str) -> Result<u64, Malformed> {
        let magnitude = self.unsigned(element)?;
        if magnitude.len() > 8 {
            return Err(Malformed(element));
        }
        Ok(magnitude.iter().fold(0, |value, &byte| (value << 8) | u64::from(byte)))
    }

    /// A BIT STRING with no unused bits: its bytes.
    pub(crate) fn bits(&self, element: &'static str) -> Result<&'a [u8], Malformed> {
        match self.contents.split_first() {
            Some((0, bytes)) if self.tag == 0x03 => Ok(bytes),
            _ => Err(Malformed(element)),
        }
    }
}

/// The first element of `bytes`.
fn split(bytes: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = bytes.split_first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }

    let (&first, after_first) = after_tag.split_first()?;
    let (length, length_len) = match first {
        0..=0x7F => (usize::from(first), 1),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7F);
            let digits = after_first.get(..count)?;
            let length = digits.iter().fold(0usize, |length, &digit| {
                length.saturating_mul(256).saturating_add(usize::from(digit))
            });
            (length, 1 + count)
        }
        _ => return None,
    };

    let header = 1 + length_len;
    let raw = bytes.get(..header.checked_add(length)?)?;
    Some(Tlv { tag, raw, contents: &raw[header..] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_past_the_end_and_long_forms_are_refused() {
        assert!(split(&[0x30, 0x03, 0x02, 0x01]).is_none());
        assert!(split(&[0x30, 0x85, 0, 0, 0, 0, 1]).is_none());
        assert!(split(&[0x30, 0x80, 0, 0]).is_none(), "indefinite");
        assert!(split(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_none());
        let tlv = split(&[0x02, 0x02, 0x00, 0x80, 0xAA]).unwrap();
        assert_eq!(tlv.unsigned("n").unwrap(), &[0x80]);
        assert_eq!(tlv.small("n").unwrap(), 0x80);
    }
}
