//! The SMS text that carries a code, from a configurable template.

use serde::{Deserialize, Serialize};

use crate::{OneTimeCode, OtpLimits};

/// The template of the SMS text: `{code}` (required) is the code, `{minutes}` the code's
/// lifetime in whole minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageTemplate(String);

/// A template without `{code}`, or too long for an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the SMS template must contain {{code}} and be at most {max} characters", max = MessageTemplate::MAX_CHARS)]
pub struct InvalidTemplate;

impl MessageTemplate {
    /// The longest template, in characters (a few SMS segments).
    pub const MAX_CHARS: usize = 300;

    /// A template, checked.
    pub fn new(template: impl Into<String>) -> Result<Self, InvalidTemplate> {
        let template = template.into();
        if !template.contains("{code}") || template.chars().count() > Self::MAX_CHARS {
            return Err(InvalidTemplate);
        }

        Ok(Self(template))
    }

    /// The text for `code` under `limits`.
    pub fn render(&self, code: &OneTimeCode, limits: &OtpLimits) -> String {
        let minutes = limits.code_ttl_secs.div_ceil(60);
        self.0.replace("{minutes}", &minutes.to_string()).replace("{code}", code.reveal())
    }
}

impl Default for MessageTemplate {
    fn default() -> Self {
        Self("idproof: your code is {code}. It expires in {minutes} minutes.".to_owned())
    }
}

impl TryFrom<String> for MessageTemplate {
    type Error = InvalidTemplate;

    fn try_from(template: String) -> Result<Self, Self::Error> {
        Self::new(template)
    }
}

impl From<MessageTemplate> for String {
    fn from(template: MessageTemplate) -> Self {
        template.0
    }
}
