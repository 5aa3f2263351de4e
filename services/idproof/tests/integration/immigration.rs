//! The immigration step and the decision against the sandbox registry, started in process: a
//! lawful stay confirmed and decided, an overstay sent to an officer, a person the registry does
//! not know, a registry that fails once (asked again) or keeps failing (flagged after its
//! attempts), and a renewed passport whose holder keeps their numbers. The worker is a real `idproof worker` process calling the sandbox over HTTP.

use std::sync::Arc;
use std::time::Duration;

use idproof_immigration_sandbox::{
    ADMIN_TOKEN_HEADER, Person, RunningSandbox, SandboxConfig, seed::demo_people,
};
use idproof_proofing::SystemClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Backend, TestApp, on_both_databases};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;
const ADMIN: &str = "sandbox-admin";

async fn sandbox() -> RunningSandbox {
    let config = SandboxConfig {
        as_of: Some(chrono::Utc::now().date_naive()),
        admin_token: Some(ADMIN.to_owned()),
        ..SandboxConfig::ephemeral()
    };
    idproof_immigration_sandbox::start(config, Arc::new(SystemClock), std::future::pending())
        .await
        .unwrap()
}

fn demo(sandbox: &RunningSandbox, record_id: &str) -> Person {
    demo_people(sandbox.plan)
        .into_iter()
        .find(|person| person.record.record_id == record_id)
        .unwrap()
}

/// The service, its worker calling `sandbox` with three quick attempts.
async fn app(backend: Backend, sandbox: &RunningSandbox) -> TestApp {
    let base_url = sandbox.base_url();
    TestApp::spawn_with(backend, move |config| {
        config.immigration.base_url = Some(base_url);
        config.proofing.registry_attempts = 3;
        config.proofing.registry_first_retry_ms = 100;
        config.proofing.registry_longest_retry_ms = 200;
    })
    .await
}

async fn admin(sandbox: &RunningSandbox, method: Method, path: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}/admin{path}", sandbox.base_url()))
        .header(ADMIN_TOKEN_HEADER, ADMIN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    answer.json().await.unwrap()
}

/// An application whose page is `lines`, typed.
async fn application_with_page(app: &TestApp, lines: &[String]) -> String {
    let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/applications/{id}/mrz");
    let body = json!({ "lines": lines }).to_string();
    let (status, _, answer) =
        app.request(Method::POST, &path, Some(&app.api_key), Some(&body), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    id
}

/// The mobile number, which has no verifier yet: stored and signalled as its endpoint will.
async fn give_mobile_number(app: &TestApp, id: &str) {
    app.verify_number(id, "+66812345678", Some("ais")).await;
}

/// Waits for the verdict of `step`.
async fn step(app: &TestApp, id: &str, name: &str) -> (String, String) {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let found = application["steps"].as_array().unwrap().iter().find(|s| s["step"] == name);
        if let Some(step) = found {
            let text = |key: &str| step[key].as_str().unwrap().to_owned();
            return (text("verdict"), text("reason"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {name} verdict\n{}", app.worker_logs());
}

/// `idproof policy explain ARGS` against the app's database: its output and exit status.
fn explain(app: &TestApp, args: &[&str]) -> (String, Option<i32>) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["policy", "explain"])
        .args(args)
        .env("IDPROOF_DATABASE__URL", &app.config.database.url)
        .env("IDPROOF_EVIDENCE__CURRENT_KEY_ID", "test")
        .env("IDPROOF_EVIDENCE__KEYS__TEST", &app.config.evidence.keys["test"])
        .env("IDPROOF_LOG__FILTER", "warn")
        .output()
        .unwrap();
    (String::from_utf8_lossy(&output.stdout).into_owned(), output.status.code())
}

fn rule<'a>(decision: &'a Value, id: &str) -> &'a Value {
    decision["rules"].as_array().unwrap().iter().find(|rule| rule["rule"] == id).unwrap()
}

