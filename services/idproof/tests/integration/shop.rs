//! The telecom shop's visit through the API and a real worker: a SIM registration from a new
//! application to its record (MRZ, chip, face, number, code, tier), and the one-time code's and
//! the binding's limits as a clerk meets them.

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use idproof_immigration_sandbox::{RunningSandbox, SandboxConfig};
use idproof_passport::lds::Dg2;
use idproof_proofing::SystemClock;
use idproof_test_passports::chip::write::ChipEntry;
use idproof_workflows::webhook;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::{
    chip::{answer, answering_chip, file, import_trust, upload},
    support::{Backend, TestApp, on_both_databases},
};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
pub(crate) const NUMBER: &str = "+66812345678";

pub(crate) fn sim_application(operator: &str) -> String {
    json!({
        "purpose": "sim_registration", "tier": "t3", "channel": "telecom_shop",
        "shop_visit": { "operator": operator, "shop_id": "dealer-0417", "clerk_id": "staff-22" },
    })
    .to_string()
}

pub(crate) async fn sandbox() -> RunningSandbox {
    let config = SandboxConfig {
        as_of: Some(chrono::Utc::now().date_naive()),
        ..SandboxConfig::ephemeral()
    };
    idproof_immigration_sandbox::start(config, Arc::new(SystemClock), std::future::pending())
        .await
        .unwrap()
}

/// A face provider under our contract that answers every comparison with `score`.
pub(crate) async fn face_provider(score: f64) -> MockServer {
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "score": score, "model_version": "test-1" })),
        )
        .mount(&provider)
        .await;
    provider
}

/// The valid chip of UTO, the one test state the MRZ step knows. The sandbox keeps its holder
/// on an LTR stay.
pub(crate) fn shop_chip() -> &'static ChipEntry {
    answering_chip()
}

/// The shipped policy with the LTR group served from 2025 instead of 2027, so that the UTO
/// chip's holder reaches a tier today. Written under `dir`.
pub(crate) fn policy_serving_ltr(dir: &std::path::Path) -> std::path::PathBuf {
    let shipped = include_str!("../../../../policy/idproof.toml");
    let ltr =
        "name = \"Long-term residents (LTR, retirement and family stays)\"\neffective_from = ";
    let moved = shipped.replace(&format!("{ltr}2027-01-01"), &format!("{ltr}2025-01-01"));
    assert_ne!(moved, shipped, "the shipped policy's LTR group moved");
    let path = dir.join("policy-serving-ltr.toml");
    std::fs::write(&path, moved).unwrap();
    path
}

/// A shop's service: the registry's sandbox keeping the UTO holder on an LTR stay, a policy
/// that serves LTR today, a face provider answering every comparison with one score, and the
/// trust list that verifies the test chips.
pub(crate) struct Shop {
    pub(crate) app: TestApp,
    pub(crate) faces: MockServer,
    _registry: RunningSandbox,
    policy_dir: std::path::PathBuf,
}

impl Shop {
    pub(crate) async fn open(backend: Backend, face_score: f64) -> Self {
        let registry = sandbox().await;
        let faces = face_provider(face_score).await;
        let (registry_url, faces_url) = (registry.base_url(), format!("{}/compare", faces.uri()));
        let policy_dir = idproof_testkit::temp_dir("shop-policy").unwrap();
        let policy = policy_serving_ltr(&policy_dir);
        let app = TestApp::spawn_with(backend, move |config| {
            config.proofing.policy_file = Some(policy);
            config.immigration.base_url = Some(registry_url);
            config.face.comparator = idproof::steps_config::ComparatorKind::Http;
            config.face.provider = Some(idproof::steps_config::FaceProviderSettings {
                name: "test-faces".to_owned(),
                endpoint: faces_url,
                auth_header_name: None,
                auth_header_value: None,
                timeout_ms: 5_000,
            });
        })
        .await;
        import_trust(&app.config.database.url);
        Self { app, faces, _registry: registry, policy_dir }
    }

    pub(crate) async fn close(self) {
        self.app.stop().await;
        std::fs::remove_dir_all(&self.policy_dir).ok();
    }
}

