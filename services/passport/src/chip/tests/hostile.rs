//! Files and trust material made to hurt a verifier: each gets a failed check with its code or
//! an error, never a panic and never a pass.

use chrono::{DateTime, Duration, Utc};

use super::{Files, chip, corpus, read, trust_material, verify_at};
use crate::chip::{Outcome, Policy, TrustAnchors, TrustMaterial, Verdict, verify_passive};
use crate::lds::Sod;

/// Passive authentication of `files` with `sod` in place of its own, against `anchors`.
fn passive(files: &Files, sod: &Sod<'_>, anchors: &TrustAnchors, at: DateTime<Utc>) -> Verdict {
    verify_passive(sod, &files.groups(), Some(&files.page_mrz), anchors, &Policy::default(), at)
}

fn with_corpus_trust(files: &Files, sod: &Sod<'_>) -> Verdict {
    passive(files, sod, &corpus().anchors, verify_at())
}

/// `SEQUENCE` around `depth` more, around an empty one: four bytes a level.
fn nested(depth: usize) -> Vec<u8> {
    let mut der = vec![0x30, 0x00];
    for _ in 0..depth {
        let length = der.len();
        let mut outer = vec![0x30, 0x82, (length >> 8) as u8, length as u8];
        outer.extend(der);
        der = outer;
    }
    der
}

#[test]
fn a_garbage_signature_fails_under_every_key_type() {
    for name in [
        "valid-uto-rsa-pkcs1",
        "valid-xta-rsa-pss",
        "valid-xtb-ecdsa-p256",
        "valid-xtf-explicit-brainpool-p256",
    ] {
        let files = Files::of(chip(name));
        let mut sod = Sod::parse(&files.sod).unwrap();
        let garbage = vec![0x5A; sod.signer_infos[0].signature.len()];
        let mut flipped = sod.signer_infos[0].signature.to_vec();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x10;

        sod.signer_infos[0].signature = &garbage;
        let with_garbage = with_corpus_trust(&files, &sod);
        sod.signer_infos[0].signature = &flipped;
        let with_flipped = with_corpus_trust(&files, &sod);

        assert_eq!(with_garbage.code(), "sod.signature", "{name}: {with_garbage:#?}");
        assert_eq!(with_flipped.code(), "sod.signature", "{name}: {with_flipped:#?}");
    }
}

#[test]
fn a_truncated_or_foreign_signer_certificate_is_not_the_signer() {
    let files = Files::of(chip("valid-xtd-brainpool-p256"));
    let other = Files::of(chip("valid-uto-rsa-pkcs1"));
    let other_sod = Sod::parse(&other.sod).unwrap();
    let mut sod = Sod::parse(&files.sod).unwrap();
    let certificate = sod.certificates[0];

    sod.certificates = vec![&certificate[..certificate.len() - 40]];
    let truncated = with_corpus_trust(&files, &sod);
    sod.certificates = vec![other_sod.certificates[0]];
    let foreign = with_corpus_trust(&files, &sod);
    sod.certificates = Vec::new();
    let none = with_corpus_trust(&files, &sod);

    assert_eq!(truncated.code(), "signer.certificate", "{truncated:#?}");
    assert_eq!(foreign.code(), "signer.missing", "{foreign:#?}");
    assert_eq!(none.code(), "signer.missing", "{none:#?}");
    assert_eq!(none.check("csca.chain").unwrap().outcome, Outcome::NotApplicable);
}

#[test]
fn a_certificate_bomb_is_refused_before_it_is_parsed() {
    let files = Files::of(chip("valid-uto-rsa-pkcs1"));
    let mut sod = Sod::parse(&files.sod).unwrap();
    let mut huge = vec![0x30, 0x84, 0x00, 0x20, 0x00, 0x00];
    huge.resize(6 + 0x0020_0000, 0x00);
    let deep = nested(3_000);
    let genuine = sod.certificates[0];

    for bomb in [&huge, &deep] {
        sod.certificates = vec![bomb.as_slice()];
        let alone = with_corpus_trust(&files, &sod);
        sod.certificates = vec![bomb.as_slice(), genuine];
        let beside_the_signer = with_corpus_trust(&files, &sod);

        assert_eq!(alone.code(), "signer.certificate", "{alone:#?}");
        assert_eq!(beside_the_signer.code(), "valid", "{beside_the_signer:#?}");
    }
    let material = TrustMaterial { cscas: vec![deep], crls: Vec::new() };
    let refused = TrustAnchors::new(&material).err().unwrap();
    assert_eq!(refused.code(), "trust.certificate");
}

