//! Key pairs drawn from the seed rather than from OpenSSL's generator, so the same seed gives
//! the same keys, certificates and files byte for byte.

use anyhow::Context;
use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::ec::{Asn1Flag, EcGroup, EcKey, EcPoint};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;

/// The elliptic curves of the test PKI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// brainpoolP256r1 (RFC 5639).
    BrainpoolP256r1,
    /// brainpoolP384r1 (RFC 5639).
    BrainpoolP384r1,
}

impl Curve {
    fn nid(self) -> Nid {
        match self {
            Curve::P256 => Nid::X9_62_PRIME256V1,
            Curve::P384 => Nid::SECP384R1,
            Curve::BrainpoolP256r1 => Nid::BRAINPOOL_P256R1,
            Curve::BrainpoolP384r1 => Nid::BRAINPOOL_P384R1,
        }
    }

    /// The curve's name as the manifest writes it.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "p256",
            Curve::P384 => "p384",
            Curve::BrainpoolP256r1 => "brainpool-p256r1",
            Curve::BrainpoolP384r1 => "brainpool-p384r1",
        }
    }
}

/// What kind of key to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with public exponent 65537 and a modulus of this many bits.
    Rsa(u32),
    /// An EC key on a curve, its public key info naming the curve.
    Ec(Curve),
    /// An EC key whose public key info spells out the curve's parameters (prime, coefficients,
    /// generator, order, cofactor), as German and other CSCAs do and Doc 9303-12 4.1.6.3 asks.
    EcExplicit(Curve),
}

impl KeyKind {
    /// `rsa-3072`, `ec-p256`, `ec-explicit-brainpool-p256r1`.
    pub fn name(self) -> String {
        match self {
            KeyKind::Rsa(bits) => format!("rsa-{bits}"),
            KeyKind::Ec(curve) => format!("ec-{}", curve.name()),
            KeyKind::EcExplicit(curve) => format!("ec-explicit-{}", curve.name()),
        }
    }
}

/// A private key and what it was drawn as.
pub struct KeyPair {
    /// The key.
    pub key: PKey<Private>,
    /// Its kind.
    pub kind: KeyKind,
}

impl KeyPair {
    /// Draws the key named `label` under `seed`: a different label gives an unrelated key, the
    /// same label the same key, whatever else was drawn before.
    pub fn derive(seed: u64, label: &str, kind: KeyKind) -> anyhow::Result<Self> {
        let mut rng = stream(seed, &format!("key/{label}"));
        let key = match kind {
            KeyKind::Rsa(bits) => PKey::from_rsa(rsa(&mut rng, bits)?)?,
            KeyKind::Ec(curve) => PKey::from_ec_key(ec(&mut rng, curve, false)?)?,
            KeyKind::EcExplicit(curve) => PKey::from_ec_key(ec(&mut rng, curve, true)?)?,
        };
        Ok(Self { key, kind })
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_info(&self) -> anyhow::Result<Vec<u8>> {
        Ok(self.key.public_key_to_der()?)
    }

    /// The private key as PKCS#8 PEM, for tests that sign as the chip does.
    pub fn private_key_pem(&self) -> anyhow::Result<Vec<u8>> {
        Ok(self.key.private_key_to_pem_pkcs8()?)
    }

    /// The key identifier of RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    pub fn key_identifier(&self) -> anyhow::Result<Vec<u8>> {
        let info = self.public_key_info()?;
        let bits = crate::der::split(&info)
            .and_then(|(_, body, _)| crate::der::split(body))
            .and_then(|(_, _, rest)| crate::der::split(rest))
            .map(|(_, bits, _)| bits.get(1..).unwrap_or_default().to_vec())
            .context("reading back our own SubjectPublicKeyInfo")?;
        Ok(openssl::sha::sha1(&bits).to_vec())
    }
}

/// A generator for one purpose under `seed`: ChaCha20 keyed by SHA-256 of the seed and label.
pub fn stream(seed: u64, label: &str) -> ChaCha20Rng {
    let mut input = seed.to_be_bytes().to_vec();
    input.extend_from_slice(label.as_bytes());
    ChaCha20Rng::from_seed(openssl::sha::sha256(&input))
}

/// A number of `bytes` bytes from the generator.
pub fn random_number(rng: &mut impl RngCore, bytes: usize) -> anyhow::Result<BigNum> {
    let mut buffer = vec![0; bytes];
    rng.fill_bytes(&mut buffer);
    Ok(BigNum::from_slice(&buffer)?)
}

/// A scalar in 1..order, drawn with 64 extra bits so the reduction leaves no visible bias.
pub fn scalar(rng: &mut impl RngCore, order: &BigNumRef) -> anyhow::Result<BigNum> {
    let mut context = BigNumContext::new()?;
    let wide = random_number(rng, order.num_bytes() as usize + 8)?;
    let mut below = order.to_owned()?;
    below.sub_word(1)?;
    let mut scalar = BigNum::new()?;
    scalar.nnmod(&wide, &below, &mut context)?;
    scalar.add_word(1)?;
    Ok(scalar)
}

