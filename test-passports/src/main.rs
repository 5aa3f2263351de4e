//! `test-passports`: draws a corpus into a directory.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Parser;
use idproof_test_passports::{Faces, Plan};

/// Draw synthetic data pages, clean and degraded, with a manifest of their ground truth.
#[derive(Parser)]
struct Arguments {
    /// Where the images and manifest.jsonl go.
    #[arg(long)]
    out: PathBuf,
    /// How many documents; each gives a clean and a degraded image.
    #[arg(long, default_value_t = 10)]
    count: u64,
    /// The seed.
    #[arg(long, default_value_t = 9303)]
    seed: u64,
    /// The day the documents are drawn for (expiry dates fall after it).
    #[arg(long, default_value = "2026-12-01")]
    as_of: NaiveDate,
}

fn main() -> anyhow::Result<()> {
    let arguments = Arguments::parse();
    let faces = Faces::load()?;

    let plan = Plan { seed: arguments.seed, as_of: arguments.as_of };
    let entries = plan.write(&faces, arguments.count, &arguments.out)?;

    println!("{} images in {}", entries.len(), arguments.out.display());
    Ok(())
}
