//! One-time codes: six digits drawn from a CSPRNG, kept only as a keyed hash bound to their
//! challenge, compared in constant time.

use std::fmt;

use hmac::{Hmac, Mac};
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// How many digits a code has.
pub const CODE_DIGITS: usize = 6;

const CODE_SPACE: u32 = 1_000_000;

/// The largest multiple of a million a `u32` holds: draws at or above it are redrawn, so every
/// code is equally likely (no modulo bias).
const ACCEPT_BELOW: u32 = u32::MAX - (u32::MAX % CODE_SPACE);

/// The domain tag that keeps these hashes apart from any other use of the key.
const DOMAIN: &[u8] = b"idproof.mobile.otp.v1";

/// A six-digit one-time code, leading zeros kept. `Debug` hides it; [`OneTimeCode::reveal`]
/// gives it for the message only.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// Draws a code, uniform over `000000`–`999999`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let value = loop {
            let draw = rng.next_u32();
            if draw < ACCEPT_BELOW {
                break draw % CODE_SPACE;
            }
        };

        Self(format!("{value:06}"))
    }

    /// The digits, for the SMS text and nothing else.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(******)")
    }
}

/// The keyed hash of a code, the only form in which a code is kept. Stored as hex.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CodeHash([u8; 32]);

impl CodeHash {
    /// The hash as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A hash read back from its hex form.
    pub fn from_hex(text: &str) -> Result<Self, InvalidCodeHash> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| InvalidCodeHash)?;
        Ok(Self(bytes))
    }
}

impl fmt::Debug for CodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeHash(..)")
    }
}

impl From<CodeHash> for String {
    fn from(hash: CodeHash) -> Self {
        hash.to_hex()
    }
}

impl TryFrom<String> for CodeHash {
    type Error = InvalidCodeHash;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::from_hex(&text)
    }
}

/// A stored code hash that is not 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a code hash is not 64 hex digits")]
pub struct InvalidCodeHash;

/// The key codes are hashed with (HMAC-SHA256), from configuration. `Debug` hides it.
#[derive(Clone)]
pub struct CodeHasher {
    key: Vec<u8>,
}

/// A hashing key shorter than 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the one-time code key must be at least 32 bytes")]
pub struct WeakKey;

impl CodeHasher {
    /// The shortest key accepted, in bytes.
    pub const MIN_KEY_LEN: usize = 32;

    /// A hasher with this secret key (at least 32 random bytes).
    pub fn new(key: impl Into<Vec<u8>>) -> Result<Self, WeakKey> {
        let key = key.into();
        if key.len() < Self::MIN_KEY_LEN {
            return Err(WeakKey);
        }

        Ok(Self { key })
    }

    /// The hash of `code` for `challenge`: the same code for another challenge hashes apart.
    pub fn hash(&self, challenge: Uuid, code: &OneTimeCode) -> CodeHash {
        CodeHash(self.digest(challenge, code.reveal().as_bytes()))
    }

    /// Whether `attempt` is the code hashed into `stored` for `challenge`, compared in constant
    /// time. An attempt that is not six ASCII digits is simply wrong.
    pub fn verify(&self, challenge: Uuid, stored: &CodeHash, attempt: &str) -> bool {
        let well_formed =
            attempt.len() == CODE_DIGITS && attempt.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return false;
        }

        let computed = self.digest(challenge, attempt.as_bytes());
        computed.ct_eq(&stored.0).into()
    }

    fn digest(&self, challenge: Uuid, code: &[u8]) -> [u8; 32] {
        // Every part has a fixed length, so no two inputs run together.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(DOMAIN);
        mac.update(challenge.as_bytes());
        mac.update(code);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeHasher(<key>)")
    }
}
