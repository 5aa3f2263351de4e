//! The sandbox's admin routes under `/admin`, for demos and tests, behind the `X-Admin-Token`
//! header: list records and the demo people, change a stay (each change a feed entry written
//! with the record in one transaction, then pushed), move a record to a renewed passport, and
//! arm faults.

use std::sync::Arc;

use chrono::NaiveDate;
use poem::{
    Body, Endpoint, IntoResponse, Request, Response, Route, get, handler, post,
    web::{Data, Json, Path, Query},
};
use serde::{Deserialize, Deserializer, Serialize, de::DeserializeOwned};
use subtle::ConstantTimeEq;

use crate::faults::{ArmRequest, Armed};
use crate::http::{AppState, parse_limit};
use crate::problem::SandboxError;
use crate::records::{
    Category, References, Status, StayChange, StayRecord, StayUpdate, parse_date,
};
use crate::registry::RecordFilter;
use crate::seed::demo_people;

/// The header that carries the admin token.
pub const ADMIN_TOKEN_HEADER: &str = "x-admin-token";

const MAX_RECORDS: u64 = 500;
const DEFAULT_RECORDS: u64 = 100;

pub(crate) fn routes() -> Route {
    Route::new()
        .at("/records", get(list_records))
        .at("/records/:record_id", get(get_record))
        .at("/records/:record_id/entry", post(record_entry))
        .at("/records/:record_id/extension", post(extend_stay))
        .at("/records/:record_id/departure", post(record_departure))
        .at("/records/:record_id/overstay", post(record_overstay))
        .at("/records/:record_id/bar", post(bar_person))
        .at("/records/:record_id/passport", post(renew_passport))
        .at("/demo-people", get(list_demo_people))
        .at("/faults", get(armed_fault).put(arm_fault).delete(clear_faults))
}

/// Lets through requests that carry the admin token.
pub(crate) async fn guard<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    token: Arc<str>,
) -> poem::Result<Response> {
    let given = req.headers().get(ADMIN_TOKEN_HEADER).map(|value| value.as_bytes());
    let valid = given.is_some_and(|given| bool::from(given.ct_eq(token.as_bytes())));
    if !valid {
        tracing::warn!(target: "idproof_immigration_sandbox::security", "admin token refused");
        return Err(SandboxError::AdminTokenRequired.into());
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
    limit: Option<String>,
    status: Option<String>,
    visa_category: Option<String>,
}

/// A page of records.
#[derive(Serialize)]
struct RecordsPage {
    records: Vec<StayRecord>,
    /// The `after` to ask for the next page with; none when this page was the last.
    next_after: Option<String>,
}

/// `GET /admin/records?after=&limit=&status=&visa_category=`: records in id order.
#[handler]
async fn list_records(
    state: Data<&AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<RecordsPage>, SandboxError> {
    let limit = parse_limit(query.limit.as_deref(), DEFAULT_RECORDS, MAX_RECORDS)?;
    let invalid = |what: &str| SandboxError::InvalidRequest(format!("{what} is not one known"));
    let filter = RecordFilter {
        after: query.after,
        status: query.status.map(|code| code.parse()).transpose().map_err(|_| invalid("status"))?,
        visa_category: query
            .visa_category
            .map(|code| code.parse())
            .transpose()
            .map_err(|_| invalid("visa_category"))?,
    };
    let records = state.registry.list(&filter, limit).await?;
    let next_after = (records.len() as u64 == limit)
        .then(|| records.last().map(|record| record.record_id.clone()))
        .flatten();
    Ok(Json(RecordsPage { records, next_after }))
}

/// `GET /admin/records/{record_id}`.
#[handler]
async fn get_record(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
) -> Result<Json<StayRecord>, SandboxError> {
    state.registry.record(&record_id).await?.map(Json).ok_or(SandboxError::RecordNotFound)
}

/// A record after a change, and the change's feed entry.
#[derive(Serialize)]
struct Changed {
    record: StayRecord,
    change: StayChange,
}

async fn change(
    state: &AppState,
    record_id: &str,
    update: StayUpdate,
) -> Result<Json<Changed>, SandboxError> {
    let (record, change) = state.registry.apply(record_id, &update, state.clock.now()).await?;
    tracing::info!(
        record_id = %change.record_id,
        cursor = change.cursor,
        kind = change.kind.code(),
        "stay changed"
    );
    if let Some(pusher) = &state.pusher {
        pusher.push(change.clone());
    }
    Ok(Json(Changed { record, change }))
}

/// Parses an admin body; an empty body is `{}`.
async fn parse_body<T: DeserializeOwned>(body: Body) -> Result<T, SandboxError> {
    let bytes = body
        .into_vec()
        .await
        .map_err(|_| SandboxError::InvalidRequest("the body could not be read".to_owned()))?;
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}".to_vec() } else { bytes };
    serde_json::from_slice(&bytes).map_err(|err| {
        let detail = match err.classify() {
            serde_json::error::Category::Data => {
                "the body is not of this operation's shape (a field missing, unknown, or of the \
                 wrong type or value; dates are YYYY-MM-DD)"
            }
            _ => "the body is not valid JSON",
        };
        SandboxError::InvalidRequest(detail.to_owned())
    })
}

fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_date(&text).ok_or_else(|| serde::de::Error::custom("not a date written YYYY-MM-DD"))
}

fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|text| {
        parse_date(&text).ok_or_else(|| serde::de::Error::custom("not a date written YYYY-MM-DD"))
    })
    .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryBody {
    #[serde(deserialize_with = "date")]
    last_entry: NaiveDate,
    #[serde(deserialize_with = "date")]
    permitted_stay_end: NaiveDate,
    visa_category: Option<Category>,
    references: Option<References>,
}

/// `POST /admin/records/{record_id}/entry`: a new entry and stay.
#[handler]
async fn record_entry(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<Changed>, SandboxError> {
    let body: EntryBody = parse_body(raw).await?;
    let update = StayUpdate::Entry {
        last_entry: body.last_entry,
        permitted_stay_end: body.permitted_stay_end,
        visa_category: body.visa_category,
        references: body.references,
    };
    change(&state, &record_id, update).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionBody {
    #[serde(deserialize_with = "date")]
    permitted_stay_end: NaiveDate,
    visa_category: Option<Category>,
    references: Option<References>,
}

/// `POST /admin/records/{record_id}/extension`: a later end, optionally another category.
#[handler]
async fn extend_stay(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<Changed>, SandboxError> {
    let body: ExtensionBody = parse_body(raw).await?;
    let update = StayUpdate::Extension {
        permitted_stay_end: body.permitted_stay_end,
        visa_category: body.visa_category,
        references: body.references,
    };
    change(&state, &record_id, update).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartureBody {
    #[serde(deserialize_with = "date")]
    date: NaiveDate,
}

/// `POST /admin/records/{record_id}/departure`.
#[handler]
async fn record_departure(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<Changed>, SandboxError> {
    let body: DepartureBody = parse_body(raw).await?;
    change(&state, &record_id, StayUpdate::Departure { date: body.date }).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverstayBody {
    #[serde(default, deserialize_with = "optional_date")]
    permitted_stay_end: Option<NaiveDate>,
}

/// `POST /admin/records/{record_id}/overstay`: optionally the end that was overstayed.
#[handler]
async fn record_overstay(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<Changed>, SandboxError> {
    let body: OverstayBody = parse_body(raw).await?;
    let update = StayUpdate::Overstay { permitted_stay_end: body.permitted_stay_end };
    change(&state, &record_id, update).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BarBody {}

/// `POST /admin/records/{record_id}/bar`.
#[handler]
async fn bar_person(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<Changed>, SandboxError> {
    let _: BarBody = parse_body(raw).await?;
    change(&state, &record_id, StayUpdate::Bar).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PassportBody {
    document_number: String,
}

/// `POST /admin/records/{record_id}/passport`: the person's stay moved to a renewed passport.
/// The record keeps its id; no feed entry is written.
#[handler]
async fn renew_passport(
    state: Data<&AppState>,
    Path(record_id): Path<String>,
    raw: Body,
) -> Result<Json<StayRecord>, SandboxError> {
    let body: PassportBody = parse_body(raw).await?;
    let record =
        state.registry.renew_passport(&record_id, &body.document_number, state.clock.now()).await?;
    tracing::info!(record_id = %record.record_id, "passport renewed");
    Ok(Json(record))
}

/// A demo person as listed: identity and zone, made up but shaped as personal data.
#[derive(Serialize)]
struct DemoPerson {
    record_id: String,
    visa_category: Category,
    status: Status,
    surname: String,
    given_names: String,
    nationality: String,
    document_number: String,
    date_of_birth: NaiveDate,
    mrz: Vec<String>,
}

/// `GET /admin/demo-people`: who to type in for a demo.
#[handler]
async fn list_demo_people(state: Data<&AppState>) -> Json<Vec<DemoPerson>> {
    let people = demo_people(state.plan)
        .into_iter()
        .map(|person| {
            let mrz = person.mrz();
            let record = person.record;
            DemoPerson {
                record_id: record.record_id,
                visa_category: record.visa_category,
                status: record.status,
                surname: record.surname,
                given_names: record.given_names,
                nationality: record.nationality,
                document_number: record.document_number,
                date_of_birth: record.date_of_birth,
                mrz,
            }
        })
        .collect();
    Json(people)
}

/// `GET /admin/faults`: the armed fault, or null.
#[handler]
async fn armed_fault(state: Data<&AppState>) -> Json<Option<Armed>> {
    Json(state.faults.armed())
}

/// `PUT /admin/faults` `{"fault": "error"|"rate_limited"|"slow", "count": N,
/// "retry_after_secs"?: S, "delay_ms"?: D}`: the next N lookups meet the fault.
#[handler]
async fn arm_fault(state: Data<&AppState>, raw: Body) -> Result<Json<Option<Armed>>, SandboxError> {
    let request: ArmRequest = parse_body(raw).await?;
    let (fault, count) =
        request.validate().map_err(|detail| SandboxError::InvalidRequest(detail.to_owned()))?;
    state.faults.arm(fault, count);
    tracing::info!(?fault, count, "fault armed");
    Ok(Json(state.faults.armed()))
}

/// `DELETE /admin/faults`.
#[handler]
async fn clear_faults(state: Data<&AppState>) -> Json<Option<Armed>> {
    state.faults.clear();
    Json(None)
}
