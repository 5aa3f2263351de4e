//! The chip endpoints: an Active Authentication challenge, spent by the one upload that answers
//! it, and the chip step's verdict against a trust store imported with `idproof trust import`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use idproof_store::SpentChallenge;
use idproof_test_passports::chip::write::{self, ChipEntry, Manifest};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, on_both_databases};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

/// The test PKI and chips, drawn once for the suite around today: the worker verifies with
/// the system clock.
pub(crate) fn chips() -> &'static (PathBuf, Manifest) {
    static CHIPS: OnceLock<(PathBuf, Manifest)> = OnceLock::new();
    CHIPS.get_or_init(|| {
        let directory = idproof_testkit::temp_dir("chip-api").unwrap();
        let today = chrono::Utc::now().date_naive();
        let manifest = write::write(9303, today, &directory).unwrap();
        (directory, manifest)
    })
}

pub(crate) fn chip(name: &str) -> &'static ChipEntry {
    chips().1.chips.iter().find(|chip| chip.name == name).unwrap()
}

/// The valid chip of UTO, the ICAO specimen state whose MRZ the page step takes, with an RSA
/// Active Authentication key.
pub(crate) fn answering_chip() -> &'static ChipEntry {
    chip("valid-uto-rsa-pkcs1")
}

pub(crate) fn file(chip: &ChipEntry, name: &str) -> Option<Vec<u8>> {
    let relative = chip.files.get(name)?;
    Some(std::fs::read(chips().0.join(&chip.directory).join(relative)).unwrap())
}

