//! CSCA master lists (Doc 9303-12, 9): a CMS SignedData whose content, of type
//! `id-icao-cscaMasterList` (`2.23.136.1.1.2`), is `CscaMasterList ::= SEQUENCE { version,
//! certList SET OF Certificate }`, signed by a master list signer whose certificate a CSCA
//! issued and the list itself carries.
//!
//! [`MasterList::parse`] reads a list without trusting it; [`MasterList::verify`] checks the
//! signed attributes, the signature with the signer's key, the signer's certificate (valid at the
//! moment given, with the master list signing key usage) and that a CSCA the caller already
//! trusts issued it. Only then are the CSCAs it lists worth importing.
//!
//! The reader is bounded: DER with definite lengths only, at most [`MAX_MASTER_LIST`] bytes,
//! [`MAX_LISTED_CSCAS`] certificates in the list, each at most 16 kB.

mod import;

use chrono::{DateTime, Utc};

use super::algorithms::{Hash, Scheme, algorithm_identifier, oid};
use super::certificate::{Certificate, Validity};
use super::der::{Cursor, Malformed, Tlv};
use super::keys::SignatureFault;
use super::trust::TrustAnchors;
use crate::lds::{AlgorithmIdentifier, Oid};

pub use import::{
    CrlRecord, CscaKind, CscaRecord, TrustFile, TrustFileError, listed_csca, read_trust_file,
    sha256_fingerprint, vet_crl, vet_csca,
};

/// The largest master list read, in bytes; ICAO's own list is a few megabytes.
pub const MAX_MASTER_LIST: usize = 32 * 1024 * 1024;
/// The most CSCA certificates one list may carry; ICAO's lists about a thousand.
pub const MAX_LISTED_CSCAS: usize = 4096;
/// The most certificates the SignedData may carry beside the list: the signer's and its CSCA's.
const MAX_CARRIED: usize = 16;
/// The most signed attributes.
const MAX_ATTRIBUTES: usize = 32;

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_CSCA_MASTER_LIST: &str = "2.23.136.1.1.2";
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// id-icao-mrtd-security-cscaMasterListSigningKey, the signer's extended key usage.
const ID_MASTER_LIST_SIGNING_KEY: &str = "2.23.136.1.1.3";
const ID_EXTENDED_KEY_USAGE: &str = "2.5.29.37";

/// A CSCA master list, read but not yet verified.
pub struct MasterList<'a> {
    /// The CscaMasterList version (0).
    pub version: u64,
    /// The CSCA certificates it lists (roots and link certificates), each as encoded.
    pub cscas: Vec<&'a [u8]>,
    /// The encapsulated content: the bytes the message digest covers.
    content: &'a [u8],
    /// The certificates the SignedData carries: the signer's, usually its CSCA's.
    carried: Vec<&'a [u8]>,
    signer: Signer<'a>,
}

/// The one SignerInfo, as far as verification needs it.
struct Signer<'a> {
    sid: SignerId<'a>,
    digest_algorithm: AlgorithmIdentifier,
    /// The signed attributes retagged as a SET OF: the bytes the signature covers.
    signed_bytes: Vec<u8>,
    content_type: Oid,
    message_digest: &'a [u8],
    signature_algorithm: AlgorithmIdentifier,
    signature: &'a [u8],
}

enum SignerId<'a> {
    IssuerAndSerial { issuer: &'a [u8], serial: &'a [u8] },
    SubjectKeyId(&'a [u8]),
}

/// Who signed a verified list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterListSigner {
    /// The signer's country (`C`), two letters as the certificate has it.
    pub state: Option<String>,
    /// The country of the trusted CSCA that issued the signer.
    pub csca_state: Option<String>,
}

