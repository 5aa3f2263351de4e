//! HTTP API v1 of idproof. It starts and signals workflows through Temporal and reads what the
//! activities wrote; it never judges evidence itself.

#![warn(missing_docs)]

mod applications;
mod auth;
mod chip;
mod engine;
mod evidence;
mod face;
mod health;
mod metrics;
mod middleware;
mod mobile;
mod problem;
mod registry;
mod sim;
mod state;
mod stay_changes;
mod views;

use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

pub use auth::Scope;
pub use engine::{EngineError, WorkflowEngine};
pub use face::FaceSettings;
pub use metrics::Metrics;
pub use mobile::MobileSettings;
pub use problem::{ApiError, PROBLEM_JSON, Problem};
pub use state::ApiState;
pub use stay_changes::{StayChangeError, StayChangeReceipt, StayChangeReceiver};

use applications::ApplicationsApi;
use chip::ChipApi;
pub use chip::ChipRefusal;
use evidence::EvidenceApi;
use face::FaceApi;
use health::OpsApi;
pub use middleware::REQUEST_ID_HEADER;
use middleware::{BodyLimits, RequestContext};
use mobile::MobileApi;
use registry::RegistryApi;
use sim::SimApi;

/// Every documented group of operations, in the order the document lists them.
type Operations =
    (ApplicationsApi, EvidenceApi, ChipApi, FaceApi, MobileApi, SimApi, RegistryApi, OpsApi);

/// The OpenAPI service: every documented operation.
pub fn openapi_service() -> OpenApiService<Operations, ()> {
    OpenApiService::new(
        (ApplicationsApi, EvidenceApi, ChipApi, FaceApi, MobileApi, SimApi, RegistryApi, OpsApi),
        "idproof",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Identity proofing for foreigners in Thailand: passport, immigration record and \
             mobile number, turned into a tiered digital ID. Errors are problem+json (RFC 9457) \
             with a stable `code` and the request id.",
    )
}

/// The OpenAPI document, as committed in `openapi/idproof.json`.
pub fn openapi_json() -> String {
    openapi_service().spec()
}

/// The whole HTTP application: the API, Swagger UI at `/docs`, and the middleware.
pub fn app(state: ApiState) -> impl Endpoint {
    let service = openapi_service();
    let docs = service.swagger_ui();
    let spec = service.spec_endpoint();
    let limits = BodyLimits { body: state.body_limit, image: state.image_limit };
    let context = RequestContext { limits, metrics: state.metrics.clone() };

    Route::new()
        .nest("/", service)
        .nest("/docs", docs)
        .at("/openapi.json", spec)
        .with(context)
        .data(state)
}
