//! The test PKI and chips checked by an implementation that shares nothing with ours: the
//! OpenSSL command line. Every generated SOD and the master list must verify with
//! `openssl cms -verify`, each data group's `openssl dgst` must equal the SOD's hash, and each
//! planted failure must fail there for the reason the manifest gives. One test binary; the
//! corpus is drawn once per run into Cargo's scratch directory.
//!
//! How OpenSSL meets the ICAO profile, and what the tests do about it:
//! - `-purpose any`: document signer certificates carry no S/MIME key usage, and OpenSSL's
//!   default purpose for `cms -verify` would refuse them.
//! - `-attime`: certificates, CRLs and signing times are placed around the manifest's
//!   `verify_at`, so the tests verify at that moment, not at the machine's clock.
//! - CRLs go into the `-CAfile` bundle with `-crl_check`: `cms` has no `-CRLfile`.
//! - A CSCA that changed its key signs its one CRL with the new key (Doc 9303-12 Table 10,
//!   note 1). OpenSSL looks for a CRL signed by the key that issued the certificate, finds none
//!   for a signer under the old key and answers "unable to get certificate CRL"; that chip is
//!   verified without `-crl_check` and its signer looked up in the CRL's text instead.
//! - OpenSSL 3 refuses certificates whose EC key has explicit curve parameters ("Certificate
//!   public key has explicit ECC parameters") and has no switch to allow them. For that state
//!   the SOD signature is checked with `-noverify`, and each certificate's signature with
//!   `openssl dgst -verify` over its TBSCertificate, which OpenSSL does accept.

// Helpers outside #[test] functions unwrap too: a test that cannot read its corpus should stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod active;
mod determinism;
mod passive;
mod trust;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use idproof_test_passports::chip::write;
use idproof_test_passports::der;
use serde_json::Value;

const SEED: u64 = 9303;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// The corpus, drawn once per test run.
fn corpus() -> &'static (PathBuf, Value) {
    static CORPUS: OnceLock<(PathBuf, Value)> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let directory = scratch("corpus");
        write::write(SEED, day(), &directory).unwrap();
        std::fs::create_dir_all(directory.join("work")).unwrap();
        let manifest = std::fs::read(directory.join(write::MANIFEST)).unwrap();
        (directory, serde_json::from_slice(&manifest).unwrap())
    })
}

fn scratch(name: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-chips").join(name);
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// A fresh file name under the corpus's `work/`: tests run in parallel.
fn work_file(stem: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("work/{}-{stem}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Runs `openssl` in the corpus directory: whether it succeeded, and what it said.
fn openssl(arguments: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(arguments)
        .current_dir(&corpus().0)
        .output()
        .expect("the openssl command line (Debian's openssl package)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

fn verify_at() -> String {
    let at = corpus().1["verify_at"].as_str().unwrap();
    at.parse::<chrono::DateTime<chrono::Utc>>().unwrap().timestamp().to_string()
}

fn chips() -> &'static [Value] {
    corpus().1["chips"].as_array().unwrap()
}

fn chip(name: &str) -> &'static Value {
    chips().iter().find(|chip| chip["name"] == name).unwrap()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

/// `chips/NAME/FILE`, relative to the corpus.
fn chip_file(chip: &Value, file: &str) -> String {
    format!("{}/{file}", text(&chip["directory"]))
}

/// EF.SOD without its tag 77: the ContentInfo `openssl cms` reads, written beside it.
fn content_info(chip: &Value) -> String {
    let sod = std::fs::read(corpus().0.join(chip_file(chip, "EF.SOD"))).unwrap();
    let (tag, content, _) = der::split(&sod).unwrap();
    assert_eq!(tag, [0x77]);
    let path = work_file("sod.der");
    std::fs::write(corpus().0.join(&path), content).unwrap();
    path
}

/// A PEM bundle in the corpus directory: the files named, one after the other.
fn bundle(name: &str, files: &[String]) -> String {
    let mut pem = String::new();
    for file in files {
        pem.push_str(&std::fs::read_to_string(corpus().0.join(file)).unwrap());
    }
    let path = work_file(&format!("{name}.pem"));
    std::fs::write(corpus().0.join(&path), pem).unwrap();
    path
}

/// Every trusted CSCA certificate (roots and link certificates) and every CRL.
fn trust_bundle() -> String {
    let trust = &corpus().1["trust"];
    let mut files: Vec<String> = trust["cscas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|csca| text(&csca["pem"]).to_owned())
        .collect();
    files.extend(trust["crls"].as_array().unwrap().iter().map(|crl| text(&crl["pem"]).to_owned()));
    bundle("trust", &files)
}

fn cms_verify(chip: &Value, trust: &str, extra: &[&str]) -> (bool, String) {
    let sod = content_info(chip);
    let at = verify_at();
    let mut arguments = vec![
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        &sod,
        "-binary",
        "-CAfile",
        trust,
        "-purpose",
        "any",
        "-attime",
        &at,
        "-out",
        "/dev/null",
    ];
    arguments.extend_from_slice(extra);
    openssl(&arguments)
}

fn explicit_state(chip: &Value) -> bool {
    chip["state"] == "XTF"
}
