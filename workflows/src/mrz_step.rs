//! The MRZ step's judgement of a passport's machine readable zone, typed as lines or in an image
//! of the data page. Only a verdict and its code leave here: the fields stay in the sealed
//! evidence, and nothing read from the zone is logged.

use chrono::NaiveDate;
use idproof_passport::{
    mrz::{self, Mrz, repair::Repaired},
    ocr::{self, ImageLimits, OcrError},
};
use idproof_proofing::{MrzMediaType, Step, StepOutcome, Verdict};

/// The least confidence every field of a read zone needs to pass without an officer. 0.9 is a
/// field repaired and confirmed by its check digit; a name, which no check digit covers, is
/// below it as soon as the repair changed it.
const LEAST_CONFIDENCE: f32 = 0.9;

/// Judges MRZ evidence by the media type it was stored with.
pub(crate) async fn judge_mrz(
    content_type: &str,
    content: Vec<u8>,
    today: NaiveDate,
) -> StepOutcome {
    match content_type.parse::<MrzMediaType>() {
        Ok(MrzMediaType::TypedLines) => judge_lines(&content, today),
        Ok(MrzMediaType::Jpeg | MrzMediaType::Png) => judge_image(content, today).await,
        Err(_) => failed("evidence_media_type_unknown"),
    }
}

/// Typed lines: passed when every field holds, else failed with the first problem's code
/// (`mrz.check_digit`, `mrz.expired`…).
fn judge_lines(content: &[u8], today: NaiveDate) -> StepOutcome {
    let Ok(text) = std::str::from_utf8(content) else {
        return failed("mrz.charset");
    };
    let lines: Vec<&str> = text.lines().collect();
    match mrz::parse(&lines, today) {
        Ok(report) => match report.problems.first() {
            None => StepOutcome::new(Step::Mrz, Verdict::Passed, "mrz_valid"),
            Some(problem) => failed(problem.kind.code()),
        },
        Err(err) => failed(err.code()),
    }
}

/// An image: read again as the API read it when it took the image. Reading is CPU-bound work
/// for tesseract, so it runs on a blocking thread.
async fn judge_image(content: Vec<u8>, today: NaiveDate) -> StepOutcome {
    // The API reads with the same default limits, so an image it took is not refused here.
    let read =
        tokio::task::spawn_blocking(move || ocr::read_mrz(&content, today, ImageLimits::default()))
            .await;
    match read {
        Ok(Ok(repaired)) => verdict_on_read(&repaired),
        Ok(Err(err)) => {
            if let OcrError::Engine(detail) = &err {
                tracing::error!(code = err.code(), %detail, "the MRZ reader failed");
            }
            failed(err.code())
        }
        Err(join) => {
            tracing::error!(error = %join, "the MRZ reader panicked");
            failed("ocr.engine")
        }
    }
}

/// Passed when every check holds and every field was read with confidence; failed with the
/// first problem's code when a check fails; flagged for an officer when the checks hold but a
/// field was read uncertainly.
fn verdict_on_read(read: &Repaired) -> StepOutcome {
    if let Some(problem) = read.report.problems.first() {
        return failed(problem.kind.code());
    }
    if read.confidence.iter().any(|field| field.confidence < LEAST_CONFIDENCE) {
        return StepOutcome::new(Step::Mrz, Verdict::Flagged, "mrz.low_confidence");
    }
    StepOutcome::new(Step::Mrz, Verdict::Passed, "mrz_valid")
}

fn failed(code: &str) -> StepOutcome {
    StepOutcome::new(Step::Mrz, Verdict::Failed, code)
}

/// The fields of stored MRZ evidence, for the chip step to compare DG1 with: typed lines
/// parsed, an image read again. `None` when it gives no zone.
pub(crate) async fn zone_of(content_type: &str, content: Vec<u8>, today: NaiveDate) -> Option<Mrz> {
    match content_type.parse::<MrzMediaType>().ok()? {
        MrzMediaType::TypedLines => {
            let text = String::from_utf8(content).ok()?;
            let lines: Vec<&str> = text.lines().collect();
            mrz::parse(&lines, today).ok().map(|report| report.mrz)
        }
        MrzMediaType::Jpeg | MrzMediaType::Png => {
            let read = tokio::task::spawn_blocking(move || {
                ocr::read_mrz(&content, today, ImageLimits::default())
            })
            .await;
            read.ok()?.ok().map(|repaired| repaired.report.mrz)
        }
    }
}

#[cfg(test)]
mod tests {
    use idproof_passport::mrz::repair::repair;

    use super::*;

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    fn in_1999() -> NaiveDate {
        NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()
    }

    fn verdict(outcome: &StepOutcome) -> (Verdict, &str) {
        (outcome.verdict, outcome.reason.as_str())
    }

    #[test]
    fn a_zone_read_cleanly_passes() {
        let read = repair(&TD3, in_1999()).unwrap();

        assert_eq!(verdict(&verdict_on_read(&read)), (Verdict::Passed, "mrz_valid"));
    }

    #[test]
    fn a_name_repaired_without_a_check_digit_goes_to_an_officer() {
        // A zero read for the O of ERIKSSON: mapped back to a letter, which no digit confirms.
        let misread = TD3[0].replacen("SSON", "SS0N", 1);
        let read = repair(&[misread.as_str(), TD3[1]], in_1999()).unwrap();
        assert!(read.report.is_valid(), "{:?}", read.report.problems);

        assert_eq!(verdict(&verdict_on_read(&read)), (Verdict::Flagged, "mrz.low_confidence"));
    }

    #[test]
    fn a_failing_check_fails_with_its_code_before_confidence_is_weighed() {
        let misread = TD3[0].replacen("SSON", "SS0N", 1);
        let broken = TD3[1].replacen("L898902C36", "L898902C35", 1);
        let read = repair(&[misread.as_str(), broken.as_str()], in_1999()).unwrap();

        assert_eq!(verdict(&verdict_on_read(&read)), (Verdict::Failed, "mrz.check_digit"));
    }

    #[tokio::test]
    async fn evidence_is_judged_by_its_media_type() {
        let typed = TD3.join("\n").into_bytes();
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();

        let cases = [
            ("text/vnd.idproof.mrz-lines", typed.clone(), (Verdict::Passed, "mrz_valid")),
            ("image/png", typed.clone(), (Verdict::Failed, "image.unsupported")),
            ("image/jpeg", gif, (Verdict::Failed, "image.unsupported")),
            ("image/gif", typed, (Verdict::Failed, "evidence_media_type_unknown")),
        ];
        for (content_type, content, expected) in cases {
            let outcome = judge_mrz(content_type, content, in_1999()).await;
            assert_eq!(verdict(&outcome), expected, "{content_type}");
        }
    }
}
