//! Configuration: defaults, then a TOML file, then `IDPROOF_`-prefixed environment variables
//! (`IDPROOF_DATABASE__URL` sets `database.url`). Passed in to whatever needs it, never global.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use idproof_immigration::{PemSource, RegistryConfig};
use idproof_policy::{Policy, PolicyError};
use idproof_proofing::Step;
use idproof_workflows::{Failpoint, RegistryRetry};
use serde::{Deserialize, Serialize};

use crate::steps_config::{FaceConfig, MobileConfig};

/// The whole configuration. Every key is documented in the README.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The database.
    pub database: DatabaseConfig,
    /// The Temporal server.
    pub temporal: TemporalConfig,
    /// The HTTP listener.
    pub http: HttpConfig,
    /// The proofing workflow's timeouts.
    pub proofing: ProofingConfig,
    /// The keys that seal evidence at rest, and how large evidence may be.
    pub evidence: EvidenceConfig,
    /// The Temporal worker.
    pub worker: WorkerConfig,
    /// Logging.
    pub log: LogConfig,
    /// `idproof dev` only.
    pub dev: DevConfig,
    /// The immigration registry idproof calls.
    pub immigration: ImmigrationConfig,
    /// The sandbox registry that `idproof immigration-sandbox` and `idproof dev` run.
    pub immigration_sandbox: ImmigrationSandboxConfig,
    /// How the worker reads the registry's feed of stay changes.
    pub stay_changes: StayChangesConfig,
    /// The mobile step: one-time codes, binding caps, the SMS gateway.
    pub mobile: MobileConfig,
    /// The face step: the comparison provider and its policy.
    pub face: FaceConfig,
    /// The webhooks idproof sends to clients' callback URLs.
    pub webhooks: WebhooksConfig,
}

/// The webhooks idproof sends (`[webhooks]`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// The key (32 bytes of base64) each client's webhook secret is derived from. When unset
    /// it is derived from the current evidence key; set it before rotating that key, or every
    /// client's secret changes.
    pub signing_key: Option<String>,
}

/// How the worker reads the registry's feed of stay changes. Pushed changes arrive at
/// `POST /v1/registry/stay-changes` whatever this says; the feed catches what a push missed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StayChangesConfig {
    /// Whether the worker polls the feed; it does only when a registry is configured.
    pub poll_enabled: bool,
    /// The pause between two reads of the feed, in seconds.
    pub poll_interval_secs: u64,
}

impl Default for StayChangesConfig {
    fn default() -> Self {
        Self { poll_enabled: true, poll_interval_secs: 60 }
    }
}

/// The database.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    /// The pool's size.
    pub max_connections: u32,
}

/// The Temporal server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporalConfig {
    /// The frontend's gRPC address, such as `http://127.0.0.1:7233`.
    pub address: String,
    /// The namespace.
    pub namespace: String,
    /// The task queue the API starts workflows on and the worker polls.
    pub task_queue: String,
    /// The web UI's address, printed for people; idproof never calls it.
    pub ui_address: String,
}

/// The HTTP listener.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The largest request body taken, in bytes.
    pub body_limit_bytes: usize,
    /// How long `/readyz` waits for each dependency, in milliseconds.
    pub readiness_timeout_ms: u64,
}

/// The proofing workflow's timeouts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofingConfig {
    /// How long an application may wait for evidence before it expires, in seconds.
    pub idle_timeout_secs: u64,
    /// How long one activity attempt may run before Temporal retries it, in seconds. A worker
    /// that dies mid-step is noticed after this long.
    pub step_timeout_secs: u64,
    /// The policy file the worker decides tiers by; the policy shipped in the binary
    /// (`policy/idproof.toml`) when unset. A file that does not check stops the worker.
    pub policy_file: Option<PathBuf>,
    /// How many times the immigration lookup asks a registry that does not answer, the first
    /// time included, before the case is flagged `registry.unavailable`.
    pub registry_attempts: u32,
    /// The pause before the lookup's second attempt, in milliseconds; later pauses double.
    pub registry_first_retry_ms: u64,
    /// The longest pause between lookup attempts, in milliseconds.
    pub registry_longest_retry_ms: u64,
    /// How many times an SMS or a face comparison is tried, the first time included, before
    /// the step gives up (`sms.undeliverable`, `face.provider_unavailable`).
    pub provider_attempts: u32,
    /// The pause before the second SMS or comparison attempt, in milliseconds; later double.
    pub provider_first_retry_ms: u64,
    /// The longest pause between SMS or comparison attempts, in milliseconds.
    pub provider_longest_retry_ms: u64,
}

