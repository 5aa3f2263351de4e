//! The activities: every read and write the proofing workflow needs, each idempotent so that
//! Temporal may run it again after a worker dies.

use std::{sync::Arc, time::Duration};

use idproof_immigration::RegistryClient;
use idproof_policy::Policy;
use idproof_proofing::{
    ApplicationId, ApplicationStatus, Clock, EvidenceId, EvidenceKind, EvidencePlan, PlanError,
    Step, StepOutcome, Verdict,
};
use idproof_store::{PersonIndexKey, StepWrite, Store, StoreError};
use serde::{Deserialize, Serialize};
use temporalio_common::error::ApplicationFailure;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

use idproof_passport::{chip::TrustMaterial, mrz::Mrz};

use crate::{
    chip_step::{AnchorCache, judge_chip},
    face_step::FaceStep,
    messages::{DecisionOutcome, ServiceStep},
    mobile_step::{BindNumber, CodeDelivery, DeliverCode, ExpireCode, MobileStep},
    mrz_step::{judge_mrz, zone_of},
    sim_step::SettleApplication,
    webhook::WebhookSigner,
};

/// A pause after a step's verdict is written and before its activity reports back: the moment
/// where a worker that dies leaves Temporal to run the activity again. Tests set it to kill a
/// worker there; it is off unless configured.
#[derive(Clone, Debug)]
pub struct Failpoint {
    /// The step to pause after.
    pub step: Step,
    /// How long to pause.
    pub pause: Duration,
}

/// The activities' dependencies.
pub struct ProofingActivities {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    failpoint: Option<Failpoint>,
    anchors: Arc<AnchorCache>,
    /// The immigration registry; without one, every lookup is flagged for an officer.
    pub(crate) registry: Option<Arc<RegistryClient>>,
    /// The policy that decides tiers.
    pub(crate) policy: Arc<Policy>,
    /// The key of the person index; without one, no application is indexed and stay changes
    /// find none.
    pub(crate) person_index: Option<PersonIndexKey>,
    /// The mobile step's gateway, keys and caps; without them, codes cannot be sent.
    pub(crate) mobile: Option<MobileStep>,
    /// The face step's comparator and policy; without them, every selfie is flagged.
    pub(crate) face: Option<FaceStep>,
    /// Derives each client's webhook secret; without it, webhooks go unsigned.
    pub(crate) webhooks: Option<WebhookSigner>,
    /// Delivers webhooks.
    pub(crate) http: reqwest::Client,
}

/// What intake decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeDecision {
    /// The intake step's verdict.
    pub outcome: StepOutcome,
    /// The evidence to gather, when intake passed.
    pub plan: Option<EvidencePlan>,
}

/// Evidence to judge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeEvidence {
    /// The application the evidence was submitted to.
    pub application_id: ApplicationId,
    /// The evidence.
    pub evidence_id: EvidenceId,
    /// The kind the submitter said it is.
    pub kind: EvidenceKind,
    /// Which attempt at the step this is, from 1.
    pub attempt: i32,
}

/// A verdict to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVerdict {
    /// The application.
    pub application_id: ApplicationId,
    /// Which attempt at the step, from 1.
    pub attempt: i32,
    /// The verdict.
    pub outcome: StepOutcome,
    /// The evidence judged, if any.
    pub evidence_id: Option<EvidenceId>,
    /// The status the application moves to.
    pub next_status: Option<ApplicationStatus>,
}

/// A failure that no retry can mend: the workflow sees it at once.
fn permanent(err: impl std::error::Error + Send + Sync + 'static) -> ActivityError {
    ActivityError::application(ApplicationFailure::non_retryable(err))
}

/// Store errors that name missing or corrupt rows are permanent; the rest may pass.
pub(crate) fn classify(err: StoreError) -> ActivityError {
    match err {
        StoreError::NotFound { .. } | StoreError::Corrupt { .. } | StoreError::Cipher(_) => {
            permanent(err)
        }
        StoreError::Database { .. } => ActivityError::from(anyhow::Error::new(err)),
    }
}

