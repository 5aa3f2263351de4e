//! Whether the worker keeps up: after the load, the last applications opened are read until
//! their workflow has run its first step and they await evidence.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    client::Target,
    load::{millis, percentile},
};

/// The status of an application whose workflow has not yet run intake.
const RECEIVED: &str = "received";
/// The status an application takes once its intake step has passed.
const AWAITING_EVIDENCE: &str = "awaiting_evidence";
/// How often the sample is read.
const POLL_EVERY: Duration = Duration::from_millis(250);
/// How long one read may take.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How the sample fared.
#[derive(Debug, Serialize)]
pub(crate) struct Intake {
    /// Applications watched: the last ones opened.
    pub(crate) sampled: usize,
    /// How many reached `awaiting_evidence` in time.
    pub(crate) reached: usize,
    /// The ones that went to another status instead, by status.
    pub(crate) other_statuses: BTreeMap<String, usize>,
    /// Whether the wait gave up with some still short of intake.
    pub(crate) timed_out: bool,
    /// From the end of the load until the last of the sample reached intake, or until the wait
    /// gave up.
    pub(crate) waited_ms: f64,
    /// Median time from an application's creation to its intake step, by the service's clock.
    pub(crate) created_to_intake_p50_ms: Option<f64>,
    /// Slowest of those.
    pub(crate) created_to_intake_max_ms: Option<f64>,
    /// Reads that failed while polling.
    pub(crate) read_errors: usize,
}

/// The parts of an application the wait looks at.
#[derive(Deserialize)]
struct Application {
    status: String,
    created_at: DateTime<Utc>,
    steps: Vec<StepResult>,
}

#[derive(Deserialize)]
struct StepResult {
    step: String,
    recorded_at: DateTime<Utc>,
}

/// Reads the applications in `sample` until each awaits evidence or `patience` runs out.
pub(crate) async fn wait(target: &Target, sample: &[String], patience: Duration) -> Intake {
    let started = Instant::now();
    let mut pending: Vec<&String> = sample.iter().collect();
    let mut intake_times = Vec::new();
    let mut other_statuses = BTreeMap::new();
    let mut read_errors = 0;

    while !pending.is_empty() && started.elapsed() < patience {
        let mut still_pending = Vec::new();
        for id in pending {
            if started.elapsed() >= patience {
                still_pending.push(id);
                continue;
            }
            match read(target, id).await {
                Some(application) if application.status == AWAITING_EVIDENCE => {
                    intake_times.extend(time_to_intake(&application));
                }
                Some(application) if application.status == RECEIVED => still_pending.push(id),
                Some(application) => {
                    *other_statuses.entry(application.status).or_insert(0) += 1;
                }
                None => {
                    read_errors += 1;
                    still_pending.push(id);
                }
            }
        }
        pending = still_pending;
        if !pending.is_empty() {
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    let waited = started.elapsed();
    intake_times.sort_unstable();
    Intake {
        sampled: sample.len(),
        reached: sample.len() - pending.len() - other_statuses.values().sum::<usize>(),
        other_statuses,
        timed_out: !pending.is_empty(),
        waited_ms: millis(waited),
        created_to_intake_p50_ms: percentile(&intake_times, 50.0).map(millis),
        created_to_intake_max_ms: intake_times.last().copied().map(millis),
        read_errors,
    }
}

/// One application, or `None` when it could not be read.
async fn read(target: &Target, id: &str) -> Option<Application> {
    let response = target.read(id).timeout(READ_TIMEOUT).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

/// From creation to the intake step's verdict, by the service's clock.
fn time_to_intake(application: &Application) -> Option<Duration> {
    let intake = application.steps.iter().find(|step| step.step == "intake")?;
    (intake.recorded_at - application.created_at).to_std().ok()
}
