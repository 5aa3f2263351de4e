//! The chip step's judgement of an uploaded chip dump: passive authentication to the trust
//! store's CSCAs, DG1 against the MRZ the data page gave, and the chip's answer to its
//! challenge. Only a verdict and its code leave here; the checks' details go to the log by
//! name and code, never a value read from the chip.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use idproof_passport::{
    chip::{self, ActiveAuthenticationAnswer, ChipEvidence, Outcome, Policy, TrustAnchors},
    mrz::Mrz,
};
use idproof_proofing::{CHIP_DUMP_MEDIA_TYPE, ChipDump, Step, StepOutcome, Verdict};

/// Codes that say the chip could not be judged, not that it is false: an officer looks.
const UNSETTLED: [&str; 4] = ["csca.unknown", "crl.missing", "crl.stale", "crl.signature"];

/// The trust anchors last built, kept with the material they were built from. Parsing every
/// CSCA and checking every CRL's signature costs far more than one chip's verification, and
/// its document signer cache only pays off across chips, so a worker builds the anchors again
/// only when the trust store's content changed.
#[derive(Default)]
pub(crate) struct AnchorCache {
    built: Mutex<Option<(chip::TrustMaterial, Arc<TrustAnchors>)>>,
}

impl AnchorCache {
    /// Anchors for `trust`: the cached ones when they were built from the same material.
    fn anchors_for(
        &self,
        trust: chip::TrustMaterial,
    ) -> Result<Arc<TrustAnchors>, chip::ChipError> {
        let mut built = self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((material, anchors)) = built.as_ref()
            && *material == trust
        {
            return Ok(Arc::clone(anchors));
        }

        let anchors = Arc::new(TrustAnchors::new(&trust)?);
        *built = Some((trust, Arc::clone(&anchors)));
        Ok(anchors)
    }
}

/// The chip dump judged against `trust`, with DG1 compared to `page_mrz` when the data page
/// was read. CPU-bound (signatures, hashes of the face image), so it runs on a blocking
/// thread.
pub(crate) async fn judge_chip(
    content_type: &str,
    content: Vec<u8>,
    trust: chip::TrustMaterial,
    cache: Arc<AnchorCache>,
    page_mrz: Option<Mrz>,
    at: DateTime<Utc>,
) -> StepOutcome {
    if content_type != CHIP_DUMP_MEDIA_TYPE {
        return failed("evidence_media_type_unknown");
    }
    let judged = tokio::task::spawn_blocking(move || {
        judge_dump(&content, trust, &cache, page_mrz.as_ref(), at)
    })
    .await;
    judged.unwrap_or_else(|join| {
        tracing::error!(error = %join, "chip verification panicked");
        StepOutcome::new(Step::Chip, Verdict::Flagged, "chip.verifier_failed")
    })
}

fn judge_dump(
    content: &[u8],
    trust: chip::TrustMaterial,
    cache: &AnchorCache,
    page_mrz: Option<&Mrz>,
    at: DateTime<Utc>,
) -> StepOutcome {
    let Ok(dump) = ChipDump::from_bytes(content) else {
        return failed("chip.dump_unreadable");
    };
    let anchors = match cache.anchors_for(trust) {
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
        tracing::warn!(
            %code,
            "the trust store cannot settle a chip: import its issuing state's CSCA and CRL \
             (idproof trust coverage lists the states)"
        );
        return StepOutcome::new(Step::Chip, Verdict::Flagged, code);
    }
    failed(code)
}

fn failed(code: &str) -> StepOutcome {
    StepOutcome::new(Step::Chip, Verdict::Failed, code)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use idproof_test_passports::pki::Pki;

    use super::*;

    #[test]
    fn anchors_are_built_again_only_when_the_trust_material_changes() {
        let pki = Pki::build(9303, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()).unwrap();
        let state = pki.state("UTO").unwrap();
        let csca = state.cscas.last().unwrap().certificate.der.clone();
        let with_crl =
            chip::TrustMaterial { cscas: vec![csca.clone()], crls: vec![state.crl.clone()] };
        let without_crl = chip::TrustMaterial { cscas: vec![csca], crls: Vec::new() };
        let cache = AnchorCache::default();

        let first = cache.anchors_for(with_crl.clone()).unwrap();
        let again = cache.anchors_for(with_crl.clone()).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "the same material must reuse the anchors");

        let changed = cache.anchors_for(without_crl.clone()).unwrap();
        assert!(!Arc::ptr_eq(&first, &changed), "a CRL taken away must rebuild the anchors");

        let broken =
            chip::TrustMaterial { cscas: vec![b"not a certificate".to_vec()], crls: Vec::new() };
        assert!(cache.anchors_for(broken).is_err());
        let kept = cache.anchors_for(without_crl).unwrap();
        assert!(Arc::ptr_eq(&changed, &kept), "refused material must not evict the anchors");
    }
}
