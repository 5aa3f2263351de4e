//! The face step: the selfie and its liveness result against the face image (DG2) of the chip
//! the chip step accepted, through the face comparison provider, judged by the face policy. The
//! score, the threshold and the provider are sealed with the step; the verdict carries a code.

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use idproof_face::{
    FaceComparator, FaceError, FacePolicy, FaceVerdict, LivenessResult, MediaType, ReferenceImage,
    Selfie, SelfieLimits,
};
use idproof_passport::lds::Dg2;
use idproof_proofing::{
    CHIP_DUMP_MEDIA_TYPE, ChipDump, EvidenceId, EvidenceKind, Step, StepOutcome, Verdict,
};
use idproof_store::NewEvidence;
use serde::{Deserialize, Serialize};
use serde_json::json;
use temporalio_common::error::ApplicationFailure;
use temporalio_sdk::activities::ActivityError;

use crate::activities::{JudgeEvidence, ProofingActivities, classify};

/// The media type a selfie and its liveness result are sealed with.
pub const SELFIE_MEDIA_TYPE: &str = "application/vnd.idproof.selfie+json";

/// The media type a comparison's score and threshold are sealed with.
const COMPARISON_MEDIA_TYPE: &str = "application/vnd.idproof.face-comparison+json";

/// The longest pause a provider's Retry-After may ask for before the next attempt.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What the face step's activities need beyond the store.
#[derive(Clone)]
pub struct FaceStep {
    /// The face comparison provider.
    pub comparator: Arc<dyn FaceComparator>,
    /// The threshold and the liveness bounds.
    pub policy: FacePolicy,
    /// The selfie's bounds, checked again before comparing.
    pub selfie_limits: SelfieLimits,
}

/// A selfie and its liveness result, as sealed in the store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SelfieSubmission {
    /// `jpeg` or `png`.
    media_type: MediaType,
    /// The image, base64.
    image: String,
    /// The capture app's liveness result.
    liveness: LivenessResult,
}

impl SelfieSubmission {
    /// The submission of a checked selfie.
    pub fn new(selfie: &Selfie, liveness: LivenessResult) -> Self {
        Self { media_type: selfie.media_type(), image: STANDARD.encode(selfie.bytes()), liveness }
    }

    /// The sealed form.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ProofingActivities {
    pub(crate) async fn judge_face(
        &self,
        input: JudgeEvidence,
    ) -> Result<StepOutcome, ActivityError> {
        let (outcome, evidence_id) = self.compare_face(&input).await?;
        self.record_outcome(input.application_id, input.attempt, outcome, Some(evidence_id)).await
    }

    /// The face step's verdict, and the evidence it rests on: the sealed comparison when one
    /// was made, else the selfie.
    async fn compare_face(
        &self,
        input: &JudgeEvidence,
    ) -> Result<(StepOutcome, EvidenceId), ActivityError> {
        let outcome = |verdict, code: &str| StepOutcome::new(Step::Face, verdict, code);
        let Some(face) = &self.face else {
            return Ok((outcome(Verdict::Flagged, "face.not_configured"), input.evidence_id));
        };

        let evidence = self.store.open_evidence(input.evidence_id).await.map_err(classify)?;
        let submission = (evidence.application_id == input.application_id
            && evidence.kind == EvidenceKind::Selfie
            && evidence.content_type == SELFIE_MEDIA_TYPE)
            .then(|| serde_json::from_slice::<SelfieSubmission>(&evidence.content).ok())
            .flatten();
        let Some(submission) = submission else {
            return Ok((outcome(Verdict::Failed, "face.selfie_unreadable"), input.evidence_id));
        };
        let Ok(image) = STANDARD.decode(submission.image.as_bytes()) else {
            return Ok((outcome(Verdict::Failed, "face.selfie_unreadable"), input.evidence_id));
        };
        let selfie = match Selfie::parse(submission.media_type, image, &face.selfie_limits) {
            Ok(selfie) => selfie,
            Err(err) => return Ok((outcome(Verdict::Failed, err.code()), input.evidence_id)),
        };

        let Some(reference) = self.chip_face(input).await? else {
            return Ok((outcome(Verdict::Failed, "face.no_chip_image"), input.evidence_id));
        };
        let comparison = match face.comparator.compare(&selfie, &reference).await {
            Ok(comparison) => comparison,
            Err(err) if err.is_transient() => return Err(retry_provider(err)),
            Err(err) => {
                tracing::warn!(application_id = %input.application_id, code = err.code(),
                    "the face comparison failed; an officer compares");
                return Ok((outcome(Verdict::Flagged, err.code()), input.evidence_id));
            }
        };

        let verdict = face.policy.decide(&submission.liveness, &comparison, self.clock.now());
        let step = match &verdict {
            FaceVerdict::Passed { .. } => outcome(Verdict::Passed, "face.matched"),
            FaceVerdict::Flagged { code, .. } => outcome(Verdict::Flagged, code),
            FaceVerdict::Failed { code, .. } => outcome(Verdict::Failed, code),
        };
        let sealed = json!({
            "selfie_evidence_id": input.evidence_id,
            "verdict": verdict,
            "provider": comparison.provider,
            "model_version": comparison.model_version,
        });
        let comparison_id = self
            .store
            .store_evidence(
                NewEvidence {
                    application_id: input.application_id,
                    submitted_by: self
                        .store
                        .application(input.application_id)
                        .await
                        .map_err(classify)?
                        .client_id,
                    kind: EvidenceKind::Selfie,
                    content_type: COMPARISON_MEDIA_TYPE.to_owned(),
                    content: sealed.to_string().into_bytes(),
                    delete_after: None,
                },
                self.clock.now(),
            )
            .await
            .map_err(classify)?;
        Ok((step, comparison_id))
    }

    /// The face image of the latest chip the chip step did not fail.
    async fn chip_face(
        &self,
        input: &JudgeEvidence,
    ) -> Result<Option<ReferenceImage>, ActivityError> {
        let steps = self.store.steps(input.application_id).await.map_err(classify)?;
        let chip = steps
            .iter()
            .rev()
            .filter(|step| step.step == Step::Chip && step.verdict != Verdict::Failed)
            .find_map(|step| step.evidence_id);
        let Some(chip) = chip else {
            return Ok(None);
        };

        let evidence = self.store.open_evidence(chip).await.map_err(classify)?;
        if evidence.content_type != CHIP_DUMP_MEDIA_TYPE {
            return Ok(None);
        }
        let Ok(dump) = ChipDump::from_bytes(&evidence.content) else {
            return Ok(None);
        };
        let image = dump.data_groups.get(&2).and_then(|dg2| {
            let parsed = Dg2::parse(&dg2.0).ok()?;
            parsed.first_image().map(|image| image.bytes.to_vec())
        });
        Ok(image.and_then(|bytes| ReferenceImage::new(bytes).ok()))
    }
}

/// A transient provider fault as a failed attempt Temporal retries, after the provider's own
/// Retry-After when it gave one.
fn retry_provider(err: FaceError) -> ActivityError {
    tracing::info!(code = err.code(), "face comparison provider did not answer; retrying");
    let delay = err.retry_after().map(|after| after.min(LONGEST_RETRY_AFTER));
    let failure = match delay {
        Some(delay) => ApplicationFailure::builder(Box::new(err)).next_retry_delay(delay).build(),
        None => ApplicationFailure::new(err),
    };
    ActivityError::application(failure)
}
