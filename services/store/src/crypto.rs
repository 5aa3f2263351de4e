//! Sealing evidence at rest with AES-256-GCM.
//!
//! Each blob records the id of the key that sealed it, so keys can be rotated: new evidence is
//! sealed with the current key, old evidence still opens with the key it names. The application
//! id and evidence kind are bound in as associated data, so a blob copied onto another row does
//! not open.

use std::collections::HashMap;

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;

/// Why evidence could not be sealed or opened, or a key not loaded.
#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    /// A configured key is not 32 bytes of base64.
    #[error("evidence key {key_id:?} is not 32 bytes of base64")]
    BadKey {
        /// The id of the key.
        key_id: String,
    },
    /// The current key id names no configured key.
    #[error("evidence key {key_id:?} is not configured")]
    UnknownKey {
        /// The id of the missing key.
        key_id: String,
    },
    /// The blob does not open with its key: it was altered, or moved to another row.
    #[error("evidence does not authenticate under key {key_id:?}")]
    Tampered {
        /// The id of the key the blob names.
        key_id: String,
    },
}

/// A sealed blob: what is stored beside the evidence row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The id of the key that sealed it.
    pub key_id: String,
    /// The 96-bit nonce, fresh for each blob.
    pub nonce: Vec<u8>,
    /// The ciphertext with its 128-bit tag.
    pub ciphertext: Vec<u8>,
}

/// The configured evidence keys, and which one seals new evidence.
#[derive(Clone)]
pub struct EvidenceCipher {
    keys: HashMap<String, Aes256Gcm>,
    current: String,
}

impl std::fmt::Debug for EvidenceCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<_> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("EvidenceCipher")
            .field("key_ids", &ids)
            .field("current", &self.current)
            .finish()
    }
}

impl EvidenceCipher {
    /// Loads base64 keys by id; `current` seals new evidence.
    pub fn from_base64_keys<'a>(
        keys: impl IntoIterator<Item = (&'a str, &'a str)>,
        current: &str,
    ) -> Result<Self, CipherError> {
        let mut loaded = HashMap::new();
        for (key_id, encoded) in keys {
            let bytes = STANDARD
                .decode(encoded.trim())
                .map_err(|_| CipherError::BadKey { key_id: key_id.to_owned() })?;
            if bytes.len() != 32 {
                return Err(CipherError::BadKey { key_id: key_id.to_owned() });
            }
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes));
            loaded.insert(key_id.to_owned(), cipher);
        }

        if !loaded.contains_key(current) {
            return Err(CipherError::UnknownKey { key_id: current.to_owned() });
        }
        Ok(Self { keys: loaded, current: current.to_owned() })
    }

    /// A fresh random key, base64, for `idproof dev` and tests.
    pub fn generate_base64_key() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// Seals `plaintext` under the current key, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Sealed, CipherError> {
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or_else(|| CipherError::UnknownKey { key_id: self.current.clone() })?;

        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: context })
            .map_err(|_| CipherError::Tampered { key_id: self.current.clone() })?;

        Ok(Sealed { key_id: self.current.clone(), nonce: nonce.to_vec(), ciphertext })
    }

    /// Opens a sealed blob, checking it was sealed for `context`.
    pub fn open(&self, sealed: &Sealed, context: &[u8]) -> Result<Vec<u8>, CipherError> {
        let tampered = || CipherError::Tampered { key_id: sealed.key_id.clone() };
        let cipher = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| CipherError::UnknownKey { key_id: sealed.key_id.clone() })?;
        if sealed.nonce.len() != 12 {
            return Err(tampered());
        }

        cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload { msg: &sealed.ciphertext, aad: context },
            )
            .map_err(|_| tampered())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher_with(ids: &[(&str, &str)], current: &str) -> EvidenceCipher {
        EvidenceCipher::from_base64_keys(ids.iter().copied(), current).unwrap()
    }

    #[test]
    fn sealed_evidence_opens_with_its_context_only() {
        let key = EvidenceCipher::generate_base64_key();
        let cipher = cipher_with(&[("k1", &key)], "k1");

        let sealed = cipher.seal(b"P<UTOERIKSSON<<ANNA<MARIA", b"app-1/mrz").unwrap();

        assert_ne!(sealed.ciphertext, b"P<UTOERIKSSON<<ANNA<MARIA");
        assert_eq!(cipher.open(&sealed, b"app-1/mrz").unwrap(), b"P<UTOERIKSSON<<ANNA<MARIA");
        assert!(matches!(cipher.open(&sealed, b"app-2/mrz"), Err(CipherError::Tampered { .. })));
    }

    #[test]
    fn a_flipped_bit_or_a_short_nonce_is_refused() {
        let key = EvidenceCipher::generate_base64_key();
        let cipher = cipher_with(&[("k1", &key)], "k1");
        let sealed = cipher.seal(b"evidence", b"ctx").unwrap();

        let mut flipped = sealed.clone();
        flipped.ciphertext[0] ^= 1;
        assert!(cipher.open(&flipped, b"ctx").is_err());

        let mut short = sealed;
        short.nonce.truncate(4);
        assert!(cipher.open(&short, b"ctx").is_err());
    }

    #[test]
    fn rotated_keys_still_open_old_evidence() {
        let old_key = EvidenceCipher::generate_base64_key();
        let new_key = EvidenceCipher::generate_base64_key();
        let before = cipher_with(&[("k1", &old_key)], "k1");
        let sealed = before.seal(b"evidence", b"ctx").unwrap();

        let after = cipher_with(&[("k1", &old_key), ("k2", &new_key)], "k2");

        assert_eq!(after.open(&sealed, b"ctx").unwrap(), b"evidence");
        assert_eq!(after.seal(b"x", b"ctx").unwrap().key_id, "k2");
    }

    #[test]
    fn bad_keys_are_refused_by_id() {
        let err = EvidenceCipher::from_base64_keys([("k1", "c2hvcnQ=")], "k1").unwrap_err();
        assert!(matches!(err, CipherError::BadKey { key_id } if key_id == "k1"));
        let err = EvidenceCipher::from_base64_keys([("k1", "%%%")], "k1").unwrap_err();
        assert!(matches!(err, CipherError::BadKey { .. }));
        let key = EvidenceCipher::generate_base64_key();
        let err = EvidenceCipher::from_base64_keys([("k1", key.as_str())], "k9").unwrap_err();
        assert!(matches!(err, CipherError::UnknownKey { .. }));
    }
}