fn ec(rng: &mut impl RngCore, curve: Curve, explicit: bool) -> anyhow::Result<EcKey<Private>> {
    let mut context = BigNumContext::new()?;
    let mut group = EcGroup::from_curve_name(curve.nid())?;
    group.set_asn1_flag(if explicit { Asn1Flag::EXPLICIT_CURVE } else { Asn1Flag::NAMED_CURVE });
    let mut order = BigNum::new()?;
    group.order(&mut order, &mut context)?;

    let private = scalar(rng, &order)?;
    let mut public = EcPoint::new(&group)?;
    public.mul_generator2(&group, &private, &mut context)?;

    let key = EcKey::from_private_components(&group, &private, &public)?;
    key.check_key()?;
    Ok(key)
}

fn rsa(rng: &mut impl RngCore, bits: u32) -> anyhow::Result<Rsa<Private>> {
    let mut context = BigNumContext::new()?;
    let exponent = BigNum::from_u32(65537)?;
    let p = prime(rng, bits / 2, &mut context)?;
    let mut q = prime(rng, bits / 2, &mut context)?;
    while q == p {
        q = prime(rng, bits / 2, &mut context)?;
    }
    let (p, q) = if p > q { (p, q) } else { (q, p) };

    let one = BigNum::from_u32(1)?;
    let (mut p1, mut q1) = (BigNum::new()?, BigNum::new()?);
    p1.checked_sub(&p, &one)?;
    q1.checked_sub(&q, &one)?;
    let mut phi = BigNum::new()?;
    phi.checked_mul(&p1, &q1, &mut context)?;
    let mut d = BigNum::new()?;
    d.mod_inverse(&exponent, &phi, &mut context)?;

    let (mut dp, mut dq, mut qinv) = (BigNum::new()?, BigNum::new()?, BigNum::new()?);
    dp.nnmod(&d, &p1, &mut context)?;
    dq.nnmod(&d, &q1, &mut context)?;
    qinv.mod_inverse(&q, &p, &mut context)?;
    let mut n = BigNum::new()?;
    n.checked_mul(&p, &q, &mut context)?;

    let key = Rsa::from_private_components(n, exponent, d, p, q, dp, dq, qinv)?;
    anyhow::ensure!(key.check_key()?, "the drawn RSA key does not check");
    Ok(key)
}

/// A prime of exactly `bits` bits, its top two bits set so two of them make a full modulus,
/// and p - 1 prime to 65537 so the public exponent has an inverse.
fn prime(rng: &mut impl RngCore, bits: u32, context: &mut BigNumContext) -> anyhow::Result<BigNum> {
    let bytes = bits.div_ceil(8) as usize;
    loop {
        let mut buffer = vec![0u8; bytes];
        rng.fill_bytes(&mut buffer);
        buffer[0] |= 0xC0;
        buffer[bytes - 1] |= 1;
        let candidate = BigNum::from_slice(&buffer)?;
        if candidate.mod_word(65537)? == 1 {
            continue;
        }
        if candidate.is_prime_fasttest(0, context, true)? {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_label_gives_the_same_key_and_another_label_another() {
        let kind = KeyKind::Ec(Curve::BrainpoolP256r1);
        let first = KeyPair::derive(7, "csca/XTD", kind).unwrap();
        let again = KeyPair::derive(7, "csca/XTD", kind).unwrap();
        let other = KeyPair::derive(7, "csca/XTE", kind).unwrap();

        assert_eq!(first.private_key_pem().unwrap(), again.private_key_pem().unwrap());
        assert_ne!(first.public_key_info().unwrap(), other.public_key_info().unwrap());
    }

    #[test]
    fn rsa_keys_have_the_size_asked_for() {
        let key = KeyPair::derive(7, "aa", KeyKind::Rsa(1024)).unwrap();

        assert_eq!(key.key.bits(), 1024);
        assert_eq!(key.key_identifier().unwrap().len(), 20);
    }

    #[test]
    fn an_explicit_key_spells_out_its_curve() {
        let named = KeyPair::derive(7, "x", KeyKind::Ec(Curve::BrainpoolP256r1)).unwrap();
        let explicit =
            KeyPair::derive(7, "x", KeyKind::EcExplicit(Curve::BrainpoolP256r1)).unwrap();

        let named = named.public_key_info().unwrap();
        let explicit = explicit.public_key_info().unwrap();
        assert!(explicit.len() > named.len() + 150, "{} vs {}", explicit.len(), named.len());
        assert_eq!(named[named.len() - 65..], explicit[explicit.len() - 65..]);
    }
}
