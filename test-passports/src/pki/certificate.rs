//! X.509 certificates in the profiles of Doc 9303-12 7.1.1: the CSCA's self-signed root, the
//! link certificate that carries a CSCA from its old key to its new one, the document signer
//! and the master list signer. TBSCertificate is written here and signed with our own schemes.

use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::der::{self, Oid};
use crate::pki::keys::KeyPair;
use crate::pki::signature::{self, Scheme};

/// A distinguished name: country (upper case, two letters, PrintableString, 7.1.1.1.1),
/// organisation and common name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// Two letters, as Doc 9303-3 codes them.
    pub country: String,
    /// The organisation.
    pub organisation: String,
    /// The common name.
    pub common_name: String,
}

impl Name {
    /// The Name as DER: an RDNSequence, one attribute per RDN.
    pub fn der(&self) -> Vec<u8> {
        der::sequence([
            attribute(&[2, 5, 4, 6], der::printable_string(&self.country)),
            attribute(&[2, 5, 4, 10], der::utf8_string(&self.organisation)),
            attribute(&[2, 5, 4, 3], der::utf8_string(&self.common_name)),
        ])
    }
}

fn attribute(oid: Oid, value: Vec<u8>) -> Vec<u8> {
    der::set_of([der::sequence([der::oid(oid), value])])
}

/// Which of the profiles of Doc 9303-12 Table 6 a certificate follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// A CSCA's self-signed root, or a link certificate (the old key certifying the new).
    Csca,
    /// A document signer, allowed to sign these document codes (the DocumentType extension).
    DocumentSigner(Vec<String>),
    /// A master list signer: extended key usage id-icao-cscaMasterListSigningKey.
    MasterListSigner,
}

/// A signed certificate and what its holder needs to know of it.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The serial number's magnitude.
    pub serial: Vec<u8>,
    /// The issuer's Name, DER.
    pub issuer: Vec<u8>,
    /// The subject's key identifier.
    pub key_identifier: Vec<u8>,
}

impl Certificate {
    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }

    /// The serial number as lower-case hexadecimal, as the manifest writes it.
    pub fn serial_hex(&self) -> String {
        self.serial.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// PEM armour around DER.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// What a certificate says and who signs it.
pub struct Request<'a> {
    /// The profile.
    pub profile: Profile,
    /// The ICAO code of the state, for the alternative names (7.1.1.2).
    pub state: &'a str,
    /// The subject.
    pub subject: &'a Name,
    /// The key certified.
    pub subject_key: &'a KeyPair,
    /// The issuer's name.
    pub issuer: &'a Name,
    /// The issuer's key, which signs.
    pub issuer_key: &'a KeyPair,
    /// How the issuer signs.
    pub scheme: Scheme,
    /// The validity, start and end.
    pub validity: (DateTime<Utc>, DateTime<Utc>),
    /// The private key usage period, start and end.
    pub key_usage_period: (DateTime<Utc>, DateTime<Utc>),
}

/// Issues the certificate `request` describes, its serial number drawn from `rng`.
pub fn issue(request: &Request<'_>, rng: &mut impl RngCore) -> anyhow::Result<Certificate> {
    let mut serial = [0u8; 8];
    rng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7F) | 0x10;
    let key_identifier = request.subject_key.key_identifier()?;
    let authority_key_identifier = request.issuer_key.key_identifier()?;

    let tbs = der::sequence([
        der::explicit(0, &der::integer(2)),
        der::unsigned_integer(&serial),
        request.scheme.algorithm_identifier(),
        request.issuer.der(),
        der::sequence([der::time(request.validity.0), der::time(request.validity.1)]),
        request.subject.der(),
        request.subject_key.public_key_info()?,
        der::explicit(3, &extensions(request, &key_identifier, &authority_key_identifier)),
    ]);
    let signature = signature::sign(request.issuer_key, request.scheme, &tbs, rng)?;

    Ok(Certificate {
        der: der::sequence([
            tbs,
            request.scheme.algorithm_identifier(),
            der::bit_string(&signature),
        ]),
        serial: serial.to_vec(),
        issuer: request.issuer.der(),
        key_identifier,
    })
}

