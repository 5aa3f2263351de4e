//! The hash and signature algorithms passports use, told from their object identifiers: SHA-1
//! to SHA-512; RSA PKCS#1 v1.5, RSASSA-PSS with its parameters, ECDSA with DER signatures, and
//! the plain r||s ECDSA of BSI TR-03111.

use openssl::hash::{MessageDigest, hash};

use super::der::{Cursor, Malformed, Tlv};
use crate::lds::{AlgorithmIdentifier, Oid};

/// A hash algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-1.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// The hash a digest algorithm identifier names.
    pub fn from_oid(oid: &Oid) -> Option<Hash> {
        match oid.to_string().as_str() {
            "1.3.14.3.2.26" => Some(Hash::Sha1),
            "2.16.840.1.101.3.4.2.4" => Some(Hash::Sha224),
            "2.16.840.1.101.3.4.2.1" => Some(Hash::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(Hash::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// OpenSSL's digest.
    pub(crate) fn message_digest(self) -> MessageDigest {
        match self {
            Hash::Sha1 => MessageDigest::sha1(),
            Hash::Sha224 => MessageDigest::sha224(),
            Hash::Sha256 => MessageDigest::sha256(),
            Hash::Sha384 => MessageDigest::sha384(),
            Hash::Sha512 => MessageDigest::sha512(),
        }
    }

    /// How many bytes a digest has.
    pub fn size(self) -> usize {
        self.message_digest().size()
    }

    /// The digest of `bytes`; `None` only when OpenSSL fails.
    pub(crate) fn digest(self, bytes: &[u8]) -> Option<Vec<u8>> {
        hash(self.message_digest(), bytes).ok().map(|digest| digest.to_vec())
    }

    /// Its name, as a person reads it.
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

/// How a signature is made: the scheme and its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSA with PKCS#1 v1.5 padding.
    RsaPkcs1(Hash),
    /// RSASSA-PSS.
    RsaPss {
        /// The message hash.
        hash: Hash,
        /// MGF1's hash.
        mgf1: Hash,
        /// The salt's length in bytes.
        salt: u16,
    },
    /// ECDSA, the signature a DER ECDSA-Sig-Value.
    Ecdsa(Hash),
    /// ECDSA, the signature r||s (BSI TR-03111 ecdsa-plain-signatures).
    EcdsaPlain(Hash),
}

impl Scheme {
    /// The scheme a signature algorithm names. `digest` is the hash to use when the algorithm
    /// names only the key type (`rsaEncryption`, `id-ecPublicKey`), as some SignerInfos do.
    pub(crate) fn from_algorithm(
        algorithm: &AlgorithmIdentifier,
        digest: Option<Hash>,
    ) -> Result<Scheme, String> {
        let dotted = algorithm.oid.to_string();
        let needs_digest = || digest.ok_or_else(|| format!("{dotted} needs a digest algorithm"));
        let scheme = match dotted.as_str() {
            "1.2.840.113549.1.1.1" => Scheme::RsaPkcs1(needs_digest()?),
            "1.2.840.113549.1.1.5" => Scheme::RsaPkcs1(Hash::Sha1),
            "1.2.840.113549.1.1.14" => Scheme::RsaPkcs1(Hash::Sha224),
            "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(Hash::Sha256),
            "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(Hash::Sha384),
            "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(Hash::Sha512),
            "1.2.840.113549.1.1.10" => pss(algorithm.parameters.as_deref())
                .map_err(|Malformed(element)| format!("RSASSA-PSS parameters: {element}"))?,
            "1.2.840.10045.2.1" => Scheme::Ecdsa(needs_digest()?),
            "1.2.840.10045.4.1" => Scheme::Ecdsa(Hash::Sha1),
            "1.2.840.10045.4.3.1" => Scheme::Ecdsa(Hash::Sha224),
            "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Hash::Sha256),
            "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Hash::Sha384),
            "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Hash::Sha512),
            "0.4.0.127.0.7.1.1.4.1.1" => Scheme::EcdsaPlain(Hash::Sha1),
            "0.4.0.127.0.7.1.1.4.1.2" => Scheme::EcdsaPlain(Hash::Sha224),
            "0.4.0.127.0.7.1.1.4.1.3" => Scheme::EcdsaPlain(Hash::Sha256),
            "0.4.0.127.0.7.1.1.4.1.4" => Scheme::EcdsaPlain(Hash::Sha384),
            "0.4.0.127.0.7.1.1.4.1.5" => Scheme::EcdsaPlain(Hash::Sha512),
            _ => return Err(format!("the signature algorithm {dotted} is not supported")),
        };
        Ok(scheme)
    }
}

/// RSASSA-PSS-params (RFC 4055): each field has a default, SHA-1 and a salt of 20 bytes.
fn pss(parameters: Option<&[u8]>) -> Result<Scheme, Malformed> {
    let (mut hash, mut mgf1, mut salt) = (Hash::Sha1, Hash::Sha1, 20);
    let Some(parameters) = parameters else {
        return Ok(Scheme::RsaPss { hash, mgf1, salt });
    };

    let sequence = Tlv::whole(parameters, "the parameters")?;
    let mut fields = sequence.children();
    if let Some(field) = fields.optional(0xA0, "the hashAlgorithm [0]")? {
        hash = hash_in(field, "the hashAlgorithm")?;
    }
    if let Some(field) = fields.optional(0xA1, "the maskGenAlgorithm [1]")? {
        let generator = Tlv::whole(field.contents, "the maskGenAlgorithm")?;
        let mut parts = generator.children();
        let kind = oid(parts.expect(0x06, "the mask generation function")?)?;
        if kind.to_string() != "1.2.840.113549.1.1.8" {
            return Err(Malformed("a mask generation function other than MGF1"));
        }
        let inner = parts.expect(0x30, "MGF1's hash")?;
        mgf1 = hash_in_sequence(inner, "MGF1's hash")?;
    }
    if let Some(field) = fields.optional(0xA2, "the saltLength [2]")? {
        let length = Tlv::whole(field.contents, "the saltLength")?.small("the saltLength")?;
        salt = u16::try_from(length).map_err(|_| Malformed("the saltLength"))?;
    }
    if let Some(field) = fields.optional(0xA3, "the trailerField [3]")?
        && Tlv::whole(field.contents, "the trailerField")?.small("the trailerField")? != 1
    {
        return Err(Malformed("a trailerField other than 1"));
    }
    if !fields.is_empty() {
        return Err(Malformed("the parameters"));
    }
    Ok(Scheme::RsaPss { hash, mgf1, salt })
}

/// The hash of an explicitly tagged AlgorithmIdentifier.
fn hash_in(field: Tlv<'_>, element: &'static str) -> Result<Hash, Malformed> {
    hash_in_sequence(Tlv::whole(field.contents, element)?, element)
}

fn hash_in_sequence(sequence: Tlv<'_>, element: &'static str) -> Result<Hash, Malformed> {
    let identifier = algorithm_identifier(sequence).map_err(|_| Malformed(element))?;
    Hash::from_oid(&identifier.oid).ok_or(Malformed(element))
}

/// An OBJECT IDENTIFIER element.
pub(crate) fn oid(tlv: Tlv<'_>) -> Result<Oid, Malformed> {
    if tlv.tag != 0x06 {
        return Err(Malformed("an object identifier"));
    }
    Oid::from_der_contents(tlv.contents).ok_or(Malformed("an object identifier"))
}

/// `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
pub(crate) fn algorithm_identifier(sequence: Tlv<'_>) -> Result<AlgorithmIdentifier, Malformed> {
    if sequence.tag != 0x30 {
        return Err(Malformed("an AlgorithmIdentifier"));
    }
    let mut fields: Cursor<'_> = sequence.children();
    let algorithm = oid(fields.expect(0x06, "an AlgorithmIdentifier")?)?;
    let parameters = if fields.is_empty() {
        None
    } else {
        Some(fields.next("an AlgorithmIdentifier's parameters")?.raw.to_vec())
    };
    if !fields.is_empty() {
        return Err(Malformed("an AlgorithmIdentifier"));
    }
    Ok(AlgorithmIdentifier { oid: algorithm, parameters })
}
