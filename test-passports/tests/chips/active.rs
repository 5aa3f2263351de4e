//! Active Authentication and DG14 as OpenSSL sees them: each answer checked with the public key
//! DG15 holds.

use idproof_test_passports::der;
use openssl::hash::{MessageDigest, hash};
use serde_json::Value;

use crate::{chip_file, chips, corpus, openssl, text, work_file};

fn with_active_authentication() -> impl Iterator<Item = &'static Value> {
    chips().iter().filter(|chip| !chip["active_authentication"].is_null())
}

fn cloned(chip: &Value) -> bool {
    chip["expected"] == "aa.key_mismatch"
}

/// DG15's public key as a PEM file OpenSSL wrote.
fn dg15_key(chip: &Value) -> String {
    let dg15 = std::fs::read(corpus().0.join(chip_file(chip, "EF.DG15"))).unwrap();
    let (tag, info, _) = der::split(&dg15).unwrap();
    assert_eq!(tag, [0x6F]);
    let (der_file, pem_file) = (work_file("dg15.der"), work_file("dg15.pem"));
    std::fs::write(corpus().0.join(&der_file), info).unwrap();
    let (ok, said) =
        openssl(&["pkey", "-pubin", "-inform", "DER", "-in", &der_file, "-out", &pem_file]);
    assert!(ok, "{said}");
    pem_file
}

fn answer_file(chip: &Value, field: &str) -> String {
    chip_file(chip, text(&chip["active_authentication"][field]))
}

#[test]
fn rsa_answers_recover_to_9796_2_blocks_over_the_challenge_except_on_the_cloned_chip() {
    let mut checked = 0;
    for chip in with_active_authentication()
        .filter(|chip| chip["active_authentication"]["algorithm"] == "rsa-iso9796-2")
    {
        let key = dg15_key(chip);
        let recovered = work_file("recovered.bin");

        let (ok, said) = openssl(&[
            "pkeyutl",
            "-verifyrecover",
            "-pubin",
            "-inkey",
            &key,
            "-pkeyopt",
            "rsa_padding_mode:none",
            "-in",
            &answer_file(chip, "response"),
            "-out",
            &recovered,
        ]);

        assert!(ok, "{said}");
        let block = std::fs::read(corpus().0.join(recovered)).unwrap();
        let challenge = std::fs::read(corpus().0.join(answer_file(chip, "challenge"))).unwrap();
        let (digest, trailer): (MessageDigest, &[u8]) =
            match text(&chip["active_authentication"]["hash"]) {
                "sha1" => (MessageDigest::sha1(), &[0xBC]),
                "sha256" => (MessageDigest::sha256(), &[0x34, 0xCC]),
                other => panic!("unexpected hash {other}"),
            };
        let digest_at = block.len() - trailer.len() - digest.size();
        let message = [&block[1..digest_at], &challenge[..]].concat();
        let sound = block[0] == 0x6A
            && block.ends_with(trailer)
            && block[digest_at..block.len() - trailer.len()] == *hash(digest, &message).unwrap();
        assert_eq!(sound, !cloned(chip), "{}", chip["name"]);
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn ecdsa_answers_verify_with_the_dg15_key_in_der_and_in_plain_form() {
    let mut checked = 0;
    for chip in with_active_authentication()
        .filter(|chip| chip["active_authentication"]["algorithm"] == "ecdsa")
    {
        let key = dg15_key(chip);

        let (verified, said) = openssl(&[
            "dgst",
            "-sha256",
            "-verify",
            &key,
            "-signature",
            &answer_file(chip, "response_der"),
            &answer_file(chip, "challenge"),
        ]);

        assert!(verified && said.contains("Verified OK"), "{}: {said}", chip["name"]);
        let der = std::fs::read(corpus().0.join(answer_file(chip, "response_der"))).unwrap();
        let plain = std::fs::read(corpus().0.join(answer_file(chip, "response_plain"))).unwrap();
        let (_, pair, _) = der::split(&der).unwrap();
        let (_, r, rest) = der::split(pair).unwrap();
        let (_, s, _) = der::split(rest).unwrap();
        let half = plain.len() / 2;
        let unpadded =
            |bytes: &[u8]| bytes.iter().copied().skip_while(|byte| *byte == 0).collect::<Vec<_>>();
        assert_eq!(
            (unpadded(&plain[..half]), unpadded(&plain[half..])),
            (unpadded(r), unpadded(s))
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn the_chip_private_key_is_dg15s_except_on_the_cloned_chip() {
    for chip in with_active_authentication() {
        let public = work_file("aa-public.der");
        let (ok, said) = openssl(&[
            "pkey",
            "-in",
            &answer_file(chip, "private_key"),
            "-pubout",
            "-outform",
            "DER",
            "-out",
            &public,
        ]);
        assert!(ok, "{said}");

        let dg15 = std::fs::read(corpus().0.join(chip_file(chip, "EF.DG15"))).unwrap();
        let public = std::fs::read(corpus().0.join(public)).unwrap();

        assert_eq!(dg15.ends_with(&public), !cloned(chip), "{}", chip["name"]);
    }
}

#[test]
fn dg14_announces_chip_authentication_and_ecdsa_active_authentication() {
    for chip in chips() {
        let Some(file) = chip["files"].get("EF.DG14") else {
            assert!(chip["chip_authentication"].is_null(), "{}", chip["name"]);
            continue;
        };
        let dg14 = std::fs::read(corpus().0.join(chip_file(chip, text(file)))).unwrap();
        let (tag, infos, _) = der::split(&dg14).unwrap();
        let infos_file = work_file("dg14.der");
        std::fs::write(corpus().0.join(&infos_file), infos).unwrap();

        let (ok, parsed) = openssl(&["asn1parse", "-inform", "DER", "-in", &infos_file]);

        assert!(ok && tag == [0x6E], "{parsed}");
        let chip_authentication = !chip["chip_authentication"].is_null();
        assert_eq!(parsed.contains(":0.4.0.127.0.7.2.2.1.2"), chip_authentication, "{parsed}");
        assert_eq!(parsed.contains(":0.4.0.127.0.7.2.2.3.2.2"), chip_authentication, "{parsed}");
        let ecdsa = chip["active_authentication"]["algorithm"] == "ecdsa";
        assert_eq!(parsed.contains(":2.23.136.1.1.5"), ecdsa, "{parsed}");
    }
}
