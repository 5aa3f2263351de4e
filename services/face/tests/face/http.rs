//! The HTTP adapter against a wiremock provider: every status and answer of the contract.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use idproof_face::{AuthHeader, FaceComparator, FaceError, HttpComparator, HttpComparatorConfig};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_partial_json, header, method, path},
};

use crate::helpers::{chip_face, reference, selfie};

const COMPARE: &str = "/v1/compare";

fn config(server: &MockServer) -> HttpComparatorConfig {
    HttpComparatorConfig {
        auth_header: Some(AuthHeader {
            name: "authorization".to_owned(),
            value: "Bearer s3cret".to_owned(),
        }),
        timeout: Duration::from_millis(500),
        max_answer_bytes: 1024,
        ..HttpComparatorConfig::new("acme-face", format!("{}{COMPARE}", server.uri()))
    }
}

/// Compares two chip faces against a provider that answers `answer`.
async fn compare_with(answer: ResponseTemplate) -> Result<idproof_face::Comparison, FaceError> {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(COMPARE)).respond_with(answer).mount(&server).await;

    let comparator = HttpComparator::new(config(&server)).unwrap();
    comparator.compare(&selfie(chip_face(1)), &reference(chip_face(2))).await
}

fn json_answer(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The error's code, having checked that its text and `Debug` hold no image data.
fn code(error: &FaceError) -> &'static str {
    let shown = format!("{error} {error:?}");
    let probe = STANDARD.encode(chip_face(1));
    assert!(!shown.contains(&probe[..40]), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
    error.code()
}

#[tokio::test]
async fn a_score_is_read_and_the_request_follows_the_contract() {
    let server = MockServer::start().await;
    let (probe, other) = (chip_face(1), chip_face(2));
    Mock::given(method("POST"))
        .and(path(COMPARE))
        .and(header("authorization", "Bearer s3cret"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "probe": STANDARD.encode(&probe),
            "probe_media_type": "image/jpeg",
            "reference": STANDARD.encode(&other),
            "reference_media_type": "image/jpeg",
        })))
        .respond_with(json_answer(json!({"score": 0.91, "model_version": "face-7.2"})))
        .expect(1)
        .mount(&server)
        .await;

    let comparator = HttpComparator::new(config(&server)).unwrap();
    let comparison = comparator.compare(&selfie(probe), &reference(other)).await.unwrap();

    assert!((comparison.score - 0.91).abs() < 1e-6);
    assert_eq!(comparison.provider, "acme-face");
    assert_eq!(comparison.model_version.as_deref(), Some("face-7.2"));
}

#[tokio::test]
async fn the_model_version_is_optional_and_the_bounds_of_the_score_are_kept() {
    let comparison = compare_with(json_answer(json!({"score": 0, "extra": true}))).await.unwrap();
    assert_eq!((comparison.score, comparison.model_version), (0.0, None));

    let comparison = compare_with(json_answer(json!({"score": 1.0}))).await.unwrap();
    assert_eq!(comparison.score, 1.0);
}

#[tokio::test]
async fn refusals_are_permanent() {
    for status in [400, 401, 403, 404, 413, 422] {
        let error = compare_with(ResponseTemplate::new(status)).await.unwrap_err();
        assert_eq!(code(&error), "face.provider_rejected", "{status}");
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn server_errors_are_transient_with_their_retry_after() {
    let answer = ResponseTemplate::new(503).insert_header("retry-after", "7");
    let error = compare_with(answer).await.unwrap_err();
    assert_eq!(code(&error), "face.provider_unavailable");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(error.to_string(), "the face comparison provider is unavailable (status 503)");

    let error = compare_with(ResponseTemplate::new(500)).await.unwrap_err();
    assert!(error.is_transient() && error.retry_after().is_none());
}

#[tokio::test]
async fn a_rate_limit_is_transient_with_its_retry_after() {
    let answer = ResponseTemplate::new(429).insert_header("retry-after", "30");
    let error = compare_with(answer).await.unwrap_err();

    assert_eq!(code(&error), "face.provider_rate_limited");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn a_slow_provider_times_out_transiently() {
    let answer = json_answer(json!({"score": 0.9})).set_delay(Duration::from_secs(2));
    let error = compare_with(answer).await.unwrap_err();

    assert_eq!(code(&error), "face.provider_timeout");
    assert!(error.is_transient());
}

#[tokio::test]
async fn no_provider_at_all_is_unavailable() {
    // A port that was free a moment ago: nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}{COMPARE}", listener.local_addr().unwrap());
    drop(listener);

    let comparator = HttpComparator::new(HttpComparatorConfig::new("acme-face", endpoint)).unwrap();
    let error = comparator.compare(&selfie(chip_face(1)), &reference(chip_face(2))).await;

    let error = error.unwrap_err();
    assert!(matches!(error.code(), "face.provider_unavailable" | "face.provider_timeout"));
    assert!(error.is_transient());
}

#[tokio::test]
async fn answers_that_break_the_contract_are_permanent() {
    let text = |body: &str| {
        ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
    };
    let answers = [
        text("{\"score\": 0.9"),
        text("not json"),
        text("{\"score\": NaN}"),
        text("{\"score\": 1e400}"),
        json_answer(json!({"score": "0.9"})),
        json_answer(json!({"score": "NaN"})),
        json_answer(json!({"score": null})),
        json_answer(json!({"model_version": "face-7.2"})),
        json_answer(json!({"score": 1.0001})),
        json_answer(json!({"score": -0.1})),
        json_answer(json!({"score": 0.9, "model_version": ""})),
        json_answer(json!({"score": 0.9, "model_version": "a b"})),
        json_answer(json!({"score": 0.9, "padding": "x".repeat(2000)})),
        ResponseTemplate::new(200).set_body_raw(b"{\"score\": 0.9}".to_vec(), "text/plain"),
        ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/"),
        ResponseTemplate::new(204),
    ];

    for (i, answer) in answers.into_iter().enumerate() {
        let error = compare_with(answer).await.unwrap_err();
        assert_eq!(code(&error), "face.provider_answer", "answer {i}: {error}");
        assert!(!error.is_transient());
    }
}

#[test]
fn a_bad_configuration_fails_at_start_up_and_hides_the_secret() {
    let config = HttpComparatorConfig {
        auth_header: Some(AuthHeader { name: "x api key".to_owned(), value: "s3cret".to_owned() }),
        ..HttpComparatorConfig::new("acme-face", "https://faces.example/v1/compare")
    };
    assert!(!format!("{config:?}").contains("s3cret"));
    assert_eq!(HttpComparator::new(config).unwrap_err().code(), "face.configuration");

    let config = HttpComparatorConfig::new("acme-face", "ftp://faces.example/");
    assert_eq!(HttpComparator::new(config).unwrap_err().code(), "face.configuration");
    let config = HttpComparatorConfig::new("acme-face", "not a url");
    assert_eq!(HttpComparator::new(config).unwrap_err().code(), "face.configuration");
}
