//! The service as the load sees it: one HTTP client over loopback, and the requests measured.

use std::time::Duration;

use anyhow::{Context, bail};
use idproof_proofing::ApplicationId;
use idproof_workflows::{ProofingInput, ProofingWorkflow, RegistryRetry};
use reqwest::{RequestBuilder, StatusCode, header::CONTENT_TYPE};
use serde::Serialize;
use temporalio_client::{WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowStartOptions};

/// The body of every application the benchmark opens. It names no person.
const CREATE_BODY: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
/// How long one request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A request the benchmark measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Operation {
    /// `POST /v1/applications`: stores an application and starts its workflow.
    CreateApplication,
    /// `GET /v1/applications/{id}`: reads an application and its steps.
    ReadApplication,
    /// `GET /healthz`: no authentication, no database; the peer for ratios.
    Healthz,
    /// Temporal's `StartWorkflowExecution` called directly, as `POST` calls it, on a task queue
    /// no worker polls: the peer for what idproof adds to starting a workflow.
    TemporalStart,
}

impl Operation {
    /// The request line, as the report names it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::CreateApplication => "POST /v1/applications",
            Self::ReadApplication => "GET /v1/applications/{id}",
            Self::Healthz => "GET /healthz",
            Self::TemporalStart => "Temporal start_workflow, direct",
        }
    }

    /// The status a successful answer carries.
    pub(crate) fn expected(self) -> StatusCode {
        match self {
            Self::CreateApplication => StatusCode::CREATED,
            Self::ReadApplication | Self::Healthz | Self::TemporalStart => StatusCode::OK,
        }
    }
}

/// The running API and the key the benchmark uses, and Temporal for the direct peer.
pub(crate) struct Target {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    temporal: temporalio_client::Client,
    peer_task_queue: String,
}

impl Target {
    /// A client for the API at `base_url` (`http://127.0.0.1:PORT`).
    pub(crate) fn new(
        base_url: &str,
        api_key: &str,
        temporal: temporalio_client::Client,
        peer_task_queue: String,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(256)
            .build()
            .context("failed to build the HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            temporal,
            peer_task_queue,
        })
    }

    /// Starts a proofing workflow directly, as `POST /v1/applications` does after storing the
    /// application, on a task queue no worker polls.
    pub(crate) async fn start_workflow_directly(&self) -> anyhow::Result<()> {
        let application_id = ApplicationId::new();
        let input = ProofingInput {
            application_id,
            idle_timeout_secs: 86_400,
            step_timeout_secs: 30,
            registry_retry: RegistryRetry::default(),
            provider_retry: RegistryRetry::for_providers(),
        };
        let options =
            WorkflowStartOptions::new(self.peer_task_queue.clone(), application_id.to_string())
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
                .build();
        self.temporal.start_workflow(ProofingWorkflow::run, input, options).await?;
        Ok(())
    }

    /// The `n`th request of `operation`; reads go round the applications in `ids`.
    pub(crate) fn request(&self, operation: Operation, ids: &[String], n: usize) -> RequestBuilder {
        match operation {
            Operation::CreateApplication => self
                .http
                .post(format!("{}/v1/applications", self.base_url))
                .header("X-Api-Key", &self.api_key)
                .header(CONTENT_TYPE, "application/json")
                .body(CREATE_BODY),
            Operation::ReadApplication => {
                let id = ids.get(n % ids.len().max(1)).map_or("", String::as_str);
                self.read(id)
            }
            Operation::Healthz | Operation::TemporalStart => {
                self.http.get(format!("{}/healthz", self.base_url))
            }
        }
    }

    /// `GET /v1/applications/{id}`.
    pub(crate) fn read(&self, id: &str) -> RequestBuilder {
        self.http
            .get(format!("{}/v1/applications/{id}", self.base_url))
            .header("X-Api-Key", &self.api_key)
    }

    /// Waits until `/readyz` answers 200: the database and Temporal both answer.
    pub(crate) async fn wait_ready(&self, patience: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + patience;
        let url = format!("{}/readyz", self.base_url);

        loop {
            let status = self
                .http
                .get(&url)
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .map(|response| response.status());
            match status {
                Ok(StatusCode::OK) => return Ok(()),
                Ok(status) if tokio::time::Instant::now() >= deadline => {
                    bail!("{url} still answered {status} after {patience:?}")
                }
                Err(err) if tokio::time::Instant::now() >= deadline => {
                    return Err(err).with_context(|| format!("{url} did not answer"));
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}
