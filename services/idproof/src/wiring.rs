//! Builds the parts from the configuration and runs them.

use std::{net::SocketAddr, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use idproof_api::{
    ApiState, FaceSettings, Metrics, MobileSettings, StayChangeReceiver, WorkflowEngine,
};
use idproof_face::{FaceComparator, HttpComparator, SandboxComparator, SelfieLimits};
use idproof_immigration::RegistryClient;
use idproof_mobile::{
    CodeHasher, ConsoleGateway, HttpJsonGateway, MessageTemplate, MobileNumber, SendFuture,
    SmsError, SmsGateway,
};
use idproof_policy::Policy;
use idproof_proofing::{Clock, SystemClock};
use idproof_store::{BindingCaps, EvidenceCipher, PersonIndexKey, Store};
use idproof_workflows::{
    FaceStep, MobileStep, ProofingActivities, ProofingWorkflow, webhook::WebhookSigner,
};
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpListener},
};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions};
use temporalio_sdk::runtime::{Runtime, RuntimeOptions};
use temporalio_sdk::{Worker, WorkerOptions};
use tokio::task::JoinHandle;
use url::Url;

use crate::{
    config::Config,
    steps_config::{ComparatorKind, GatewayKind},
};

/// The evidence cipher from the configured keys.
pub fn evidence_cipher(config: &Config) -> anyhow::Result<EvidenceCipher> {
    let keys = config.evidence.keys.iter().map(|(id, key)| (id.as_str(), key.as_str()));
    EvidenceCipher::from_base64_keys(keys, &config.evidence.current_key_id).context(
        "evidence keys are not usable: set evidence.current_key_id and evidence.keys.<id> \
         (32 bytes of base64)",
    )
}

/// The key of the person index: `evidence.person_index_key`, or one derived from the current
/// evidence key.
pub fn person_index_key(config: &Config) -> anyhow::Result<PersonIndexKey> {
    let evidence = &config.evidence;
    let key = match &evidence.person_index_key {
        Some(key) => PersonIndexKey::from_base64("person_index_key", key),
        None => {
            let current = evidence.keys.get(&evidence.current_key_id).with_context(|| {
                format!("evidence key {:?} is not configured", evidence.current_key_id)
            })?;
            PersonIndexKey::derived_from_evidence_key(&evidence.current_key_id, current)
        }
    };
    key.context(
        "the person index key is not usable: evidence.person_index_key takes 32 bytes of base64",
    )
}

/// Starts and signals proofing workflows as configured.
/// The key one-time codes are hashed with: `mobile.code_key`, or derived from the current
/// evidence key under a label of its own, so that the key that seals evidence is not reused.
pub fn code_hasher(config: &Config) -> anyhow::Result<CodeHasher> {
    let key = match &config.mobile.code_key {
        Some(key) => STANDARD.decode(key.trim()).context("mobile.code_key is not base64")?,
        None => derived_from_evidence_key(config, b"idproof/mobile/code-key")?.to_vec(),
    };
    CodeHasher::new(key).context("mobile.code_key must be 32 bytes of base64")
}

/// The key clients' webhook secrets are derived from: `webhooks.signing_key`, or derived from
/// the current evidence key under a label of its own.
pub fn webhook_signer(config: &Config) -> anyhow::Result<WebhookSigner> {
    let key = match &config.webhooks.signing_key {
        Some(key) => STANDARD
            .decode(key.trim())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .context("webhooks.signing_key must be 32 bytes of base64")?,
        None => derived_from_evidence_key(config, b"idproof/webhooks/signing-key")?,
    };
    Ok(WebhookSigner::new(key))
}

/// HMAC-SHA256 of `label` under the current evidence key.
fn derived_from_evidence_key(config: &Config, label: &[u8]) -> anyhow::Result<[u8; 32]> {
    let evidence = &config.evidence;
    let current = evidence
        .keys
        .get(&evidence.current_key_id)
        .with_context(|| format!("evidence key {:?} is not configured", evidence.current_key_id))?;
    let current = STANDARD.decode(current.trim()).context("an evidence key is not base64")?;
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&current)
        .context("an evidence key is not usable")?;
    mac.update(label);
    Ok(mac.finalize().into_bytes().into())
}

