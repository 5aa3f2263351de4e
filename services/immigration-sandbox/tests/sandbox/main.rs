//! The sandbox registry over HTTP, in process: each test starts its own on a free port with an
//! in-memory database, seeded for a fixed day, and talks to it with reqwest.

// Helpers outside #[test] functions unwrap too: a test that cannot start its sandbox should stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod faults;
mod lookup;
mod postgres;
mod push;
mod seeding;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use idproof_immigration_sandbox::{
    ADMIN_TOKEN_HEADER, RunningSandbox, SandboxConfig, records::StayRecord, start,
};
use idproof_proofing::FixedClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The day the tests' registries are seeded for.
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn noon() -> DateTime<Utc> {
    day().and_hms_opt(12, 0, 0).unwrap().and_utc()
}

const TOKEN: &str = "test-admin-token";

struct TestSandbox {
    running: RunningSandbox,
    http: reqwest::Client,
    clock: FixedClock,
}

impl TestSandbox {
    async fn start() -> Self {
        Self::start_with(SandboxConfig::ephemeral()).await
    }

    async fn start_with(mut config: SandboxConfig) -> Self {
        config.as_of = Some(day());
        config.admin_token.get_or_insert_with(|| TOKEN.to_owned());
        let clock = FixedClock::at(noon());
        let running = start(config, Arc::new(clock.clone()), std::future::pending()).await.unwrap();
        Self { running, http: reqwest::Client::new(), clock }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    async fn lookup_raw(&self, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/v1/stay-records/lookup"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    async fn lookup(&self, nationality: &str, number: &str, birth: &str) -> (StatusCode, Value) {
        let body = json!({
            "nationality": nationality,
            "document_number": number,
            "date_of_birth": birth,
        });
        self.lookup_raw(body.to_string()).await
    }

    async fn lookup_record(&self, record: &StayRecord) -> (StatusCode, Value) {
        let birth = record.date_of_birth.to_string();
        self.lookup(&record.nationality, &record.document_number, &birth).await
    }

    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request =
            self.http.request(method, self.url(path)).header(ADMIN_TOKEN_HEADER, TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    /// Every record, through the admin listing's pages.
    async fn all_records(&self) -> Vec<StayRecord> {
        let mut records = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(after) => format!("/admin/records?limit=50&after={after}"),
                None => "/admin/records?limit=50".to_owned(),
            };
            let (status, page) = self.admin(reqwest::Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let batch: Vec<StayRecord> = serde_json::from_value(page["records"].clone()).unwrap();
            records.extend(batch);
            match page["next_after"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => return records,
            }
        }
    }
}

/// The status and the JSON body; problems must come as problem+json.
async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json", "{status} {body}");
        assert_eq!(body["status"], status.as_u16(), "{body}");
        assert!(body["type"].is_string() && body["title"].is_string(), "{body}");
    }
    (status, body)
}
