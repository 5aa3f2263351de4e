//! The steps the service runs itself, with no evidence signalled: the immigration lookup and
//! the decision. Their I/O lives here; what they conclude is in `immigration_step` and
//! `decision_step`.

use std::time::Duration;

use idproof_immigration::{LookupOutcome, LookupRequest, RegistryError};
use idproof_proofing::{
    ApplicationId, ApplicationStatus, EvidenceId, EvidenceKind, Step, StepOutcome, Tier, Verdict,
};
use idproof_store::{NewEvidence, SimDecision, StepWrite};
use temporalio_common::error::ApplicationFailure;
use temporalio_sdk::activities::ActivityError;

use crate::{
    activities::{ProofingActivities, classify},
    decision_step::{Findings, record_of, verdict_of},
    immigration_step::{STAY_RECORD_MEDIA_TYPE, SealedStay, judge_stay, lookup_request},
    messages::{DecisionOutcome, ServiceStep},
};

/// The longest pause a registry's Retry-After may ask for before the next attempt; the
/// workflow's retry policy caps the pauses it chooses itself.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(60);

impl ProofingActivities {
    pub(crate) async fn look_up(&self, input: ServiceStep) -> Result<StepOutcome, ActivityError> {
        let (outcome, evidence_id) = self.ask_registry(input.application_id).await?;
        self.record_outcome(input.application_id, input.attempt, outcome, evidence_id).await
    }

    /// The immigration step's verdict, and the sealed record when the registry had one.
    async fn ask_registry(
        &self,
        application_id: ApplicationId,
    ) -> Result<(StepOutcome, Option<EvidenceId>), ActivityError> {
        let flagged =
            |code: &str| (StepOutcome::new(Step::Immigration, Verdict::Flagged, code), None);
        let Some(page) = self.page_mrz(application_id).await? else {
            return Ok(flagged("registry.no_page_mrz"));
        };
        let Some(request) = lookup_request(&page) else {
            return Ok(flagged("registry.question_incomplete"));
        };
        self.index_person(application_id, &request).await?;
        let Some(registry) = &self.registry else {
            tracing::warn!(%application_id, "no immigration registry is configured");
            return Ok(flagged("registry.not_configured"));
        };

        let answer = match registry.lookup(&request).await {
            Ok(answer) => answer,
            Err(err) if err.is_transient() => return Err(retry_later(err)),
            Err(err) => {
                tracing::warn!(%application_id, code = err.code(), error = %err, "registry refused");
                return Ok(flagged(err.code()));
            }
        };

        let today = self.clock.now().date_naive();
        let outcome = judge_stay(&page, &answer, today);
        let LookupOutcome::Found { matching, record } = answer else {
            return Ok((outcome, None));
        };
        let sealed = SealedStay { matching, record };
        let evidence_id = self.seal_stay(application_id, &sealed).await?;
        Ok((outcome, Some(evidence_id)))
    }

    /// Records the keyed hash of the person asked about, so that the registry's changes to
    /// their stay find this application.
    async fn index_person(
        &self,
        application_id: ApplicationId,
        request: &LookupRequest,
    ) -> Result<(), ActivityError> {
        let Some(key) = &self.person_index else {
            return Ok(());
        };
        let person = key.hash(request.nationality.as_str(), request.document_number.as_str());
        self.store.index_person(application_id, &person, self.clock.now()).await.map_err(classify)
    }

    async fn seal_stay(
        &self,
        application_id: ApplicationId,
        sealed: &SealedStay,
    ) -> Result<EvidenceId, ActivityError> {
        let application = self.store.application(application_id).await.map_err(classify)?;
        let content = serde_json::to_vec(sealed)
            .map_err(|err| ActivityError::from(anyhow::Error::new(err)))?;
        let evidence = NewEvidence {
            application_id,
            submitted_by: application.client_id,
            kind: EvidenceKind::StayRecord,
            content_type: STAY_RECORD_MEDIA_TYPE.to_owned(),
            content,
            delete_after: None,
        };
        self.store.store_evidence(evidence, self.clock.now()).await.map_err(classify)
    }

    pub(crate) async fn decide_application(
        &self,
        input: ServiceStep,
    ) -> Result<DecisionOutcome, ActivityError> {
        let application_id = input.application_id;
        let application = self.store.application(application_id).await.map_err(classify)?;
        let steps = self.store.steps(application_id).await.map_err(classify)?;
        let page = self.page_mrz(application_id).await?;
        let stay = self.stay_of(&steps).await?;

        let findings = Findings {
            application: &application,
            steps: &steps,
            page: page.as_ref(),
            stay: stay.as_ref(),
        };
        let now = self.clock.now();
        let decision = self.policy.decide(&findings.facts(), now.date_naive());
        let (outcome, status) = verdict_of(&decision, &findings);
        tracing::info!(
            %application_id,
            tier = ?decision.tier,
            flags = decision.flags.len(),
            reason = %outcome.reason,
            "decided"
        );

        let step = StepWrite {
            application_id,
            attempt: input.attempt,
            outcome: outcome.clone(),
            evidence_id: None,
            next_status: Some(status),
        };
        let sim = self.sim_record_of(application_id, status, decision.tier).await?;
        let recorded = self
            .store
            .record_decision(record_of(&decision, input.attempt, now), step, sim)
            .await
            .map_err(classify)?;
        if !recorded {
            tracing::info!(%application_id, "decision already recorded by an earlier attempt");
        }
        Ok(DecisionOutcome { outcome, status })
    }

    /// The SIM registration's record to write with the decision, for a `sim_registration`
    /// application.
    async fn sim_record_of(
        &self,
        application_id: ApplicationId,
        status: ApplicationStatus,
        tier: Option<Tier>,
    ) -> Result<Option<SimDecision>, ActivityError> {
        let registration = self.store.sim_registration(application_id).await.map_err(classify)?;
        if registration.is_none() {
            return Ok(None);
        }
        let binding =
            self.store.active_binding_of_application(application_id).await.map_err(classify)?;
        self.sim_decision(application_id, status, tier, binding).await.map(Some)
    }

    /// The stay record the latest immigration step sealed, if it found one.
    pub(crate) async fn stay_of(
        &self,
        steps: &[idproof_store::StepRecord],
    ) -> Result<Option<SealedStay>, ActivityError> {
        let latest = steps.iter().rev().find(|record| record.step == Step::Immigration);
        let Some(evidence_id) = latest.and_then(|record| record.evidence_id) else {
            return Ok(None);
        };
        let evidence = self.store.open_evidence(evidence_id).await.map_err(classify)?;
        if evidence.content_type != STAY_RECORD_MEDIA_TYPE {
            return Ok(None);
        }
        // The parser's message may quote the record: only the fact is reported.
        serde_json::from_slice(&evidence.content).map(Some).map_err(|_| {
            let unreadable = "a sealed stay record does not read";
            ActivityError::application(ApplicationFailure::non_retryable(unreadable))
        })
    }
}

/// A transient registry fault as a failed attempt Temporal retries, after the registry's own
/// Retry-After when it gave one.
fn retry_later(err: RegistryError) -> ActivityError {
    tracing::info!(code = err.code(), error = %err, "registry did not answer; retrying");
    let delay = err.retry_after().map(|after| after.min(LONGEST_RETRY_AFTER));
    let failure = match delay {
        Some(delay) => ApplicationFailure::builder(Box::new(err)).next_retry_delay(delay).build(),
        None => ApplicationFailure::new(err),
    };
    ActivityError::application(failure)
}
