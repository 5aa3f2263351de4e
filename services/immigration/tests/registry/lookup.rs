//! `POST /v1/stay-records/lookup`: each answer of the contract, and each way to break it.

use std::time::Duration;

use chrono::NaiveDate;
use idproof_immigration::{
    AnswerFault, LookupOutcome, Match, RegistryError, StayStatus, VisaCategory,
};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

use crate::helpers::{
    LOOKUP_PATH, answer_json, checked, client, lookup_json, lookup_request, record_json,
};

/// A registry that answers every lookup with `answer`.
async fn registry(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(LOOKUP_PATH)).respond_with(answer).mount(&server).await;
    server
}

async fn lookup(answer: ResponseTemplate) -> Result<LookupOutcome, RegistryError> {
    let server = registry(answer).await;
    client(&server.uri()).lookup(&lookup_request()).await
}

fn problem(status: u16, code: &str) -> ResponseTemplate {
    let body = json!({"type": "about:blank", "title": "t", "status": status, "code": code});
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/problem+json")
}

fn unexpected(error: &RegistryError) -> AnswerFault {
    assert_eq!(checked(error), "registry.unexpected_answer");
    assert!(!error.is_transient());
    match error {
        RegistryError::UnexpectedAnswer { fault, .. } => fault.clone(),
        other => panic!("not an unexpected answer: {other:?}"),
    }
}

#[tokio::test]
async fn a_matched_record_is_found_with_the_contract_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LOOKUP_PATH))
        .and(header("content-type", "application/json"))
        .and(body_json(lookup_json()))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer_json("matched")))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = client(&server.uri()).lookup(&lookup_request()).await.unwrap();

    let LookupOutcome::Found { matching, record } = outcome else { panic!("{outcome:?}") };
    assert_eq!(matching, Match::Matched);
    assert_eq!(record.record_id, "IMM-000042");
    assert_eq!(record.visa_category, VisaCategory::LtrHsp);
    assert_eq!(record.status, StayStatus::InCountry);
    assert_eq!(record.permitted_stay_end, NaiveDate::from_ymd_opt(2031, 1, 14));
    assert_eq!(record.references.ltr_approval.as_deref(), Some("LTR-2025-000987"));
    assert_eq!(record.updated_at.to_rfc3339(), "2026-01-15T02:30:00+00:00");
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/registry{LOOKUP_PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer_json("matched")))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = client(&format!("{}/registry", server.uri())).lookup(&lookup_request()).await;

    assert!(matches!(outcome, Ok(LookupOutcome::Found { .. })), "{outcome:?}");
}

#[tokio::test]
async fn a_birth_date_that_differs_still_returns_the_record() {
    let answer = ResponseTemplate::new(200).set_body_json(answer_json("birth_date_differs"));

    let outcome = lookup(answer).await.unwrap();

    let LookupOutcome::Found { matching, record } = outcome else { panic!("{outcome:?}") };
    assert_eq!(matching, Match::BirthDateDiffers);
    assert_eq!(record.record_id, "IMM-000042");
}

#[tokio::test]
async fn record_not_found_is_an_answer() {
    let outcome = lookup(problem(404, "record_not_found")).await.unwrap();

    assert_eq!(outcome, LookupOutcome::NotFound);
}

#[tokio::test]
async fn a_404_without_the_problem_code_does_not_pass_as_no_record() {
    let bare = lookup(ResponseTemplate::new(404)).await.unwrap_err();
    let other_code = lookup(problem(404, "no_such_route")).await.unwrap_err();

    assert_eq!(unexpected(&bare), AnswerFault::NotFoundWithoutProblem);
    assert_eq!(unexpected(&other_code), AnswerFault::NotFoundWithoutProblem);
}

#[tokio::test]
async fn a_rate_limit_is_transient_with_the_registry_s_delay() {
    let answer = problem(429, "rate_limited").insert_header("Retry-After", "7");

    let error = lookup(answer).await.unwrap_err();

    assert_eq!(checked(&error), "registry.rate_limited");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_rate_limit_without_retry_after_is_transient_without_a_delay() {
    let error = lookup(problem(429, "rate_limited")).await.unwrap_err();

    assert_eq!(checked(&error), "registry.rate_limited");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), None);
}

