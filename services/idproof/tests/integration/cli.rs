//! The `idproof` command itself: client creation, migration and the OpenAPI document.

use std::{path::Path, process::Command};

use idproof_testkit::temp_dir;

use crate::support::{passport_lines, test_config};

fn idproof(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idproof"));
    command
        .env("IDPROOF_DATABASE__URL", database_url)
        .env("IDPROOF_LOG__FILTER", "warn")
        .env_remove("IDPROOF_CONFIG");
    command
}

#[tokio::test]
async fn client_create_prints_a_key_that_authenticates_with_its_scopes() {
    let dir = temp_dir("cli").unwrap();
    let url = format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display());
    let config = test_config(&dir, &url, "http://127.0.0.1:1");
    let key = &config.evidence.keys["test"];

    let output = idproof(&url)
        .env("IDPROOF_EVIDENCE__CURRENT_KEY_ID", "test")
        .env("IDPROOF_EVIDENCE__KEYS__TEST", key)
        .args(["client", "create", "--name", "Shop chain", "--scope", "applications:read"])
        .output()
        .unwrap();

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let api_key = stdout
        .lines()
        .find_map(|line| line.strip_prefix("api key:"))
        .map(str::trim)
        .expect("the key is printed");
    let store = idproof::wiring::open_store(&config).await.unwrap();
    let client = store.authenticate(api_key).await.unwrap().expect("the printed key works");
    assert_eq!(client.name, "Shop chain");
    assert_eq!(client.scopes, ["applications:read"]);
}

#[tokio::test]
async fn a_client_with_a_callback_url_is_shown_its_webhook_secret_once() {
    let dir = temp_dir("cli").unwrap();
    let url = format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display());
    let config = test_config(&dir, &url, "http://127.0.0.1:1");
    let create = |args: &[&str]| {
        idproof(&url)
            .env("IDPROOF_EVIDENCE__CURRENT_KEY_ID", "test")
            .env("IDPROOF_EVIDENCE__KEYS__TEST", &config.evidence.keys["test"])
            .args(["client", "create", "--name", "Shop chain"])
            .args(args)
            .output()
            .unwrap()
    };
    let printed = |output: &std::process::Output, label: &str| {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        stdout.lines().find_map(|line| line.strip_prefix(label)).map(|v| v.trim().to_owned())
    };

    let with_callback = create(&["--callback-url", "https://shop.example/idproof"]);
    let without = create(&[]);

    assert!(with_callback.status.success(), "{}", String::from_utf8_lossy(&with_callback.stderr));
    let secret = printed(&with_callback, "webhook secret:").expect("the secret is printed");
    let api_key = printed(&with_callback, "api key:").unwrap();
    let store = idproof::wiring::open_store(&config).await.unwrap();
    let client = store.authenticate(&api_key).await.unwrap().unwrap();
    // The worker signs with the secret derived for this client from the same keys.
    let signer = idproof::wiring::webhook_signer(&config).unwrap();
    assert_eq!(secret, signer.secret_for(client.id.into()));
    assert!(without.status.success());
    assert_eq!(printed(&without, "webhook secret:"), None, "no callback, no secret");
}

#[test]
fn a_callback_url_with_an_unusable_webhook_key_is_refused_and_stores_nothing() {
    let dir = temp_dir("cli").unwrap();
    let url = format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display());

    let output = idproof(&url)
        .env("IDPROOF_EVIDENCE__CURRENT_KEY_ID", "k")
        .env("IDPROOF_EVIDENCE__KEYS__K", idproof_store::EvidenceCipher::generate_base64_key())
        .env("IDPROOF_WEBHOOKS__SIGNING_KEY", "c2hvcnQ=")
        .args(["client", "create", "--name", "x", "--callback-url", "https://shop.example/h"])
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("webhooks.signing_key must be 32 bytes of base64"), "{stderr}");
    assert!(!dir.join("idproof.sqlite").exists(), "a refused command opened the database");
}

#[test]
fn client_create_refuses_an_unknown_scope_and_stores_nothing() {
    let dir = temp_dir("cli").unwrap();
    let url = format!("sqlite://{}/idproof.sqlite?mode=rwc", dir.display());

    let output = idproof(&url)
        .env("IDPROOF_EVIDENCE__CURRENT_KEY_ID", "k")
        .env("IDPROOF_EVIDENCE__KEYS__K", idproof_store::EvidenceCipher::generate_base64_key())
        .args(["client", "create", "--name", "x", "--scope", "everything"])
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scope \"everything\""));
    assert!(!dir.join("idproof.sqlite").exists(), "a refused command opened the database");
}

#[test]
fn migrate_needs_no_evidence_key_and_openapi_prints_the_document() {
    let dir = temp_dir("cli").unwrap();
    let url = format!("sqlite://{}/nested/idproof.sqlite?mode=rwc", dir.display());

    let migrate = idproof(&url).arg("migrate").output().unwrap();
    let openapi = idproof(&url).arg("openapi").output().unwrap();

    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(dir.join("nested/idproof.sqlite").exists());
    assert!(openapi.status.success());
    let printed = String::from_utf8(openapi.stdout).unwrap();
    assert_eq!(printed.trim_end(), idproof_api::openapi_json().trim_end());
}

