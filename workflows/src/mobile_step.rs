//! The mobile step: a one-time code drawn and sent by SMS, ended by the workflow's timer, and
//! once verified, the number bound to the identity the passport proved, within the caps.
//!
//! The code exists only in the SMS and, as a keyed hash, in the store: the delivery activity
//! draws it, sends it and arms the challenge. A retried delivery draws a new code.

use std::sync::Arc;

use chrono::Duration;
use idproof_immigration::Match;
use idproof_mobile::{
    CodeHasher, Licensee, MessageTemplate, MobileNumber, OneTimeCode, Operator, OtpLimits,
    SmsError, SmsGateway,
};
use idproof_proofing::{ApplicationId, EvidenceId, EvidenceKind, Step, StepOutcome, Verdict};
use idproof_store::{BindOutcome, BindingCaps, CapScope, NewBinding, PersonIndexKey};
use serde::{Deserialize, Serialize};
use temporalio_common::error::ApplicationFailure;
use temporalio_sdk::activities::ActivityError;
use uuid::Uuid;

use crate::activities::{ProofingActivities, classify};

/// The media type the number to bind is sealed with.
pub const NUMBER_MEDIA_TYPE: &str = "application/vnd.idproof.mobile-number+json";

/// The longest pause a gateway's Retry-After may ask for before the next attempt.
const LONGEST_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// The number a code goes to and the operator declared for it, as sealed in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberToBind {
    /// The number in E.164.
    pub e164: String,
    /// The operator's code.
    pub operator: &'static str,
}

/// The sealed form, read back.
#[derive(Deserialize)]
struct StoredNumber {
    e164: String,
    operator: String,
}

impl NumberToBind {
    /// The sealed form.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::json!({ "e164": self.e164, "operator": self.operator }).to_string().into_bytes()
    }
}

/// What the mobile step's activities need beyond the store.
#[derive(Clone)]
pub struct MobileStep {
    /// The limits on codes.
    pub limits: OtpLimits,
    /// Hashes codes with the key the API verifies with.
    pub hasher: Arc<CodeHasher>,
    /// Sends the SMS.
    pub gateway: Arc<dyn SmsGateway>,
    /// The SMS text.
    pub template: MessageTemplate,
    /// How many numbers one identity may hold.
    pub caps: BindingCaps,
}

/// A code to send: the application and the sealed number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverCode {
    /// The application.
    pub application_id: ApplicationId,
    /// The sealed number.
    pub evidence_id: EvidenceId,
}

/// What delivering a code did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeDelivery {
    /// Sent; the code is valid for `ttl_secs` from now.
    Sent {
        /// The challenge.
        challenge_id: Uuid,
        /// How long the code is valid, in seconds.
        ttl_secs: u64,
    },
    /// A newer send, a verification or a lock overtook it: nothing was sent.
    Overtaken,
    /// The gateway refused it for good, with the SMS error's code.
    Refused {
        /// `sms.rejected`, `sms.configuration`, ...
        code: String,
    },
}

/// A verified code's number to bind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindNumber {
    /// The application.
    pub application_id: ApplicationId,
    /// The verified challenge.
    pub challenge_id: Uuid,
    /// Which attempt at the mobile step, from 1.
    pub attempt: i32,
}

/// A code whose timer ran out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireCode {
    /// The application.
    pub application_id: ApplicationId,
    /// The challenge.
    pub challenge_id: Uuid,
    /// Which attempt at the mobile step, from 1.
    pub attempt: i32,
}

impl ProofingActivities {
    fn mobile(&self) -> Result<&MobileStep, ActivityError> {
        self.mobile.as_ref().ok_or_else(|| {
            let missing = "the mobile step is not configured on this worker";
            ActivityError::application(ApplicationFailure::non_retryable(missing))
        })
    }

