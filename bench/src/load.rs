//! The load loop: a bounded number of requests of one operation at a fixed concurrency, and the
//! figures drawn from their latencies.

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::client::{Operation, Target};

/// How long one operation at one level may keep sending; requests not sent by then are
/// dropped, and the figures show fewer requests than planned.
const OPERATION_PATIENCE: Duration = Duration::from_secs(180);

/// How many requests each operation gets at each level.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Plan {
    /// Requests measured.
    pub(crate) requests: usize,
    /// Requests sent first and not counted.
    pub(crate) warmup: usize,
}

/// Every operation measured at one concurrency level.
#[derive(Debug, Serialize)]
pub(crate) struct Level {
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// In the order they ran.
    pub(crate) operations: Vec<Measured>,
    /// The applications the measured requests created, oldest first.
    #[serde(skip)]
    pub(crate) created: Vec<String>,
}

impl Level {
    /// The figures of `operation` at this level.
    pub(crate) fn figures(&self, operation: Operation) -> Option<&Figures> {
        self.operations
            .iter()
            .find(|measured| measured.operation == operation)
            .map(|measured| &measured.figures)
    }
}

/// One operation at one level.
#[derive(Debug, Serialize)]
pub(crate) struct Measured {
    /// Which.
    pub(crate) operation: Operation,
    /// Its request line.
    pub(crate) label: &'static str,
    /// What was measured.
    #[serde(flatten)]
    pub(crate) figures: Figures,
}

/// Counts, throughput and latency of one run. Latencies are of successful requests only, from
/// sending to the last byte of the body; throughput counts successful requests only.
#[derive(Debug, Serialize)]
pub(crate) struct Figures {
    /// Requests answered, successfully or not.
    pub(crate) requests: usize,
    /// Requests answered with the expected status.
    pub(crate) ok: usize,
    /// Requests that failed: another status, a timeout, a broken connection.
    pub(crate) errors: usize,
    /// The errors by kind, such as `status 503` or `timeout`.
    pub(crate) errors_by_kind: BTreeMap<String, usize>,
    /// From the first request sent to the last answer read.
    pub(crate) wall_ms: f64,
    /// Successful requests per second of wall time.
    pub(crate) throughput_per_s: f64,
    /// Median latency.
    pub(crate) p50_ms: Option<f64>,
    /// 90th percentile latency.
    pub(crate) p90_ms: Option<f64>,
    /// 99th percentile latency.
    pub(crate) p99_ms: Option<f64>,
    /// Slowest latency.
    pub(crate) max_ms: Option<f64>,
}

impl Figures {
    fn new(
        mut latencies: Vec<Duration>,
        errors_by_kind: BTreeMap<String, usize>,
        wall: Duration,
    ) -> Self {
        latencies.sort_unstable();
        let ok = latencies.len();
        let errors = errors_by_kind.values().sum();
        let wall_secs = wall.as_secs_f64();
        let at = |p: f64| percentile(&latencies, p).map(millis);

        Self {
            requests: ok + errors,
            ok,
            errors,
            errors_by_kind,
            wall_ms: millis(wall),
            throughput_per_s: if wall_secs > 0.0 {
                (ok as f64 / wall_secs * 100.0).round() / 100.0
            } else {
                0.0
            },
            p50_ms: at(50.0),
            p90_ms: at(90.0),
            p99_ms: at(99.0),
            max_ms: latencies.last().copied().map(millis),
        }
    }
}

/// Measures every operation at `concurrency`: the `/healthz` peer, then opening applications,
/// then reading the ones just opened. Each gets its warm-up first.
pub(crate) async fn level(
    target: &Arc<Target>,
    concurrency: usize,
    plan: Plan,
) -> anyhow::Result<Level> {
    let no_ids = Arc::new(Vec::new());
    let mut operations = Vec::new();

    run(target, Operation::Healthz, concurrency, plan.warmup, &no_ids).await?;
    let healthz = run(target, Operation::Healthz, concurrency, plan.requests, &no_ids).await?;
    operations.push(healthz.measured(Operation::Healthz));

    run(target, Operation::TemporalStart, concurrency, plan.warmup, &no_ids).await?;
    let temporal =
        run(target, Operation::TemporalStart, concurrency, plan.requests, &no_ids).await?;
    operations.push(temporal.measured(Operation::TemporalStart));

    run(target, Operation::CreateApplication, concurrency, plan.warmup, &no_ids).await?;
    let mut create =
        run(target, Operation::CreateApplication, concurrency, plan.requests, &no_ids).await?;
    if create.created.is_empty() {
        bail!(
            "no application was opened at concurrency {concurrency}; errors: {:?}",
            create.figures.errors_by_kind
        );
    }
    let created = Arc::new(std::mem::take(&mut create.created));
    operations.push(create.measured(Operation::CreateApplication));

    run(target, Operation::ReadApplication, concurrency, plan.warmup, &created).await?;
    let read =
        run(target, Operation::ReadApplication, concurrency, plan.requests, &created).await?;
    operations.push(read.measured(Operation::ReadApplication));

    tracing::info!(concurrency, "level measured");
    Ok(Level { concurrency, operations, created: Arc::unwrap_or_clone(created) })
}

/// What one run of one operation left.
struct Run {
    figures: Figures,
    created: Vec<String>,
}

impl Run {
    fn measured(self, operation: Operation) -> Measured {
        Measured { operation, label: operation.label(), figures: self.figures }
    }
}

