//! The API's side of Temporal: start a proofing workflow, signal it, check the server answers.

use std::time::Duration;

use idproof_proofing::ApplicationId;
use idproof_workflows::{
    CancelReason, CodeAnswered, EvidenceSubmitted, ProofingInput, ProofingWorkflow, RegistryRetry,
    StayChanged,
};
use temporalio_client::{
    Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowSignalOptions,
    WorkflowStartOptions,
    errors::{WorkflowInteractionError, WorkflowStartError},
    tonic::IntoRequest,
};
use temporalio_common::protos::grpc::health::v1::HealthCheckRequest;

/// Why Temporal could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The workflow does not exist or has ended.
    #[error("the workflow does not exist or has ended")]
    WorkflowGone,
    /// Temporal did not answer or refused.
    #[error("temporal request failed")]
    Unavailable(#[source] anyhow::Error),
}

/// Starts and signals proofing workflows.
#[derive(Clone)]
pub struct WorkflowEngine {
    client: Client,
    task_queue: String,
    idle_timeout: Duration,
    step_timeout: Duration,
    registry_retry: RegistryRetry,
    provider_retry: RegistryRetry,
}

impl WorkflowEngine {
    /// An engine over a connected client that starts workflows on `task_queue`, with the
    /// timeouts new workflows get.
    pub fn new(
        client: Client,
        task_queue: String,
        idle_timeout: Duration,
        step_timeout: Duration,
    ) -> Self {
        Self {
            client,
            task_queue,
            idle_timeout,
            step_timeout,
            registry_retry: RegistryRetry::default(),
            provider_retry: RegistryRetry::for_providers(),
        }
    }

    /// The engine with the registry lookup's retries new workflows get.
    pub fn with_registry_retry(mut self, retry: RegistryRetry) -> Self {
        self.registry_retry = retry;
        self
    }

    /// The engine with the SMS gateway's and face provider's retries new workflows get.
    pub fn with_provider_retry(mut self, retry: RegistryRetry) -> Self {
        self.provider_retry = retry;
        self
    }

    /// Starts the workflow for an application; starting it twice is harmless.
    pub async fn start(&self, application_id: ApplicationId) -> Result<(), EngineError> {
        let input = ProofingInput {
            application_id,
            idle_timeout_secs: self.idle_timeout.as_secs(),
            step_timeout_secs: self.step_timeout.as_secs(),
            registry_retry: self.registry_retry,
            provider_retry: self.provider_retry,
        };
        let options =
            WorkflowStartOptions::new(self.task_queue.clone(), application_id.to_string())
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
                .build();

        match self.client.start_workflow(ProofingWorkflow::run, input, options).await {
            Ok(_) | Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(()),
            Err(err) => Err(EngineError::Unavailable(err.into())),
        }
    }

    /// Asks the application's workflow to cancel.
    pub async fn cancel(&self, application_id: ApplicationId) -> Result<(), EngineError> {
        let handle =
            self.client.get_workflow_handle::<ProofingWorkflow>(application_id.to_string());
        let signalled = handle
            .signal(
                ProofingWorkflow::cancel,
                CancelReason::ClientRequest,
                WorkflowSignalOptions::default(),
            )
            .await;
        signal_outcome(signalled)
    }

    /// Tells the application's workflow that evidence was stored; it runs the step that judges
    /// it. The signal carries the evidence's id and kind, never the evidence.
    pub async fn submit_evidence(
        &self,
        application_id: ApplicationId,
        evidence: EvidenceSubmitted,
    ) -> Result<(), EngineError> {
        let handle =
            self.client.get_workflow_handle::<ProofingWorkflow>(application_id.to_string());
        let signalled = handle
            .signal(ProofingWorkflow::submit_evidence, evidence, WorkflowSignalOptions::default())
            .await;
        signal_outcome(signalled)
    }

    /// Tells the application's workflow how its one-time code was answered: verified, so the
    /// number can be bound, or locked, so the case goes to an officer.
    pub async fn code_answered(
        &self,
        application_id: ApplicationId,
        answer: CodeAnswered,
    ) -> Result<(), EngineError> {
        let handle =
            self.client.get_workflow_handle::<ProofingWorkflow>(application_id.to_string());
        let signalled = handle
            .signal(ProofingWorkflow::code_answered, answer, WorkflowSignalOptions::default())
            .await;
        signal_outcome(signalled)
    }

    /// Tells the application's workflow that the registry reported a change to its person's
    /// stay. The signal carries the change's kind and cursor, never the person.
    pub async fn stay_changed(
        &self,
        application_id: ApplicationId,
        change: StayChanged,
    ) -> Result<(), EngineError> {
        let handle =
            self.client.get_workflow_handle::<ProofingWorkflow>(application_id.to_string());
        let signalled = handle
            .signal(ProofingWorkflow::stay_changed, change, WorkflowSignalOptions::default())
            .await;
        signal_outcome(signalled)
    }

    /// Whether the Temporal frontend answers its health check.
    pub async fn ping(&self) -> Result<(), EngineError> {
        let mut health = self.client.connection().health_service();
        health
            .check(HealthCheckRequest::default().into_request())
            .await
            .map(|_| ())
            .map_err(|status| EngineError::Unavailable(status.into()))
    }
}

/// A signal's outcome: a workflow that is gone has ended; anything else is Temporal failing.
fn signal_outcome(signalled: Result<(), WorkflowInteractionError>) -> Result<(), EngineError> {
    match signalled {
        Ok(()) => Ok(()),
        Err(WorkflowInteractionError::NotFound(_)) => Err(EngineError::WorkflowGone),
        Err(err) => Err(EngineError::Unavailable(err.into())),
    }
}
