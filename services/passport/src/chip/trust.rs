//! The trust material a verification rests on: CSCA certificates and CRLs, as the trust store
//! hands them over, read and checked once.
//!
//! A self-signed CSCA certificate in the material is a trust anchor. Any other certificate
//! (a link certificate: a CSCA's new key certified by its old one) is trusted only once its
//! signature verifies with the key of a certificate already trusted, matched by key identifier.
//! A CRL is kept with the trusted CSCA whose key signed it; a CSCA signs its CRL with its
//! newest key, so the CRL of a state covers signers under its older keys as well.
//!
//! The anchors also keep the document signer certificates a trusted CSCA's key has verified,
//! by the SHA-256 of their encoding, so that the chips of one signer do not each parse its
//! certificate and verify its signature again. Only that signature is remembered: validity and
//! revocation are checked for every chip, and a certificate that did not verify is never kept.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, PoisonError, RwLock};

use super::ChipError;
use super::certificate::{Certificate, Crl};

/// How many verified document signer certificates [`TrustAnchors::new`] keeps: the signers of
/// the passports a service sees in a few months, most of them from a few dozen states. Past
/// this, the signer kept longest is forgotten first. A kept certificate is at most 16 kB
/// encoded (typically 1 to 2 kB), so the cache stays within some tens of megabytes.
pub(crate) const SIGNER_CACHE_CAPACITY: usize = 1024;

/// The SHA-256 of a certificate's encoding.
pub(crate) type Fingerprint = [u8; 32];

/// Trust material as the trust store hands it over: CSCA certificates (roots and link
/// certificates) and CRLs, each DER-encoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustMaterial {
    /// CSCA certificates, self-signed roots and link certificates.
    pub cscas: Vec<Vec<u8>>,
    /// CRLs issued by CSCAs.
    pub crls: Vec<Vec<u8>>,
}

/// Trust material read and checked: the CSCAs that are trusted, and the CRLs each signed.
/// Build it once and verify many chips with it, from any thread: the signer cache takes a lock
/// of its own.
pub struct TrustAnchors {
    cscas: Vec<Certificate>,
    /// Each CRL, with the index in `cscas` of the CSCA that signed it, if any did.
    crls: Vec<(Crl, Option<usize>)>,
    untrusted: usize,
    signers: SignerCache,
}

/// A document signer certificate whose signature the key of a trusted CSCA verifies.
pub(crate) struct ChainedSigner {
    pub(crate) certificate: Certificate,
    /// The index in the anchors' `cscas` of the CSCA whose key verified it.
    csca: usize,
}

/// The document signers verified so far, by fingerprint, at most `capacity` of them.
struct SignerCache {
    capacity: usize,
    entries: RwLock<SignerEntries>,
}

#[derive(Default)]
struct SignerEntries {
    by_fingerprint: HashMap<Fingerprint, Arc<ChainedSigner>>,
    /// The fingerprints in the order they were kept, oldest first.
    order: VecDeque<Fingerprint>,
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
    /// that chains to no anchor is left out (see [`untrusted`](Self::untrusted)). The anchors
    /// keep up to 1024 verified document signers.
    pub fn new(material: &TrustMaterial) -> Result<TrustAnchors, ChipError> {
        TrustAnchors::with_signer_capacity(material, SIGNER_CACHE_CAPACITY)
    }

    /// As [`new`](Self::new), keeping no document signer: every chip's signer certificate is
    /// read and verified with its CSCA's key again (for measuring what the cache saves).
    pub fn without_signer_cache(material: &TrustMaterial) -> Result<TrustAnchors, ChipError> {
        TrustAnchors::with_signer_capacity(material, 0)
    }

    /// As [`new`](Self::new), keeping up to `capacity` verified document signers.
    pub fn with_signer_capacity(
        material: &TrustMaterial,
        capacity: usize,
    ) -> Result<TrustAnchors, ChipError> {
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

        let signers = SignerCache { capacity, entries: RwLock::default() };
        Ok(TrustAnchors { cscas, crls, untrusted: others.len(), signers })
    }

    /// How many trusted CSCA certificates there are.
    pub fn trusted(&self) -> usize {
        self.cscas.len()
    }

    /// How many certificates of the material chain to no trust anchor and were left out.
    pub fn untrusted(&self) -> usize {
        self.untrusted
    }

    /// How many verified document signers the anchors keep now.
    pub fn signers_kept(&self) -> usize {
        self.signers.read().by_fingerprint.len()
    }

    /// The document signer certificate with this fingerprint, if a trusted CSCA's key has
    /// verified it before.
    pub(crate) fn chained_signer(&self, fingerprint: &Fingerprint) -> Option<Arc<ChainedSigner>> {
        if self.signers.capacity == 0 {
            return None;
        }
        self.signers.read().by_fingerprint.get(fingerprint).cloned()
    }

    /// Verifies `certificate`, of fingerprint `fingerprint`, with the key of the trusted CSCA
    /// it names as issuer (see [`names`]), and keeps it when it verifies. `Err` holds whether it
    /// names some trusted CSCA whose key does not verify it.
    pub(crate) fn chain(
        &self,
        fingerprint: Fingerprint,
        certificate: Certificate,
    ) -> Result<Arc<ChainedSigner>, bool> {
        let Some(csca) = issued_among(&self.cscas, &certificate) else {
            return Err(self.names_trusted(&certificate));
        };

        let signer = Arc::new(ChainedSigner { certificate, csca });
        if self.signers.capacity > 0 {
            self.signers.keep(fingerprint, &signer);
        }
        Ok(signer)
    }

    /// The trusted CSCA whose key verified `signer`.
    pub(crate) fn csca_of(&self, signer: &ChainedSigner) -> &Certificate {
        &self.cscas[signer.csca]
    }

    /// The trusted CSCA whose key signed `certificate`, among those it names as issuer (see
    /// [`names`]). `Err` holds whether it names some trusted CSCA whose key does not verify it.
    pub(crate) fn issuer_of(&self, certificate: &Certificate) -> Result<&Certificate, bool> {
        match issued_among(&self.cscas, certificate) {
            Some(index) => Ok(&self.cscas[index]),
            None => Err(self.names_trusted(certificate)),
        }
    }

    /// Whether `certificate` names some trusted CSCA as its issuer.
    fn names_trusted(&self, certificate: &Certificate) -> bool {
        let authority = certificate.authority_key_id();
        self.cscas.iter().any(|csca| names(authority, certificate, csca))
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

impl SignerCache {
    /// The entries to read; a thread that panicked while holding the lock left them whole, as
    /// no step of [`keep`](Self::keep) can panic half-way.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, SignerEntries> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `signer`, forgetting the signer kept longest when full.
    fn keep(&self, fingerprint: Fingerprint, signer: &Arc<ChainedSigner>) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.by_fingerprint.contains_key(&fingerprint) {
            return;
        }
        while entries.order.len() >= self.capacity {
            let Some(oldest) = entries.order.pop_front() else { break };
            entries.by_fingerprint.remove(&oldest);
        }
        entries.order.push_back(fingerprint);
        entries.by_fingerprint.insert(fingerprint, Arc::clone(signer));
    }
}

/// The index of the certificate among `cscas` that `certificate` names as its issuer, by key
/// identifier or, without one, by name, and whose key verifies its signature.
fn issued_among(cscas: &[Certificate], certificate: &Certificate) -> Option<usize> {
    let authority = certificate.authority_key_id();
    cscas
        .iter()
        .position(|csca| names(authority, certificate, csca) && signed_by(certificate, csca))
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
