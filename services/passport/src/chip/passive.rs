//! Passive authentication (Doc 9303 Part 11, 5.1; Part 12 for the PKI): the SOD is what its
//! document signer signed, the document signer is chained to a trusted CSCA and not revoked,
//! and every data group read is the one the SOD hashes.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::algorithms::{Hash, Scheme, oid};
use super::certificate::{Certificate, Validity};
use super::data_groups;
use super::der::{Malformed, Tlv};
use super::keys::SignatureFault;
use super::trust::{ChainedSigner, Fingerprint, Revocation, TrustAnchors};
use super::verdict::{Check, Verdict};
use crate::lds::{EncapsulatedContentType, SignedAttributes, SignerIdentifier, SignerInfo, Sod};
use crate::mrz::Mrz;

/// What a verification requires beyond the specification's minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Whether the document signer's certificate must also be valid when the chip is
    /// verified, not only when it signed the SOD. Doc 9303 makes a document signer
    /// certificate last as long as the passports it signs, so this holds for a passport
    /// still in use; it is on by default.
    pub signer_valid_at_verification: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { signer_valid_at_verification: true }
    }
}

/// Passive authentication of a chip: `sod` parsed from EF.SOD, `data_groups` the files read
/// (number to bytes), `page_mrz` the MRZ read from the data page, if any, checked as of `at`.
///
/// Every check is recorded in the verdict, even after one has failed, so an officer sees all
/// that holds and all that does not; [`Verdict::code`] gives the one that decides.
pub fn verify_passive(
    sod: &Sod<'_>,
    data_groups: &BTreeMap<u8, &[u8]>,
    page_mrz: Option<&Mrz>,
    trust: &TrustAnchors,
    policy: &Policy,
    at: DateTime<Utc>,
) -> Verdict {
    let mut verdict = Verdict::default();
    verdict.push(content_type(sod));

    let Some(signer_info) = sod.signer_infos.first() else {
        verdict.push(Check::failed("sod.signer_info", "sod.signer_info", "the SOD has no signer"));
        return verdict;
    };
    let attributes = signer_info.signed_attributes.as_ref();
    verdict.push(content_type_attribute(sod, attributes));
    verdict.push(message_digest(sod, signer_info, attributes));

    match find_signer(sod, &signer_info.sid, trust) {
        Ok(signer) => {
            verdict.push(Check::passed("signer.certificate", "the SOD carries the signer's"));
            let certificate = signer.certificate();
            verdict.push(signature(sod, signer_info, attributes, certificate));
            let signing_time = attributes.and_then(signing_time);
            verdict.push(validity_at_signing(certificate, signing_time, at));
            verdict.push(validity_now(certificate, policy, at));
            chain_and_revocation(&mut verdict, signer, trust, at);
        }
        Err(check) => {
            verdict.push(check);
            for name in ["sod.signature", "signer.validity", "csca.chain", "crl"] {
                verdict.push(Check::not_applicable(name, "no document signer certificate"));
            }
        }
    }

    data_groups::hashes(&mut verdict, &sod.security_object, data_groups);
    verdict.push(data_groups::dg1_against_page(data_groups.get(&1).copied(), page_mrz, at));
    verdict
}

fn content_type(sod: &Sod<'_>) -> Check {
    let reason = match sod.content_kind {
        EncapsulatedContentType::LdsSecurityObject => "an LDS security object (2.23.136.1.1.1)",
        EncapsulatedContentType::Data => "id-data, as some early passports give it",
        EncapsulatedContentType::Legacy => "a draft LDS security object identifier",
    };
    Check::passed("sod.content_type", reason)
}

fn content_type_attribute(sod: &Sod<'_>, attributes: Option<&SignedAttributes<'_>>) -> Check {
    const NAME: &str = "sod.content_type_attribute";
    match attributes {
        None => Check::failed(NAME, "sod.signed_attributes", "the signer signed no attributes"),
        Some(attributes) if attributes.content_type == sod.content_type => {
            Check::passed(NAME, "the signed content type is the encapsulated one")
        }
        Some(_) => Check::failed(
            NAME,
            "sod.content_type_attribute",
            "the signed content type differs from the encapsulated one",
        ),
    }
}

