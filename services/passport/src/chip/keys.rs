//! Public keys from a SubjectPublicKeyInfo, and signatures checked with them.
//!
//! Elliptic-curve keys with explicit curve parameters (as some CSCAs and document signers
//! carry) are read here rather than by OpenSSL's certificate code, which OpenSSL 3 refuses them
//! in: the parameters are compared with the named curves and the named curve used when they are
//! one of them; otherwise the group is built from its components. ECDSA is then checked on the
//! key directly, never through certificate verification.

use openssl::asn1::Asn1Object;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcGroupRef, EcKey, EcPoint, PointConversionForm};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Verifier};

use super::algorithms::{Hash, Scheme, algorithm_identifier, oid};
use super::der::{Malformed, Tlv};

/// The largest RSA modulus accepted, in bits: bigger keys only slow a verifier down.
const MAX_RSA_BITS: u32 = 8192;
/// The largest prime field accepted for an explicit curve, in bytes (P-521).
const MAX_FIELD_BYTES: usize = 66;

/// The named curves explicit parameters are compared with.
const NAMED_CURVES: [Nid; 9] = [
    Nid::X9_62_PRIME256V1,
    Nid::SECP384R1,
    Nid::SECP521R1,
    Nid::SECP224R1,
    Nid::BRAINPOOL_P224R1,
    Nid::BRAINPOOL_P256R1,
    Nid::BRAINPOOL_P320R1,
    Nid::BRAINPOOL_P384R1,
    Nid::BRAINPOOL_P512R1,
];

/// A public key, ready to check signatures.
pub(crate) enum PublicKey {
    /// RSA.
    Rsa(PKey<Public>),
    /// An elliptic curve key, on a named curve or one built from explicit parameters.
    Ec(EcKey<Public>),
}

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SignatureFault {
    /// The signature is well formed and wrong.
    Mismatch,
    /// The signature, or the key for the scheme, is of the wrong form.
    Malformed(&'static str),
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo.
    pub(crate) fn from_spki(spki: &[u8]) -> Result<PublicKey, Malformed> {
        read_spki(spki, Curves::NamedWhenKnown)
    }

    /// RSA's raw public operation, for signatures with message recovery: `None` when the
    /// signature is not as long as the modulus or is not below it, or the key is not RSA.
    pub(crate) fn recover(&self, signature: &[u8]) -> Option<Vec<u8>> {
        let PublicKey::Rsa(key) = self else { return None };
        let rsa = key.rsa().ok()?;
        let size = usize::try_from(rsa.size()).ok()?;
        if signature.len() != size {
            return None;
        }
        let mut block = vec![0; size];
        let length = rsa.public_decrypt(signature, &mut block, Padding::NONE).ok()?;
        block.truncate(length);
        Some(block)
    }

    /// The size in bytes of one half of a plain ECDSA signature: the order's length.
    pub(crate) fn ecdsa_half(&self) -> Option<usize> {
        match self {
            PublicKey::Ec(key) => usize::try_from(key.group().order_bits().div_ceil(8)).ok(),
            PublicKey::Rsa(_) => None,
        }
    }

    /// Checks `signature` over `message` under `scheme`.
    pub(crate) fn verify(
        &self,
        scheme: Scheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureFault> {
        let verified = match (self, scheme) {
            (PublicKey::Rsa(key), Scheme::RsaPkcs1(hash)) => {
                rsa_verify(key, hash, None, message, signature)
            }
            (PublicKey::Rsa(key), Scheme::RsaPss { hash, mgf1, salt }) => {
                rsa_verify(key, hash, Some((mgf1, salt)), message, signature)
            }
            (PublicKey::Ec(key), Scheme::Ecdsa(hash)) => {
                let signature = der_signature(signature)
                    .ok_or(SignatureFault::Malformed("an ECDSA signature that is not DER"))?;
                ecdsa_verify(key, hash, message, &signature)
            }
            (PublicKey::Ec(key), Scheme::EcdsaPlain(hash)) => {
                let signature = plain_signature(signature, self.ecdsa_half())?;
                ecdsa_verify(key, hash, message, &signature)
            }
            _ => return Err(SignatureFault::Malformed("a key of another type than the scheme's")),
        };
        if verified { Ok(()) } else { Err(SignatureFault::Mismatch) }
    }
}

/// How explicit curve parameters become a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curves {
    /// The named curve they are, when they are one; built from them otherwise.
    NamedWhenKnown,
    /// Always built from them (for tests of that path).
    #[cfg_attr(not(test), allow(dead_code))]
    Built,
}

fn read_spki(spki: &[u8], curves: Curves) -> Result<PublicKey, Malformed> {
    let info = Tlv::whole(spki, "the SubjectPublicKeyInfo")?;
    let mut fields = info.children();
    let algorithm = algorithm_identifier(fields.expect(0x30, "the key's algorithm")?)?;
    let key = fields.expect(0x03, "the public key")?.bits("the public key")?;
    if !fields.is_empty() {
        return Err(Malformed("the SubjectPublicKeyInfo"));
    }

    match algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => rsa(key),
        "1.2.840.10045.2.1" => {
            let parameters = algorithm.parameters.ok_or(Malformed("the curve"))?;
            let group = curve(&parameters, curves)?;
            let mut context = BigNumContext::new().map_err(|_| Malformed("the curve"))?;
            let point = EcPoint::from_bytes(&group, key, &mut context)
                .map_err(|_| Malformed("the public point"))?;
            if point.is_infinity(&group) {
                return Err(Malformed("the public point at infinity"));
            }
            let key = EcKey::from_public_key(&group, &point)
                .map_err(|_| Malformed("the public point"))?;
            Ok(PublicKey::Ec(key))
        }
        _ => Err(Malformed("a key that is neither RSA nor on an elliptic curve")),
    }
}

