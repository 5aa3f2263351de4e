//! What a trust store import needs besides master lists: the kind of a file (a master list, a
//! certificate or a CRL, PEM or DER), and a CSCA certificate or a CRL vetted and described.
//!
//! A CSCA certificate imported alone is either a self-signed root that is a CA with the
//! keyCertSign usage, or a link certificate whose signature a trusted CSCA's key verifies. A
//! CRL is accepted only when a trusted CSCA named as its issuer signed it.

use chrono::{DateTime, Utc};
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{X509, X509Crl, X509NameRef};

use super::super::algorithms::{Hash, oid};
use super::super::certificate::{Certificate, Crl, MAX_CERTIFICATE};
use super::super::der::{Malformed, Tlv};
use super::super::trust::TrustAnchors;
use super::{MAX_MASTER_LIST, MasterList};

const ID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const ID_KEY_USAGE: &str = "2.5.29.15";

/// A trust file, told by its content: DER, whatever it came as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustFile {
    /// A CSCA master list (CMS SignedData).
    MasterList(Vec<u8>),
    /// A certificate.
    Certificate(Vec<u8>),
    /// A CRL.
    Crl(Vec<u8>),
}

/// Whether a CSCA certificate is a root or a link certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CscaKind {
    /// Self-signed.
    Root,
    /// Signed by another CSCA key (a new key certified by the old one).
    Link,
}

/// A CSCA certificate as the trust store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CscaRecord {
    /// The issuing state: the subject's country (`C`), as the certificate has it.
    pub state: String,
    /// Root or link.
    pub kind: CscaKind,
    /// The subject key identifier, hexadecimal.
    pub subject_key_id: Option<String>,
    /// The serial number, hexadecimal.
    pub serial: String,
    /// notBefore.
    pub not_before: DateTime<Utc>,
    /// notAfter.
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the DER, hexadecimal.
    pub fingerprint: String,
    /// The certificate.
    pub der: Vec<u8>,
}

/// A CRL as the trust store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlRecord {
    /// The issuing state: the issuer's country (`C`).
    pub state: String,
    /// The issuer's name, one line (`C=UT, O=…, CN=…`).
    pub issuer: String,
    /// thisUpdate.
    pub this_update: DateTime<Utc>,
    /// nextUpdate, when it has one.
    pub next_update: Option<DateTime<Utc>>,
    /// SHA-256 of the DER, hexadecimal.
    pub fingerprint: String,
    /// The CRL.
    pub der: Vec<u8>,
}

/// Tells what `bytes` hold: PEM (`CERTIFICATE`, `X509 CRL`) or DER, a master list by its
/// ContentInfo, otherwise whichever of a certificate or a CRL it reads as.
pub fn read_trust_file(bytes: &[u8]) -> Result<TrustFile, TrustFileError> {
    if bytes.len() > MAX_MASTER_LIST {
        return Err(TrustFileError::Unrecognised { reason: "larger than any trust file" });
    }

    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        if let Ok(certificate) = X509::from_pem(bytes) {
            let der = certificate.to_der().map_err(|_| TrustFileError::Certificate {
                reason: "the PEM certificate cannot be encoded again",
            })?;
            return Ok(TrustFile::Certificate(der));
        }
        if let Ok(crl) = X509Crl::from_pem(bytes) {
            let der = crl.to_der().map_err(|_| TrustFileError::Crl {
                reason: "the PEM CRL cannot be encoded again",
            })?;
            return Ok(TrustFile::Crl(der));
        }
        return Err(TrustFileError::Unrecognised {
            reason: "PEM of neither a certificate nor a CRL",
        });
    }

    let outer = Tlv::whole(bytes, "the file")
        .map_err(|_| TrustFileError::Unrecognised { reason: "neither PEM nor one DER element" })?;
    if outer.children().peek() == Some(0x06) {
        MasterList::parse(bytes).map_err(TrustFileError::MasterList)?;
        return Ok(TrustFile::MasterList(bytes.to_vec()));
    }
    if bytes.len() <= MAX_CERTIFICATE && Certificate::parse(bytes).is_ok() {
        return Ok(TrustFile::Certificate(bytes.to_vec()));
    }
    if Crl::parse(bytes).is_ok() {
        return Ok(TrustFile::Crl(bytes.to_vec()));
    }
    Err(TrustFileError::Unrecognised {
        reason: "DER of neither a master list, certificate nor CRL",
    })
}

