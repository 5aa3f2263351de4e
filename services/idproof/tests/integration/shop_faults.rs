//! The shop's visit when things go wrong: an SMS gateway that fails for a while, answers too
//! slowly, refuses a number or stays down; a face that does not match the chip; a verification
//! whose signal never reached the workflow; a visit cancelled half-way; hostile bodies.

use std::time::Duration;

use idproof_proofing::{ApplicationId, Step, Verdict};
use idproof_store::OtpVerdict;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{body_string_contains, method},
};

use crate::{
    shop::{
        NUMBER, Shop, face_body, post, read_chip, selfie_of_chip, sim_application, step,
        wait_for_reason, with_page,
    },
    support::{Backend, TestApp, on_both_databases, passport_lines},
};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

/// Makes the SMS gateway answer the next `times` messages to `e164` with `answer`, ahead of the
/// test's default success.
async fn gateway_answers(app: &TestApp, e164: &str, answer: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("POST")).and(body_string_contains(e164)).respond_with(answer);
    let mock = match times {
        Some(times) => mock.up_to_n_times(times),
        None => mock,
    };
    mock.with_priority(1).mount(&app.sms).await;
}

/// Asks for a code to `e164` on application `id`.
async fn ask_for_code(app: &TestApp, id: &str, e164: &str, operator: &str) {
    let body = json!({ "number": e164, "operator": operator });
    let (status, sent) =
        post(app, &app.api_key, &format!("/v1/applications/{id}/mobile"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
}

/// Answers application `id`'s code until it is delivered, and returns the answer.
async fn answer_code(app: &TestApp, id: &str, code: &str) -> (StatusCode, Value) {
    let verify = format!("/v1/applications/{id}/mobile/verify");
    for _ in 0..100 {
        let (status, body) = post(app, &app.api_key, &verify, &json!({ "code": code })).await;
        if body["code"] != "mobile.code_not_delivered" {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the code was never delivered\nworker logs:\n{}", app.worker_logs());
}

/// Posts `body` as JSON to `path` and checks the problem it answers with, and that no evidence
/// and no code was stored.
async fn refused(
    app: &TestApp,
    path: &str,
    body: impl Into<reqwest::Body>,
    status: StatusCode,
    code: &str,
) {
    let before = (app.count("evidence").await, app.count("otp_challenge").await);
    let response = app
        .http
        .post(format!("{}{path}", app.base))
        .header("X-Api-Key", &app.api_key)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let answered = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    let problem: Value = response.json().await.unwrap();

    assert_eq!((answered, problem["code"].as_str()), (status, Some(code)), "{path}: {problem}");
    assert_eq!(content_type, "application/problem+json");
    let after = (app.count("evidence").await, app.count("otp_challenge").await);
    assert_eq!(before, after, "{path}: a refused request stored something");
}

on_both_databases! {
    async fn the_sms_gateway_is_retried_through_faults_and_its_refusal_fails_the_step(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| {
            config.mobile.otp.resend_cooldown_secs = 0;
            config.mobile.sms.as_mut().unwrap().timeout_ms = 1_000;
        })
        .await;
        let anna = passport_lines();

        // Two 503s, then the gateway takes the message: the activity's third attempt delivers,
        // and only the code it drew is armed.
        let flaky = "+66811111111";
        gateway_answers(&app, flaky, ResponseTemplate::new(503), Some(2)).await;
        let first = with_page(&app, T1, &anna).await;
        ask_for_code(&app, &first, flaky, "ais").await;
        let delivered = app.wait_for_code(flaky, 3).await;
        let drawn = app.codes_sent_to(flaky).await;
        let failed_attempts = &drawn[..2];
        if !failed_attempts.contains(&delivered) {
            let (status, wrong) = answer_code(&app, &first, &failed_attempts[0]).await;
            assert_eq!((status, wrong["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("mobile.code_wrong")));
        }
        let (status, verified) = answer_code(&app, &first, &delivered).await;
        assert_eq!(status, StatusCode::OK, "{verified}");
        wait_for_reason(&app, &first, "mobile", "mobile.bound").await;
        assert_eq!(app.codes_sent_to(flaky).await.len(), 3);

        // An answer slower than the gateway's timeout is tried again.
        let slow = "+66822222222";
        let late = ResponseTemplate::new(200).set_delay(Duration::from_secs(3));
        gateway_answers(&app, slow, late, Some(1)).await;
        let second = with_page(&app, T1, &anna).await;
        ask_for_code(&app, &second, slow, "dtac").await;
        let delivered = app.wait_for_code(slow, 2).await;
        let (status, verified) = answer_code(&app, &second, &delivered).await;
        assert_eq!(status, StatusCode::OK, "{verified}");
        wait_for_reason(&app, &second, "mobile", "mobile.bound").await;

        // A number the gateway refuses fails the step at once, without retries; the clerk asks
        // again and the next code goes through.
        let refused = "+66833333333";
        gateway_answers(&app, refused, ResponseTemplate::new(400), Some(1)).await;
        let third = with_page(&app, T1, &anna).await;
        ask_for_code(&app, &third, refused, "true_move_h").await;
        wait_for_reason(&app, &third, "mobile", "sms.rejected").await;
        assert_eq!(app.codes_sent_to(refused).await.len(), 1);
        let (status, before_delivery) = post(&app, &app.api_key, &format!("/v1/applications/{third}/mobile/verify"), &json!({ "code": "000000" })).await;
        assert_eq!((status, before_delivery["code"].as_str()), (StatusCode::CONFLICT, Some("mobile.code_not_delivered")));
        ask_for_code(&app, &third, refused, "true_move_h").await;
        let delivered = app.wait_for_code(refused, 2).await;
        let (status, verified) = answer_code(&app, &third, &delivered).await;
        assert_eq!(status, StatusCode::OK, "{verified}");
        wait_for_reason(&app, &third, "mobile", "mobile.bound").await;

        // A gateway that stays down is given the configured attempts, then the step fails.
        let down = "+66844444444";
        gateway_answers(&app, down, ResponseTemplate::new(503), None).await;
        let fourth = with_page(&app, T1, &anna).await;
        ask_for_code(&app, &fourth, down, "nt").await;
        wait_for_reason(&app, &fourth, "mobile", "sms.undeliverable").await;
        let attempts = app.config.proofing.provider_attempts;
        assert_eq!(app.codes_sent_to(down).await.len(), usize::try_from(attempts).unwrap());
        app.stop().await;
    }

    async fn a_face_under_the_threshold_goes_to_an_officer_with_its_score_sealed(backend: Backend) {
        let shop = Shop::open(backend, 0.41).await;
        let app = &shop.app;
        let id = with_page(app, &sim_application("ais"), &crate::shop::shop_chip().page_mrz).await;
        read_chip(app, &id).await;

        let face = format!("/v1/applications/{id}/face");
        let (status, accepted) = post(app, &app.api_key, &face, &face_body(&selfie_of_chip(), 5)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        assert_eq!(step(app, &id, "face").await, ("flagged".to_owned(), "face.low_score".to_owned()));

        // The step rests on a sealed comparison that holds the score and the threshold.
        let application_id = ApplicationId::from(uuid::Uuid::parse_str(&id).unwrap());
        let steps = app.store.steps(application_id).await.unwrap();
        let judged = steps.iter().find(|s| s.step == Step::Face).unwrap();
        assert_eq!(judged.verdict, Verdict::Flagged);
        let sealed = app.store.open_evidence(judged.evidence_id.unwrap()).await.unwrap();
        let comparison: Value = serde_json::from_slice(&sealed.content).unwrap();
        assert_eq!(comparison["verdict"]["outcome"], "flagged", "{comparison}");
        assert_eq!(comparison["verdict"]["code"], "face.low_score");
        let score = comparison["verdict"]["score"].as_f64().unwrap();
        let threshold = comparison["verdict"]["threshold"].as_f64().unwrap();
        assert!((score - 0.41).abs() < 1e-6 && (threshold - 0.8).abs() < 1e-6, "{comparison}");
        assert_eq!(comparison["provider"], "test-faces");

        // The number is bound, but the SIM waits for the officer.
        app.verify_number(&id, NUMBER, None).await;
        let decided = app.wait_for_status(&id, "in_review", Duration::from_secs(60)).await;
        assert_eq!(decided["sim_registration"]["outcome"], "in_review", "{decided}");
        assert_eq!(decided["sim_registration"]["tier"], decided["decision"]["tier"]);
        assert_eq!(shop.faces.received_requests().await.unwrap().len(), 1);
        shop.close().await;
    }

    async fn a_verification_the_workflow_missed_is_told_again_when_the_clerk_repeats_it(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = with_page(&app, T1, &passport_lines()).await;
        ask_for_code(&app, &id, NUMBER, "ais").await;
        app.wait_for_code(NUMBER, 1).await;

        // The code is verified in the store, as the API does, but the workflow is not told: a
        // signal lost on the way.
        let application_id = ApplicationId::from(uuid::Uuid::parse_str(&id).unwrap());
        let verified = loop {
            let verdict = app.store.verify_otp(application_id, |_, _| true, chrono::Utc::now()).await.unwrap();
            if verdict != OtpVerdict::NotDelivered {
                break verdict;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(matches!(verified, OtpVerdict::Verified { .. }), "{verified:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(app.store.steps(application_id).await.unwrap().iter().all(|s| s.step != Step::Mobile));

        // The clerk answers again: refused as already verified, and the workflow, told again,
        // binds the number once.
        let (status, replayed) = answer_code(&app, &id, "000000").await;
        assert_eq!((status, replayed["code"].as_str()), (StatusCode::CONFLICT, Some("mobile.already_verified")));
        wait_for_reason(&app, &id, "mobile", "mobile.bound").await;
        let (status, _) = answer_code(&app, &id, "000000").await;
        assert_eq!(status, StatusCode::CONFLICT);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let steps = app.store.steps(application_id).await.unwrap();
        assert_eq!(steps.iter().filter(|s| s.step == Step::Mobile).count(), 1, "{steps:?}");
        app.stop().await;
    }

    async fn a_visit_cancelled_after_the_number_was_bound_releases_it_and_registers_no_sim(backend: Backend) {
        let shop = Shop::open(backend, 0.93).await;
        let app = &shop.app;
        let id = with_page(app, &sim_application("ais"), &crate::shop::shop_chip().page_mrz).await;
        read_chip(app, &id).await;
        app.verify_number(&id, NUMBER, None).await;
        wait_for_reason(app, &id, "mobile", "mobile.bound").await;
        let active = "mobile_binding WHERE unbound_at IS NULL";
        assert_eq!(app.count(active).await, 1);

        // The customer walks out before the selfie: the clerk cancels.
        let cancel = format!("/v1/applications/{id}/cancel");
        let (status, _, _) = app.request(Method::POST, &cancel, Some(&app.api_key), None, &[]).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        app.wait_for_status(&id, "cancelled", Duration::from_secs(30)).await;
        let mut record = Value::Null;
        for _ in 0..100 {
            record = app.get_application(&id).await["sim_registration"].clone();
            if record["outcome"] != "pending" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(record["outcome"], "refused", "{record}");
        assert_eq!((record["tier"].clone(), record["number_masked"].clone()), (Value::Null, Value::Null));
        assert_eq!(app.count(active).await, 0, "the number is free for the next visit");
        shop.close().await;
    }

    async fn hostile_bodies_at_the_shop_routes_are_refused_and_store_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| config.http.body_limit_bytes = 4 * 1024).await;
        let id = with_page(&app, T1, &passport_lines()).await;
        let (send, verify, face) = (
            format!("/v1/applications/{id}/mobile"),
            format!("/v1/applications/{id}/mobile/verify"),
            format!("/v1/applications/{id}/face"),
        );
        let malformed = StatusCode::BAD_REQUEST;

        for path in [&send, &verify, &face] {
            refused(&app, path, "{bad", malformed, "malformed_body").await;
            refused(&app, path, "", malformed, "malformed_body").await;
            refused(&app, path, "[]", malformed, "malformed_body").await;
            let mut latin1 = br#"{"number":"081"#.to_vec();
            latin1.extend_from_slice(&[0xC4, 0xD6, 0xFF, b'"', b'}']);
            refused(&app, path, latin1, malformed, "malformed_body").await;
            if path != &face {
                // The selfie's route takes evidence.image_limit_bytes instead.
                refused(&app, path, format!("{{\"pad\":\"{}\"}}", "x".repeat(8 * 1024)), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
            }
        }
        refused(&app, &send, format!("\u{feff}{}", json!({ "number": NUMBER, "operator": "ais" })), malformed, "malformed_body").await;
        // A JSON number is read as its digits, which lack the leading 0 or +66.
        refused(&app, &send, json!({ "number": 812345678, "operator": "ais" }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "mobile.format").await;
        refused(&app, &send, json!({ "number": NUMBER, "operator": "ais", "owner": "x" }).to_string(), malformed, "unknown_field").await;
        refused(&app, &send, json!({ "number": "0".repeat(2_000), "operator": "ais" }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        refused(&app, &send, json!({ "number": NUMBER, "operator": "telstra" }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        for code in ["١٢٣٤٥٦", "１２３４５６", "12345", "1234567", "12 456", ""] {
            refused(&app, &verify, json!({ "code": code }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "mobile.code_format").await;
        }

        // Another client's key finds no application to send to.
        let stranger = crate::support::create_key(&app.store, &["evidence:submit"]).await;
        let response = app.http.post(format!("{}{send}", app.base)).header("X-Api-Key", &stranger)
            .header("Content-Type", "application/json")
            .body(json!({ "number": NUMBER, "operator": "ais" }).to_string()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.count("otp_challenge").await, 0);

        // A digital-ID application has no SIM registration record.
        let record = format!("/v1/applications/{id}/sim-registration");
        let (status, _, problem) = app.request(Method::GET, &record, Some(&app.api_key), None, &[]).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("sim_registration.none")));
        app.stop().await;
    }
}
