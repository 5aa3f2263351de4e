//! Active Authentication (Doc 9303 Part 11, 6.1): the chip signs an inspection system's
//! challenge with the private key whose public half DG15 holds, so a copy of the files without
//! the chip cannot answer.
//!
//! An RSA chip answers with a signature giving message recovery after ISO/IEC 9796-2 digital
//! signature scheme 1: the public operation recovers `6A || M1 || H(M1 || challenge) || T`,
//! where M1 is the chip's own random part and the trailer T is `BC` for SHA-1 or `xx CC` naming
//! the hash. An EC chip answers with ECDSA over the challenge, with the hash DG14's
//! ActiveAuthenticationInfo names, plain r||s as chips send it or DER as some readers hand it
//! on.
//!
//! Issuing the challenge, once per application and never again, is the caller's part: this
//! module only checks that the answer is to the challenge it is given.

use super::ChipError;
use super::algorithms::Hash;
use super::keys::{PublicKey, der_signature, plain_signature};
use super::verdict::Check;
use crate::lds::{Dg15, SecurityInfos};

/// The length of a challenge (GET CHALLENGE answers eight bytes).
pub const CHALLENGE_LENGTH: usize = 8;

/// The header of a recovered ISO/IEC 9796-2 scheme 1 block with partial recovery.
const HEADER: u8 = 0x6A;

/// The name of the check this module records.
const NAME: &str = "aa.signature";

/// The chip's Active Authentication key, from DG15, with the hash of ECDSA from DG14.
pub struct ActiveAuthenticationKey {
    key: PublicKey,
    ecdsa_hash: Option<Hash>,
}

impl ActiveAuthenticationKey {
    /// Reads DG15's key; an EC key needs DG14's ActiveAuthenticationInfo for its hash.
    pub fn new(
        dg15: &Dg15<'_>,
        dg14: Option<&SecurityInfos<'_>>,
    ) -> Result<ActiveAuthenticationKey, ChipError> {
        let key = PublicKey::from_spki(dg15.public_key_info)
            .map_err(|fault| ChipError::ActiveAuthenticationKey { reason: fault.0 })?;
        let ecdsa_hash = match key {
            PublicKey::Rsa(_) => None,
            PublicKey::Ec(_) => {
                let algorithm = dg14.and_then(SecurityInfos::active_authentication_algorithm);
                let Some(algorithm) = algorithm else {
                    return Err(ChipError::ActiveAuthenticationAlgorithm {
                        reason: "DG14 names no Active Authentication algorithm for an EC key"
                            .to_owned(),
                    });
                };
                Some(ecdsa_hash(&algorithm.to_string())?)
            }
        };
        Ok(ActiveAuthenticationKey { key, ecdsa_hash })
    }
}

/// Checks the chip's `response` to `challenge`. A challenge of another length than
/// [`CHALLENGE_LENGTH`] or a response of the wrong form is an error; an answer that does not
/// verify is a failed check: `aa.key_mismatch` when an RSA answer does not open to a 9796-2
/// block with DG15's key (another key made it), `aa.challenge_mismatch` when it opens but over
/// another challenge, `aa.signature` when an ECDSA answer does not verify (ECDSA cannot tell the
/// two apart).
pub fn verify_active_authentication(
    key: &ActiveAuthenticationKey,
    challenge: &[u8],
    response: &[u8],
) -> Result<Check, ChipError> {
    if challenge.len() != CHALLENGE_LENGTH {
        return Err(ChipError::ChallengeLength { found: challenge.len() });
    }
    match (&key.key, key.ecdsa_hash) {
        (PublicKey::Rsa(rsa), _) => {
            let expected = rsa.size();
            if response.len() != expected {
                return Err(ChipError::ResponseLength { expected, found: response.len() });
            }
            Ok(rsa_answer(&key.key, challenge, response))
        }
        (PublicKey::Ec(_), Some(hash)) => ecdsa_answer(&key.key, hash, challenge, response),
        (PublicKey::Ec(_), None) => {
            Err(ChipError::ActiveAuthenticationAlgorithm { reason: "no hash for ECDSA".to_owned() })
        }
    }
}

