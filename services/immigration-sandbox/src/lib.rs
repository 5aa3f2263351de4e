//! A sandbox immigration registry for `idproof dev`, demos and tests: the stay-record contract
//! (`openapi/immigration.yaml`) served from its own database, seeded with the test passports'
//! people in every category and status, with admin endpoints that change a stay.
//!
//! The contract, under `/v1`:
//! - `POST /v1/stay-records/lookup` `{nationality, document_number, date_of_birth}`: 200
//!   `{match: matched | birth_date_differs, record}`, 404 `record_not_found`, 400
//!   `invalid_request`;
//! - `GET /v1/stay-changes?after=&limit=`: the feed of stay changes, paged by cursor; each new
//!   change is also pushed to the callback URL when one is configured.
//!
//! The sandbox's own, under `/admin`, with the `X-Admin-Token` header: `GET /records`,
//! `GET /records/{id}`, `POST /records/{id}/entry | extension | departure | overstay | bar`,
//! `GET /demo-people`, and `GET | PUT | DELETE /faults`.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use idproof_immigration_sandbox::{SandboxConfig, start};
//! use idproof_proofing::SystemClock;
//!
//! let sandbox = start(SandboxConfig::ephemeral(), Arc::new(SystemClock), std::future::pending())
//!     .await?;
//! let base_url = sandbox.base_url(); // http://127.0.0.1:PORT, the contract's paths below it
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod admin;
// The entity derives make their items `pub`; the module itself is private.
#[allow(unreachable_pub)]
mod entities;
mod faults;
mod http;
mod problem;
mod push;
pub mod records;
mod registry;
pub mod seed;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use idproof_proofing::Clock;
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpListener},
};
use rand::RngCore;
use reqwest::Url;

pub use admin::ADMIN_TOKEN_HEADER;
pub use faults::{Armed, Fault, Faults};
pub use problem::{PROBLEM_JSON, SandboxError};
pub use push::Pusher;
pub use registry::{ChangeError, RecordFilter, Registry, RegistryError};
pub use seed::{Person, SeedPlan, SeedReport};

/// How the sandbox runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// `sqlite://PATH?mode=rwc`, `sqlite::memory:` or `postgres://…`.
    pub database_url: String,
    /// Draws the people, and the test chips whose holders are seeded.
    pub seed: u64,
    /// The day stays are placed around; the clock's day when none.
    pub as_of: Option<NaiveDate>,
    /// Where each new stay change is pushed, if anywhere.
    pub callback_url: Option<String>,
    /// The `X-Api-Key` sent with each push, when the callback wants one (idproof's does: a
    /// key with the `registry:notify` scope).
    pub callback_api_key: Option<String>,
    /// The `X-Admin-Token` the admin routes want; a random one is made when none.
    pub admin_token: Option<String>,
    /// The largest request body taken, in bytes.
    pub body_limit_bytes: usize,
}

/// The sandbox's port under `idproof dev` and `idproof immigration-sandbox`.
pub const DEFAULT_PORT: u16 = 8090;

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            database_url: "sqlite://.idproof/immigration-sandbox.sqlite?mode=rwc".to_owned(),
            seed: seed::DEFAULT_SEED,
            as_of: None,
            callback_url: None,
            callback_api_key: None,
            admin_token: None,
            body_limit_bytes: 64 * 1024,
        }
    }
}

impl SandboxConfig {
    /// For tests: a free port on loopback and an in-memory database.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: "sqlite::memory:".to_owned(),
            ..Self::default()
        }
    }
}

/// A running sandbox.
#[derive(Debug)]
pub struct RunningSandbox {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The admin token its admin routes want.
    pub admin_token: String,
    /// What it was seeded with.
    pub plan: SeedPlan,
    /// What seeding did.
    pub seeded: SeedReport,
    /// Its database, for tests that look behind the API.
    pub registry: Registry,
    /// The server; it ends after the shutdown future resolves.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningSandbox {
    /// The registry's root URL; the contract's paths (`/v1/…`) go below it.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Opens and seeds the database, binds the listener, and serves until `shutdown` resolves.
pub async fn start(
    config: SandboxConfig,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningSandbox> {
    if config.body_limit_bytes < 1024 {
        anyhow::bail!("the sandbox's body limit must be at least 1024 bytes");
    }
    let callback = config.callback_url.as_deref().map(parse_callback).transpose()?;
    let admin_token = match config.admin_token {
        Some(token) if token.trim().is_empty() => anyhow::bail!("the admin token is empty"),
        Some(token) => token,
        None => random_token(),
    };
    let plan =
        SeedPlan { seed: config.seed, as_of: config.as_of.unwrap_or(clock.now().date_naive()) };

    let registry = Registry::open(&config.database_url)
        .await
        .context("failed to open the sandbox registry's database")?;
    let seeded =
        seed::seed(&registry, plan).await.context("failed to seed the sandbox registry")?;
    let api_key = config.callback_api_key.clone();
    let pusher = callback.map(|url| Pusher::spawn(url, api_key)).transpose()?;

    let acceptor = TcpListener::bind(config.listen)
        .into_acceptor()
        .await
        .with_context(|| format!("failed to listen on {}", config.listen))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .context("the listener has no socket address")?;

    let state = http::AppState {
        registry: registry.clone(),
        clock,
        faults: Faults::default(),
        pusher: pusher.clone(),
        admin_token: Arc::from(admin_token.as_str()),
        plan,
    };
    let app = http::app(state, config.body_limit_bytes);
    let task = tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(5)))
            .await
    });

    tracing::info!(
        %addr,
        seed = plan.seed,
        as_of = %plan.as_of,
        people = seeded.people,
        inserted = seeded.inserted,
        push = pusher.is_some(),
        "immigration sandbox listening"
    );
    for (record_id, category, status) in &seeded.demo {
        tracing::info!(%record_id, category = category.code(), status = status.code(), "demo person");
    }
    Ok(RunningSandbox { addr, admin_token, plan, seeded, registry, task })
}

/// A callback URL, http or https only.
fn parse_callback(url: &str) -> anyhow::Result<Url> {
    let parsed = Url::parse(url).context("the callback URL is not a URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        anyhow::bail!("the callback URL must be http or https");
    }
    Ok(parsed)
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