/// The master list, anchored at its signer's CSCA, and every CRL, through the real binary.
pub(crate) fn import_trust(database_url: &str) {
    let (directory, manifest) = chips();
    let path = |relative: &str| directory.join(relative);
    let anchor = manifest.trust.cscas.iter().find(|csca| csca.state == "UTO").unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_idproof"));
    command
        .env("IDPROOF_DATABASE__URL", database_url)
        .env("IDPROOF_LOG__FILTER", "warn")
        .env_remove("IDPROOF_CONFIG")
        .args(["trust", "import", "--anchor"])
        .arg(path(&anchor.pem))
        .arg(path(&manifest.trust.master_list));
    for crl in &manifest.trust.crls {
        command.arg(path(&crl.der));
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// The chip's answer to `challenge` with its Active Authentication key: the ISO/IEC 9796-2
/// scheme 1 block `6A || M1 || H(M1 || challenge) || BC` through the RSA private key.
pub(crate) fn answer(chip: &ChipEntry, challenge: &[u8]) -> Vec<u8> {
    let aa = chip.active_authentication.as_ref().unwrap();
    assert_eq!(aa.algorithm, "rsa-iso9796-2");
    let pem = std::fs::read(chips().0.join(&chip.directory).join(&aa.private_key)).unwrap();
    let key = openssl::pkey::PKey::private_key_from_pem(&pem).unwrap().rsa().unwrap();
    let size = key.size() as usize;

    let digest_length = aa.hash.digest(b"").unwrap().len();
    assert_eq!(digest_length, 20, "SHA-1, trailer BC");
    let recoverable = vec![0x5A; size - 2 - digest_length];
    let digest = aa.hash.digest(&[recoverable.as_slice(), challenge].concat()).unwrap();
    let block = [&[0x6A][..], &recoverable, &digest, &[0xBC]].concat();

    let mut signature = vec![0; size];
    key.private_encrypt(&block, &mut signature, openssl::rsa::Padding::NONE).unwrap();
    signature
}

pub(crate) fn upload(chip: &ChipEntry, answer: Option<(&str, &[u8])>) -> Value {
    let data_groups: Vec<Value> = (1..=16u8)
        .filter_map(|n| {
            let bytes = file(chip, &format!("EF.DG{n}"))?;
            Some(json!({ "number": n, "content": STANDARD.encode(bytes) }))
        })
        .collect();
    let mut body = json!({
        "sod": STANDARD.encode(file(chip, "EF.SOD").unwrap()),
        "data_groups": data_groups,
    });
    if let Some((challenge_id, signature)) = answer {
        body["active_authentication"] =
            json!({ "challenge_id": challenge_id, "signature": STANDARD.encode(signature) });
    }
    body
}

async fn challenge(app: &TestApp, id: &str) -> (String, Vec<u8>) {
    let path = format!("/v1/applications/{id}/chip/challenge");
    let (status, headers, body) =
        app.request(Method::GET, &path, Some(&app.api_key), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    let bytes = STANDARD.decode(body["challenge"].as_str().unwrap()).unwrap();
    (body["challenge_id"].as_str().unwrap().to_owned(), bytes)
}

async fn submit(app: &TestApp, id: &str, body: &Value) -> (StatusCode, Value) {
    let path = format!("/v1/applications/{id}/chip");
    let body = body.to_string();
    let (status, _, answer) =
        app.request(Method::POST, &path, Some(&app.api_key), Some(&body), &[]).await;
    (status, answer)
}

async fn step(app: &TestApp, id: &str, name: &str) -> Value {
    for _ in 0..150 {
        let application = app.get_application(id).await;
        let found =
            application["steps"].as_array().unwrap().iter().find(|s| s["step"] == name).cloned();
        if let Some(found) = found {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {name} verdict\n{}", app.worker_logs());
}

fn verdict(step: &Value) -> (&str, &str) {
    (step["verdict"].as_str().unwrap(), step["reason"].as_str().unwrap())
}

/// An application whose data page was typed from `chip`'s page and passed its MRZ step.
async fn application_with_page_of(app: &TestApp, chip: &ChipEntry) -> String {
    let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/applications/{id}/mrz");
    let body = json!({ "lines": chip.page_mrz }).to_string();
    let (status, _, _) =
        app.request(Method::POST, &path, Some(&app.api_key), Some(&body), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(verdict(&step(app, &id, "mrz").await), ("passed", "mrz_valid"));
    id
}

on_both_databases! {
    async fn a_chip_that_answers_its_challenge_passes_and_the_challenge_is_spent(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        import_trust(&app.config.database.url);
        let chip = answering_chip();
        let id = application_with_page_of(&app, chip).await;

        let (challenge_id, challenge) = challenge(&app, &id).await;
        let signature = answer(chip, &challenge);
        let body = upload(chip, Some((&challenge_id, &signature)));
        let (status, accepted) = submit(&app, &id, &body).await;
        let judged = step(&app, &id, "chip").await;
        let (replayed, refusal) = submit(&app, &id, &body).await;

        assert_eq!(challenge.len(), 8);
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        assert_eq!(accepted["kind"], "chip");
        assert_eq!(verdict(&judged), ("passed", "chip_valid"), "{}", app.worker_logs());
        assert_eq!((replayed, refusal["code"].as_str()), (StatusCode::CONFLICT, Some("chip.challenge_replayed")));
        assert_eq!(app.count("evidence").await, 2, "the MRZ and the chip, not the replay");
        app.stop().await;
    }

    async fn a_tampered_chip_fails_and_an_unanswered_or_unanchored_one_goes_to_an_officer(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        import_trust(&app.config.database.url);
        // The chip of a state idproof holds no CSCA for: its page (a test state's code) is not
        // submitted, the chip step runs without DG1's comparison.
        let unknown_csca = chip("unknown-csca");
        let cases = [
            (chip("tampered-dg1"), true, ("failed", "dg.hash_mismatch:1")),
            (answering_chip(), true, ("flagged", "chip.anti_cloning_missing")),
            (unknown_csca, false, ("flagged", "csca.unknown")),
        ];

        for (chip, with_page, expected) in cases {
            let id = if with_page {
                application_with_page_of(&app, chip).await
            } else {
                app.create_application(T1).await["id"].as_str().unwrap().to_owned()
            };
            let (status, accepted) = submit(&app, &id, &upload(chip, None)).await;

            assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
            assert_eq!(verdict(&step(&app, &id, "chip").await), expected, "{}", chip.name);
        }
        app.stop().await;
    }

    async fn a_challenge_is_spent_once_in_its_time_and_only_by_its_application(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let other = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let (challenge_id, challenge) = challenge(&app, &id).await;
        let challenge_id: uuid::Uuid = challenge_id.parse().unwrap();
        let (owner, stranger) = (id.parse::<uuid::Uuid>().unwrap(), other.parse::<uuid::Uuid>().unwrap());
        let now = chrono::Utc::now();
        let spend = |application: uuid::Uuid, at| app.store.spend_chip_challenge(challenge_id, application.into(), at);

        let late = spend(owner, now + chrono::Duration::minutes(6)).await.unwrap();
        let foreign = spend(stranger, now).await.unwrap();
        let first = spend(owner, now).await.unwrap();
        let again = spend(owner, now).await.unwrap();

        assert_eq!(late, SpentChallenge::Expired);
        assert_eq!(foreign, SpentChallenge::Unknown);
        assert_eq!(first, SpentChallenge::Spent(challenge.try_into().unwrap()));
        assert_eq!(again, SpentChallenge::AlreadySpent);
        app.stop().await;
    }

    async fn uploads_no_verifier_could_use_are_refused_and_nothing_stored(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let chip = answering_chip();
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let other = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        let (foreign_id, _) = challenge(&app, &other).await;
        let good = upload(chip, None);
        let signature = vec![0x30; 256];

        let sod = file(chip, "EF.SOD").unwrap();
        let mut truncated = good.clone();
        truncated["sod"] = json!(STANDARD.encode(&sod[..sod.len() / 2]));
        let mut without_dg1 = good.clone();
        without_dg1["data_groups"].as_array_mut().unwrap().retain(|dg| dg["number"] != 1);
        let mut numbered_17 = good.clone();
        numbered_17["data_groups"][0]["number"] = json!(17);
        let mut twice = good.clone();
        let first = twice["data_groups"][0].clone();
        twice["data_groups"].as_array_mut().unwrap().push(first);
        let mut wrong_tag = good.clone();
        wrong_tag["data_groups"][0]["number"] = json!(3);
        let mut without_dg15 = upload(chip, Some((&foreign_id, &signature)));
        without_dg15["data_groups"].as_array_mut().unwrap().retain(|dg| dg["number"] != 15);
        let foreign = upload(chip, Some((&foreign_id, &signature)));
        let unknown = upload(chip, Some((&uuid::Uuid::now_v7().to_string(), &signature)));
        let empty_answer = upload(chip, Some((&foreign_id, &[])));
        let mut not_base64 = good.clone();
        not_base64["sod"] = json!("not base64 at all!");

        let cases = [
            (truncated, StatusCode::UNPROCESSABLE_ENTITY, "lds.truncated"),
            (without_dg1, StatusCode::UNPROCESSABLE_ENTITY, "chip.dg1_missing"),
            (numbered_17, StatusCode::UNPROCESSABLE_ENTITY, "chip.data_group_number"),
            (twice, StatusCode::UNPROCESSABLE_ENTITY, "chip.data_group_number"),
            (wrong_tag, StatusCode::UNPROCESSABLE_ENTITY, "chip.data_group_tag"),
            (without_dg15, StatusCode::UNPROCESSABLE_ENTITY, "chip.dg15_missing"),
            (foreign, StatusCode::UNPROCESSABLE_ENTITY, "chip.challenge_unknown"),
            (unknown, StatusCode::UNPROCESSABLE_ENTITY, "chip.challenge_unknown"),
            (empty_answer, StatusCode::UNPROCESSABLE_ENTITY, "chip.answer_length"),
            (not_base64, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        ];
        for (body, status, code) in cases {
            let (answered, problem) = submit(&app, &id, &body).await;
            assert_eq!((answered, problem["code"].as_str()), (status, Some(code)), "{problem}");
        }

        assert_eq!(app.count("evidence").await, 0);
        let (still_good, _) = submit(&app, &other, &upload(chip, Some((&foreign_id, &answer(chip, &[0; 8]))))).await;
        assert_eq!(still_good, StatusCode::ACCEPTED, "the foreign attempts did not spend it");
        app.stop().await;
    }
}
