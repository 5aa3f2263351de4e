//! `/v1/applications/{id}/chip`: the passport chip's files and its answer to an Active
//! Authentication challenge. The files are read here only far enough to refuse what no
//! verifier could use; the workflow's chip step verifies them.

mod refusal;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use idproof_passport::lds::{LdsFile, Sod};
use idproof_proofing::{
    CHIP_DUMP_MEDIA_TYPE, ChallengeAnswer, ChipDump, ClientId, DataGroupBytes, EvidenceKind,
};
use idproof_store::{NewEvidence, SpentChallenge};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json, types::Base64};
use uuid::Uuid;

pub use refusal::ChipRefusal;

use crate::{
    applications::owned_application,
    auth::{ApiKeyAuth, Scope},
    evidence::{EvidenceAccepted, store_and_signal},
    problem::ApiError,
    state::ApiState,
    views::ApiEvidenceKind,
};

/// How long a client has to answer a challenge: a clerk taps the passport on the reader within
/// seconds of asking.
const CHALLENGE_LIFETIME_MINUTES: i64 = 5;

/// The longest Active Authentication answer taken: an RSA-4096 signature.
const LONGEST_ANSWER: usize = 512;

#[derive(Tags)]
enum ChipTags {
    /// The passport's chip: Active Authentication challenges and the files read.
    Chip,
}

/// The chip API.
pub struct ChipApi;

/// A challenge for the chip to sign.
#[derive(Debug, Object)]
#[oai(rename = "ChipChallenge")]
pub(crate) struct ChallengeView {
    /// Name it in the upload that carries the chip's answer.
    challenge_id: Uuid,
    /// The eight bytes to send the chip in INTERNAL AUTHENTICATE, base64.
    challenge: Base64<Vec<u8>>,
    /// After this the challenge is refused; ask for another.
    expires_at: DateTime<Utc>,
}

/// The answer to asking for a challenge.
#[derive(ApiResponse)]
pub(crate) enum ChallengeResponse {
    /// A fresh challenge, good for one upload.
    #[oai(status = 200)]
    Issued(
        Json<ChallengeView>,
        /// Challenges are never cached.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// One data group as read from the chip.
#[derive(Debug, Object)]
#[oai(rename = "ChipDataGroup", deny_unknown_fields)]
pub(crate) struct DataGroupUpload {
    /// Its number, 1 to 16.
    number: u8,
    /// The file's bytes, base64.
    content: Base64<Vec<u8>>,
}

/// The chip's answer to a challenge.
#[derive(Debug, Object)]
#[oai(rename = "ChipActiveAuthentication", deny_unknown_fields)]
pub(crate) struct ActiveAuthenticationUpload {
    /// The challenge it answers, as issued by the challenge operation.
    challenge_id: Uuid,
    /// The chip's signature, base64: RSA (ISO/IEC 9796-2), or ECDSA as r||s or DER.
    signature: Base64<Vec<u8>>,
}

/// What the client read from the chip.
#[derive(Debug, Object)]
#[oai(rename = "ChipUpload", deny_unknown_fields)]
pub(crate) struct ChipUpload {
    /// EF.SOD, base64.
    sod: Base64<Vec<u8>>,
    /// The data groups read; DG1 is required, DG15 when Active Authentication was run.
    data_groups: Vec<DataGroupUpload>,
    /// The chip's answer to a challenge, when the reader ran Active Authentication.
    active_authentication: Option<ActiveAuthenticationUpload>,
}

/// The answer to uploading the chip's files.
#[derive(ApiResponse)]
pub(crate) enum ChipUploadResponse {
    /// Stored and handed to the workflow; the chip step's verdict appears on the application.
    #[oai(status = 202)]
    Accepted(
        Json<EvidenceAccepted>,
        /// Where the application, and soon the verdict, can be read.
        #[oai(header = "Location")]
        String,
    ),
}

#[OpenApi(prefix_path = "/v1", tag = "ChipTags::Chip")]
impl ChipApi {
    /// Ask for an Active Authentication challenge
    ///
    /// Issues eight random bytes for the chip to sign, bound to this application and good for
    /// one upload within five minutes. Each call issues a new challenge; an upload that names
    /// a challenge already answered (`chip.challenge_replayed`, 409), another application's or
    /// an unknown one (`chip.challenge_unknown`, 422) or one past its time
    /// (`chip.challenge_expired`, 422) is refused.
    #[oai(
        path = "/applications/:id/chip/challenge",
        method = "get",
        operation_id = "application_chip_challenge"
    )]
    async fn challenge(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
    ) -> Result<ChallengeResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let application = owned_application(&state, ClientId::from(client.id), id.0.into()).await?;
        if application.status.is_final() {
            return Err(ApiError::ApplicationClosed);
        }

        let lifetime = Duration::minutes(CHALLENGE_LIFETIME_MINUTES);
        let issued = state
            .store
            .issue_chip_challenge(application.id, state.clock.now(), lifetime)
            .await
            .map_err(ApiError::internal)?;