/// An ECDSA signature in DER, refused when it is not exactly the DER of its value (trailing
/// bytes, a long form where a short one fits).
pub(crate) fn der_signature(signature: &[u8]) -> Option<EcdsaSig> {
    let parsed = EcdsaSig::from_der(signature).ok()?;
    (parsed.to_der().ok()? == signature).then_some(parsed)
}

/// An ECDSA signature from r||s, each half as long as the order.
pub(crate) fn plain_signature(
    signature: &[u8],
    half: Option<usize>,
) -> Result<EcdsaSig, SignatureFault> {
    let malformed = SignatureFault::Malformed("a plain ECDSA signature of the wrong length");
    let half = half.ok_or(malformed.clone())?;
    if signature.len() != 2 * half {
        return Err(malformed);
    }
    let (r, s) = signature.split_at(half);
    let number = |bytes: &[u8]| BigNum::from_slice(bytes).map_err(|_| malformed.clone());
    EcdsaSig::from_private_components(number(r)?, number(s)?).map_err(|_| malformed.clone())
}

fn rsa(key: &[u8]) -> Result<PublicKey, Malformed> {
    let rsa = Rsa::public_key_from_der_pkcs1(key).map_err(|_| Malformed("the RSA public key"))?;
    if rsa.n().num_bits() > MAX_RSA_BITS as i32 {
        return Err(Malformed("an RSA modulus longer than 8192 bits"));
    }
    PKey::from_rsa(rsa).map(PublicKey::Rsa).map_err(|_| Malformed("the RSA public key"))
}

fn rsa_verify(
    key: &PKey<Public>,
    hash: Hash,
    pss: Option<(Hash, u16)>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let check = || -> Result<bool, openssl::error::ErrorStack> {
        let mut verifier = Verifier::new(hash.message_digest(), key)?;
        if let Some((mgf1, salt)) = pss {
            verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
            verifier.set_rsa_pss_saltlen(RsaPssSaltlen::custom(i32::from(salt)))?;
            verifier.set_rsa_mgf1_md(mgf1.message_digest())?;
        }
        verifier.verify_oneshot(signature, message)
    };
    check().unwrap_or(false)
}

fn ecdsa_verify(key: &EcKey<Public>, hash: Hash, message: &[u8], signature: &EcdsaSig) -> bool {
    hash.digest(message).is_some_and(|digest| signature.verify(&digest, key).unwrap_or(false))
}

