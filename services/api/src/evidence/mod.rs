//! `/v1/applications/{id}/mrz`: the passport's machine readable zone, as typed lines.

use idproof_passport::mrz;
use idproof_proofing::{ClientId, EvidenceKind};
use idproof_store::NewEvidence;
use idproof_workflows::EvidenceSubmitted;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use uuid::Uuid;

use crate::{
    applications::{owned_application, signal_refused},
    auth::{ApiKeyAuth, Scope},
    problem::ApiError,
    state::ApiState,
    views::ApiEvidenceKind,
};

/// The media type typed MRZ lines are stored under: the lines, one per text line.
pub(crate) const MRZ_LINES_MEDIA_TYPE: &str = "text/vnd.idproof.mrz-lines";

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

/// Evidence taken in.
#[derive(Debug, Object)]
#[oai(rename = "EvidenceAccepted")]
pub(crate) struct EvidenceAccepted {
    /// The stored evidence's id.
    evidence_id: Uuid,
    /// What kind of evidence.
    kind: ApiEvidenceKind,
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
    /// Takes the MRZ as typed lines. Lines of the wrong count, length or characters are refused
    /// at once (`mrz.line_count`, `mrz.line_length`, `mrz.charset`) and nothing is stored. A zone
    /// of the right shape is stored encrypted and judged by the workflow: check digits, dates,
    /// codes and expiry; the `mrz` step records the verdict with the first problem's code.
    #[oai(path = "/applications/:id/mrz", method = "post", operation_id = "application_mrz_submit")]
    async fn submit_mrz(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: Json<TypedMrz>,
    ) -> Result<SubmitResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let client_id = ClientId::from(client.id);
        let application = owned_application(&state, client_id, id.0.into()).await?;
        if application.status.is_final() {
            return Err(ApiError::ApplicationClosed);
        }

        let lines: Vec<&str> = body.0.lines.iter().map(String::as_str).collect();
        let now = state.clock.now();
        mrz::parse(&lines, now.date_naive()).map_err(ApiError::Mrz)?;

        let evidence = NewEvidence {
            application_id: application.id,
            submitted_by: client_id,
            kind: EvidenceKind::Mrz,
            content_type: MRZ_LINES_MEDIA_TYPE.to_owned(),
            content: lines.join("\n").into_bytes(),
            delete_after: None,
        };
        let evidence_id =
            state.store.store_evidence(evidence, now).await.map_err(ApiError::internal)?;

        let submitted = EvidenceSubmitted { kind: EvidenceKind::Mrz, evidence_id };
        if let Err(err) = state.engine.submit_evidence(application.id, submitted).await {
            state
                .store
                .discard_unsubmitted_evidence(evidence_id, application.id, state.clock.now())
                .await
                .map_err(ApiError::internal)?;
            return Err(signal_refused(application.id, err));
        }

        tracing::info!(application_id = %application.id, %evidence_id, kind = "mrz",
            "evidence submitted");
        let accepted =
            EvidenceAccepted { evidence_id: evidence_id.as_uuid(), kind: ApiEvidenceKind::Mrz };
        let location = format!("/v1/applications/{}", application.id);
        Ok(SubmitResponse::Accepted(Json(accepted), location))
    }
}