        tracing::info!(application_id = %application.id, challenge_id = %issued.id, "chip challenge issued");
        let view = ChallengeView {
            challenge_id: issued.id,
            challenge: Base64(issued.challenge.to_vec()),
            expires_at: issued.expires_at,
        };
        Ok(ChallengeResponse::Issued(Json(view), "no-store".to_owned()))
    }

    /// Upload the chip's files
    ///
    /// Takes EF.SOD, the data groups read (DG1 always; DG2 for the face; DG14 and DG15 where
    /// the chip has them) and, when the reader ran Active Authentication, the chip's answer to
    /// a challenge from the challenge operation, which this upload spends.
    ///
    /// Refused at once, with nothing stored: an EF.SOD or data group that does not parse (its
    /// reader's code, such as `lds.truncated`, `lds.length` or `sod.content_type`, 422), a data
    /// group number outside 1 to 16 or given twice (`chip.data_group_number`), no DG1
    /// (`chip.dg1_missing`), a data group whose tag is not its number's
    /// (`chip.data_group_tag`), an answer without DG15 (`chip.dg15_missing`) or of an
    /// impossible length (`chip.answer_length`), and a challenge that is not this
    /// application's to spend (see the challenge operation).
    ///
    /// The files are stored encrypted and judged by the workflow's chip step: the SOD's
    /// signature, the document signer's chain to a trusted CSCA and its revocation, each data
    /// group's hash, DG1 against the MRZ read from the data page, and the chip's answer.
    #[oai(
        path = "/applications/:id/chip",
        method = "post",
        operation_id = "application_chip_submit"
    )]
    async fn submit_chip(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: Json<ChipUpload>,
    ) -> Result<ChipUploadResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let client_id = ClientId::from(client.id);
        let application = owned_application(&state, client_id, id.0.into()).await?;
        if application.status.is_final() {
            return Err(ApiError::ApplicationClosed);
        }
        let upload = body.0;

        Sod::parse(&upload.sod.0).map_err(ApiError::ChipFile)?;
        let data_groups = readable_data_groups(upload.data_groups)?;
        let answer = match upload.active_authentication {
            None => None,
            Some(answer) => {
                if !data_groups.contains_key(&15) {
                    return Err(ChipRefusal::Dg15Missing.into());
                }
                if answer.signature.0.is_empty() || answer.signature.0.len() > LONGEST_ANSWER {
                    return Err(ChipRefusal::AnswerLength(answer.signature.0.len()).into());
                }
                let spent = state
                    .store
                    .spend_chip_challenge(answer.challenge_id, application.id, state.clock.now())
                    .await
                    .map_err(ApiError::internal)?;
                let challenge = match spent {
                    SpentChallenge::Spent(challenge) => challenge,
                    SpentChallenge::Unknown => return Err(ChipRefusal::ChallengeUnknown.into()),
                    SpentChallenge::AlreadySpent => {
                        return Err(ChipRefusal::ChallengeReplayed.into());
                    }
                    SpentChallenge::Expired => return Err(ChipRefusal::ChallengeExpired.into()),
                };
                let signature = answer.signature.0;
                Some(ChallengeAnswer { challenge: challenge.to_vec(), signature })
            }
        };

        let dump = ChipDump { sod: upload.sod.0, data_groups, active_authentication: answer };
        let evidence = NewEvidence {
            application_id: application.id,
            submitted_by: client_id,
            kind: EvidenceKind::Chip,
            content_type: CHIP_DUMP_MEDIA_TYPE.to_owned(),
            content: dump.to_bytes().map_err(ApiError::internal)?,
            delete_after: None,
        };
        let evidence_id = store_and_signal(&state, &application, evidence).await?;

        let accepted =
            EvidenceAccepted { evidence_id: evidence_id.as_uuid(), kind: ApiEvidenceKind::Chip };
        let location = format!("/v1/applications/{}", application.id);
        Ok(ChipUploadResponse::Accepted(Json(accepted), location))
    }
}

/// The data groups by number, each one that idproof reads parsed to be sure it can be: DG1
/// is required, numbers run from 1 to 16, each at most once, and each file opens with its
/// number's tag.
fn readable_data_groups(
    uploads: Vec<DataGroupUpload>,
) -> Result<BTreeMap<u8, DataGroupBytes>, ApiError> {
    let mut data_groups = BTreeMap::new();
    for upload in uploads {
        let number = upload.number;
        let Some(tag) = data_group_tag(number) else {
            return Err(ChipRefusal::DataGroupNumber(number).into());
        };
        if upload.content.0.first() != Some(&tag) {
            return Err(ChipRefusal::DataGroupTag(number).into());
        }
        if matches!(number, 1 | 2 | 11 | 12 | 14 | 15) {
            LdsFile::parse(&upload.content.0).map_err(ApiError::ChipFile)?;
        }
        if data_groups.insert(number, DataGroupBytes(upload.content.0)).is_some() {
            return Err(ChipRefusal::DataGroupNumber(number).into());
        }
    }

    if !data_groups.contains_key(&1) {
        return Err(ChipRefusal::Dg1Missing.into());
    }
    Ok(data_groups)
}

/// The tag a data group's file opens with (ICAO 9303-10, 4.6).
fn data_group_tag(number: u8) -> Option<u8> {
    const TAGS: [u8; 16] = [
        0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
        0x70,
    ];
    TAGS.get(usize::from(number).checked_sub(1)?).copied()
}
