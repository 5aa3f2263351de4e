//! Starts what a test needs: a shared Temporal dev server, PostgreSQL, a fresh database, the API
//! in process and the worker as a process of its own.

use std::{
    path::PathBuf,
    sync::OnceLock,
    time::{Duration, Instant},
};

use idproof::{
    config::Config,
    steps_config::{ComparatorKind, GatewayKind, SmsGatewaySettings},
    wiring,
};
use idproof_store::{EvidenceCipher, NewClient, Store};
use idproof_testkit::{Guarded, PostgresServer, TemporalDevServer, TestDatabase, temp_dir};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use tokio::sync::oneshot;

/// The database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a scenario once on SQLite and once on PostgreSQL, as two tests.
macro_rules! on_both_databases {
    ($(async fn $name:ident($backend:ident: Backend) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn scenario($backend: Backend) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    scenario(Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    scenario(Backend::Postgres).await
                }
            }
        )*
    };
}
pub(crate) use on_both_databases;

static TEMPORAL: OnceLock<TemporalDevServer> = OnceLock::new();
static POSTGRES: OnceLock<PostgresServer> = OnceLock::new();

/// The Temporal dev server the tests of this process share; each test has its own task queue.
pub fn shared_temporal() -> &'static TemporalDevServer {
    TEMPORAL.get_or_init(|| TemporalDevServer::start().expect("start a Temporal dev server"))
}

fn postgres() -> &'static PostgresServer {
    POSTGRES.get_or_init(|| PostgresServer::start().expect("start or reach PostgreSQL"))
}

/// A database for one test.
pub struct Database {
    pub url: String,
    postgres: Option<TestDatabase>,
}

impl Database {
    pub async fn fresh(backend: Backend, dir: &std::path::Path) -> Self {
        match backend {
            Backend::Sqlite => Self {
                url: format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display()),
                postgres: None,
            },
            Backend::Postgres => {
                let server = tokio::task::block_in_place(postgres);
                let database = server.fresh_database().await.expect("create a test database");
                Self { url: database.url.clone(), postgres: Some(database) }
            }
        }
    }

    pub async fn drop_database(self) {
        if let Some(database) = self.postgres {
            database.drop_database().await.ok();
        }
    }
}

/// A config for a test: its own directory, database and task queue, the API on a free port.
pub fn test_config(dir: &std::path::Path, database_url: &str, temporal_address: &str) -> Config {
    let mut config = Config::default();
    config.database.url = database_url.to_owned();
    config.database.max_connections = 5;
    config.temporal.address = temporal_address.to_owned();
    config.temporal.task_queue = format!("idproof-test-{}", uuid::Uuid::new_v4().simple());
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    config.evidence.current_key_id = "test".to_owned();
    config.evidence.keys.insert("test".to_owned(), EvidenceCipher::generate_base64_key());
    config.dev.data_dir = dir.to_path_buf();
    config.log.filter = "warn".to_owned();
    // A test that reads the registry's feed turns the poll on.
    config.stay_changes.poll_enabled = false;
    config
}

/// The service as a test sees it.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub api_key: String,
    pub store: Store,
    pub config: Config,
    pub temporal: temporalio_client::Client,
    pub dir: PathBuf,
    /// The SMS gateway, stood in by wiremock: every code the worker sends lands here.
    pub sms: wiremock::MockServer,
    worker: Option<Guarded>,
    workers_started: usize,
    shutdown: Option<oneshot::Sender<()>>,
    database: Option<Database>,
}

