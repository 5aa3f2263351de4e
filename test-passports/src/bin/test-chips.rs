//! `test-chips`: writes the test PKI and the test chips into a directory with their manifest.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Parser;
use idproof_test_passports::chip::write;

/// Draw the test PKI (CSCAs, link certificate, document signers, CRLs, master list) and the
/// test chips (valid ones and one of each failure) with a manifest of their expected verdicts.
#[derive(Parser)]
struct Arguments {
    /// Where `manifest.json`, `trust/`, `untrusted/` and `chips/` go.
    #[arg(long)]
    out: PathBuf,
    /// The seed: the same seed and day give the same files byte for byte.
    #[arg(long, default_value_t = 9303)]
    seed: u64,
    /// The day to verify on: certificates, CRLs and signing times are placed around it.
    #[arg(long, default_value = "2026-12-01")]
    as_of: NaiveDate,
}

fn main() -> anyhow::Result<()> {
    let arguments = Arguments::parse();

    let manifest = write::write(arguments.seed, arguments.as_of, &arguments.out)?;

    println!(
        "{} chips and the trust material of {} CSCA certificates in {}",
        manifest.chips.len(),
        manifest.trust.cscas.len(),
        arguments.out.display()
    );
    Ok(())
}
