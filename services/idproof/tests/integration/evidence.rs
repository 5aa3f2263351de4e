//! `POST /v1/applications/{id}/mrz`: typed lines, stored encrypted and judged by the workflow.
//! Images of the data page are in [`images`].

mod images;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, create_key, on_both_databases, passport_lines};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

fn body(lines: &[&str]) -> String {
    json!({ "lines": lines }).to_string()
}

async fn submit(app: &TestApp, id: &str, key: &str, body: &str) -> (StatusCode, Value) {
    let path = format!("/v1/applications/{id}/mrz");
    let (status, _, answer) = app.request(Method::POST, &path, Some(key), Some(body), &[]).await;
    (status, answer)
}

/// Waits for the MRZ step's verdict on an application.
async fn mrz_step(app: &TestApp, id: &str) -> Value {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let step =
            application["steps"].as_array().unwrap().iter().find(|s| s["step"] == "mrz").cloned();
        if let Some(step) = step {
            return step;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no MRZ verdict\n{}", app.worker_logs());
}

on_both_databases! {
    async fn a_valid_mrz_passes_its_step(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let [line1, line2] = passport_lines();

        let (status, accepted) = submit(&app, &id, &app.api_key, &body(&[&line1, &line2])).await;
        let step = mrz_step(&app, &id).await;

        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        assert_eq!(accepted["kind"], "mrz");
        assert_eq!((step["verdict"].as_str(), step["reason"].as_str()), (Some("passed"), Some("mrz_valid")));
        let application = app.get_application(&id).await;
        assert_eq!(application["evidence_needed"], json!(["mobile_number"]));
        assert_eq!(app.count("evidence").await, 1);
        app.stop().await;
    }

    async fn a_broken_or_expired_mrz_fails_its_step_with_the_code(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let [line1, line2] = passport_lines();
        let flipped = if &line2[9..10] == "0" { "1" } else { "0" };
        let broken = format!("{}{}{}", &line2[..9], flipped, &line2[10..]);
        let expired = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ];

        for (lines, reason) in [([line1.as_str(), broken.as_str()], "mrz.check_digit"), (expired, "mrz.expired")] {
            let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
            let (status, _) = submit(&app, &id, &app.api_key, &body(&lines)).await;
            let step = mrz_step(&app, &id).await;

            assert_eq!(status, StatusCode::ACCEPTED);
            assert_eq!((step["verdict"].as_str(), step["reason"].as_str()), (Some("failed"), Some(reason)));
            let application = app.get_application(&id).await;
            assert_eq!(application["evidence_needed"], json!(["mrz", "mobile_number"]));
        }
        app.stop().await;
    }

    async fn lines_that_are_no_mrz_are_refused_and_nothing_stored(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let [line1, line2] = passport_lines();
        let lowercase = line1.to_lowercase();
        let accented = line1.replacen("ANNA", "ÄNNA", 1);
        let ten_lines: Vec<&str> = std::iter::repeat_n(line2.as_str(), 10).collect();
        let huge_line = "<".repeat(100_000);
        let audit_before = app.count("audit_event").await;

        for (lines, code) in [
            (vec![line1.as_str()], "mrz.line_count"),
            (ten_lines, "mrz.line_count"),
            (vec![], "mrz.line_count"),
            (vec![line1.as_str(), &line2[..43]], "mrz.line_length"),
            (vec![line1.as_str(), huge_line.as_str()], "mrz.line_length"),
            (vec![lowercase.as_str(), line2.as_str()], "mrz.charset"),
            (vec![accented.as_str(), line2.as_str()], "mrz.charset"),
        ] {
            let (status, problem) = submit(&app, &id, &app.api_key, &body(&lines)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(problem["code"], code);
        }
        let (status, problem) = submit(&app, &id, &app.api_key, r#"{"lines":["x"],"photo":1}"#).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_field")));
        let (status, problem) = submit(&app, &id, &app.api_key, r#"{"lines":"P<UTO"}"#).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")));

        assert_eq!(app.count("evidence").await, 0);
        assert_eq!(app.count("audit_event").await, audit_before);
        app.stop().await;
    }

    async fn evidence_goes_only_to_open_applications_of_the_key_with_the_scope(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let [line1, line2] = passport_lines();
        let mrz = body(&[&line1, &line2]);

        let read_only = create_key(&app.store, &["applications:read"]).await;
        let (status, problem) = submit(&app, &id, &read_only, &mrz).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_scope")));

        let other = create_key(&app.store, &["evidence:submit"]).await;
        let (status, problem) = submit(&app, &id, &other, &mrz).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("application_not_found")));

        let cancel = format!("/v1/applications/{id}/cancel");
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;
        app.request(Method::POST, &cancel, Some(&app.api_key), None, &[]).await;
        app.wait_for_status(&id, "cancelled", Duration::from_secs(30)).await;
        let (status, problem) = submit(&app, &id, &app.api_key, &mrz).await;
        assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("application_closed")));

        assert_eq!(app.count("evidence").await, 0);
        app.stop().await;
    }
}