impl ProofingConfig {
    /// The registry lookup's retries, for new workflows.
    pub fn registry_retry(&self) -> RegistryRetry {
        RegistryRetry {
            attempts: self.registry_attempts,
            first_retry_ms: self.registry_first_retry_ms,
            longest_retry_ms: self.registry_longest_retry_ms,
        }
    }

    /// The SMS gateway's and face provider's retries, for new workflows.
    pub fn provider_retry(&self) -> RegistryRetry {
        RegistryRetry {
            attempts: self.provider_attempts.max(1),
            first_retry_ms: self.provider_first_retry_ms,
            longest_retry_ms: self.provider_longest_retry_ms,
        }
    }

    /// The policy: the configured file, or the shipped one.
    pub fn policy(&self) -> Result<Policy, PolicyError> {
        match &self.policy_file {
            Some(path) => Policy::load(path),
            None => Policy::shipped(),
        }
    }
}

/// The keys that seal evidence, and how large evidence may be.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceConfig {
    /// The id of the key that seals new evidence.
    pub current_key_id: String,
    /// Keys by id, each 32 bytes of base64. Keep old keys to open old evidence.
    pub keys: BTreeMap<String, String>,
    /// The largest image of a passport's data page taken, in bytes. Other bodies keep
    /// `http.body_limit_bytes`.
    pub image_limit_bytes: usize,
    /// The key (32 bytes of base64) of the person index, which finds the applications a stay
    /// change concerns. When unset it is derived from the current evidence key; set it before
    /// rotating that key, or older applications drop out of the index.
    pub person_index_key: Option<String>,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            current_key_id: String::new(),
            keys: BTreeMap::new(),
            image_limit_bytes: 10 * 1024 * 1024,
            person_index_key: None,
        }
    }
}

/// The Temporal worker.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// For tests only: `STEP:MILLISECONDS` pauses after that step's verdict is written.
    pub failpoint: Option<String>,
}

/// Logging.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, such as `info` or `idproof=debug,info`.
    pub filter: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object a line, for collectors.
    Json,
}

/// `idproof dev` only.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevConfig {
    /// Where the dev API key and the generated evidence key are kept.
    pub data_dir: PathBuf,
}

/// The immigration registry idproof calls.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImmigrationConfig {
    /// The registry's root URL; the contract's paths (`/v1/…`) go below it. None: under
    /// `idproof dev`, the sandbox it starts; elsewhere, no registry, and every lookup is
    /// flagged `registry.not_configured` for an officer.
    pub base_url: Option<String>,
    /// A PEM file with idproof's client certificate and its private key, for mutual TLS.
    pub client_identity_file: Option<PathBuf>,
    /// A PEM file with the private CA the registry's certificate chains to; when set, it is
    /// trusted instead of the public web roots.
    pub ca_file: Option<PathBuf>,
    /// How long to wait for a connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// How long one lookup may take in all, in milliseconds.
    pub request_timeout_ms: u64,
}

impl Default for ImmigrationConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            client_identity_file: None,
            ca_file: None,
            connect_timeout_ms: 5_000,
            request_timeout_ms: 10_000,
        }
    }
}

impl ImmigrationConfig {
    /// The registry client's configuration, when a registry is configured.
    pub fn registry(&self) -> Option<RegistryConfig> {
        let base_url = self.base_url.as_ref()?;
        let mut registry = RegistryConfig::new(base_url.clone());
        registry.client_identity_pem = self.client_identity_file.clone().map(PemSource::File);
        registry.ca_pem = self.ca_file.clone().map(PemSource::File);
        registry.connect_timeout = Duration::from_millis(self.connect_timeout_ms.max(1));
        registry.request_timeout = Duration::from_millis(self.request_timeout_ms.max(1));
        Some(registry)
    }
}

/// The sandbox registry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImmigrationSandboxConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Its own database: `sqlite://PATH?mode=rwc`, `sqlite::memory:` or `postgres://…`.
    pub database_url: String,
    /// Draws its people, and the test chips whose holders it holds.
    pub seed: u64,
    /// The day its stays are placed around, `YYYY-MM-DD`; today when none.
    pub as_of: Option<chrono::NaiveDate>,
    /// Where each new stay change is pushed, if anywhere.
    pub callback_url: Option<String>,
    /// The `X-Api-Key` sent with each push: a key with the `registry:notify` scope.
    pub callback_api_key: Option<String>,
    /// The `X-Admin-Token` its admin routes want; a random one per start when none.
    pub admin_token: Option<String>,
    /// The largest request body it takes, in bytes.
    pub body_limit_bytes: usize,
}