#[tokio::test]
async fn server_errors_are_transient() {
    for status in [500, 502, 503, 504] {
        let error = lookup(ResponseTemplate::new(status)).await.unwrap_err();

        assert_eq!(checked(&error), "registry.unavailable", "{status}");
        assert!(error.is_transient(), "{status}");
        let RegistryError::Unavailable { status: Some(found), .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(found.as_u16(), status);
    }

    let busy = lookup(ResponseTemplate::new(503).insert_header("Retry-After", "30")).await;

    assert_eq!(busy.unwrap_err().retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn refusals_are_permanent_with_their_problem_code() {
    let cases = [(400, "invalid_request"), (401, "unauthenticated"), (403, "forbidden")];
    for (status, code) in cases {
        let error = lookup(problem(status, code)).await.unwrap_err();

        assert_eq!(checked(&error), "registry.rejected", "{status}");
        assert!(!error.is_transient(), "{status}");
        let RegistryError::Rejected { status: found, problem_code, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!((found.as_u16(), problem_code.as_deref()), (status, Some(code)));
    }
}

#[tokio::test]
async fn a_problem_code_of_another_shape_is_not_repeated() {
    let error = lookup(problem(400, "C01X00T47 is not valid")).await.unwrap_err();

    assert!(matches!(&error, RegistryError::Rejected { problem_code: None, .. }), "{error:?}");
    checked(&error);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_transient() {
    let answer = ResponseTemplate::new(200)
        .set_body_json(answer_json("matched"))
        .set_delay(Duration::from_secs(3));

    let error = lookup(answer).await.unwrap_err();

    assert_eq!(checked(&error), "registry.timeout");
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);

    let error = client(&format!("http://{address}")).lookup(&lookup_request()).await.unwrap_err();

    assert_eq!(checked(&error), "registry.unavailable");
    assert!(error.is_transient());
}

#[tokio::test]
async fn malformed_json_is_an_unexpected_answer() {
    let cut =
        r#"{"match": "matched", "record": {"record_id": "IMM-000042", "document_number": "C01X"#;
    let answer = ResponseTemplate::new(200).set_body_raw(cut, "application/json");

    let error = lookup(answer).await.unwrap_err();

    assert!(matches!(unexpected(&error), AnswerFault::NotJson { line: 1, .. }), "{error:?}");
}

#[tokio::test]
async fn an_unknown_status_is_refused_where_it_is() {
    let mut answer = answer_json("matched");
    answer["record"]["status"] = json!("deported");

    let error = lookup(ResponseTemplate::new(200).set_body_json(answer)).await.unwrap_err();

    assert_eq!(unexpected(&error), AnswerFault::Shape { path: "record.status".to_owned() });
}

#[tokio::test]
async fn a_missing_required_field_is_refused() {
    for field in ["record_id", "date_of_birth", "visa_category", "status", "updated_at"] {
        let mut answer = answer_json("matched");
        answer["record"].as_object_mut().unwrap().remove(field);

        let error = lookup(ResponseTemplate::new(200).set_body_json(answer)).await.unwrap_err();

        assert!(matches!(unexpected(&error), AnswerFault::Shape { .. }), "{field}: {error:?}");
    }
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_refused_without_quoting_it() {
    let mut answer = answer_json("matched");
    answer["record"]["date_of_birth"] = json!("12.08.1964 (C01X00T47)");
    answer["record"]["record_id"] = json!(["MUSTERMANN"]);

    let error = lookup(ResponseTemplate::new(200).set_body_json(answer)).await.unwrap_err();

    assert!(matches!(unexpected(&error), AnswerFault::Shape { .. }), "{error:?}");
}

#[tokio::test]
async fn an_unknown_category_and_absent_nullable_fields_are_accepted() {
    let mut record = record_json();
    record["visa_category"] = json!("eec_specialist");
    let fields = record.as_object_mut().unwrap();
    fields.remove("last_entry");
    fields.remove("references");
    let answer = json!({"match": "matched", "record": record, "added_later": {"x": 1}});

    let outcome = lookup(ResponseTemplate::new(200).set_body_json(answer)).await.unwrap();

    let LookupOutcome::Found { record, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(record.visa_category, VisaCategory::Other("eec_specialist".to_owned()));
    assert_eq!(record.last_entry, None);
    assert_eq!(record.references.work_permit, None);
}

#[tokio::test]
async fn a_wrong_content_type_is_an_unexpected_answer() {
    let html = ResponseTemplate::new(200).set_body_raw("<html>gateway</html>", "text/html");
    let unlabelled = ResponseTemplate::new(200).set_body_bytes(answer_json("matched").to_string());

    let html = lookup(html).await.unwrap_err();
    let unlabelled = lookup(unlabelled).await.unwrap_err();

    let html_type = AnswerFault::ContentType { found: Some("text/html".to_owned()) };
    assert_eq!(unexpected(&html), html_type);
    assert!(matches!(unexpected(&unlabelled), AnswerFault::ContentType { .. }));
}

#[tokio::test]
async fn a_huge_body_is_refused_unread() {
    let huge = format!(r#"{{"match": "matched", "padding": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let answer = ResponseTemplate::new(200).set_body_raw(huge, "application/json");

    let error = lookup(answer).await.unwrap_err();

    assert_eq!(unexpected(&error), AnswerFault::TooLarge { limit: 1024 * 1024 });
}

#[tokio::test]
async fn a_huge_body_without_a_length_is_cut_off() {
    let server = raw_registry(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await;
    let mut config = crate::helpers::config(&server);
    config.max_answer_bytes = 64 * 1024;

    let error = idproof_immigration::RegistryClient::new(config)
        .unwrap()
        .lookup(&lookup_request())
        .await
        .unwrap_err();

    assert_eq!(unexpected(&error), AnswerFault::TooLarge { limit: 64 * 1024 });
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let answer = ResponseTemplate::new(307).insert_header("Location", "http://elsewhere.invalid/");

    let error = lookup(answer).await.unwrap_err();

    assert_eq!(unexpected(&error), AnswerFault::Status);
    assert!(matches!(
        error,
        RegistryError::UnexpectedAnswer { status: StatusCode::TEMPORARY_REDIRECT, .. }
    ));
}

/// A registry on a raw socket that sends `head`, then 1 KiB chunks without end, for a body with
/// no declared length.
async fn raw_registry(head: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = [0_u8; 4096];
        let _ = stream.read(&mut request).await;
        stream.write_all(head).await.unwrap();
        let chunk = format!("400\r\n{}\r\n", "x".repeat(1024));
        while stream.write_all(chunk.as_bytes()).await.is_ok() {}
    });

    format!("http://{address}")
}
