//! The workflow's side of the mobile step, and what follows the decision: a code sent and
//! timed, its answers acted on, the number bound once the identity is proven, and the
//! application settled (binding released or kept, SIM registration recorded, webhook sent).

use std::time::Duration;

use idproof_proofing::{ApplicationStatus, EvidenceKind, EvidencePlan, Step, StepOutcome, Verdict};
use temporalio_sdk::{WorkflowContext, WorkflowResult};
use uuid::Uuid;

use super::{OpenCode, ProofingWorkflow, Timeouts, next_attempt, record};
use crate::{
    activities::ProofingActivities,
    messages::{CodeAnswered, EvidenceSubmitted, ProofingInput},
    mobile_step::{BindNumber, CodeDelivery, DeliverCode, ExpireCode},
    sim_step::SettleApplication,
};

/// Sends a code to the number just sealed and starts its timer. A gateway that stays down, or
/// refuses the number, fails the mobile step: the clerk may ask for another code.
pub(super) async fn deliver_code(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
    submitted: EvidenceSubmitted,
) -> WorkflowResult<()> {
    let deliver =
        DeliverCode { application_id: input.application_id, evidence_id: submitted.evidence_id };
    let options = timeouts.provider(input.provider_retry);
    let delivered = ctx.execute_activity(ProofingActivities::deliver_code, deliver, options).await;

    let failed = match delivered {
        Ok(CodeDelivery::Sent { challenge_id, ttl_secs }) => {
            let now = ctx.workflow_time().unwrap_or(std::time::UNIX_EPOCH);
            let deadline = now + Duration::from_secs(ttl_secs);
            ctx.state_mut(|s| s.open_code = Some(OpenCode { challenge_id, deadline }));
            return Ok(());
        }
        Ok(CodeDelivery::Overtaken) => return Ok(()),
        Ok(CodeDelivery::Refused { code }) => code,
        Err(_) => "sms.undeliverable".to_owned(),
    };
    let attempt = next_attempt(ctx, Step::Mobile);
    let outcome = StepOutcome::new(Step::Mobile, Verdict::Failed, failed);
    record(ctx, input, timeouts, attempt, outcome, Some(submitted.evidence_id)).await?;
    ctx.state_mut(|s| {
        s.verdicts.insert(EvidenceKind::MobileNumber, Verdict::Failed);
    });
    Ok(())
}

/// Ends the open code whose timer ran out: the mobile step fails `mobile.code_expired`, unless
/// the code was answered first.
pub(super) async fn expire_code(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
) -> WorkflowResult<()> {
    let Some(code) = ctx.state_mut(|s| s.open_code.take()) else {
        return Ok(());
    };
    let attempt = next_attempt(ctx, Step::Mobile);
    let expire = ExpireCode {
        application_id: input.application_id,
        challenge_id: code.challenge_id,
        attempt,
    };
    let expired =
        ctx.execute_activity(ProofingActivities::expire_code, expire, timeouts.activity()).await?;
    if expired {
        ctx.state_mut(|s| {
            s.verdicts.insert(EvidenceKind::MobileNumber, Verdict::Failed);
        });
    }
    Ok(())
}

/// Acts on the code answers the API settled: a verified code waits to be bound; a locked one
/// flags the mobile step for an officer.
pub(super) async fn take_code_answers(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
) -> WorkflowResult<()> {
    while let Some(answer) = ctx.state_mut(|s| s.answers.pop_front()) {
        match answer {
            CodeAnswered::Verified { challenge_id } => ctx.state_mut(|s| {
                if s.verified.insert(challenge_id) {
                    s.open_code = None;
                    s.to_bind = Some(challenge_id);
                }
            }),
            CodeAnswered::Locked => {
                let already = ctx.state(|s| {
                    s.open_code.is_none()
                        && s.verdicts.get(&EvidenceKind::MobileNumber) == Some(&Verdict::Flagged)
                });
                if already {
                    continue;
                }
                ctx.state_mut(|s| s.open_code = None);
                let attempt = next_attempt(ctx, Step::Mobile);
                let outcome = StepOutcome::new(Step::Mobile, Verdict::Flagged, "mobile.locked");
                record(ctx, input, timeouts, attempt, outcome, None).await?;
                ctx.state_mut(|s| {
                    s.verdicts.insert(EvidenceKind::MobileNumber, Verdict::Flagged);
                });
            }
        }
    }
    Ok(())
}

/// Whether the identity a number is bound to is proven: the page read, and the chip accepted
/// when the plan needs it, so that the caps count the chip-verified identity.
pub(super) fn identity_proven(
    plan: &EvidencePlan,
    verdicts: &std::collections::BTreeMap<EvidenceKind, Verdict>,
) -> bool {
    let accepted = |kind| verdicts.get(&kind).is_some_and(|verdict| *verdict != Verdict::Failed);
    accepted(EvidenceKind::Mrz)
        && (!plan.required.contains(&EvidenceKind::Chip) || accepted(EvidenceKind::Chip))
}

/// Binds the verified code's number and takes the mobile step's verdict.
pub(super) async fn bind_number(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    timeouts: &Timeouts,
    challenge_id: Uuid,
) -> WorkflowResult<()> {
    let attempt = next_attempt(ctx, Step::Mobile);
    let bind = BindNumber { application_id: input.application_id, challenge_id, attempt };
    let bound =
        ctx.execute_activity(ProofingActivities::bind_number, bind, timeouts.activity()).await?;
    ctx.state_mut(|s| {
        s.to_bind = None;
        s.verdicts.insert(EvidenceKind::MobileNumber, bound.verdict);
    });
    Ok(())
}

/// Settles the application at its status: a binding kept or released, the SIM registration's
/// record written and, when there is one, sent to the client's webhook. A webhook that stays
/// down does not fail the application: the record can still be read.
pub(super) async fn settle(
    ctx: &mut WorkflowContext<ProofingWorkflow>,
    input: &ProofingInput,
    status: ApplicationStatus,
) -> WorkflowResult<()> {
    let timeouts = Timeouts::of(input);
    let settle = SettleApplication { application_id: input.application_id, status };
    let owed = ctx
        .execute_activity(ProofingActivities::settle_application, settle, timeouts.activity())
        .await?;
    if owed {
        // When the attempts run out the record stays readable at the API, with no
        // `notified_at`: the application's end does not wait on the client.
        ctx.execute_activity(
            ProofingActivities::notify_client,
            input.application_id,
            timeouts.webhook(),
        )
        .await
        .ok();
    }
    Ok(())
}
