//! The configuration of the mobile and face steps: the one-time code's limits and key, the
//! binding caps, the SMS gateway, and the face comparison provider with its policy.

use chrono::Duration as TimeDelta;
use idproof_face::{FacePolicy, HttpComparatorConfig};
use idproof_mobile::{HttpGatewayConfig, OtpLimits};
use serde::{Deserialize, Serialize};

/// The mobile step (`[mobile]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileConfig {
    /// The one-time code's lifetime, attempts, resend cooldown and hourly sends
    /// (`mobile.otp.code_ttl_secs`, `max_attempts`, `resend_cooldown_secs`, `sends_per_hour`).
    pub otp: OtpLimits,
    /// The key (32 bytes of base64) codes are hashed with. When unset it is derived from the
    /// current evidence key; codes in flight when it changes are no longer accepted.
    pub code_key: Option<String>,
    /// The most numbers one identity may hold with one operator: 3 for foreigners under the
    /// NBTC's measures in force since 30 August 2025.
    pub cap_per_operator: i32,
    /// The most numbers one identity may hold with all operators together.
    pub cap_total: i32,
    /// The SMS text; `{code}` and `{minutes}` are filled in. The default when unset.
    pub message_template: Option<String>,
    /// `http` (the gateway of `[mobile.sms]`), `console` (codes in the log: development only)
    /// or `none` (every send fails `sms.configuration`). `idproof dev` uses the console when
    /// this is `none`.
    pub gateway: GatewayKind,
    /// The HTTP JSON gateway, for `gateway = "http"`.
    pub sms: Option<SmsGatewaySettings>,
}

fn ten_seconds_in_ms() -> u64 {
    10_000
}

/// Which SMS gateway the worker uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayKind {
    /// The HTTP JSON gateway of `[mobile.sms]`.
    Http,
    /// The console.
    Console,
    /// None.
    None,
}

impl Default for MobileConfig {
    fn default() -> Self {
        Self {
            otp: OtpLimits::default(),
            code_key: None,
            cap_per_operator: 3,
            cap_total: 9,
            message_template: None,
            gateway: GatewayKind::None,
            sms: None,
        }
    }
}

/// An HTTP JSON SMS gateway (`[mobile.sms]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsGatewaySettings {
    /// The URL the message is POSTed to.
    pub endpoint: String,
    /// The JSON body with `{to}`, `{to_digits}` and `{text}` in its string values.
    pub body_template: String,
    /// The authentication header's name, such as `Authorization`.
    pub auth_header_name: Option<String>,
    /// The authentication header's value: a secret, best given by environment.
    pub auth_header_value: Option<String>,
    /// A JSON pointer to the gateway's message id in its answer, such as `/id`.
    pub message_id_pointer: Option<String>,
    /// The longest wait for one send, in milliseconds (default 10 000).
    #[serde(default = "ten_seconds_in_ms")]
    pub timeout_ms: u64,
}

impl SmsGatewaySettings {
    /// The gateway adapter's configuration.
    pub fn adapter(&self) -> HttpGatewayConfig {
        let auth_header = match (&self.auth_header_name, &self.auth_header_value) {
            (Some(name), Some(value)) => {
                Some(idproof_mobile::AuthHeader { name: name.clone(), value: value.clone() })
            }
            _ => None,
        };
        HttpGatewayConfig {
            endpoint: self.endpoint.clone(),
            auth_header,
            body_template: self.body_template.clone(),
            message_id_pointer: self.message_id_pointer.clone(),
            timeout_ms: self.timeout_ms,
        }
    }
}

/// The face step (`[face]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceConfig {
    /// `http` (the provider below), `sandbox` (image likeness, not biometric: development
    /// only) or `none` (every selfie is flagged for an officer). `idproof dev` uses the sandbox
    /// when this is `none`.
    pub comparator: ComparatorKind,
    /// The provider, for `comparator = "http"`.
    pub provider: Option<FaceProviderSettings>,
    /// The score at or above which a selfie matches.
    pub match_threshold: f32,
    /// The liveness score below which a capture counts as not live.
    pub liveness_min_score: f32,
    /// How old a liveness result may be when it arrives, in seconds.
    pub liveness_max_age_secs: i64,
    /// How far ahead of ours the capture device's clock may be, in seconds.
    pub clock_skew_secs: i64,
}

/// Which face comparator the worker uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparatorKind {
    /// The HTTP provider of `[face.provider]`.
    Http,
    /// The sandbox comparator.
    Sandbox,
    /// None.
    None,
}

impl Default for FaceConfig {
    fn default() -> Self {
        let policy = FacePolicy::default();
        Self {
            comparator: ComparatorKind::None,
            provider: None,
            match_threshold: policy.match_threshold,
            liveness_min_score: policy.liveness_min_score,
            liveness_max_age_secs: policy.liveness_max_age.num_seconds(),
            clock_skew_secs: policy.clock_skew.num_seconds(),
        }
    }
}

impl FaceConfig {
    /// The face policy.
    pub fn policy(&self) -> FacePolicy {
        FacePolicy {
            match_threshold: self.match_threshold,
            liveness_min_score: self.liveness_min_score,
            liveness_max_age: TimeDelta::seconds(self.liveness_max_age_secs),
            clock_skew: TimeDelta::seconds(self.clock_skew_secs),
        }
    }
}

/// A face comparison provider under our contract (`[face.provider]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceProviderSettings {
    /// The provider's name, recorded with each comparison.
    pub name: String,
    /// The comparison endpoint.
    pub endpoint: String,
    /// The authentication header's name.
    pub auth_header_name: Option<String>,
    /// The authentication header's value: a secret, best given by environment.
    pub auth_header_value: Option<String>,
    /// The longest wait for one comparison, in milliseconds (default 10 000).
    #[serde(default = "ten_seconds_in_ms")]
    pub timeout_ms: u64,
}

impl FaceProviderSettings {
    /// The adapter's configuration.
    pub fn adapter(&self) -> HttpComparatorConfig {
        let mut config = HttpComparatorConfig::new(self.name.clone(), self.endpoint.clone());
        if let (Some(name), Some(value)) = (&self.auth_header_name, &self.auth_header_value) {
            config.auth_header =
                Some(idproof_face::AuthHeader { name: name.clone(), value: value.clone() });
        }
        config.timeout = std::time::Duration::from_millis(self.timeout_ms.max(1));
        config
    }
}

/// Checks the steps' values at start-up.
pub fn validate(mobile: &MobileConfig, face: &FaceConfig) -> Result<(), String> {
    mobile.otp.validate().map_err(|err| format!("mobile.otp: {err}"))?;
    if mobile.cap_per_operator < 1 || mobile.cap_total < mobile.cap_per_operator {
        return Err("mobile.cap_per_operator must be at least 1 and cap_total at least that".into());
    }
    if let Some(template) = &mobile.message_template {
        idproof_mobile::MessageTemplate::new(template.clone())
            .map_err(|err| format!("mobile.message_template: {err}"))?;
    }
    let unit = 0.0..=1.0;
    if !unit.contains(&face.match_threshold) || !unit.contains(&face.liveness_min_score) {
        return Err("face.match_threshold and face.liveness_min_score lie in 0 to 1".into());
    }
    if mobile.gateway == GatewayKind::Http && mobile.sms.is_none() {
        return Err("mobile.gateway = \"http\" needs [mobile.sms]".into());
    }
    if face.comparator == ComparatorKind::Http && face.provider.is_none() {
        return Err("face.comparator = \"http\" needs [face.provider]".into());
    }
    Ok(())
}
