//! `/v1/applications/{id}/face`: the selfie and the capture app's liveness result, compared by
//! the workflow's face step with the face image of the chip read before it.

use chrono::{DateTime, Utc};
use idproof_face::{FaceError, FacePolicy, LivenessResult, MediaType, Selfie, SelfieLimits};
use idproof_proofing::{ClientId, EvidenceKind};
use idproof_store::NewEvidence;
use idproof_workflows::{SELFIE_MEDIA_TYPE, SelfieSubmission};
use poem::{http::StatusCode, web::Data};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, Tags, param::Path, payload::Json, types::Base64,
};
use uuid::Uuid;

use crate::{
    applications::owned_application,
    auth::{ApiKeyAuth, Scope},
    evidence::{EvidenceAccepted, store_and_signal},
    problem::{ApiError, Refusal},
    state::ApiState,
    views::ApiEvidenceKind,
};

#[derive(Tags)]
enum FaceTags {
    /// The person's face: a selfie with liveness, compared with the chip's face image.
    Face,
}

/// The face API.
pub struct FaceApi;

/// The bounds a selfie and its liveness result are held to when they arrive.
#[derive(Clone, Copy, Debug)]
pub struct FaceSettings {
    /// The selfie's size and dimensions.
    pub selfie_limits: SelfieLimits,
    /// The liveness result's age and clock skew; the threshold is the workflow's.
    pub policy: FacePolicy,
}

/// The selfie's media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "SelfieMediaType")]
enum SelfieMediaType {
    /// A JPEG.
    #[oai(rename = "image/jpeg")]
    Jpeg,
    /// A PNG.
    #[oai(rename = "image/png")]
    Png,
}

/// The capture app's liveness result, as its SDK reported it.
#[derive(Debug, Object)]
#[oai(rename = "LivenessResult", deny_unknown_fields)]
struct LivenessInput {
    /// The liveness vendor and SDK version, such as `acme-pad/3.2`.
    #[oai(validator(min_length = 1, max_length = 64))]
    vendor: String,
    /// Whether the SDK judged the capture live.
    passed: bool,
    /// The SDK's liveness score, 0 to 1.
    score: f32,
    /// When the SDK checked, by the capture device's clock.
    checked_at: DateTime<Utc>,
}

/// A selfie with its liveness result.
#[derive(Debug, Object)]
#[oai(rename = "FaceSubmission", deny_unknown_fields)]
struct FaceInput {
    /// The selfie, base64: a JPEG or PNG of at least 240 pixels a side, at most 5 MiB.
    selfie: Base64<Vec<u8>>,
    /// The selfie's media type.
    media_type: SelfieMediaType,
    /// The capture app's liveness result.
    liveness: LivenessInput,
}

/// The answer to submitting a selfie.
#[derive(ApiResponse)]
enum FaceResponse {
    /// Stored and handed to the workflow; the `face` step's verdict appears on the application.
    #[oai(status = 202)]
    Accepted(
        Json<EvidenceAccepted>,
        /// Where the application, and soon the verdict, can be read.
        #[oai(header = "Location")]
        String,
    ),
}

#[OpenApi(prefix_path = "/v1", tag = "FaceTags::Face")]
impl FaceApi {
    /// Submit a selfie with its liveness result
    ///
    /// The chip goes first: its face image (DG2) is what the selfie is compared with
    /// (`face.chip_required`, 409, when no chip was submitted). A selfie of the wrong type,
    /// cut short, too small or too large (`face.selfie_format`, `face.selfie_too_small`,
    /// `face.selfie_too_large`, 422) and a liveness result that cannot be trusted (a score
    /// outside 0 to 1, a check time in the future: `face.liveness_invalid`; older than allowed:
    /// `face.liveness_stale`, 422) are refused and nothing is stored. Otherwise the selfie is
    /// stored encrypted and the workflow compares it through the face comparison provider: the
    /// `face` step passes at or above the threshold, and a low score (`face.low_score`) or a
    /// failed liveness check (`face.liveness_failed`) flags the case for an officer. The score
    /// and the threshold are recorded with the comparison.
    #[oai(
        path = "/applications/:id/face",
        method = "post",
        operation_id = "application_face_submit"
    )]
    async fn submit_face(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: Json<FaceInput>,
    ) -> Result<FaceResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let client_id = ClientId::from(client.id);
        let application = owned_application(&state, client_id, id.0.into()).await?;
        if application.status.is_final() {
            return Err(ApiError::ApplicationClosed);
        }
        let input = body.0;

        let media_type = match input.media_type {
            SelfieMediaType::Jpeg => MediaType::Jpeg,
            SelfieMediaType::Png => MediaType::Png,
        };
        let selfie = Selfie::parse(media_type, input.selfie.0, &state.face.selfie_limits)
            .map_err(refused)?;
        let liveness = LivenessResult {
            vendor: input.liveness.vendor,
            passed: input.liveness.passed,
            score: input.liveness.score,
            checked_at: input.liveness.checked_at,
        };
        // A failed check is the step's to flag; a result that cannot be trusted is refused.
        match liveness.check(&state.face.policy, state.clock.now()) {
            Ok(()) | Err(FaceError::LivenessFailed) => {}
            Err(err) => return Err(refused(err)),
        }

        let chip_read = state
            .store
            .has_evidence(application.id, EvidenceKind::Chip)
            .await
            .map_err(ApiError::internal)?;
        if !chip_read {
            let detail = "submit the chip first: the selfie is compared with its face image; \
                          nothing was stored";
            return Err(ApiError::Refused(Refusal::conflict("face.chip_required", detail)));
        }

        let content = SelfieSubmission::new(&selfie, liveness).to_bytes();
        let evidence = NewEvidence {
            application_id: application.id,
            submitted_by: client_id,
            kind: EvidenceKind::Selfie,
            content_type: SELFIE_MEDIA_TYPE.to_owned(),
            content,
            delete_after: None,
        };
        let evidence_id = store_and_signal(&state, &application, evidence).await?;

        let accepted =
            EvidenceAccepted { evidence_id: evidence_id.as_uuid(), kind: ApiEvidenceKind::Selfie };
        let location = format!("/v1/applications/{}", application.id);
        Ok(FaceResponse::Accepted(Json(accepted), location))
    }
}

/// A selfie or liveness result refused with the face crate's code. The message names sizes and
/// reasons, never image bytes or scores.
fn refused(err: FaceError) -> ApiError {
    let detail = format!("{err}; nothing was stored");
    ApiError::Refused(Refusal::new(err.code(), StatusCode::UNPROCESSABLE_ENTITY, detail))
}