impl<'a> MasterList<'a> {
    /// Reads a master list: `ContentInfo { signedData, SignedData }` around a CscaMasterList.
    /// Every listed certificate must be readable.
    pub fn parse(der: &'a [u8]) -> Result<MasterList<'a>, MasterListError> {
        if der.len() > MAX_MASTER_LIST {
            return Err(MasterListError::TooLarge { size: der.len() });
        }

        let content_info = Tlv::whole(der, "the ContentInfo")?;
        let mut fields = content_info.children();
        let content_type = oid(fields.expect(0x06, "the ContentInfo's contentType")?)?;
        expect_content_type(&content_type, ID_SIGNED_DATA, "the ContentInfo's contentType")?;
        let explicit = fields.expect(0xA0, "the ContentInfo's content [0]")?;
        finish(&fields, "the ContentInfo")?;
        let signed_data = Tlv::whole(explicit.contents, "the SignedData")?;
        read_signed_data(signed_data)
    }

    /// Verifies the list at `at`: the signed attributes, the signature with the signer's key,
    /// the signer's certificate, and that a CSCA among `anchors` issued it.
    pub fn verify(
        &self,
        anchors: &TrustAnchors,
        at: DateTime<Utc>,
    ) -> Result<MasterListSigner, MasterListError> {
        let signer = &self.signer;
        expect_content_type(&signer.content_type, ID_CSCA_MASTER_LIST, "the signed content type")?;
        let hash = Hash::from_oid(&signer.digest_algorithm.oid).ok_or_else(|| {
            let reason = format!("digest algorithm {} not supported", signer.digest_algorithm.oid);
            MasterListError::Algorithm { reason }
        })?;
        if hash.digest(self.content).as_deref() != Some(signer.message_digest) {
            return Err(MasterListError::MessageDigest);
        }

        let certificate = self.signer_certificate()?;
        let scheme = Scheme::from_algorithm(&signer.signature_algorithm, Some(hash))
            .map_err(|reason| MasterListError::Algorithm { reason })?;
        let key = certificate
            .key
            .as_ref()
            .map_err(|Malformed(element)| MasterListError::SignerCertificate { reason: element })?;
        match key.verify(scheme, &signer.signed_bytes, signer.signature) {
            Ok(()) => {}
            Err(SignatureFault::Mismatch) => {
                return Err(MasterListError::Signature { reason: "it does not verify" });
            }
            Err(SignatureFault::Malformed(reason)) => {
                return Err(MasterListError::Signature { reason });
            }
        }

        let validity = certificate.validity_at(at);
        if validity != Validity::Within {
            return Err(MasterListError::SignerValidity { validity: validity_name(validity) });
        }
        if !import::extended_key_usage(&certificate, ID_EXTENDED_KEY_USAGE)
            .is_some_and(|usages| usages.iter().any(|usage| usage == ID_MASTER_LIST_SIGNING_KEY))
        {
            return Err(MasterListError::SignerUsage);
        }
        let csca = anchors.issuer_of(&certificate).map_err(|_| MasterListError::SignerUntrusted)?;

        tracing::info!(
            target: "security",
            cscas = self.cscas.len(),
            "master list signature and signer verified"
        );
        Ok(MasterListSigner {
            state: certificate.country().map(|code| String::from_utf8_lossy(&code).into_owned()),
            csca_state: csca.country().map(|code| String::from_utf8_lossy(&code).into_owned()),
        })
    }

    /// The certificate the SignerInfo names, among those the SignedData carries.
    fn signer_certificate(&self) -> Result<Certificate, MasterListError> {
        for der in &self.carried {
            let Ok(certificate) = Certificate::parse(der) else { continue };
            let named = match &self.signer.sid {
                SignerId::IssuerAndSerial { issuer, serial } => {
                    certificate.issuer == *issuer && certificate.serial == *serial
                }
                SignerId::SubjectKeyId(id) => certificate.subject_key_id() == Some(id),
            };
            if named {
                return Ok(certificate);
            }
        }
        Err(MasterListError::SignerMissing)
    }
}

fn read_signed_data(signed_data: Tlv<'_>) -> Result<MasterList<'_>, MasterListError> {
    let mut fields = signed_data.children();
    fields.expect(0x02, "the SignedData version")?;
    fields.expect(0x31, "the digestAlgorithms")?;

    let encapsulated = fields.expect(0x30, "the encapContentInfo")?;
    let mut inner = encapsulated.children();
    let content_type = oid(inner.expect(0x06, "the eContentType")?)?;
    expect_content_type(&content_type, ID_CSCA_MASTER_LIST, "the eContentType")?;
    let explicit = inner.expect(0xA0, "the eContent [0]")?;
    finish(&inner, "the encapContentInfo")?;
    let content = Tlv::whole(explicit.contents, "the eContent")?;
    if content.tag != 0x04 {
        return Err(MasterListError::Malformed { element: "the eContent" });
    }
    let (version, cscas) = read_csca_master_list(content.contents)?;

    let carried = match fields.optional(0xA0, "the certificates [0]")? {
        Some(set) => elements(set, "the certificates [0]", MAX_CARRIED)?,
        None => Vec::new(),
    };
    fields.optional(0xA1, "the crls [1]")?;
    let signer_infos = fields.expect(0x31, "the signerInfos")?;
    finish(&fields, "the SignedData")?;
    let mut signers = signer_infos.children();
    let signer = read_signer_info(signers.expect(0x30, "the SignerInfo")?)?;
    if !signers.is_empty() {
        return Err(MasterListError::SignerInfo { reason: "a master list has one signer" });
    }

    Ok(MasterList { version, cscas, content: content.contents, carried, signer })
}

/// `CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }`.
fn read_csca_master_list(content: &[u8]) -> Result<(u64, Vec<&[u8]>), MasterListError> {
    let list = Tlv::whole(content, "the CscaMasterList")?;
    if list.tag != 0x30 {
        return Err(MasterListError::Malformed { element: "the CscaMasterList" });
    }
    let mut fields = list.children();
    let version = fields.expect(0x02, "the list's version")?.small("the list's version")?;
    let set = fields.expect(0x31, "the certList")?;
    finish(&fields, "the CscaMasterList")?;

    let cscas = elements(set, "the certList", MAX_LISTED_CSCAS)?;
    for (index, der) in cscas.iter().enumerate() {
        Certificate::parse(der)
            .map_err(|Malformed(reason)| MasterListError::Certificate { index, reason })?;
    }
    Ok((version, cscas))
}

fn read_signer_info(signer: Tlv<'_>) -> Result<Signer<'_>, MasterListError> {
    let mut fields = signer.children();
    fields.expect(0x02, "the SignerInfo version")?;
    let sid = fields.next("the SignerInfo's sid")?;
    let sid = match sid.tag {
        0x30 => {
            let mut parts = sid.children();
            let issuer = parts.expect(0x30, "the issuer's Name")?.raw;
            let serial = parts.expect(0x02, "the serial number")?.contents;
            finish(&parts, "the issuerAndSerialNumber")?;
            SignerId::IssuerAndSerial { issuer, serial }
        }
        0x80 => SignerId::SubjectKeyId(sid.contents),
        _ => return Err(MasterListError::Malformed { element: "the SignerInfo's sid" }),
    };
    let digest_algorithm = algorithm_identifier(fields.expect(0x30, "its digestAlgorithm")?)?;
    let Some(attributes) = fields.optional(0xA0, "its signedAttrs [0]")? else {
        return Err(MasterListError::SignerInfo { reason: "the signer signed no attributes" });
    };
    let (content_type, message_digest) = read_signed_attributes(attributes)?;
    let signature_algorithm = algorithm_identifier(fields.expect(0x30, "its signatureAlgorithm")?)?;
    let signature = fields.expect(0x04, "its signature")?.contents;
    fields.optional(0xA1, "its unsignedAttrs [1]")?;
    finish(&fields, "the SignerInfo")?;

    // RFC 5652, 5.4: the signature covers the attributes tagged as a SET OF.
    let mut signed_bytes = attributes.raw.to_vec();
    signed_bytes[0] = 0x31;
    Ok(Signer {
        sid,
        digest_algorithm,
        signed_bytes,
        content_type,
        message_digest,
        signature_algorithm,
        signature,
    })
}

/// The content-type and message-digest attributes, each given once with one value.
fn read_signed_attributes(attributes: Tlv<'_>) -> Result<(Oid, &[u8]), MasterListError> {
    let (mut content_type, mut message_digest) = (None, None);
    for attribute in elements(attributes, "the signedAttrs [0]", MAX_ATTRIBUTES)? {
        let attribute = Tlv::whole(attribute, "a signed attribute")?;
        let mut fields = attribute.children();
        let kind = oid(fields.expect(0x06, "a signed attribute's type")?)?.to_string();
        let values = fields.expect(0x31, "a signed attribute's values")?;
        finish(&fields, "a signed attribute")?;

        let slot = match kind.as_str() {
            ID_CONTENT_TYPE => {
                let value = single_value(values, 0x06)?;
                content_type.replace(oid(value)?).map(drop)
            }
            ID_MESSAGE_DIGEST => {
                message_digest.replace(single_value(values, 0x04)?.contents).map(drop)
            }
            _ => None,
        };
        if slot.is_some() {
            return Err(MasterListError::SignerInfo { reason: "a signed attribute given twice" });
        }
    }

    match (content_type, message_digest) {
        (Some(content_type), Some(digest)) => Ok((content_type, digest)),
        _ => Err(MasterListError::SignerInfo {
            reason: "the signed attributes lack a content type or a message digest",
        }),
    }
}

fn single_value(values: Tlv<'_>, tag: u8) -> Result<Tlv<'_>, MasterListError> {
    let mut values = values.children();
    let value = values.expect(tag, "a signed attribute's value")?;
    if !values.is_empty() {
        return Err(MasterListError::SignerInfo { reason: "an attribute with several values" });
    }
    Ok(value)
}

/// The elements of a SET, each as encoded, at most `limit` of them.
fn elements<'a>(
    set: Tlv<'a>,
    element: &'static str,
    limit: usize,
) -> Result<Vec<&'a [u8]>, MasterListError> {
    let mut cursor = set.children();
    let mut found = Vec::new();
    while !cursor.is_empty() {
        if found.len() == limit {
            return Err(MasterListError::TooMany { element, limit });
        }
        found.push(cursor.next(element)?.raw);
    }
    Ok(found)
}

fn finish(fields: &Cursor<'_>, element: &'static str) -> Result<(), MasterListError> {
    if fields.is_empty() { Ok(()) } else { Err(MasterListError::Malformed { element }) }
}

fn expect_content_type(
    found: &Oid,
    expected: &str,
    element: &'static str,
) -> Result<(), MasterListError> {
    let found = found.to_string();
    if found == expected { Ok(()) } else { Err(MasterListError::ContentType { element, found }) }
}

fn validity_name(validity: Validity) -> &'static str {
    match validity {
        Validity::Within => "valid",
        Validity::NotYetValid => "not yet valid",
        Validity::Expired => "expired",
        Validity::Unreadable => "of an unreadable validity",
    }
}

/// Why a master list was refused. Each variant has a stable [`code`](Self::code).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MasterListError {
    /// More bytes than [`MAX_MASTER_LIST`] (`master_list.too_large`).
    #[error("the master list has {size} bytes, more than {MAX_MASTER_LIST}")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// DER that does not read as a master list (`master_list.malformed`).
    #[error("the master list cannot be read: {element}")]
    Malformed {
        /// The element that failed.
        element: &'static str,
    },
    /// Not signed data, or not a CSCA master list inside (`master_list.content_type`).
    #[error("{element} is {found}, not that of a CSCA master list")]
    ContentType {
        /// Where.
        element: &'static str,
        /// The content type found, dotted.
        found: String,
    },
    /// More entries than accepted (`master_list.too_many`).
    #[error("{element} has more than {limit} entries")]
    TooMany {
        /// The list.
        element: &'static str,
        /// The most accepted.
        limit: usize,
    },
    /// A listed certificate that cannot be read (`master_list.certificate`).
    #[error("listed certificate {index} cannot be read: {reason}")]
    Certificate {
        /// Its position in the list.
        index: usize,
        /// What could not be read.
        reason: &'static str,
    },
    /// A SignerInfo that does not hold together (`master_list.signer_info`).
    #[error("the master list's SignerInfo: {reason}")]
    SignerInfo {
        /// What is wrong.
        reason: &'static str,
    },
    /// An algorithm not supported (`master_list.algorithm`).
    #[error("the master list's algorithm: {reason}")]
    Algorithm {
        /// Which.
        reason: String,
    },
    /// The signed message digest is not the list's (`master_list.message_digest`).
    #[error("the signed message digest is not the list's")]
    MessageDigest,
    /// The SignedData does not carry the certificate its signer names
    /// (`master_list.signer_missing`).
    #[error("the master list does not carry its signer's certificate")]
    SignerMissing,
    /// The signer's key cannot be read (`master_list.signer_certificate`).
    #[error("the master list signer's key cannot be read: {reason}")]
    SignerCertificate {
        /// What could not be read.
        reason: &'static str,
    },
    /// The signature does not verify with the signer's key (`master_list.signature`).
    #[error("the master list's signature: {reason}")]
    Signature {
        /// Why.
        reason: &'static str,
    },
    /// The signer's certificate is outside its validity (`master_list.signer_validity`).
    #[error("the master list signer's certificate is {validity}")]
    SignerValidity {
        /// Expired or not yet valid.
        validity: &'static str,
    },
    /// The signer's certificate lacks the master list signing key usage
    /// (`master_list.signer_usage`).
    #[error("the signer's certificate is not for signing master lists")]
    SignerUsage,
    /// No trusted CSCA issued the signer (`master_list.signer_untrusted`).
    #[error("no trusted CSCA issued the master list signer")]
    SignerUntrusted,
}

impl MasterListError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            MasterListError::TooLarge { .. } => "master_list.too_large",
            MasterListError::Malformed { .. } => "master_list.malformed",
            MasterListError::ContentType { .. } => "master_list.content_type",
            MasterListError::TooMany { .. } => "master_list.too_many",
            MasterListError::Certificate { .. } => "master_list.certificate",
            MasterListError::SignerInfo { .. } => "master_list.signer_info",
            MasterListError::Algorithm { .. } => "master_list.algorithm",
            MasterListError::MessageDigest => "master_list.message_digest",
            MasterListError::SignerMissing => "master_list.signer_missing",
            MasterListError::SignerCertificate { .. } => "master_list.signer_certificate",
            MasterListError::Signature { .. } => "master_list.signature",
            MasterListError::SignerValidity { .. } => "master_list.signer_validity",
            MasterListError::SignerUsage => "master_list.signer_usage",
            MasterListError::SignerUntrusted => "master_list.signer_untrusted",
        }
    }
}

impl From<Malformed> for MasterListError {
    fn from(Malformed(element): Malformed) -> Self {
        MasterListError::Malformed { element }
    }
}

#[cfg(test)]
mod tests;