fn extensions(request: &Request<'_>, subject_id: &[u8], authority_id: &[u8]) -> Vec<u8> {
    let alternative_name = der::sequence([der::explicit(
        4,
        &der::sequence([attribute(&[2, 5, 4, 7], der::printable_string(request.state))]),
    )]);
    let distribution_point = format!("https://pki.test/crl/{}.crl", request.state);
    let crl_distribution = der::sequence([der::sequence([der::explicit(
        0,
        &der::explicit(0, &der::implicit(6, &der::ia5_string(&distribution_point))),
    )])]);
    let key_usage_period = der::sequence([
        der::implicit(0, &der::generalized_time(request.key_usage_period.0)),
        der::implicit(1, &der::generalized_time(request.key_usage_period.1)),
    ]);

    let mut list = vec![
        extension(
            AUTHORITY_KEY_ID,
            false,
            der::sequence([der::implicit(0, &der::octet_string(authority_id))]),
        ),
        extension(SUBJECT_KEY_ID, false, der::octet_string(subject_id)),
    ];
    match &request.profile {
        Profile::Csca => {
            // keyCertSign and cRLSign: bits 5 and 6, one unused bit.
            list.push(extension(KEY_USAGE, true, vec![0x03, 0x02, 0x01, 0x06]));
            list.push(extension(
                BASIC_CONSTRAINTS,
                true,
                der::sequence([der::boolean(true), der::integer(0)]),
            ));
        }
        Profile::DocumentSigner(_) | Profile::MasterListSigner => {
            // digitalSignature: bit 0, seven unused bits.
            list.push(extension(KEY_USAGE, true, vec![0x03, 0x02, 0x07, 0x80]));
        }
    }
    list.push(extension(PRIVATE_KEY_USAGE_PERIOD, false, key_usage_period));
    list.push(extension(SUBJECT_ALT_NAME, false, alternative_name.clone()));
    list.push(extension(ISSUER_ALT_NAME, false, alternative_name));
    list.push(extension(CRL_DISTRIBUTION_POINTS, false, crl_distribution));
    match &request.profile {
        Profile::Csca => {}
        Profile::DocumentSigner(codes) => {
            let codes = der::set_of(codes.iter().map(|code| der::printable_string(code)));
            list.push(extension(DOCUMENT_TYPE, false, der::sequence([der::integer(0), codes])));
        }
        Profile::MasterListSigner => {
            let usage = der::sequence([der::oid(MASTER_LIST_SIGNING_KEY)]);
            list.push(extension(EXTENDED_KEY_USAGE, true, usage));
        }
    }
    der::sequence(list)
}

fn extension(oid: Oid, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![der::oid(oid)];
    if critical {
        parts.push(der::boolean(true));
    }
    parts.push(der::octet_string(&value));
    der::sequence(parts)
}

/// authorityKeyIdentifier (RFC 5280 4.2.1.1).
pub const AUTHORITY_KEY_ID: Oid = &[2, 5, 29, 35];
const SUBJECT_KEY_ID: Oid = &[2, 5, 29, 14];
const KEY_USAGE: Oid = &[2, 5, 29, 15];
const PRIVATE_KEY_USAGE_PERIOD: Oid = &[2, 5, 29, 16];
const SUBJECT_ALT_NAME: Oid = &[2, 5, 29, 17];
const ISSUER_ALT_NAME: Oid = &[2, 5, 29, 18];
const BASIC_CONSTRAINTS: Oid = &[2, 5, 29, 19];
const CRL_DISTRIBUTION_POINTS: Oid = &[2, 5, 29, 31];
const EXTENDED_KEY_USAGE: Oid = &[2, 5, 29, 37];
/// id-icao-mrtd-security-extensions-documentTypeList (Doc 9303-12 7.1.1.6).
const DOCUMENT_TYPE: Oid = &[2, 23, 136, 1, 1, 6, 2];
/// id-icao-cscaMasterListSigningKey (Doc 9303-12 7.1.1.3).
const MASTER_LIST_SIGNING_KEY: Oid = &[2, 23, 136, 1, 1, 3];
