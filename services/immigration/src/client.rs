//! The registry client: one HTTP request per call, no retries (the caller's retry policy owns
//! them), every answer checked against the contract before it is believed.

use std::time::{Duration, Instant};

use reqwest::{
    Response, StatusCode, Url,
    header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER},
};
use serde::{Deserialize, de::DeserializeOwned};
use tracing::{debug, instrument, warn};

use crate::{
    AnswerFault, Cursor, LookupAnswer, LookupRequest, Match, Operation, RegistryConfig,
    RegistryError, StayChangePage, StayRecord,
};

/// The largest page of the feed the contract allows.
pub const MAX_PAGE: u16 = 500;

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(clippy::large_enum_variant, reason = "one per lookup; a Box would only hinder matching")]
pub enum LookupOutcome {
    /// A record with the passport's nationality and number.
    Found {
        /// Whether the date of birth given is the record's.
        matching: Match,
        /// The record.
        record: StayRecord,
    },
    /// No record for the passport (404 `record_not_found`): an answer, not a fault.
    NotFound,
}

/// A client of the registry's stay-record contract. Cheap to clone: clones share connections.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    base_url: Url,
    max_answer_bytes: usize,
}

impl RegistryClient {
    /// Builds the client, reading and checking the TLS material now, so that a bad PEM fails
    /// at start-up with `registry.configuration` rather than at the first lookup.
    pub fn new(config: RegistryConfig) -> Result<Self, RegistryError> {
        let base_url = config.base_url()?;
        let http = config.http_client()?;

        Ok(Self { http, base_url, max_answer_bytes: config.max_answer_bytes })
    }

    /// Looks a person up by the passport's nationality and number and the date of birth.
    #[instrument(name = "registry_lookup", skip_all)]
    pub async fn lookup(&self, request: &LookupRequest) -> Result<LookupOutcome, RegistryError> {
        let operation = Operation::Lookup;
        let started = Instant::now();

        let sent = self.http.post(self.endpoint("v1/stay-records/lookup")).json(request);
        let outcome = self.exchange(operation, sent).await.and_then(|answer| match answer.status {
            StatusCode::OK => {
                let found: LookupAnswer = answer.json(operation, "application/json")?;
                Ok(LookupOutcome::Found { matching: found.matching, record: found.record })
            }
            StatusCode::NOT_FOUND => match answer.problem_code().as_deref() {
                Some("record_not_found") => Ok(LookupOutcome::NotFound),
                _ => Err(answer.fault(operation, AnswerFault::NotFoundWithoutProblem)),
            },
            _ => Err(answer.into_error(operation)),
        });

        log_outcome(operation, started, &outcome);
        outcome
    }

    /// Reads the changes after `after`, at most `limit` of them (clamped to 1..=500).
    #[instrument(name = "registry_stay_changes", skip_all, fields(after, limit))]
    pub async fn stay_changes(
        &self,
        after: Cursor,
        limit: u16,
    ) -> Result<StayChangePage, RegistryError> {
        let operation = Operation::StayChanges;
        let started = Instant::now();
        let limit = limit.clamp(1, MAX_PAGE);
        tracing::Span::current().record("after", after).record("limit", limit);

        let sent = self
            .http
            .get(self.endpoint("v1/stay-changes"))
            .query(&[("after", after), ("limit", u64::from(limit))]);
        let outcome = self.exchange(operation, sent).await.and_then(|answer| {
            if answer.status != StatusCode::OK {
                return Err(answer.into_error(operation));
            }

            let page: StayChangePage = answer.json(operation, "application/json")?;
            if page.next_cursor < after {
                return Err(answer.fault(operation, AnswerFault::CursorWentBack));
            }

            Ok(page)
        });

        log_outcome(operation, started, &outcome);
        outcome
    }

    fn endpoint(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        url.set_path(&format!("{}{path}", self.base_url.path()));
        url
    }

    /// Sends the request and reads the answer's status, headers and body (within the limit).
    async fn exchange(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, RegistryError> {
        let request = request.header(ACCEPT, "application/json, application/problem+json");
        let response = request.send().await.map_err(|error| transport_error(operation, error))?;

        let status = response.status();
        let headers = response.headers().clone();
        let limit = self.max_answer_bytes;
        let body = read_body(operation, response, limit).await?;

        Ok(Answer { status, headers, body, limit })
    }
}

/// An answer read whole: the body is `None` when it was larger than the limit.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    limit: usize,
}

impl Answer {
    fn fault(&self, operation: Operation, fault: AnswerFault) -> RegistryError {
        RegistryError::UnexpectedAnswer { operation, status: self.status, fault }
    }

    /// The media type without parameters, lower case.
    fn media_type(&self) -> Option<String> {
        let value = self.headers.get(CONTENT_TYPE)?.to_str().ok()?;
        let essence = value.split(';').next().unwrap_or_default().trim();
        Some(essence.to_ascii_lowercase())
    }

