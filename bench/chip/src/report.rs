//! The report: per key type, each contender's median rate and its ratio to OpenSSL's raw
//! verify rate measured in the same run; `chip-report.json` holds every repetition.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::Cli;
use crate::measure::{Measured, Role};

/// Everything measured, as chip-report.json holds it.
#[derive(Serialize)]
pub(crate) struct Report {
    seed: u64,
    repetitions: usize,
    slice_ms: u64,
    /// The command that measured it.
    command: String,
    openssl: String,
    peer: &'static str,
    key_types: Vec<Measured>,
    /// idproof's medians from an earlier report, with that run's OpenSSL medians.
    before: Option<Vec<Before>>,
}

/// One key type's figures from an earlier report.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Before {
    key_type: String,
    idproof: f64,
    openssl_raw: f64,
}

impl Report {
    pub(crate) fn new(cli: &Cli, key_types: Vec<Measured>, before: Option<Vec<Before>>) -> Self {
        Report {
            seed: cli.seed,
            repetitions: cli.repetitions,
            slice_ms: cli.slice_ms,
            command: std::iter::once("idproof-bench-chip".to_owned())
                .chain(std::env::args().skip(1))
                .collect::<Vec<_>>()
                .join(" "),
            openssl: openssl::version::version().to_owned(),
            peer: crate::peer::NAME,
            key_types,
            before,
        }
    }
}

/// idproof's and OpenSSL's medians per key type in an earlier chip-report.json.
pub(crate) fn read_before(path: &Path) -> anyhow::Result<Vec<Before>> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let report: serde_json::Value = serde_json::from_slice(&text)?;
    let key_types = report["key_types"].as_array().context("no key types in the report")?;
    let median_of = |key_type: &serde_json::Value, role: &str| {
        let contenders = key_type["contenders"].as_array()?;
        let contender = contenders.iter().find(|contender| contender["role"] == role)?;
        contender["median"].as_f64()
    };
    Ok(key_types
        .iter()
        .filter_map(|key_type| {
            Some(Before {
                key_type: key_type["key_type"].as_str()?.to_owned(),
                idproof: median_of(key_type, "idproof")?,
                openssl_raw: median_of(key_type, "open_ssl_raw")?,
            })
        })
        .collect())
}

/// Writes chip-report.md and chip-report.json into `directory`; returns the markdown's path.
pub(crate) fn write(report: &Report, directory: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(directory)?;
    std::fs::write(directory.join("chip-report.json"), serde_json::to_vec_pretty(report)?)?;
    let path = directory.join("chip-report.md");
    std::fs::write(&path, markdown(report))?;
    Ok(path)
}

fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Passive authentication: idproof, OpenSSL's raw verify and {}\n",
        report.peer
    );
    let _ = writeln!(
        out,
        "The valid chips test-passports draws (seed {}), grouped by their document signer's key \
         and SOD signature scheme. One thread; the contenders take turns, {} ms each, {} times \
         per key type; each figure is the median of those repetitions, in verifications per \
         second, and each ratio is to OpenSSL's median in the same run. {}.\n",
        report.seed, report.slice_ms, report.repetitions, report.openssl
    );
    let _ = writeln!(out, "Measured by `{}` (`just bench-chip`).\n", report.command);
    let _ = writeln!(
        out,
        "| document signer key, SOD scheme | CSCA key | chips | DG2 kB | idproof /s | ÷ OpenSSL \
         | idproof, no signer cache /s | ÷ OpenSSL | OpenSSL raw verify /s | {peer} /s \
         | ÷ OpenSSL | idproof ÷ {peer} |",
        peer = report.peer
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for key_type in &report.key_types {
        let median =
            |role: Role| key_type.contenders.iter().find(|c| c.role == role).and_then(|c| c.median);
        let openssl = median(Role::OpenSslRaw);
        let ratio = |rate: Option<f64>, to: Option<f64>| match (rate, to) {
            (Some(rate), Some(to)) => format!("{:.2}", rate / to),
            _ => "–".to_owned(),
        };
        let rate = |rate: Option<f64>| rate.map_or("–".to_owned(), |rate| format!("{rate:.0}"));
        let dg2: Vec<String> =
            key_type.dg2_bytes.iter().map(|b| format!("{:.1}", *b as f64 / 1024.0)).collect();
        let (ours, cold, peer) =
            (median(Role::Idproof), median(Role::IdproofNoCache), median(Role::Peer));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            key_type.key_type,
            key_type.csca_key,
            key_type.chips.len(),
            dg2.join(", "),
            rate(ours),
            ratio(ours, openssl),
            rate(cold),
            ratio(cold, openssl),
            rate(openssl),
            rate(peer),
            ratio(peer, openssl),
            ratio(ours, peer),
        );
    }

    if let Some(before) = &report.before {
        let _ = writeln!(
            out,
            "\n## Before the signer cache\n\nidproof's median in the earlier run, and its ratio \
             to that run's OpenSSL median (the machine's load differs between runs; the \
             ratios compare).\n\n| key type | before /s | before ÷ OpenSSL | now /s | now ÷ \
             OpenSSL |\n|---|---|---|---|---|"
        );
        for key_type in &report.key_types {
            let Some(then) = before.iter().find(|b| b.key_type == key_type.key_type) else {
                continue;
            };
            let median = |role: Role| {
                key_type.contenders.iter().find(|c| c.role == role).and_then(|c| c.median)
            };
            let (Some(now), Some(openssl)) = (median(Role::Idproof), median(Role::OpenSslRaw))
            else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.2} | {now:.0} | {:.2} |",
                key_type.key_type,
                then.idproof,
                then.idproof / then.openssl_raw,
                now / openssl,
            );
        }
    }

    let _ = writeln!(out, "\n## Notes\n");
    for key_type in &report.key_types {
        for contender in &key_type.contenders {
            for refusal in &contender.refusals {
                let _ = writeln!(out, "- {} refuses {refusal}.", contender.name);
            }
            if let Some(reason) = &contender.refused {
                let _ = writeln!(
                    out,
                    "- {} on {}: not run, {reason}.",
                    contender.name, key_type.key_type
                );
            }
            if contender.failures > 0 {
                let _ = writeln!(
                    out,
                    "- {} on {}: {} verifications did not pass while timed.",
                    contender.name, key_type.key_type, contender.failures
                );
            }
        }
    }
    let _ = writeln!(out, "{NOTES}");
    out
}

/// What the figures mean, and what each contender does.
const NOTES: &str = "\
- idproof: `verify_chip` from the uploaded files: parsing EF.SOD, the content type and \
message digest, the document signer's certificate, the SOD signature, the signer's validity at \
signing and now, its chain to a trusted CSCA, the CRL, every data group hashed, DG1 compared \
with the page's MRZ (already parsed: the page is read before the chip). No Active \
Authentication answer. The trust anchors are built once, as the service does.
- idproof, no signer cache: the same, with trust anchors that keep no document signer: each \
chip's signer certificate is parsed and verified with its CSCA's key again.
- OpenSSL raw verify: the `openssl` crate's `Verifier` (EVP_DigestVerify) on each chip's \
signed attributes and SOD signature, with the document signer's key read once: the signature \
alone, in the same process and the same turns as the others, with the same key, hash and \
padding, which `openssl speed` (its own keys, no PSS, a separate process at another moment \
of the machine's load) would not give.
- dmrtd: `auth::passive::verify` with every trusted CSCA certificate as an anchor, given all \
the chip's data groups; it reads no CRL, checks no validity and compares no MRZ.
- emrtd 0.0.2 (June 2024, the latest; the other Rust crate with passive authentication) is \
not run: with its `passive_auth` feature it does not compile (error E0425, `eq` not found, \
src/lib.rs:2548 in `validate_dg`: the published source never imports it), and without the \
feature it has no passive authentication. Building it also needs libpcsclite-dev and \
compiles OpenSSL from source (`vendored`).";