/// Reads the shop chip into application `id`, answering its Active Authentication challenge.
pub(crate) async fn read_chip(app: &TestApp, id: &str) {
    let chip = shop_chip();
    let challenge_path = format!("/v1/applications/{id}/chip/challenge");
    let (status, _, issued) =
        app.request(Method::GET, &challenge_path, Some(&app.api_key), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{issued}");

    let bytes = STANDARD.decode(issued["challenge"].as_str().unwrap()).unwrap();
    let challenge_id = issued["challenge_id"].as_str().unwrap();
    let signature = answer(chip, &bytes);
    let body = upload(chip, Some((challenge_id, &signature)));
    let (status, uploaded) =
        post(app, &app.api_key, &format!("/v1/applications/{id}/chip"), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{uploaded}");
}

/// The chip's own face image, as the capture app's selfie.
pub(crate) fn selfie_of_chip() -> Vec<u8> {
    let dg2 = file(shop_chip(), "EF.DG2").unwrap();
    Dg2::parse(&dg2).unwrap().first_image().unwrap().bytes.to_vec()
}

pub(crate) fn face_body(selfie: &[u8], checked_ago_secs: i64) -> Value {
    let checked_at = chrono::Utc::now() - chrono::Duration::seconds(checked_ago_secs);
    json!({
        "selfie": STANDARD.encode(selfie),
        "media_type": "image/jpeg",
        "liveness": { "vendor": "acme-pad/3.2", "passed": true, "score": 0.97,
                      "checked_at": checked_at },
    })
}

pub(crate) async fn post(
    app: &TestApp,
    key: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let body = body.to_string();
    let (status, _, answer) = app.request(Method::POST, path, Some(key), Some(&body), &[]).await;
    (status, answer)
}

/// Waits for the latest verdict of `step`.
pub(crate) async fn step(app: &TestApp, id: &str, name: &str) -> (String, String) {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let found =
            application["steps"].as_array().unwrap().iter().rev().find(|s| s["step"] == name);
        if let Some(step) = found {
            let text = |key: &str| step[key].as_str().unwrap().to_owned();
            return (text("verdict"), text("reason"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {name} step on {id}\nworker logs:\n{}", app.worker_logs());
}

/// Waits until `step` has a verdict with `reason`.
pub(crate) async fn wait_for_reason(app: &TestApp, id: &str, name: &str, reason: &str) {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let found = application["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == name && s["reason"] == reason);
        if found {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {name} step {reason} on {id}\nworker logs:\n{}", app.worker_logs());
}

/// An application with the page read from `lines`.
pub(crate) async fn with_page(app: &TestApp, body: &str, lines: &[String]) -> String {
    let id = app.create_application(body).await["id"].as_str().unwrap().to_owned();
    let (status, answer) =
        post(app, &app.api_key, &format!("/v1/applications/{id}/mrz"), &json!({ "lines": lines }))
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    id
}

on_both_databases! {
    async fn a_shop_registers_a_sim_from_passport_to_record(backend: Backend) {
        let shop = Shop::open(backend, 0.93).await;
        let (app, faces) = (&shop.app, &shop.faces);
        let webhook = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&webhook).await;
        // The shop's client takes the record at its webhook.
        let db = app.store.connection();
        let callback = format!("{}/sim", webhook.uri());
        let sql = format!("UPDATE api_client SET callback_url = '{callback}'");
        db.execute_unprepared(&sql).await.unwrap();
        let key = app.api_key.clone();
        let chip = shop_chip();

        // The clerk opens the application for the shop's operator and reads the page.
        let body = sim_application("true_move_h");
        let (status, _, created) = app
            .request(Method::POST, "/v1/applications", Some(&key), Some(&body), &[])
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["sim_registration"]["outcome"], "pending");
        assert_eq!(created["sim_registration"]["operator"], "true_move_h");
        let (status, answer_body) =
            post(app, &key, &format!("/v1/applications/{id}/mrz"), &json!({ "lines": chip.page_mrz })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{answer_body}");

        // A selfie before the chip is refused: there is nothing to compare it with.
        let (status, refused) =
            post(app, &key, &format!("/v1/applications/{id}/face"), &face_body(&selfie_of_chip(), 5)).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("face.chip_required")));

        read_chip(app, &id).await;

        // The face, then the number and its code.
        let (status, accepted) =
            post(app, &key, &format!("/v1/applications/{id}/face"), &face_body(&selfie_of_chip(), 5)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        let (status, sent) = post(app, &key, &format!("/v1/applications/{id}/mobile"), &json!({ "number": "081-234-5678" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        assert_eq!(sent["number_masked"], "+66 8x xxx x678");
        assert_eq!(sent["operator"], "true_move_h");
        let code = app.wait_for_code(NUMBER, 1).await;
        let verify = format!("/v1/applications/{id}/mobile/verify");
        let verified = loop {
            let (status, body) = post(app, &key, &verify, &json!({ "code": code })).await;
            if body["code"] != "mobile.code_not_delivered" {
                break (status, body);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(verified.0, StatusCode::OK, "{}", verified.1);
        let (status, replayed) = post(app, &key, &verify, &json!({ "code": code })).await;
        assert_eq!((status, replayed["code"].as_str()), (StatusCode::CONFLICT, Some("mobile.already_verified")));

        // Every step passed and tier t3 is reached: the SIM may be activated.
        let done = app.wait_for_status(&id, "completed", Duration::from_secs(60)).await;
        assert_eq!(step(app, &id, "chip").await, ("passed".to_owned(), "chip_valid".to_owned()), "{done}");
        assert_eq!(step(app, &id, "face").await, ("passed".to_owned(), "face.matched".to_owned()));
        assert_eq!(step(app, &id, "mobile").await, ("passed".to_owned(), "mobile.bound".to_owned()));
        let mobile_steps = done["steps"].as_array().unwrap().iter().filter(|s| s["step"] == "mobile").count();
        assert_eq!(mobile_steps, 1, "the replayed answer told the workflow nothing new: {done}");
        assert_eq!(done["decision"]["tier"], "t3", "{done}");
        // The record was written with the decision: the first read of the completed
        // application has it.
        let record = &done["sim_registration"];
        assert_eq!(record["outcome"], "registered", "{done}");
        assert_eq!(record["tier"], "t3");
        assert_eq!(record["number_masked"], "+66 8x xxx x678");
        assert_eq!((record["shop_id"].as_str(), record["clerk_id"].as_str()), (Some("dealer-0417"), Some("staff-22")));
        let (status, _, read) = app.request(Method::GET, &format!("/v1/applications/{id}/sim-registration"), Some(&key), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&read, record);

        // The comparison went to the provider with the chip's face as the reference; the
        // record went to the shop's webhook.
        assert_eq!(faces.received_requests().await.unwrap().len(), 1);
        let mut delivered = Vec::new();
        for _ in 0..100 {
            delivered = webhook.received_requests().await.unwrap();
            if !delivered.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let request = delivered.first().expect("a webhook");
        let event: Value = serde_json::from_slice(&request.body).unwrap();
        // Signed for this client: its secret verifies the exact body, just now.
        let client = app.store.authenticate(&key).await.unwrap().unwrap();
        let secret = idproof::wiring::webhook_signer(&app.config).unwrap().secret_for(client.id.into());
        let signature = request.headers.get("idproof-signature").expect("a signature").to_str().unwrap();
        let minute = chrono::Duration::minutes(1);
        assert!(webhook::verify(&secret, signature, &request.body, chrono::Utc::now(), minute), "{signature}");
        assert!(!webhook::verify(&secret, signature, b"{}", chrono::Utc::now(), minute));
        assert_eq!(event["type"], "sim_registration.decided");
        assert_eq!(event["sim_registration"]["outcome"], "registered");
        assert_eq!(event["sim_registration"]["tier"], "t3");
        assert_eq!(done["decision"]["user_group"], "ltr");

        // No number, code or passport number in the worker's log.
        let logs = app.worker_logs();
        let document_number = &chip.page_mrz[1][..9];
        for secret in [NUMBER, "0812345678", code.as_str(), document_number] {
            assert!(!logs.contains(secret), "the worker logged {secret}");
        }
        shop.close().await;
    }

    async fn numbers_and_codes_are_held_to_their_limits_at_the_api(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| {
            config.mobile.otp.code_ttl_secs = 3;
            config.mobile.otp.resend_cooldown_secs = 2;
            config.mobile.otp.sends_per_hour = 3;
        })
        .await;
        // No page is read, so nothing is decided while the codes are tried.
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let send = format!("/v1/applications/{id}/mobile");
        let verify = format!("/v1/applications/{id}/mobile/verify");

        // Wrong formats, each with its code, and nothing stored.
        let evidence_before = app.count("evidence").await;
        for (number, code) in [
            ("12", "mobile.format"),
            ("+44 7700 900123", "mobile.not_thai"),
            ("02 123 4567", "mobile.landline"),
            ("081２３４５６７８", "mobile.format"),
            ("+66 81 234 5678 9", "mobile.format"),
        ] {
            let (status, refused) = post(&app, &app.api_key, &send, &json!({ "number": number, "operator": "ais" })).await;
            assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{number}");
        }
        let (status, refused) = post(&app, &app.api_key, &send, &json!({ "number": NUMBER })).await;
        assert_eq!(refused["code"], "mobile.operator_required", "{status}");
        let (status, _) = post(&app, &app.api_key, &verify, &json!({ "code": "123456" })).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(app.count("evidence").await, evidence_before);
        assert_eq!(app.count("otp_challenge").await, 0);

        // A code, then the cooldown.
        let (status, sent) = post(&app, &app.api_key, &send, &json!({ "number": NUMBER, "operator": "ais" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        let (status, headers, cooled) = app
            .request(Method::POST, &send, Some(&app.api_key), Some(&json!({ "number": NUMBER, "operator": "ais" }).to_string()), &[])
            .await;
        assert_eq!((status, cooled["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("mobile.cooldown")));
        assert!(headers.get("retry-after").is_some());
        let first = app.wait_for_code(NUMBER, 1).await;

        // Three wrong answers: two left, one left, locked; then the right one is refused.
        let wrong = if first == "000000" { "111111" } else { "000000" };
        let mut answers = Vec::new();
        for _ in 0..3 {
            loop {
                let (status, body) = post(&app, &app.api_key, &verify, &json!({ "code": wrong })).await;
                if body["code"] != "mobile.code_not_delivered" {
                    answers.push((status, body["code"].as_str().unwrap_or_default().to_owned(), body["attempts_left"].clone()));
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        assert_eq!(answers[0], (StatusCode::UNPROCESSABLE_ENTITY, "mobile.code_wrong".to_owned(), json!(2)));
        assert_eq!(answers[1], (StatusCode::UNPROCESSABLE_ENTITY, "mobile.code_wrong".to_owned(), json!(1)));
        assert_eq!((answers[2].0, answers[2].1.as_str()), (StatusCode::LOCKED, "mobile.locked"));
        let (status, _) = post(&app, &app.api_key, &verify, &json!({ "code": first })).await;
        assert_eq!(status, StatusCode::LOCKED);
        let (status, _) = post(&app, &app.api_key, &verify, &json!({ "code": "12ab56" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        wait_for_reason(&app, &id, "mobile", "mobile.locked").await;

        // A second code after the cooldown, left to expire by the workflow's timer.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (status, sent) = post(&app, &app.api_key, &send, &json!({ "number": NUMBER, "operator": "ais" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        assert_eq!(sent["attempts"], 3);
        let (status, _) = post(&app, &app.api_key, &verify, &json!({ "code": "000000" })).await;
        assert_ne!(status, StatusCode::LOCKED, "a new code has its own attempts");
        let second = app.wait_for_code(NUMBER, 2).await;
        wait_for_reason(&app, &id, "mobile", "mobile.code_expired").await;
        let (status, expired) = post(&app, &app.api_key, &verify, &json!({ "code": second })).await;
        assert_eq!((status, expired["code"].as_str()), (StatusCode::GONE, Some("mobile.code_expired")));

        // The third send of the hour is the last.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (status, _) = post(&app, &app.api_key, &send, &json!({ "number": NUMBER, "operator": "ais" })).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (status, limited) = post(&app, &app.api_key, &send, &json!({ "number": NUMBER, "operator": "ais" })).await;
        assert_eq!((status, limited["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("mobile.hourly_limit")));
        app.stop().await;
    }

    async fn a_number_held_by_another_identity_is_flagged_and_a_cap_refuses(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| {
            config.mobile.cap_per_operator = 1;
            config.mobile.cap_total = 2;
            // Two people ask for codes to one number within the minute.
            config.mobile.otp.resend_cooldown_secs = 0;
        })
        .await;
        let anna = crate::support::passport_lines();
        let mut other = anna.clone();
        // Another passport: the document number's first letter and its check digits change.
        other[1] = other[1].replacen("L898902C3", "M898902C3", 1);
        let digit = |data: &[u8]| char::from(idproof_passport::mrz::check_digit(data).unwrap());
        let mut line: Vec<char> = other[1].chars().collect();
        line[9] = digit(b"M898902C3");
        let bytes: String = line.iter().collect();
        let composite = [&bytes[0..10], &bytes[13..20], &bytes[21..43]].concat();
        line[43] = digit(composite.as_bytes());
        other[1] = line.into_iter().collect();

        // Anna binds a number with AIS; a second AIS number passes her cap.
        let first = with_page(&app, T1, &anna).await;
        app.verify_number(&first, NUMBER, Some("ais")).await;
        wait_for_reason(&app, &first, "mobile", "mobile.bound").await;
        let second = with_page(&app, T1, &anna).await;
        app.verify_number(&second, "+66898765432", Some("ais")).await;
        wait_for_reason(&app, &second, "mobile", "mobile.operator_cap_reached").await;

        // Another person verifies Anna's number: the clerk is told it is verified, and the
        // case goes to an officer under a reason that does not say why.
        let third = with_page(&app, T1, &other).await;
        app.verify_number(&third, NUMBER, Some("dtac")).await;
        wait_for_reason(&app, &third, "mobile", "mobile.binding_review").await;
        let flagged = app.get_application(&third).await;
        assert!(!flagged.to_string().contains("taken") && !flagged.to_string().contains("another"));
        app.stop().await;
    }

    async fn a_shop_visit_and_a_selfie_are_checked_before_anything_is_stored(backend: Backend) {
        // A 64 KiB image limit: the chip's face fits, base64 and all.
        let app = TestApp::spawn_with(backend, |config| config.evidence.image_limit_bytes = 64 * 1024).await;
        let apps_before = app.count("application").await;

        let missing = r#"{"purpose":"sim_registration","tier":"t3","channel":"telecom_shop"}"#;
        let (status, refused) = post(&app, &app.api_key, "/v1/applications", &serde_json::from_str(missing).unwrap()).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("application.shop_visit_required")));
        let misplaced = json!({"purpose":"digital_id","tier":"t1","channel":"self_service",
            "shop_visit":{"operator":"ais","shop_id":"s","clerk_id":"c"}});
        let (status, refused) = post(&app, &app.api_key, "/v1/applications", &misplaced).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("application.shop_visit_unexpected")));
        let long_shop = json!({"purpose":"sim_registration","tier":"t3","channel":"telecom_shop",
            "shop_visit":{"operator":"ais","shop_id":"x".repeat(65),"clerk_id":"c"}});
        let (status, refused) = post(&app, &app.api_key, "/v1/applications", &long_shop).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")));
        assert_eq!(app.count("application").await, apps_before);

        // An open SIM registration: the operator is the shop's.
        let id = with_page(&app, &sim_application("ais"), &crate::support::passport_lines()).await;
        let (status, refused) = post(&app, &app.api_key, &format!("/v1/applications/{id}/mobile"), &json!({ "number": NUMBER, "operator": "nt" })).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("mobile.operator_mismatch")));

        // Selfies: cut short, too small, not what they say, a liveness from the future, stale.
        let face = format!("/v1/applications/{id}/face");
        let selfie = selfie_of_chip();
        let evidence_before = app.count("evidence").await;
        for (body, code) in [
            (face_body(&selfie[..selfie.len() / 2], 5), "face.selfie_format"),
            (face_body(&[0xFF, 0xD8, 0xFF], 5), "face.selfie_format"),
            (face_body(b"\x89PNG\r\n\x1a\nnot a jpeg", 5), "face.selfie_format"),
            (face_body(&selfie, -3600), "face.liveness_invalid"),
            (face_body(&selfie, 3600), "face.liveness_stale"),
        ] {
            let (status, refused) = post(&app, &app.api_key, &face, &body).await;
            assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{refused}");
        }
        let mut bad_score = face_body(&selfie, 5);
        bad_score["liveness"]["score"] = json!(7.5);
        let (status, refused) = post(&app, &app.api_key, &face, &bad_score).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("face.liveness_invalid")));
        let (status, refused) = post(&app, &app.api_key, &face, &json!({"selfie": "***", "media_type": "image/jpeg", "liveness": bad_score["liveness"]})).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")), "{refused}");
        // Over the image limit: refused before it is read.
        let huge = json!({"selfie": STANDARD.encode(vec![0u8; 72 * 1024]), "media_type": "image/jpeg", "liveness": bad_score["liveness"]});
        let (status, refused) = post(&app, &app.api_key, &face, &huge).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
        assert_eq!(app.count("evidence").await, evidence_before);

        let (status, _, read) = app.request(Method::GET, &format!("/v1/applications/{id}/sim-registration"), Some(&app.api_key), None, &[]).await;
        assert_eq!((status, read["outcome"].as_str()), (StatusCode::OK, Some("pending")));
        app.stop().await;
    }
}
