//! A bounded reader of BER-TLV: the tag-length-value encoding of every file of the chip, DER
//! for the security objects and BER where real documents use it (indefinite lengths in some
//! SODs, constructed octet strings).
//!
//! Tags are kept as the bytes that encode them, read as one number (`0x5F1F`, `0x7F61`, `0x30`),
//! the way Doc 9303 writes them; tags longer than four bytes are refused. Lengths take the
//! short form, the long form of one to four bytes, or, on constructed elements, the indefinite
//! form closed by an end-of-contents. Every length is checked against the bytes that remain,
//! elements nest at most [`MAX_NESTING`] deep, and nothing is allocated from a length.

use std::borrow::Cow;

use super::{ElementaryFile, LdsError, MAX_NESTING, Oid};

/// One element: its tag, and where its encoding and its contents lie in the input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Element<'a> {
    /// The tag, as the bytes that encode it.
    pub(crate) tag: u32,
    /// Tag, length and contents (and the end-of-contents of an indefinite length).
    pub(crate) raw: &'a [u8],
    /// The contents.
    pub(crate) contents: &'a [u8],
    /// Whether the length was indefinite.
    pub(crate) indefinite: bool,
    /// How many elements enclose this one.
    depth: usize,
    file: ElementaryFile,
}

/// Reads the elements of one level, in order.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    depth: usize,
    file: ElementaryFile,
}

/// What went wrong, before it is told where.
enum Fault {
    /// The bytes end before the element does.
    Short,
    /// A malformed length field.
    Length(&'static str),
    /// A tag of more than four bytes.
    LongTag,
    /// Nested too deep.
    Deep,
}

impl Fault {
    /// The error, named by file and element. Running out of bytes at the top level means the
    /// file is cut short; further down, an element is longer than the one around it.
    fn at(self, file: ElementaryFile, element: &'static str, depth: usize) -> LdsError {
        match self {
            Fault::Short if depth == 0 => LdsError::Truncated { file: Some(file), element },
            Fault::Short => LdsError::Length {
                file,
                element,
                reason: "the element runs past the end of the one around it",
            },
            Fault::Length(reason) => LdsError::Length { file, element, reason },
            Fault::LongTag => LdsError::Tag { file, element, found: None },
            Fault::Deep => LdsError::Nesting { file, element },
        }
    }
}

/// An element split off the input, before it is told where it stands.
struct Split<'a> {
    tag: u32,
    raw: &'a [u8],
    contents: &'a [u8],
    indefinite: bool,
}

/// The first element of `bytes`, at nesting `depth`.
fn split(bytes: &[u8], depth: usize) -> Result<Split<'_>, Fault> {
    let (tag, tag_len) = read_tag(bytes)?;
    let constructed = bytes.first().is_some_and(|first| first & 0x20 != 0);
    let after_tag = bytes.get(tag_len..).ok_or(Fault::Short)?;
    let (length, length_len) = read_length(after_tag)?;
    let header_len = tag_len + length_len;
    let body = bytes.get(header_len..).ok_or(Fault::Short)?;

    match length {
        Some(length) => {
            let contents = body.get(..length).ok_or(Fault::Short)?;
            let raw = bytes.get(..header_len + length).ok_or(Fault::Short)?;
            Ok(Split { tag, raw, contents, indefinite: false })
        }
        None if !constructed => Err(Fault::Length("an indefinite length on a primitive element")),
        None => {
            if depth + 1 > MAX_NESTING {
                return Err(Fault::Deep);
            }
            let length = contents_until_end(body, depth + 1)?;
            let contents = body.get(..length).ok_or(Fault::Short)?;
            let raw = bytes.get(..header_len + length + 2).ok_or(Fault::Short)?;
            Ok(Split { tag, raw, contents, indefinite: true })
        }
    }
}

/// How many bytes of `body` come before the end-of-contents that closes an indefinite length.
fn contents_until_end(body: &[u8], depth: usize) -> Result<usize, Fault> {
    let mut at = 0;
    loop {
        let rest = body.get(at..).ok_or(Fault::Short)?;
        if rest.starts_with(&[0, 0]) {
            return Ok(at);
        }
        at += split(rest, depth)?.raw.len();
    }
}

