//! Chip verification: passive authentication of the chip's files to a trusted CSCA, and Active
//! Authentication of the chip itself. Domain only: the trust material, the time and the
//! challenge are handed in, and the result is a [`Verdict`] listing every check.
//!
//! - [`TrustAnchors::new`] reads the trust store's CSCA certificates and CRLs once: link
//!   certificates are followed, each CRL is tied to the CSCA key that signed it.
//! - [`verify_passive`] checks a parsed SOD, the data groups read and the page's MRZ.
//! - [`verify_active_authentication`] checks the chip's answer to a challenge with DG15's key.
//! - [`verify_chip`] does both from the files as uploaded, as a workflow activity calls it.
//!
//! Signatures are checked with OpenSSL's signature primitives on keys read here, never with its
//! certificate chain verification, which OpenSSL 3 refuses keys with explicit curve parameters
//! in (see the `keys` module).

mod active;
mod algorithms;
mod certificate;
mod data_groups;
mod der;
mod keys;
mod master_list;
mod passive;
#[cfg(test)]
mod tests;
mod trust;
mod verdict;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

pub use active::{ActiveAuthenticationKey, CHALLENGE_LENGTH, verify_active_authentication};
pub use algorithms::Hash;
pub use master_list::{
    CrlRecord, CscaKind, CscaRecord, MAX_LISTED_CSCAS, MAX_MASTER_LIST, MasterList,
    MasterListError, MasterListSigner, TrustFile, TrustFileError, listed_csca, read_trust_file,
    sha256_fingerprint, vet_crl, vet_csca,
};
pub use passive::{Policy, verify_passive};
pub use trust::{TrustAnchors, TrustMaterial};
pub use verdict::{Check, ChipAuthenticationOffer, Outcome, Verdict};

use crate::lds::{Dg15, LdsError, SecurityInfo, SecurityInfos, Sod};
use crate::mrz::Mrz;

/// What a chip gave, as uploaded: the files and, when Active Authentication was run, the
/// challenge sent and the chip's answer.
#[derive(Clone, Debug, Default)]
pub struct ChipEvidence<'a> {
    /// EF.SOD.
    pub sod: &'a [u8],
    /// The data groups read, by number.
    pub data_groups: BTreeMap<u8, &'a [u8]>,
    /// The MRZ read from the data page, to compare DG1 with.
    pub page_mrz: Option<&'a Mrz>,
    /// The challenge issued and the chip's answer.
    pub active_authentication: Option<ActiveAuthenticationAnswer<'a>>,
}

/// A challenge and the chip's answer to it.
#[derive(Clone, Copy, Debug)]
pub struct ActiveAuthenticationAnswer<'a> {
    /// The challenge, [`CHALLENGE_LENGTH`] bytes, as the service issued it.
    pub challenge: &'a [u8],
    /// The chip's answer.
    pub response: &'a [u8],
}

/// Passive authentication of the chip's files and, when an answer is given, Active
/// Authentication with DG15's key, in one verdict. Only a SOD that cannot be read at all is an
/// error; every other fault is a failed check. Active Authentication is not applicable when no
/// answer is given; an answer without DG15, or of the wrong form, fails with the error's code.
pub fn verify_chip(
    evidence: &ChipEvidence<'_>,
    trust: &TrustAnchors,
    policy: &Policy,
    at: DateTime<Utc>,
) -> Result<Verdict, ChipError> {
    let sod = Sod::parse(evidence.sod)?;
    let mut verdict =
        verify_passive(&sod, &evidence.data_groups, evidence.page_mrz, trust, policy, at);

    let check = match &evidence.active_authentication {
        None => Check::not_applicable("aa.signature", "no Active Authentication answer given"),
        Some(answer) => match active_authentication(evidence, answer) {
            Ok(check) => check,
            Err(err) => Check::failed("aa.signature", err.code(), err.to_string()),
        },
    };
    verdict.push(check);

    verdict.chip_authentication = match evidence.data_groups.get(&14) {
        Some(dg14) => chip_authentication_offers(dg14),
        None => Vec::new(),
    };
    Ok(verdict)
}

