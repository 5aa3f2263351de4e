//! CMS SignedData (RFC 5652) with a content type of our choosing, which the openssl crate cannot
//! set: the document security object of EF.SOD (Doc 9303-10 4.6.2.2) and the CSCA master list
//! (Doc 9303-12 9.1). One signer, signed attributes contentType, messageDigest and signingTime.

use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::der::{self, Oid};
use crate::pki::certificate::Certificate;
use crate::pki::keys::KeyPair;
use crate::pki::signature::{self, Scheme};

/// id-signedData.
const SIGNED_DATA: Oid = &[1, 2, 840, 113549, 1, 7, 2];
/// id-data: the plain content type some early passports sign their LDS security object as.
pub const DATA: Oid = &[1, 2, 840, 113549, 1, 7, 1];
const CONTENT_TYPE: Oid = &[1, 2, 840, 113549, 1, 9, 3];
const MESSAGE_DIGEST: Oid = &[1, 2, 840, 113549, 1, 9, 4];
const SIGNING_TIME: Oid = &[1, 2, 840, 113549, 1, 9, 5];

/// How the SignerInfo names its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// issuerAndSerialNumber, version 1: what Doc 9303-10 recommends for EF.SOD.
    IssuerAndSerialNumber,
    /// subjectKeyIdentifier, version 3: what Doc 9303-12 recommends for master lists.
    SubjectKeyIdentifier,
}

/// What to sign and how.
pub struct Request<'a> {
    /// The eContentType.
    pub content_type: Oid,
    /// The eContent.
    pub content: &'a [u8],
    /// The signer's certificate, carried in `certificates`.
    pub signer: &'a Certificate,
    /// Further certificates to carry (the CSCA of a master list signer).
    pub also_carry: &'a [&'a Certificate],
    /// The signer's key.
    pub key: &'a KeyPair,
    /// How it signs; its hash is also the digest algorithm of the signed attributes.
    pub scheme: Scheme,
    /// The signingTime attribute.
    pub signing_time: DateTime<Utc>,
    /// How the signer is named.
    pub identifier: SignerIdentifier,
    /// Flip one bit of the signature: a SignedData whose signature does not verify.
    pub break_signature: bool,
}

/// The ContentInfo around the SignedData, DER.
pub fn signed_data(request: &Request<'_>, rng: &mut impl RngCore) -> anyhow::Result<Vec<u8>> {
    let hash = request.scheme.hash();
    let attributes = [
        der::sequence([der::oid(CONTENT_TYPE), der::set_of([der::oid(request.content_type)])]),
        der::sequence([
            der::oid(MESSAGE_DIGEST),
            der::set_of([der::octet_string(&hash.digest(request.content)?)]),
        ]),
        der::sequence([der::oid(SIGNING_TIME), der::set_of([der::time(request.signing_time)])]),
    ];
    // The signature covers the attributes as a SET OF (tag 31); the SignerInfo carries the
    // same bytes under [0] IMPLICIT.
    let signed_attributes = der::set_of(attributes);
    let mut signature = signature::sign(request.key, request.scheme, &signed_attributes, rng)?;
    let middle = signature.len() / 2;
    if request.break_signature
        && let Some(byte) = signature.get_mut(middle)
    {
        *byte ^= 0x01;
    }

    let (version, signer_id) = match request.identifier {
        SignerIdentifier::IssuerAndSerialNumber => (
            1,
            der::sequence([
                request.signer.issuer.clone(),
                der::unsigned_integer(&request.signer.serial),
            ]),
        ),
        SignerIdentifier::SubjectKeyIdentifier => {
            (3, der::implicit(0, &der::octet_string(&request.signer.key_identifier)))
        }
    };
    let signer_info = der::sequence([
        der::integer(version),
        signer_id,
        hash.algorithm_identifier(),
        der::implicit(0, &signed_attributes),
        request.scheme.algorithm_identifier(),
        der::octet_string(&signature),
    ]);

    let certificates: Vec<Vec<u8>> = std::iter::once(request.signer)
        .chain(request.also_carry.iter().copied())
        .map(|certificate| certificate.der.clone())
        .collect();
    // RFC 5652 5.1: version 1 for id-data content named by issuer and serial number, else 3.
    let plain = request.content_type == DATA && version == 1;
    let signed = der::sequence([
        der::integer(if plain { 1 } else { 3 }),
        der::set_of([hash.algorithm_identifier()]),
        der::sequence([
            der::oid(request.content_type),
            der::explicit(0, &der::octet_string(request.content)),
        ]),
        der::implicit(0, &der::set_of(certificates)),
        der::set_of([signer_info]),
    ]);
    Ok(der::sequence([der::oid(SIGNED_DATA), der::explicit(0, &signed)]))
}
