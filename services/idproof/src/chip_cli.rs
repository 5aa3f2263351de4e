//! `idproof passport verify-chip DIR`: passive and Active Authentication of a chip's files
//! offline, as the service does for an upload, with the verdict's checks as a table or JSON.
//!
//! DIR holds the files as read from the chip: `EF.SOD`, `EF.DG1` … `EF.DG16` (those read), and
//! for Active Authentication `aa/challenge.bin` with the answer in `aa/response.bin`,
//! `aa/response-plain.bin` or `aa/response-der.bin`. The trust material comes from the trust
//! store, or from the certificates and CRLs under `--trust-dir`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use idproof_passport::chip::{
    ActiveAuthenticationAnswer, ChipEvidence, Outcome, Policy, TrustAnchors, TrustFile,
    TrustMaterial, Verdict, read_trust_file, verify_chip, vet_csca,
};
use idproof_passport::mrz;
use idproof_proofing::{Clock, SystemClock};
use serde_json::json;

use crate::config::Config;
use crate::trust_cli::read_bounded;

/// The largest chip file read; DG2 of a real passport is 15 to 100 kB.
const MAX_CHIP_FILE: u64 = 4 * 1024 * 1024;
/// The largest trust file read under `--trust-dir`.
const MAX_TRUST_FILE: u64 = 32 * 1024 * 1024;
/// How deep `--trust-dir` is searched.
const MAX_TRUST_DEPTH: usize = 4;

/// `idproof passport verify-chip`.
#[derive(Args)]
pub struct VerifyChipArgs {
    /// The directory of the chip's files.
    pub dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Read CSCA certificates and CRLs (PEM or DER) under this directory instead of the store.
    #[arg(long)]
    pub trust_dir: Option<PathBuf>,
    /// The MRZ printed on the data page, line by line, to compare DG1 with.
    #[arg(long = "mrz", num_args = 2..=3)]
    pub mrz: Vec<String>,
    /// The moment to verify at (RFC 3339); now by default.
    #[arg(long)]
    pub at: Option<DateTime<Utc>>,
}

/// Verifies the chip; the text to print and the exit status: 0 valid, 1 not valid, 2 when the
/// chip could not be verified at all (files or trust material unreadable).
pub async fn verify(args: &VerifyChipArgs, config: Option<&Path>) -> anyhow::Result<(String, i32)> {
    let at = args.at.unwrap_or_else(|| SystemClock.now());
    let refuse = |code: &str, detail: String| {
        let text = if args.json {
            json!({ "valid": false, "error": { "code": code, "detail": detail } }).to_string()
        } else {
            format!("chip not verified ({code}): {detail}")
        };
        (text, 2)
    };

    let files = match ChipFiles::read(&args.dir) {
        Ok(files) => files,
        Err(detail) => return Ok(refuse("chip.unreadable", detail)),
    };
    let page_mrz = if args.mrz.is_empty() {
        None
    } else {
        let lines: Vec<&str> = args.mrz.iter().map(|line| line.trim()).collect();
        match mrz::parse(&lines, at.date_naive()) {
            Ok(report) => Some(report.mrz),
            Err(err) => return Ok(refuse(err.code(), err.to_string())),
        }
    };

    let material = match &args.trust_dir {
        Some(dir) => trust_dir_material(dir)?,
        None => {
            let config = Config::load(config)?;
            let store = crate::trust_cli::open(&config).await?;
            let stored = store.trust_material().await?;
            TrustMaterial { cscas: stored.cscas, crls: stored.crls }
        }
    };
    let anchors = match TrustAnchors::new(&material) {
        Ok(anchors) => anchors,
        Err(err) => return Ok(refuse(err.code(), err.to_string())),
    };

    let mut evidence = ChipEvidence {
        sod: &files.sod,
        data_groups: files.data_groups.iter().map(|(n, bytes)| (*n, bytes.as_slice())).collect(),
        page_mrz: page_mrz.as_ref(),
        active_authentication: None,
    };
    if let Some((challenge, response)) = &files.active_authentication {
        evidence.active_authentication = Some(ActiveAuthenticationAnswer { challenge, response });
    }
    let verdict = match verify_chip(&evidence, &anchors, &Policy::default(), at) {
        Ok(verdict) => verdict,
        Err(err) => return Ok(refuse(err.code(), err.to_string())),
    };

    let status = if verdict.is_valid() { 0 } else { 1 };
    let text = if args.json { verdict_json(&verdict, at) } else { verdict_table(&verdict) };
    Ok((text, status))
}

