//! Hostile and careless input: each is refused with problem+json and a stable code, and nothing
//! is stored.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Backend, TestApp, create_key, on_both_databases};

/// Sends a request and checks the problem it answers with, and that no row was written.
async fn refused(
    app: &TestApp,
    request: reqwest::RequestBuilder,
    status: StatusCode,
    code: &str,
) -> Value {
    let before = (app.count("application").await, app.count("audit_event").await);
    let response = request.send().await.unwrap();
    let actual = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let after = (app.count("application").await, app.count("audit_event").await);

    assert_eq!(actual, status, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["request_id"], request_id.as_str());
    assert_eq!(body["type"], format!("urn:idproof:problem:{code}").as_str());
    assert_eq!(before, after, "a refused request stored something");
    body
}

fn post(app: &TestApp, path: &str, key: Option<&str>) -> reqwest::RequestBuilder {
    let request = app.http.post(format!("{}{path}", app.base));
    match key {
        Some(key) => request.header("X-Api-Key", key),
        None => request,
    }
}

fn post_json(app: &TestApp, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
    post(app, "/v1/applications", Some(&app.api_key))
        .header("Content-Type", "application/json")
        .body(body)
}

on_both_databases! {
    async fn malformed_bodies_are_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let valid = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

        refused(&app, post_json(&app, "{bad"), StatusCode::BAD_REQUEST, "malformed_body").await;
        refused(&app, post_json(&app, &valid[..valid.len() - 5]), StatusCode::BAD_REQUEST, "malformed_body").await;
        refused(&app, post_json(&app, ""), StatusCode::BAD_REQUEST, "malformed_body").await;
        refused(&app, post_json(&app, "[]"), StatusCode::BAD_REQUEST, "malformed_body").await;
        let mut latin1 = br#"{"purpose":"digital_id","tier":"t1","channel":"self_service","client_reference":""#.to_vec();
        latin1.extend_from_slice(&[0xC4, 0xD6, 0xFF]);
        latin1.extend_from_slice(b"\"}");
        refused(&app, post_json(&app, latin1), StatusCode::BAD_REQUEST, "malformed_body").await;
        let bom = format!("\u{feff}{valid}");
        refused(&app, post_json(&app, bom), StatusCode::BAD_REQUEST, "malformed_body").await;
        app.stop().await;
    }

    async fn wrong_fields_and_values_are_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;

        let unknown = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service","passport_number":"L898902C3"}"#;
        let problem = refused(&app, post_json(&app, unknown), StatusCode::BAD_REQUEST, "unknown_field").await;
        assert!(problem["detail"].as_str().unwrap().contains("passport_number"));

        let purpose = r#"{"purpose":"tourism","tier":"t1","channel":"self_service"}"#;
        refused(&app, post_json(&app, purpose), StatusCode::UNPROCESSABLE_ENTITY, "unknown_purpose").await;
        let tier = r#"{"purpose":"digital_id","tier":"t9","channel":"self_service"}"#;
        refused(&app, post_json(&app, tier), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let missing = r#"{"tier":"t1","channel":"self_service"}"#;
        refused(&app, post_json(&app, missing), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let long_reference = format!(
            r#"{{"purpose":"digital_id","tier":"t1","channel":"self_service","client_reference":"{}"}}"#,
            "x".repeat(129)
        );
        refused(&app, post_json(&app, long_reference), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let low_tier = r#"{"purpose":"sim_registration","tier":"t1","channel":"telecom_shop"}"#;
        refused(&app, post_json(&app, low_tier), StatusCode::UNPROCESSABLE_ENTITY, "tier_below_purpose_minimum").await;
        let unattended = r#"{"purpose":"digital_id","tier":"t4","channel":"self_service"}"#;
        refused(&app, post_json(&app, unattended), StatusCode::UNPROCESSABLE_ENTITY, "tier_needs_attended_channel").await;

        let valid = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
        let long_key = "k".repeat(256);
        refused(&app, post_json(&app, valid).header("Idempotency-Key", long_key), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let text = post(&app, "/v1/applications", Some(&app.api_key)).header("Content-Type", "text/plain").body(valid);
        refused(&app, text, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
        app.stop().await;
    }

    async fn keys_and_scopes_are_enforced(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let valid = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
        let json = |key: Option<&str>| {
            post(&app, "/v1/applications", key).header("Content-Type", "application/json").body(valid)
        };

        let problem = refused(&app, json(None), StatusCode::UNAUTHORIZED, "unauthenticated").await;
        assert!(problem["detail"].as_str().unwrap().contains("X-Api-Key"));
        refused(&app, json(Some("not-a-key")), StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let forged = format!("{}x", &app.api_key[..app.api_key.len() - 1]);
        refused(&app, json(Some(&forged)), StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let truncated = &app.api_key[..20];
        refused(&app, json(Some(truncated)), StatusCode::UNAUTHORIZED, "unauthenticated").await;

        let read_only = create_key(&app.store, &["applications:read"]).await;
        let problem = refused(&app, json(Some(&read_only)), StatusCode::FORBIDDEN, "missing_scope").await;
        assert!(problem["detail"].as_str().unwrap().contains("applications:create"));
        app.stop().await;
    }

    async fn another_clients_application_is_not_found(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#).await["id"]
            .as_str().unwrap().to_owned();
        let other = create_key(&app.store, &["applications:read", "applications:cancel"]).await;

        let read = app.http.get(format!("{}/v1/applications/{id}", app.base)).header("X-Api-Key", &other);
        refused(&app, read, StatusCode::NOT_FOUND, "application_not_found").await;
        let cancel = post(&app, &format!("/v1/applications/{id}/cancel"), Some(&other));
        refused(&app, cancel, StatusCode::NOT_FOUND, "application_not_found").await;
        let unknown = app.http.get(format!("{}/v1/applications/{}", app.base, uuid::Uuid::now_v7()))
            .header("X-Api-Key", &app.api_key);
        refused(&app, unknown, StatusCode::NOT_FOUND, "application_not_found").await;
        let not_a_uuid = app.http.get(format!("{}/v1/applications/..%2F..%2Fetc", app.base))
            .header("X-Api-Key", &app.api_key);
        refused(&app, not_a_uuid, StatusCode::NOT_FOUND, "not_found").await;

        let (status, _, own) = app.request(Method::GET, &format!("/v1/applications/{id}"), Some(&app.api_key), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(own["id"], id.as_str());
        app.stop().await;
    }

    async fn bodies_over_the_limit_are_refused_unread(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| config.http.body_limit_bytes = 4096).await;
        let padding = " ".repeat(8192);
        let oversized = format!(r#"{{"purpose":"digital_id",{padding}"tier":"t1","channel":"self_service"}}"#);

        refused(&app, post_json(&app, oversized.clone()), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

        // Without a Content-Length the body is cut off while it streams.
        let chunks: Vec<Result<String, std::io::Error>> =
            oversized.as_bytes().chunks(1000).map(|chunk| Ok(String::from_utf8_lossy(chunk).into_owned())).collect();
        let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
        refused(&app, post_json(&app, stream), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
        app.stop().await;
    }
}