#[test]
fn a_csca_with_the_name_but_not_the_key_is_not_trusted() {
    let corpus = corpus();
    let mut material = trust_material(&corpus.directory, &corpus.manifest);
    let real = read(&corpus.manifest.trust.cscas.iter().find(|c| c.state == "XTD").unwrap().der);
    material.cscas.retain(|csca| *csca != real);
    material.cscas.push(read(&corpus.manifest.trust.untrusted_cscas[0].der));
    let anchors = TrustAnchors::new(&material).unwrap();
    let files = Files::of(chip("valid-xtd-brainpool-p256"));
    let sod = Sod::parse(&files.sod).unwrap();

    let verdict = passive(&files, &sod, &anchors, verify_at());

    assert_eq!(verdict.code(), "csca.unknown", "{verdict:#?}");
    assert_eq!(verdict.check("crl").unwrap().outcome, Outcome::NotApplicable);
}

#[test]
fn a_crl_past_its_next_update_makes_the_verdict_stale_not_valid() {
    let next_update = corpus().manifest.trust.crls[0].next_update;
    let files = Files::of(chip("valid-uto-rsa-pkcs1"));
    let sod = Sod::parse(&files.sod).unwrap();

    let before = passive(&files, &sod, &corpus().anchors, next_update - Duration::days(1));
    let after = passive(&files, &sod, &corpus().anchors, next_update + Duration::days(1));

    assert_eq!(before.code(), "valid", "{before:#?}");
    assert_eq!(after.code(), "crl.stale", "{after:#?}");
    assert_eq!(after.check("sod.signature").unwrap().outcome, Outcome::Passed);
}

#[test]
fn no_crl_or_a_crl_with_a_broken_signature_is_not_a_pass() {
    let corpus = corpus();
    let files = Files::of(chip("valid-xtb-ecdsa-p256"));
    let sod = Sod::parse(&files.sod).unwrap();
    let mut material = trust_material(&corpus.directory, &corpus.manifest);
    let mut forged = material.clone();
    material.crls.clear();
    for crl in &mut forged.crls {
        let last = crl.len() - 1;
        crl[last] ^= 0x01;
    }

    let missing = passive(&files, &sod, &TrustAnchors::new(&material).unwrap(), verify_at());
    let unsigned = passive(&files, &sod, &TrustAnchors::new(&forged).unwrap(), verify_at());

    assert_eq!(missing.code(), "crl.missing", "{missing:#?}");
    assert_eq!(unsigned.code(), "crl.signature", "{unsigned:#?}");
}

#[test]
fn a_data_group_the_sod_does_not_list_fails() {
    let mut files = Files::of(chip("valid-xtb-id-data-content"));
    files.data_groups.insert(3, vec![0x63, 0x00]);
    let sod = Sod::parse(&files.sod).unwrap();

    let verdict = with_corpus_trust(&files, &sod);

    assert_eq!(verdict.code(), "dg.unlisted:3", "{verdict:#?}");
}

#[test]
fn a_signer_is_judged_at_its_signing_time_and_now() {
    let files = Files::of(chip("expired-signer"));
    let sod = Sod::parse(&files.sod).unwrap();
    let policy = Policy { signer_valid_at_verification: false };

    let verdict =
        verify_passive(&sod, &files.groups(), None, &corpus().anchors, &policy, verify_at());

    let at_signing = verdict.check("signer.validity_at_signing").unwrap();
    assert_eq!(at_signing.failure(), Some("signer.expired"), "{at_signing:?}");
    assert!(at_signing.reason.contains("signing time"), "{at_signing:?}");
    assert_eq!(verdict.check("signer.validity").unwrap().outcome, Outcome::NotApplicable);
}