/// The tag and how many bytes it takes.
fn read_tag(bytes: &[u8]) -> Result<(u32, usize), Fault> {
    let first = *bytes.first().ok_or(Fault::Short)?;
    if first & 0x1F != 0x1F {
        return Ok((u32::from(first), 1));
    }

    let mut tag = u32::from(first);
    for index in 1..4 {
        let byte = *bytes.get(index).ok_or(Fault::Short)?;
        tag = (tag << 8) | u32::from(byte);
        if byte & 0x80 == 0 {
            return Ok((tag, index + 1));
        }
    }
    Err(Fault::LongTag)
}

/// The length (`None` for indefinite) and how many bytes it takes.
fn read_length(bytes: &[u8]) -> Result<(Option<usize>, usize), Fault> {
    let first = *bytes.first().ok_or(Fault::Short)?;
    match first {
        0..=0x7F => Ok((Some(usize::from(first)), 1)),
        0x80 => Ok((None, 1)),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7F);
            let digits = bytes.get(1..=count).ok_or(Fault::Short)?;
            let length =
                digits.iter().fold(0u64, |length, &digit| (length << 8) | u64::from(digit));
            let length = usize::try_from(length).map_err(|_| Fault::Short)?;
            Ok((Some(length), 1 + count))
        }
        0xFF => Err(Fault::Length("the reserved length byte 0xFF")),
        _ => Err(Fault::Length("a length field of more than four bytes")),
    }
}

impl<'a> Reader<'a> {
    /// A reader of a whole file, at the top level.
    pub(crate) fn new(bytes: &'a [u8], file: ElementaryFile) -> Self {
        Reader { rest: bytes, depth: 0, file }
    }

    /// Whether every element has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if there is one and it reads.
    pub(crate) fn peek_tag(&self) -> Option<u32> {
        read_tag(self.rest).ok().map(|(tag, _)| tag)
    }

    /// The next element, whatever its tag.
    pub(crate) fn read(&mut self, element: &'static str) -> Result<Element<'a>, LdsError> {
        if self.rest.is_empty() && self.depth == 0 {
            return Err(LdsError::Truncated { file: Some(self.file), element });
        }
        if self.rest.is_empty() {
            return Err(LdsError::Missing { file: self.file, element });
        }
        let Split { tag, raw, contents, indefinite } = split(self.rest, self.depth)
            .map_err(|fault| fault.at(self.file, element, self.depth))?;
        self.rest = self.rest.get(raw.len()..).unwrap_or_default();
        Ok(Element { tag, raw, contents, indefinite, depth: self.depth, file: self.file })
    }

    /// The next element, which must have tag `tag`.
    pub(crate) fn expect(
        &mut self,
        tag: u32,
        element: &'static str,
    ) -> Result<Element<'a>, LdsError> {
        let read = self.read(element)?;
        if read.tag != tag {
            return Err(LdsError::Tag { file: self.file, element, found: Some(read.tag) });
        }
        Ok(read)
    }

    /// The next element if it has tag `tag`.
    pub(crate) fn optional(
        &mut self,
        tag: u32,
        element: &'static str,
    ) -> Result<Option<Element<'a>>, LdsError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.read(element).map(Some)
    }

    /// Checks that nothing follows the last element read.
    pub(crate) fn finish(&self, element: &'static str) -> Result<(), LdsError> {
        if self.rest.is_empty() {
            return Ok(());
        }
        Err(LdsError::TrailingBytes { file: self.file, element, count: self.rest.len() })
    }
}

impl<'a> Element<'a> {
    /// The file the element was read from.
    pub(crate) fn file(&self) -> ElementaryFile {
        self.file
    }