/// DG14's Chip Authentication protocols. A DG14 that cannot be read offers none: its hash check
/// already judges the file, and the reader only loses the protocol.
fn chip_authentication_offers(dg14: &[u8]) -> Vec<ChipAuthenticationOffer> {
    let Ok(infos) = SecurityInfos::parse_dg14(dg14) else {
        return Vec::new();
    };
    let keys: Vec<Option<u64>> = infos.chip_authentication_keys().map(|(_, id)| id).collect();

    infos
        .infos
        .iter()
        .filter_map(|info| match info {
            SecurityInfo::ChipAuthentication { protocol, version, key_id } => {
                let has_public_key = match key_id {
                    Some(id) => keys.contains(&Some(*id)),
                    None => keys.len() == 1,
                };
                Some(ChipAuthenticationOffer {
                    protocol: protocol.to_string(),
                    version: *version,
                    key_id: *key_id,
                    has_public_key,
                })
            }
            _ => None,
        })
        .collect()
}

fn active_authentication(
    evidence: &ChipEvidence<'_>,
    answer: &ActiveAuthenticationAnswer<'_>,
) -> Result<Check, ChipError> {
    let dg15 = evidence.data_groups.get(&15).ok_or(ChipError::ActiveAuthenticationKey {
        reason: "the chip gave an answer but no DG15",
    })?;
    let dg15 = Dg15::parse(dg15)?;
    let dg14 = evidence.data_groups.get(&14).map(|dg14| SecurityInfos::parse_dg14(dg14));
    let dg14 = dg14.transpose()?;

    let key = ActiveAuthenticationKey::new(&dg15, dg14.as_ref())?;
    verify_active_authentication(&key, answer.challenge, answer.response)
}

/// Why chip verification could not be done. Each variant has a stable [`code`](Self::code);
/// messages quote no personal data and no key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChipError {
    /// A file of the chip that cannot be read; the code is the LDS reader's.
    #[error(transparent)]
    Lds(#[from] LdsError),
    /// A challenge of another length than eight bytes (`aa.challenge_length`).
    #[error("an Active Authentication challenge has {CHALLENGE_LENGTH} bytes, not {found}")]
    ChallengeLength {
        /// Its length.
        found: usize,
    },
    /// An RSA answer not as long as DG15's modulus (`aa.response_length`).
    #[error("the chip's answer has {found} bytes; DG15's key makes answers of {expected}")]
    ResponseLength {
        /// The modulus's length in bytes.
        expected: usize,
        /// The answer's length.
        found: usize,
    },
    /// An ECDSA answer that is neither r||s of the curve's size nor a DER ECDSA-Sig-Value
    /// (`aa.response_form`).
    #[error("the chip's ECDSA answer is neither plain r||s of the curve's size nor DER")]
    ResponseForm,
    /// DG15's key cannot be read or is of an unsupported kind (`aa.key`).
    #[error("the Active Authentication key cannot be used: {reason}")]
    ActiveAuthenticationKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// No supported algorithm for an ECDSA answer (`aa.algorithm`).
    #[error("Active Authentication algorithm: {reason}")]
    ActiveAuthenticationAlgorithm {
        /// What is wrong.
        reason: String,
    },
    /// A CSCA certificate of the trust material that cannot be read (`trust.certificate`).
    #[error("trust material, CSCA certificate {index}: {reason}")]
    TrustCertificate {
        /// Its position in the material.
        index: usize,
        /// What could not be read.
        reason: &'static str,
    },
    /// A CRL of the trust material that cannot be read (`trust.crl`).
    #[error("trust material, CRL {index}: {reason}")]
    TrustCrl {
        /// Its position in the material.
        index: usize,
        /// What could not be read.
        reason: &'static str,
    },
}

impl ChipError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ChipError::Lds(err) => err.code(),
            ChipError::ChallengeLength { .. } => "aa.challenge_length",
            ChipError::ResponseLength { .. } => "aa.response_length",
            ChipError::ResponseForm => "aa.response_form",
            ChipError::ActiveAuthenticationKey { .. } => "aa.key",
            ChipError::ActiveAuthenticationAlgorithm { .. } => "aa.algorithm",
            ChipError::TrustCertificate { .. } => "trust.certificate",
            ChipError::TrustCrl { .. } => "trust.crl",
        }
    }
}
