//! `/v1/applications/{id}/mobile`: send a one-time code to a Thai mobile number, and check the
//! code the person reads back. The code is drawn and sent by the workflow, which also ends it
//! when its time runs out; here the limits are applied and the answer is checked.

use chrono::Duration;
use idproof_mobile::{CodeHash, CodeHasher, MobileNumber, Operator, OtpLimits};
use idproof_proofing::{ApplicationId, ClientId, EvidenceKind};
use idproof_store::{
    ApplicationRecord, NewEvidence, NewOtp, OtpVerdict, PersonIndexKey, SendLimits, SendOutcome,
};
use idproof_workflows::{CodeAnswered, EvidenceSubmitted, NUMBER_MEDIA_TYPE, NumberToBind};
use poem::{http::StatusCode, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use std::sync::Arc;
use uuid::Uuid;

use crate::{
    applications::{owned_application, signal_refused},
    auth::{ApiKeyAuth, Scope},
    problem::{ApiError, Refusal},
    sim::ApiOperator,
    state::ApiState,
};

#[derive(Tags)]
enum MobileTags {
    /// A Thai mobile number bound by a one-time code.
    Mobile,
}

/// The mobile API.
pub struct MobileApi;

/// What the one-time code step needs, shared by every request.
#[derive(Clone)]
pub struct MobileSettings {
    /// The limits on codes and sends.
    pub limits: OtpLimits,
    /// Hashes codes with the key the delivery activity uses.
    pub hasher: Arc<CodeHasher>,
    /// Turns a number into the keyed hash the limits and bindings count by.
    pub number_key: PersonIndexKey,
}

/// A number to send a code to.
#[derive(Debug, Object)]
#[oai(rename = "MobileCodeRequest", deny_unknown_fields)]
struct CodeRequest {
    /// The Thai mobile number as written: `+66 81 234 5678`, `081-234-5678`, `0812345678`.
    #[oai(validator(max_length = 64))]
    number: String,
    /// The operator the number is with, as the person or shop declares it. A SIM registration
    /// takes the shop visit's operator; another given here must be the same.
    operator: Option<ApiOperator>,
}

/// A code sent.
#[derive(Debug, Object)]
#[oai(rename = "MobileCodeSent")]
struct CodeSent {
    /// The number, masked, to show the clerk.
    number_masked: String,
    /// The operator recorded with the number.
    operator: ApiOperator,
    /// How long the code is valid once it arrives, in seconds.
    code_ttl_seconds: u64,
    /// Wrong answers allowed before the challenge locks.
    attempts: u8,
    /// The earliest another code may be asked for, in seconds from now.
    resend_after_seconds: u64,
}

/// The answer to asking for a code.
#[derive(ApiResponse)]
enum CodeResponse {
    /// Recorded; the workflow sends the code now. An earlier code of this application is no
    /// longer accepted.
    #[oai(status = 202)]
    Accepted(Json<CodeSent>),
}

/// The code the person read back.
#[derive(Debug, Object)]
#[oai(rename = "MobileCodeAnswer", deny_unknown_fields)]
struct CodeAnswer {
    /// The six digits of the code.
    #[oai(validator(max_length = 16))]
    code: String,
}

/// A code verified.
#[derive(Debug, Object)]
#[oai(rename = "MobileCodeVerified")]
struct CodeVerified {
    /// Always `true`: a wrong code is a problem, not this.
    verified: bool,
}

/// The answer to a verification.
#[derive(ApiResponse)]
enum VerifyResponse {
    /// The code is right. The workflow binds the number once the identity is proven; the
    /// `mobile` step's verdict appears on the application.
    #[oai(status = 200)]
    Verified(Json<CodeVerified>),
}

#[OpenApi(prefix_path = "/v1", tag = "MobileTags::Mobile")]
impl MobileApi {
    /// Send a one-time code to a mobile number
    ///
    /// Checks the number (`mobile.format`, `mobile.not_thai`, `mobile.landline`,
    /// `mobile.reserved`, 422) and the operator (`mobile.operator_required`,
    /// `mobile.operator_mismatch`, 422), then the number's limits: one code per cooldown
    /// (`mobile.cooldown`, 429) and a few an hour (`mobile.hourly_limit`, 429), with
    /// `Retry-After`. Refused, nothing is stored. Accepted, the number is sealed as evidence and
    /// the workflow draws a six-digit code, sends it by SMS (retrying a gateway that fails) and
    /// ends it when its time runs out. The answer never says whether the number is bound to
    /// anyone.
    #[oai(
        path = "/applications/:id/mobile",
        method = "post",
        operation_id = "application_mobile_code_send"
    )]
    async fn send_code(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: Json<CodeRequest>,
    ) -> Result<CodeResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let client_id = ClientId::from(client.id);
        let application = open_application(&state, client_id, id.0.into()).await?;
        let settings = &state.mobile;

        let number = MobileNumber::parse(&body.number).map_err(|err| {
            ApiError::Refused(Refusal::unprocessable(
                err.code(),
                format!("{err}; nothing was sent"),
            ))
        })?;
        let operator = operator_of(&state, &application, body.0.operator).await?;

        let content = NumberToBind { e164: number.as_e164().to_owned(), operator: operator.code() };
        let number_evidence = NewEvidence {
            application_id: application.id,
            submitted_by: client_id,
            kind: EvidenceKind::MobileNumber,
            content_type: NUMBER_MEDIA_TYPE.to_owned(),
            content: content.to_bytes(),
            delete_after: None,
        };
        let now = state.clock.now();
        let limits = settings.limits;
        let otp = NewOtp {
            application_id: application.id,
            number_key: settings.number_key.number(number.as_e164()),
            attempts: i32::from(limits.max_attempts),
            sent_at: now,
            expires_at: now + duration(limits.code_ttl_secs),
        };
        let send_limits = SendLimits {
            cooldown: duration(limits.resend_cooldown_secs),
            per_hour: usize::from(limits.sends_per_hour),
        };

        let outcome = state
            .store
            .request_code(number_evidence, otp, send_limits)
            .await
            .map_err(ApiError::internal)?;
        let evidence_id = match outcome {
            SendOutcome::Recorded { evidence_id, .. } => evidence_id,
            SendOutcome::Cooldown { retry_after } => {
                let detail = "a code was sent to this number moments ago; wait before asking \
                              for another; nothing was sent";
                return Err(too_many("mobile.cooldown", detail, retry_after));
            }
            SendOutcome::HourlyLimit { retry_after } => {
                let detail = "this number has had as many codes as an hour allows; nothing \
                              was sent";
                return Err(too_many("mobile.hourly_limit", detail, retry_after));
            }
        };

        let submitted = EvidenceSubmitted { kind: EvidenceKind::MobileNumber, evidence_id };
        if let Err(err) = state.engine.submit_evidence(application.id, submitted).await {
            state
                .store
                .withdraw_code_request(evidence_id, application.id, state.clock.now())
                .await
                .map_err(ApiError::internal)?;
            return Err(signal_refused(application.id, err));
        }
        tracing::info!(application_id = %application.id, %evidence_id, operator = operator.code(),
            "one-time code requested");

        Ok(CodeResponse::Accepted(Json(CodeSent {
            number_masked: number.masked(),
            operator: operator.into(),
            code_ttl_seconds: limits.code_ttl_secs,
            attempts: limits.max_attempts,
            resend_after_seconds: limits.resend_cooldown_secs,
        })))
    }

    /// Check the one-time code
    ///
    /// Answers once per code: right (200), wrong with the answers left (`mobile.code_wrong`,
    /// 422, `attempts_left`), locked at the last wrong answer (`mobile.locked`, 423: the case
    /// goes to an officer), expired (`mobile.code_expired`, 410), or, replayed after success,
    /// `mobile.already_verified` (409). Before any code was asked for, `mobile.no_code_sent`
    /// (409); before it went out, `mobile.code_not_delivered` (409), which counts no attempt. A
    /// code that is not six digits is refused (`mobile.code_format`, 422) without counting.
    #[oai(
        path = "/applications/:id/mobile/verify",
        method = "post",
        operation_id = "application_mobile_code_verify"
    )]
    async fn verify_code(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
        body: Json<CodeAnswer>,
    ) -> Result<VerifyResponse, ApiError> {
        let client = auth.require(Scope::EvidenceSubmit)?;
        let application = open_application(&state, ClientId::from(client.id), id.0.into()).await?;

        let code = body.0.code;
        if code.len() != idproof_mobile::CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            let detail = "a code is six digits; this answer was not counted";
            return Err(ApiError::Refused(Refusal::unprocessable("mobile.code_format", detail)));
        }

        let hasher = Arc::clone(&state.mobile.hasher);
        let matches = move |challenge: Uuid, stored: &str| {
            CodeHash::from_hex(stored).is_ok_and(|stored| hasher.verify(challenge, &stored, &code))
        };
        let verdict = state
            .store
            .verify_otp(application.id, matches, state.clock.now())
            .await
            .map_err(ApiError::internal)?;

        match verdict {
            OtpVerdict::Verified { challenge_id, .. } => {
                tell_workflow(&state, application.id, CodeAnswered::Verified { challenge_id })
                    .await;
                tracing::info!(application_id = %application.id, %challenge_id, "code verified");
                Ok(VerifyResponse::Verified(Json(CodeVerified { verified: true })))
            }
            OtpVerdict::Wrong { attempts_left } => {
                let detail = format!("the code is wrong; {attempts_left} answer(s) left");
                let mut refusal = Refusal::unprocessable("mobile.code_wrong", detail);
                refusal.attempts_left = Some(attempts_left);
                Err(ApiError::Refused(refusal))
            }
            OtpVerdict::Locked => {
                tell_workflow(&state, application.id, CodeAnswered::Locked).await;
                let detail = "too many wrong codes: this code is locked and the case goes to an \
                              officer";
                Err(ApiError::Refused(Refusal::new("mobile.locked", StatusCode::LOCKED, detail)))
            }
            OtpVerdict::Expired => {
                let detail = "the code has expired; ask for a new one";
                Err(ApiError::Refused(Refusal::new(
                    "mobile.code_expired",
                    StatusCode::GONE,
                    detail,
                )))
            }
            OtpVerdict::AlreadyVerified { challenge_id } => {
                // The first answer's signal may not have reached the workflow; it ignores a
                // challenge it has already taken, so telling it again is safe.
                tell_workflow(&state, application.id, CodeAnswered::Verified { challenge_id })
                    .await;
                let detail = "this code was already verified; nothing changed";
                Err(ApiError::Refused(Refusal::conflict("mobile.already_verified", detail)))
            }
            OtpVerdict::NoChallenge => {
                let detail = "no code was asked for on this application";
                Err(ApiError::Refused(Refusal::conflict("mobile.no_code_sent", detail)))
            }
            OtpVerdict::NotDelivered => {
                let detail = "the code is still being sent; try again in a few seconds; this \
                              answer was not counted";
                Err(ApiError::Refused(Refusal::conflict("mobile.code_not_delivered", detail)))
            }
        }
    }
}