    /// The number sealed as `evidence_id`.
    async fn number_of(
        &self,
        evidence_id: EvidenceId,
    ) -> Result<(MobileNumber, Operator), ActivityError> {
        let evidence = self.store.open_evidence(evidence_id).await.map_err(classify)?;
        let unreadable = || {
            let what = "a sealed mobile number does not read";
            ActivityError::application(ApplicationFailure::non_retryable(what))
        };
        if evidence.kind != EvidenceKind::MobileNumber || evidence.content_type != NUMBER_MEDIA_TYPE
        {
            return Err(unreadable());
        }
        let stored: StoredNumber =
            serde_json::from_slice(&evidence.content).map_err(|_| unreadable())?;
        let number = MobileNumber::parse(&stored.e164).map_err(|_| unreadable())?;
        let operator = Operator::from_code(&stored.operator).ok_or_else(unreadable)?;
        Ok((number, operator))
    }

    pub(crate) async fn deliver(&self, input: DeliverCode) -> Result<CodeDelivery, ActivityError> {
        let mobile = self.mobile()?;
        let challenge = self.store.otp_challenge_for(input.evidence_id).await.map_err(classify)?;
        let Some(challenge) = challenge else {
            return Ok(CodeDelivery::Overtaken);
        };
        if !challenge.latest || challenge.verified_at.is_some() || challenge.locked_at.is_some() {
            return Ok(CodeDelivery::Overtaken);
        }
        let (number, _) = self.number_of(input.evidence_id).await?;

        let code = OneTimeCode::generate(&mut rand::rng());
        let text = mobile.template.render(&code, &mobile.limits);
        match mobile.gateway.send(&number, &text).await {
            Ok(sent) => {
                tracing::info!(application_id = %input.application_id, challenge_id = %challenge.id,
                    gateway_message = sent.gateway_message_id.is_some(), "one-time code sent");
            }
            Err(err) if err.is_transient() => return Err(retry_sms(err)),
            Err(err) => {
                tracing::warn!(application_id = %input.application_id, code = err.code(),
                    error = %err, "the SMS gateway refused a code");
                return Ok(CodeDelivery::Refused { code: err.code().to_owned() });
            }
        }

        let hash = mobile.hasher.hash(challenge.id, &code).to_hex();
        let now = self.clock.now();
        let ttl_secs = mobile.limits.code_ttl_secs;
        let expires_at = now + Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX));
        let armed =
            self.store.deliver_otp(challenge.id, &hash, now, expires_at).await.map_err(classify)?;
        if !armed {
            return Ok(CodeDelivery::Overtaken);
        }
        Ok(CodeDelivery::Sent { challenge_id: challenge.id, ttl_secs })
    }

    /// Ends a code whose timer ran out, and records the mobile step failed
    /// `mobile.code_expired` unless it was verified or locked first.
    pub(crate) async fn expire(&self, input: ExpireCode) -> Result<bool, ActivityError> {
        let now = self.clock.now();
        let expired = self.store.expire_otp(input.challenge_id, now).await.map_err(classify)?;
        if expired {
            let outcome = StepOutcome::new(Step::Mobile, Verdict::Failed, "mobile.code_expired");
            self.record_outcome(input.application_id, input.attempt, outcome, None).await?;
        }
        Ok(expired)
    }

    /// Binds the verified number to the identity the passport proved and records the mobile
    /// step: passed when bound; failed at a cap; flagged for an officer when another identity
    /// holds the number, under a reason that does not say so.
    pub(crate) async fn bind(&self, input: BindNumber) -> Result<StepOutcome, ActivityError> {
        let mobile = self.mobile()?;
        let application_id = input.application_id;
        let Some(key) = &self.person_index else {
            let missing = "the person index key is not configured on this worker";
            return Err(ActivityError::application(ApplicationFailure::non_retryable(missing)));
        };
        let challenge =
            self.store.otp_challenge_by_id(input.challenge_id).await.map_err(classify)?;
        let Some(evidence_id) = challenge.and_then(|challenge| challenge.evidence_id) else {
            let missing = "a verified challenge has no sealed number";
            return Err(ActivityError::application(ApplicationFailure::non_retryable(missing)));
        };

        // The identity is the page's passport and birth date; without both, an officer binds.
        let page = self.page_mrz(application_id).await?;
        let identity = page.and_then(|page| page.birth_date.map(|birth_date| (page, birth_date)));
        let Some((page, birth_date)) = identity else {
            let outcome = StepOutcome::new(Step::Mobile, Verdict::Flagged, "mobile.no_identity");
            return self
                .record_outcome(application_id, input.attempt, outcome, Some(evidence_id))
                .await;
        };

        let (number, operator) = self.number_of(evidence_id).await?;
        let passport =
            key.identity(&page.issuing_state, &page.document_number, &birth_date.to_string());
        let binding = NewBinding {
            identity_key: self.carried_identity(application_id, key, passport).await?,
            number_key: key.number(number.as_e164()),
            number_masked: number.masked(),
            operator: cap_scope(operator).to_owned(),
            application_id,
        };
        let bound = self
            .store
            .bind_number(binding, mobile.caps, self.clock.now())
            .await
            .map_err(classify)?;
        tracing::info!(%application_id, outcome = bind_label(&bound), "number binding");

        let outcome = binding_outcome(&bound);
        self.record_outcome(application_id, input.attempt, outcome, Some(evidence_id)).await
    }

    /// The identity bindings count against: the passport's own, or, when the registry found
    /// the page's person and the birth date matched, the identity first seen with that
    /// registry record, which carries the caps over a passport renewal.
    async fn carried_identity(
        &self,
        application_id: ApplicationId,
        key: &PersonIndexKey,
        passport: String,
    ) -> Result<String, ActivityError> {
        let steps = self.store.steps(application_id).await.map_err(classify)?;
        let stay = self.stay_of(&steps).await?;
        let Some(stay) = stay.filter(|stay| stay.matching == Match::Matched) else {
            return Ok(passport);
        };

        let record_key = key.registry_record(&stay.record.record_id);
        let carried = self
            .store
            .carried_identity(&record_key, &passport, self.clock.now())
            .await
            .map_err(classify)?;
        if carried != passport {
            tracing::info!(%application_id, "identity carried over from an earlier passport");
        }
        Ok(carried)
    }
}

