//! Every chip of the corpus gets the verdict its manifest states.

use super::{Files, chip, corpus, read, trust_material, verdict, verify_at};
use crate::chip::{
    ActiveAuthenticationAnswer, ChipAuthenticationOffer, Outcome, Policy, TrustAnchors,
    TrustMaterial, verify_chip,
};

#[test]
fn every_chip_gets_the_verdict_its_manifest_states() {
    let mut wrong = Vec::new();

    for chip in &corpus().manifest.chips {
        let files = Files::of(chip);
        let mut evidence = files.evidence();
        let answers = chip.active_authentication.as_ref();
        let (challenge, response) = match answers {
            Some(answers) => {
                let response = answers.response.as_ref().or(answers.response_plain.as_ref());
                let file = |name: &str| read(&format!("{}/{name}", chip.directory));
                (file(&answers.challenge), response.map(|name| file(name)).unwrap_or_default())
            }
            None => (Vec::new(), Vec::new()),
        };
        if answers.is_some() {
            evidence.active_authentication =
                Some(ActiveAuthenticationAnswer { challenge: &challenge, response: &response });
        }

        let verdict = verdict(&evidence);

        if verdict.code() != chip.expected {
            wrong.push(format!(
                "{}: {} for {} {:#?}",
                chip.name,
                verdict.code(),
                chip.expected,
                verdict
            ));
        }
        if chip.expected == "valid" {
            assert!(verdict.is_valid(), "{}: {verdict:#?}", chip.name);
            for name in ["sod.signature", "csca.chain", "crl", "dg.hash:1", "dg.hash:2", "dg1.mrz"]
            {
                let check = verdict.check(name).unwrap();
                assert_eq!(check.outcome, Outcome::Passed, "{}: {check:?}", chip.name);
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_signer_under_the_new_key_chains_through_the_link_certificate_to_the_old_root() {
    let manifest = &corpus().manifest;
    let files = Files::of(chip("valid-xtc-ecdsa-p384-new-key"));
    let pick = |kinds: &[(&str, u32)]| TrustMaterial {
        cscas: manifest
            .trust
            .cscas
            .iter()
            .filter(|csca| csca.state == "XTC" && kinds.contains(&(csca.kind, csca.generation)))
            .map(|csca| read(&csca.der))
            .collect(),
        crls: manifest.trust.crls.iter().map(|crl| read(&crl.der)).collect(),
    };
    let verify = |material: &TrustMaterial| {
        let anchors = TrustAnchors::new(material).unwrap();
        let verdict = verify_chip(&files.evidence(), &anchors, &Policy::default(), verify_at());
        (verdict.unwrap().code().to_owned(), anchors.untrusted())
    };

    let through_link = verify(&pick(&[("root", 1), ("link", 2)]));
    let link_alone = verify(&pick(&[("link", 2)]));
    let old_root_alone = verify(&pick(&[("root", 1)]));

    assert_eq!(through_link, ("valid".to_owned(), 0));
    assert_eq!(link_alone, ("csca.unknown".to_owned(), 1), "a link certificate is no anchor");
    assert_eq!(old_root_alone.0, "csca.unknown");
}

#[test]
fn the_crl_signed_with_the_new_key_covers_a_signer_under_the_old_one() {
    let files = Files::of(chip("valid-xtc-ecdsa-p384-old-key"));

    let verdict = verdict(&files.evidence());

    let crl = verdict.check("crl").unwrap();
    assert_eq!(crl.outcome, Outcome::Passed, "{crl:?}");
}

#[test]
fn the_revoked_signer_is_refused_even_at_a_moment_its_certificate_is_valid() {
    let files = Files::of(chip("revoked-signer"));

    let verdict = verdict(&files.evidence());

    assert_eq!(verdict.code(), "signer.revoked");
    assert_eq!(verdict.check("sod.signature").unwrap().outcome, Outcome::Passed);
    assert_eq!(verdict.check("signer.validity").unwrap().outcome, Outcome::Passed);
}

#[test]
fn without_a_page_mrz_dg1_is_not_compared() {
    let files = Files::of(chip("dg1-mrz-mismatch"));
    let mut evidence = files.evidence();
    evidence.page_mrz = None;

    let verdict = verdict(&evidence);

    assert_eq!(verdict.code(), "valid");
    assert_eq!(verdict.check("dg1.mrz").unwrap().outcome, Outcome::NotApplicable);
}

#[test]
fn the_mrz_mismatch_names_the_fields_that_differ() {
    let files = Files::of(chip("dg1-mrz-mismatch"));

    let verdict = verdict(&files.evidence());

    let check = verdict.check("dg1.mrz").unwrap();
    assert_eq!(check.failure(), Some("dg1.mrz_mismatch"));
    assert!(check.reason.contains("document_number"), "{check:?}");
    assert!(!check.reason.contains("name"), "{check:?}");
}

#[test]
fn the_trust_material_of_the_corpus_is_all_trusted() {
    let corpus = corpus();
    let material = trust_material(&corpus.directory, &corpus.manifest);

    assert_eq!(corpus.anchors.trusted(), material.cscas.len());
    assert_eq!(corpus.anchors.untrusted(), 0);
}

#[test]
fn the_chip_authentication_dg14_offers_is_recorded_for_the_reader() {
    let with_dg14 = Files::of(chip("valid-xta-rsa-pss"));
    let without_dg14 = Files::of(chip("valid-uto-rsa-pkcs1"));
    let mut bent = Files::of(chip("valid-xta-rsa-pss"));
    bent.data_groups.insert(14, b"\x6E\x03\x31\x01".to_vec());

    let offered = verdict(&with_dg14.evidence());
    let none = verdict(&without_dg14.evidence());
    let unreadable = verdict(&bent.evidence());

    assert!(!without_dg14.data_groups.contains_key(&14));
    assert_eq!(
        offered.chip_authentication,
        vec![ChipAuthenticationOffer {
            protocol: "0.4.0.127.0.7.2.2.3.2.2".to_owned(),
            version: 1,
            key_id: Some(1),
            has_public_key: true,
        }]
    );
    assert!(none.chip_authentication.is_empty());
    assert!(unreadable.chip_authentication.is_empty());
    assert_eq!(unreadable.code(), "dg.hash_mismatch:14");
}
