//! Passive authentication as OpenSSL sees it: the SOD's signature and chain, its CRL, and each
//! data group's hash.

use std::collections::BTreeMap;

use idproof_test_passports::der;
use serde_json::Value;

use crate::{
    bundle, chip, chip_file, chips, cms_verify, content_info, corpus, explicit_state, openssl,
    text, trust_bundle, verify_at, work_file,
};

#[test]
fn every_sod_with_a_sound_signer_verifies_with_openssl_cms_and_its_crl() {
    let trust = trust_bundle();
    let mut checked = 0;

    for chip in chips() {
        let expected = text(&chip["expected"]);
        let signer_is_the_fault =
            ["sod.signature", "signer.expired", "signer.revoked", "csca.unknown"]
                .contains(&expected);
        let old_key = chip["name"] == "valid-xtc-ecdsa-p384-old-key";
        if signer_is_the_fault || old_key || explicit_state(chip) {
            continue;
        }

        let (verified, said) = cms_verify(chip, &trust, &["-crl_check"]);

        assert!(verified, "{}: {said}", chip["name"]);
        checked += 1;
    }
    assert_eq!(checked, 11, "valid chips and those failing after passive authentication");
}

#[test]
fn a_signer_under_the_old_csca_key_chains_to_the_old_root_and_is_not_revoked() {
    let chip = chip("valid-xtc-ecdsa-p384-old-key");

    let (verified, said) = cms_verify(chip, &trust_bundle(), &[]);
    let (with_crl, crl_said) = cms_verify(chip, &trust_bundle(), &["-crl_check"]);
    let (_, crl) = openssl(&["crl", "-in", "trust/crl/XTC.crl.pem", "-noout", "-text"]);

    assert!(verified, "{said}");
    assert!(!with_crl && crl_said.contains("unable to get certificate CRL"), "{crl_said}");
    let serial = text(&chip["document_signer_serial"]).to_uppercase();
    assert!(!crl.contains(&serial), "{crl}");
}

#[test]
fn a_signer_under_the_new_csca_key_chains_through_the_link_certificate() {
    let chip = chip("valid-xtc-ecdsa-p384-new-key");
    let chain: Vec<String> =
        chip["chain"].as_array().unwrap().iter().map(|file| text(file).to_owned()).collect();
    assert_eq!(chain, ["trust/csca/XTC-1.pem", "trust/csca/XTC-link.pem"]);
    let signer = chip_file(chip, "document-signer.pem");
    let at = verify_at();
    // `cms -verify` builds chains from the message's certificates and the -CAfile only (its
    // -certfile finds signers, not intermediates), so the link certificate goes in the bundle;
    // `openssl verify -untrusted` shows it also works as an untrusted intermediate.
    let crl = "trust/crl/XTC.crl.pem".to_owned();
    let old_root_and_link = bundle("xtc-link", &[chain[0].clone(), chain[1].clone(), crl.clone()]);
    let old_root = bundle("xtc-old-root", &[chain[0].clone(), crl]);

    let (through_link, said) = cms_verify(chip, &old_root_and_link, &[]);
    let (untrusted_link, said_untrusted) = openssl(&[
        "verify",
        "-attime",
        &at,
        "-CAfile",
        &chain[0],
        "-untrusted",
        &chain[1],
        &signer,
    ]);
    let (without_link, said_without) = cms_verify(chip, &old_root, &[]);

    assert!(through_link, "{said}");
    assert!(untrusted_link, "{said_untrusted}");
    assert!(!without_link && said_without.contains("unable to get local issuer"), "{said_without}");
}

#[test]
fn each_planted_signer_fault_fails_openssl_cms_for_its_own_reason() {
    let trust = trust_bundle();
    let cases = [
        ("broken-sod-signature", "CMS_SignerInfo_verify:verification failure"),
        ("expired-signer", "certificate has expired"),
        ("revoked-signer", "certificate revoked"),
        ("unknown-csca", "unable to get local issuer certificate"),
    ];

    for (name, reason) in cases {
        let (verified, said) = cms_verify(chip(name), &trust, &["-crl_check"]);

        assert!(!verified, "{name} verified");
        assert!(said.contains(reason), "{name}: {said}");
    }
}

#[test]
fn the_expired_signer_had_expired_when_it_signed() {
    let chip = chip("expired-signer");
    let signing_time =
        text(&chip["signing_time"]).parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let signer = chip_file(chip, "document-signer.pem");
    let at = signing_time.timestamp().to_string();

    let (verified, said) =
        openssl(&["verify", "-attime", &at, "-CAfile", "trust/csca/UTO.pem", &signer]);

    assert!(!verified && said.contains("certificate has expired"), "{said}");
}

#[test]
fn openssl_3_refuses_explicit_curve_parameters_but_every_signature_of_that_state_holds() {
    let chip = chips().iter().find(|chip| explicit_state(chip)).unwrap();
    let signer = chip_file(chip, "document-signer.pem");
    let (refused, refusal) = cms_verify(chip, &trust_bundle(), &["-crl_check"]);
    let sod = content_info(chip);

    let (content, said) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        &sod,
        "-binary",
        "-noverify",
        "-out",
        "/dev/null",
    ]);

    assert!(!refused && refusal.contains("explicit ECC parameters"), "{refusal}");
    assert!(content, "{said}");
    assert_certificate_signed_by(&signer, "trust/csca/XTF.pem");
    assert_certificate_signed_by("trust/csca/XTF.pem", "trust/csca/XTF.pem");
    let (crl, said) = openssl(&[
        "crl",
        "-in",
        "trust/crl/XTF.crl.pem",
        "-CAfile",
        "trust/csca/XTF.pem",
        "-noout",
    ]);
    assert!(crl && said.contains("verify OK"), "{said}");
}

