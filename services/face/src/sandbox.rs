//! A stand-in comparator for `idproof dev` and tests. **It is not biometric**: it says how alike
//! two pictures look, not whether they show the same person.
//!
//! Both images are decoded, shrunk to a 24 × 32 colour thumbnail (ICAO's 3:4) and compared
//! pixel by pixel: the score is `1 − d / 48`, floored at 0, where `d` is the mean absolute
//! difference of the channels (0 to 255). The same picture, or a re-encoding of it, scores
//! close to 1; the synthetic faces of `idproof-test-passports`, which differ in colours and
//! proportions, score well under 0.8. A real selfie against a synthetic chip face scores low
//! and is flagged, as it should be: in `idproof dev`, send the chip's own face as the selfie to
//! see the passing path.
//!
//! JPEG 2000 references cannot be decoded (the `image` crate has no JPEG 2000 decoder): they
//! are refused with `face.reference_format`, the same answer every time.

use std::io::Cursor;

use image::{
    DynamicImage, ImageFormat, ImageReader, Limits, RgbImage,
    imageops::{self, FilterType},
};

use crate::{
    CompareFuture, Comparison, FaceComparator, FaceError, ReferenceFormat, ReferenceImage, Selfie,
};

/// The provider name the sandbox records.
pub const SANDBOX_PROVIDER: &str = "sandbox";

/// The model version the sandbox records: the method, not a face model.
pub const MODEL_VERSION: &str = concat!("thumbnail-likeness/", env!("CARGO_PKG_VERSION"));

const THUMB_WIDTH: u32 = 24;
const THUMB_HEIGHT: u32 = 32;

/// The mean channel difference at which the score reaches 0.
const ZERO_AT: f32 = 48.0;

/// The decoder's memory bound: room for the largest selfie `SelfieLimits` allows, as RGBA.
const MAX_ALLOC: u64 = 200 * 1024 * 1024;

/// The sandbox comparator: deterministic image likeness, not a face match (see the module docs
/// of `sandbox.rs`). It decodes on Tokio's blocking pool, so it needs a Tokio runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxComparator;

impl FaceComparator for SandboxComparator {
    fn compare<'a>(
        &'a self,
        selfie: &'a Selfie,
        reference: &'a ReferenceImage,
    ) -> CompareFuture<'a> {
        Box::pin(async move {
            if reference.format() == ReferenceFormat::Jpeg2000 {
                let reason = "the sandbox comparator cannot decode JPEG 2000";
                return Err(FaceError::ReferenceFormat { reason });
            }

            let probe = selfie.bytes().to_vec();
            let reference = reference.bytes().to_vec();
            let score =
                tokio::task::spawn_blocking(move || likeness(&probe, &reference)).await.map_err(
                    |_| FaceError::Configuration { reason: "the sandbox task failed" },
                )??;

            Ok(Comparison {
                score,
                provider: SANDBOX_PROVIDER.to_owned(),
                model_version: Some(MODEL_VERSION.to_owned()),
            })
        })
    }
}

/// The likeness of two encoded images, 0 to 1.
fn likeness(probe: &[u8], reference: &[u8]) -> Result<f32, FaceError> {
    let probe = thumbnail(probe).ok_or(FaceError::SelfieFormat {
        expected: "JPEG or PNG",
        reason: "its pixels cannot be decoded",
    })?;
    let reference = thumbnail(reference)
        .ok_or(FaceError::ReferenceFormat { reason: "its pixels cannot be decoded" })?;

    let total: u64 =
        probe.as_raw().iter().zip(reference.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
    let channels = probe.as_raw().len().max(1);

    #[expect(clippy::cast_precision_loss, reason = "small sums; a score needs no more")]
    let mean = total as f32 / channels as f32;
    Ok((1.0 - mean / ZERO_AT).clamp(0.0, 1.0))
}

/// The image shrunk to the thumbnail; `None` when it is not a JPEG or PNG that decodes.
fn thumbnail(bytes: &[u8]) -> Option<RgbImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return None;
    }

    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);

    let image: DynamicImage = reader.decode().ok()?;
    Some(imageops::resize(&image.to_rgb8(), THUMB_WIDTH, THUMB_HEIGHT, FilterType::Triangle))
}
