//! The report: `report.md` for people, `report.json` with the same figures for tools.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::{
    client::Operation,
    intake::Intake,
    load::{Figures, Level, Plan},
};

const TEMPORAL: &str = "temporal server start-dev";
const DATABASE: &str = "SQLite (embedded default)";

/// Where the run happened, noted before it starts.
#[derive(Debug, Serialize)]
pub(crate) struct Machine {
    /// When the run started.
    pub(crate) started_at: DateTime<Utc>,
    /// The commit measured, when run inside a git checkout.
    pub(crate) commit: Option<String>,
    /// Whether the checkout had uncommitted changes to tracked files.
    pub(crate) uncommitted_changes: Option<bool>,
    /// `std::thread::available_parallelism`.
    pub(crate) cores: Option<usize>,
    /// Operating system and architecture.
    pub(crate) platform: String,
    /// The 1-minute load average before the run, where `/proc/loadavg` has it.
    pub(crate) load_average_before: Option<f64>,
}

impl Machine {
    /// Looks at the machine and the checkout now.
    // The report's date is the one reading of the wall clock in the benchmark.
    #[allow(clippy::disallowed_methods)]
    pub(crate) fn observe() -> Self {
        Self {
            started_at: Utc::now(),
            commit: git(&["rev-parse", "--short", "HEAD"]),
            uncommitted_changes: git(&["status", "--porcelain", "--untracked-files=no"])
                .map(|changes| !changes.is_empty()),
            cores: std::thread::available_parallelism().ok().map(usize::from),
            platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            load_average_before: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|line| line.split_whitespace().next()?.parse().ok()),
        }
    }
}

/// Everything the run measured.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// Where and when.
    pub(crate) machine: Machine,
    /// The Temporal server.
    pub(crate) temporal: &'static str,
    /// idproof's database.
    pub(crate) database: &'static str,
    /// Requests per operation and level.
    pub(crate) plan: Plan,
    /// Each concurrency level, lowest first.
    pub(crate) levels: Vec<Level>,
    /// Each level's figures over the `/healthz` peer's.
    pub(crate) ratios: Vec<Ratios>,
    /// Whether the worker kept up.
    pub(crate) intake: Intake,
}

/// An operation's latency over the `/healthz` peer's, at one level.
#[derive(Debug, Serialize)]
pub(crate) struct Ratios {
    /// The level.
    pub(crate) concurrency: usize,
    /// `POST /v1/applications` p50 over `/healthz` p50.
    pub(crate) create_p50: Option<f64>,
    /// `POST /v1/applications` p99 over `/healthz` p99.
    pub(crate) create_p99: Option<f64>,
    /// `GET /v1/applications/{id}` p50 over `/healthz` p50.
    pub(crate) read_p50: Option<f64>,
    /// `GET /v1/applications/{id}` p99 over `/healthz` p99.
    pub(crate) read_p99: Option<f64>,
    /// `POST /v1/applications` p50 over a direct Temporal start's p50: what idproof adds.
    pub(crate) create_over_temporal_p50: Option<f64>,
    /// `POST /v1/applications` p99 over a direct Temporal start's p99.
    pub(crate) create_over_temporal_p99: Option<f64>,
}

impl Ratios {
    fn of(level: &Level) -> Self {
        let ratio_to = |peer, operation, pick: fn(&Figures) -> Option<f64>| {
            let over = pick(level.figures(operation)?)?;
            let under = pick(level.figures(peer)?)?;
            (under > 0.0).then(|| (over / under * 100.0).round() / 100.0)
        };
        let ratio = |operation, pick| ratio_to(Operation::Healthz, operation, pick);
        let over_temporal =
            |pick| ratio_to(Operation::TemporalStart, Operation::CreateApplication, pick);
        Self {
            concurrency: level.concurrency,
            create_p50: ratio(Operation::CreateApplication, |figures| figures.p50_ms),
            create_p99: ratio(Operation::CreateApplication, |figures| figures.p99_ms),
            read_p50: ratio(Operation::ReadApplication, |figures| figures.p50_ms),
            read_p99: ratio(Operation::ReadApplication, |figures| figures.p99_ms),
            create_over_temporal_p50: over_temporal(|figures| figures.p50_ms),
            create_over_temporal_p99: over_temporal(|figures| figures.p99_ms),
        }
    }
}

impl Report {
    /// The report of a run.
    pub(crate) fn new(machine: Machine, plan: Plan, levels: Vec<Level>, intake: Intake) -> Self {
        let ratios = levels.iter().map(Ratios::of).collect();
        Self { machine, temporal: TEMPORAL, database: DATABASE, plan, levels, ratios, intake }
    }
}

