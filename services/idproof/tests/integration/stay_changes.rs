//! Stay changes from the registry: pushed by the sandbox to the API, or read from its feed by
//! the worker, each makes the running workflow of the change's person ask the registry again.
//! A change for a person with no application signals nothing; a change twice, once.

use std::{sync::Arc, time::Duration};

use idproof_immigration_sandbox::{ADMIN_TOKEN_HEADER, RunningSandbox, SandboxConfig, seed};
use idproof_proofing::SystemClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, create_key, on_both_databases};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
const ADMIN: &str = "sandbox-admin";
const PUSH: &str = "/v1/registry/stay-changes";

async fn sandbox(callback: Option<(String, String)>) -> RunningSandbox {
    let (callback_url, callback_api_key) = callback.unzip();
    let config = SandboxConfig {
        as_of: Some(chrono::Utc::now().date_naive()),
        admin_token: Some(ADMIN.to_owned()),
        callback_url,
        callback_api_key,
        ..SandboxConfig::ephemeral()
    };
    idproof_immigration_sandbox::start(config, Arc::new(SystemClock), std::future::pending())
        .await
        .unwrap()
}

/// The service with its worker calling `sandbox` (restarted to learn the sandbox's address).
async fn call_sandbox(app: &mut TestApp, sandbox: &RunningSandbox) {
    app.config.immigration.base_url = Some(sandbox.base_url());
    app.kill_worker();
    app.start_worker(None);
}

/// Opens an application for the demo person `record_id`, typing their page.
async fn application_of(app: &TestApp, sandbox: &RunningSandbox, record_id: &str) -> String {
    let person = seed::demo_people(sandbox.plan)
        .into_iter()
        .find(|person| person.record.record_id == record_id)
        .unwrap();
    let lines = person.mrz();
    let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
    let body = json!({ "lines": [lines[0], lines[1]] }).to_string();
    let path = format!("/v1/applications/{id}/mrz");
    let (status, _, answer) =
        app.request(Method::POST, &path, Some(&app.api_key), Some(&body), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    id
}

/// Waits until the application has `count` immigration steps.
async fn immigration_steps(app: &TestApp, id: &str, count: usize) {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let steps = application["steps"].as_array().unwrap();
        if steps.iter().filter(|step| step["step"] == "immigration").count() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("fewer than {count} immigration steps\n{}", app.worker_logs());
}

async fn extend(sandbox: &RunningSandbox, record_id: &str) {
    let person = seed::demo_people(sandbox.plan)
        .into_iter()
        .find(|person| person.record.record_id == record_id)
        .unwrap();
    let end = person.record.permitted_stay_end.unwrap() + chrono::Days::new(90);
    let answer = reqwest::Client::new()
        .post(format!("{}/admin/records/{record_id}/extension", sandbox.base_url()))
        .header(ADMIN_TOKEN_HEADER, ADMIN)
        .json(&json!({ "permitted_stay_end": end.to_string() }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

fn change(cursor: u64, document_number: &str) -> String {
    json!({
        "cursor": cursor, "record_id": "IMM-X", "nationality": "D",
        "document_number": document_number, "kind": "extended",
        "changed_at": "2026-12-04T09:30:00+07:00",
    })
    .to_string()
}

async fn push(app: &TestApp, key: &str, body: &str) -> (StatusCode, Value) {
    let (status, _, answer) = app.request(Method::POST, PUSH, Some(key), Some(body), &[]).await;
    (status, answer)
}

on_both_databases! {
    async fn a_pushed_extension_makes_the_workflow_ask_the_registry_again(backend: Backend) {
        let mut app = TestApp::spawn(backend).await;
        let key = create_key(&app.store, &["registry:notify"]).await;
        let callback = (format!("{}{PUSH}", app.base), key);
        let sandbox = sandbox(Some(callback)).await;
        call_sandbox(&mut app, &sandbox).await;

        let id = application_of(&app, &sandbox, "IMM-DEMO-03").await;
        immigration_steps(&app, &id, 1).await;
        extend(&sandbox, "IMM-DEMO-03").await;

        immigration_steps(&app, &id, 2).await;
        assert_eq!(app.count("stay_change").await, 1);
        assert_eq!(app.count("stay_change WHERE signalled = 1").await, 1);
        app.stop().await;
    }

    async fn the_feed_is_read_when_nothing_is_pushed(backend: Backend) {
        let mut app = TestApp::spawn_with(backend, |config| {
            config.stay_changes.poll_enabled = true;
            config.stay_changes.poll_interval_secs = 1;
        })
        .await;
        let sandbox = sandbox(None).await;
        call_sandbox(&mut app, &sandbox).await;

        let id = application_of(&app, &sandbox, "IMM-DEMO-03").await;
        immigration_steps(&app, &id, 1).await;
        extend(&sandbox, "IMM-DEMO-03").await;

        immigration_steps(&app, &id, 2).await;
        assert_eq!(app.count("stay_feed WHERE cursor >= 1").await, 1);
        app.stop().await;
    }

    async fn a_change_twice_or_for_no_applicant_signals_nothing_more(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let key = create_key(&app.store, &["registry:notify"]).await;

        assert_eq!(push(&app, &key, &change(7, "C01X00T47")).await, (StatusCode::OK, json!({"duplicate": false})));
        assert_eq!(push(&app, &key, &change(7, "C01X00T47")).await, (StatusCode::OK, json!({"duplicate": true})));
        assert_eq!(app.count("stay_change WHERE signalled = 0").await, 1);
        app.stop().await;
    }

    async fn hostile_pushes_are_refused_with_problems(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let key = create_key(&app.store, &["registry:notify"]).await;
        let code = |answer: &Value| answer["code"].as_str().unwrap_or_default().to_owned();

        let (status, answer) = push(&app, &key, "{\"cursor\": 1,").await;
        assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, "malformed_body".to_owned()));
        let (status, answer) = push(&app, &key, &change(1, "TOO-LONG-AND-LOWER-case")).await;
        assert_eq!((status, code(&answer)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field".to_owned()));
        assert!(!answer.to_string().contains("TOO-LONG"), "{answer}");
        let (status, answer) = push(&app, &app.api_key, &change(1, "C1")).await;
        assert_eq!((status, code(&answer)), (StatusCode::FORBIDDEN, "missing_scope".to_owned()));
        let (status, _, _) = app.request(Method::POST, PUSH, None, Some(&change(1, "C1")), &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The contract lets the registry add properties: they are ignored.
        let mut added: Value = serde_json::from_str(&change(2, "C1")).unwrap();
        added["reference"] = json!("R-1");
        assert_eq!(push(&app, &key, &added.to_string()).await.0, StatusCode::OK);
        assert_eq!(app.count("stay_change").await, 1);
        app.stop().await;
    }

    async fn a_push_over_the_body_limit_is_refused_unread(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| config.http.body_limit_bytes = 4096).await;
        let key = create_key(&app.store, &["registry:notify"]).await;
        let mut padded: Value = serde_json::from_str(&change(3, "C1")).unwrap();
        padded["padding"] = json!(" ".repeat(8192));

        let (status, answer) = push(&app, &key, &padded.to_string()).await;

        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
        assert_eq!(answer["code"], "payload_too_large");
        assert_eq!(app.count("stay_change").await, 0);
        app.stop().await;
    }
}