on_both_databases! {
    async fn a_lawful_stay_is_confirmed_and_the_policy_decides_with_its_rules(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-03");
        assert_eq!(person.record.visa_category.code(), "non_b");
        let app = app(backend, &sandbox).await;
        let lines = person.mrz();

        let id = application_with_page(&app, &lines).await;
        let immigration = step(&app, &id, "immigration").await;
        give_mobile_number(&app, &id).await;
        let decided = app.wait_for_status(&id, "completed", Duration::from_secs(30)).await;

        assert_eq!(immigration, ("passed".to_owned(), "stay_lawful".to_owned()));
        let decision = &decided["decision"];
        assert_eq!(decision["user_group"], "investor", "{decision}");
        assert_eq!(rule(decision, "stay.lawful")["held"], true, "{decision}");
        assert_eq!(rule(decision, "category.known")["held"], true, "{decision}");
        // The number was bound by its code, so the tier asked for is reached.
        assert_eq!(step(&app, &id, "mobile").await, ("passed".to_owned(), "mobile.bound".to_owned()));
        assert_eq!(decision["tier"], "t1", "{decision}");
        assert_eq!(step(&app, &id, "decision").await, ("passed".to_owned(), "tier_t1".to_owned()));

        let (explained, status) = explain(&app, &[&id, "--json"]);
        assert_eq!(status, Some(0), "{explained}");
        let explained: Value = serde_json::from_str(&explained).unwrap();
        assert_eq!(explained["decision"]["user_group"], "investor");
        assert_eq!(explained["decision"]["rules"], decision["rules"]);
        let (table, _) = explain(&app, &[&id]);
        assert!(table.contains("stay.lawful") && table.contains("held"), "{table}");
        assert!(!table.contains(&person.record.surname), "the explanation names the person: {table}");
        let (_, unknown) = explain(&app, &[&uuid::Uuid::new_v4().to_string()]);
        assert_eq!(unknown, Some(2));
        let (refusal, not_an_id) = explain(&app, &["../../etc/passwd"]);
        assert_eq!(not_an_id, Some(2));
        assert!(refusal.contains("not an application id"), "{refusal}");
        app.stop().await;
    }

    async fn a_migrant_worker_under_the_mou_is_decided_in_the_worker_group(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-08");
        assert_eq!(person.record.visa_category.code(), "non_l_mou");
        let app = app(backend, &sandbox).await;
        let lines = person.mrz();

        let id = application_with_page(&app, &lines).await;
        give_mobile_number(&app, &id).await;
        let decided = app.wait_for_status(&id, "completed", Duration::from_secs(30)).await;

        let decision = &decided["decision"];
        assert_eq!(decision["user_group"], "worker", "{decision}");
        assert_eq!(rule(decision, "category.known")["held"], true, "{decision}");
        app.stop().await;
    }

    async fn an_overstay_goes_to_an_officer_and_reaches_no_tier(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-11");
        let app = app(backend, &sandbox).await;
        let lines = person.mrz();

        let id = application_with_page(&app, &lines).await;
        let immigration = step(&app, &id, "immigration").await;
        give_mobile_number(&app, &id).await;
        let decided = app.wait_for_status(&id, "in_review", Duration::from_secs(30)).await;

        assert_eq!(immigration, ("flagged".to_owned(), "stay.overstayed".to_owned()));
        let decision = &decided["decision"];
        assert_eq!(decision["tier"], Value::Null);
        let codes: Vec<&str> = decision["flags"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"stay.overstayed"), "{decision}");
        assert_eq!(step(&app, &id, "decision").await, ("flagged".to_owned(), "stay.overstayed".to_owned()));
        app.stop().await;
    }

    async fn a_person_the_registry_does_not_know_fails_the_step(backend: Backend) {
        let sandbox = sandbox().await;
        // A demo person's passport with a number the registry never issued a stay to.
        let mut passport = demo(&sandbox, "IMM-DEMO-03").document;
        passport.document_number = "ZX0000001".to_owned();
        let unknown = reqwest::Client::new()
            .post(format!("{}/v1/stay-records/lookup", sandbox.base_url()))
            .json(&json!({
                "nationality": passport.nationality,
                "document_number": passport.document_number,
                "date_of_birth": passport.birth_date,
            }))
            .send().await.unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        let app = app(backend, &sandbox).await;
        let lines = idproof_test_passports::zone::lines(&passport);

        let id = application_with_page(&app, &lines).await;

        assert_eq!(step(&app, &id, "immigration").await, ("failed".to_owned(), "record_not_found".to_owned()));
        app.stop().await;
    }

    async fn a_registry_that_fails_once_is_asked_again(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-03");
        admin(&sandbox, Method::PUT, "/faults", Some(json!({"fault": "error", "count": 1}))).await;
        let app = app(backend, &sandbox).await;
        let lines = person.mrz();

        let id = application_with_page(&app, &lines).await;

        assert_eq!(step(&app, &id, "immigration").await, ("passed".to_owned(), "stay_lawful".to_owned()));
        assert_eq!(admin(&sandbox, Method::GET, "/faults", None).await, Value::Null, "the fault was met");
        app.stop().await;
    }

    async fn a_registry_that_keeps_failing_flags_the_case_after_its_attempts(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-03");
        admin(&sandbox, Method::PUT, "/faults", Some(json!({"fault": "error", "count": 10}))).await;
        let app = app(backend, &sandbox).await;
        let lines = person.mrz();

        let id = application_with_page(&app, &lines).await;
        let immigration = step(&app, &id, "immigration").await;

        assert_eq!(immigration, ("flagged".to_owned(), "registry.unavailable".to_owned()));
        let armed = admin(&sandbox, Method::GET, "/faults", None).await;
        assert_eq!(armed["remaining"], 7, "three attempts, then no more: {armed}");
        app.stop().await;
    }

    async fn a_renewed_passport_carries_its_holders_numbers_over(backend: Backend) {
        let sandbox = sandbox().await;
        let person = demo(&sandbox, "IMM-DEMO-03");
        let base_url = sandbox.base_url();
        let app = TestApp::spawn_with(backend, move |config| {
            config.immigration.base_url = Some(base_url);
            config.mobile.cap_per_operator = 1;
            config.mobile.otp.resend_cooldown_secs = 0;
        })
        .await;
        let (first_number, second_number) = ("+66811111111", "+66822222222");

        // Under the old passport the person binds their one AIS number.
        let old = application_with_page(&app, &person.mrz()).await;
        assert_eq!(step(&app, &old, "immigration").await.1, "stay_lawful");
        app.verify_number(&old, first_number, Some("ais")).await;
        assert_eq!(step(&app, &old, "mobile").await, ("passed".to_owned(), "mobile.bound".to_owned()));

        // Immigration moves the stay to a renewed passport and keeps the record.
        let mut renewed = person.clone();
        renewed.document.document_number = "RN1234567".to_owned();
        let moved = admin(&sandbox, Method::POST, "/records/IMM-DEMO-03/passport", Some(json!({ "document_number": "RN1234567" }))).await;
        assert_eq!(moved["record_id"], "IMM-DEMO-03");

        // Under the new passport a second AIS number passes the person's cap, and the first
        // is still their own, not another person's.
        let second = application_with_page(&app, &renewed.mrz()).await;
        assert_eq!(step(&app, &second, "immigration").await.1, "stay_lawful");
        app.verify_number(&second, second_number, Some("ais")).await;
        assert_eq!(step(&app, &second, "mobile").await, ("failed".to_owned(), "mobile.operator_cap_reached".to_owned()));
        let third = application_with_page(&app, &renewed.mrz()).await;
        app.verify_number(&third, first_number, Some("ais")).await;
        assert_eq!(step(&app, &third, "mobile").await, ("passed".to_owned(), "mobile.bound".to_owned()));
        let logs = app.worker_logs();
        assert!(logs.contains("identity carried over from an earlier passport"), "{logs}");
        assert!(!logs.contains("RN1234567") && !logs.contains("IMM-DEMO-03"));
        app.stop().await;
    }
}