fn message_digest(
    sod: &Sod<'_>,
    signer_info: &SignerInfo<'_>,
    attributes: Option<&SignedAttributes<'_>>,
) -> Check {
    const NAME: &str = "sod.message_digest";
    let Some(attributes) = attributes else {
        return Check::failed(NAME, "sod.signed_attributes", "the signer signed no attributes");
    };
    let Some(hash) = Hash::from_oid(&signer_info.digest_algorithm.oid) else {
        let reason = format!("digest algorithm {} not supported", signer_info.digest_algorithm.oid);
        return Check::failed(NAME, "sod.digest_algorithm", reason);
    };
    match hash.digest(&sod.content) {
        Some(digest) if digest == attributes.message_digest => Check::passed(
            NAME,
            format!("the {} of the security object is the signed one", hash.name()),
        ),
        _ => Check::failed(
            NAME,
            "sod.message_digest",
            "the signed message digest is not the security object's",
        ),
    }
}

/// The document signer's certificate: one a trusted CSCA's key has verified before, as the
/// trust anchors keep it, or one read from the SOD now and not yet chained.
enum Signer {
    Chained(Arc<ChainedSigner>),
    Read { fingerprint: Fingerprint, certificate: Box<Certificate> },
}

impl Signer {
    fn certificate(&self) -> &Certificate {
        match self {
            Signer::Chained(signer) => &signer.certificate,
            Signer::Read { certificate, .. } => certificate,
        }
    }
}

/// The certificate the SignerInfo names, among those the SOD carries; taken from the trust
/// anchors when they keep one of exactly the same encoding.
fn find_signer(
    sod: &Sod<'_>,
    sid: &SignerIdentifier<'_>,
    trust: &TrustAnchors,
) -> Result<Signer, Check> {
    const NAME: &str = "signer.certificate";
    let mut unreadable = None;
    for der in &sod.certificates {
        let fingerprint = openssl::sha::sha256(der);
        let signer = match trust.chained_signer(&fingerprint) {
            Some(chained) => Signer::Chained(chained),
            None => match Certificate::parse(der) {
                Ok(certificate) => Signer::Read { fingerprint, certificate: Box::new(certificate) },
                Err(Malformed(element)) => {
                    unreadable = Some(element);
                    continue;
                }
            },
        };
        if names_signer(sid, signer.certificate()) {
            return Ok(signer);
        }
    }

    Err(match unreadable {
        Some(element) => Check::failed(
            NAME,
            "signer.certificate",
            format!("a certificate in the SOD cannot be read: {element}"),
        ),
        None => {
            Check::failed(NAME, "signer.missing", "the SOD carries no certificate of its signer")
        }
    })
}

/// Whether the SignerInfo's identifier names `certificate`.
fn names_signer(sid: &SignerIdentifier<'_>, certificate: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial_number, .. } => {
            certificate.issuer == *issuer && certificate.serial == *serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => certificate.subject_key_id() == Some(id),
    }
}

fn signature(
    sod: &Sod<'_>,
    signer_info: &SignerInfo<'_>,
    attributes: Option<&SignedAttributes<'_>>,
    signer: &Certificate,
) -> Check {
    const NAME: &str = "sod.signature";
    let digest = Hash::from_oid(&signer_info.digest_algorithm.oid);
    let scheme = match Scheme::from_algorithm(&signer_info.signature_algorithm, digest) {
        Ok(scheme) => scheme,
        Err(reason) => return Check::failed(NAME, "sod.signature_algorithm", reason),
    };
    let key = match &signer.key {
        Ok(key) => key,
        Err(Malformed(element)) => {
            let reason = format!("the document signer's key cannot be read: {element}");
            return Check::failed(NAME, "signer.certificate", reason);
        }
    };

    let signed: &[u8] = match attributes {
        Some(attributes) => &attributes.signed_bytes,
        None => &sod.content,
    };
    match key.verify(scheme, signed, signer_info.signature) {
        Ok(()) => Check::passed(NAME, "the document signer's key verifies the signature"),
        Err(SignatureFault::Mismatch) => Check::failed(
            NAME,
            "sod.signature",
            "the signature does not verify with the document signer's key",
        ),
        Err(SignatureFault::Malformed(element)) => Check::failed(NAME, "sod.signature", element),
    }
}

