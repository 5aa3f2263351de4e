//! `idproof policy check FILE`: loads a policy file as start-up would, and prints what it holds
//! or the first refusal as `FILE:LINE:COLUMN: reason (code)`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use idproof_policy::{Policy, Version};

/// `idproof policy …`.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file: print its versions, groups, categories, tiers and rules, or the
    /// refusal as FILE:LINE:COLUMN: reason (code) and exit 1.
    Check {
        /// The policy file (TOML, 1 MiB at most).
        file: PathBuf,
    },
    /// Explain the decision on an application: tier, validity, flags, each rule applied and
    /// the steps it rested on. Exits 1 when it is not decided yet, 2 when there is no such
    /// application.
    Explain {
        /// The application's id.
        application_id: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `policy check`, printing its answer; the exit status. `policy explain` needs the
/// database and runs through [`crate::explain_cli::explain`].
pub fn run(command: &PolicyCommand) -> i32 {
    match command {
        PolicyCommand::Explain { .. } => 2,
        PolicyCommand::Check { file } => match check(file) {
            Ok(summary) => {
                print!("{summary}");
                0
            }
            Err(refusal) => {
                eprintln!("{refusal}");
                1
            }
        },
    }
}

/// The summary of a valid policy file, or its refusal as one line.
pub fn check(file: &Path) -> Result<String, String> {
    let policy = Policy::load(file).map_err(|error| error.to_string())?;
    Ok(summary(&policy))
}

/// What a policy holds, version by version, for a person reviewing it.
pub fn summary(policy: &Policy) -> String {
    let mut out = String::new();
    let count = policy.versions.len();
    let plural = if count == 1 { "" } else { "s" };
    let _ = writeln!(out, "{}: valid, {count} version{plural}", policy.source_name);

    for version in &policy.versions {
        version_summary(&mut out, version);
    }
    out
}

fn version_summary(out: &mut String, version: &Version) {
    let _ = writeln!(out);
    let _ = write!(out, "version effective from {}", version.effective_from);
    if let Some(note) = &version.note {
        let _ = write!(out, ": {note}");
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "  groups (from, categories)");
    for group in version.groups.values() {
        let codes: Vec<&str> = version
            .categories_of(&group.id)
            .iter()
            .map(|category| category.code.as_str())
            .collect();
        let _ = writeln!(
            out,
            "    {:<10} {}  {}",
            group.id,
            group.effective_from,
            if codes.is_empty() { "(none)".to_owned() } else { codes.join(", ") }
        );
    }

    let _ = writeln!(out, "  tiers (builds on, max validity, min remaining stay, ETDA, NIST)");
    for rule in version.tiers.values() {
        let requires: Vec<&str> = rule.requires.iter().map(|need| need.as_str()).collect();
        let _ = writeln!(
            out,
            "    {}  {:<3} {:>5} d {:>4} d  IAL {:<4} {:<5} {}",
            rule.tier,
            rule.builds_on.map_or("-", |below| below.as_str()),
            rule.max_validity_days,
            rule.min_remaining_stay_days,
            rule.etda_ial,
            rule.nist_ial,
            requires.join(", ")
        );
    }

    let _ = writeln!(out, "  purposes (group, tiers, evidence)");
    for rule in version.purposes.values().flat_map(|rules| rules.values()) {
        let evidence: Vec<&str> = rule.evidence.iter().map(|kind| kind.as_str()).collect();
        let from = rule.effective_from.map(|day| format!(" from {day}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "    {:<20} {:<10} {}-{}  {}{from}",
            rule.purpose.as_str(),
            rule.group,
            rule.min_tier,
            rule.max_tier,
            evidence.join(", ")
        );
    }

    let _ = writeln!(out, "  flags");
    for rule in version.flags.values() {
        let window = rule.within_days.map(|days| format!(" within {days} d")).unwrap_or_default();
        let from = rule.effective_from.map(|day| format!(" from {day}")).unwrap_or_default();
        let _ = writeln!(out, "    {}{window}{from}", rule.kind.as_str());
    }
}