/// A registry stood in by wiremock answering every lookup with `answer`; the service's worker
/// calls it with three quick attempts and a 500 ms timeout.
async fn app_with_registry_answering(
    backend: Backend,
    answer: ResponseTemplate,
) -> (TestApp, MockServer) {
    let registry = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/stay-records/lookup"))
        .respond_with(answer)
        .mount(&registry)
        .await;
    let base_url = registry.uri();
    let app = TestApp::spawn_with(backend, move |config| {
        config.immigration.base_url = Some(base_url);
        config.immigration.request_timeout_ms = 500;
        config.proofing.registry_attempts = 3;
        config.proofing.registry_first_retry_ms = 100;
        config.proofing.registry_longest_retry_ms = 200;
    })
    .await;
    (app, registry)
}

async fn lookups(registry: &MockServer) -> usize {
    registry.received_requests().await.unwrap_or_default().len()
}

on_both_databases! {
    async fn a_registry_answer_that_does_not_read_is_flagged_at_once(backend: Backend) {
        let sandbox = sandbox().await;
        let lines = demo(&sandbox, "IMM-DEMO-03").mrz();
        let garbled = ResponseTemplate::new(200).insert_header("content-type", "application/json").set_body_string("{\"match\": \"matched\", \"record\": ");
        let (app, registry) = app_with_registry_answering(backend, garbled).await;

        let id = application_with_page(&app, &lines).await;

        assert_eq!(step(&app, &id, "immigration").await, ("flagged".to_owned(), "registry.unexpected_answer".to_owned()));
        assert_eq!(lookups(&registry).await, 1, "an answer that does not read is not asked again");
        app.stop().await;
    }

    async fn a_registry_slower_than_its_timeout_is_asked_again_then_flagged(backend: Backend) {
        let sandbox = sandbox().await;
        let lines = demo(&sandbox, "IMM-DEMO-03").mrz();
        let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(3));
        let (app, registry) = app_with_registry_answering(backend, slow).await;

        let id = application_with_page(&app, &lines).await;

        assert_eq!(step(&app, &id, "immigration").await, ("flagged".to_owned(), "registry.unavailable".to_owned()));
        assert_eq!(lookups(&registry).await, 3);
        app.stop().await;
    }
}

#[test]
fn a_worker_refuses_a_policy_file_that_does_not_check() {
    let dir = idproof_testkit::temp_dir("policy-start").unwrap();
    let file = dir.join("broken.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/idproof.toml"))
            .unwrap();
    let broken = shipped.replacen("group = \"investor\"", "group = \"investors\"", 1);
    assert_ne!(broken, shipped);
    std::fs::write(&file, &broken).unwrap();
    let line = broken.lines().position(|line| line.contains("\"investors\"")).unwrap() + 1;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_idproof"))
        .arg("worker")
        .env("IDPROOF_PROOFING__POLICY_FILE", &file)
        .env("IDPROOF_TEMPORAL__ADDRESS", "http://127.0.0.1:1")
        .env("IDPROOF_DATABASE__URL", "sqlite:///nonexistent/never-opened.sqlite")
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains(&format!("broken.toml:{line}:")), "{stderr}");
    assert!(stderr.contains("policy.unknown_group"), "{stderr}");
}
