//! The HTTP adapter of our face comparison provider contract (PROVIDER.md): one JSON POST per
//! comparison, the answer checked before it is believed.

use std::{fmt, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use reqwest::{
    Response, StatusCode, Url,
    header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER},
    redirect,
};
use serde::{Deserialize, Serialize};
use tracing::{debug, instrument, warn};

use crate::{
    AnswerFault, CompareFuture, Comparison, FaceComparator, FaceError, ReferenceImage, Selfie,
};

/// A header that authenticates us to the provider, e.g. `Authorization: Bearer …` or
/// `X-Api-Key: …`. Its `Debug` hides the value.
#[derive(Clone)]
pub struct AuthHeader {
    /// The header's name.
    pub name: String,
    /// The header's value, a secret.
    pub value: String,
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeader").field("name", &self.name).field("value", &"<hidden>").finish()
    }
}

/// How to reach a provider.
#[derive(Debug, Clone)]
pub struct HttpComparatorConfig {
    /// The provider's name, recorded in each [`Comparison`], e.g. `acme-face`.
    pub provider: String,
    /// The comparison endpoint, e.g. `https://faces.example/v1/compare`.
    pub endpoint: String,
    /// The header that authenticates us, if the provider wants one.
    pub auth_header: Option<AuthHeader>,
    /// The longest wait for a connection, TLS handshake included. Default 5 s.
    pub connect_timeout: Duration,
    /// The longest wait for a whole comparison, upload and answer included. Default 20 s.
    pub timeout: Duration,
    /// The largest answer read; a larger one breaks the contract. Default 16 KiB.
    pub max_answer_bytes: usize,
}

impl HttpComparatorConfig {
    /// A configuration with no authentication and the default timeouts and bound.
    pub fn new(provider: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            endpoint: endpoint.into(),
            auth_header: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_answer_bytes: 16 * 1024,
        }
    }
}

/// A [`FaceComparator`] that calls a provider through our HTTP contract. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpComparator {
    http: reqwest::Client,
    endpoint: Url,
    provider: String,
    max_answer_bytes: usize,
}

#[derive(Serialize)]
struct CompareRequest<'a> {
    probe: String,
    probe_media_type: &'a str,
    reference: String,
    reference_media_type: &'a str,
}

#[derive(Deserialize)]
struct CompareAnswer {
    score: f64,
    #[serde(default)]
    model_version: Option<String>,
}

impl HttpComparator {
    /// Builds the client, checking the endpoint and the header now, so that a bad
    /// configuration fails at start-up with `face.configuration`.
    pub fn new(config: HttpComparatorConfig) -> Result<Self, FaceError> {
        let misconfigured = |reason| FaceError::Configuration { reason };
        let endpoint =
            Url::parse(&config.endpoint).map_err(|_| misconfigured("the endpoint is not a URL"))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(misconfigured("the endpoint must be http or https"));
        }

