//! The trust anchors' document signer cache: a signer verified once is taken from it, and it
//! never makes a chip pass that fails without it.

use chrono::Duration;

use super::{Files, chip, corpus, trust_material, verify_at};
use crate::chip::{ChipEvidence, Policy, TrustAnchors, Verdict, verify_chip};

/// Fresh anchors over the corpus's trust material, with an empty cache.
fn anchors() -> TrustAnchors {
    TrustAnchors::new(&trust_material(&corpus().directory, &corpus().manifest)).unwrap()
}

fn verify(evidence: &ChipEvidence<'_>, anchors: &TrustAnchors) -> Verdict {
    verify_chip(evidence, anchors, &Policy::default(), verify_at()).unwrap()
}

#[test]
fn a_second_chip_of_a_signer_passes_from_the_cache_with_the_same_verdict() {
    let anchors = anchors();
    let files = Files::of(chip("valid-xtb-ecdsa-p256"));
    let evidence = files.evidence();

    let first = verify(&evidence, &anchors);
    assert_eq!(anchors.signers_kept(), 1);
    let second = verify(&evidence, &anchors);

    assert!(second.is_valid(), "{second:#?}");
    assert_eq!(first, second);
    assert_eq!(anchors.signers_kept(), 1);
    let other = Files::of(chip("valid-xtb-id-data-content"));
    assert!(verify(&other.evidence(), &anchors).is_valid());
    assert_eq!(anchors.signers_kept(), 1, "the two XTB chips share their signer");
}

#[test]
fn a_revoked_signer_still_fails_with_the_cache_warm() {
    let anchors = anchors();
    let files = Files::of(chip("revoked-signer"));

    for _ in 0..2 {
        assert_eq!(verify(&files.evidence(), &anchors).code(), "signer.revoked");
    }
    assert_eq!(anchors.signers_kept(), 1, "its chain verifies, so the cache keeps it");
}

#[test]
fn an_expired_signer_still_fails_with_the_cache_warm() {
    let anchors = anchors();
    let files = Files::of(chip("expired-signer"));
    for _ in 0..2 {
        assert_eq!(verify(&files.evidence(), &anchors).code(), "signer.expired");
    }

    let valid = Files::of(chip("valid-uto-rsa-pkcs1"));
    assert!(verify(&valid.evidence(), &anchors).is_valid());
    let years_later = verify_at() + Duration::days(20 * 366);
    let verdict = verify_chip(&valid.evidence(), &anchors, &Policy::default(), years_later);
    assert_eq!(verdict.unwrap().code(), "signer.expired", "validity is checked on every chip");
}

#[test]
fn a_tampered_sod_or_data_group_still_fails_with_the_cache_warm() {
    let anchors = anchors();
    assert!(verify(&Files::of(chip("valid-xta-rsa-pss")).evidence(), &anchors).is_valid());
    assert!(verify(&Files::of(chip("valid-xtb-ecdsa-p256")).evidence(), &anchors).is_valid());
    let kept = anchors.signers_kept();

    let broken = Files::of(chip("broken-sod-signature"));
    assert_eq!(verify(&broken.evidence(), &anchors).code(), "sod.signature");
    let tampered = Files::of(chip("tampered-dg2"));
    assert_eq!(verify(&tampered.evidence(), &anchors).code(), "dg.hash_mismatch:2");
    assert_eq!(anchors.signers_kept(), kept, "both signers were taken from the cache");

    let mut files = Files::of(chip("valid-xtb-ecdsa-p256"));
    let last = files.sod.len() - 1;
    files.sod[last] ^= 0x01;
    assert!(!verify(&files.evidence(), &anchors).is_valid());
}

#[test]
fn a_signer_certificate_altered_after_its_original_was_kept_is_verified_again_and_fails() {
    let anchors = anchors();
    let mut files = Files::of(chip("valid-xtb-ecdsa-p256"));
    assert!(verify(&files.evidence(), &anchors).is_valid());

    let sod = crate::lds::Sod::parse(&files.sod).unwrap();
    let certificate = sod.certificates[0].to_vec();
    let at = files.sod.windows(certificate.len()).position(|w| w == certificate).unwrap();
    // The certificate's last byte is in its signature: the key and the names stay readable.
    files.sod[at + certificate.len() - 1] ^= 0x01;

    let verdict = verify(&files.evidence(), &anchors);
    assert_eq!(verdict.code(), "csca.unknown", "{verdict:#?}");
    assert_eq!(anchors.signers_kept(), 1, "a certificate that does not verify is not kept");
}

#[test]
fn a_full_cache_forgets_its_oldest_signer_and_still_verifies_every_chip() {
    let material = trust_material(&corpus().directory, &corpus().manifest);
    let anchors = TrustAnchors::with_signer_capacity(&material, 1).unwrap();
    let names = ["valid-uto-rsa-pkcs1", "valid-xtb-ecdsa-p256", "valid-uto-rsa-pkcs1"];

    for name in names {
        assert!(verify(&Files::of(chip(name)).evidence(), &anchors).is_valid(), "{name}");
        assert_eq!(anchors.signers_kept(), 1);
    }
    let uncached = TrustAnchors::without_signer_cache(&material).unwrap();
    assert!(verify(&Files::of(chip(names[0])).evidence(), &uncached).is_valid());
    assert_eq!(uncached.signers_kept(), 0);
}

#[test]
fn threads_share_one_set_of_anchors() {
    let anchors = anchors();
    let names = ["valid-xtd-brainpool-p256", "valid-xte-brainpool-p384", "revoked-signer"];
    let files: Vec<Files> = names.iter().map(|name| Files::of(chip(name))).collect();

    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for (name, files) in names.iter().zip(&files) {
                    let expected = chip(name).expected.as_str();
                    assert_eq!(verify(&files.evidence(), &anchors).code(), expected, "{name}");
                }
            });
        }
    });
    assert_eq!(anchors.signers_kept(), 3);
}
