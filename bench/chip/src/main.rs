//! `idproof-bench-chip`: draws the test PKI and chips, and measures on one thread, key type by
//! key type over the valid chips, how many passive authentications per second idproof does
//! (the whole `verify_chip`: parsing, hashing, the signer's chain and CRL), next to OpenSSL
//! verifying the same SOD signature with the same key and nothing else, and next to another
//! passive authentication implementation on the same files. Writes `chip-report.md` and
//! `chip-report.json`.

mod corpus;
mod measure;
mod peer;
mod report;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::measure::Contender;

/// Passive authentication per key type: idproof, OpenSSL's raw verify, a peer; same run.
#[derive(Parser)]
#[command(name = "idproof-bench-chip")]
pub(crate) struct Cli {
    /// Where chip-report.md and chip-report.json are written.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Where the test PKI and chips are drawn (replaced on every run).
    #[arg(long, default_value = "bench/.chips")]
    corpus: PathBuf,
    /// The corpus seed.
    #[arg(long, default_value_t = 9303)]
    seed: u64,
    /// Repetitions per key type; the report gives each contender's median.
    #[arg(long, default_value_t = 7)]
    repetitions: usize,
    /// How long each contender runs in one repetition, in milliseconds.
    #[arg(long, default_value_t = 300)]
    slice_ms: u64,
    /// Measure only the key types whose name contains this (`RSA`, `P-256`).
    #[arg(long)]
    only: Option<String>,
    /// An earlier chip-report.json, measured before a change: its idproof figures and ratios
    /// are shown beside this run's.
    #[arg(long)]
    before: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).context("the corpus day")?;

    eprintln!("drawing the test PKI and chips into {}", cli.corpus.display());
    let corpus = corpus::Corpus::draw(cli.seed, day, &cli.corpus)?;
    let mut key_types = corpus.key_types()?;
    if let Some(only) = &cli.only {
        key_types.retain(|key_type| key_type.name.contains(only.as_str()));
    }
    let slice = Duration::from_millis(cli.slice_ms);

    let mut measured = Vec::new();
    for key_type in &key_types {
        eprintln!("measuring {} ({} chips)", key_type.name, key_type.chips.len());
        let contenders: Vec<Contender<'_>> = vec![
            measure::ours(&corpus, key_type, true)?,
            measure::ours(&corpus, key_type, false)?,
            measure::openssl_raw(key_type)?,
            peer::contender(&corpus, key_type),
        ];
        measured.push(measure::run(key_type, contenders, cli.repetitions, slice));
    }

    let before = cli.before.as_deref().map(report::read_before).transpose()?;
    let report = report::Report::new(&cli, measured, before);
    let markdown = report::write(&report, &cli.out)?;
    println!("report written to {}", markdown.display());
    Ok(())
}