/// What a binding counts against under the per-operator cap: the licensee, as the NBTC counts
/// (TrueMove H and dtac are both True Corporation's), or the declared operator when it is none
/// of the licensed networks. The declared operator stays in the sealed number and the SIM
/// registration.
fn cap_scope(operator: Operator) -> &'static str {
    match operator.licensee() {
        Some(Licensee::Ais) => "ais",
        Some(Licensee::True) => "true",
        Some(Licensee::Nt) => "nt",
        None => operator.code(),
    }
}

/// The mobile step's verdict on a binding.
fn binding_outcome(bound: &BindOutcome) -> StepOutcome {
    let (verdict, reason) = match bound {
        BindOutcome::Bound(_) | BindOutcome::AlreadyBound(_) => (Verdict::Passed, "mobile.bound"),
        // The shop must not learn that someone else holds the number: an officer does.
        BindOutcome::NumberTaken => (Verdict::Flagged, "mobile.binding_review"),
        BindOutcome::CapReached(CapScope::Operator) => {
            (Verdict::Failed, "mobile.operator_cap_reached")
        }
        BindOutcome::CapReached(CapScope::Total) => (Verdict::Failed, "mobile.total_cap_reached"),
    };
    StepOutcome::new(Step::Mobile, verdict, reason)
}

/// What the log says of a binding: the officer's reason, never the number.
fn bind_label(bound: &BindOutcome) -> &'static str {
    match bound {
        BindOutcome::Bound(_) => "bound",
        BindOutcome::AlreadyBound(_) => "already_bound",
        BindOutcome::NumberTaken => "number_held_by_another_identity",
        BindOutcome::CapReached(CapScope::Operator) => "operator_cap_reached",
        BindOutcome::CapReached(CapScope::Total) => "total_cap_reached",
    }
}

/// A transient gateway fault as a failed attempt Temporal retries, after the gateway's own
/// Retry-After when it gave one.
fn retry_sms(err: SmsError) -> ActivityError {
    tracing::info!(code = err.code(), error = %err, "SMS gateway did not take the code; retrying");
    let delay = err.retry_after().map(|after| after.min(LONGEST_RETRY_AFTER));
    let failure = match delay {
        Some(delay) => ApplicationFailure::builder(Box::new(err)).next_retry_delay(delay).build(),
        None => ApplicationFailure::new(err),
    };
    ActivityError::application(failure)
}
