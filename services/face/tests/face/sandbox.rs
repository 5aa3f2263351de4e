//! The sandbox comparator: the same synthetic face scores over the threshold, another under it.

use std::sync::Arc;

use idproof_face::{
    FaceComparator, FacePolicy, MediaType, ReferenceImage, SANDBOX_PROVIDER, SandboxComparator,
    Selfie, SelfieLimits,
};

use crate::helpers::{as_png, chip_face, re_encoded, reference, selfie};

fn comparator() -> Arc<dyn FaceComparator> {
    Arc::new(SandboxComparator)
}

#[tokio::test]
async fn the_same_face_scores_over_the_threshold() {
    let threshold = FacePolicy::default().match_threshold;
    let face = chip_face(7);

    let same = comparator().compare(&selfie(face.clone()), &reference(face.clone())).await.unwrap();
    let png = Selfie::parse(MediaType::Png, as_png(&face), &SelfieLimits::default()).unwrap();
    let as_png = comparator().compare(&png, &reference(face.clone())).await.unwrap();
    let second = selfie(re_encoded(&face, 50));
    let as_jpeg = comparator().compare(&second, &reference(face)).await.unwrap();

    assert!(same.score >= 0.99, "{}", same.score);
    assert!(as_png.score >= threshold, "{}", as_png.score);
    assert!(as_jpeg.score >= threshold, "{}", as_jpeg.score);
    assert_eq!(same.provider, SANDBOX_PROVIDER);
    assert!(same.model_version.unwrap().starts_with("thumbnail-likeness/"));
}

#[tokio::test]
async fn different_synthetic_faces_score_under_the_threshold() {
    let threshold = FacePolicy::default().match_threshold;
    let faces: Vec<Vec<u8>> = (1..=6).map(chip_face).collect();

    let mut highest = 0.0f32;
    for (i, probe) in faces.iter().enumerate() {
        for other in faces.iter().skip(i + 1) {
            let comparison =
                comparator().compare(&selfie(probe.clone()), &reference(other.clone())).await;
            let score = comparison.unwrap().score;
            highest = highest.max(score);
        }
    }

    assert!(highest < threshold, "two different faces scored {highest}");
}

#[tokio::test]
async fn a_jpeg_2000_reference_is_refused_as_the_sandbox_cannot_decode_it() {
    let mut jp2 = vec![0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
    jp2.extend([0u8; 100]);

    let error = comparator()
        .compare(&selfie(chip_face(1)), &ReferenceImage::new(jp2).unwrap())
        .await
        .unwrap_err();

    assert_eq!(error.code(), "face.reference_format");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_reference_whose_pixels_do_not_decode_is_refused() {
    let face = chip_face(1);
    let cut = face[..face.len() / 3].to_vec();

    let error = comparator().compare(&selfie(face), &reference(cut)).await;

    // A JPEG cut short may still decode (grey below the cut): either way no panic, a score or
    // `face.reference_format`.
    if let Err(error) = error {
        assert_eq!(error.code(), "face.reference_format");
    }
}

#[test]
fn references_that_are_not_jpeg_or_jpeg_2000_are_refused() {
    let error = ReferenceImage::new(b"\x89PNG\r\n\x1a\n....".to_vec()).unwrap_err();
    assert_eq!(error.code(), "face.reference_format");

    let error = ReferenceImage::new(vec![0xFF; 2 * 1024 * 1024]).unwrap_err();
    assert_eq!(error.code(), "face.reference_format");
}