/// Vets a CSCA certificate imported alone: a CA certificate with the keyCertSign usage that
/// is self-signed, or that a CSCA among `anchors` signed (a link certificate).
pub fn vet_csca(der: &[u8], anchors: &TrustAnchors) -> Result<CscaRecord, TrustFileError> {
    let certificate = parse_certificate(der)?;
    if !is_ca_with_key_cert_sign(&certificate) {
        return Err(TrustFileError::NotCa);
    }

    let kind = csca_kind(&certificate);
    if kind == CscaKind::Link && anchors.issuer_of(&certificate).is_err() {
        return Err(TrustFileError::CscaUntrusted);
    }
    describe(der, &certificate, kind)
}

/// Describes a CSCA certificate a verified master list lists: the list vouches for it.
pub fn listed_csca(der: &[u8]) -> Result<CscaRecord, TrustFileError> {
    let certificate = parse_certificate(der)?;
    describe(der, &certificate, csca_kind(&certificate))
}

/// Vets a CRL: one of the trusted CSCA certificates `cscas` (DER), with the CRL's issuer as
/// subject, signed it.
pub fn vet_crl(der: &[u8], cscas: &[Vec<u8>]) -> Result<CrlRecord, TrustFileError> {
    let crl = Crl::parse(der).map_err(|Malformed(reason)| TrustFileError::Crl { reason })?;
    let signed = cscas.iter().filter_map(|csca| Certificate::parse(csca).ok()).any(|csca| {
        csca.subject == crl.issuer
            && csca.key.as_ref().is_ok_and(|key| crl.signed.verify_with(key).is_ok())
    });
    if !signed {
        return Err(TrustFileError::CrlUntrusted);
    }

    let issuer_name = crl.crl.issuer_name();
    let state = country_text(issuer_name).ok_or(TrustFileError::Country)?;
    Ok(CrlRecord {
        state,
        issuer: one_line(issuer_name),
        this_update: moment(crl.crl.last_update())?,
        next_update: crl.crl.next_update().map(moment).transpose()?,
        fingerprint: sha256_fingerprint(der)?,
        der: der.to_vec(),
    })
}

fn parse_certificate(der: &[u8]) -> Result<Certificate, TrustFileError> {
    Certificate::parse(der).map_err(|Malformed(reason)| TrustFileError::Certificate { reason })
}

fn csca_kind(certificate: &Certificate) -> CscaKind {
    let self_signed = certificate.self_issued()
        && certificate.key.as_ref().is_ok_and(|key| certificate.signed.verify_with(key).is_ok());
    if self_signed { CscaKind::Root } else { CscaKind::Link }
}

fn describe(
    der: &[u8],
    certificate: &Certificate,
    kind: CscaKind,
) -> Result<CscaRecord, TrustFileError> {
    let x509 = &certificate.x509;
    Ok(CscaRecord {
        state: country_text(x509.subject_name()).ok_or(TrustFileError::Country)?,
        kind,
        subject_key_id: certificate.subject_key_id().map(hex),
        serial: hex(&certificate.serial),
        not_before: moment(x509.not_before())?,
        not_after: moment(x509.not_after())?,
        fingerprint: sha256_fingerprint(der)?,
        der: der.to_vec(),
    })
}

/// Whether basicConstraints says CA and keyUsage has keyCertSign.
fn is_ca_with_key_cert_sign(certificate: &Certificate) -> bool {
    let Ok(extensions) = extensions(&certificate.signed.tbs) else { return false };
    let ca = extensions.iter().any(|(id, value)| {
        id == ID_BASIC_CONSTRAINTS
            && Tlv::whole(value, "basicConstraints").is_ok_and(|constraints| {
                let mut fields = constraints.children();
                fields.optional(0x01, "cA").is_ok_and(|ca| {
                    ca.is_some_and(|ca| ca.contents.first().is_some_and(|&b| b != 0))
                })
            })
    });
    // keyCertSign is bit 5 of the KeyUsage BIT STRING: 0x04 in its first byte.
    let key_cert_sign = extensions.iter().any(|(id, value)| {
        id == ID_KEY_USAGE
            && Tlv::whole(value, "keyUsage").is_ok_and(|usage| {
                usage.tag == 0x03 && usage.contents.get(1).is_some_and(|b| b & 0x04 != 0)
            })
    });
    ca && key_cert_sign
}

/// The object identifiers an extension of `certificate` lists, when it has extension `id`
/// holding a SEQUENCE OF OBJECT IDENTIFIER (extendedKeyUsage).
pub(super) fn extended_key_usage(certificate: &Certificate, id: &str) -> Option<Vec<String>> {
    let extensions = extensions(&certificate.signed.tbs).ok()?;
    let (_, value) = extensions.iter().find(|(found, _)| found == id)?;
    let list = Tlv::whole(value, "the extended key usage").ok()?;
    let mut usages = list.children();
    let mut found = Vec::new();
    while !usages.is_empty() {
        found.push(oid(usages.next("a key purpose").ok()?).ok()?.to_string());
    }
    Some(found)
}

