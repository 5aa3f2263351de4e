//! The report: per set and per reader, documents fully right, field accuracy, wrong fields
//! vouched for, and time per image; then per fault, and per field.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use idproof_test_passports::{Entry, Set};
use serde::Serialize;

use crate::Cli;
use crate::score::{FIELDS, Outcome};

/// One reader's outcomes, image by image in manifest order.
#[derive(Serialize)]
pub(crate) struct Reader {
    pub(crate) name: String,
    /// Starting its engine, timed apart and left out of its times; unknown for PassportEye,
    /// which starts tesseract for every image.
    pub(crate) start_ms: Option<f64>,
    pub(crate) outcomes: Vec<Outcome>,
}

/// Everything measured, as mrz-report.json holds it.
#[derive(Serialize)]
pub(crate) struct Report {
    seed: u64,
    documents: u64,
    sets: Vec<SetSummary>,
    faults: Vec<FaultSummary>,
    readers: Vec<Reader>,
}

#[derive(Serialize)]
struct SetSummary {
    set: Set,
    images: usize,
    /// One per reader, in the readers' order.
    summaries: Vec<Summary>,
}

#[derive(Serialize)]
struct FaultSummary {
    fault: String,
    images: usize,
    /// Documents fully right, per reader.
    fully_right: Vec<usize>,
}

/// One reader on one set of images.
#[derive(Serialize)]
struct Summary {
    fully_right: usize,
    field_accuracy: f64,
    per_field: Vec<(&'static str, f64)>,
    claimed_valid_but_wrong: usize,
    vouched_wrong_fields: usize,
    /// Documents fully right and vouched for in every field: no officer needed.
    right_unaided: usize,
    p50_ms: f64,
    p95_ms: f64,
}

impl Summary {
    fn of(outcomes: &[&Outcome]) -> Self {
        let fields = outcomes.len() * FIELDS.len();
        let right: usize = outcomes.iter().map(|o| o.right.iter().filter(|&&r| r).count()).sum();
        let per_field = FIELDS
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let right = outcomes.iter().filter(|o| o.right[index]).count();
                (*name, right as f64 / outcomes.len().max(1) as f64)
            })
            .collect();
        let mut times: Vec<f64> = outcomes.iter().map(|o| o.elapsed_ms).collect();
        times.sort_by(f64::total_cmp);
        Self {
            fully_right: outcomes.iter().filter(|o| o.fully_right()).count(),
            field_accuracy: right as f64 / fields.max(1) as f64,
            per_field,
            claimed_valid_but_wrong: outcomes
                .iter()
                .filter(|o| o.claimed_valid && !o.fully_right())
                .count(),
            vouched_wrong_fields: outcomes.iter().map(|o| o.vouched_wrong.len()).sum(),
            right_unaided: outcomes.iter().filter(|o| o.vouched_all && o.fully_right()).count(),
            p50_ms: percentile(&times, 0.5),
            p95_ms: percentile(&times, 0.95),
        }
    }
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Report {
    pub(crate) fn new(cli: &Cli, entries: &[Entry], readers: Vec<Reader>) -> Self {
        let indices = |keep: &dyn Fn(&Entry) -> bool| -> Vec<usize> {
            entries.iter().enumerate().filter(|(_, e)| keep(e)).map(|(i, _)| i).collect()
        };

        let sets = [Set::Clean, Set::Degraded]
            .into_iter()
            .map(|set| {
                let picked = indices(&|entry| entry.set == set);
                let summaries = readers
                    .iter()
                    .map(|reader| {
                        let outcomes: Vec<&Outcome> =
                            picked.iter().map(|&i| &reader.outcomes[i]).collect();
                        Summary::of(&outcomes)
                    })
                    .collect();
                SetSummary { set, images: picked.len(), summaries }
            })
            .collect();

        let mut fault_names: Vec<String> = entries.iter().filter_map(fault_name).collect();
        fault_names.sort();
        fault_names.dedup();
        let faults = fault_names
            .into_iter()
            .map(|fault| {
                let picked = indices(&|entry| fault_name(entry).as_deref() == Some(&fault));
                let fully_right = readers
                    .iter()
                    .map(|r| picked.iter().filter(|&&i| r.outcomes[i].fully_right()).count())
                    .collect();
                FaultSummary { images: picked.len(), fully_right, fault }
            })
            .collect();

        Self { seed: cli.seed, documents: cli.documents, sets, faults, readers }
    }
}