/// The files written.
pub(crate) struct Written {
    pub(crate) markdown: PathBuf,
    pub(crate) json: PathBuf,
}

/// Writes `report.md` and `report.json` into `out`, creating it if missing.
pub(crate) fn write(report: &Report, out: &Path) -> anyhow::Result<Written> {
    std::fs::create_dir_all(out).with_context(|| format!("failed to create {}", out.display()))?;

    let markdown = out.join("report.md");
    std::fs::write(&markdown, render(report))
        .with_context(|| format!("failed to write {}", markdown.display()))?;

    let json = out.join("report.json");
    let mut text = serde_json::to_string_pretty(report).context("failed to encode the report")?;
    text.push('\n');
    std::fs::write(&json, text).with_context(|| format!("failed to write {}", json.display()))?;

    Ok(Written { markdown, json })
}

/// The Markdown report.
fn render(report: &Report) -> String {
    let mut md = String::new();
    let machine = &report.machine;
    let commit = match (&machine.commit, machine.uncommitted_changes) {
        (Some(commit), Some(true)) => format!("`{commit}` with uncommitted changes"),
        (Some(commit), _) => format!("`{commit}`"),
        (None, _) => "unknown".to_owned(),
    };
    let cores = machine.cores.map_or("unknown".to_owned(), |cores| cores.to_string());
    let load =
        machine.load_average_before.map_or("unknown".to_owned(), |load| format!("{load:.2}"));

    let _ = writeln!(md, "# idproof benchmark\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let started = machine.started_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let _ = writeln!(md, "| Date | {started} |");
    let _ = writeln!(md, "| Commit | {commit} |");
    let _ = writeln!(md, "| Machine | {cores} cores, {} |", machine.platform);
    let _ = writeln!(md, "| Load average before the run (1 min) | {load} |");
    let _ = writeln!(md, "| Temporal | `{}` on loopback |", report.temporal);
    let _ = writeln!(md, "| Database | {} |", report.database);
    let _ = writeln!(
        md,
        "| Service | idproof in process: API on the benchmark's runtime, worker on its own thread |"
    );
    let _ = writeln!(
        md,
        "| Load | {} requests per operation and level, after {} not counted, over loopback |\n",
        report.plan.requests, report.plan.warmup
    );

    render_headline(&mut md, report);
    render_how_to_read(&mut md);
    for operation in [
        Operation::CreateApplication,
        Operation::ReadApplication,
        Operation::TemporalStart,
        Operation::Healthz,
    ] {
        render_operation(&mut md, report, operation);
    }
    render_ratios(&mut md, report);
    render_intake(&mut md, &report.intake);
    render_errors(&mut md, report);
    md
}

fn render_headline(md: &mut String, report: &Report) {
    let _ = writeln!(md, "## Headline\n");
    let _ = writeln!(
        md,
        "| concurrency | applications created/s | POST p50 | POST p99 | GET p50 | GET p99 \
         | Temporal start p50 | POST p50 / Temporal start p50 | healthz p50 \
         | POST p50 / healthz p50 |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (level, ratios) in report.levels.iter().zip(&report.ratios) {
        let create = level.figures(Operation::CreateApplication);
        let read = level.figures(Operation::ReadApplication);
        let healthz = level.figures(Operation::Healthz);
        let temporal = level.figures(Operation::TemporalStart);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            level.concurrency,
            create.map_or("–".to_owned(), |figures| format!("{:.1}", figures.throughput_per_s)),
            ms(create.and_then(|figures| figures.p50_ms)),
            ms(create.and_then(|figures| figures.p99_ms)),
            ms(read.and_then(|figures| figures.p50_ms)),
            ms(read.and_then(|figures| figures.p99_ms)),
            ms(temporal.and_then(|figures| figures.p50_ms)),
            times(ratios.create_over_temporal_p50),
            ms(healthz.and_then(|figures| figures.p50_ms)),
            times(ratios.create_p50),
        );
    }
    let _ = writeln!(md, "\nLatencies in milliseconds.\n");
}

