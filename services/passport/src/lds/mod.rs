//! The chip's files, read but not yet trusted: the logical data structure of Doc 9303 Part 10
//! (EF.COM, EF.SOD, the data groups a verifier needs, and EF.CardAccess).
//!
//! Every parser here reads input that anyone can upload, so each one is bounded: every length is
//! checked against the bytes that remain before it is used, nothing is allocated from a length
//! found in the input, elements nest at most [`MAX_NESTING`] deep, and lists that have a limit in
//! the specification (sixteen data groups) are cut off at it. A file that breaks a rule is
//! refused with an [`LdsError`] whose [`code`](LdsError::code) is stable and whose message names
//! the file and the element; no parser panics.
//!
//! Nothing here checks a signature or a hash: [`Sod`] lays out what a verifier needs for that.

mod com;
mod der;
mod dg1;
mod dg11;
mod dg12;
mod dg15;
mod dg2;
mod face;
pub mod oid;
mod security_infos;
mod security_object;
mod sod;
#[cfg(test)]
mod tests;

use std::fmt;

pub use com::Com;
pub use der::AlgorithmIdentifier;
pub use dg1::Dg1;
pub use dg2::{BiometricHeader, Dg2, FaceEncoding, FaceImage, FaceTemplate, ImageFormat};
pub use dg11::Dg11;
pub use dg12::Dg12;
pub use dg15::Dg15;
pub use oid::Oid;
pub use security_infos::{SecurityInfo, SecurityInfos};
pub use sod::{
    DataGroupHash, EncapsulatedContentType, LdsSecurityObject, LdsVersionInfo, SignedAttributes,
    SignerIdentifier, SignerInfo, Sod,
};

/// How deep elements may nest in any file; the deepest real structure (a face image in the
/// ISO/IEC 39794-5 encoding) is fourteen levels down.
pub const MAX_NESTING: usize = 32;

/// The elementary files this module reads, as errors name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElementaryFile {
    /// EF.COM, the LDS and Unicode versions and the list of data groups (tag `60`).
    Com,
    /// EF.SOD, the document security object (tag `77`).
    Sod,
    /// EF.DG1, the MRZ (tag `61`).
    Dg1,
    /// EF.DG2, the face (tag `75`).
    Dg2,
    /// EF.DG11, additional personal details (tag `6B`).
    Dg11,
    /// EF.DG12, additional document details (tag `6C`).
    Dg12,
    /// EF.DG14, the security options (tag `6E`).
    Dg14,
    /// EF.DG15, the Active Authentication public key (tag `6F`).
    Dg15,
    /// EF.CardAccess, the PACE parameters (no template of its own).
    CardAccess,
    /// The LDS security object inside EF.SOD.
    LdsSecurityObject,
}

impl fmt::Display for ElementaryFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ElementaryFile::Com => "EF.COM",
            ElementaryFile::Sod => "EF.SOD",
            ElementaryFile::Dg1 => "EF.DG1",
            ElementaryFile::Dg2 => "EF.DG2",
            ElementaryFile::Dg11 => "EF.DG11",
            ElementaryFile::Dg12 => "EF.DG12",
            ElementaryFile::Dg14 => "EF.DG14",
            ElementaryFile::Dg15 => "EF.DG15",
            ElementaryFile::CardAccess => "EF.CardAccess",
            ElementaryFile::LdsSecurityObject => "the LDS security object in EF.SOD",
        })
    }
}