/// The API's view of the mobile step.
fn mobile_settings(config: &Config) -> anyhow::Result<MobileSettings> {
    Ok(MobileSettings {
        limits: config.mobile.otp,
        hasher: Arc::new(code_hasher(config)?),
        number_key: person_index_key(config)?,
    })
}

/// The worker's mobile step: the gateway the configuration names.
fn mobile_step(config: &Config) -> anyhow::Result<MobileStep> {
    let mobile = &config.mobile;
    let gateway: Arc<dyn SmsGateway> = match (mobile.gateway, &mobile.sms) {
        (GatewayKind::Http, Some(sms)) => Arc::new(
            HttpJsonGateway::new(sms.adapter()).context("the SMS gateway is misconfigured")?,
        ),
        (GatewayKind::Console, _) => Arc::new(ConsoleGateway),
        _ => Arc::new(NoGateway),
    };
    let template = match &mobile.message_template {
        Some(template) => MessageTemplate::new(template.clone())?,
        None => MessageTemplate::default(),
    };
    Ok(MobileStep {
        limits: mobile.otp,
        hasher: Arc::new(code_hasher(config)?),
        gateway,
        template,
        caps: BindingCaps { per_operator: mobile.cap_per_operator, total: mobile.cap_total },
    })
}

/// The worker's face step, when a comparator is configured.
fn face_step(config: &Config) -> anyhow::Result<Option<FaceStep>> {
    let face = &config.face;
    let comparator: Arc<dyn FaceComparator> = match (face.comparator, &face.provider) {
        (ComparatorKind::Http, Some(provider)) => Arc::new(
            HttpComparator::new(provider.adapter())
                .context("the face provider is misconfigured")?,
        ),
        (ComparatorKind::Sandbox, _) => Arc::new(SandboxComparator),
        _ => return Ok(None),
    };
    Ok(Some(FaceStep { comparator, policy: face.policy(), selfie_limits: SelfieLimits::default() }))
}

/// The gateway of a worker that has none: every send fails for good, with a code that says so.
struct NoGateway;

impl SmsGateway for NoGateway {
    fn send<'a>(&'a self, _to: &'a MobileNumber, _text: &'a str) -> SendFuture<'a> {
        Box::pin(async { Err(SmsError::Configuration { reason: "no SMS gateway is configured" }) })
    }
}

fn workflow_engine(config: &Config, client: Client) -> WorkflowEngine {
    WorkflowEngine::new(
        client,
        config.temporal.task_queue.clone(),
        Duration::from_secs(config.proofing.idle_timeout_secs),
        Duration::from_secs(config.proofing.step_timeout_secs),
    )
    .with_registry_retry(config.proofing.registry_retry())
    .with_provider_retry(config.proofing.provider_retry())
}

/// Connects to the database and applies pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let cipher = evidence_cipher(config)?;
    migrate(config).await?;
    Store::connect(&config.database.url, config.database.max_connections, cipher)
        .await
        .context("failed to open the database")
}

/// Applies pending migrations; needs no evidence key.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    create_sqlite_dir(&config.database.url)?;
    idproof_store::migrate(&config.database.url).await.context("failed to migrate the database")
}

/// Creates the directory of a SQLite file, which SQLite will not do itself.
fn create_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let Some(parent) = sqlite_path(url).and_then(|path| path.parent().map(Path::to_path_buf))
    else {
        return Ok(());
    };
    if !parent.as_os_str().is_empty() {
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    Ok(())
}

