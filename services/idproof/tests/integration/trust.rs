//! The CSCA trust store on both databases, through the store and through the real binary:
//! `idproof trust import`, `idproof trust coverage` and `idproof passport verify-chip` on the
//! generated test PKI and chips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use idproof_passport::chip::{TrustFile, read_trust_file, vet_crl};
use idproof_store::{CrlStatus, NewCrl};
use idproof_test_passports::chip::write::{self, Manifest};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::support::{Backend, Database, on_both_databases, test_config};

/// The test PKI and chips, drawn once for the suite.
struct Chips {
    directory: PathBuf,
    manifest: Manifest,
}

fn chips() -> &'static Chips {
    static CHIPS: OnceLock<Chips> = OnceLock::new();
    CHIPS.get_or_init(|| {
        let directory = idproof_testkit::temp_dir("trust-chips").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let manifest = write::write(9303, day, &directory).unwrap();
        Chips { directory, manifest }
    })
}

fn path(relative: &str) -> PathBuf {
    chips().directory.join(relative)
}

fn at() -> String {
    chips().manifest.verify_at.to_rfc3339()
}

fn idproof(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idproof"));
    command
        .env("IDPROOF_DATABASE__URL", database_url)
        .env("IDPROOF_LOG__FILTER", "warn")
        .env_remove("IDPROOF_CONFIG");
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Imports the master list (anchored at its signer's CSCA) and every CRL.
fn import_master_list_and_crls(url: &str) -> Output {
    let manifest = &chips().manifest;
    let anchor = manifest.trust.cscas.iter().find(|csca| csca.state == "UTO").unwrap();
    let mut command = idproof(url);
    command.args(["trust", "import", "--at", &at(), "--anchor"]).arg(path(&anchor.pem));
    command.arg(path(&manifest.trust.master_list));
    for crl in &manifest.trust.crls {
        command.arg(path(&crl.der));
    }
    command.output().unwrap()
}

async fn count(url: &str, table: &str) -> i64 {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let statement = Statement::from_string(db.get_database_backend(), sql);
    let row = db.query_one_raw(statement).await.unwrap().unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    db.close().await.ok();
    n
}

fn verify_chip(url: &str, directory: &Path, page_mrz: &[String], extra: &[&str]) -> Output {
    let mut command = idproof(url);
    command.args(["passport", "verify-chip", "--json", "--at", &at()]).arg(directory);
    command.arg("--mrz").args(page_mrz).args(extra);
    command.output().unwrap()
}

on_both_databases! {
    async fn the_store_keeps_each_file_once_and_reports_coverage(backend: Backend) {
        let dir = idproof_testkit::temp_dir("trust").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let config = test_config(&dir, &database.url, "http://127.0.0.1:1");
        let store = idproof::wiring::open_store(&config).await.unwrap().trust();
        let manifest = &chips().manifest;
        let cscas: Vec<Vec<u8>> =
            manifest.trust.cscas.iter().map(|csca| std::fs::read(path(&csca.der)).unwrap()).collect();
        let crls: Vec<NewCrl> = manifest
            .trust
            .crls
            .iter()
            .filter(|crl| crl.state != "XTF")
            .map(|crl| {
                let TrustFile::Crl(der) = read_trust_file(&std::fs::read(path(&crl.pem)).unwrap()).unwrap()
                else { panic!("not a CRL") };
                let record = vet_crl(&der, &cscas).unwrap();
                NewCrl {
                    issuing_state: record.state,
                    issuer: record.issuer,
                    this_update: record.this_update,
                    next_update: record.next_update,
                    fingerprint: record.fingerprint,
                    der: record.der,
                }
            })
            .collect();
        let new_cscas: Vec<idproof_store::NewCsca> = cscas
            .iter()
            .map(|der| {
                let record = idproof_passport::chip::listed_csca(der).unwrap();
                idproof_store::NewCsca {
                    issuing_state: record.state,
                    kind: "root".into(),
                    subject_key_id: record.subject_key_id,
                    serial: record.serial,
                    not_before: record.not_before,
                    not_after: record.not_after,
                    fingerprint: record.fingerprint,
                    der: record.der,
                    source: "certificate".into(),
                }
            })
            .collect();

        let first = store.import(new_cscas.clone(), crls.clone(), chrono::Utc::now()).await.unwrap();
        let again = store.import(new_cscas.clone(), crls.clone(), chrono::Utc::now()).await.unwrap();

        assert_eq!((first.cscas_added, first.crls_added), (cscas.len(), crls.len()));
        assert_eq!((again.cscas_added, again.cscas_known), (0, cscas.len()));
        assert_eq!((again.crls_added, again.crls_known), (0, crls.len()));
        let material = store.trust_material().await.unwrap();
        assert_eq!(material.cscas, cscas);
        assert_eq!(material.crls.len(), crls.len());

        let verify_at = manifest.verify_at;
        let coverage = store.coverage(verify_at).await.unwrap();
        let states: Vec<&str> = coverage.iter().map(|state| state.issuing_state.as_str()).collect();
        assert_eq!(states, ["UT", "XA", "XB", "XC", "XD", "XE", "XF"]);
        let xc = coverage.iter().find(|state| state.issuing_state == "XC").unwrap();
        assert_eq!((xc.cscas, xc.crl), (3, CrlStatus::Current));
        let xf = coverage.iter().find(|state| state.issuing_state == "XF").unwrap();
        assert_eq!((xf.cscas, xf.crl, xf.crl_next_update), (1, CrlStatus::Missing, None));
        let later = store.coverage(verify_at + Duration::days(3650)).await.unwrap();
        assert_eq!(later.iter().find(|s| s.issuing_state == "XA").unwrap().crl, CrlStatus::Stale);

        database.drop_database().await;
    }

    async fn the_cli_imports_the_master_list_and_crls_and_reports_every_state_current(backend: Backend) {
        let dir = idproof_testkit::temp_dir("trust-cli").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let url = database.url.clone();

        let import = import_master_list_and_crls(&url);
        let again = import_master_list_and_crls(&url);
        let coverage = idproof(&url).args(["trust", "coverage", "--json", "--at", &at()]).output().unwrap();
        let table = idproof(&url).args(["trust", "coverage", "--at", &at()]).output().unwrap();

        assert!(import.status.success(), "{}", stderr(&import));
        let cscas = chips().manifest.trust.cscas.len();
        assert!(stdout(&import).contains(&format!("master list: {cscas} CSCAs, signed under UT")), "{}", stdout(&import));
        assert!(stdout(&import).contains(&format!("imported: {cscas} CSCA certificates added, 0 already held; 7 CRLs added")), "{}", stdout(&import));
        assert!(stdout(&again).contains(&format!("0 CSCA certificates added, {cscas} already held; 0 CRLs added, 7 already held")), "{}", stdout(&again));
        let coverage: Value = serde_json::from_slice(&coverage.stdout).unwrap();
        let states = coverage["states"].as_array().unwrap();
        assert_eq!(states.len(), 7, "{coverage}");
        assert!(states.iter().all(|state| state["crl"] == "current" && state["cscas"].as_u64() >= Some(1)), "{coverage}");
        assert!(stdout(&table).lines().any(|line| line.starts_with("XC") && line.contains(" 3 ") && line.ends_with("current")), "{}", stdout(&table));

        database.drop_database().await;
    }

    async fn the_impostor_master_list_is_refused_and_nothing_is_stored(backend: Backend) {
        let dir = idproof_testkit::temp_dir("trust-cli").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let url = database.url.clone();
        let manifest = &chips().manifest;
        let anchor = manifest.trust.cscas.iter().find(|csca| csca.state == "UTO").unwrap();
        let crl = &manifest.trust.crls[0];

        let refused = idproof(&url)
            .args(["trust", "import", "--at", &at(), "--anchor"])
            .arg(path(&anchor.pem))
            .arg(path(&crl.der))
            .arg(path(&manifest.trust.untrusted_master_list))
            .output()
            .unwrap();
        let unanchored = idproof(&url)
            .args(["trust", "import", "--at", &at()])
            .arg(path(&manifest.trust.master_list))
            .output()
            .unwrap();

        assert_eq!(refused.status.code(), Some(1));
        assert!(stderr(&refused).contains("(master_list.signer_untrusted)"), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("nothing was imported"));
        assert_eq!(unanchored.status.code(), Some(1));
        assert!(stderr(&unanchored).contains("(master_list.signer_untrusted)"), "{}", stderr(&unanchored));
        assert_eq!(count(&url, "csca_certificate").await, 0);
        assert_eq!(count(&url, "csca_crl").await, 0);

        database.drop_database().await;
    }

    async fn single_certificates_and_crls_are_vetted_in_order_and_refused_with_their_codes(backend: Backend) {
        let dir = idproof_testkit::temp_dir("trust-cli").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let url = database.url.clone();
        let import = |files: &[&str]| {
            let mut command = idproof(&url);
            command.args(["trust", "import", "--at", &at()]);
            command.args(files.iter().map(|file| path(file))).output().unwrap()
        };

        let link_alone = import(&["trust/csca/XTC-link.pem"]);
        let signer = import(&["trust/master-list-signer.pem"]);
        let crl_alone = import(&["trust/crl/XTB.crl.pem"]);
        let garbage = import(&["manifest.json"]);
        // The CRL comes first on the line but is vetted after the certificates; the new key's
        // CRL verifies with the link certificate's key.
        let rollover = import(&["trust/crl/XTC.crl.pem", "trust/csca/XTC-1.pem", "trust/csca/XTC-link.der"]);

        for (output, code) in [
            (&link_alone, "trust.csca_untrusted"),
            (&signer, "trust.csca_not_ca"),
            (&crl_alone, "trust.crl_untrusted"),
            (&garbage, "trust.file_kind"),
        ] {
            assert_eq!(output.status.code(), Some(1), "{code}: {}", stdout(output));
            assert!(stderr(output).contains(&format!("({code})")), "{code}: {}", stderr(output));
        }
        assert!(rollover.status.success(), "{}", stderr(&rollover));
        let printed = stdout(&rollover);
        assert!(printed.contains("CSCA XC (root)") && printed.contains("CSCA XC (link)"), "{printed}");
        assert!(printed.contains("CRL of XC"), "{printed}");
        assert_eq!(count(&url, "csca_certificate").await, 2);
        assert_eq!(count(&url, "csca_crl").await, 1);

        database.drop_database().await;
    }

    async fn verify_chip_gives_every_chip_its_manifest_verdict_from_the_store(backend: Backend) {
        let dir = idproof_testkit::temp_dir("trust-cli").unwrap();
        let database = Database::fresh(backend, &dir).await;
        let url = database.url.clone();
        let import = import_master_list_and_crls(&url);
        assert!(import.status.success(), "{}", stderr(&import));
        let mut wrong = Vec::new();

        for chip in &chips().manifest.chips {
            let output = verify_chip(&url, &path(&chip.directory), &chip.page_mrz, &[]);
            let verdict: Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|_| panic!("{}: {}{}", chip.name, stdout(&output), stderr(&output)));
            let valid = chip.expected == "valid";
            if verdict["verdict"] != chip.expected.as_str() || output.status.code() != Some(if valid { 0 } else { 1 }) {
                wrong.push(format!("{}: {} ({:?}) for {}", chip.name, verdict["verdict"], output.status.code(), chip.expected));
            }
        }

        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        database.drop_database().await;
    }
}

#[test]
fn verify_chip_reads_a_trust_directory_and_prints_a_table() {
    let manifest = &chips().manifest;
    let valid = manifest.chips.iter().find(|chip| chip.expected == "valid").unwrap();
    let revoked = manifest.chips.iter().find(|chip| chip.expected == "signer.revoked").unwrap();
    let trust = path("trust");
    let unused = "sqlite:///nonexistent/never-opened.sqlite";

    let table = idproof(unused)
        .args(["passport", "verify-chip", "--at", &at(), "--trust-dir"])
        .arg(&trust)
        .arg(path(&valid.directory))
        .arg("--mrz")
        .args(&valid.page_mrz)
        .output()
        .unwrap();
    let failed = verify_chip(
        unused,
        &path(&revoked.directory),
        &revoked.page_mrz,
        &["--trust-dir", trust.to_str().unwrap()],
    );
    let no_sod = idproof(unused)
        .args(["passport", "verify-chip", "--json", "--trust-dir"])
        .arg(&trust)
        .arg(&trust)
        .output()
        .unwrap();

    assert_eq!(table.status.code(), Some(0), "{}{}", stdout(&table), stderr(&table));
    let text = stdout(&table);
    assert!(text.starts_with("verdict: valid"), "{text}");
    assert!(
        text.lines().any(|line| line.starts_with("sod.signature") && line.contains("passed")),
        "{text}"
    );
    assert_eq!(failed.status.code(), Some(1));
    let verdict: Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(verdict["verdict"], "signer.revoked");
    assert!(
        verdict["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|check| check["outcome"]["code"] == "signer.revoked"),
        "{verdict}"
    );
    assert_eq!(no_sod.status.code(), Some(2));
    let refusal: Value = serde_json::from_slice(&no_sod.stdout).unwrap();
    assert_eq!(refusal["error"]["code"], "chip.unreadable");
}