/// The chip's files as read from its directory.
struct ChipFiles {
    sod: Vec<u8>,
    data_groups: BTreeMap<u8, Vec<u8>>,
    active_authentication: Option<(Vec<u8>, Vec<u8>)>,
}

impl ChipFiles {
    fn read(dir: &Path) -> Result<ChipFiles, String> {
        let read = |name: &str| {
            let path = dir.join(name);
            read_bounded(&path, MAX_CHIP_FILE).map_err(|err| format!("{}: {err}", path.display()))
        };
        let sod = read("EF.SOD")?;

        let mut data_groups = BTreeMap::new();
        for number in 1..=16u8 {
            let name = format!("EF.DG{number}");
            if dir.join(&name).is_file() {
                data_groups.insert(number, read(&name)?);
            }
        }

        let answers = ["aa/response.bin", "aa/response-plain.bin", "aa/response-der.bin"];
        let response = answers.iter().find(|name| dir.join(name).is_file());
        let active_authentication = match response {
            Some(response) if dir.join("aa/challenge.bin").is_file() => {
                Some((read("aa/challenge.bin")?, read(response)?))
            }
            _ => None,
        };
        Ok(ChipFiles { sod, data_groups, active_authentication })
    }
}

/// Every CA certificate and CRL under `dir`; master lists, signers' certificates and other
/// files are passed over.
fn trust_dir_material(dir: &Path) -> anyhow::Result<TrustMaterial> {
    let nobody = TrustAnchors::new(&TrustMaterial::default())?;
    let mut material = TrustMaterial::default();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("failed to list {}", dir.display()))?;
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|entry| Some(entry.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                if depth < MAX_TRUST_DEPTH {
                    pending.push((path, depth + 1));
                }
                continue;
            }
            let Ok(bytes) = read_bounded(&path, MAX_TRUST_FILE) else { continue };
            match read_trust_file(&bytes) {
                Ok(TrustFile::Certificate(der)) => {
                    let not_ca = vet_csca(&der, &nobody).err().map(|err| err.code());
                    if not_ca != Some("trust.csca_not_ca") {
                        material.cscas.push(der);
                    }
                }
                Ok(TrustFile::Crl(der)) => material.crls.push(der),
                Ok(TrustFile::MasterList(_)) | Err(_) => {}
            }
        }
    }
    Ok(material)
}

fn verdict_json(verdict: &Verdict, at: DateTime<Utc>) -> String {
    json!({
        "verdict": verdict.code(),
        "valid": verdict.is_valid(),
        "at": at,
        "checks": verdict.checks,
        "chip_authentication": verdict.chip_authentication,
    })
    .to_string()
}

fn verdict_table(verdict: &Verdict) -> String {
    let mut table = format!("verdict: {}\n", verdict.code());
    let width = verdict.checks.iter().map(|check| check.name.len()).max().unwrap_or(5).max(5);
    let _ = writeln!(table, "{:<width$}  {:<14}  {:<22}  reason", "check", "result", "code");
    for check in &verdict.checks {
        let (result, code) = match &check.outcome {
            Outcome::Passed => ("passed", ""),
            Outcome::Failed(code) => ("failed", code.as_str()),
            Outcome::NotApplicable => ("not applicable", ""),
        };
        let _ =
            writeln!(table, "{:<width$}  {result:<14}  {code:<22}  {}", check.name, check.reason);
    }
    for offer in &verdict.chip_authentication {
        let key = offer.key_id.map_or_else(|| "the only key".to_owned(), |id| format!("key {id}"));
        let public = if offer.has_public_key { "" } else { " (DG14 has no public key for it)" };
        let _ = writeln!(
            table,
            "chip authentication offered: {} version {}, {key}{public}",
            offer.protocol, offer.version
        );
    }
    table.trim_end().to_owned()
}
