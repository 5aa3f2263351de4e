//! The report: per set and per reader, documents fully right, field accuracy, wrong fields
//! vouched for, and time per image; then per fault, and per field.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use idproof_test_passports::{Entry, Set};
use serde::Serialize;

use crate::Cli;
use crate::score::{FIELDS, Outcome};

/// Everything measured, as mrz-report.json holds it.
#[derive(Serialize)]
pub(crate) struct Report {
    seed: u64,
    documents: u64,
    engine_start_ms: f64,
    sets: Vec<SetSummary>,
    faults: Vec<FaultSummary>,
    ours: Vec<Outcome>,
    passporteye: Option<Vec<Outcome>>,
}

#[derive(Serialize)]
struct SetSummary {
    set: Set,
    images: usize,
    ours: Summary,
    passporteye: Option<Summary>,
}

#[derive(Serialize)]
struct FaultSummary {
    fault: String,
    images: usize,
    ours_fully_right: usize,
    passporteye_fully_right: Option<usize>,
}

/// One reader on one set of images.
#[derive(Serialize)]
struct Summary {
    fully_right: usize,
    field_accuracy: f64,
    per_field: Vec<(&'static str, f64)>,
    claimed_valid_but_wrong: usize,
    vouched_wrong_fields: usize,
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
    pub(crate) fn new(
        cli: &Cli,
        entries: &[Entry],
        engine_start_ms: f64,
        ours: Vec<Outcome>,
        passporteye: Option<Vec<Outcome>>,
    ) -> Self {
        let pick = |outcomes: &[Outcome], keep: &dyn Fn(&Entry) -> bool| -> Vec<usize> {
            entries
                .iter()
                .zip(outcomes)
                .enumerate()
                .filter(|(_, (e, _))| keep(e))
                .map(|(i, _)| i)
                .collect()
        };
        let select = |outcomes: &[Outcome], indices: &[usize]| -> Vec<Outcome> {
            indices.iter().map(|&i| outcomes[i].clone()).collect()
        };

        let sets = [Set::Clean, Set::Degraded]
            .into_iter()
            .map(|set| {
                let indices = pick(&ours, &|entry| entry.set == set);
                let mine = select(&ours, &indices);
                let theirs = passporteye.as_ref().map(|p| select(p, &indices));
                SetSummary {
                    set,
                    images: indices.len(),
                    ours: Summary::of(&mine.iter().collect::<Vec<_>>()),
                    passporteye: theirs.map(|t| Summary::of(&t.iter().collect::<Vec<_>>())),
                }
            })
            .collect();

        let mut fault_names: Vec<String> = entries.iter().filter_map(fault_name).collect();
        fault_names.sort();
        fault_names.dedup();
        let faults = fault_names
            .into_iter()
            .map(|fault| {
                let indices = pick(&ours, &|entry| fault_name(entry).as_deref() == Some(&fault));
                let fully = |outcomes: &[Outcome]| {
                    indices.iter().filter(|&&i| outcomes[i].fully_right()).count()
                };
                FaultSummary {
                    images: indices.len(),
                    ours_fully_right: fully(&ours),
                    passporteye_fully_right: passporteye.as_deref().map(fully),
                    fault,
                }
            })
            .collect();

        Self {
            seed: cli.seed,
            documents: cli.documents,
            engine_start_ms,
            sets,
            faults,
            ours,
            passporteye,
        }
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
        "Corpus: seed {}, {} documents (TD3, TD1, TD2, MRV-A, MRV-B in turn), each a clean scan \
         and a degraded photo, drawn by test-passports. One thread per reader \
         (OMP_THREAD_LIMIT=1), one image at a time. idproof's engine start, timed apart and \
         left out of its times: {:.0} ms.\n",
        report.seed, report.documents, report.engine_start_ms
    );

    let _ = writeln!(
        out,
        "| set | reader | fully right | field accuracy | valid but wrong | vouched wrong fields | p50 ms | p95 ms |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for set in &report.sets {
        let mut row = |name: &str, summary: &Summary| {
            let _ = writeln!(
                out,
                "| {:?} | {name} | {}/{} ({:.1}%) | {:.2}% | {} | {} | {:.0} | {:.0} |",
                set.set,
                summary.fully_right,
                set.images,
                100.0 * summary.fully_right as f64 / set.images.max(1) as f64,
                100.0 * summary.field_accuracy,
                summary.claimed_valid_but_wrong,
                summary.vouched_wrong_fields,
                summary.p50_ms,
                summary.p95_ms,
            );
        };
        row("idproof", &set.ours);
        if let Some(theirs) = &set.passporteye {
            row("PassportEye 2.2.2", theirs);
        }
    }
    for set in &report.sets {
        if let Some(theirs) = &set.passporteye {
            let _ = writeln!(
                out,
                "\n{:?}: idproof's p50 is {:.1}× faster than PassportEye's.",
                set.set,
                theirs.p50_ms / set.ours.p50_ms
            );
        }
    }

    let _ = writeln!(out, "\n## Degraded photos by fault (documents fully right)\n");
    let _ = writeln!(out, "| fault | images | idproof | PassportEye |\n|---|---|---|---|");
    for fault in &report.faults {
        let theirs = fault.passporteye_fully_right.map_or("–".to_owned(), |n| n.to_string());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {theirs} |",
            fault.fault, fault.images, fault.ours_fully_right
        );
    }

    let _ = writeln!(out, "\n## Field accuracy\n");
    let _ = writeln!(
        out,
        "| field | idproof clean | idproof degraded | PassportEye clean | PassportEye degraded |\n|---|---|---|---|---|"
    );
    for (index, field) in FIELDS.iter().enumerate() {
        let share = |summary: Option<&Summary>| {
            summary.map_or("–".to_owned(), |s| format!("{:.1}%", 100.0 * s.per_field[index].1))
        };
        let _ = writeln!(
            out,
            "| {field} | {} | {} | {} | {} |",
            share(Some(&report.sets[0].ours)),
            share(Some(&report.sets[1].ours)),
            share(report.sets[0].passporteye.as_ref()),
            share(report.sets[1].passporteye.as_ref()),
        );
    }
    let _ = writeln!(
        out,
        "\n\"Valid but wrong\": the reader said the zone passed its checks, yet a field differs \
         from the truth. \"Vouched wrong fields\": fields with no problem reported and \
         confidence of 0.9 or more (idproof), or in a zone PassportEye called valid, that were \
         wrong."
    );
    out
}