impl ProofingActivities {
    /// Activities over `store`, reading time from `clock`, deciding by `policy`, with no
    /// immigration registry until [`with_registry`](Self::with_registry) names one.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        policy: Arc<Policy>,
        failpoint: Option<Failpoint>,
    ) -> Self {
        Self {
            store,
            clock,
            failpoint,
            anchors: Arc::default(),
            registry: None,
            policy,
            person_index: None,
            mobile: None,
            face: None,
            webhooks: None,
            http: reqwest::Client::new(),
        }
    }

    /// The activities with the mobile step's gateway, keys and caps.
    pub fn with_mobile(mut self, mobile: MobileStep) -> Self {
        self.mobile = Some(mobile);
        self
    }

    /// The activities with the face step's comparator and policy.
    pub fn with_face(mut self, face: FaceStep) -> Self {
        self.face = Some(face);
        self
    }

    /// The activities with the immigration registry they look stays up in.
    pub fn with_registry(mut self, registry: RegistryClient) -> Self {
        self.registry = Some(Arc::new(registry));
        self
    }

    /// The activities signing the webhooks they send with client secrets derived by `signer`.
    pub fn with_webhook_signer(mut self, signer: WebhookSigner) -> Self {
        self.webhooks = Some(signer);
        self
    }

    /// The activities indexing each application's person under `key`, so that the registry's
    /// stay changes find the applications they concern.
    pub fn with_person_index(mut self, key: PersonIndexKey) -> Self {
        self.person_index = Some(key);
        self
    }

    async fn pause_if_failpoint(&self, step: Step) {
        if let Some(failpoint) = self.failpoint.as_ref().filter(|f| f.step == step) {
            tracing::warn!(step = %step, pause_ms = failpoint.pause.as_millis(), "failpoint pause");
            tokio::time::sleep(failpoint.pause).await;
        }
    }

    /// The MRZ the data page gave: the latest MRZ evidence whose step passed or was flagged
    /// for confidence only. `None` when there is none yet.
    pub(crate) async fn page_mrz(
        &self,
        application_id: ApplicationId,
    ) -> Result<Option<Mrz>, ActivityError> {
        let steps = self.store.steps(application_id).await.map_err(classify)?;
        let latest = steps
            .iter()
            .rev()
            .filter(|step| step.step == Step::Mrz && step.verdict != Verdict::Failed)
            .find_map(|step| step.evidence_id);
        let Some(evidence_id) = latest else {
            return Ok(None);
        };

        let evidence = self.store.open_evidence(evidence_id).await.map_err(classify)?;
        let today = self.clock.now().date_naive();
        Ok(zone_of(&evidence.content_type, evidence.content, today).await)
    }

    /// Records `outcome` as attempt `attempt` of its step, resting on `evidence_id`, and hands
    /// it back: how a step that leaves the status alone ends.
    pub(crate) async fn record_outcome(
        &self,
        application_id: ApplicationId,
        attempt: i32,
        outcome: StepOutcome,
        evidence_id: Option<EvidenceId>,
    ) -> Result<StepOutcome, ActivityError> {
        let write = StepWrite {
            application_id,
            attempt,
            outcome: outcome.clone(),
            evidence_id,
            next_status: None,
        };
        self.record(write).await?;
        Ok(outcome)
    }

    pub(crate) async fn record(&self, write: StepWrite) -> Result<(), ActivityError> {
        let step = write.outcome.step;
        let application_id = write.application_id;
        let inserted = self.store.record_step(write, self.clock.now()).await.map_err(classify)?;
        if !inserted {
            tracing::info!(%application_id, %step, "verdict already recorded by an earlier attempt");
        }
        self.pause_if_failpoint(step).await;
        Ok(())
    }
}

#[activities]
impl ProofingActivities {
    /// Checks the application against policy, plans its evidence and records the intake step.
    #[activity]
    pub async fn plan_evidence(
        self: Arc<Self>,
        _ctx: ActivityContext,
        application_id: ApplicationId,
    ) -> Result<IntakeDecision, ActivityError> {
        let application = self.store.application(application_id).await.map_err(classify)?;

        let planned = EvidencePlan::for_application(
            application.purpose,
            application.tier,
            application.channel,
        );
        let (outcome, next_status, plan) = match planned {
            Ok(plan) => (
                StepOutcome::new(Step::Intake, Verdict::Passed, "evidence_planned"),
                ApplicationStatus::AwaitingEvidence,
                Some(plan),
            ),
            Err(refusal) => {
                let reason = match refusal {
                    PlanError::TierBelowPurposeMinimum { .. } => "tier_below_purpose_minimum",
                    PlanError::NeedsAttendedChannel { .. } => "tier_needs_attended_channel",
                };
                (
                    StepOutcome::new(Step::Intake, Verdict::Failed, reason),
                    ApplicationStatus::Rejected,
                    None,
                )
            }
        };

        self.record(StepWrite {
            application_id,
            attempt: 1,
            outcome: outcome.clone(),
            evidence_id: None,
            next_status: Some(next_status),
        })
        .await?;
        Ok(IntakeDecision { outcome, plan })
    }