        let mut headers = HeaderMap::new();
        if let Some(auth) = &config.auth_header {
            let name = HeaderName::try_from(auth.name.as_str())
                .map_err(|_| misconfigured("the auth header's name is not a header name"))?;
            let mut value = HeaderValue::try_from(auth.value.as_str())
                .map_err(|_| misconfigured("the auth header's value is not a header value"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }

        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(redirect::Policy::none())
            .default_headers(headers)
            .user_agent(concat!("idproof-face/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| misconfigured("the HTTP client cannot be built"))?;

        Ok(Self {
            http,
            endpoint,
            provider: config.provider,
            max_answer_bytes: config.max_answer_bytes,
        })
    }

    #[instrument(name = "face_compare", skip_all, fields(provider = %self.provider))]
    async fn compare_once(
        &self,
        selfie: &Selfie,
        reference: &ReferenceImage,
    ) -> Result<Comparison, FaceError> {
        let request = CompareRequest {
            probe: STANDARD.encode(selfie.bytes()),
            probe_media_type: selfie.media_type().mime(),
            reference: STANDARD.encode(reference.bytes()),
            reference_media_type: reference.format().mime(),
        };

        let outcome = self.exchange(&request).await;
        match &outcome {
            Ok(_) => debug!("the face comparison provider answered"),
            Err(error) => warn!(
                code = error.code(),
                transient = error.is_transient(),
                error = %error,
                "the face comparison failed"
            ),
        }
        outcome
    }

    async fn exchange(&self, request: &CompareRequest<'_>) -> Result<Comparison, FaceError> {
        let response = self
            .http
            .post(self.endpoint.clone())
            .header(ACCEPT, "application/json")
            .json(request)
            .send()
            .await
            .map_err(transport_error)?;

        let status = response.status();
        if status != StatusCode::OK {
            return Err(status_error(status, response.headers()));
        }

        let media_type = media_type(response.headers());
        if media_type.as_deref() != Some("application/json") {
            return Err(FaceError::ProviderAnswer { fault: AnswerFault::ContentType(media_type) });
        }

        let body = read_body(response, self.max_answer_bytes).await?;
        let answer: CompareAnswer = serde_json::from_slice(&body)
            .map_err(|_| FaceError::ProviderAnswer { fault: AnswerFault::Malformed })?;
        self.comparison(answer)
    }

    fn comparison(&self, answer: CompareAnswer) -> Result<Comparison, FaceError> {
        if !(0.0..=1.0).contains(&answer.score) {
            return Err(FaceError::ProviderAnswer { fault: AnswerFault::ScoreOutOfRange });
        }

        let usable = |version: &String| {
            (1..=100).contains(&version.len()) && version.bytes().all(|b| b.is_ascii_graphic())
        };
        if answer.model_version.as_ref().is_some_and(|version| !usable(version)) {
            return Err(FaceError::ProviderAnswer { fault: AnswerFault::ModelVersion });
        }

        #[expect(clippy::cast_possible_truncation, reason = "a score in 0..=1 fits an f32")]
        let score = answer.score as f32;
        Ok(Comparison {
            score,
            provider: self.provider.clone(),
            model_version: answer.model_version,
        })
    }
}

impl FaceComparator for HttpComparator {
    fn compare<'a>(
        &'a self,
        selfie: &'a Selfie,
        reference: &'a ReferenceImage,
    ) -> CompareFuture<'a> {
        Box::pin(self.compare_once(selfie, reference))
    }
}

/// Reads the body up to `limit` bytes.
async fn read_body(mut response: Response, limit: usize) -> Result<Vec<u8>, FaceError> {
    let too_large = || FaceError::ProviderAnswer { fault: AnswerFault::TooLarge { limit } };
    let declared = response.content_length().and_then(|length| usize::try_from(length).ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }

    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }

    Ok(body)
}

/// The fault for a status other than 200.
fn status_error(status: StatusCode, headers: &HeaderMap) -> FaceError {
    let retry_after = retry_after(headers);

    match status {
        StatusCode::TOO_MANY_REQUESTS => FaceError::ProviderRateLimited { retry_after },
        StatusCode::REQUEST_TIMEOUT => {
            FaceError::ProviderUnavailable { status: Some(408), retry_after, source: None }
        }
        _ if status.is_server_error() => FaceError::ProviderUnavailable {
            status: Some(status.as_u16()),
            retry_after,
            source: None,
        },
        _ if status.is_client_error() => FaceError::ProviderRejected { status: status.as_u16() },
        _ => FaceError::ProviderAnswer { fault: AnswerFault::Status(status.as_u16()) },
    }
}

/// The fault for a request that got no (whole) answer.
fn transport_error(error: reqwest::Error) -> FaceError {
    if error.is_timeout() {
        return FaceError::ProviderTimeout { source: error };
    }

    FaceError::ProviderUnavailable { status: None, retry_after: None, source: Some(error) }
}

/// The media type without parameters, lower case, printable, at most 64 characters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    Some(essence.chars().filter(char::is_ascii_graphic).take(64).collect::<String>().to_lowercase())
}

/// `Retry-After` in seconds; the HTTP-date form is not read.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}
