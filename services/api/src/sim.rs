//! The telecom shop's SIM registration: the shop visit an application is opened with, and the
//! SIM registration record it ends in, read at `/v1/applications/{id}/sim-registration` and
//! delivered to the client's callback URL.

use chrono::{DateTime, Utc};
use idproof_mobile::Operator;
use idproof_proofing::{ClientId, Purpose};
use idproof_store::{ShopVisit, SimOutcome, SimRegistrationRecord};
use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags, param::Path, payload::Json};
use uuid::Uuid;

use crate::{
    applications::owned_application,
    auth::{ApiKeyAuth, Scope},
    problem::{ApiError, Refusal},
    state::ApiState,
    views::ApiTier,
};

/// A Thai mobile operator, as the shop declares it: numbers move between operators, so it is
/// never read from the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "Operator", rename_all = "snake_case")]
pub enum ApiOperator {
    /// AIS.
    Ais,
    /// TrueMove H.
    TrueMoveH,
    /// dtac.
    Dtac,
    /// my by NT.
    Nt,
    /// Another operator or a virtual operator.
    Other,
}

impl From<ApiOperator> for Operator {
    fn from(value: ApiOperator) -> Self {
        match value {
            ApiOperator::Ais => Operator::Ais,
            ApiOperator::TrueMoveH => Operator::TrueMoveH,
            ApiOperator::Dtac => Operator::Dtac,
            ApiOperator::Nt => Operator::Nt,
            ApiOperator::Other => Operator::Other,
        }
    }
}

impl From<Operator> for ApiOperator {
    fn from(value: Operator) -> Self {
        match value {
            Operator::Ais => ApiOperator::Ais,
            Operator::TrueMoveH => ApiOperator::TrueMoveH,
            Operator::Dtac => ApiOperator::Dtac,
            Operator::Nt => ApiOperator::Nt,
            Operator::Other => ApiOperator::Other,
        }
    }
}

/// Who registers the SIM. Required for purpose `sim_registration`, refused for the others.
#[derive(Clone, Debug, Object)]
#[oai(rename = "ShopVisit", deny_unknown_fields)]
pub(crate) struct ShopVisitInput {
    /// The operator whose SIM is being registered.
    pub operator: ApiOperator,
    /// The shop's own reference, such as its NBTC dealer code. No personal data.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub shop_id: String,
    /// The clerk's own reference, such as a staff number. No personal data.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub clerk_id: String,
}

/// The shop visit a request gives, checked against its purpose.
pub(crate) fn shop_visit_of(
    purpose: Purpose,
    input: Option<&ShopVisitInput>,
) -> Result<Option<ShopVisit>, ApiError> {
    match (purpose, input) {
        (Purpose::SimRegistration, Some(input)) => Ok(Some(ShopVisit {
            operator: Operator::from(input.operator).code().to_owned(),
            shop_reference: input.shop_id.clone(),
            clerk_reference: input.clerk_id.clone(),
        })),
        (Purpose::SimRegistration, None) => {
            let detail = "a SIM registration names the operator, the shop and the clerk \
                          (`shop_visit`)";
            Err(ApiError::Refused(Refusal::unprocessable(
                "application.shop_visit_required",
                detail,
            )))
        }
        (_, Some(_)) => {
            let detail = "only a SIM registration takes a shop visit";
            Err(ApiError::Refused(Refusal::unprocessable(
                "application.shop_visit_unexpected",
                detail,
            )))
        }
        (_, None) => Ok(None),
    }
}

/// What a SIM registration came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "SimRegistrationOutcome", rename_all = "snake_case")]
pub enum ApiSimOutcome {
    /// Not decided yet.
    Pending,
    /// The identity reached the tier SIM registration needs and the number is bound: activate
    /// the SIM.
    Registered,
    /// An officer must look first: do not activate yet.
    InReview,
    /// No SIM may be activated on this application.
    Refused,
}

/// A SIM registration record: what the shop keeps for the NBTC.
#[derive(Clone, Debug, Object)]
#[oai(rename = "SimRegistration")]
pub struct SimRegistrationView {
    /// The application.
    pub application_id: Uuid,
    /// The operator declared.
    pub operator: String,
    /// The shop's reference.
    pub shop_id: String,
    /// The clerk's reference.
    pub clerk_id: String,
    /// What it came to.
    pub outcome: ApiSimOutcome,
    /// The tier of identity proofing reached.
    pub tier: Option<ApiTier>,
    /// The number bound, masked.
    pub number_masked: Option<String>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<SimRegistrationRecord> for SimRegistrationView {
    fn from(record: SimRegistrationRecord) -> Self {
        let outcome = match record.outcome {
            None => ApiSimOutcome::Pending,
            Some(SimOutcome::Registered) => ApiSimOutcome::Registered,
            Some(SimOutcome::InReview) => ApiSimOutcome::InReview,
            Some(SimOutcome::Refused) => ApiSimOutcome::Refused,
        };
        Self {
            application_id: record.application_id.as_uuid(),
            operator: record.visit.operator,
            shop_id: record.visit.shop_reference,
            clerk_id: record.visit.clerk_reference,
            outcome,
            tier: record.tier.map(ApiTier::from),
            number_masked: record.number_masked,
            decided_at: record.decided_at,
        }
    }
}

#[derive(Tags)]
enum SimTags {
    /// SIM registration at a telecom shop.
    SimRegistration,
}

/// The SIM registration API.
pub struct SimApi;

/// The answer to reading a SIM registration.
#[derive(ApiResponse)]
enum SimResponse {
    /// The record; `outcome` is `pending` until the application is decided.
    #[oai(status = 200)]
    Ok(Json<SimRegistrationView>),
}

#[OpenApi(prefix_path = "/v1", tag = "SimTags::SimRegistration")]
impl SimApi {
    /// Read the SIM registration record
    ///
    /// The record of a `sim_registration` application: the shop visit and, once decided, the
    /// tier reached and the number bound (masked), written in the same transaction as the
    /// application's decision. The same record is POSTed to the client's callback URL. An
    /// application of another purpose has none (`sim_registration.none`, 404).
    #[oai(
        path = "/applications/:id/sim-registration",
        method = "get",
        operation_id = "application_sim_registration_get"
    )]
    async fn get(
        &self,
        state: Data<&ApiState>,
        auth: ApiKeyAuth,
        /// The application's id.
        id: Path<Uuid>,
    ) -> Result<SimResponse, ApiError> {
        let client = auth.require(Scope::ApplicationsRead)?;
        let application = owned_application(&state, ClientId::from(client.id), id.0.into()).await?;
        let record =
            state.store.sim_registration(application.id).await.map_err(ApiError::internal)?;
        let Some(record) = record else {
            let detail = "this application is not a SIM registration";
            let status = poem::http::StatusCode::NOT_FOUND;
            return Err(ApiError::Refused(Refusal::new("sim_registration.none", status, detail)));
        };
        Ok(SimResponse::Ok(Json(record.into())))
    }
}
