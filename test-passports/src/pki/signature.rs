//! Hash functions and signature schemes, their algorithm identifiers, and signing.
//!
//! Every signature is deterministic for a seed: RSA PKCS#1 v1.5 is so by construction; the
//! RSASSA-PSS salt and the ECDSA nonce are drawn from the seeded generator instead of OpenSSL's,
//! the PSS encoding and the ECDSA equation computed here with OpenSSL's big numbers and points.

use anyhow::Context;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::EcPoint;
use openssl::hash::{MessageDigest, hash};
use openssl::rsa::Padding;
use openssl::sign::Signer;
use rand::RngCore;
use serde::Serialize;

use crate::der::{self, Oid};
use crate::pki::keys::{self, KeyPair};

/// A hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Hash {
    /// SHA-1, still on chips issued before 2014 and in RSA Active Authentication.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// The digest's object identifier.
    pub fn oid(self) -> Oid {
        match self {
            Hash::Sha1 => &[1, 3, 14, 3, 2, 26],
            Hash::Sha256 => &[2, 16, 840, 1, 101, 3, 4, 2, 1],
            Hash::Sha384 => &[2, 16, 840, 1, 101, 3, 4, 2, 2],
            Hash::Sha512 => &[2, 16, 840, 1, 101, 3, 4, 2, 3],
        }
    }

    /// A DigestAlgorithmIdentifier without parameters, as Doc 9303-10 4.6.2.3 note 2 asks.
    pub fn algorithm_identifier(self) -> Vec<u8> {
        der::algorithm(self.oid(), &[])
    }

    /// OpenSSL's digest.
    pub fn message_digest(self) -> MessageDigest {
        match self {
            Hash::Sha1 => MessageDigest::sha1(),
            Hash::Sha256 => MessageDigest::sha256(),
            Hash::Sha384 => MessageDigest::sha384(),
            Hash::Sha512 => MessageDigest::sha512(),
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        Ok(hash(self.message_digest(), data)?.to_vec())
    }

    /// `sha256`, as `openssl dgst -sha256` names it.
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "sha1",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }
}

/// A signature scheme with its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1(Hash),
    /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash.
    Pss(Hash),
    /// ECDSA, the signature a DER SEQUENCE of r and s.
    Ecdsa(Hash),
}

impl Scheme {
    /// The hash the scheme signs with.
    pub fn hash(self) -> Hash {
        match self {
            Scheme::Pkcs1(hash) | Scheme::Pss(hash) | Scheme::Ecdsa(hash) => hash,
        }
    }

    /// The signature AlgorithmIdentifier: PKCS#1 ones with NULL parameters (Doc 9303-10
    /// 4.6.2.3 note 2), PSS with its RSASSA-PSS-params, ECDSA with none.
    pub fn algorithm_identifier(self) -> Vec<u8> {
        match self {
            Scheme::Pkcs1(hash) => der::algorithm(pkcs1_oid(hash), &der::null()),
            Scheme::Pss(hash) => {
                let salt = hash.message_digest().size() as u64;
                let parameters = der::sequence([
                    der::explicit(0, &hash.algorithm_identifier()),
                    der::explicit(1, &der::algorithm(MGF1, &hash.algorithm_identifier())),
                    der::explicit(2, &der::integer(salt)),
                ]);
                der::algorithm(RSASSA_PSS, &parameters)
            }
            Scheme::Ecdsa(hash) => der::algorithm(ecdsa_oid(hash), &[]),
        }
    }

    /// `rsa-pkcs1-sha256`, `rsa-pss-sha256`, `ecdsa-sha384`.
    pub fn name(self) -> String {
        match self {
            Scheme::Pkcs1(hash) => format!("rsa-pkcs1-{}", hash.name()),
            Scheme::Pss(hash) => format!("rsa-pss-{}", hash.name()),
            Scheme::Ecdsa(hash) => format!("ecdsa-{}", hash.name()),
        }
    }
}

