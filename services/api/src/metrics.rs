//! Prometheus metrics for `/metrics`.

use std::{sync::Arc, time::Duration};

use poem::http::{Method, StatusCode};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The registry and the metrics the API records.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: IntCounterVec,
    latency: HistogramVec,
    applications_created: IntCounterVec,
}

impl Metrics {
    /// A fresh registry with the API's metrics registered.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("idproof".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            &["method", "operation", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to serve a request")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["method", "operation"],
        )?;
        let applications_created = IntCounterVec::new(
            Opts::new("applications_created_total", "Applications created"),
            &["purpose", "tier", "channel"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(applications_created.clone()))?;
        Ok(Self { registry: Arc::new(registry), requests, latency, applications_created })
    }

    pub(crate) fn observe_request(
        &self,
        method: &Method,
        operation: &str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        self.requests.with_label_values(&[method.as_str(), operation, status.as_str()]).inc();
        self.latency
            .with_label_values(&[method.as_str(), operation])
            .observe(elapsed.as_secs_f64());
    }

    pub(crate) fn application_created(&self, purpose: &str, tier: &str, channel: &str) {
        self.applications_created.with_label_values(&[purpose, tier, channel]).inc();
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(err) = encoder.encode(&self.registry.gather(), &mut buffer) {
            tracing::warn!(error = %err, "failed to encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
