//! `ProofingWorkflow`: one per application, with the application id as workflow id.
//!
//! It plans the evidence, then waits. Each evidence signal runs the step that judges it; the
//! application expires when no evidence arrives for the idle timeout, and ends when the client
//! cancels it. Every verdict is written by an activity, never by the workflow.

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    time::{Duration, SystemTime},
};

use idproof_proofing::{
    ApplicationStatus, EvidenceId, EvidenceKind, EvidencePlan, Step, StepOutcome, Verdict,
};
use temporalio_common::RetryPolicy;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, SyncWorkflowContext, TimerOptions, WorkflowCancellationToken, WorkflowContext,
    WorkflowContextView, WorkflowResult, workflows::select,
};

use uuid::Uuid;

use crate::{
    activities::{JudgeEvidence, ProofingActivities, RecordVerdict},
    messages::{
        CancelReason, CodeAnswered, EvidenceSubmitted, ProofingInput, ProofingOutcome,
        RegistryRetry, ServiceStep, StayChanged,
    },
};

mod code_flow;

use code_flow::{
    bind_number, deliver_code, expire_code, identity_proven, settle, take_code_answers,
};

/// The proofing of one application.
#[workflow]
#[derive(Default)]
pub struct ProofingWorkflow {
    /// Evidence signalled and not yet judged, in arrival order.
    pending: VecDeque<EvidenceSubmitted>,
    /// Set once the client asks to cancel.
    cancel: Option<CancelReason>,
    /// The latest verdict on each kind of evidence.
    verdicts: BTreeMap<EvidenceKind, Verdict>,
    /// Whether the registry was asked about the page's person since the page was last read.
    stay_checked: bool,
    /// Attempts per step so far; the next attempt's number is one more.
    attempts: BTreeMap<Step, i32>,
    /// The latest stay change the registry reported and the workflow has not acted on yet.
    stay_change: Option<StayChanged>,
    /// How the API saw one-time codes answered, in arrival order.
    answers: VecDeque<CodeAnswered>,
    /// The code sent and not yet answered, and when its timer ends it.
    open_code: Option<OpenCode>,
    /// A verified code whose number waits for the identity to be proven before it is bound.
    to_bind: Option<Uuid>,
    /// The verified codes taken so far: the API tells a verification again when the clerk
    /// repeats an answer, and a second telling is ignored.
    verified: BTreeSet<Uuid>,
}

/// A code sent and not yet answered.
#[derive(Clone, Copy, Debug)]
struct OpenCode {
    challenge_id: Uuid,
    /// In workflow time, which replays identically.
    deadline: SystemTime,
}

/// What ended a wait for evidence.
enum Wake {
    /// Evidence or a code answer is pending, or the registry reported a stay change.
    Evidence,
    /// The open code's time ran out.
    CodeExpired,
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
                Wake::CodeExpired => expire_code(ctx, &input, &timeouts).await?,
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
            take_code_answers(ctx, &input, &timeouts).await?;

            // A new stay makes the registry's earlier answer stale: ask again, now if the page
            // was read, else once it is.
            if ctx.state_mut(|s| s.stay_change.take()).is_some() {
                ctx.state_mut(|s| s.stay_checked = false);
            }

            let ask_registry =
                plan.immigration_check && ctx.state(|s| !s.stay_checked && page_read(&s.verdicts));
            if ask_registry {
                look_up_stay(ctx, &input, &timeouts).await?;
            }

            let bind = ctx.state(|s| s.to_bind.filter(|_| identity_proven(&plan, &s.verdicts)));
            if let Some(challenge_id) = bind {
                bind_number(ctx, &input, &timeouts, challenge_id).await?;
            }