const RSASSA_PSS: Oid = &[1, 2, 840, 113549, 1, 1, 10];
const MGF1: Oid = &[1, 2, 840, 113549, 1, 1, 8];

fn pkcs1_oid(hash: Hash) -> Oid {
    match hash {
        Hash::Sha1 => &[1, 2, 840, 113549, 1, 1, 5],
        Hash::Sha256 => &[1, 2, 840, 113549, 1, 1, 11],
        Hash::Sha384 => &[1, 2, 840, 113549, 1, 1, 12],
        Hash::Sha512 => &[1, 2, 840, 113549, 1, 1, 13],
    }
}

fn ecdsa_oid(hash: Hash) -> Oid {
    match hash {
        Hash::Sha1 => &[1, 2, 840, 10045, 4, 1],
        Hash::Sha256 => &[1, 2, 840, 10045, 4, 3, 2],
        Hash::Sha384 => &[1, 2, 840, 10045, 4, 3, 3],
        Hash::Sha512 => &[1, 2, 840, 10045, 4, 3, 4],
    }
}

/// Signs `message` with `key` under `scheme`; PSS salts and ECDSA nonces come from `rng`.
pub fn sign(
    key: &KeyPair,
    scheme: Scheme,
    message: &[u8],
    rng: &mut impl RngCore,
) -> anyhow::Result<Vec<u8>> {
    match scheme {
        Scheme::Pkcs1(hash) => {
            let mut signer = Signer::new(hash.message_digest(), &key.key)?;
            signer.set_rsa_padding(Padding::PKCS1)?;
            Ok(signer.sign_oneshot_to_vec(message)?)
        }
        Scheme::Pss(hash) => {
            let mut salt = vec![0; hash.message_digest().size()];
            rng.fill_bytes(&mut salt);
            let bits = key.key.bits() as usize;
            let block = pss_encode(hash, &hash.digest(message)?, &salt, bits - 1)?;
            rsa_private(key, &block)
        }
        Scheme::Ecdsa(hash) => {
            let (r, s) = ecdsa(key, &hash.digest(message)?, rng)?;
            Ok(der::sequence([der::unsigned_integer(&r), der::unsigned_integer(&s)]))
        }
    }
}

/// The raw RSA private operation on a block as long as the modulus (no padding added): for
/// PSS here and for the ISO/IEC 9796-2 blocks of Active Authentication.
pub fn rsa_private(key: &KeyPair, block: &[u8]) -> anyhow::Result<Vec<u8>> {
    let rsa = key.key.rsa().context("an RSA operation on a key that is not RSA")?;
    let size = rsa.size() as usize;
    let mut padded = vec![0; size.saturating_sub(block.len())];
    padded.extend_from_slice(block);
    let mut out = vec![0; size];
    let written = rsa.private_encrypt(&padded, &mut out, Padding::NONE)?;
    out.truncate(written);
    Ok(out)
}

/// ECDSA over a digest with a nonce from `rng`: r and s, each as long as the group order, so
/// their concatenation is the plain format of BSI TR-03111.
pub fn ecdsa(
    key: &KeyPair,
    digest: &[u8],
    rng: &mut impl RngCore,
) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let ec = key.key.ec_key().context("an ECDSA signature with a key that is not EC")?;
    let group = ec.group();
    let mut context = BigNumContext::new()?;
    let mut order = BigNum::new()?;
    group.order(&mut order, &mut context)?;
    let width = order.num_bytes();

    // The leftmost bits of the digest, as many as the order has (SEC 1, 4.1.3 step 5).
    let mut z = BigNum::from_slice(digest)?;
    let excess = (digest.len() as i32 * 8) - order.num_bits();
    if excess > 0 {
        let whole = z.to_owned()?;
        z.rshift(&whole, excess)?;
    }

    loop {
        let nonce = keys::scalar(rng, &order)?;
        let mut point = EcPoint::new(group)?;
        point.mul_generator2(group, &nonce, &mut context)?;
        let (mut x, mut y) = (BigNum::new()?, BigNum::new()?);
        point.affine_coordinates(group, &mut x, &mut y, &mut context)?;

        let mut r = BigNum::new()?;
        r.nnmod(&x, &order, &mut context)?;
        let (mut inverse, mut rd, mut sum, mut s) =
            (BigNum::new()?, BigNum::new()?, BigNum::new()?, BigNum::new()?);
        inverse.mod_inverse(&nonce, &order, &mut context)?;
        rd.mod_mul(&r, ec.private_key(), &order, &mut context)?;
        sum.mod_add(&z, &rd, &order, &mut context)?;
        s.mod_mul(&inverse, &sum, &order, &mut context)?;
        if r.num_bits() > 0 && s.num_bits() > 0 {
            return Ok((r.to_vec_padded(width)?, s.to_vec_padded(width)?));
        }
    }
}