/// The extensions of a TBSCertificate: each identifier, dotted, with its value's contents.
fn extensions(tbs: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Malformed> {
    let tbs = Tlv::whole(tbs, "the signed part")?;
    let mut fields = tbs.children();
    let mut found = Vec::new();
    while let Some(tag) = fields.peek() {
        let field = fields.next("a field of the signed part")?;
        if tag != 0xA3 {
            continue;
        }
        let list = Tlv::whole(field.contents, "the extensions")?;
        let mut entries = list.children();
        while !entries.is_empty() {
            let entry = entries.expect(0x30, "an extension")?;
            let mut parts = entry.children();
            let id = oid(parts.expect(0x06, "an extension's identifier")?)?.to_string();
            parts.optional(0x01, "an extension's criticality")?;
            let value = parts.expect(0x04, "an extension's value")?;
            found.push((id, value.contents.to_vec()));
        }
    }
    Ok(found)
}

fn country_text(name: &X509NameRef) -> Option<String> {
    super::super::certificate::country(name)
        .and_then(|code| String::from_utf8(code).ok())
        .filter(|code| !code.is_empty() && code.len() <= 3)
}

fn one_line(name: &X509NameRef) -> String {
    let parts: Vec<String> = name
        .entries()
        .map(|entry| {
            let key = entry.object().nid().short_name().unwrap_or("?");
            let value = String::from_utf8_lossy(entry.data().as_slice()).into_owned();
            format!("{key}={value}")
        })
        .collect();
    parts.join(", ")
}

fn moment(time: &Asn1TimeRef) -> Result<DateTime<Utc>, TrustFileError> {
    let epoch = Asn1Time::from_unix(0).map_err(|_| TrustFileError::Time)?;
    let diff = epoch.diff(time).map_err(|_| TrustFileError::Time)?;
    let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    DateTime::from_timestamp(seconds, 0).ok_or(TrustFileError::Time)
}

/// SHA-256 of `der`, hexadecimal: how the trust store tells files apart.
pub fn sha256_fingerprint(der: &[u8]) -> Result<String, TrustFileError> {
    Hash::Sha256.digest(der).map(|digest| hex(&digest)).ok_or(TrustFileError::Time)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Why a trust file was refused. Each variant has a stable [`code`](Self::code).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustFileError {
    /// Neither a master list, a certificate nor a CRL (`trust.file_kind`).
    #[error("not a trust file: {reason}")]
    Unrecognised {
        /// Why.
        reason: &'static str,
    },
    /// A master list that cannot be read or verified; the code is the list's.
    #[error(transparent)]
    MasterList(#[from] super::MasterListError),
    /// A certificate that cannot be read (`trust.certificate`).
    #[error("the certificate cannot be read: {reason}")]
    Certificate {
        /// What could not be read.
        reason: &'static str,
    },
    /// A CRL that cannot be read (`trust.crl`).
    #[error("the CRL cannot be read: {reason}")]
    Crl {
        /// What could not be read.
        reason: &'static str,
    },
    /// A certificate that is not a CA with keyCertSign (`trust.csca_not_ca`).
    #[error("the certificate is not a CA certificate with the keyCertSign usage")]
    NotCa,
    /// A certificate that is not self-signed and that no trusted CSCA signed
    /// (`trust.csca_untrusted`).
    #[error("the certificate is not self-signed and no trusted CSCA signed it")]
    CscaUntrusted,
    /// A CRL that no trusted CSCA of its issuer signed (`trust.crl_untrusted`).
    #[error("no trusted CSCA of the CRL's issuer signed it")]
    CrlUntrusted,
    /// A subject or issuer without a country (`trust.country`).
    #[error("the name has no country (C), so no issuing state")]
    Country,
    /// A time or digest OpenSSL could not give (`trust.time`).
    #[error("a validity time or digest could not be read")]
    Time,
}

impl TrustFileError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustFileError::Unrecognised { .. } => "trust.file_kind",
            TrustFileError::MasterList(err) => err.code(),
            TrustFileError::Certificate { .. } => "trust.certificate",
            TrustFileError::Crl { .. } => "trust.crl",
            TrustFileError::NotCa => "trust.csca_not_ca",
            TrustFileError::CscaUntrusted => "trust.csca_untrusted",
            TrustFileError::CrlUntrusted => "trust.crl_untrusted",
            TrustFileError::Country => "trust.country",
            TrustFileError::Time => "trust.time",
        }
    }
}
