//! A generic HTTP JSON gateway: one POST of a JSON body built from a template, with an
//! authentication header. Fits most SMS providers' "send" endpoints.

use std::{fmt, time::Duration};

use reqwest::{
    StatusCode, Url,
    header::{CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER},
    redirect,
};
use serde::Deserialize;
use serde_json::Value;
use tracing::{debug, warn};

use crate::{MobileNumber, SendFuture, SentMessage, SmsError, SmsGateway};

/// The largest answer read for the message id; a larger one is accepted unread.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The header that authenticates to the gateway, e.g. `Authorization: Bearer …`. `Debug` hides
/// the value.
#[derive(Clone, Deserialize)]
pub struct AuthHeader {
    /// The header's name.
    pub name: String,
    /// The header's value: a secret.
    pub value: String,
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeader").field("name", &self.name).field("value", &"<secret>").finish()
    }
}

/// How to reach an HTTP JSON gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpGatewayConfig {
    /// The URL the message is POSTed to.
    pub endpoint: String,
    /// The authentication header, if the gateway wants one.
    #[serde(default)]
    pub auth_header: Option<AuthHeader>,
    /// The JSON body, with placeholders in its string values: `{to}` (E.164, `+66…`),
    /// `{to_digits}` (E.164 without `+`) and `{text}`. Values are JSON-escaped when filled in.
    pub body_template: String,
    /// Where in the answer the gateway's message id is, as a JSON pointer (e.g. `/id`).
    #[serde(default)]
    pub message_id_pointer: Option<String>,
    /// The longest wait for the whole request, in milliseconds (default 10 000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    10_000
}

/// A gateway that POSTs a JSON body built from a template. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpJsonGateway {
    http: reqwest::Client,
    endpoint: Url,
    auth: Option<(HeaderName, HeaderValue)>,
    body: Value,
    message_id_pointer: Option<String>,
}

impl HttpJsonGateway {
    /// Builds the gateway, checking the endpoint, the header and the template now, so that a bad
    /// configuration fails at start-up with `sms.configuration`.
    pub fn new(config: HttpGatewayConfig) -> Result<Self, SmsError> {
        let endpoint = Url::parse(&config.endpoint)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or(SmsError::Configuration { reason: "the endpoint is not an http(s) URL" })?;
        let auth = config.auth_header.as_ref().map(auth_header).transpose()?;
        let body = body_template(&config.body_template)?;

        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|_| SmsError::Configuration { reason: "the HTTP client cannot be built" })?;

        Ok(Self { http, endpoint, auth, body, message_id_pointer: config.message_id_pointer })
    }

    async fn post(&self, to: &MobileNumber, text: &str) -> Result<SentMessage, SmsError> {
        let e164 = to.as_e164();
        let body = fill(&self.body, &Placeholders { to: e164, to_digits: &e164[1..], text });

        let mut request = self.http.post(self.endpoint.clone()).json(&body);
        if let Some((name, value)) = &self.auth {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(transport_error)?;

        let status = response.status();
        if status.is_success() {
            let id = self.message_id(response).await;
            return Ok(SentMessage { gateway_message_id: id });
        }

        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Err(status_error(status, retry_after))
    }

    /// The message id from a success answer. The gateway took the message, so an answer that
    /// cannot be read is still a success, without an id: a retry would send the code twice.
    async fn message_id(&self, mut response: reqwest::Response) -> Option<String> {
        let pointer = self.message_id_pointer.as_deref()?;
        let json = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("json"));
        if !json {
            return None;
        }

        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return None;
            }
            body.extend_from_slice(&chunk);
        }

        let answer: Value = serde_json::from_slice(&body).ok()?;
        let id = match answer.pointer(pointer)? {
            Value::String(id) => id.clone(),
            Value::Number(id) => id.to_string(),
            _ => return None,
        };
        let printable = id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic());
        printable.then_some(id)
    }
}

impl SmsGateway for HttpJsonGateway {
    fn send<'a>(&'a self, to: &'a MobileNumber, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let outcome = self.post(to, text).await;
            match &outcome {
                Ok(_) => debug!(to = %to.masked(), "the SMS gateway took the message"),
                Err(error) => warn!(
                    to = %to.masked(),
                    code = error.code(),
                    transient = error.is_transient(),
                    error = %error,
                    "the SMS gateway did not take the message"
                ),
            }
            outcome
        })
    }
}

