//! `/v1/applications/{id}/mrz`: the passport's machine readable zone, as typed lines or as an
//! image of the data page.

mod image;

use idproof_passport::mrz;
use idproof_proofing::{ClientId, EvidenceId, EvidenceKind, MrzMediaType};
use idproof_store::{ApplicationRecord, NewEvidence};
use idproof_workflows::EvidenceSubmitted;
use poem::web::Data;
use poem_openapi::{
    ApiRequest, ApiResponse, Object, OpenApi, Tags,
    param::Path,
    payload::{Binary, Json},
};
use uuid::Uuid;

use crate::{
    applications::{owned_application, signal_refused},
    auth::{ApiKeyAuth, Scope},
    problem::ApiError,
    state::ApiState,
    views::ApiEvidenceKind,
};

pub(crate) use image::is_image_upload;

#[derive(Tags)]
enum EvidenceTags {
    /// Evidence for an application: stored encrypted, judged by its workflow.
    Evidence,
}

/// The evidence API.
pub struct EvidenceApi;

/// The machine readable zone, typed as printed: 2 lines of 44 (passports, MRV-A visas), 2 of 36
/// (TD2 cards, MRV-B visas) or 3 of 30 (TD1 cards), in capitals, `<` for fillers.
#[derive(Debug, Object)]
#[oai(rename = "TypedMrz", deny_unknown_fields)]
pub(crate) struct TypedMrz {
    /// The lines, top to bottom.
    lines: Vec<String>,
}

/// The MRZ as typed lines (`application/json`), or a photo or scan of the passport's data page
/// as the raw body (`image/jpeg` or `image/png`).
#[derive(ApiRequest)]
pub(crate) enum MrzSubmission {
    /// Typed lines.
    Typed(Json<TypedMrz>),
    /// A JPEG image; the media type is [`MrzMediaType::Jpeg`]'s, which the body limit knows.
    #[oai(content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>),
    /// A PNG image; the media type is [`MrzMediaType::Png`]'s.
    #[oai(content_type = "image/png")]
    Png(Binary<Vec<u8>>),
}

/// Evidence taken in.
#[derive(Debug, Object)]
#[oai(rename = "EvidenceAccepted")]
pub(crate) struct EvidenceAccepted {
    /// The stored evidence's id.
    pub(crate) evidence_id: Uuid,
    /// What kind of evidence.
    pub(crate) kind: ApiEvidenceKind,
}

/// The answer to submitting an MRZ.
#[derive(ApiResponse)]
pub(crate) enum SubmitResponse {
    /// Stored and handed to the workflow; the MRZ step's verdict appears on the application.
    #[oai(status = 202)]
    Accepted(
        Json<EvidenceAccepted>,
        /// Where the application, and soon the verdict, can be read.
        #[oai(header = "Location")]
        String,
    ),
}

#[OpenApi(prefix_path = "/v1", tag = "EvidenceTags::Evidence")]
impl EvidenceApi {
    /// Submit the passport's MRZ
    ///
    /// Takes the MRZ as typed lines (`application/json`), or a photo or scan of the passport's
    /// data page as the raw body (`image/jpeg` or `image/png`, up to the image size limit,
    /// 10 MiB by default; at most 40 megapixels and 12,000 pixels a side once decoded).
    ///
    /// Typed lines of the wrong count, length or characters are refused at once
    /// (`mrz.line_count`, `mrz.line_length`, `mrz.charset`) and nothing is stored. An image is
    /// read at once: one that is not a readable JPEG or PNG (`image.unsupported`, 415), a JPEG
    /// cut off before its end (`image.truncated`, 400), one that declares too many pixels
    /// (`image.too_large`, 413) or shows no MRZ (`mrz.not_found`, 422) is refused
    /// and nothing is stored; when the reader is unavailable (`ocr.engine`, 503) nothing is
    /// stored either.
    ///
    /// A zone of the right shape, typed or found in the image, is stored encrypted (an image as
    /// the image itself) and judged by the workflow: check digits, dates, codes and expiry. The
    /// `mrz` step records the verdict with the first problem's code; a zone read from an image
    /// whose checks hold but whose fields were not all read with confidence is flagged for an
    /// officer (`mrz.low_confidence`).
    #[oai(path = "/applications/:id/mrz", method = "post", operation_id = "application_mrz_submit")]
    async fn submit_mrz(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: MrzSubmission,
    ) -> Result<SubmitResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let client_id = ClientId::from(client.id);
        let application = owned_application(&state, client_id, id.0.into()).await?;
        if application.status.is_final() {
            return Err(ApiError::ApplicationClosed);
        }

        let today = state.clock.now().date_naive();
        let (media_type, content) = match body {
            MrzSubmission::Typed(Json(typed)) => {
                let lines: Vec<&str> = typed.lines.iter().map(String::as_str).collect();
                mrz::parse(&lines, today).map_err(ApiError::Mrz)?;
                (MrzMediaType::TypedLines, lines.join("\n").into_bytes())
            }
            MrzSubmission::Jpeg(Binary(bytes)) => (
                MrzMediaType::Jpeg,
                image::read(&state.image_readers, application.id, bytes, today).await?,
            ),
            MrzSubmission::Png(Binary(bytes)) => (
                MrzMediaType::Png,
                image::read(&state.image_readers, application.id, bytes, today).await?,
            ),
        };

        let evidence = NewEvidence {
            application_id: application.id,
            submitted_by: client_id,
            kind: EvidenceKind::Mrz,
            content_type: media_type.as_str().to_owned(),
            content,
            delete_after: None,
        };
        let evidence_id = store_and_signal(&state, &application, evidence).await?;

        let accepted =
            EvidenceAccepted { evidence_id: evidence_id.as_uuid(), kind: ApiEvidenceKind::Mrz };
        let location = format!("/v1/applications/{}", application.id);
        Ok(SubmitResponse::Accepted(Json(accepted), location))
    }
}

/// Stores evidence sealed and signals the application's workflow to judge it. When the signal
/// is refused the evidence is discarded, so nothing is left that no workflow will judge.
pub(crate) async fn store_and_signal(
    state: &ApiState,
    application: &ApplicationRecord,
    evidence: NewEvidence,
) -> Result<EvidenceId, ApiError> {
    let kind = evidence.kind;
    let evidence_id = state
        .store
        .store_evidence(evidence, state.clock.now())
        .await
        .map_err(ApiError::internal)?;

    let submitted = EvidenceSubmitted { kind, evidence_id };
    if let Err(err) = state.engine.submit_evidence(application.id, submitted).await {
        state
            .store
            .discard_unsubmitted_evidence(evidence_id, application.id, state.clock.now())
            .await
            .map_err(ApiError::internal)?;
        return Err(signal_refused(application.id, err));
    }

    tracing::info!(application_id = %application.id, %evidence_id, %kind, "evidence submitted");
    Ok(evidence_id)
}
