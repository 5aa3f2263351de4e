//! `ProofingWorkflow`: one per application, with the application id as workflow id.
//!
//! It plans the evidence, then waits. Each evidence signal runs the step that judges it; the
//! application expires when no evidence arrives for the idle timeout, and ends when the client
//! cancels it. Every verdict is written by an activity, never by the workflow.

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    time::Duration,
};

use idproof_proofing::{ApplicationStatus, EvidenceKind, EvidencePlan, Step, StepOutcome, Verdict};
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
    /// Attempts per step so far; the next attempt's number is one more.
    attempts: BTreeMap<Step, i32>,
}

/// What ended a wait for evidence.
enum Wake {
    /// Evidence is pending.
    Evidence,
    /// Nothing arrived within the idle timeout.
    Idle,
    /// The client or Temporal asked to cancel.
    Cancel(CancelReason),
}

#[workflow_methods]
impl ProofingWorkflow {
    /// Runs the application to its end.
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: ProofingInput,
    ) -> WorkflowResult<ProofingOutcome> {
        let timeouts = Timeouts::of(&input);

        let intake = ctx
            .execute_activity(
                ProofingActivities::plan_evidence,
                input.application_id,
                timeouts.activity(),
            )
            .await?;
        let Some(plan) = intake.plan else {
            return Ok(ProofingOutcome {
                status: ApplicationStatus::Rejected,
                closing_step: intake.outcome,
            });
        };

        loop {
            match wait_for_evidence(ctx, timeouts.idle).await {
                Wake::Evidence => {}
                Wake::Idle => {
                    let outcome = StepOutcome::new(Step::Expiry, Verdict::Failed, "idle_timeout");
                    return close(ctx, &input, outcome, ApplicationStatus::Expired).await;
                }
                Wake::Cancel(reason) => {
                    let outcome =
                        StepOutcome::new(Step::Cancellation, Verdict::Passed, reason.code());
                    return close(ctx, &input, outcome, ApplicationStatus::Cancelled).await;
                }
            }

            judge_pending_evidence(ctx, &input, &timeouts).await?;

            if ctx.state(|s| plan_satisfied(&plan, &s.passed)) {
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

/// The workflow's timeouts, from its input.
struct Timeouts {
    idle: Duration,
    step: Duration,
}

impl Timeouts {
    fn of(input: &ProofingInput) -> Self {
        Self {
            idle: Duration::from_secs(input.idle_timeout_secs.max(1)),
            step: Duration::from_secs(input.step_timeout_secs.max(1)),
        }
    }

    /// Options for a step's activity: one attempt may run `step` long, then Temporal retries it,
    /// on another worker if this one died.
    fn activity(&self) -> ActivityOptions {
        ActivityOptions::with_start_to_close_timeout(self.step).build()
    }
}

/// Waits for evidence, a cancellation, or the idle timeout, whichever comes first. The idle
/// timer is cancelled when something else wins, so it leaves no stray timer in history.
async fn wait_for_evidence(ctx: &mut WorkflowContext<ProofingWorkflow>, idle: Duration) -> Wake {
    let idle_token = ctx.cancellation_token().child_token();
    let timer = TimerOptions::builder(idle).cancellation_token(idle_token.clone()).build();
    let woken_by_message = select! {
        waited = ctx.wait_condition(|s| !s.pending.is_empty() || s.cancel.is_some()) => {
            waited.is_ok()
        }
        _ = ctx.timer(timer) => false,
    };
    idle_token.cancel();

    // Cancelling the workflow in Temporal ends the wait too: treat it as a cancellation.
    if ctx.cancellation_token().is_cancelled() {
        return Wake::Cancel(CancelReason::WorkflowCancelled);
    }
    if !woken_by_message {
        return Wake::Idle;
    }
    match ctx.state(|s| s.cancel) {
        Some(reason) => Wake::Cancel(reason),
        None => Wake::Evidence,
    }
}

/// Runs the step for each pending submission, in arrival order. Evidence the step cannot even
/// read fails its step rather than the workflow, so the application stays answerable.
async fn judge_pending_evidence(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
) -> WorkflowResult<()> {
    while let Some(submitted) = ctx.state_mut(|s| s.pending.pop_front()) {
        let step = submitted.kind.step();
        let attempt = ctx.state_mut(|s| {
            let attempt = s.attempts.entry(step).or_insert(0);
            *attempt += 1;
            *attempt
        });
        let judge = JudgeEvidence {
            application_id: input.application_id,
            evidence_id: submitted.evidence_id,
            kind: submitted.kind,
            attempt,
        };

        let judged = ctx
            .execute_activity(ProofingActivities::judge_evidence, judge, timeouts.activity())
            .await;
        match judged {
            Ok(outcome) if outcome.verdict == Verdict::Passed => {
                ctx.state_mut(|s| s.passed.insert(submitted.kind));
            }
            Ok(_) => {}
            Err(_) => {
                let record = RecordVerdict {
                    application_id: input.application_id,
                    attempt,
                    outcome: StepOutcome::new(step, Verdict::Failed, "evidence_unreadable"),
                    evidence_id: Some(submitted.evidence_id),
                    next_status: None,
                };
                ctx.execute_activity(
                    ProofingActivities::record_verdict,
                    record,
                    timeouts.activity(),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Whether every piece of evidence the plan needs has passed.
///
/// Service-run checks (the immigration registry, an officer's confirmation) join as their steps
/// are built; until then a plan that needs one is never satisfied and the application waits.
fn plan_satisfied(plan: &EvidencePlan, passed: &BTreeSet<EvidenceKind>) -> bool {
    plan.required.iter().all(|kind| passed.contains(kind))
        && !plan.immigration_check
        && !plan.officer_confirmation
}

/// Records the closing verdict and ends the workflow. The activity runs even when the workflow
/// itself is being cancelled, so the application never stays open in the database.
async fn close(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    outcome: StepOutcome,
    status: ApplicationStatus,
) -> WorkflowResult<ProofingOutcome> {
    let options = ActivityOptions::with_start_to_close_timeout(Timeouts::of(input).step)
        .cancellation_token(WorkflowCancellationToken::new())
        .build();
    let record = RecordVerdict {
        application_id: input.application_id,
        attempt: 1,
        outcome: outcome.clone(),
        evidence_id: None,
        next_status: Some(status),
    };
    ctx.execute_activity(ProofingActivities::record_verdict, record, options).await?;
    Ok(ProofingOutcome { status, closing_step: outcome })
}