impl Default for ImmigrationSandboxConfig {
    fn default() -> Self {
        let sandbox = idproof_immigration_sandbox::SandboxConfig::default();
        Self {
            listen: sandbox.listen,
            database_url: sandbox.database_url,
            seed: sandbox.seed,
            as_of: sandbox.as_of,
            callback_url: sandbox.callback_url,
            callback_api_key: sandbox.callback_api_key,
            admin_token: sandbox.admin_token,
            body_limit_bytes: sandbox.body_limit_bytes,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database: DatabaseConfig {
                url: "sqlite://.idproof/idproof.sqlite?mode=rwc".to_owned(),
                max_connections: 10,
            },
            temporal: TemporalConfig {
                address: "http://127.0.0.1:7233".to_owned(),
                namespace: "default".to_owned(),
                task_queue: idproof_workflows::DEFAULT_TASK_QUEUE.to_owned(),
                ui_address: "http://127.0.0.1:8233".to_owned(),
            },
            http: HttpConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
                body_limit_bytes: 1024 * 1024,
                readiness_timeout_ms: 2000,
            },
            proofing: ProofingConfig {
                idle_timeout_secs: 24 * 60 * 60,
                step_timeout_secs: 30,
                policy_file: None,
                registry_attempts: RegistryRetry::default().attempts,
                registry_first_retry_ms: RegistryRetry::default().first_retry_ms,
                registry_longest_retry_ms: RegistryRetry::default().longest_retry_ms,
                provider_attempts: RegistryRetry::for_providers().attempts,
                provider_first_retry_ms: RegistryRetry::for_providers().first_retry_ms,
                provider_longest_retry_ms: RegistryRetry::for_providers().longest_retry_ms,
            },
            evidence: EvidenceConfig::default(),
            worker: WorkerConfig::default(),
            log: LogConfig { filter: "info".to_owned(), format: LogFormat::Text },
            dev: DevConfig { data_dir: PathBuf::from(".idproof") },
            immigration: ImmigrationConfig::default(),
            immigration_sandbox: ImmigrationSandboxConfig::default(),
            stay_changes: StayChangesConfig::default(),
            mobile: MobileConfig::default(),
            face: FaceConfig::default(),
            webhooks: WebhooksConfig::default(),
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key is missing, unknown or of the wrong type.
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    /// A value is of the right type but makes no sense.
    #[error("invalid configuration: {0}")]
    Value(String),
}

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        // IDPROOF_CONFIG names the file; IDPROOF_TEST_* belong to the test harness.
        let env = Env::prefixed("IDPROOF_").split("__").filter(|key| {
            let key = key.as_str().to_ascii_lowercase();
            key != "config" && !key.starts_with("test_")
        });
        let config: Config = figment.merge(env).extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.proofing.idle_timeout_secs == 0 || self.proofing.step_timeout_secs == 0 {
            return Err(ConfigError::Value("proofing timeouts must be at least 1 second".into()));
        }
        if self.proofing.registry_attempts == 0 {
            return Err(ConfigError::Value("proofing.registry_attempts must be at least 1".into()));
        }
        if self.http.body_limit_bytes < 1024 {
            return Err(ConfigError::Value("http.body_limit_bytes must be at least 1024".into()));
        }
        if self.evidence.image_limit_bytes < 1024 {
            return Err(ConfigError::Value(
                "evidence.image_limit_bytes must be at least 1024".into(),
            ));
        }
        if self.immigration_sandbox.body_limit_bytes < 1024 {
            return Err(ConfigError::Value(
                "immigration_sandbox.body_limit_bytes must be at least 1024".into(),
            ));
        }
        if let Some(url) = &self.immigration.base_url {
            let scheme = url::Url::parse(url).map(|url| url.scheme().to_owned());
            if !matches!(scheme.as_deref(), Ok("http" | "https")) {
                return Err(ConfigError::Value(format!(
                    "immigration.base_url {url:?} is not an http or https URL"
                )));
            }
        }
        if self.stay_changes.poll_interval_secs == 0 {
            return Err(ConfigError::Value(
                "stay_changes.poll_interval_secs must be at least 1".into(),
            ));
        }
        crate::steps_config::validate(&self.mobile, &self.face).map_err(ConfigError::Value)?;
        self.failpoint()?;
        Ok(())
    }

    /// The readiness probe's timeout.
    pub fn readiness_timeout(&self) -> Duration {
        Duration::from_millis(self.http.readiness_timeout_ms)
    }

    /// The failpoint, if one is configured.
    pub fn failpoint(&self) -> Result<Option<Failpoint>, ConfigError> {
        let Some(spec) = &self.worker.failpoint else {
            return Ok(None);
        };
        let bad =
            || ConfigError::Value(format!("worker.failpoint {spec:?} is not STEP:MILLISECONDS"));
        let (step, millis) = spec.split_once(':').ok_or_else(bad)?;
        let step: Step = step.parse().map_err(|_| bad())?;
        let millis: u64 = millis.parse().map_err(|_| bad())?;
        Ok(Some(Failpoint { step, pause: Duration::from_millis(millis) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_ones() {
        let config = Config::default();
        assert!(config.database.url.starts_with("sqlite://.idproof/"));
        assert_eq!(config.proofing.idle_timeout_secs, 86_400);
        assert_eq!(config.evidence.image_limit_bytes, 10 * 1024 * 1024);
        config.validate().unwrap();
    }

    #[test]
    fn a_file_overrides_defaults_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("idproof-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "[proofing]\nidle_timeout_secs = 60\n").unwrap();
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[proofing]\nidle_timeout = 60\n").unwrap();

        assert_eq!(Config::load(Some(&good)).unwrap().proofing.idle_timeout_secs, 60);
        assert!(matches!(Config::load(Some(&bad)), Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn the_immigration_keys_default_to_the_sandbox_and_load_from_the_environment() {
        let config = Config::default();
        assert_eq!(config.immigration.base_url, None);
        assert_eq!(config.immigration_sandbox.listen.port(), 8090);
        assert_eq!(config.immigration_sandbox.seed, 9303);

        let dir = std::env::temp_dir().join(format!("idproof-config-imm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("immigration.toml");
        std::fs::write(
            &file,
            "[immigration]\nbase_url = \"https://registry.example\"\n\
             [immigration_sandbox]\nseed = 7\nas_of = \"2026-06-01\"\n",
        )
        .unwrap();
        let loaded = Config::load(Some(&file)).unwrap();
        assert_eq!(loaded.immigration.base_url.as_deref(), Some("https://registry.example"));
        assert_eq!(loaded.immigration_sandbox.seed, 7);
        assert_eq!(loaded.immigration_sandbox.as_of.unwrap().to_string(), "2026-06-01");

        let mut bad = Config::default();
        bad.immigration.base_url = Some("ftp://registry.example".into());
        assert!(matches!(bad.validate(), Err(ConfigError::Value(_))));
    }

    #[test]
    fn the_shop_steps_load_from_a_file_with_their_defaults_filled_in() {
        let dir = std::env::temp_dir().join(format!("idproof-config-shop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("shop.toml");
        std::fs::write(
            &file,
            "[mobile]\ngateway = \"http\"\ncap_per_operator = 2\n\
             [mobile.otp]\nresend_cooldown_secs = 30\n\
             [mobile.sms]\nendpoint = \"https://sms.example/send\"\n\
             body_template = '{\"to\":\"{to}\",\"text\":\"{text}\"}'\n\
             [face]\ncomparator = \"http\"\n\
             [face.provider]\nname = \"faces\"\nendpoint = \"https://faces.example/compare\"\n",
        )
        .unwrap();

        let loaded = Config::load(Some(&file)).unwrap();
        assert_eq!((loaded.mobile.cap_per_operator, loaded.mobile.cap_total), (2, 9));
        assert_eq!(loaded.mobile.otp.resend_cooldown_secs, 30);
        assert_eq!(loaded.mobile.otp.code_ttl_secs, 300);
        assert_eq!(loaded.mobile.sms.unwrap().timeout_ms, 10_000);
        assert_eq!(loaded.face.provider.unwrap().timeout_ms, 10_000);
        assert!((loaded.face.match_threshold - 0.8).abs() < f32::EPSILON);

        let mut unusable = Config::default();
        unusable.mobile.gateway = crate::steps_config::GatewayKind::Http;
        assert!(matches!(unusable.validate(), Err(ConfigError::Value(_))));
        let mut caps = Config::default();
        caps.mobile.cap_total = 2;
        assert!(matches!(caps.validate(), Err(ConfigError::Value(_))));
    }

    #[test]
    fn body_limits_under_a_kibibyte_are_refused() {
        let mut config = Config::default();
        config.evidence.image_limit_bytes = 1023;
        assert!(matches!(config.validate(), Err(ConfigError::Value(_))));
        config.evidence.image_limit_bytes = 1024;
        config.http.body_limit_bytes = 1023;
        assert!(matches!(config.validate(), Err(ConfigError::Value(_))));
    }

    #[test]
    fn failpoints_parse_or_are_refused() {
        let mut config = Config::default();
        config.worker.failpoint = Some("intake:1500".into());
        let failpoint = config.failpoint().unwrap().unwrap();
        assert_eq!((failpoint.step, failpoint.pause), (Step::Intake, Duration::from_millis(1500)));

        for bad in ["intake", "nostep:10", "intake:soon", ":"] {
            config.worker.failpoint = Some(bad.into());
            assert!(config.validate().is_err(), "{bad}");
        }
    }
}
