//! Signatures on the webhooks idproof sends, so that a client's server can tell a SIM
//! registration record came from idproof and was not replayed.
//!
//! Each client has its own secret, derived from the worker's webhook key and the client's id,
//! and shown to the operator when the client is created. A request carries
//! `Idproof-Signature: t=UNIX_SECONDS,v1=HEX`, where `HEX` is HMAC-SHA256 under the secret of
//! the timestamp, a full stop and the exact body. A receiver recomputes it, compares in
//! constant time, and refuses a timestamp far from its own clock.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use idproof_proofing::ClientId;
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Idproof-Signature";

/// What a client's secret begins with, so that it is recognised when pasted.
const SECRET_PREFIX: &str = "whsec_";

/// The worker's webhook key, from which each client's secret is derived.
#[derive(Clone)]
pub struct WebhookSigner([u8; 32]);

impl std::fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSigner(..)")
    }
}

impl WebhookSigner {
    /// The signer with this 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// The secret client `client` verifies its webhooks with.
    pub fn secret_for(&self, client: ClientId) -> String {
        let mac = mac(&self.0, &[b"client|", client.to_string().as_bytes()]);
        format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// The `Idproof-Signature` value for `body` sent to `client` at `at`.
    pub fn sign(&self, client: ClientId, at: DateTime<Utc>, body: &[u8]) -> String {
        signature(&self.secret_for(client), at.timestamp(), body)
    }
}

/// The signature header's value for `body` under `secret` at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = mac(secret.as_bytes(), &[timestamp.to_string().as_bytes(), b".", body]);
    format!("t={timestamp},v1={}", hex::encode(mac))
}

/// Whether `header` signs `body` under `secret` within `tolerance` of `now`: what a client's
/// server checks. A malformed header, another body or secret, or an old timestamp fail.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: chrono::Duration,
) -> bool {
    let mut timestamp = None;
    let mut given = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => given = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(given)) = (timestamp, given) else {
        return false;
    };
    if (now.timestamp() - timestamp).abs() > tolerance.num_seconds() {
        return false;
    }

    let Ok(mut expected) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    expected.update(timestamp.to_string().as_bytes());
    expected.update(b".");
    expected.update(body);
    expected.verify_slice(&given).is_ok()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> WebhookSigner {
        WebhookSigner::new([7; 32])
    }

    fn client(n: u128) -> ClientId {
        ClientId::from(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn each_client_has_its_own_stable_secret() {
        let (a, b) = (signer().secret_for(client(1)), signer().secret_for(client(2)));
        assert!(a.starts_with("whsec_") && a.len() == 6 + 43, "{a}");
        assert_ne!(a, b);
        assert_eq!(a, signer().secret_for(client(1)));
        assert_ne!(a, WebhookSigner::new([8; 32]).secret_for(client(1)));
    }

    #[test]
    fn a_signature_verifies_for_its_body_secret_and_time_only() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z").unwrap().to_utc();
        let body = br#"{"type":"sim_registration.decided"}"#;
        let header = signer().sign(client(1), at, body);
        let secret = signer().secret_for(client(1));
        let five_minutes = chrono::Duration::minutes(5);

        assert!(header.starts_with("t=1796385600,v1="), "{header}");
        assert!(verify(&secret, &header, body, at + chrono::Duration::minutes(4), five_minutes));
        assert!(!verify(&secret, &header, b"{}", at, five_minutes), "another body");
        let other = signer().secret_for(client(2));
        assert!(!verify(&other, &header, body, at, five_minutes), "another client's secret");
        let late = at + chrono::Duration::minutes(6);
        assert!(!verify(&secret, &header, body, late, five_minutes), "replayed later");
        let moved = header.replace("t=1796385600", "t=1796385660");
        assert!(!verify(&secret, &moved, body, at, five_minutes), "a timestamp changed");
        for bad in ["", "t=1796385600", "v1=00", "t=x,v1=00", "t=1796385600,v1=zz"] {
            assert!(!verify(&secret, bad, body, at, five_minutes), "{bad:?}");
        }
    }
}
