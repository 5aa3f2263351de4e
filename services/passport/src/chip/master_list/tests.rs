//! Master lists and trust files from the generated test PKI, and lists made to hurt a reader.

use chrono::Duration;

use super::super::tests::{corpus, read, verify_at};
use super::super::{TrustAnchors, TrustMaterial};
use super::*;

/// Trust anchors of the CSCA certificates of `states` only.
fn anchors_of(states: &[&str]) -> TrustAnchors {
    let cscas = corpus().manifest.trust.cscas.iter();
    let cscas = cscas.filter(|csca| states.contains(&csca.state.as_str()));
    let material =
        TrustMaterial { cscas: cscas.map(|csca| read(&csca.der)).collect(), crls: vec![] };
    TrustAnchors::new(&material).unwrap()
}

fn master_list() -> Vec<u8> {
    read(&corpus().manifest.trust.master_list)
}

fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = contents.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes: Vec<u8> = length.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

#[test]
fn the_generated_list_verifies_under_its_signers_csca_and_lists_every_trusted_csca() {
    let bytes = master_list();
    let list = MasterList::parse(&bytes).unwrap();

    let signer = list.verify(&anchors_of(&["UTO"]), verify_at()).unwrap();

    assert_eq!(list.version, 0);
    assert_eq!(list.cscas.len(), corpus().manifest.trust.cscas.len());
    assert_eq!(signer.csca_state.as_deref(), Some("UT"));
    for listed in &list.cscas {
        let record = listed_csca(listed).unwrap();
        assert_eq!(record.fingerprint.len(), 64);
        assert!(record.not_before < record.not_after);
    }
}

#[test]
fn a_list_signed_under_an_untrusted_csca_or_with_no_anchor_is_refused() {
    let impostor = read(&corpus().manifest.trust.untrusted_master_list);
    let list = MasterList::parse(&impostor).unwrap();
    let all = anchors_of(&["UTO", "XTA", "XTB", "XTC", "XTD", "XTE", "XTF"]);
    assert_eq!(list.verify(&all, verify_at()).unwrap_err().code(), "master_list.signer_untrusted");

    let genuine = master_list();
    let list = MasterList::parse(&genuine).unwrap();
    let err = list.verify(&anchors_of(&["XTB"]), verify_at()).unwrap_err();
    assert_eq!(err.code(), "master_list.signer_untrusted");
}

#[test]
fn a_changed_listed_certificate_or_signature_is_refused_with_its_code() {
    let genuine = master_list();
    let anchors = anchors_of(&["UTO"]);
    let list = MasterList::parse(&genuine).unwrap();

    // A byte inside the first listed certificate's signature: still readable, not the signed list.
    let first = list.cscas[0];
    let offset = first.as_ptr() as usize - genuine.as_ptr() as usize + first.len() - 3;
    let mut changed = genuine.clone();
    changed[offset] ^= 0x01;
    let list = MasterList::parse(&changed).unwrap();
    assert_eq!(
        list.verify(&anchors, verify_at()).unwrap_err().code(),
        "master_list.message_digest"
    );

    // The last bytes of the file are the signature's.
    let mut changed = genuine.clone();
    let last = changed.len() - 2;
    changed[last] ^= 0x01;
    let code = MasterList::parse(&changed)
        .and_then(|list| list.verify(&anchors, verify_at()).map(drop))
        .unwrap_err()
        .code();
    assert!(matches!(code, "master_list.signature"), "{code}");
}

#[test]
fn the_signer_must_be_valid_at_the_moment_given() {
    let bytes = master_list();
    let list = MasterList::parse(&bytes).unwrap();

    let err = list.verify(&anchors_of(&["UTO"]), verify_at() + Duration::days(365 * 5));

    assert_eq!(err.unwrap_err().code(), "master_list.signer_validity");
}

#[test]
fn another_content_type_is_refused() {
    let mut bytes = master_list();
    let id_csca_master_list = [0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01, 0x02];
    let at = bytes.windows(8).position(|window| window == id_csca_master_list).unwrap();
    bytes[at + 7] = 0x01;

    let err = MasterList::parse(&bytes).err().unwrap();

    assert_eq!(err.code(), "master_list.content_type");
}

