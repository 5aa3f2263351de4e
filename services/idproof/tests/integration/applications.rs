//! Opening, reading and cancelling applications, and what the workflow records.

use std::time::Duration;

use idproof_proofing::{ApplicationId, ClientId, EvidenceId, EvidenceKind};
use idproof_store::NewEvidence;
use idproof_workflows::{EvidenceSubmitted, ProofingWorkflow};
use reqwest::{Method, StatusCode};
use temporalio_client::{WorkflowFetchHistoryOptions, WorkflowSignalOptions};

use crate::support::{Backend, TestApp, on_both_databases};

const SIM_T3: &str = r#"{"purpose":"sim_registration","tier":"t3","channel":"telecom_shop",
    "shop_visit":{"operator":"ais","shop_id":"shop-17","clerk_id":"clerk-4"}}"#;
const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

on_both_databases! {
    async fn create_answers_201_and_replays_by_idempotency_key(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let body = r#"{"purpose":"investor_onboarding","tier":"t2","channel":"investor_portal","client_reference":"eec-0042"}"#;
        let key = [("Idempotency-Key", "onboarding-0042")];

        let (status, headers, first) =
            app.request(Method::POST, "/v1/applications", Some(&app.api_key), Some(body), &key).await;
        let (again_status, again_headers, again) =
            app.request(Method::POST, "/v1/applications", Some(&app.api_key), Some(body), &key).await;

        assert_eq!(status, StatusCode::CREATED, "{first}");
        let id = first["id"].as_str().unwrap();
        assert_eq!(headers["location"], format!("/v1/applications/{id}").as_str());
        assert_eq!(headers["idempotent-replayed"], "false");
        assert_eq!(first["evidence_needed"], serde_json::json!(["mrz", "mobile_number"]));
        assert_eq!(first["client_reference"], "eec-0042");
        assert_eq!(again_status, StatusCode::CREATED);
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again_headers["idempotent-replayed"], "true");
        assert_eq!(app.count("application").await, 1);

        let other = r#"{"purpose":"digital_id","tier":"t1","channel":"investor_portal"}"#;
        let (reused, _, problem) =
            app.request(Method::POST, "/v1/applications", Some(&app.api_key), Some(other), &key).await;
        assert_eq!(reused, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["code"], "idempotency_key_reused");
        assert_eq!(app.count("application").await, 1);
        app.stop().await;
    }

    async fn the_workflow_plans_evidence_and_records_intake_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let created = app.create_application(
            SIM_T3,
        ).await;
        let id = created["id"].as_str().unwrap();

        let application = app.wait_for_status(id, "awaiting_evidence", Duration::from_secs(30)).await;
        assert_eq!(application["created_at"], created["created_at"], "POST and GET disagree");

        assert_eq!(
            application["evidence_needed"],
            serde_json::json!(["mrz", "chip", "selfie", "mobile_number"])
        );
        let steps = application["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 1, "{application}");
        assert_eq!(steps[0]["step"], "intake");
        assert_eq!(steps[0]["verdict"], "passed");
        assert_eq!(steps[0]["reason"], "evidence_planned");

        let handle = app.temporal.get_workflow_handle::<ProofingWorkflow>(id.to_owned());
        let description = handle.describe(Default::default()).await.unwrap();
        assert_eq!(description.task_queue(), app.config.temporal.task_queue);
        app.stop().await;
    }

    async fn cancel_ends_the_application_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;
        let path = format!("/v1/applications/{id}/cancel");

        let (status, _, _) = app.request(Method::POST, &path, Some(&app.api_key), None, &[]).await;
        let cancelled = app.wait_for_status(&id, "cancelled", Duration::from_secs(30)).await;
        let (again, _, problem) = app.request(Method::POST, &path, Some(&app.api_key), None, &[]).await;

        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(again, StatusCode::CONFLICT);
        assert_eq!(problem["code"], "application_closed");
        let steps: Vec<_> = cancelled["steps"].as_array().unwrap().iter()
            .map(|step| (step["step"].as_str().unwrap(), step["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(steps, [("intake", "evidence_planned"), ("cancellation", "client_request")]);
        assert_eq!(cancelled["evidence_needed"], serde_json::json!([]));
        app.stop().await;
    }

    async fn an_idle_application_expires(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| config.proofing.idle_timeout_secs = 2).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();

        let expired = app.wait_for_status(&id, "expired", Duration::from_secs(30)).await;

        let last = expired["steps"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["step"], "expiry");
        assert_eq!(last["reason"], "idle_timeout");
        app.stop().await;
    }

    async fn a_selfie_with_no_face_comparator_is_flagged_for_an_officer(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(
            SIM_T3,
        ).await["id"].as_str().unwrap().to_owned();
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;
        let application_id = ApplicationId::from(uuid::Uuid::parse_str(&id).unwrap());
        let client = app.store.authenticate(&app.api_key).await.unwrap().unwrap();
        let evidence = NewEvidence {
            application_id,
            submitted_by: ClientId::from(client.id),
            kind: EvidenceKind::Selfie,
            content_type: "image/jpeg".to_owned(),
            content: vec![0xFF, 0xD8, 0xFF, 0xE0],
            delete_after: None,
        };
        let evidence_id = app.store.store_evidence(evidence, chrono::Utc::now()).await.unwrap();

        // A selfie stored and signalled as the face endpoint would, to a worker configured with
        // no face comparator.
        let handle = app.temporal.get_workflow_handle::<ProofingWorkflow>(id.clone());
        let signal = EvidenceSubmitted { kind: EvidenceKind::Selfie, evidence_id };
        handle
            .signal(ProofingWorkflow::submit_evidence, signal, WorkflowSignalOptions::default())
            .await
            .unwrap();

        let mut application = app.get_application(&id).await;
        for _ in 0..100 {
            if !application["flags"].as_array().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            application = app.get_application(&id).await;
        }
        assert_eq!(application["flags"], serde_json::json!([{"step": "face", "reason": "face.not_configured"}]));
        assert_eq!(
            application["evidence_needed"],
            serde_json::json!(["mrz", "chip", "selfie", "mobile_number"])
        );
        app.stop().await;
    }

    async fn unreadable_evidence_fails_its_step_not_the_workflow(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;

        // An evidence id that names nothing, as a forged or replayed signal would carry.
        let handle = app.temporal.get_workflow_handle::<ProofingWorkflow>(id.clone());
        let forged = EvidenceSubmitted { kind: EvidenceKind::Mrz, evidence_id: EvidenceId::new() };
        handle
            .signal(ProofingWorkflow::submit_evidence, forged, WorkflowSignalOptions::default())
            .await
            .unwrap();

        let mut steps = Vec::new();
        for _ in 0..100 {
            let application = app.get_application(&id).await;
            steps = application["steps"].as_array().unwrap().clone();
            if steps.len() > 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(steps.len(), 2, "{steps:?}");
        assert_eq!(steps[1]["step"], "mrz");
        assert_eq!(steps[1]["verdict"], "failed");
        assert_eq!(steps[1]["reason"], "evidence_unreadable");
        let path = format!("/v1/applications/{id}/cancel");
        let (status, _, _) = app.request(Method::POST, &path, Some(&app.api_key), None, &[]).await;
        assert_eq!(status, StatusCode::ACCEPTED, "the workflow no longer answers");
        app.wait_for_status(&id, "cancelled", Duration::from_secs(30)).await;
        app.stop().await;
    }

    async fn workflow_history_holds_ids_and_verdicts_only(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        // A careless client puts personal data in its reference; it must stay in the database.
        let body = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service","client_reference":"ERIKSSON ANNA L898902C3 1974-08-12"}"#;
        let id = app.create_application(body).await["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/applications/{id}/cancel");
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;
        app.request(Method::POST, &path, Some(&app.api_key), None, &[]).await;
        app.wait_for_status(&id, "cancelled", Duration::from_secs(30)).await;

        let handle = app.temporal.get_workflow_handle::<ProofingWorkflow>(id.clone());
        let history = handle.fetch_history(WorkflowFetchHistoryOptions::default());
        let json = String::from_utf8(history.to_json().await.unwrap()).unwrap();

        for personal in ["ERIKSSON", "ANNA", "L898902C3", "1974-08-12", "client_reference", "self_service"] {
            assert!(!json.contains(personal), "history holds {personal:?}");
        }
        let payload_words = decoded_payload_keys(&json);
        let allowed = [
            "application_id", "idle_timeout_secs", "step_timeout_secs", "outcome", "plan", "step",
            "verdict", "reason", "required", "immigration_check", "officer_confirmation",
            "attempt", "evidence_id", "next_status", "status", "closing_step",
            "registry_retry", "provider_retry", "attempts", "first_retry_ms", "longest_retry_ms",
        ];
        for key in &payload_words {
            assert!(allowed.contains(&key.as_str()), "payload key {key:?} is not an id or verdict");
        }
        assert!(payload_words.contains("application_id"));
        app.stop().await;
    }
}

/// Every object key inside every JSON payload of a history, decoded from base64.
fn decoded_payload_keys(history_json: &str) -> std::collections::BTreeSet<String> {
    use base64::Engine;

    fn walk(value: &serde_json::Value, keys: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    keys.insert(key.clone());
                    walk(value, keys);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, keys)),
            _ => {}
        }
    }
    fn payloads(value: &serde_json::Value, found: &mut Vec<serde_json::Value>) {
        match value {
            serde_json::Value::Object(map) => {
                if let (Some(serde_json::Value::String(data)), Some(_)) =
                    (map.get("data"), map.get("metadata"))
                {
                    let bytes =
                        base64::engine::general_purpose::STANDARD.decode(data).unwrap_or_default();
                    if let Ok(decoded) = serde_json::from_slice(&bytes) {
                        found.push(decoded);
                    }
                }
                map.values().for_each(|value| payloads(value, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| payloads(item, found)),
            _ => {}
        }
    }

    let history: serde_json::Value = serde_json::from_str(history_json).unwrap();
    let mut found = Vec::new();
    payloads(&history, &mut found);
    assert!(!found.is_empty(), "no payloads found in the history");
    let mut keys = std::collections::BTreeSet::new();
    found.iter().for_each(|payload| walk(payload, &mut keys));
    keys
}
