//! A CSCA's certificate revocation list in the profile of Doc 9303-12 7.1.4: version 2, the
//! authority key identifier and a CRL number, no entry extensions. The openssl crate builds no
//! CRLs, so TBSCertList is written here and signed like a certificate.

use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::der;
use crate::pki::certificate::{AUTHORITY_KEY_ID, Name};
use crate::pki::keys::KeyPair;
use crate::pki::signature::{self, Scheme};

/// One revoked certificate: its serial number's magnitude and when it was revoked.
pub struct Revoked {
    /// The serial number.
    pub serial: Vec<u8>,
    /// The revocation date.
    pub at: DateTime<Utc>,
}

/// What a CRL says and who signs it.
pub struct Request<'a> {
    /// The CSCA's name.
    pub issuer: &'a Name,
    /// The CSCA's current key.
    pub issuer_key: &'a KeyPair,
    /// How it signs.
    pub scheme: Scheme,
    /// This update and the next.
    pub updates: (DateTime<Utc>, DateTime<Utc>),
    /// The CRL number.
    pub number: u64,
    /// The certificates revoked; the field is left out when there are none (Table 9).
    pub revoked: &'a [Revoked],
}

/// The CRL, DER.
pub fn issue(request: &Request<'_>, rng: &mut impl RngCore) -> anyhow::Result<Vec<u8>> {
    let authority = der::sequence([der::implicit(
        0,
        &der::octet_string(&request.issuer_key.key_identifier()?),
    )]);
    let extensions = der::sequence([
        der::sequence([der::oid(AUTHORITY_KEY_ID), der::octet_string(&authority)]),
        der::sequence([
            der::oid(&[2, 5, 29, 20]),
            der::octet_string(&der::integer(request.number)),
        ]),
    ]);

    let mut fields = vec![
        der::integer(1),
        request.scheme.algorithm_identifier(),
        request.issuer.der(),
        der::time(request.updates.0),
        der::time(request.updates.1),
    ];
    if !request.revoked.is_empty() {
        fields.push(der::sequence(request.revoked.iter().map(|entry| {
            der::sequence([der::unsigned_integer(&entry.serial), der::time(entry.at)])
        })));
    }
    fields.push(der::explicit(0, &extensions));
    let tbs = der::sequence(fields);

    let signature = signature::sign(request.issuer_key, request.scheme, &tbs, rng)?;
    Ok(der::sequence([tbs, request.scheme.algorithm_identifier(), der::bit_string(&signature)]))
}
