//! `idproof immigration-sandbox`: the sandbox immigration registry on its own, and the same
//! registry started inside `idproof dev`, where idproof calls it unless `immigration.base_url`
//! names another.
//!
//! The log gets the demo people's record ids and categories only; `--list` prints who they
//! are (names, passports, MRZ lines) to stdout and exits.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use idproof_immigration_sandbox::{RunningSandbox, SandboxConfig, SeedPlan, seed, start};
use idproof_proofing::{Clock, SystemClock};

use crate::config::Config;

/// `idproof immigration-sandbox`; each flag overrides its `immigration_sandbox.*` key.
#[derive(Args, Debug, Default)]
pub struct SandboxArgs {
    /// Where to listen (`immigration_sandbox.listen`).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// The sandbox's own database (`immigration_sandbox.database_url`).
    #[arg(long)]
    pub database: Option<String>,
    /// Draws the people and the test chips' holders (`immigration_sandbox.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The day stays are placed around, YYYY-MM-DD (`immigration_sandbox.as_of`); today by
    /// default.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Where each new stay change is pushed (`immigration_sandbox.callback_url`).
    #[arg(long)]
    pub callback_url: Option<String>,
    /// Print the demo people (names, passports, MRZ lines) and exit.
    #[arg(long)]
    pub list: bool,
}

/// The sandbox's configuration: the keys, then the flags.
pub fn sandbox_config(config: &Config, args: &SandboxArgs) -> SandboxConfig {
    let keys = &config.immigration_sandbox;
    SandboxConfig {
        listen: args.listen.unwrap_or(keys.listen),
        database_url: args.database.clone().unwrap_or_else(|| keys.database_url.clone()),
        seed: args.seed.unwrap_or(keys.seed),
        as_of: args.as_of.or(keys.as_of),
        callback_url: args.callback_url.clone().or_else(|| keys.callback_url.clone()),
        callback_api_key: keys.callback_api_key.clone(),
        admin_token: keys.admin_token.clone(),
        body_limit_bytes: keys.body_limit_bytes,
    }
}

/// The demo people as `--list` prints them.
pub fn demo_listing(config: &Config, args: &SandboxArgs) -> String {
    let sandbox = sandbox_config(config, args);
    let as_of = sandbox.as_of.unwrap_or_else(|| SystemClock.now().date_naive());
    seed::demo_listing(SeedPlan { seed: sandbox.seed, as_of })
}

/// Serves the sandbox until `shutdown` resolves.
pub async fn run(
    config: &Config,
    args: &SandboxArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let sandbox = start_sandbox(sandbox_config(config, args), shutdown).await?;
    print_banner(&sandbox);
    sandbox
        .task
        .await
        .context("the sandbox registry's task panicked")?
        .context("the sandbox registry failed")
}

/// Starts the sandbox for `idproof dev`, and points `immigration.base_url` at it unless it
/// names another registry.
pub async fn start_in_dev(
    config: &mut Config,
    dev_api_key: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningSandbox> {
    let mut settings = sandbox_config(config, &SandboxArgs::default());
    // Unless configured otherwise, the sandbox pushes its stay changes to the dev API, with the
    // dev key (which holds the registry:notify scope).
    if settings.callback_url.is_none() && config.http.listen.port() != 0 {
        let api = config.http.listen;
        settings.callback_url = Some(format!("http://{api}/v1/registry/stay-changes"));
        settings.callback_api_key = Some(dev_api_key.to_owned());
    }

    let sandbox = start_sandbox(settings, shutdown).await?;
    if config.immigration.base_url.is_none() {
        config.immigration.base_url = Some(sandbox.base_url());
    }
    Ok(sandbox)
}

/// The lines `idproof dev`'s banner gives the registry and its sandbox.
pub fn dev_banner(config: &Config, sandbox: &RunningSandbox) -> String {
    let registry = config.immigration.base_url.as_deref().unwrap_or("(none)");
    format!(
        "  Immigration  {registry}\n  \
         sandbox      {base}/admin (X-Admin-Token: {token}); demo people: idproof \
         immigration-sandbox --list\n",
        base = sandbox.base_url(),
        token = sandbox.admin_token,
    )
}

async fn start_sandbox(
    sandbox: SandboxConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningSandbox> {
    start(sandbox, Arc::new(SystemClock), shutdown)
        .await
        .context("failed to start the sandbox immigration registry")
}

fn print_banner(sandbox: &RunningSandbox) {
    println!();
    println!("  idproof immigration-sandbox is up");
    println!("  registry     {}/v1", sandbox.base_url());
    println!(
        "  admin        {}/admin (X-Admin-Token: {})",
        sandbox.base_url(),
        sandbox.admin_token
    );
    println!(
        "  people       {} ({} new), seed {}, as of {}",
        sandbox.seeded.people, sandbox.seeded.inserted, sandbox.plan.seed, sandbox.plan.as_of
    );
    println!("  demo people  idproof immigration-sandbox --list");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_keys() {
        let mut config = Config::default();
        config.immigration_sandbox.seed = 7;
        config.immigration_sandbox.admin_token = Some("kept".into());
        let args = SandboxArgs {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            database: Some("sqlite::memory:".into()),
            callback_url: Some("http://127.0.0.1:1/changes".into()),
            ..SandboxArgs::default()
        };
        let sandbox = sandbox_config(&config, &args);
        assert_eq!(sandbox.listen.port(), 0);
        assert_eq!(sandbox.database_url, "sqlite::memory:");
        assert_eq!(sandbox.seed, 7);
        assert_eq!(sandbox.callback_url.as_deref(), Some("http://127.0.0.1:1/changes"));
        assert_eq!(sandbox.admin_token.as_deref(), Some("kept"));
    }

    #[tokio::test]
    async fn dev_points_idproof_at_its_sandbox_unless_told_otherwise() {
        let mut config = Config::default();
        config.immigration_sandbox.listen = "127.0.0.1:0".parse().unwrap();
        config.immigration_sandbox.database_url = "sqlite::memory:".into();
        let sandbox = start_in_dev(&mut config, "idp_dev", std::future::pending()).await.unwrap();
        assert_eq!(config.immigration.base_url, Some(sandbox.base_url()));
        let banner = dev_banner(&config, &sandbox);
        assert!(banner.contains(&format!("{}/admin", sandbox.base_url())), "{banner}");
        assert!(banner.contains(&sandbox.admin_token), "{banner}");
        sandbox.task.abort();

        config.immigration.base_url = Some("https://registry.example".into());
        let sandbox = start_in_dev(&mut config, "idp_dev", std::future::pending()).await.unwrap();
        assert_eq!(config.immigration.base_url.as_deref(), Some("https://registry.example"));
        sandbox.task.abort();
    }
}
