//! `ProofingWorkflow`: one per application, with the application id as workflow id.
//!
//! It plans the evidence, then waits. Each evidence signal runs the step that judges it; the
//! application expires when no evidence arrives for the idle timeout, and ends when the client
//! cancels it. Every verdict is written by an activity, never by the workflow.

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    time::Duration,
};

use idproof_proofing::{ApplicationStatus, EvidenceKind, Step, StepOutcome, Verdict};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, SyncWorkflowContext, TimerOptions, WorkflowCancellationToken, WorkflowContext,
    WorkflowContextView, WorkflowResult, workflows::select,
};

use crate::{
    activities::{JudgeEvidence, ProofingActivities, RecordVerdict},
    messages::{CancelReason, EvidenceSubmitted, ProofingInput, ProofingOutcome},
};

/// The proofing of one application.
#[workflow]
#[derive(Default)]
pub struct ProofingWorkflow {
    /// Evidence signalled and not yet judged, in arrival order.
    pending: VecDeque<EvidenceSubmitted>,
    /// Set once the client asks to cancel.
    cancel: Option<CancelReason>,
    /// Evidence kinds whose step passed.
    passed: BTreeSet<EvidenceKind>,
}

/// What woke the workflow from waiting.
enum Wake {
    Message,
    Idle,
    WorkflowCancelled,
}

#[workflow_methods]
impl ProofingWorkflow {
    /// Runs the application to its end.
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: ProofingInput,
    ) -> WorkflowResult<ProofingOutcome> {
        let step_timeout = Duration::from_secs(input.step_timeout_secs.max(1));
        let idle_timeout = Duration::from_secs(input.idle_timeout_secs.max(1));
        let options = || ActivityOptions::with_start_to_close_timeout(step_timeout).build();
        let mut attempts: BTreeMap<Step, i32> = BTreeMap::new();

        let intake = ctx
            .execute_activity(
                ProofingActivities::plan_evidence,
                input.application_id,
                options(),
            )
            .await?;
        let Some(plan) = intake.plan else {
            return Ok(ProofingOutcome {
                status: ApplicationStatus::Rejected,
                closing_step: intake.outcome,
            });
        };

        loop {
            let idle_token = ctx.cancellation_token().child_token();
            let idle = TimerOptions::builder(idle_timeout).cancellation_token(idle_token.clone());
            let wake = select! {
                waited = ctx.wait_condition(|s| !s.pending.is_empty() || s.cancel.is_some()) => {
                    match waited {
                        Ok(()) => Wake::Message,
                        Err(_) => Wake::WorkflowCancelled,
                    }
                }
                _ = ctx.timer(idle.build()) => Wake::Idle,
            };
            idle_token.cancel();

            let cancel = match wake {
                Wake::WorkflowCancelled => Some(CancelReason::WorkflowCancelled),
                Wake::Message => ctx.state(|s| s.cancel),
                Wake::Idle if ctx.cancellation_token().is_cancelled() => {
                    Some(CancelReason::WorkflowCancelled)
                }
                Wake::Idle => {
                    let outcome = StepOutcome::new(Step::Expiry, Verdict::Failed, "idle_timeout");
                    return close(ctx, &input, outcome, ApplicationStatus::Expired).await;
                }
            };
            if let Some(reason) = cancel {
                let outcome = StepOutcome::new(Step::Cancellation, Verdict::Passed, reason.code());
                return close(ctx, &input, outcome, ApplicationStatus::Cancelled).await;
            }

            while let Some(submitted) = ctx.state_mut(|s| s.pending.pop_front()) {
                let attempt = attempts.entry(submitted.kind.step()).or_insert(0);
                *attempt += 1;
                let judge = JudgeEvidence {
                    application_id: input.application_id,
                    evidence_id: submitted.evidence_id,
                    kind: submitted.kind,
                    attempt: *attempt,
                };
                let outcome = ctx
                    .execute_activity(ProofingActivities::judge_evidence, judge, options())
                    .await?;
                if outcome.verdict == Verdict::Passed {
                    ctx.state_mut(|s| s.passed.insert(submitted.kind));
                }
            }

            // Service-run checks (the immigration registry, an officer's confirmation) join the
            // plan as their steps are built; until then a plan that needs one keeps waiting.
            let all_passed =
                ctx.state(|s| plan.required.iter().all(|kind| s.passed.contains(kind)));
            if all_passed && !plan.immigration_check && !plan.officer_confirmation {
                let outcome =
                    StepOutcome::new(Step::Decision, Verdict::Passed, "all_evidence_passed");
                return close(ctx, &input, outcome, ApplicationStatus::Completed).await;
            }
        }
    }

    /// Evidence was stored for this application.
    #[signal]
    pub fn submit_evidence(
        &mut self,
        _ctx: &mut SyncWorkflowContext<Self>,
        evidence: EvidenceSubmitted,
    ) {
        self.pending.push_back(evidence);
    }

    /// The client asks to cancel the application.
    #[signal]
    pub fn cancel(&mut self, _ctx: &mut SyncWorkflowContext<Self>, reason: CancelReason) {
        self.cancel.get_or_insert(reason);
    }

    /// How many evidence submissions wait to be judged.
    #[query]
    pub fn pending_evidence(&self, _ctx: &WorkflowContextView) -> usize {
        self.pending.len()
    }
}

/// Records the closing verdict and ends the workflow. The activity runs even when the workflow
/// itself is being cancelled, so the application never stays open in the database.
async fn close(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    outcome: StepOutcome,
    status: ApplicationStatus,
) -> WorkflowResult<ProofingOutcome> {
    let options = ActivityOptions::with_start_to_close_timeout(Duration::from_secs(
        input.step_timeout_secs.max(1),
    ))
    .cancellation_token(WorkflowCancellationToken::new())
    .build();
    let record = RecordVerdict {
        application_id: input.application_id,
        attempt: 1,
        outcome: outcome.clone(),
        evidence_id: None,
        next_status: Some(status),
    };
    ctx.execute_activity(ProofingActivities::record_verdict, record, options)
        .await?;
    Ok(ProofingOutcome {
        status,
        closing_step: outcome,
    })
}