fn fault_name(entry: &Entry) -> Option<String> {
    let photo = entry.photo.as_ref()?;
    let value = serde_json::to_value(&photo.fault).ok()?;
    value.get("kind")?.as_str().map(str::to_owned)
}

/// Writes mrz-report.md and mrz-report.json into `directory`; returns the markdown's path.
pub(crate) fn write(report: &Report, directory: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(directory)?;
    std::fs::write(directory.join("mrz-report.json"), serde_json::to_vec_pretty(report)?)?;
    let path = directory.join("mrz-report.md");
    std::fs::write(&path, markdown(report))?;
    Ok(path)
}

fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# MRZ reading: idproof and PassportEye on the same images\n");
    let _ = writeln!(
        out,
        "Corpus: seed {}, {} documents (TD3, TD1, TD2, MRV-A, MRV-B in turn), each a clean \
         scan and a degraded photo, drawn by test-passports. One thread per reader \
         (OMP_THREAD_LIMIT=1), one image at a time, readers one after another.",
        report.seed, report.documents
    );
    for reader in &report.readers {
        if let Some(start) = reader.start_ms {
            let _ = writeln!(
                out,
                "{}: engine start {start:.0} ms, left out of its times.",
                reader.name
            );
        }
    }

    let _ = writeln!(
        out,
        "\n| set | reader | fully right | right, no officer needed | field accuracy | \
         valid but wrong | vouched wrong fields | p50 ms | p95 ms |\n\
         |---|---|---|---|---|---|---|---|---|"
    );
    for set in &report.sets {
        for (reader, summary) in report.readers.iter().zip(&set.summaries) {
            let _ = writeln!(
                out,
                "| {:?} | {} | {}/{} ({:.1}%) | {} | {:.2}% | {} | {} | {:.0} | {:.0} |",
                set.set,
                reader.name,
                summary.fully_right,
                set.images,
                100.0 * summary.fully_right as f64 / set.images.max(1) as f64,
                summary.right_unaided,
                100.0 * summary.field_accuracy,
                summary.claimed_valid_but_wrong,
                summary.vouched_wrong_fields,
                summary.p50_ms,
                summary.p95_ms,
            );
        }
    }
    let ours = report.readers.iter().position(|r| r.name == "idproof");
    for set in &report.sets {
        let Some(ours) = ours.map(|i| &set.summaries[i]) else { continue };
        for (reader, summary) in report.readers.iter().zip(&set.summaries) {
            if reader.name != "idproof" {
                let _ = writeln!(
                    out,
                    "\n{:?}: {}'s p50 is {:.1}× idproof's.",
                    set.set,
                    reader.name,
                    summary.p50_ms / ours.p50_ms
                );
            }
        }
    }

    let names: Vec<&str> = report.readers.iter().map(|r| r.name.as_str()).collect();
    let _ = writeln!(out, "\n## Degraded photos by fault (documents fully right)\n");
    let _ = writeln!(out, "| fault | images | {} |", names.join(" | "));
    let _ = writeln!(out, "|---|---|{}", "---|".repeat(names.len()));
    for fault in &report.faults {
        let counts: Vec<String> = fault.fully_right.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "| {} | {} | {} |", fault.fault, fault.images, counts.join(" | "));
    }

    let _ = writeln!(out, "\n## Field accuracy, clean / degraded\n");
    let _ = writeln!(out, "| field | {} |", names.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(names.len()));
    for (index, field) in FIELDS.iter().enumerate() {
        let shares: Vec<String> = (0..names.len())
            .map(|reader| {
                let share =
                    |set: usize| 100.0 * report.sets[set].summaries[reader].per_field[index].1;
                format!("{:.1}% / {:.1}%", share(0), share(1))
            })
            .collect();
        let _ = writeln!(out, "| {field} | {} |", shares.join(" | "));
    }
    let _ = writeln!(
        out,
        "\n\"Valid but wrong\": the reader said the zone passed its checks, yet a field differs \
         from the truth. \"Vouched wrong fields\": fields with no problem reported and \
         confidence of 0.9 or more (idproof), or in a zone PassportEye called valid, that were \
         wrong. \"No officer needed\": fully right, and every field vouched for (PassportEye: \
         called valid), so the MRZ step passes without a person looking."
    );
    out
}
