//! idproof in process, on its embedded SQLite default in a temporary directory, against a
//! Temporal server: the API on the caller's runtime, the worker on a thread of its own.

use std::{
    path::{Path, PathBuf},
    thread,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use idproof::{config::Config, dev, wiring};
use tokio::{sync::watch, task::JoinHandle};

/// How long start-up waits for Temporal to accept a connection.
const TEMPORAL_PATIENCE: Duration = Duration::from_secs(60);
/// How long the API and the worker each get to stop.
const STOP_PATIENCE: Duration = Duration::from_secs(30);

/// A running idproof: API and worker.
pub(crate) struct Service {
    /// Where the API listens, as `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    /// A dev key with every scope, made for this run.
    pub(crate) api_key: String,
    /// The service's Temporal client, for the peer that starts workflows directly.
    pub(crate) temporal: temporalio_client::Client,
    /// A task queue no worker polls: workflows the peer starts there only wait.
    pub(crate) peer_task_queue: String,
    stop: watch::Sender<bool>,
    api: JoinHandle<std::io::Result<()>>,
    worker: thread::JoinHandle<anyhow::Result<()>>,
    dir: PathBuf,
}

impl Service {
    /// Starts idproof against the Temporal frontend at `temporal_address`, with a fresh
    /// database, dev keys and a task queue of its own.
    pub(crate) async fn start(temporal_address: String) -> anyhow::Result<Self> {
        let dir = idproof_testkit::temp_dir("bench")
            .context("failed to create a temporary directory for the database")?;
        let started = Self::start_in(&dir, temporal_address).await;
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        started
    }

    async fn start_in(dir: &Path, temporal_address: String) -> anyhow::Result<Self> {
        let mut config = Config::default();
        config.database.url = format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display());
        config.temporal.address = temporal_address;
        // The directory's name is unique, and so makes a task queue no other run polls.
        config.temporal.task_queue = dir
            .file_name()
            .and_then(|name| name.to_str())
            .context("the temporary directory has no name")?
            .to_owned();
        config.http.listen = "127.0.0.1:0".parse().context("bad listen address")?;
        config.dev.data_dir = dir.to_path_buf();

        dev::ensure_evidence_key(&mut config).context("failed to make a dev evidence key")?;
        let store = wiring::open_store(&config).await?;
        let api_key = dev::ensure_api_key(&store, &config.dev.data_dir)
            .await
            .context("failed to make a dev API key")?;
        let client = wiring::connect_temporal(&config, TEMPORAL_PATIENCE).await?;

        // Dropping `stop` on an early return below stops whatever has started.
        let (stop, stopping) = watch::channel(false);
        let api =
            wiring::start_api(&config, store.clone(), client.clone(), stopped(stopping.clone()))
                .await?;

        let peer_client = client.clone();
        let worker_config = config.clone();
        let policy = wiring::load_policy(&config)?;
        let worker = thread::Builder::new()
            .name("temporal-worker".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("failed to build the worker's runtime")?;
                runtime.block_on(wiring::run_worker(
                    &worker_config,
                    policy,
                    store,
                    client,
                    stopped(stopping),
                ))
            })
            .context("failed to start the worker thread")?;

        tracing::info!(
            addr = %api.addr,
            task_queue = %config.temporal.task_queue,
            "idproof running in process"
        );
        Ok(Self {
            base_url: format!("http://{}", api.addr),
            api_key,
            temporal: peer_client,
            peer_task_queue: format!("{}-peer", config.temporal.task_queue),
            stop,
            api: api.task,
            worker,
            dir: dir.to_path_buf(),
        })
    }

    /// Whether the worker is still running; it stops early only when it fails.
    pub(crate) fn worker_running(&self) -> bool {
        !self.worker.is_finished()
    }

    /// Stops the API and the worker, waits for both, and removes the temporary directory.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        self.stop.send_replace(true);

        let api = tokio::time::timeout(STOP_PATIENCE, self.api).await;
        let worker = join_within(self.worker, STOP_PATIENCE).await;
        let _ = std::fs::remove_dir_all(&self.dir);

        match api {
            Err(_) => bail!("the API did not stop within {STOP_PATIENCE:?}"),
            Ok(joined) => {
                joined.context("the API task panicked")?.context("the API server failed")?
            }
        }
        worker
    }
}

/// Resolves once `stop` is set, or once its sender is gone.
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Joins the worker thread, giving up after `patience`.
async fn join_within(
    worker: thread::JoinHandle<anyhow::Result<()>>,
    patience: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + patience;
    while !worker.is_finished() {
        if Instant::now() >= deadline {
            bail!("the worker did not stop within {patience:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    match worker.join() {
        Ok(result) => result,
        Err(_) => bail!("the worker thread panicked"),
    }
}
