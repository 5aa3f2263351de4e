//! The chip step's judgement of an uploaded chip dump: passive authentication to the trust
//! store's CSCAs, DG1 against the MRZ the data page gave, and the chip's answer to its
//! challenge. Only a verdict and its code leave here; the checks' details go to the log by
//! name and code, never a value read from the chip.

use chrono::{DateTime, Utc};
use idproof_passport::{
    chip::{self, ActiveAuthenticationAnswer, ChipEvidence, Outcome, Policy, TrustAnchors},
    mrz::Mrz,
};
use idproof_proofing::{CHIP_DUMP_MEDIA_TYPE, ChipDump, Step, StepOutcome, Verdict};

/// Codes that say the chip could not be judged, not that it is false: an officer looks.
const UNSETTLED: [&str; 4] = ["csca.unknown", "crl.missing", "crl.stale", "crl.signature"];

/// The chip dump judged against `trust`, with DG1 compared to `page_mrz` when the data page
/// was read. CPU-bound (signatures, hashes of the face image), so it runs on a blocking
/// thread.
pub(crate) async fn judge_chip(
    content_type: &str,
    content: Vec<u8>,
    trust: chip::TrustMaterial,
    page_mrz: Option<Mrz>,
    at: DateTime<Utc>,
) -> StepOutcome {
    if content_type != CHIP_DUMP_MEDIA_TYPE {
        return failed("evidence_media_type_unknown");
    }
    let judged =
        tokio::task::spawn_blocking(move || judge_dump(&content, &trust, page_mrz.as_ref(), at))
            .await;
    judged.unwrap_or_else(|join| {
        tracing::error!(error = %join, "chip verification panicked");
        StepOutcome::new(Step::Chip, Verdict::Flagged, "chip.verifier_failed")
    })
}

fn judge_dump(
    content: &[u8],
    trust: &chip::TrustMaterial,
    page_mrz: Option<&Mrz>,
    at: DateTime<Utc>,
) -> StepOutcome {
    let Ok(dump) = ChipDump::from_bytes(content) else {
        return failed("chip.dump_unreadable");
    };
    let anchors = match TrustAnchors::new(trust) {
        Ok(anchors) => anchors,
        Err(err) => {
            // The store's trust material itself is at fault: no chip can be judged until an
            // operator mends it, so the case waits for an officer.
            tracing::error!(code = err.code(), error = %err, "the trust store cannot be used");
            return StepOutcome::new(Step::Chip, Verdict::Flagged, err.code());
        }
    };

    let evidence = ChipEvidence {
        sod: &dump.sod,
        data_groups: dump.data_groups.iter().map(|(n, bytes)| (*n, bytes.0.as_slice())).collect(),
        page_mrz,
        active_authentication: dump.active_authentication.as_ref().map(|answer| {
            ActiveAuthenticationAnswer { challenge: &answer.challenge, response: &answer.signature }
        }),
    };
    match chip::verify_chip(&evidence, &anchors, &Policy::default(), at) {
        Ok(verdict) => outcome_of(&verdict),
        Err(err) => failed(err.code()),
    }
}

/// Passed when every check holds and the chip proved it is no clone; flagged when it could not
/// be settled (no CSCA or CRL for its state) or when no anti-cloning answer was given; failed
/// with the first failure's code otherwise.
fn outcome_of(verdict: &chip::Verdict) -> StepOutcome {
    for check in &verdict.checks {
        if let Outcome::Failed(code) = &check.outcome {
            tracing::info!(check = %check.name, %code, "chip check failed");
        }
    }

    let code = verdict.code();
    if code == "valid" {
        let answered =
            verdict.check("aa.signature").is_some_and(|check| check.outcome == Outcome::Passed);
        return if answered {
            StepOutcome::new(Step::Chip, Verdict::Passed, "chip_valid")
        } else {
            StepOutcome::new(Step::Chip, Verdict::Flagged, "chip.anti_cloning_missing")
        };
    }
    if UNSETTLED.contains(&code) {
        return StepOutcome::new(Step::Chip, Verdict::Flagged, code);
    }
    failed(code)
}

fn failed(code: &str) -> StepOutcome {
    StepOutcome::new(Step::Chip, Verdict::Failed, code)
}