fn auth_header(header: &AuthHeader) -> Result<(HeaderName, HeaderValue), SmsError> {
    let name = HeaderName::from_bytes(header.name.as_bytes())
        .map_err(|_| SmsError::Configuration { reason: "the auth header name is invalid" })?;
    let mut value = HeaderValue::from_str(&header.value)
        .map_err(|_| SmsError::Configuration { reason: "the auth header value is invalid" })?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The template, parsed, when it is JSON holding `{text}` and `{to}` or `{to_digits}`.
fn body_template(template: &str) -> Result<Value, SmsError> {
    let body: Value = serde_json::from_str(template)
        .map_err(|_| SmsError::Configuration { reason: "the body template is not JSON" })?;

    let mut strings = Vec::new();
    collect_strings(&body, &mut strings);
    let has = |placeholder: &str| strings.iter().any(|s| s.contains(placeholder));
    if !has("{text}") || !(has("{to}") || has("{to_digits}")) {
        return Err(SmsError::Configuration {
            reason: "the body template must hold {text} and {to} or {to_digits}",
        });
    }

    Ok(body)
}

fn collect_strings<'a>(value: &'a Value, strings: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => strings.push(s),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, strings)),
        Value::Object(fields) => fields.values().for_each(|item| collect_strings(item, strings)),
        _ => {}
    }
}

struct Placeholders<'a> {
    to: &'a str,
    to_digits: &'a str,
    text: &'a str,
}

/// The template with its string values filled in. Keys are left alone; values are JSON values,
/// so serialising escapes them.
fn fill(template: &Value, with: &Placeholders<'_>) -> Value {
    match template {
        Value::String(s) => Value::String(fill_str(s, with)),
        Value::Array(items) => Value::Array(items.iter().map(|item| fill(item, with)).collect()),
        Value::Object(fields) => Value::Object(
            fields.iter().map(|(key, item)| (key.clone(), fill(item, with))).collect(),
        ),
        other => other.clone(),
    }
}

/// Fills placeholders in one pass, so a placeholder inside a filled-in value stays as it is.
fn fill_str(template: &str, with: &Placeholders<'_>) -> String {
    let mut out = String::with_capacity(template.len() + with.text.len());
    let mut rest = template;

    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let filled = [("{to}", with.to), ("{to_digits}", with.to_digits), ("{text}", with.text)]
            .into_iter()
            .find(|(placeholder, _)| tail.starts_with(placeholder));

        match filled {
            Some((placeholder, value)) => {
                out.push_str(value);
                rest = &tail[placeholder.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }

    out.push_str(rest);
    out
}

fn status_error(status: StatusCode, retry_after: Option<Duration>) -> SmsError {
    match status {
        StatusCode::TOO_MANY_REQUESTS => SmsError::RateLimited { retry_after },
        StatusCode::REQUEST_TIMEOUT => {
            SmsError::Unavailable { status: Some(status), retry_after, source: None }
        }
        _ if status.is_server_error() => {
            SmsError::Unavailable { status: Some(status), retry_after, source: None }
        }
        _ if status.is_client_error() => SmsError::Rejected { status },
        _ => SmsError::UnexpectedAnswer { status },
    }
}

/// The fault for a request that got no answer, without the URL.
fn transport_error(error: reqwest::Error) -> SmsError {
    let error = error.without_url();

    if error.is_timeout() {
        return SmsError::Timeout { source: error };
    }
    if error.is_builder() {
        return SmsError::Configuration { reason: "the request cannot be built" };
    }

    SmsError::Unavailable { status: None, retry_after: None, source: Some(error) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_in_one_pass_and_leave_others() {
        let with = Placeholders { to: "+66812345678", to_digits: "66812345678", text: "{to} {x" };

        assert_eq!(
            fill_str("{text}|{to}|{to_digits}|{other}", &with),
            "{to} {x|+66812345678|66812345678|{other}"
        );
    }

    #[test]
    fn a_template_without_text_or_number_is_refused() {
        for template in ["not json", r#"{"to": "{to}"}"#, r#"{"msg": "{text}"}"#] {
            let error = body_template(template).unwrap_err();
            assert_eq!(error.code(), "sms.configuration");
        }

        assert!(body_template(r#"{"to": ["{to_digits}"], "body": "{text}"}"#).is_ok());
    }
}
