//! The trust material as OpenSSL sees it: the master list, the CRLs, the CSCA certificates.

use serde_json::Value;

use crate::{corpus, openssl, text, verify_at, work_file};

fn trust() -> &'static Value {
    &corpus().1["trust"]
}

fn list(field: &str) -> &'static [Value] {
    trust()[field].as_array().unwrap()
}

#[test]
fn the_master_list_verifies_against_its_csca_and_carries_every_trusted_csca_certificate() {
    let content = work_file("master-list-content.der");
    let issuer = format!("trust/csca/{}.pem", text(&trust()["master_list_state"]));
    let at = verify_at();

    let (verified, said) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        "trust/master-list.der",
        "-binary",
        "-CAfile",
        &issuer,
        "-purpose",
        "any",
        "-attime",
        &at,
        "-out",
        &content,
    ]);
    let (_, printed) =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", "trust/master-list.der"]);

    assert!(verified, "{said}");
    assert!(printed.contains("eContentType: undefined (2.23.136.1.1.2)"), "{printed}");
    assert!(printed.contains("signingTime"), "{printed}");
    let content = std::fs::read(corpus().0.join(content)).unwrap();
    let carries = |file: &Value| {
        let der = std::fs::read(corpus().0.join(text(file))).unwrap();
        content.windows(der.len()).any(|window| window == der)
    };
    assert!(list("cscas").iter().all(|csca| carries(&csca["der"])));
    assert!(!list("untrusted_cscas").iter().any(|csca| carries(&csca["der"])));
    assert_eq!(content[..7], [0x30, 0x82, content[2], content[3], 0x02, 0x01, 0x00], "version 0");
}

#[test]
fn a_master_list_checked_against_another_states_csca_is_refused() {
    let at = verify_at();

    let (verified, said) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        "trust/master-list.der",
        "-binary",
        "-CAfile",
        "trust/csca/XTA.pem",
        "-purpose",
        "any",
        "-attime",
        &at,
        "-out",
        "/dev/null",
    ]);

    // The list carries its signer's CSCA, which chains to itself, not to the CSCA trusted.
    assert!(!verified && said.contains("self-signed certificate in certificate chain"), "{said}");
}

#[test]
fn every_crl_is_signed_by_its_csca_and_lists_only_the_revoked_signer() {
    let revoked_signer = corpus().1["chips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|chip| chip["expected"] == "signer.revoked")
        .unwrap();

    for crl in list("crls") {
        let state = text(&crl["state"]);
        let current = list("cscas")
            .iter()
            .rfind(|csca| csca["state"] == state && csca["kind"] == "root")
            .unwrap();

        let (verified, said) = openssl(&[
            "crl",
            "-inform",
            "DER",
            "-in",
            text(&crl["der"]),
            "-CAfile",
            text(&current["pem"]),
            "-noout",
        ]);
        let (_, printed) = openssl(&["crl", "-in", text(&crl["pem"]), "-noout", "-text"]);

        assert!(verified && said.contains("verify OK"), "{state}: {said}");
        let listed = printed.matches("Serial Number:").count();
        let expected: Vec<&str> =
            crl["revoked_serials"].as_array().unwrap().iter().map(text).collect();
        assert_eq!(listed, expected.len(), "{state}: {printed}");
        for serial in &expected {
            assert!(printed.contains(&serial.to_uppercase()), "{state}: {printed}");
        }
        let holds_revoked_signer = state == revoked_signer["state"];
        assert_eq!(
            expected == [text(&revoked_signer["document_signer_serial"])],
            holds_revoked_signer
        );
    }
}

#[test]
fn each_csca_key_is_of_the_kind_the_manifest_names() {
    for csca in list("cscas").iter().chain(list("untrusted_cscas")) {
        let (ok, printed) = openssl(&["x509", "-in", text(&csca["pem"]), "-noout", "-text"]);
        let mark = match text(&csca["key"]) {
            "rsa-3072" => "Public-Key: (3072 bit)",
            "ec-p256" => "NIST CURVE: P-256",
            "ec-p384" => "NIST CURVE: P-384",
            "ec-brainpool-p256r1" => "ASN1 OID: brainpoolP256r1",
            "ec-brainpool-p384r1" => "ASN1 OID: brainpoolP384r1",
            "ec-explicit-brainpool-p256r1" => "Field Type: prime-field",
            other => panic!("unexpected key kind {other}"),
        };

        assert!(ok && printed.contains(mark), "{}: {printed}", csca["pem"]);
        assert!(printed.contains("CA:TRUE, pathlen:0"), "{}", csca["pem"]);
    }
}

#[test]
fn a_master_list_signed_under_the_impostor_csca_is_refused_by_the_trusted_cscas() {
    let at = verify_at();
    let trusted: Vec<String> =
        list("cscas").iter().map(|csca| text(&csca["pem"]).to_owned()).collect();
    let trusted = crate::bundle("trusted-cscas", &trusted);

    let (verified, said) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        text(&trust()["untrusted_master_list"]),
        "-binary",
        "-CAfile",
        &trusted,
        "-purpose",
        "any",
        "-attime",
        &at,
        "-out",
        "/dev/null",
    ]);
    let (_, printed) = openssl(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        text(&trust()["untrusted_master_list"]),
    ]);

    // It carries the impostor's root, named as XTD's CSCA: the chain ends there, untrusted.
    assert!(!verified && said.contains("self-signed certificate in certificate chain"), "{said}");
    assert!(printed.contains("eContentType: undefined (2.23.136.1.1.2)"), "{printed}");
}