impl TestApp {
    /// The service on the shared Temporal server, with a worker.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// As [`TestApp::spawn`], with the config adjusted first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let temporal = tokio::task::block_in_place(shared_temporal);
        Self::spawn_on(backend, &temporal.address(), adjust).await
    }

    /// The service on the given Temporal server, with a worker.
    pub async fn spawn_on(
        backend: Backend,
        temporal_address: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let dir = temp_dir("test").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let mut config = test_config(&dir, &database.url, temporal_address);
        let sms = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"id": "m-1"})),
            )
            .mount(&sms)
            .await;
        config.mobile.gateway = GatewayKind::Http;
        config.mobile.sms = Some(SmsGatewaySettings {
            endpoint: format!("{}/send", sms.uri()),
            body_template: r#"{"to":"{to}","text":"{text}"}"#.to_owned(),
            auth_header_name: Some("Authorization".to_owned()),
            auth_header_value: Some("Bearer test-sms".to_owned()),
            message_id_pointer: Some("/id".to_owned()),
            timeout_ms: 2_000,
        });
        config.proofing.provider_first_retry_ms = 100;
        config.proofing.provider_longest_retry_ms = 200;
        adjust(&mut config);

        let store = wiring::open_store(&config).await.expect("open and migrate the store");
        let temporal = wiring::connect_temporal(&config, Duration::from_secs(30)).await.unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let api = wiring::start_api(&config, store.clone(), temporal.clone(), async {
            stopped.await.ok();
        })
        .await
        .expect("start the API");

        let api_key = create_key(
            &store,
            &["applications:create", "applications:read", "applications:cancel", "evidence:submit"],
        )
        .await;
        let mut app = Self {
            base: format!("http://{}", api.addr),
            http: reqwest::Client::new(),
            api_key,
            store,
            config,
            temporal,
            dir,
            sms,
            worker: None,
            workers_started: 0,
            shutdown: Some(shutdown),
            database: Some(database),
        };
        app.start_worker(None);
        app
    }

    /// Starts an `idproof worker` process, optionally with a failpoint (`STEP:MILLISECONDS`).
    pub fn start_worker(&mut self, failpoint: Option<&str>) {
        let mut env = vec![
            ("IDPROOF_DATABASE__URL".to_owned(), self.config.database.url.clone()),
            ("IDPROOF_TEMPORAL__ADDRESS".to_owned(), self.config.temporal.address.clone()),
            ("IDPROOF_TEMPORAL__TASK_QUEUE".to_owned(), self.config.temporal.task_queue.clone()),
            ("IDPROOF_EVIDENCE__CURRENT_KEY_ID".to_owned(), "test".to_owned()),
            ("IDPROOF_EVIDENCE__KEYS__TEST".to_owned(), self.config.evidence.keys["test"].clone()),
            (
                "IDPROOF_PROOFING__IDLE_TIMEOUT_SECS".to_owned(),
                self.config.proofing.idle_timeout_secs.to_string(),
            ),
            (
                "IDPROOF_PROOFING__STEP_TIMEOUT_SECS".to_owned(),
                self.config.proofing.step_timeout_secs.to_string(),
            ),
            ("IDPROOF_LOG__FILTER".to_owned(), "info".to_owned()),
        ];
        let proofing = &self.config.proofing;
        let registry_retry = [
            ("REGISTRY_ATTEMPTS", proofing.registry_attempts.to_string()),
            ("REGISTRY_FIRST_RETRY_MS", proofing.registry_first_retry_ms.to_string()),
            ("REGISTRY_LONGEST_RETRY_MS", proofing.registry_longest_retry_ms.to_string()),
        ];
        for (key, value) in registry_retry {
            env.push((format!("IDPROOF_PROOFING__{key}"), value));
        }
        let stay_changes = &self.config.stay_changes;
        env.push((
            "IDPROOF_STAY_CHANGES__POLL_ENABLED".to_owned(),
            stay_changes.poll_enabled.to_string(),
        ));
        env.push((
            "IDPROOF_STAY_CHANGES__POLL_INTERVAL_SECS".to_owned(),
            stay_changes.poll_interval_secs.to_string(),
        ));
        if let Some(url) = &self.config.immigration.base_url {
            env.push(("IDPROOF_IMMIGRATION__BASE_URL".to_owned(), url.clone()));
            let timeout = self.config.immigration.request_timeout_ms.to_string();
            env.push(("IDPROOF_IMMIGRATION__REQUEST_TIMEOUT_MS".to_owned(), timeout));
        }
        if let Some(file) = &self.config.proofing.policy_file {
            env.push(("IDPROOF_PROOFING__POLICY_FILE".to_owned(), file.display().to_string()));
        }
        if let Some(failpoint) = failpoint {
            env.push(("IDPROOF_WORKER__FAILPOINT".to_owned(), failpoint.to_owned()));
        }
        env.extend(step_env(&self.config));

        self.workers_started += 1;
        let log = self.dir.join(format!("worker-{}.log", self.workers_started));
        let worker = Guarded::spawn_with_env(
            env!("CARGO_BIN_EXE_idproof"),
            &["worker".to_owned()],
            &env,
            &log,
            None,
        )
        .expect("start an idproof worker");
        self.worker = Some(worker);
    }

    /// Kills the worker with SIGKILL, as a crash would.
    pub fn kill_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.kill_hard();
        }
    }

    /// What the worker logged, for failure messages.
    pub fn worker_logs(&self) -> String {
        (1..=self.workers_started)
            .map(|n| {
                std::fs::read_to_string(self.dir.join(format!("worker-{n}.log")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n---\n")
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        api_key: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(key) = api_key {
            request = request.header("X-Api-Key", key);
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_owned());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send a request");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// Opens an application with the test's key; panics unless it answers 201.
    pub async fn create_application(&self, body: &str) -> Value {
        let (status, _, created) = self
            .request(Method::POST, "/v1/applications", Some(&self.api_key), Some(body), &[])
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    pub async fn get_application(&self, id: &str) -> Value {
        let path = format!("/v1/applications/{id}");
        let (status, _, body) =
            self.request(Method::GET, &path, Some(&self.api_key), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Polls until the application has `status`, or panics after `patience`.
    pub async fn wait_for_status(&self, id: &str, status: &str, patience: Duration) -> Value {
        let started = Instant::now();
        loop {
            let application = self.get_application(id).await;
            if application["status"] == status {
                return application;
            }
            if started.elapsed() > patience {
                panic!(
                    "application {id} is {} after {patience:?}, not {status}\n{application}\nworker logs:\n{}",
                    application["status"],
                    self.worker_logs()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Rows in a table, to prove a refused request stored nothing.
    pub async fn count(&self, table: &str) -> i64 {
        let db = self.store.connection();
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    pub async fn stop(mut self) {
        self.kill_worker();
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        if let Some(database) = self.database.take() {
            self.store.connection().clone().close().await.ok();
            database.drop_database().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The worker's environment for the mobile and face steps, from the test's configuration.
fn step_env(config: &Config) -> Vec<(String, String)> {
    let mut env = Vec::new();
    let mut set = |key: &str, value: String| env.push((format!("IDPROOF_{key}"), value));
    let proofing = &config.proofing;
    set("PROOFING__PROVIDER_ATTEMPTS", proofing.provider_attempts.to_string());
    set("PROOFING__PROVIDER_FIRST_RETRY_MS", proofing.provider_first_retry_ms.to_string());
    set("PROOFING__PROVIDER_LONGEST_RETRY_MS", proofing.provider_longest_retry_ms.to_string());

    let mobile = &config.mobile;
    set("MOBILE__OTP__CODE_TTL_SECS", mobile.otp.code_ttl_secs.to_string());
    set("MOBILE__OTP__MAX_ATTEMPTS", mobile.otp.max_attempts.to_string());
    set("MOBILE__OTP__RESEND_COOLDOWN_SECS", mobile.otp.resend_cooldown_secs.to_string());
    set("MOBILE__OTP__SENDS_PER_HOUR", mobile.otp.sends_per_hour.to_string());
    set("MOBILE__CAP_PER_OPERATOR", mobile.cap_per_operator.to_string());
    set("MOBILE__CAP_TOTAL", mobile.cap_total.to_string());
    if let Some(sms) = &mobile.sms {
        set("MOBILE__GATEWAY", "http".to_owned());
        set("MOBILE__SMS__ENDPOINT", sms.endpoint.clone());
        set("MOBILE__SMS__BODY_TEMPLATE", sms.body_template.clone());
        set("MOBILE__SMS__TIMEOUT_MS", sms.timeout_ms.to_string());
    }

    let face = &config.face;
    set("FACE__MATCH_THRESHOLD", face.match_threshold.to_string());
    match (face.comparator, &face.provider) {
        (ComparatorKind::Http, Some(provider)) => {
            set("FACE__COMPARATOR", "http".to_owned());
            set("FACE__PROVIDER__NAME", provider.name.clone());
            set("FACE__PROVIDER__ENDPOINT", provider.endpoint.clone());
            set("FACE__PROVIDER__TIMEOUT_MS", provider.timeout_ms.to_string());
        }
        (ComparatorKind::Sandbox, _) => set("FACE__COMPARATOR", "sandbox".to_owned()),
        _ => {}
    }
    env
}

impl TestApp {
    /// The codes the SMS gateway was asked to send to `e164`, oldest first.
    pub async fn codes_sent_to(&self, e164: &str) -> Vec<String> {
        let requests = self.sms.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter_map(|request| serde_json::from_slice::<Value>(&request.body).ok())
            .filter(|body| body["to"] == e164)
            .filter_map(|body| {
                let text = body["text"].as_str()?.to_owned();
                let digits: String = text
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|word| word.len() == 6)?
                    .to_owned();
                Some(digits)
            })
            .collect()
    }

    /// Waits for the `n`th code (from 1) sent to `e164`.
    pub async fn wait_for_code(&self, e164: &str, n: usize) -> String {
        for _ in 0..150 {
            if let Some(code) = self.codes_sent_to(e164).await.get(n - 1) {
                return code.clone();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no code {n} reached {e164}\nworker logs:\n{}", self.worker_logs());
    }

    /// POSTs JSON to a path of the application with the test's key.
    pub async fn post_json(
        &self,
        path: &str,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let body = body.to_string();
        self.request(Method::POST, path, Some(&self.api_key), Some(&body), &[]).await
    }

    /// Asks for a code for `e164` (`operator` when the application has no shop visit), reads it
    /// from the SMS gateway and answers it: the number is verified.
    pub async fn verify_number(&self, id: &str, e164: &str, operator: Option<&str>) {
        let before = self.codes_sent_to(e164).await.len();
        let mut request = serde_json::json!({ "number": e164 });
        if let Some(operator) = operator {
            request["operator"] = Value::from(operator);
        }
        let (status, _, body) =
            self.post_json(&format!("/v1/applications/{id}/mobile"), &request).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let code = self.wait_for_code(e164, before + 1).await;
        let verify = format!("/v1/applications/{id}/mobile/verify");
        for _ in 0..50 {
            let (status, _, body) =
                self.post_json(&verify, &serde_json::json!({ "code": code })).await;
            if body["code"] == "mobile.code_not_delivered" {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(status, StatusCode::OK, "{body}");
            return;
        }
        panic!("the code was never armed");
    }
}

/// A new client's key with these scopes.
pub async fn create_key(store: &Store, scopes: &[&str]) -> String {
    let new = NewClient {
        name: "test client".to_owned(),
        scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
        callback_url: None,
    };
    let (_, issued) = store.create_client(new, chrono::Utc::now()).await.unwrap();
    issued.key
}

/// The passport specimen of Doc 9303-4, made to expire in 2034 with its check digits computed.
pub fn passport_lines() -> [String; 2] {
    let digit = |data: &[u8]| char::from(idproof_passport::mrz::check_digit(data).unwrap());
    let mut line2 = format!(
        "L898902C3{}UTO740812{}F340415{}ZE184226B<<<<<",
        digit(b"L898902C3"),
        digit(b"740812"),
        digit(b"340415")
    );
    line2.push(digit(b"ZE184226B<<<<<"));
    let bytes = line2.as_bytes();
    let composite = [&bytes[0..10], &bytes[13..20], &bytes[21..43]].concat();
    line2.push(digit(&composite));
    ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned(), line2]
}
