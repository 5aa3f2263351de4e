//! Injected faults answer what they say, for the next N lookups only.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::TestSandbox;

#[tokio::test]
async fn errors_then_normal_answers() {
    let sandbox = TestSandbox::start().await;
    let person = idproof_immigration_sandbox::seed::demo_people(sandbox.running.plan).remove(0);
    let (status, armed) = sandbox
        .admin(Method::PUT, "/admin/faults", Some(json!({ "fault": "error", "count": 2 })))
        .await;
    assert_eq!(status, StatusCode::OK, "{armed}");
    assert_eq!(armed, json!({ "fault": "error", "remaining": 2 }));

    for _ in 0..2 {
        let (status, problem) = sandbox.lookup_record(&person.record).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, Some("internal_error"))
        );
    }
    assert_eq!(sandbox.lookup_record(&person.record).await.0, StatusCode::OK);
    assert_eq!(sandbox.admin(Method::GET, "/admin/faults", None).await.1, json!(null));
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let sandbox = TestSandbox::start().await;
    let body = json!({ "fault": "rate_limited", "count": 1, "retry_after_secs": 7 });
    assert_eq!(sandbox.admin(Method::PUT, "/admin/faults", Some(body)).await.0, StatusCode::OK);
    let lookup =
        json!({ "nationality": "D", "document_number": "X1", "date_of_birth": "1964-08-12" });
    let response = sandbox
        .http
        .post(sandbox.url("/v1/stay-records/lookup"))
        .json(&lookup)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    let (_, problem) = crate::read(response).await;
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(sandbox.lookup("D", "X1", "1964-08-12").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn slow_answers_wait_and_faults_clear() {
    let sandbox = TestSandbox::start().await;
    let body = json!({ "fault": "slow", "count": 1, "delay_ms": 300 });
    assert_eq!(sandbox.admin(Method::PUT, "/admin/faults", Some(body)).await.0, StatusCode::OK);
    let started = Instant::now();
    assert_eq!(sandbox.lookup("D", "X1", "1964-08-12").await.0, StatusCode::NOT_FOUND);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let body = json!({ "fault": "error", "count": 5 });
    assert_eq!(sandbox.admin(Method::PUT, "/admin/faults", Some(body)).await.0, StatusCode::OK);
    assert_eq!(sandbox.admin(Method::DELETE, "/admin/faults", None).await.0, StatusCode::OK);
    assert_eq!(sandbox.lookup("D", "X1", "1964-08-12").await.0, StatusCode::NOT_FOUND);

    for bad in [
        json!({ "fault": "error", "count": 0 }),
        json!({ "fault": "slow", "count": 1 }),
        json!({ "fault": "teapot", "count": 1 }),
        json!({ "fault": "error", "count": 1, "extra": true }),
    ] {
        let (status, _) = sandbox.admin(Method::PUT, "/admin/faults", Some(bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