    /// The body as `T`, when the media type is `expected` and the JSON has `T`'s shape.
    fn json<T: DeserializeOwned>(
        &self,
        operation: Operation,
        expected: &str,
    ) -> Result<T, RegistryError> {
        let media_type = self.media_type();
        if media_type.as_deref() != Some(expected) {
            let found = media_type.map(|found| printable(&found, 64));
            return Err(self.fault(operation, AnswerFault::ContentType { found }));
        }

        let Some(body) = &self.body else {
            return Err(self.fault(operation, AnswerFault::TooLarge { limit: self.limit }));
        };
        parse_json(body).map_err(|fault| self.fault(operation, fault))
    }

    /// The problem's `code`, when the body is a problem with a code of the usual shape.
    fn problem_code(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Problem {
            code: String,
        }

        let media_type = self.media_type()?;
        if media_type != "application/problem+json" && media_type != "application/json" {
            return None;
        }

        let problem: Problem = serde_json::from_slice(self.body.as_deref()?).ok()?;
        let usual = (1..=64).contains(&problem.code.len())
            && problem.code.bytes().all(|b| b.is_ascii_lowercase() || b"_.-".contains(&b));
        usual.then_some(problem.code)
    }

    /// The fault for a status other than the operation's answers.
    fn into_error(self, operation: Operation) -> RegistryError {
        let status = self.status;
        let retry_after = retry_after(&self.headers);

        match status {
            StatusCode::TOO_MANY_REQUESTS => RegistryError::RateLimited { operation, retry_after },
            StatusCode::REQUEST_TIMEOUT => RegistryError::Unavailable {
                operation,
                status: Some(status),
                retry_after,
                source: None,
            },
            _ if status.is_server_error() => RegistryError::Unavailable {
                operation,
                status: Some(status),
                retry_after,
                source: None,
            },
            _ if status.is_client_error() => {
                RegistryError::Rejected { operation, status, problem_code: self.problem_code() }
            }
            _ => self.fault(operation, AnswerFault::Status),
        }
    }
}

/// Reads the body up to `limit` bytes; `None` when the answer is larger.
async fn read_body(
    operation: Operation,
    mut response: Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, RegistryError> {
    let declared = response.content_length().and_then(|length| usize::try_from(length).ok());
    if declared.is_some_and(|length| length > limit) {
        return Ok(None);
    }

    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(operation, e))? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }

    Ok(Some(body))
}

/// Parses JSON, reporting where it breaks but never what it found there.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AnswerFault> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);

    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let error = error.into_inner();
        match error.classify() {
            serde_json::error::Category::Data => AnswerFault::Shape { path: safe_path(&path) },
            _ => AnswerFault::NotJson { line: error.line(), column: error.column() },
        }
    })?;

    deserializer
        .end()
        .map_err(|error| AnswerFault::NotJson { line: error.line(), column: error.column() })?;

    Ok(value)
}

/// A JSON path as serde reports it (`record.status`, `changes[3].kind`), or a placeholder when
/// it holds anything but the contract's lower-case names and indexes: a path is built from the
/// answer's keys, and a key is not to carry data into a log.
fn safe_path(path: &str) -> String {
    let contract_like = path.len() <= 100
        && path
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.[]?".contains(&b));
    if !contract_like {
        return "an unexpected key".to_owned();
    }

    path.to_owned()
}

/// `Retry-After` in seconds. The HTTP-date form is not read (the contract gives seconds).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

/// The fault for a request that got no answer.
fn transport_error(operation: Operation, error: reqwest::Error) -> RegistryError {
    if caused_by_tls(&error) {
        return RegistryError::Tls { operation, source: error };
    }

    if error.is_timeout() {
        return RegistryError::Timeout { operation, source: error };
    }

    if error.is_builder() {
        return RegistryError::configuration("the request cannot be built", error);
    }

    // Refused, reset or broken connections, and bodies cut short: the registry may be back soon.
    RegistryError::Unavailable { operation, status: None, retry_after: None, source: Some(error) }
}

/// Whether a TLS failure (an untrusted certificate, a refused client certificate, a TLS alert)
/// is in the chain. rustls' error sits inside an `io::Error`, whose `source` skips it, so the
/// `io::Error`'s inner error is searched too.
fn caused_by_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    if error.is::<rustls::Error>() {
        return true;
    }

    if let Some(io) = error.downcast_ref::<std::io::Error>()
        && let Some(inner) = io.get_ref()
        && caused_by_tls(inner)
    {
        return true;
    }

    error.source().is_some_and(caused_by_tls)
}

fn printable(text: &str, max: usize) -> String {
    text.chars().filter(|c| c.is_ascii_graphic()).take(max).collect()
}

fn log_outcome<T>(operation: Operation, started: Instant, outcome: &Result<T, RegistryError>) {
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    match outcome {
        Ok(_) => debug!(%operation, elapsed_ms, "the immigration registry answered"),
        Err(error) => warn!(
            %operation,
            elapsed_ms,
            code = error.code(),
            transient = error.is_transient(),
            error = %error,
            "the immigration registry request failed"
        ),
    }
}
