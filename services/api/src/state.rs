//! What every handler shares.

use std::{sync::Arc, time::Duration};

use idproof_proofing::Clock;
use idproof_store::Store;

use crate::{
    engine::WorkflowEngine, face::FaceSettings, metrics::Metrics, mobile::MobileSettings,
    stay_changes::StayChangeReceiver,
};

/// The API's dependencies, handed to each request.
#[derive(Clone)]
pub struct ApiState {
    /// The database.
    pub store: Store,
    /// Temporal.
    pub engine: WorkflowEngine,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The metrics registry.
    pub metrics: Metrics,
    /// The largest request body taken, in bytes, but for MRZ images.
    pub body_limit: usize,
    /// The largest MRZ image taken, in bytes.
    pub image_limit: usize,
    /// How many MRZ images are read at once: each may decode to tens of megapixels and keeps a
    /// core busy, so more wait their turn rather than exhaust memory.
    pub image_readers: Arc<tokio::sync::Semaphore>,
    /// How long `/readyz` waits for each dependency.
    pub readiness_timeout: Duration,
    /// Acts on the stay changes the registry pushes.
    pub stay_changes: StayChangeReceiver,
    /// The one-time code step's limits and keys.
    pub mobile: MobileSettings,
    /// The bounds a selfie and its liveness result are held to.
    pub face: FaceSettings,
}