/// Sends `requests` requests of `operation`, `concurrency` at a time.
async fn run(
    target: &Arc<Target>,
    operation: Operation,
    concurrency: usize,
    requests: usize,
    ids: &Arc<Vec<String>>,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();

    for _ in 0..concurrency.min(requests) {
        let (target, ids, next) = (Arc::clone(target), Arc::clone(ids), Arc::clone(&next));
        tasks.spawn(async move {
            let mut tally = Tally::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests || started.elapsed() >= OPERATION_PATIENCE {
                    break;
                }
                let (answer, latency) = exchange(&target, operation, &ids, n).await;
                tally.record(answer, latency);
            }
            tally
        });
    }

    let mut total = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        total.merge(joined.context("a load task panicked")?);
    }
    let wall = started.elapsed();

    Ok(Run { figures: Figures::new(total.latencies, total.errors, wall), created: total.created })
}

/// What one request came back with.
enum Answer {
    /// The expected status; for a new application, its id.
    Ok(Option<String>),
    /// Anything else, by kind.
    Error(String),
}

/// The part of a new application the benchmark keeps.
#[derive(Deserialize)]
struct Created {
    id: String,
}

/// Sends the `n`th request and reads the whole answer; the latency ends at its last byte.
async fn exchange(
    target: &Target,
    operation: Operation,
    ids: &[String],
    n: usize,
) -> (Answer, Duration) {
    if operation == Operation::TemporalStart {
        let sent = Instant::now();
        let started = target.start_workflow_directly().await;
        let latency = sent.elapsed();
        let answer = match started {
            Ok(()) => Answer::Ok(None),
            Err(_) => Answer::Error("temporal start".to_owned()),
        };
        return (answer, latency);
    }

    let sent = Instant::now();
    let answered = async {
        let response = target.request(operation, ids, n).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, body))
    }
    .await;
    let latency = sent.elapsed();

    let answer = match answered {
        Err(err) => Answer::Error(transport_kind(&err).to_owned()),
        Ok((status, _)) if status != operation.expected() => {
            Answer::Error(format!("status {}", status.as_u16()))
        }
        Ok((_, body)) if operation == Operation::CreateApplication => {
            match serde_json::from_slice::<Created>(&body) {
                Ok(created) => Answer::Ok(Some(created.id)),
                Err(_) => Answer::Error("unreadable body".to_owned()),
            }
        }
        Ok(_) => Answer::Ok(None),
    };
    (answer, latency)
}

/// A short name for a failed exchange; the error's text may carry the URL and is not kept.
fn transport_kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else {
        "transport"
    }
}

/// What one load task saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: BTreeMap<String, usize>,
    created: Vec<String>,
}

impl Tally {
    fn record(&mut self, answer: Answer, latency: Duration) {
        match answer {
            Answer::Ok(id) => {
                self.latencies.push(latency);
                self.created.extend(id);
            }
            Answer::Error(kind) => *self.errors.entry(kind).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.created.extend(other.created);
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
    }
}

/// The `p`th percentile (0 to 100) of `sorted`, which must be in ascending order, by nearest
/// rank: the smallest value that at least `p`% of the values are at or below. `None` when
/// there are no values.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    let last = sorted.len().checked_sub(1)?;
    let rank = (p.clamp(0.0, 100.0) / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1).min(last)).copied()
}

/// A duration in milliseconds, to the microsecond.
pub(crate) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: impl IntoIterator<Item = u64>) -> Vec<Duration> {
        values.into_iter().map(Duration::from_millis).collect()
    }

    #[test]
    fn no_values_have_no_percentile() {
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn one_value_is_every_percentile() {
        let one = ms([7]);
        for p in [0.0, 1.0, 50.0, 99.0, 100.0] {
            assert_eq!(percentile(&one, p), Some(Duration::from_millis(7)), "p{p}");
        }
    }

    #[test]
    fn a_hundred_values_give_their_rank() {
        let values = ms(1..=100);
        assert_eq!(percentile(&values, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&values, 90.0), Some(Duration::from_millis(90)));
        assert_eq!(percentile(&values, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&values, 100.0), Some(Duration::from_millis(100)));
    }

    #[test]
    fn a_rank_between_values_rounds_up() {
        let values = ms(1..=10);
        assert_eq!(percentile(&values, 50.0), Some(Duration::from_millis(5)));
        assert_eq!(percentile(&values, 90.0), Some(Duration::from_millis(9)));
        assert_eq!(percentile(&values, 99.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&values, 55.0), Some(Duration::from_millis(6)));
    }

    #[test]
    fn out_of_range_percentiles_are_clamped() {
        let values = ms([1, 2, 3]);
        assert_eq!(percentile(&values, 0.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&values, -5.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&values, 250.0), Some(Duration::from_millis(3)));
    }

    #[test]
    fn figures_count_errors_apart_from_latencies() {
        let errors = BTreeMap::from([("status 503".to_owned(), 2)]);
        let figures = Figures::new(ms([30, 10, 20]), errors, Duration::from_secs(2));
        assert_eq!((figures.requests, figures.ok, figures.errors), (5, 3, 2));
        assert_eq!(figures.p50_ms, Some(20.0));
        assert_eq!(figures.max_ms, Some(30.0));
        assert!((figures.throughput_per_s - 1.5).abs() < 1e-9);
    }
}