#[test]
fn a_bad_config_file_is_refused_with_the_key_named() {
    let dir = temp_dir("cli").unwrap();
    let file = dir.join("idproof.toml");
    std::fs::write(&file, "[proofing]\nidle_timeout_secs = \"soon\"\n").unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["--config"])
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("idle_timeout_secs"));
}

fn parse_mrz(args: &[&str]) -> (i32, serde_json::Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["passport", "parse-mrz", "--json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    (output.status.code().unwrap(), json)
}

#[test]
fn parse_mrz_reads_a_valid_passport_and_exits_zero() {
    let [line1, line2] = passport_lines();

    let (status, json) = parse_mrz(&[&line1, &line2]);

    assert_eq!(status, 0, "{json}");
    assert_eq!(json["valid"], true);
    assert_eq!(json["fields"]["document_number"], "L898902C3");
    assert_eq!(json["fields"]["birth_date"], "1974-08-12");
    assert_eq!(json["fields"]["expiry_date"], "2034-04-15");
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn parse_mrz_names_the_field_whose_check_digit_fails() {
    let [line1, line2] = passport_lines();
    let broken =
        format!("{}{}", &line2[..9], if &line2[9..10] == "0" { "1" } else { "0" }) + &line2[10..];

    let (status, json) = parse_mrz(&[&line1, &broken]);

    assert_eq!(status, 1);
    assert_eq!(json["problems"][0]["field"], "document_number");
    assert_eq!(json["problems"][0]["code"], "mrz.check_digit");
}

#[test]
fn parse_mrz_refuses_lines_that_are_no_mrz() {
    let [line1, line2] = passport_lines();
    let lowercase = line1.to_lowercase();

    for (lines, code) in [
        (vec![lowercase.as_str(), line2.as_str()], "mrz.charset"),
        (vec![&line1[..40], line2.as_str()], "mrz.line_length"),
        (vec![line1.as_str()], "mrz.line_count"),
    ] {
        let (status, json) = parse_mrz(&lines);
        assert_eq!(status, 2, "{json}");
        assert_eq!(json["error"]["code"], code);
    }
}

#[test]
fn passport_mrz_refuses_files_that_are_no_image_or_too_big() {
    let dir = temp_dir("cli").unwrap();
    let text = dir.join("mrz.png");
    std::fs::write(&text, "P<UTOERIKSSON<<ANNA<MARIA").unwrap();
    let huge = dir.join("huge.jpg");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(10 * 1024 * 1024 + 1).unwrap();
    let missing = dir.join("missing.png");

    for (path, code) in
        [(&text, "image.unsupported"), (&huge, "image.too_large"), (&missing, "image.unreadable")]
    {
        let output = Command::new(env!("CARGO_BIN_EXE_idproof"))
            .args(["passport", "mrz", "--json"])
            .arg(path)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(2), "{json}");
        assert_eq!(json["error"]["code"], code);
    }
}

#[test]
fn passport_mrz_reads_a_scanned_card_with_each_fields_confidence() {
    // A two-line card of the committed synthetic corpus: its manifest holds the truth.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-passports/corpus");
    let manifest = std::fs::read_to_string(corpus.join("manifest.jsonl")).unwrap();
    let truth: serde_json::Value = manifest
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|entry| entry["file"] == "clean/0002-td2.jpg")
        .unwrap();
    let image = corpus.join("clean/0002-td2.jpg");

    let json = Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["passport", "mrz", "--json"])
        .arg(&image)
        .output()
        .unwrap();
    let table = Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["passport", "mrz"])
        .arg(&image)
        .output()
        .unwrap();

    let read: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json.status.code(), Some(0), "{read}");
    assert_eq!(read["valid"], true);
    assert_eq!(read["fields"]["document_number"], truth["document"]["document_number"]);
    assert_eq!(read["fields"]["issuing_state"], truth["document"]["issuing_state"]);
    let fields: Vec<&str> = read["confidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"name") && fields.contains(&"document_number"), "{fields:?}");
    let table = String::from_utf8(table.stdout).unwrap();
    assert_eq!(table.lines().last().map(|line| line.starts_with("confidence: ")), Some(true));
}

#[test]
fn immigration_sandbox_list_prints_the_demo_people_and_serves_nothing() {
    let output = Command::new(env!("CARGO_BIN_EXE_idproof"))
        .env("IDPROOF_LOG__FILTER", "warn")
        .env_remove("IDPROOF_CONFIG")
        .args(["immigration-sandbox", "--list", "--as-of", "2026-06-01"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("IMM-DEMO-01  exemption  in_country"), "{stdout}");
    assert!(stdout.contains("IMM-DEMO-13"), "{stdout}");
    let zones = stdout.lines().filter(|line| line.trim_start().starts_with("P<")).count();
    assert_eq!(zones, 13, "one TD3 zone per demo person");
}