    /// Judges submitted evidence and records the verdict.
    #[activity]
    pub async fn judge_evidence(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: JudgeEvidence,
    ) -> Result<StepOutcome, ActivityError> {
        let evidence = self.store.open_evidence(input.evidence_id).await.map_err(classify)?;
        let step = input.kind.step();

        let outcome = if evidence.application_id != input.application_id
            || evidence.kind != input.kind
        {
            StepOutcome::new(step, Verdict::Failed, "evidence_does_not_belong")
        } else {
            match input.kind {
                EvidenceKind::Mrz => {
                    let today = self.clock.now().date_naive();
                    judge_mrz(&evidence.content_type, evidence.content, today).await
                }
                EvidenceKind::Chip => {
                    let trust = self.store.trust().trust_material().await.map_err(classify)?;
                    let trust = TrustMaterial { cscas: trust.cscas, crls: trust.crls };
                    let page_mrz = self.page_mrz(input.application_id).await?;
                    let content = evidence.content;
                    let anchors = Arc::clone(&self.anchors);
                    let at = self.clock.now();
                    judge_chip(&evidence.content_type, content, trust, anchors, page_mrz, at).await
                }
                EvidenceKind::Selfie => return self.judge_face(input).await,
                // A number is not judged: a code is sent to it (`deliver_code`).
                EvidenceKind::MobileNumber => {
                    StepOutcome::new(step, Verdict::Failed, "evidence_not_judged")
                }
                // The service fetches stay records itself; nobody signals one.
                EvidenceKind::StayRecord => {
                    StepOutcome::new(step, Verdict::Failed, "evidence_not_submittable")
                }
            }
        };

        self.record_outcome(input.application_id, input.attempt, outcome, Some(input.evidence_id))
            .await
    }

    /// Looks the page's person up in the immigration registry and records the immigration
    /// step. A registry that times out, answers 5xx or rate-limits fails the attempt so that
    /// Temporal retries it; any other fault is flagged for an officer at once.
    #[activity]
    pub async fn look_up_stay(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ServiceStep,
    ) -> Result<StepOutcome, ActivityError> {
        self.look_up(input).await
    }

    /// Puts the steps' findings to the policy in force, and records the decision with the
    /// decision step's verdict and the application's next status.
    #[activity]
    pub async fn decide(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ServiceStep,
    ) -> Result<DecisionOutcome, ActivityError> {
        self.decide_application(input).await
    }

    /// Draws a one-time code, sends it to the sealed number and arms the challenge. A gateway
    /// that times out, answers 5xx or rate-limits fails the attempt so that Temporal retries it.
    #[activity]
    pub async fn deliver_code(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DeliverCode,
    ) -> Result<CodeDelivery, ActivityError> {
        self.deliver(input).await
    }

    /// Ends a code whose timer ran out; returns whether it expired unanswered.
    #[activity]
    pub async fn expire_code(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: ExpireCode,
    ) -> Result<bool, ActivityError> {
        self.expire(input).await
    }

    /// Binds a verified number to the identity the passport proved, within the caps.
    #[activity]
    pub async fn bind_number(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: BindNumber,
    ) -> Result<StepOutcome, ActivityError> {
        self.bind(input).await
    }

    /// Compares a selfie with the chip's face image and records the face step. A provider that
    /// times out, answers 5xx or rate-limits fails the attempt so that Temporal retries it.
    #[activity]
    pub async fn judge_selfie(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: JudgeEvidence,
    ) -> Result<StepOutcome, ActivityError> {
        self.judge_face(input).await
    }

    /// Releases a binding the application no longer earns and writes its SIM registration's
    /// record; returns whether the client's webhook is owed the record.
    #[activity]
    pub async fn settle_application(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: SettleApplication,
    ) -> Result<bool, ActivityError> {
        self.settle(input).await
    }

    /// POSTs the SIM registration record to the client's callback URL.
    #[activity]
    pub async fn notify_client(
        self: Arc<Self>,
        _ctx: ActivityContext,
        application_id: ApplicationId,
    ) -> Result<(), ActivityError> {
        self.notify(application_id).await
    }

    /// Records a verdict the workflow reached itself, such as expiry or cancellation.
    #[activity]
    pub async fn record_verdict(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: RecordVerdict,
    ) -> Result<(), ActivityError> {
        self.record(StepWrite {
            application_id: input.application_id,
            attempt: input.attempt,
            outcome: input.outcome,
            evidence_id: input.evidence_id,
            next_status: input.next_status,
        })
        .await
    }
}