fn rsa_answer(key: &PublicKey, challenge: &[u8], response: &[u8]) -> Check {
    let key_mismatch = || {
        Check::failed(
            NAME,
            "aa.key_mismatch",
            "the answer does not open to an ISO/IEC 9796-2 block with DG15's key",
        )
    };
    let Some(block) = key.recover(response) else { return key_mismatch() };
    let Some((hash, trailer)) = trailer(&block) else { return key_mismatch() };
    let digest_at = block.len().saturating_sub(trailer + hash.size());
    if block.first() != Some(&HEADER) || digest_at < 1 {
        return key_mismatch();
    }

    let (recoverable, digest) = (&block[1..digest_at], &block[digest_at..block.len() - trailer]);
    let message = [recoverable, challenge].concat();
    if hash.digest(&message).as_deref() == Some(digest) {
        Check::passed(
            NAME,
            format!("the chip signed the challenge with DG15's RSA key ({})", hash.name()),
        )
    } else {
        Check::failed(
            NAME,
            "aa.challenge_mismatch",
            "the answer opens with DG15's key but is not over this challenge",
        )
    }
}

/// The hash a 9796-2 trailer names, and the trailer's length: `BC` for SHA-1 implied, or the
/// hash identifier of ISO/IEC 10118-3 before `CC`.
fn trailer(block: &[u8]) -> Option<(Hash, usize)> {
    match block {
        [.., 0xBC] => Some((Hash::Sha1, 1)),
        [.., id, 0xCC] => {
            let hash = match id {
                0x33 => Hash::Sha1,
                0x34 => Hash::Sha256,
                0x35 => Hash::Sha512,
                0x36 => Hash::Sha384,
                0x38 => Hash::Sha224,
                _ => return None,
            };
            Some((hash, 2))
        }
        _ => None,
    }
}

fn ecdsa_answer(
    key: &PublicKey,
    hash: Hash,
    challenge: &[u8],
    response: &[u8],
) -> Result<Check, ChipError> {
    let PublicKey::Ec(ec) = key else {
        return Err(ChipError::ActiveAuthenticationKey { reason: "not an EC key" });
    };
    let half = key.ecdsa_half();
    let signature = if half.is_some_and(|half| response.len() == 2 * half) {
        plain_signature(response, half).map_err(|_| ChipError::ResponseForm)?
    } else {
        der_signature(response).ok_or(ChipError::ResponseForm)?
    };

    let verified =
        hash.digest(challenge).is_some_and(|digest| signature.verify(&digest, ec).unwrap_or(false));
    Ok(if verified {
        Check::passed(
            NAME,
            format!("the chip signed the challenge with DG15's EC key ({})", hash.name()),
        )
    } else {
        Check::failed(
            NAME,
            "aa.signature",
            "the answer does not verify with DG15's key over this challenge",
        )
    })
}

/// The hash of the ECDSA signature algorithm DG14 names: X9.62's, or BSI TR-03111's plain
/// signatures (the answer's form is told from its length either way).
fn ecdsa_hash(dotted: &str) -> Result<Hash, ChipError> {
    match dotted {
        "1.2.840.10045.4.1" => Ok(Hash::Sha1),
        "1.2.840.10045.4.3.1" => Ok(Hash::Sha224),
        "1.2.840.10045.4.3.2" => Ok(Hash::Sha256),
        "1.2.840.10045.4.3.3" => Ok(Hash::Sha384),
        "1.2.840.10045.4.3.4" => Ok(Hash::Sha512),
        "0.4.0.127.0.7.1.1.4.1.1" => Ok(Hash::Sha1),
        "0.4.0.127.0.7.1.1.4.1.2" => Ok(Hash::Sha224),
        "0.4.0.127.0.7.1.1.4.1.3" => Ok(Hash::Sha256),
        "0.4.0.127.0.7.1.1.4.1.4" => Ok(Hash::Sha384),
        "0.4.0.127.0.7.1.1.4.1.5" => Ok(Hash::Sha512),
        other => Err(ChipError::ActiveAuthenticationAlgorithm {
            reason: format!("{other} is not an ECDSA algorithm supported"),
        }),
    }
}
