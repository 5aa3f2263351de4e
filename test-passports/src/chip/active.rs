//! Active Authentication as the chip answers it (Doc 9303-11 6.1): an RSA signature with
//! message recovery after ISO/IEC 9796-2 scheme 1, or ECDSA over the challenge. The generator
//! writes the chip's private key and its answers to a fixed challenge, so tests can check a
//! verifier without a chip and also sign other challenges themselves.

use rand::RngCore;
use serde::Serialize;

use crate::chip::{ActiveKey, ChipPlan, Fault};
use crate::pki::keys::{KeyKind, KeyPair, stream};
use crate::pki::signature::{self, Hash};

/// The challenge the written answers respond to: eight bytes, as an inspection system sends.
pub const CHALLENGE: [u8; 8] = [0x93, 0x03, 0x11, 0x20, 0x26, 0x12, 0x01, 0x4A];

/// What a chip's Active Authentication leaves in its directory, under `aa/`.
#[derive(Clone, Debug, Serialize)]
pub struct Answers {
    /// `rsa-iso9796-2` or `ecdsa`.
    pub algorithm: &'static str,
    /// The hash.
    pub hash: Hash,
    /// The key's kind, `rsa-1024`, `ec-p256`.
    pub key: String,
    /// The challenge, eight bytes.
    pub challenge: String,
    /// The private key that answers, PKCS#8 PEM: DG15's, except on a cloned chip.
    pub private_key: String,
    /// The RSA answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The ECDSA answer as plain r||s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_plain: Option<String>,
    /// The ECDSA answer as a DER ECDSA-Sig-Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_der: Option<String>,
    /// The files named above, relative to the chip's directory, with their bytes.
    #[serde(skip)]
    pub files: Vec<(String, Vec<u8>)>,
}

/// The answers of the chip `plan` describes to [`CHALLENGE`], by the key in DG15 or, on a
/// cloned chip, by another key of the same kind.
pub fn answers(
    seed: u64,
    plan: &ChipPlan,
    kind: ActiveKey,
    dg15_key: &KeyPair,
) -> anyhow::Result<Answers> {
    let clone;
    let key = if plan.fault == Fault::AaKeyMismatch {
        let label = format!("chip/{}/active-authentication-clone", plan.name);
        clone = KeyPair::derive(seed, &label, dg15_key.kind)?;
        &clone
    } else {
        dg15_key
    };
    let mut rng = stream(seed, &format!("chip/{}/active-authentication-answer", plan.name));
    let path = |name: &str| format!("aa/{name}");
    let mut files = vec![
        (path("challenge.bin"), CHALLENGE.to_vec()),
        (path("private-key.pem"), key.private_key_pem()?),
    ];

    let (algorithm, hash) = match kind {
        ActiveKey::Rsa(_, hash) => {
            files.push((path("response.bin"), rsa(key, hash, &CHALLENGE, &mut rng)?));
            ("rsa-iso9796-2", hash)
        }
        ActiveKey::Ecdsa(_, hash) => {
            let (plain, der) = ecdsa(key, hash, &CHALLENGE, &mut rng)?;
            files.push((path("response-plain.bin"), plain));
            files.push((path("response-der.bin"), der));
            ("ecdsa", hash)
        }
    };
    let rsa_key = matches!(key.kind, KeyKind::Rsa(_));
    Ok(Answers {
        algorithm,
        hash,
        key: key.kind.name(),
        challenge: path("challenge.bin"),
        private_key: path("private-key.pem"),
        response: rsa_key.then(|| path("response.bin")),
        response_plain: (!rsa_key).then(|| path("response-plain.bin")),
        response_der: (!rsa_key).then(|| path("response-der.bin")),
        files,
    })
}

/// The chip's answer to `challenge` with an RSA key: the ISO/IEC 9796-2 scheme 1 block
/// `6A || M1 || H(M1 || challenge) || trailer`, M1 the chip's random part filling the block,
/// the trailer `BC` for SHA-1 and `xx CC` for other hashes (34 SHA-256, 36 SHA-384, 35
/// SHA-512), through the private key.
pub fn rsa(
    key: &KeyPair,
    hash: Hash,
    challenge: &[u8],
    rng: &mut impl RngCore,
) -> anyhow::Result<Vec<u8>> {
    let size = (key.key.bits() as usize).div_ceil(8);
    let trailer: &[u8] = match hash {
        Hash::Sha1 => &[0xBC],
        Hash::Sha256 => &[0x34, 0xCC],
        Hash::Sha384 => &[0x36, 0xCC],
        Hash::Sha512 => &[0x35, 0xCC],
    };
    let digest_length = hash.message_digest().size();
    let mut recoverable = vec![0; size - 1 - digest_length - trailer.len()];
    rng.fill_bytes(&mut recoverable);

    let mut message = recoverable.clone();
    message.extend_from_slice(challenge);
    let mut block = vec![0x6A];
    block.extend(recoverable);
    block.extend(hash.digest(&message)?);
    block.extend_from_slice(trailer);
    signature::rsa_private(key, &block)
}

/// The chip's answer with an EC key: ECDSA over `hash` of the challenge, as plain r||s (what
/// chips send, BSI TR-03111) and as a DER ECDSA-Sig-Value (what some readers hand on).
pub fn ecdsa(
    key: &KeyPair,
    hash: Hash,
    challenge: &[u8],
    rng: &mut impl RngCore,
) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let (r, s) = signature::ecdsa(key, &hash.digest(challenge)?, rng)?;
    let der =
        crate::der::sequence([crate::der::unsigned_integer(&r), crate::der::unsigned_integer(&s)]);
    Ok(([r, s].concat(), der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::keys::{KeyKind, stream};

    #[test]
    fn the_rsa_answer_recovers_to_a_9796_2_block_over_the_challenge() {
        let key = KeyPair::derive(3, "aa", KeyKind::Rsa(1024)).unwrap();

        let answer = rsa(&key, Hash::Sha1, &CHALLENGE, &mut stream(3, "aa")).unwrap();

        let public = key.key.rsa().unwrap();
        let mut block = vec![0; 128];
        public.public_decrypt(&answer, &mut block, openssl::rsa::Padding::NONE).unwrap();
        assert_eq!((block[0], block[127]), (0x6A, 0xBC));
        let (recoverable, digest) = (&block[1..107], &block[107..127]);
        let message = [recoverable, &CHALLENGE[..]].concat();
        assert_eq!(digest, &Hash::Sha1.digest(&message).unwrap()[..]);
    }
}
