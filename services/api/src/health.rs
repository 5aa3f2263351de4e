//! Liveness, readiness and metrics for the operators and their probes.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    payload::{Json, PlainText},
};

use crate::state::ApiState;

#[derive(Tags)]
enum OpsTags {
    /// Probes and metrics for operators.
    Operations,
}

/// The operations API.
pub struct OpsApi;

/// Whether each dependency answered.
#[derive(Debug, Object)]
pub struct Readiness {
    /// The database answered.
    pub database: bool,
    /// The Temporal frontend answered.
    pub temporal: bool,
}

/// The answer to a readiness probe.
#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Every dependency answered.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// A dependency did not answer in time.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

#[OpenApi(tag = "OpsTags::Operations")]
impl OpsApi {
    /// Liveness
    ///
    /// Answers while the process serves requests.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> PlainText<&'static str> {
        PlainText("ok")
    }

    /// Readiness
    ///
    /// Answers 200 when the database and Temporal both answer.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&ApiState>) -> ReadyResponse {
        let timeout = state.readiness_timeout;
        let (database, temporal) = tokio::join!(
            tokio::time::timeout(timeout, state.store.ping()),
            tokio::time::timeout(timeout, state.engine.ping()),
        );
        let readiness = Readiness {
            database: matches!(database, Ok(Ok(()))),
            temporal: matches!(temporal, Ok(Ok(()))),
        };
        if readiness.database && readiness.temporal {
            ReadyResponse::Ready(Json(readiness))
        } else {
            tracing::warn!(
                database = readiness.database,
                temporal = readiness.temporal,
                "not ready"
            );
            ReadyResponse::NotReady(Json(readiness))
        }
    }

    /// Metrics
    ///
    /// Prometheus text format.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self, state: Data<&ApiState>) -> PlainText<String> {
        PlainText(state.metrics.render())
    }
}