    /// A reader of the elements inside this one.
    pub(crate) fn children(&self, element: &'static str) -> Result<Reader<'a>, LdsError> {
        if self.depth + 1 > MAX_NESTING {
            return Err(LdsError::Nesting { file: self.file, element });
        }
        Ok(Reader { rest: self.contents, depth: self.depth + 1, file: self.file })
    }

    /// An error about this element's value.
    pub(crate) fn invalid(&self, element: &'static str, reason: &'static str) -> LdsError {
        LdsError::Value { file: self.file, element, reason }
    }

    /// The contents as a non-negative INTEGER of at most 64 bits.
    pub(crate) fn unsigned(&self, element: &'static str) -> Result<u64, LdsError> {
        let Some(&first) = self.contents.first() else {
            return Err(self.invalid(element, "an integer with no contents"));
        };
        if first & 0x80 != 0 {
            return Err(self.invalid(element, "a negative integer"));
        }

        let digits =
            if first == 0 { self.contents.get(1..).unwrap_or_default() } else { self.contents };
        if digits.len() > 8 {
            return Err(self.invalid(element, "an integer too large"));
        }
        Ok(digits.iter().fold(0u64, |value, &digit| (value << 8) | u64::from(digit)))
    }

    /// The contents as an OBJECT IDENTIFIER.
    pub(crate) fn oid(&self, element: &'static str) -> Result<Oid, LdsError> {
        Oid::from_der_contents(self.contents)
            .ok_or_else(|| self.invalid(element, "a malformed object identifier"))
    }

    /// The contents as UTF-8 text.
    pub(crate) fn text(&self, element: &'static str) -> Result<String, LdsError> {
        String::from_utf8(self.contents.to_vec())
            .map_err(|_| self.invalid(element, "text that is not UTF-8"))
    }

    /// The octets of an OCTET STRING, primitive (`04`) or, as BER allows, constructed (`24`)
    /// of nested pieces.
    pub(crate) fn octets(&self, element: &'static str) -> Result<Cow<'a, [u8]>, LdsError> {
        match self.tag {
            0x04 => Ok(Cow::Borrowed(self.contents)),
            0x24 => {
                let mut octets = Vec::new();
                self.gather_octets(element, &mut octets)?;
                Ok(Cow::Owned(octets))
            }
            other => Err(LdsError::Tag { file: self.file, element, found: Some(other) }),
        }
    }

    fn gather_octets(&self, element: &'static str, octets: &mut Vec<u8>) -> Result<(), LdsError> {
        let mut pieces = self.children(element)?;
        while !pieces.is_empty() {
            let piece = pieces.read(element)?;
            match piece.tag {
                0x04 => octets.extend_from_slice(piece.contents),
                0x24 => piece.gather_octets(element, octets)?,
                other => {
                    return Err(LdsError::Tag { file: self.file, element, found: Some(other) });
                }
            }
        }
        Ok(())
    }
}

/// An AlgorithmIdentifier: the algorithm, and its parameters as they were encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmIdentifier {
    /// The algorithm.
    pub oid: Oid,
    /// The parameters' encoding (tag, length and contents), `None` when absent. A NULL is
    /// `Some([0x05, 0x00])`.
    pub parameters: Option<Vec<u8>>,
}

impl AlgorithmIdentifier {
    /// Whether the parameters are absent or NULL, the two forms Doc 9303 Part 10 says a digest
    /// algorithm may take.
    pub fn parameters_absent_or_null(&self) -> bool {
        matches!(self.parameters.as_deref(), None | Some([0x05, 0x00]))
    }

    /// Reads `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
    pub(crate) fn read(element: Element<'_>, name: &'static str) -> Result<Self, LdsError> {
        if element.tag != 0x30 {
            return Err(LdsError::Tag {
                file: element.file,
                element: name,
                found: Some(element.tag),
            });
        }

        let mut fields = element.children(name)?;
        let oid = fields.expect(0x06, name)?.oid(name)?;
        let parameters =
            if fields.is_empty() { None } else { Some(fields.read(name)?.raw.to_vec()) };
        fields.finish(name)?;
        Ok(AlgorithmIdentifier { oid, parameters })
    }
}