/// The group of a key's `ECParameters`: a named curve, or explicit parameters over a prime
/// field.
fn curve(parameters: &[u8], curves: Curves) -> Result<EcGroup, Malformed> {
    let element = Tlv::whole(parameters, "the curve")?;
    match element.tag {
        0x06 => {
            let named = oid(element)?.to_string();
            let nid = Asn1Object::from_str(&named)
                .map(|object| object.nid())
                .map_err(|_| Malformed("the named curve"))?;
            EcGroup::from_curve_name(nid).map_err(|_| Malformed("an unknown named curve"))
        }
        0x30 => explicit_curve(element, curves),
        _ => Err(Malformed("the curve: implicit parameters")),
    }
}

/// `ECParameters { version, fieldID, curve, base, order, cofactor }` over a prime field.
fn explicit_curve(parameters: Tlv<'_>, curves: Curves) -> Result<EcGroup, Malformed> {
    let mut fields = parameters.children();
    if fields.expect(0x02, "the curve's version")?.small("the curve's version")? != 1 {
        return Err(Malformed("the curve's version"));
    }
    let field = fields.expect(0x30, "the curve's field")?;
    let mut field_parts = field.children();
    if oid(field_parts.expect(0x06, "the field type")?)?.to_string() != "1.2.840.10045.1.1" {
        return Err(Malformed("a curve over a field other than a prime field"));
    }
    let prime = field_parts.expect(0x02, "the prime")?.unsigned("the prime")?;
    if prime.len() > MAX_FIELD_BYTES {
        return Err(Malformed("a prime field larger than P-521's"));
    }
    let coefficients = fields.expect(0x30, "the curve's coefficients")?;
    let mut coefficient = coefficients.children();
    let a = coefficient.expect(0x04, "the coefficient a")?.contents;
    let b = coefficient.expect(0x04, "the coefficient b")?.contents;
    let base = fields.expect(0x04, "the base point")?.contents;
    let order = fields.expect(0x02, "the order")?.unsigned("the order")?;
    let cofactor = match fields.optional(0x02, "the cofactor")? {
        Some(cofactor) => cofactor.unsigned("the cofactor")?,
        None => &[1],
    };

    let explicit = Explicit { prime, a, b, base, order, cofactor };
    let named = if curves == Curves::NamedWhenKnown { explicit.named() } else { None };
    named.map_or_else(|| explicit.build(), Ok)
}

/// Explicit curve parameters, as encoded.
struct Explicit<'a> {
    prime: &'a [u8],
    a: &'a [u8],
    b: &'a [u8],
    base: &'a [u8],
    order: &'a [u8],
    cofactor: &'a [u8],
}

