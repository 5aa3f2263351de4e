//! The trust material a verification rests on: CSCA certificates and CRLs, as the trust store
//! hands them over, read and checked once.
//!
//! A self-signed CSCA certificate in the material is a trust anchor. Any other certificate
//! (a link certificate: a CSCA's new key certified by its old one) is trusted only once its
//! signature verifies with the key of a certificate already trusted, matched by key identifier.
//! A CRL is kept with the trusted CSCA whose key signed it; a CSCA signs its CRL with its
//! newest key, so the CRL of a state covers signers under its older keys as well.

use super::ChipError;
use super::certificate::{Certificate, Crl};

/// Trust material as the trust store hands it over: CSCA certificates (roots and link
/// certificates) and CRLs, each DER-encoded.
#[derive(Clone, Debug, Default)]
pub struct TrustMaterial {
    /// CSCA certificates, self-signed roots and link certificates.
    pub cscas: Vec<Vec<u8>>,
    /// CRLs issued by CSCAs.
    pub crls: Vec<Vec<u8>>,
}

/// Trust material read and checked: the CSCAs that are trusted, and the CRLs each signed.
/// Build it once and verify many chips with it.
pub struct TrustAnchors {
    cscas: Vec<Certificate>,
    /// Each CRL, with the index in `cscas` of the CSCA that signed it, if any did.
    crls: Vec<(Crl, Option<usize>)>,
    untrusted: usize,
}

/// What the CRLs say of one document signer.
pub(crate) enum Revocation<'a> {
    /// The newest CRL of the state, verified, and whether it lists the signer.
    Checked { crl: &'a Crl, revoked: bool },
    /// CRLs name the issuer, but none verifies with a CSCA key of the state.
    Unverified,
    /// No CRL of the state.
    Missing,
}

impl TrustAnchors {
    /// Reads the material; a certificate or CRL that does not parse is an error, a certificate
    /// that chains to no anchor is left out (see [`untrusted`](Self::untrusted)).
    pub fn new(material: &TrustMaterial) -> Result<TrustAnchors, ChipError> {
        let mut candidates = Vec::new();
        for (index, der) in material.cscas.iter().enumerate() {
            let certificate = Certificate::parse(der)
                .map_err(|fault| ChipError::TrustCertificate { index, reason: fault.0 })?;
            candidates.push(certificate);
        }

        let (mut cscas, mut others): (Vec<Certificate>, Vec<Certificate>) = candidates
            .into_iter()
            .partition(|candidate| candidate.self_issued() && signed_by(candidate, candidate));
        loop {
            let next = others.iter().position(|other| issued_among(&cscas, other).is_some());
            let Some(next) = next else { break };
            cscas.push(others.swap_remove(next));
        }

        let mut crls = Vec::new();
        for (index, der) in material.crls.iter().enumerate() {
            let crl =
                Crl::parse(der).map_err(|fault| ChipError::TrustCrl { index, reason: fault.0 })?;
            let signer = cscas.iter().position(|csca| {
                crl.issuer == csca.subject
                    && csca.key.as_ref().is_ok_and(|key| crl.signed.verify_with(key).is_ok())
            });
            crls.push((crl, signer));
        }

        Ok(TrustAnchors { cscas, crls, untrusted: others.len() })
    }

    /// How many trusted CSCA certificates there are.
    pub fn trusted(&self) -> usize {
        self.cscas.len()
    }

    /// How many certificates of the material chain to no trust anchor and were left out.
    pub fn untrusted(&self) -> usize {
        self.untrusted
    }

    /// The trusted CSCA whose key signed `certificate`, among those it names as issuer (see
    /// [`names`]). `Err` holds whether it names some trusted CSCA whose key does not verify it.
    pub(crate) fn issuer_of(&self, certificate: &Certificate) -> Result<&Certificate, bool> {
        issued_among(&self.cscas, certificate).ok_or_else(|| {
            let authority = certificate.authority_key_id();
            self.cscas.iter().any(|csca| names(authority, certificate, csca))
        })
    }

    /// What the CRLs of `csca`'s state say about `certificate`'s serial number.
    pub(crate) fn revocation(
        &self,
        csca: &Certificate,
        certificate: &Certificate,
    ) -> Revocation<'_> {
        let state = csca.country();
        let same_state = |other: &Certificate| match (&state, other.country()) {
            (Some(state), Some(other)) => *state == other,
            _ => other.subject == csca.subject,
        };

        let newest = self
            .crls
            .iter()
            .filter_map(|(crl, signer)| signer.map(|signer| (crl, &self.cscas[signer])))
            .filter(|(_, signer)| same_state(signer))
            .map(|(crl, _)| crl)
            .max_by(|left, right| {
                left.this_update()
                    .partial_cmp(right.this_update())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        if let Some(crl) = newest {
            // An entry with the removeFromCRL reason lifts a hold: the certificate stands.
            let revoked = matches!(
                crl.crl.get_by_serial(certificate.x509.serial_number()),
                openssl::x509::CrlStatus::Revoked(_)
            );
            return Revocation::Checked { crl, revoked };
        }

        let named = self.crls.iter().any(|(crl, _)| crl.issuer == certificate.issuer);
        if named { Revocation::Unverified } else { Revocation::Missing }
    }
}

/// The certificate among `cscas` that `certificate` names as its issuer, by key identifier
/// or, without one, by name, and whose key verifies its signature.
fn issued_among<'a>(
    cscas: &'a [Certificate],
    certificate: &Certificate,
) -> Option<&'a Certificate> {
    let authority = certificate.authority_key_id();
    cscas
        .iter()
        .filter(|csca| names(authority, certificate, csca))
        .find(|csca| signed_by(certificate, csca))
}

/// Whether `certificate` names `csca` as its issuer: the authority key identifier is the
/// CSCA's subject key identifier when both are given, the issuer is its subject otherwise.
fn names(authority: Option<&[u8]>, certificate: &Certificate, csca: &Certificate) -> bool {
    match (authority, csca.subject_key_id()) {
        (Some(authority), Some(subject)) => authority == subject,
        _ => csca.subject == certificate.issuer,
    }
}

/// Whether `issuer`'s key verifies `certificate`'s signature.
fn signed_by(certificate: &Certificate, issuer: &Certificate) -> bool {
    issuer.key.as_ref().is_ok_and(|key| certificate.signed.verify_with(key).is_ok())
}