/// The file behind a `sqlite://` URL, if it names one.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// Connects to Temporal, retrying for up to `patience` while the server starts.
pub async fn connect_temporal(config: &Config, patience: Duration) -> anyhow::Result<Client> {
    let target = Url::parse(&config.temporal.address)
        .with_context(|| format!("temporal.address {:?} is not a URL", config.temporal.address))?;
    let deadline = tokio::time::Instant::now() + patience;
    let mut wait = Duration::from_millis(200);

    loop {
        let options = ConnectionOptions::new(target.clone())
            .identity(format!("idproof@{}", std::process::id()))
            .connect_timeout(Duration::from_secs(5))
            .build();
        match Connection::connect(options).await {
            Ok(connection) => {
                let client_options = ClientOptions::new(config.temporal.namespace.clone()).build();
                return Client::new(connection, client_options)
                    .context("failed to create the Temporal client");
            }
            Err(err) if tokio::time::Instant::now() < deadline => {
                tracing::info!(address = %target, error = %err, "Temporal not reachable yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("failed to connect to Temporal at {target}"));
            }
        }
    }
}

/// A running HTTP API.
pub struct RunningApi {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The server task; it ends when the shutdown future resolves.
    pub task: JoinHandle<std::io::Result<()>>,
}

/// Starts the HTTP API on the configured address (port 0 picks a free one).
pub async fn start_api(
    config: &Config,
    store: Store,
    client: Client,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningApi> {
    let engine = workflow_engine(config, client);
    let clock = Arc::new(SystemClock) as Arc<dyn Clock>;
    let stay_changes = StayChangeReceiver::new(
        store.clone(),
        engine.clone(),
        person_index_key(config)?,
        Arc::clone(&clock),
    );
    let state = ApiState {
        store,
        engine,
        clock,
        stay_changes,
        metrics: Metrics::new().context("failed to register metrics")?,
        body_limit: config.http.body_limit_bytes,
        image_limit: config.evidence.image_limit_bytes,
        image_readers: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        )),
        readiness_timeout: config.readiness_timeout(),
        mobile: mobile_settings(config)?,
        face: FaceSettings { selfie_limits: SelfieLimits::default(), policy: config.face.policy() },
    };

    let acceptor = TcpListener::bind(config.http.listen)
        .into_acceptor()
        .await
        .with_context(|| format!("failed to listen on {}", config.http.listen))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .context("the listener has no socket address")?;

    let app = idproof_api::app(state);
    let task = tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await
    });
    tracing::info!(%addr, "API listening");
    Ok(RunningApi { addr, task })
}

/// The policy the worker decides by. A policy file that does not check stops the start here,
/// before anything connects, with its line, column and reason.
pub fn load_policy(config: &Config) -> anyhow::Result<Policy> {
    let policy = config.proofing.policy().map_err(|err| anyhow::anyhow!("{err}"))?;
    tracing::info!(source = %policy.source_name, versions = policy.versions.len(), "policy loaded");
    Ok(policy)
}

/// Runs the Temporal worker until `shutdown` resolves. It is not `Send`: run it on the task
/// that called this, beside the rest with `tokio::select!`.
pub async fn run_worker(
    config: &Config,
    policy: Policy,
    store: Store,
    client: Client,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let runtime = Runtime::from_current_tokio(RuntimeOptions::default())
        .context("failed to create the Temporal runtime")?;
    let index = person_index_key(config)?;
    let mut activities = ProofingActivities::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(policy),
        config.failpoint()?,
    )
    .with_person_index(index.clone())
    .with_mobile(mobile_step(config)?)
    .with_webhook_signer(webhook_signer(config)?);
    if let Some(face) = face_step(config)? {
        activities = activities.with_face(face);
    }
    let mut poll = None;
    if let Some(registry) = config.immigration.registry() {
        let registry = RegistryClient::new(registry).context("the immigration registry client")?;
        activities = activities.with_registry(registry.clone());
        if config.stay_changes.poll_enabled {
            let engine = workflow_engine(config, client.clone());
            let receiver =
                StayChangeReceiver::new(store.clone(), engine, index, Arc::new(SystemClock));
            let interval = Duration::from_secs(config.stay_changes.poll_interval_secs);
            let task = crate::stay_poll::poll_stay_changes(registry, receiver, store, interval);
            poll = Some(AbortOnDrop(tokio::spawn(task)));
        }
    }
    let options = WorkerOptions::new(config.temporal.task_queue.clone())
        .register_workflow::<ProofingWorkflow>()
        .context("failed to register the proofing workflow")?
        .register_activities(activities)
        .build();
    let mut worker =
        Worker::new(&runtime, client, options).context("failed to create the Temporal worker")?;
    let stop = worker.shutdown_handle();

    tracing::info!(task_queue = %config.temporal.task_queue, "worker polling");
    let run = worker.run();
    tokio::pin!(run);
    tokio::select! {
        result = &mut run => return result.context("the worker stopped"),
        () = shutdown => stop(),
    }
    drop(poll);
    run.await.context("the worker did not stop cleanly")
}

/// Ends a background task when the owner is done with it.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