impl Explicit<'_> {
    /// The named curve with these parameters, if there is one.
    fn named(&self) -> Option<EcGroup> {
        let mut context = BigNumContext::new().ok()?;
        NAMED_CURVES.into_iter().find_map(|nid| {
            let group = EcGroup::from_curve_name(nid).ok()?;
            self.matches(&group, &mut context).then_some(group)
        })
    }

    fn matches(&self, group: &EcGroupRef, context: &mut BigNumContext) -> bool {
        let mut compare = || -> Result<bool, openssl::error::ErrorStack> {
            let (mut p, mut a, mut b) = (BigNum::new()?, BigNum::new()?, BigNum::new()?);
            group.components_gfp(&mut p, &mut a, &mut b, context)?;
            let (mut order, mut cofactor) = (BigNum::new()?, BigNum::new()?);
            group.order(&mut order, context)?;
            group.cofactor(&mut cofactor, context)?;
            let same = |number: &BigNum, bytes: &[u8]| {
                BigNum::from_slice(bytes).is_ok_and(|given| given == *number)
            };
            if !(same(&p, self.prime)
                && same(&a, self.a)
                && same(&b, self.b)
                && same(&order, self.order)
                && same(&cofactor, self.cofactor))
            {
                return Ok(false);
            }
            let base = EcPoint::from_bytes(group, self.base, context)?;
            let Some(generator) = group.generator_opt() else { return Ok(false) };
            let generator =
                generator.to_bytes(group, PointConversionForm::UNCOMPRESSED, context)?;
            let given = base.to_bytes(group, PointConversionForm::UNCOMPRESSED, context)?;
            Ok(generator == given)
        };
        compare().unwrap_or(false)
    }

    /// A group built from the parameters, for a curve that is none of the named ones.
    fn build(&self) -> Result<EcGroup, Malformed> {
        let build = || -> Result<EcGroup, openssl::error::ErrorStack> {
            let mut context = BigNumContext::new()?;
            let number = BigNum::from_slice;
            let mut group = EcGroup::from_components(
                number(self.prime)?,
                number(self.a)?,
                number(self.b)?,
                &mut context,
            )?;
            let base = EcPoint::from_bytes(&group, self.base, &mut context)?;
            group.set_generator(base, number(self.order)?, number(self.cofactor)?)?;
            Ok(group)
        };
        build().map_err(|_| Malformed("explicit curve parameters that make no group"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip::der::Cursor;
    use crate::chip::tests::{Files, chip};
    use crate::lds::Sod;

    /// The SubjectPublicKeyInfo of a certificate, as encoded.
    fn spki(certificate: &[u8]) -> &[u8] {
        let outer = Tlv::whole(certificate, "certificate").unwrap();
        let tbs = outer.children().expect(0x30, "tbs").unwrap();
        let mut fields: Cursor<'_> = tbs.children();
        fields.optional(0xA0, "version").unwrap();
        for _ in 0..5 {
            fields.next("field").unwrap();
        }
        fields.expect(0x30, "spki").unwrap().raw
    }

    #[test]
    fn explicit_parameters_verify_as_their_named_curve_and_as_a_group_built_from_them() {
        let files = Files::of(chip("valid-xtf-explicit-brainpool-p256"));
        let sod = Sod::parse(&files.sod).unwrap();
        let signer = &sod.signer_infos[0];
        let signed = &signer.signed_attributes.as_ref().unwrap().signed_bytes;
        let spki = spki(sod.certificates[0]);

        for curves in [Curves::NamedWhenKnown, Curves::Built] {
            let key = read_spki(spki, curves).unwrap();

            let PublicKey::Ec(ec) = &key else { panic!("not an EC key") };
            let expected = (curves == Curves::NamedWhenKnown).then_some(Nid::BRAINPOOL_P256R1);
            assert_eq!(ec.group().curve_name(), expected);
            let scheme = Scheme::Ecdsa(Hash::Sha256);
            assert_eq!(key.verify(scheme, signed, signer.signature), Ok(()), "{curves:?}");
            let mut other = signed.clone();
            other[10] ^= 1;
            assert_eq!(key.verify(scheme, &other, signer.signature), Err(SignatureFault::Mismatch));
        }
    }

    #[test]
    fn a_point_at_infinity_and_an_oversized_field_are_refused() {
        let files = Files::of(chip("valid-xtf-explicit-brainpool-p256"));
        let sod = Sod::parse(&files.sod).unwrap();
        let spki = Tlv::whole(spki(sod.certificates[0]), "spki").unwrap();
        let algorithm = spki.children().expect(0x30, "algorithm").unwrap().raw;
        let contents = [algorithm, &[0x03, 0x02, 0x00, 0x00]].concat();
        let length = u8::try_from(contents.len()).unwrap();
        let infinity = [&[0x30, 0x81, length], contents.as_slice()].concat();

        assert_eq!(
            read_spki(&infinity, Curves::NamedWhenKnown).err(),
            Some(Malformed("the public point at infinity"))
        );
        let mut parameters = vec![0x30, 0x81, 0x00, 0x02, 0x01, 0x01, 0x30, 0x50];
        parameters.extend([0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01, 0x02, 0x45]);
        parameters.extend([0x01; 69]);
        parameters[2] = (parameters.len() - 3) as u8;
        let element = Tlv::whole(&parameters, "parameters").unwrap();
        assert_eq!(
            explicit_curve(element, Curves::Built).err(),
            Some(Malformed("a prime field larger than P-521's"))
        );
    }
}