fn validity_at_signing(
    signer: &Certificate,
    signing_time: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Check {
    let (moment, when) = match signing_time {
        Some(time) => (time, "when it signed (its signing time)"),
        None => (at, "now (the SOD gives no signing time)"),
    };
    validity_check("signer.validity_at_signing", signer.validity_at(moment), when)
}

fn validity_now(signer: &Certificate, policy: &Policy, at: DateTime<Utc>) -> Check {
    const NAME: &str = "signer.validity";
    if !policy.signer_valid_at_verification {
        return Check::not_applicable(NAME, "the policy asks for validity at signing only");
    }
    validity_check(NAME, signer.validity_at(at), "now")
}

fn validity_check(name: &str, validity: Validity, when: &str) -> Check {
    match validity {
        Validity::Within => {
            Check::passed(name, format!("the document signer's certificate is valid {when}"))
        }
        Validity::Expired => Check::failed(
            name,
            "signer.expired",
            format!("the document signer's certificate had expired {when}"),
        ),
        Validity::NotYetValid => Check::failed(
            name,
            "signer.not_yet_valid",
            format!("the document signer's certificate was not yet valid {when}"),
        ),
        Validity::Unreadable => Check::failed(
            name,
            "signer.validity",
            "the document signer's validity period cannot be compared",
        ),
    }
}

/// The signer's chain to a trusted CSCA, verified now unless the anchors kept it verified, and
/// its revocation status, always looked up.
fn chain_and_revocation(
    verdict: &mut Verdict,
    signer: Signer,
    trust: &TrustAnchors,
    at: DateTime<Utc>,
) {
    let chained = match signer {
        Signer::Chained(chained) => Ok(chained),
        Signer::Read { fingerprint, certificate } => trust.chain(fingerprint, *certificate),
    };
    let chained = match chained {
        Ok(chained) => chained,
        Err(named) => {
            let reason = if named {
                "the trusted CSCA it names does not verify the document signer's certificate"
            } else {
                "no trusted CSCA has the key that issued the document signer's certificate"
            };
            verdict.push(Check::failed("csca.chain", "csca.unknown", reason));
            verdict.push(Check::not_applicable("crl", "no trusted CSCA whose CRL applies"));
            return;
        }
    };
    let (csca, signer) = (trust.csca_of(&chained), &chained.certificate);
    let state = csca.country().map(|country| String::from_utf8_lossy(&country).into_owned());
    let state = state.unwrap_or_else(|| "its state".to_owned());
    verdict.push(Check::passed("csca.chain", format!("signed by a trusted CSCA of {state}")));

    let check = match trust.revocation(csca, signer) {
        Revocation::Checked { revoked: true, .. } => Check::failed(
            "crl",
            "signer.revoked",
            format!("the CRL of {state} revokes the document signer"),
        ),
        Revocation::Checked { crl, revoked: false } if crl.stale_at(at) => Check::failed(
            "crl",
            "crl.stale",
            format!("the newest CRL of {state} is past its next update"),
        ),
        Revocation::Checked { .. } => {
            Check::passed("crl", format!("the current CRL of {state} does not list the signer"))
        }
        Revocation::Unverified => Check::failed(
            "crl",
            "crl.signature",
            format!("no CRL naming the issuer verifies with a CSCA key of {state}"),
        ),
        Revocation::Missing => {
            Check::failed("crl", "crl.missing", format!("the trust store has no CRL of {state}"))
        }
    };
    verdict.push(check);
}

/// The signing-time signed attribute (RFC 5652, 11.3), when present and readable.
fn signing_time(attributes: &SignedAttributes<'_>) -> Option<DateTime<Utc>> {
    let set = Tlv::whole(&attributes.signed_bytes, "the signed attributes").ok()?;
    let mut entries = set.children();
    while !entries.is_empty() {
        let attribute = entries.expect(0x30, "a signed attribute").ok()?;
        let mut fields = attribute.children();
        let kind = oid(fields.expect(0x06, "its type").ok()?).ok()?;
        if kind.to_string() != "1.2.840.113549.1.9.5" {
            continue;
        }
        let values = fields.expect(0x31, "its values").ok()?;
        let value = values.children().next("its value").ok()?;
        return time(value);
    }
    None
}

/// A UTCTime (years 1950 to 2049) or GeneralizedTime, in UTC.
fn time(value: Tlv<'_>) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(value.contents).ok()?.strip_suffix('Z')?;
    let full = match value.tag {
        0x17 => {
            let year: u32 = text.get(..2)?.parse().ok()?;
            let century = if year >= 50 { "19" } else { "20" };
            format!("{century}{text}")
        }
        0x18 => text.to_owned(),
        _ => return None,
    };
    let naive = NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok()?;
    Some(naive.and_utc())
}
