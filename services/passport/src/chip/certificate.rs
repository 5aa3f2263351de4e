//! Certificates and CRLs as passive authentication needs them: the signed part, the signature
//! and its algorithm read from the DER (so a signature is checked with a key read by
//! [`PublicKey`], explicit curves included), the rest through OpenSSL's parser.

use chrono::{DateTime, Utc};
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::nid::Nid;
use openssl::x509::{X509, X509Crl, X509NameRef};

use super::algorithms::Scheme;
use super::der::{Malformed, Tlv};
use super::keys::{PublicKey, SignatureFault};
use crate::lds::AlgorithmIdentifier;

/// The largest certificate read from a SOD; real document signer certificates are 1 to 2 kB.
pub(crate) const MAX_CERTIFICATE: usize = 16 * 1024;

/// The part of a certificate or CRL its issuer signed, and the signature.
pub(crate) struct Signed {
    /// The TBSCertificate or TBSCertList, as encoded.
    pub(crate) tbs: Vec<u8>,
    algorithm: AlgorithmIdentifier,
    signature: Vec<u8>,
}

impl Signed {
    /// Reads `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`.
    fn read(der: &[u8]) -> Result<(Signed, Tlv<'_>), Malformed> {
        let outer = Tlv::whole(der, "the certificate")?;
        let mut fields = outer.children();
        let tbs = fields.expect(0x30, "the signed part")?;
        let algorithm = super::algorithms::algorithm_identifier(
            fields.expect(0x30, "the signature algorithm")?,
        )?;
        let signature = fields.expect(0x03, "the signature")?.bits("the signature")?.to_vec();
        if !fields.is_empty() {
            return Err(Malformed("bytes after the signature"));
        }
        Ok((Signed { tbs: tbs.raw.to_vec(), algorithm, signature }, tbs))
    }

    /// Whether `issuer` signed this.
    pub(crate) fn verify_with(&self, issuer: &PublicKey) -> Result<(), SignatureFault> {
        let scheme = Scheme::from_algorithm(&self.algorithm, None)
            .map_err(|_| SignatureFault::Malformed("a signature algorithm not supported"))?;
        issuer.verify(scheme, &self.tbs, &self.signature)
    }
}

/// A certificate: a CSCA's, a link certificate or a document signer's.
pub(crate) struct Certificate {
    pub(crate) signed: Signed,
    /// The serial number's INTEGER contents, as encoded.
    pub(crate) serial: Vec<u8>,
    /// The issuer's Name, as encoded.
    pub(crate) issuer: Vec<u8>,
    /// The subject's Name, as encoded.
    pub(crate) subject: Vec<u8>,
    /// The subject's key, or why it could not be read.
    pub(crate) key: Result<PublicKey, Malformed>,
    pub(crate) x509: X509,
}

impl Certificate {
    /// Reads a certificate of at most [`MAX_CERTIFICATE`] bytes.
    pub(crate) fn parse(der: &[u8]) -> Result<Certificate, Malformed> {
        if der.len() > MAX_CERTIFICATE {
            return Err(Malformed("a certificate larger than 16 kB"));
        }
        let (signed, tbs) = Signed::read(der)?;

        let mut fields = tbs.children();
        fields.optional(0xA0, "the version")?;
        let serial = fields.expect(0x02, "the serial number")?.contents.to_vec();
        fields.expect(0x30, "the signature algorithm")?;
        let issuer = fields.expect(0x30, "the issuer")?.raw.to_vec();
        fields.expect(0x30, "the validity")?;
        let subject = fields.expect(0x30, "the subject")?.raw.to_vec();
        let spki = fields.expect(0x30, "the subject's public key")?.raw;
        let key = PublicKey::from_spki(spki);
        let x509 = X509::from_der(der).map_err(|_| Malformed("the certificate"))?;

        Ok(Certificate { signed, serial, issuer, subject, key, x509 })
    }

    /// The subject key identifier.
    pub(crate) fn subject_key_id(&self) -> Option<&[u8]> {
        self.x509.subject_key_id().map(|id| id.as_slice())
    }

    /// The authority key identifier's key identifier.
    pub(crate) fn authority_key_id(&self) -> Option<&[u8]> {
        self.x509.authority_key_id().map(|id| id.as_slice())
    }

    /// Whether the subject names itself as issuer.
    pub(crate) fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// The subject's country (`C`), the state a CSCA belongs to.
    pub(crate) fn country(&self) -> Option<Vec<u8>> {
        country(self.x509.subject_name())
    }

    /// Where `at` falls in the validity period.
    pub(crate) fn validity_at(&self, at: DateTime<Utc>) -> Validity {
        let Ok(moment) = asn1_time(at) else { return Validity::Unreadable };
        let (before, after) = (self.x509.not_before(), self.x509.not_after());
        if before > moment {
            Validity::NotYetValid
        } else if after < moment {
            Validity::Expired
        } else {
            Validity::Within
        }
    }
}

/// Where a moment falls in a certificate's validity period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Between notBefore and notAfter.
    Within,
    /// Before notBefore.
    NotYetValid,
    /// After notAfter.
    Expired,
    /// The moment could not be compared (out of OpenSSL's range).
    Unreadable,
}

/// A CRL.
pub(crate) struct Crl {
    pub(crate) signed: Signed,
    /// The issuer's Name, as encoded.
    pub(crate) issuer: Vec<u8>,
    pub(crate) crl: X509Crl,
}

impl Crl {
    /// Reads a CRL.
    pub(crate) fn parse(der: &[u8]) -> Result<Crl, Malformed> {
        let (signed, tbs) = Signed::read(der)?;

        let mut fields = tbs.children();
        fields.optional(0x02, "the CRL's version")?;
        fields.expect(0x30, "the CRL's signature algorithm")?;
        let issuer = fields.expect(0x30, "the CRL's issuer")?.raw.to_vec();
        let crl = X509Crl::from_der(der).map_err(|_| Malformed("the CRL"))?;

        Ok(Crl { signed, issuer, crl })
    }

    /// Whether `at` is past the next update; a CRL without one is never stale.
    pub(crate) fn stale_at(&self, at: DateTime<Utc>) -> bool {
        match (self.crl.next_update(), asn1_time(at)) {
            (Some(next), Ok(moment)) => next < moment,
            (Some(_), Err(_)) => true,
            (None, _) => false,
        }
    }

    /// When it was issued.
    pub(crate) fn this_update(&self) -> &Asn1TimeRef {
        self.crl.last_update()
    }
}

/// The country (`C`) of a Name.
pub(crate) fn country(name: &X509NameRef) -> Option<Vec<u8>> {
    name.entries_by_nid(Nid::COUNTRYNAME).next().map(|entry| entry.data().as_slice().to_vec())
}

/// A moment as OpenSSL compares it.
pub(crate) fn asn1_time(at: DateTime<Utc>) -> Result<Asn1Time, openssl::error::ErrorStack> {
    Asn1Time::from_unix(at.timestamp())
}