/// `certificate`'s signature checked with `openssl dgst -verify` and `issuer`'s public key.
fn assert_certificate_signed_by(certificate: &str, issuer: &str) {
    let (der_file, tbs_file, signature_file, key_file) =
        (work_file("cert.der"), work_file("tbs.der"), work_file("sig.der"), work_file("pub.pem"));
    let (ok, said) = openssl(&["x509", "-in", certificate, "-outform", "DER", "-out", &der_file]);
    assert!(ok, "{said}");
    let der = std::fs::read(corpus().0.join(&der_file)).unwrap();
    let (_, body, _) = der::split(&der).unwrap();
    let (tbs_tag, tbs_content, rest) = der::split(body).unwrap();
    let (_, _, rest) = der::split(rest).unwrap();
    let (_, signature, _) = der::split(rest).unwrap();
    let tbs = [tbs_tag, &der::length(tbs_content.len()), tbs_content].concat();
    std::fs::write(corpus().0.join(&tbs_file), tbs).unwrap();
    std::fs::write(corpus().0.join(&signature_file), &signature[1..]).unwrap();
    let (ok, said) = openssl(&["x509", "-in", issuer, "-pubkey", "-noout", "-out", &key_file]);
    assert!(ok, "{said}");

    let (verified, said) = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &key_file,
        "-signature",
        &signature_file,
        &tbs_file,
    ]);

    assert!(verified && said.contains("Verified OK"), "{certificate}: {said}");
}

/// The hashes in a chip's LDS security object, by data group, as `openssl asn1parse` reads
/// them, and the hash's name.
fn sod_hashes(chip: &Value) -> (String, BTreeMap<u64, String>) {
    let sod = content_info(chip);
    let content = work_file("lds-security-object.der");
    let (ok, said) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        &sod,
        "-binary",
        "-noverify",
        "-nosigs",
        "-out",
        &content,
    ]);
    assert!(ok, "{said}");
    let (ok, parsed) = openssl(&["asn1parse", "-inform", "DER", "-in", &content]);
    assert!(ok, "{parsed}");

    let mut algorithm = String::new();
    let mut hashes = BTreeMap::new();
    let mut number = None;
    for line in parsed.lines() {
        let value = line.rsplit_once(':').map(|(_, value)| value.trim()).unwrap_or_default();
        if line.contains("d=2") && line.contains("OBJECT") {
            algorithm = value.to_owned();
        } else if line.contains("d=3") && line.contains("INTEGER") {
            number = Some(u64::from_str_radix(value, 16).unwrap());
        } else if line.contains("d=3") && line.contains("OCTET STRING") {
            hashes.insert(number.take().unwrap(), value.to_lowercase());
        }
    }
    (algorithm, hashes)
}

#[test]
fn openssl_dgst_of_each_data_group_equals_its_hash_in_the_sod_except_the_tampered_one() {
    for chip in chips() {
        let (algorithm, hashes) = sod_hashes(chip);
        let tampered = text(&chip["expected"]).strip_prefix("dg.hash_mismatch:");

        assert_eq!(algorithm, text(&chip["data_group_hash"]), "{}", chip["name"]);
        let files = chip["files"].as_object().unwrap();
        let groups: Vec<u64> = files
            .keys()
            .filter_map(|name| name.strip_prefix("EF.DG").map(|number| number.parse().unwrap()))
            .collect();
        assert_eq!(hashes.keys().copied().collect::<Vec<_>>(), {
            let mut g = groups.clone();
            g.sort();
            g
        });
        for (number, hash) in &hashes {
            let file = chip_file(chip, &format!("EF.DG{number}"));
            let (ok, digest) = openssl(&["dgst", &format!("-{algorithm}"), "-r", &file]);
            assert!(ok, "{digest}");
            let digest = digest.split_whitespace().next().unwrap();
            let should_match = tampered != Some(number.to_string().as_str());
            assert_eq!(digest == hash, should_match, "{} DG{number}", chip["name"]);
        }
    }
}

#[test]
fn dg1_holds_the_page_mrz_except_on_the_chip_from_another_booklet() {
    for chip in chips() {
        let dg1 = std::fs::read(corpus().0.join(chip_file(chip, "EF.DG1"))).unwrap();
        let (_, template, _) = der::split(&dg1).unwrap();
        let (tag, mrz, _) = der::split(template).unwrap();
        let lines =
            |field: &str| -> String { chip[field].as_array().unwrap().iter().map(text).collect() };

        assert_eq!(tag, [0x5F, 0x1F]);
        assert_eq!(String::from_utf8_lossy(mrz), lines("chip_mrz"), "{}", chip["name"]);
        let mismatch = chip["expected"] == "dg1.mrz_mismatch";
        assert_eq!(lines("chip_mrz") != lines("page_mrz"), mismatch, "{}", chip["name"]);
    }
}

#[test]
fn each_sod_carries_the_content_type_and_signed_data_version_the_manifest_gives() {
    for chip in chips() {
        let sod = content_info(chip);

        let (ok, printed) = openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", &sod]);

        assert!(ok, "{printed}");
        let line = |field: &str| {
            printed.lines().map(str::trim).find(|line| line.starts_with(field)).unwrap().to_owned()
        };
        let content_type = text(&chip["content_type"]);
        assert!(line("eContentType:").ends_with(&format!("({content_type})")), "{printed}");
        let version = if content_type == "1.2.840.113549.1.7.1" { 1 } else { 3 };
        assert_eq!(line("version:"), format!("version: {version}"), "{}", chip["name"]);
    }
}
