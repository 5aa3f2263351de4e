//! After the decision or the end of an application: a binding the application made is released
//! when it ends without a tier, and a SIM registration gets its record, which is then POSTed to
//! the client's callback URL.

use std::time::Duration;

use idproof_proofing::{ApplicationId, ApplicationStatus, Step, Tier, Verdict};
use idproof_store::{BindingRecord, SimDecision, SimOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;
use temporalio_common::error::ApplicationFailure;
use temporalio_sdk::activities::ActivityError;

use crate::{
    activities::{ProofingActivities, classify},
    mobile_step::NUMBER_MEDIA_TYPE,
    webhook::SIGNATURE_HEADER,
};

/// How long one webhook attempt may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook attempt that failed; Temporal retries it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct WebhookFailed(String);

/// An application that reached its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleApplication {
    /// The application.
    pub application_id: ApplicationId,
    /// Where it stands now.
    pub status: ApplicationStatus,
}

impl ProofingActivities {
    /// Releases the application's binding when it ended without a tier, and writes the SIM
    /// registration's record. Returns whether a record is owed to the client's webhook.
    pub(crate) async fn settle(&self, input: SettleApplication) -> Result<bool, ActivityError> {
        let application_id = input.application_id;
        let now = self.clock.now();

        let ended_without_tier = matches!(
            input.status,
            ApplicationStatus::Rejected | ApplicationStatus::Expired | ApplicationStatus::Cancelled
        );
        let binding =
            self.store.active_binding_of_application(application_id).await.map_err(classify)?;
        let binding = match binding {
            Some(binding) if ended_without_tier => {
                let reason = format!("application_{}", input.status);
                self.store.unbind_number(binding.id, &reason, now).await.map_err(classify)?;
                tracing::info!(%application_id, status = %input.status, "binding released");
                None
            }
            binding => binding,
        };

        let Some(registration) =
            self.store.sim_registration(application_id).await.map_err(classify)?
        else {
            return Ok(false);
        };
        // A decision wrote the record with itself; only an application that ended without one
        // (expired, cancelled) is recorded here.
        if registration.decided_at.is_none() {
            let decision = self.store.latest_decision(application_id).await.map_err(classify)?;
            let tier = decision.and_then(|decision| decision.tier);
            let sim = self.sim_decision(application_id, input.status, tier, binding).await?;
            self.store.decide_sim_registration(application_id, sim, now).await.map_err(classify)?;
        }
        tracing::info!(%application_id, status = %input.status,
            operator = %registration.visit.operator, "SIM registration recorded");
        Ok(true)
    }

    /// The SIM registration's record for an application that reached `status` with `tier`,
    /// holding `binding`: registered, in review, or refused with no tier and no number.
    pub(crate) async fn sim_decision(
        &self,
        application_id: ApplicationId,
        status: ApplicationStatus,
        tier: Option<Tier>,
        binding: Option<BindingRecord>,
    ) -> Result<SimDecision, ActivityError> {
        let outcome = match status {
            ApplicationStatus::Completed => SimOutcome::Registered,
            ApplicationStatus::InReview => SimOutcome::InReview,
            _ => SimOutcome::Refused,
        };
        if outcome == SimOutcome::Refused {
            return Ok(SimDecision { outcome, tier: None, number_masked: None, binding_id: None });
        }

        let number_masked = match &binding {
            Some(binding) => Some(binding.number_masked.clone()),
            None => self.bound_number(application_id).await?,
        };
        Ok(SimDecision {
            outcome,
            tier,
            number_masked,
            binding_id: binding.map(|binding| binding.id),
        })
    }

    /// The masked number of the mobile step that passed, for a number bound by an earlier
    /// application of the same identity.
    async fn bound_number(
        &self,
        application_id: ApplicationId,
    ) -> Result<Option<String>, ActivityError> {
        let steps = self.store.steps(application_id).await.map_err(classify)?;
        let evidence = steps
            .iter()
            .rev()
            .filter(|step| step.step == Step::Mobile && step.verdict == Verdict::Passed)
            .find_map(|step| step.evidence_id);
        let Some(evidence_id) = evidence else {
            return Ok(None);
        };
        let evidence = self.store.open_evidence(evidence_id).await.map_err(classify)?;
        if evidence.content_type != NUMBER_MEDIA_TYPE {
            return Ok(None);
        }
        let number = serde_json::from_slice::<serde_json::Value>(&evidence.content)
            .ok()
            .and_then(|value| value["e164"].as_str().map(str::to_owned))
            .and_then(|e164| idproof_mobile::MobileNumber::parse(&e164).ok());
        Ok(number.map(|number| number.masked()))
    }

    /// POSTs the SIM registration record to the client's callback URL. A client without one is
    /// not notified; a callback that fails is retried by Temporal.
    pub(crate) async fn notify(&self, application_id: ApplicationId) -> Result<(), ActivityError> {
        let application = self.store.application(application_id).await.map_err(classify)?;
        let url = self.store.callback_url_of(application.client_id).await.map_err(classify)?;
        let Some(url) = url else {
            return Ok(());
        };
        let Some(record) = self.store.sim_registration(application_id).await.map_err(classify)?
        else {
            return Ok(());
        };
        let Some(decided_at) = record.decided_at else {
            return Ok(());
        };

        let body = json!({
            "type": "sim_registration.decided",
            "application_id": application_id,
            "sim_registration": {
                "application_id": application_id,
                "operator": record.visit.operator,
                "shop_id": record.visit.shop_reference,
                "clerk_id": record.visit.clerk_reference,
                "outcome": record.outcome.map(|outcome| outcome.as_str()),
                "tier": record.tier.map(|tier| tier.as_str()),
                "number_masked": record.number_masked,
                "decided_at": decided_at,
            },
        });
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut request = self
            .http
            .post(&url)
            .timeout(WEBHOOK_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                "Idempotency-Key",
                format!("sim-{application_id}-{}", decided_at.timestamp_micros()),
            );
        if let Some(signer) = &self.webhooks {
            let signature = signer.sign(application.client_id, self.clock.now(), &body);
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let answer = request.body(body).send().await;
        match answer {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                let status = response.status().as_u16();
                tracing::info!(%application_id, status, "webhook refused; retrying");
                let failure = WebhookFailed(format!("the client's webhook answered {status}"));
                return Err(ActivityError::application(ApplicationFailure::new(failure)));
            }
            Err(err) => {
                tracing::info!(%application_id, timeout = err.is_timeout(), "webhook unreachable; retrying");
                let failure = WebhookFailed("the client's webhook did not answer".to_owned());
                return Err(ActivityError::application(ApplicationFailure::new(failure)));
            }
        }

        self.store
            .sim_registration_notified(application_id, decided_at, self.clock.now())
            .await
            .map_err(classify)
    }
}