#[test]
fn garbage_truncation_and_a_list_of_too_many_certificates_are_errors_with_codes() {
    let genuine = master_list();
    for cut in [0, 1, 10, genuine.len() / 2, genuine.len() - 1] {
        let err = MasterList::parse(&genuine[..cut]).err().unwrap();
        assert_eq!(err.code(), "master_list.malformed", "cut at {cut}");
    }
    assert_eq!(MasterList::parse(b"\x30\x80\0\0").err().unwrap().code(), "master_list.malformed");

    let certificates: Vec<u8> = [0x30, 0x00].repeat(MAX_LISTED_CSCAS + 1);
    let list = der(0x30, &[der(0x02, &[0]), der(0x31, &certificates)].concat());
    let encapsulated = der(
        0x30,
        &[der(0x06, &[0x67, 0x81, 0x08, 0x01, 0x01, 0x02]), der(0xA0, &der(0x04, &list))].concat(),
    );
    let signed_data = der(0x30, &[der(0x02, &[3]), der(0x31, &[]), encapsulated].concat());
    let signed_data_oid = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    let content_info = der(0x30, &[der(0x06, &signed_data_oid), der(0xA0, &signed_data)].concat());

    let err = MasterList::parse(&content_info).err().unwrap();

    assert_eq!(err.code(), "master_list.too_many");
}

#[test]
fn trust_files_are_told_apart_in_pem_and_der() {
    let manifest = &corpus().manifest;
    let csca = &manifest.trust.cscas[0];
    let crl = &manifest.trust.crls[0];

    assert!(matches!(read_trust_file(&master_list()), Ok(TrustFile::MasterList(_))));
    assert_eq!(read_trust_file(&read(&csca.pem)), Ok(TrustFile::Certificate(read(&csca.der))));
    assert_eq!(read_trust_file(&read(&csca.der)), Ok(TrustFile::Certificate(read(&csca.der))));
    assert_eq!(read_trust_file(&read(&crl.pem)), Ok(TrustFile::Crl(read(&crl.der))));
    assert_eq!(read_trust_file(&read(&crl.der)), Ok(TrustFile::Crl(read(&crl.der))));
    assert_eq!(read_trust_file(b"hello").unwrap_err().code(), "trust.file_kind");
}

#[test]
fn a_csca_alone_is_a_self_signed_ca_or_a_link_certificate_a_trusted_csca_signed() {
    let manifest = &corpus().manifest;
    let nobody = TrustAnchors::new(&TrustMaterial::default()).unwrap();
    let link = manifest.trust.cscas.iter().find(|csca| csca.kind == "link").unwrap();
    let root = manifest.trust.cscas.iter().find(|csca| csca.kind == "root").unwrap();

    let record = vet_csca(&read(&root.der), &nobody).unwrap();
    assert_eq!(record.kind, CscaKind::Root);
    assert_eq!(record.state.len(), 2);
    assert_eq!(vet_csca(&read(&link.der), &nobody).unwrap_err().code(), "trust.csca_untrusted");
    let record = vet_csca(&read(&link.der), &anchors_of(&[link.state.as_str()])).unwrap();
    assert_eq!(record.kind, CscaKind::Link);

    let signer = read(&manifest.trust.master_list_signer);
    let TrustFile::Certificate(signer) = read_trust_file(&signer).unwrap() else { panic!() };
    assert_eq!(vet_csca(&signer, &nobody).unwrap_err().code(), "trust.csca_not_ca");
}

#[test]
fn a_crl_is_accepted_only_when_a_trusted_csca_of_its_issuer_signed_it() {
    let manifest = &corpus().manifest;
    let crl = manifest.trust.crls.iter().find(|crl| crl.state == "XTB").unwrap();
    let xtb: Vec<Vec<u8>> =
        manifest.trust.cscas.iter().filter(|c| c.state == "XTB").map(|c| read(&c.der)).collect();
    let others: Vec<Vec<u8>> =
        manifest.trust.cscas.iter().filter(|c| c.state != "XTB").map(|c| read(&c.der)).collect();

    let record = vet_crl(&read(&crl.der), &xtb).unwrap();

    assert_eq!(record.next_update, Some(crl.next_update));
    assert_eq!(record.this_update, crl.this_update);
    assert!(record.issuer.contains("C="), "{}", record.issuer);
    assert_eq!(vet_crl(&read(&crl.der), &others).unwrap_err().code(), "trust.crl_untrusted");
}