/// EMSA-PSS-ENCODE of RFC 8017 9.1.1, for a message digest already taken.
fn pss_encode(
    hash: Hash,
    message_digest: &[u8],
    salt: &[u8],
    em_bits: usize,
) -> anyhow::Result<Vec<u8>> {
    let em_length = em_bits.div_ceil(8);
    let h_length = message_digest.len();
    anyhow::ensure!(em_length >= h_length + salt.len() + 2, "the RSA key is too short for PSS");

    let mut prefixed = vec![0u8; 8];
    prefixed.extend_from_slice(message_digest);
    prefixed.extend_from_slice(salt);
    let h = hash.digest(&prefixed)?;

    let mut db = vec![0u8; em_length - salt.len() - h_length - 2];
    db.push(0x01);
    db.extend_from_slice(salt);
    let mask = mgf1(hash, &h, db.len())?;
    for (byte, mask) in db.iter_mut().zip(mask) {
        *byte ^= mask;
    }
    db[0] &= 0xFF >> (8 * em_length - em_bits);

    let mut encoded = db;
    encoded.extend_from_slice(&h);
    encoded.push(0xBC);
    Ok(encoded)
}

/// MGF1 of RFC 8017 B.2.1.
fn mgf1(hash: Hash, seed: &[u8], length: usize) -> anyhow::Result<Vec<u8>> {
    let mut mask = Vec::with_capacity(length + 64);
    let mut counter = 0u32;
    while mask.len() < length {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        mask.extend(hash.digest(&input)?);
        counter += 1;
    }
    mask.truncate(length);
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use openssl::sign::{RsaPssSaltlen, Verifier};

    use super::*;
    use crate::pki::keys::{Curve, KeyKind, stream};

    fn verifies(key: &KeyPair, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        let mut verifier = Verifier::new(scheme.hash().message_digest(), &key.key).unwrap();
        if let Scheme::Pss(_) = scheme {
            verifier.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
            verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH).unwrap();
        }
        verifier.verify_oneshot(signature, message).unwrap()
    }

    #[test]
    fn openssl_verifies_our_pss_and_ecdsa_signatures_and_they_repeat() {
        let rsa = KeyPair::derive(1, "rsa", KeyKind::Rsa(1024)).unwrap();
        let ec = KeyPair::derive(1, "ec", KeyKind::Ec(Curve::BrainpoolP384r1)).unwrap();
        let cases = [
            (&rsa, Scheme::Pss(Hash::Sha256)),
            (&rsa, Scheme::Pkcs1(Hash::Sha1)),
            (&ec, Scheme::Ecdsa(Hash::Sha512)),
            (&ec, Scheme::Ecdsa(Hash::Sha256)),
        ];

        for (key, scheme) in cases {
            let signature = sign(key, scheme, b"LDS", &mut stream(1, "sign")).unwrap();
            let again = sign(key, scheme, b"LDS", &mut stream(1, "sign")).unwrap();

            assert!(verifies(key, scheme, b"LDS", &signature), "{}", scheme.name());
            assert!(!verifies(key, scheme, b"LDs", &signature), "{}", scheme.name());
            assert_eq!(signature, again, "{}", scheme.name());
        }
    }
}