            if ctx.state(|s| ready_to_decide(&plan, s)) {
                // TODO: a case the decision sends to review should wait here for an officer's
                // decision signal, with an SLA timer; until the review step exists it ends in
                // review and an officer acts outside the workflow.
                let attempt = next_attempt(ctx, Step::Decision);
                let step = ServiceStep { application_id: input.application_id, attempt };
                let decided = ctx
                    .execute_activity(ProofingActivities::decide, step, timeouts.activity())
                    .await?;
                settle(ctx, &input, decided.status).await?;
                return Ok(ProofingOutcome {
                    status: decided.status,
                    closing_step: decided.outcome,
                });
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

    /// The API settled an answer to the application's one-time code.
    #[signal]
    pub fn code_answered(&mut self, _ctx: &mut SyncWorkflowContext<Self>, answer: CodeAnswered) {
        self.answers.push_back(answer);
    }

    /// The client asks to cancel the application.
    #[signal]
    pub fn cancel(&mut self, _ctx: &mut SyncWorkflowContext<Self>, reason: CancelReason) {
        self.cancel.get_or_insert(reason);
    }

    /// The registry reports a change to the stay of the application's person.
    ///
    /// TODO: once digital IDs are issued, a change that reaches an application whose workflow
    /// has ended must extend or revoke the ID issued from it; until then only applications
    /// still waiting for evidence act on a change, by asking the registry again.
    #[signal]
    pub fn stay_changed(&mut self, _ctx: &mut SyncWorkflowContext<Self>, change: StayChanged) {
        self.stay_change = Some(change);
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

    /// Options for the SMS gateway and the face provider: bounded like the registry's.
    fn provider(&self, retry: RegistryRetry) -> ActivityOptions {
        self.registry(retry)
    }

    /// Options for the client's webhook: patient, since nobody waits on it, and bounded.
    fn webhook(&self) -> ActivityOptions {
        let policy = RetryPolicy::builder()
            .initial_interval(Duration::from_secs(2))
            .backoff_coefficient(2.0)
            .maximum_interval(Duration::from_secs(300))
            .maximum_attempts(12)
            .build();
        ActivityOptions::with_start_to_close_timeout(self.step).retry_policy(policy).build()
    }

    /// Options for the registry lookup: a bounded number of attempts with growing pauses, so
    /// that a registry that stays down ends in a flagged case, not an endless wait.
    fn registry(&self, retry: RegistryRetry) -> ActivityOptions {
        let policy = RetryPolicy::builder()
            .initial_interval(Duration::from_millis(retry.first_retry_ms.max(1)))
            .backoff_coefficient(2.0)
            .maximum_interval(Duration::from_millis(retry.longest_retry_ms.max(1)))
            .maximum_attempts(retry.attempts.max(1))
            .build();
        ActivityOptions::with_start_to_close_timeout(self.step).retry_policy(policy).build()
    }
}

/// The next attempt's number at `step`.
fn next_attempt(ctx: &mut WorkflowContext<ProofingWorkflow>, step: Step) -> i32 {
    ctx.state_mut(|s| {
        let attempt = s.attempts.entry(step).or_insert(0);
        *attempt += 1;
        *attempt
    })
}

/// Records a verdict the workflow reached itself.
async fn record(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
    attempt: i32,
    outcome: StepOutcome,
    evidence_id: Option<EvidenceId>,
) -> WorkflowResult<()> {
    let record = RecordVerdict {
        application_id: input.application_id,
        attempt,
        outcome,
        evidence_id,
        next_status: None,
    };
    ctx.execute_activity(ProofingActivities::record_verdict, record, timeouts.activity()).await?;
    Ok(())
}

/// Asks the registry about the page's person. When its attempts run out, the immigration step
/// is flagged `registry.unavailable` for an officer instead of failing the application.
async fn look_up_stay(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
) -> WorkflowResult<()> {
    let attempt = next_attempt(ctx, Step::Immigration);
    let step = ServiceStep { application_id: input.application_id, attempt };
    let options = timeouts.registry(input.registry_retry);

    let looked_up = ctx.execute_activity(ProofingActivities::look_up_stay, step, options).await;
    if looked_up.is_err() {
        let outcome = StepOutcome::new(Step::Immigration, Verdict::Flagged, "registry.unavailable");
        record(ctx, input, timeouts, attempt, outcome, None).await?;
    }
    ctx.state_mut(|s| s.stay_checked = true);
    Ok(())
}

/// Waits for evidence, a code answer, a cancellation, the open code's timer or the idle
/// timeout, whichever comes first. The timers are cancelled when something else wins, so they
/// leave no stray timer in history.
async fn wait_for_evidence(ctx: &mut WorkflowContext<ProofingWorkflow>, idle: Duration) -> Wake {
    let idle_token = ctx.cancellation_token().child_token();
    let timer = TimerOptions::builder(idle).cancellation_token(idle_token.clone()).build();
    let code_left = code_time_left(ctx);
    let code_token = ctx.cancellation_token().child_token();
    let code_timer = TimerOptions::builder(code_left.unwrap_or(idle))
        .cancellation_token(code_token.clone())
        .build();

    let woken = match code_left {
        Some(_) => select! {
            waited = ctx.wait_condition(has_message) => Some(waited.is_ok()),
            _ = ctx.timer(timer) => Some(false),
            _ = ctx.timer(code_timer) => None,
        },
        None => select! {
            waited = ctx.wait_condition(has_message) => Some(waited.is_ok()),
            _ = ctx.timer(timer) => Some(false),
        },
    };
    idle_token.cancel();
    code_token.cancel();

    // Cancelling the workflow in Temporal ends the wait too: treat it as a cancellation.
    if ctx.cancellation_token().is_cancelled() {
        return Wake::Cancel(CancelReason::WorkflowCancelled);
    }
    match woken {
        None => return Wake::CodeExpired,
        Some(false) => return Wake::Idle,
        Some(true) => {}
    }
    match ctx.state(|s| s.cancel) {
        Some(reason) => Wake::Cancel(reason),
        None => Wake::Evidence,
    }
}

/// Whether a signal waits to be acted on.
fn has_message(state: &ProofingWorkflow) -> bool {
    !state.pending.is_empty()
        || !state.answers.is_empty()
        || state.cancel.is_some()
        || state.stay_change.is_some()
}

/// How long the open code has left by workflow time, if a code is open.
fn code_time_left(ctx: &mut WorkflowContext<ProofingWorkflow>) -> Option<Duration> {
    let deadline = ctx.state(|s| s.open_code.map(|code| code.deadline))?;
    let now = ctx.workflow_time().unwrap_or(deadline);
    Some(deadline.duration_since(now).unwrap_or(Duration::ZERO).max(Duration::from_millis(1)))
}

/// Runs the step for each pending submission, in arrival order. Evidence the step cannot even
/// read fails its step rather than the workflow, so the application stays answerable.
async fn judge_pending_evidence(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
) -> WorkflowResult<()> {
    while let Some(submitted) = ctx.state_mut(|s| s.pending.pop_front()) {
        if submitted.kind == EvidenceKind::MobileNumber {
            deliver_code(ctx, input, timeouts, submitted).await?;
            continue;
        }

        let step = submitted.kind.step();
        let attempt = next_attempt(ctx, step);
        let judge = JudgeEvidence {
            application_id: input.application_id,
            evidence_id: submitted.evidence_id,
            kind: submitted.kind,
            attempt,
        };

        let judged = if submitted.kind == EvidenceKind::Selfie {
            let options = timeouts.provider(input.provider_retry);
            let judged =
                ctx.execute_activity(ProofingActivities::judge_selfie, judge, options).await;
            if judged.is_err() {
                let outcome =
                    StepOutcome::new(Step::Face, Verdict::Flagged, "face.provider_unavailable");
                record(ctx, input, timeouts, attempt, outcome, Some(submitted.evidence_id)).await?;
                ctx.state_mut(|s| s.verdicts.insert(EvidenceKind::Selfie, Verdict::Flagged));
                continue;
            }
            judged
        } else {
            ctx.execute_activity(ProofingActivities::judge_evidence, judge, timeouts.activity())
                .await
        };
        let verdict = judged.as_ref().map_or(Verdict::Failed, |outcome| outcome.verdict);
        ctx.state_mut(|s| {
            s.verdicts.insert(submitted.kind, verdict);
            if submitted.kind == EvidenceKind::Mrz {
                s.stay_checked = false;
            }
        });
        if judged.is_err() {
            let outcome = StepOutcome::new(step, Verdict::Failed, "evidence_unreadable");
            record(ctx, input, timeouts, attempt, outcome, Some(submitted.evidence_id)).await?;
        }
    }
    Ok(())
}

/// Whether the data page has been read well enough to ask the registry about its person.
fn page_read(verdicts: &BTreeMap<EvidenceKind, Verdict>) -> bool {
    verdicts.get(&EvidenceKind::Mrz).is_some_and(|verdict| *verdict != Verdict::Failed)
}

/// Whether the evidence is complete enough for the policy to decide: every kind the plan needs
/// has a verdict that is not a failure (a flagged one goes to the decision, which sends the case
/// to an officer), and the registry was asked when the plan needs it. A failed kind waits for
/// the person to provide it again.
fn ready_to_decide(plan: &EvidencePlan, state: &ProofingWorkflow) -> bool {
    let judged = |kind: &EvidenceKind| {
        state.verdicts.get(kind).is_some_and(|verdict| *verdict != Verdict::Failed)
    };
    plan.required.iter().all(judged) && (!plan.immigration_check || state.stay_checked)
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
    settle(ctx, input, status).await?;
    Ok(ProofingOutcome { status, closing_step: outcome })
}