/// The client's own application, still open.
async fn open_application(
    state: &ApiState,
    client_id: ClientId,
    id: ApplicationId,
) -> Result<ApplicationRecord, ApiError> {
    let application = owned_application(state, client_id, id).await?;
    if application.status.is_final() {
        return Err(ApiError::ApplicationClosed);
    }
    Ok(application)
}

/// The operator to record: the shop visit's for a SIM registration, else the one declared.
async fn operator_of(
    state: &ApiState,
    application: &ApplicationRecord,
    declared: Option<ApiOperator>,
) -> Result<Operator, ApiError> {
    let declared = declared.map(Operator::from);
    let visit = state.store.sim_registration(application.id).await.map_err(ApiError::internal)?;
    let from_visit = visit.and_then(|record| Operator::from_code(&record.visit.operator));

    match (from_visit, declared) {
        (Some(shop), Some(declared)) if shop != declared => {
            let detail = "the operator differs from the one the shop visit declared";
            Err(ApiError::Refused(Refusal::unprocessable("mobile.operator_mismatch", detail)))
        }
        (Some(operator), _) | (None, Some(operator)) => Ok(operator),
        (None, None) => {
            let detail = "say which operator the number is with (`operator`)";
            Err(ApiError::Refused(Refusal::unprocessable("mobile.operator_required", detail)))
        }
    }
}

/// Tells the workflow how the code was answered. The answer is already settled in the store,
/// so a workflow that is gone or unreachable changes nothing the clerk is told: it is logged,
/// and a verified code is told again when the clerk repeats the answer.
async fn tell_workflow(state: &ApiState, application_id: ApplicationId, answer: CodeAnswered) {
    if let Err(err) = state.engine.code_answered(application_id, answer).await {
        tracing::warn!(%application_id, error = ?err, "the workflow was not told of a code answer");
    }
}

fn too_many(code: &'static str, detail: &str, retry_after: Duration) -> ApiError {
    let mut refusal = Refusal::new(code, StatusCode::TOO_MANY_REQUESTS, detail);
    refusal.retry_after = Some(u64::try_from(retry_after.num_seconds().max(1)).unwrap_or(1));
    ApiError::Refused(refusal)
}

fn duration(seconds: u64) -> Duration {
    Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX / 1_000))
}