fn render_how_to_read(md: &mut String) {
    let _ = writeln!(
        md,
        "## How to read\n\n\
         The machine is shared and noisy: other builds and tests run beside the benchmark, and \
         the load generator, the API, the Temporal worker and the Temporal server share its \
         cores. Absolute figures move from run to run; compare medians (p50), and the ratios \
         against two peers measured in the same run at the same concurrency. \
         `Temporal start_workflow, direct` is the Temporal call `POST` makes, made by the \
         benchmark itself on a task queue no worker polls: `POST` over it is what idproof adds \
         (authentication, the database transaction, the answer). `GET /healthz` needs no \
         authentication and no database, so it carries the machine's noise without the \
         service's work. p99 and max rest on a few requests out of each level and are the \
         first to jump.\n\n\
         Latency runs from sending a request to reading the last byte of its answer, over \
         loopback, and counts successful requests only; throughput is successful requests per \
         second of the level's wall time. At each level `/healthz` runs first, then the direct Temporal start, then \
         `POST /v1/applications`, then `GET /v1/applications/{{id}}` over the applications \
         just created, each after its warm-up. `POST` answers once the application is stored \
         and its proofing workflow started on Temporal, so it carries the Temporal server's own \
         work; the worker runs those workflows while the load goes on.\n"
    );
}

fn render_operation(md: &mut String, report: &Report, operation: Operation) {
    let peer = match operation {
        Operation::Healthz | Operation::TemporalStart => " (a peer)",
        Operation::CreateApplication | Operation::ReadApplication => "",
    };
    let _ = writeln!(md, "## `{}`{peer}\n", operation.label());
    let _ = writeln!(
        md,
        "| concurrency | requests | errors | requests/s | p50 ms | p90 ms | p99 ms | max ms |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for level in &report.levels {
        let Some(figures) = level.figures(operation) else {
            continue;
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} | {} | {} | {} | {} |",
            level.concurrency,
            figures.requests,
            figures.errors,
            figures.throughput_per_s,
            ms(figures.p50_ms),
            ms(figures.p90_ms),
            ms(figures.p99_ms),
            ms(figures.max_ms),
        );
    }
    let _ = writeln!(md);
}

fn render_ratios(md: &mut String, report: &Report) {
    let _ = writeln!(md, "## Ratios against the peers\n");
    let _ = writeln!(
        md,
        "| concurrency | POST p50 / Temporal start p50 | POST p99 / Temporal start p99 \
         | POST p50 / healthz p50 | POST p99 / healthz p99 \
         | GET p50 / healthz p50 | GET p99 / healthz p99 |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|");
    for ratios in &report.ratios {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            ratios.concurrency,
            times(ratios.create_over_temporal_p50),
            times(ratios.create_over_temporal_p99),
            times(ratios.create_p50),
            times(ratios.create_p99),
            times(ratios.read_p50),
            times(ratios.read_p99),
        );
    }
    let _ = writeln!(md);
}

fn render_intake(md: &mut String, intake: &Intake) {
    let _ = writeln!(md, "## Worker: time to intake\n");
    let outcome = if intake.timed_out {
        format!("the wait gave up after {:.0} ms", intake.waited_ms)
    } else {
        format!("the last got there {:.0} ms after the load ended", intake.waited_ms)
    };
    let _ = writeln!(
        md,
        "The last {} applications created were read every 250 ms until their workflow had run \
         its intake step: {} of {} reached `awaiting_evidence`; {outcome}. From creation to \
         the intake step's verdict, by the service's clock: p50 {} ms, max {} ms.",
        intake.sampled,
        intake.reached,
        intake.sampled,
        ms(intake.created_to_intake_p50_ms),
        ms(intake.created_to_intake_max_ms),
    );
    if !intake.other_statuses.is_empty() {
        let _ = writeln!(md, "\nWent to another status instead: {:?}.", intake.other_statuses);
    }
    if intake.read_errors > 0 {
        let _ = writeln!(md, "\nReads that failed while waiting: {}.", intake.read_errors);
    }
    let _ = writeln!(md);
}

fn render_errors(md: &mut String, report: &Report) {
    let _ = writeln!(md, "## Errors\n");
    let mut any = false;
    for level in &report.levels {
        for measured in &level.operations {
            for (kind, count) in &measured.figures.errors_by_kind {
                any = true;
                let _ = writeln!(
                    md,
                    "- `{}` at concurrency {}: {count} × {kind}",
                    measured.label, level.concurrency
                );
            }
            if measured.figures.requests < report.plan.requests {
                any = true;
                let _ = writeln!(
                    md,
                    "- `{}` at concurrency {}: only {} of {} requests sent in time",
                    measured.label,
                    level.concurrency,
                    measured.figures.requests,
                    report.plan.requests
                );
            }
        }
    }
    if !any {
        let _ = writeln!(
            md,
            "None: every request got the status expected (201 for POST, 200 for GET)."
        );
    }
}

/// A latency in milliseconds, or a dash when there is none.
fn ms(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |value| format!("{value:.2}"))
}

/// A ratio, or a dash when there is none.
fn times(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |value| format!("{value:.1}×"))
}

/// A git command's trimmed output, or `None` outside a checkout or without git.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
