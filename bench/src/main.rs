//! `idproof-bench`: runs idproof in process on its embedded SQLite default against a Temporal
//! dev server, loads its API over loopback at a few concurrency levels, and writes
//! `report.md` and `report.json`.

mod client;
mod harness;
mod intake;
mod load;
mod report;

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use clap::Parser;
use idproof::config::{LogConfig, LogFormat};
use idproof_testkit::TemporalDevServer;

use crate::{
    client::Target,
    harness::Service,
    report::{Machine, Report},
};

/// How many of the last applications created are watched until their intake step has run.
const INTAKE_SAMPLE: usize = 20;
/// How long to wait for that sample.
const INTAKE_PATIENCE: Duration = Duration::from_secs(60);
/// How long the API may take to answer `/readyz` after it starts.
const READY_PATIENCE: Duration = Duration::from_secs(30);

/// Measures idproof's API under load, with `GET /healthz` as the peer that ratios are taken
/// against.
#[derive(Parser)]
#[command(name = "idproof-bench")]
struct Cli {
    /// Where report.md and report.json are written; created if missing.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Requests measured per operation and concurrency level.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    requests: u32,
    /// Requests sent first per operation and level, and not counted.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=1_000))]
    warmup: u32,
    /// Concurrency levels, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,4,16",
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    concurrency: Vec<u16>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    idproof::telemetry::init(&LogConfig {
        filter: "warn,idproof_bench=info".to_owned(),
        format: LogFormat::Text,
    });

    let machine = Machine::observe();
    tracing::info!("starting a Temporal dev server");
    let temporal = TemporalDevServer::start()
        .context("failed to start a Temporal dev server (`temporal server start-dev`)")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to build the tokio runtime")?;

    let (measured, stopped) = runtime.block_on(async {
        let service = Service::start(temporal.address()).await?;
        let measured = measure(&cli, &service, machine).await;
        anyhow::Ok((measured, service.stop().await))
    })?;
    runtime.shutdown_timeout(Duration::from_secs(10));
    drop(temporal);

    let report = measured?;
    let written = report::write(&report, &cli.out)?;
    println!("report written to {}", written.markdown.display());
    println!("figures written to {}", written.json.display());
    stopped.context("the service did not shut down cleanly")
}

/// Loads the service at each level, then waits for the worker to catch up.
async fn measure(cli: &Cli, service: &Service, machine: Machine) -> anyhow::Result<Report> {
    let target = Arc::new(Target::new(
        &service.base_url,
        &service.api_key,
        service.temporal.clone(),
        service.peer_task_queue.clone(),
    )?);
    target.wait_ready(READY_PATIENCE).await?;

    let plan = load::Plan { requests: cli.requests as usize, warmup: cli.warmup as usize };
    let mut levels = Vec::new();
    let mut created = Vec::new();
    for concurrency in cli.concurrency.iter().map(|&level| usize::from(level)) {
        tracing::info!(concurrency, requests = plan.requests, "measuring");
        let level = load::level(&target, concurrency, plan).await?;
        created.extend(level.created.iter().cloned());
        levels.push(level);
    }

    let sample = &created[created.len().saturating_sub(INTAKE_SAMPLE)..];
    tracing::info!(sampled = sample.len(), "waiting for the worker to run intake");
    let intake = intake::wait(&target, sample, INTAKE_PATIENCE).await;
    if intake.reached < intake.sampled {
        tracing::warn!(
            reached = intake.reached,
            sampled = intake.sampled,
            worker_running = service.worker_running(),
            "not every sampled application reached awaiting_evidence in time"
        );
    }

    Ok(Report::new(machine, plan, levels, intake))
}