/// A file of the chip, recognised by its first tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LdsFile<'a> {
    /// EF.COM.
    Com(Com),
    /// EF.SOD.
    Sod(Box<Sod<'a>>),
    /// EF.DG1.
    Dg1(Dg1),
    /// EF.DG2.
    Dg2(Dg2<'a>),
    /// EF.DG11.
    Dg11(Dg11<'a>),
    /// EF.DG12.
    Dg12(Dg12<'a>),
    /// EF.DG14.
    Dg14(SecurityInfos<'a>),
    /// EF.DG15.
    Dg15(Dg15<'a>),
    /// EF.CardAccess (a bare SET, tag `31`).
    CardAccess(SecurityInfos<'a>),
}

impl<'a> LdsFile<'a> {
    /// Reads whichever of the files above `bytes` holds, told by its first tag.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LdsError> {
        match bytes.first() {
            Some(0x60) => Com::parse(bytes).map(LdsFile::Com),
            Some(0x77) => Sod::parse(bytes).map(|sod| LdsFile::Sod(Box::new(sod))),
            Some(0x61) => Dg1::parse(bytes).map(LdsFile::Dg1),
            Some(0x75) => Dg2::parse(bytes).map(LdsFile::Dg2),
            Some(0x6B) => Dg11::parse(bytes).map(LdsFile::Dg11),
            Some(0x6C) => Dg12::parse(bytes).map(LdsFile::Dg12),
            Some(0x6E) => SecurityInfos::parse_dg14(bytes).map(LdsFile::Dg14),
            Some(0x6F) => Dg15::parse(bytes).map(LdsFile::Dg15),
            Some(0x31) => SecurityInfos::parse_card_access(bytes).map(LdsFile::CardAccess),
            Some(&other) => Err(LdsError::UnknownFile { tag: other }),
            None => Err(LdsError::Truncated { file: None, element: "the file's first tag" }),
        }
    }
}

/// Why a file of the chip could not be read. Each variant has a stable [`code`](Self::code);
/// the message names the file and the element, and quotes no personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    /// The file ends before an element does: inside a tag or a length, before the end of a
    /// value, or before the end-of-contents of an indefinite length (`lds.truncated`).
    #[error("{} is cut short: it ends inside {element}", file_name(*file))]
    Truncated {
        /// The file, when it is known.
        file: Option<ElementaryFile>,
        /// The element being read.
        element: &'static str,
    },
    /// A length field that is malformed, or an element longer than the one around it
    /// (`lds.length`).
    #[error("{file}, {element}: {reason}")]
    Length {
        /// The file.
        file: ElementaryFile,
        /// The element being read.
        element: &'static str,
        /// What is wrong with the length.
        reason: &'static str,
    },
    /// Elements nested deeper than [`MAX_NESTING`] (`lds.nesting`).
    #[error("{file}, {element}: elements nest deeper than {MAX_NESTING} levels")]
    Nesting {
        /// The file.
        file: ElementaryFile,
        /// The element being read.
        element: &'static str,
    },
    /// A tag other than the one this place holds, or a tag longer than four bytes (`lds.tag`).
    #[error("{file}, {element}: {}", tag_found(*found))]
    Tag {
        /// The file.
        file: ElementaryFile,
        /// The element expected.
        element: &'static str,
        /// The tag found, `None` when it is longer than four bytes.
        found: Option<u32>,
    },
    /// A required element is absent (`lds.missing`).
    #[error("{file} has no {element}")]
    Missing {
        /// The file.
        file: ElementaryFile,
        /// The element.
        element: &'static str,
    },
    /// Bytes after the last element of a file or a structure (`lds.trailing_bytes`).
    #[error("{file}, {element}: {count} bytes follow its last element")]
    TrailingBytes {
        /// The file.
        file: ElementaryFile,
        /// The structure that should have ended.
        element: &'static str,
        /// How many bytes follow.
        count: usize,
    },
    /// A value of the wrong form: an integer too large, a malformed object identifier, text
    /// that is not UTF-8, a date that is not digits (`lds.value`).
    #[error("{file}, {element}: {reason}")]
    Value {
        /// The file.
        file: ElementaryFile,
        /// The element.
        element: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More entries in a list than this reader accepts (`lds.too_many`).
    #[error("{file}, {element}: more than {limit} entries")]
    TooMany {
        /// The file.
        file: ElementaryFile,
        /// The list.
        element: &'static str,
        /// The most accepted.
        limit: usize,
    },
    /// A first tag that starts none of the files read here (`lds.file`).
    #[error("no file of the chip read here starts with tag {tag:#04x}")]
    UnknownFile {
        /// The tag.
        tag: u8,
    },
    /// The LDS security object lists fewer than 2 or more than 16 data group hashes
    /// (`lds.data_group_count`); counting stops at the first one past 16.
    #[error("the LDS security object lists {found} data group hashes; 2 to 16 are allowed")]
    DataGroupCount {
        /// How many were counted.
        found: usize,
    },
    /// A data group number outside 1 to 16 (`lds.data_group_number`).
    #[error("the LDS security object hashes data group {number}, which does not exist")]
    DataGroupNumber {
        /// The number.
        number: u64,
    },
    /// A data group hashed twice (`lds.data_group_duplicate`).
    #[error("the LDS security object hashes data group {number} twice")]
    DuplicateDataGroup {
        /// The number.
        number: u8,
    },
    /// A content type other than signed data around the SOD, or an encapsulated content
    /// type that is not an LDS security object (`sod.content_type`).
    #[error("EF.SOD, {element}: content type {oid} is not one a document security object has")]
    ContentType {
        /// Where the content type was found.
        element: &'static str,
        /// The content type, dotted.
        oid: String,
    },
    /// A SignerInfo that does not hold together: no signer at all, or signed attributes without
    /// a single content type and message digest (`sod.signer_info`).
    #[error("EF.SOD, SignerInfo: {reason}")]
    SignerInfo {
        /// What is wrong.
        reason: &'static str,
    },
    /// An MRZ in DG1 whose length fits no layout (`dg1.mrz_length`).
    #[error("the MRZ in EF.DG1 has {found} characters; a layout has 72, 88 or 90")]
    MrzLength {
        /// Its length.
        found: usize,
    },
    /// An ISO/IEC 19794-5 facial record in DG2 that does not hold together (`dg2.face_record`).
    #[error("EF.DG2, facial record: {reason}")]
    FaceRecord {
        /// What is wrong.
        reason: &'static str,
    },
}

impl LdsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LdsError::Truncated { .. } => "lds.truncated",
            LdsError::Length { .. } => "lds.length",
            LdsError::Nesting { .. } => "lds.nesting",
            LdsError::Tag { .. } => "lds.tag",
            LdsError::Missing { .. } => "lds.missing",
            LdsError::TrailingBytes { .. } => "lds.trailing_bytes",
            LdsError::Value { .. } => "lds.value",
            LdsError::TooMany { .. } => "lds.too_many",
            LdsError::UnknownFile { .. } => "lds.file",
            LdsError::DataGroupCount { .. } => "lds.data_group_count",
            LdsError::DataGroupNumber { .. } => "lds.data_group_number",
            LdsError::DuplicateDataGroup { .. } => "lds.data_group_duplicate",
            LdsError::ContentType { .. } => "sod.content_type",
            LdsError::SignerInfo { .. } => "sod.signer_info",
            LdsError::MrzLength { .. } => "dg1.mrz_length",
            LdsError::FaceRecord { .. } => "dg2.face_record",
        }
    }
}

fn file_name(file: Option<ElementaryFile>) -> String {
    file.map_or_else(|| "the file".to_owned(), |file| file.to_string())
}

fn tag_found(found: Option<u32>) -> String {
    match found {
        Some(tag) => format!("found tag {tag:#04x} where this element belongs"),
        None => "a tag longer than four bytes".to_owned(),
    }
}
