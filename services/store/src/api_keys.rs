//! API keys: `idp_<prefix>_<secret>`. The prefix finds the client; only a SHA-256 of the secret
//! is stored. Keys are 256-bit random, so a fast hash is enough: there is nothing to brute-force.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const KEY_TAG: &str = "idp";
const PREFIX_BYTES: usize = 9;
const SECRET_BYTES: usize = 32;

/// A newly made key, shown to its owner once.
#[derive(Clone)]
pub struct IssuedKey {
    /// The whole key, as the client sends it in `X-Api-Key`.
    pub key: String,
    /// The public part that is stored in clear.
    pub prefix: String,
    /// The hash of the secret part that is stored.
    pub hash: String,
}

/// A presented key split into its parts; it says nothing yet about whether it is valid.
#[derive(Debug, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    /// The public part.
    pub prefix: &'a str,
    secret: &'a str,
}

/// Makes a fresh key.
pub fn issue() -> IssuedKey {
    let mut prefix = [0u8; PREFIX_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut prefix);
    rand::rng().fill_bytes(&mut secret);

    let prefix = URL_SAFE_NO_PAD.encode(prefix).replace(['-', '_'], "x");
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let hash = hash_secret(&secret);
    IssuedKey { key: format!("{KEY_TAG}_{prefix}_{secret}"), prefix, hash }
}

/// Splits a presented key; `None` when it does not have the shape of one of ours.
pub fn parse(presented: &str) -> Option<PresentedKey<'_>> {
    let rest = presented.strip_prefix(KEY_TAG)?.strip_prefix('_')?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == 12
        && secret.len() == 43
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then_some(PresentedKey { prefix, secret })
}

impl PresentedKey<'_> {
    /// Whether the secret hashes to the stored hash, compared in constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        hash_secret(self.secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_key_parses_and_matches_its_hash_only() {
        let issued = issue();
        let presented = parse(&issued.key).unwrap();
        assert_eq!(presented.prefix, issued.prefix);
        assert!(presented.matches(&issued.hash));
        assert!(!presented.matches(&issue().hash));
        assert!(!issued.hash.contains(presented.secret));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        let issued = issue();
        let truncated = &issued.key[..issued.key.len() - 1];
        for bad in ["", "idp_", "idp__", "abc_def_ghi", truncated, "idp_ÄÄÄÄÄÄ_x", &issued.key[4..]]
        {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let long = format!("{}A", issued.key);
        assert!(parse(&long).is_none());
    }
}
