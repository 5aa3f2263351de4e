//! EF.SOD: what a verifier gets, and what is refused.

use std::borrow::Cow;

use super::writer::*;
use crate::lds::*;

fn dotted(dotted: &str) -> Oid {
    Oid::from_dotted(dotted).unwrap()
}

#[test]
fn a_sod_gives_every_part_a_verifier_needs() {
    let bytes = sod();
    let sod = Sod::parse(&bytes).unwrap();

    assert_eq!(sod.version, 3);
    assert_eq!(
        sod.digest_algorithms,
        vec![AlgorithmIdentifier { oid: dotted(SHA256), parameters: None }]
    );
    assert_eq!(sod.content_type, dotted(LDS_SECURITY_OBJECT));
    assert_eq!(sod.content_kind, EncapsulatedContentType::LdsSecurityObject);
    assert_eq!(sod.content.as_ref(), security_object(&two_hashes()).as_slice());
    assert!(matches!(sod.content, Cow::Borrowed(_)));
    assert_eq!(sod.certificates, vec![certificate().as_slice()]);
    assert!(sod.crls.is_empty());

    let object = &sod.security_object;
    assert_eq!(object.version, 1);
    assert_eq!(object.hash_algorithm.oid, dotted(SHA256));
    assert_eq!(object.hash_of(1), Some([0x11; 32].as_slice()));
    assert_eq!(object.hash_of(2), Some([0x22; 32].as_slice()));
    assert_eq!(object.hash_of(3), None);
    let versions = object.lds_version_info.as_ref().unwrap();
    assert_eq!(
        (versions.lds_version.as_str(), versions.unicode_version.as_str()),
        ("0108", "040000")
    );
}

#[test]
fn a_signer_info_gives_its_signer_attributes_and_signature() {
    let bytes = sod();
    let sod = Sod::parse(&bytes).unwrap();

    let signer = &sod.signer_infos[0];
    assert_eq!(signer.version, 1);
    let SignerIdentifier::IssuerAndSerialNumber { raw, issuer: name, serial_number } = &signer.sid
    else {
        panic!("{:?}", signer.sid);
    };
    assert_eq!(*raw, seq(&[issuer(), int(0x1234)]).as_slice());
    assert_eq!(*name, issuer().as_slice());
    assert_eq!(*serial_number, &[0x12, 0x34]);
    assert_eq!(signer.digest_algorithm.oid, dotted(SHA256));
    assert_eq!(signer.signature_algorithm.oid, dotted(RSA_SHA256));
    assert_eq!(signer.signature_algorithm.parameters.as_deref(), Some([0x05, 0x00].as_slice()));
    assert_eq!(signer.signature, &[0x5A; 64]);

    let attributes = signer.signed_attributes.as_ref().unwrap();
    let expected = signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]);
    assert_eq!(attributes.raw, expected.as_slice());
    assert_eq!(attributes.signed_bytes[0], 0x31);
    assert_eq!(attributes.signed_bytes[1..], expected[1..]);
    assert_eq!(attributes.content_type, sod.content_type);
    assert_eq!(attributes.message_digest, &[0x44; 32]);
}

#[test]
fn a_sod_in_ber_reads_as_its_der_twin() {
    let ber = sod_ber();
    let der = sod();
    let (from_ber, from_der) = (Sod::parse(&ber).unwrap(), Sod::parse(&der).unwrap());

    assert!(matches!(from_ber.content, Cow::Owned(_)));
    assert_eq!(from_ber.content, from_der.content);
    assert_eq!(from_ber.security_object, from_der.security_object);
    assert_eq!(from_ber.certificates, from_der.certificates);
    let signed_bytes =
        |sod: &Sod<'_>| sod.signer_infos[0].signed_attributes.clone().unwrap().signed_bytes;
    assert_eq!(signed_bytes(&from_ber), signed_bytes(&from_der));
}

#[test]
fn plain_id_data_and_the_legacy_identifiers_are_accepted() {
    let content = security_object(&two_hashes());
    for (content_type, kind) in [
        (ID_DATA, EncapsulatedContentType::Data),
        ("1.3.27.1.1.1", EncapsulatedContentType::Legacy),
        ("1.2.528.1.1006.1.20.1", EncapsulatedContentType::Legacy),
    ] {
        let signer = signer_info(signed_attributes(content_type, &[0x44; 32]));
        let bytes = sod_with(content_type, &content, &[signer]);

        let sod = Sod::parse(&bytes).unwrap();
        assert_eq!(sod.content_kind, kind);
        assert_eq!(sod.content_type, dotted(content_type));
    }
}

#[test]
fn another_encapsulated_content_type_is_refused() {
    let signer = signer_info(signed_attributes("1.2.3", &[0x44; 32]));
    let bytes = sod_with("1.2.3", &security_object(&two_hashes()), &[signer]);

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(error, LdsError::ContentType { element: "the eContentType", oid: "1.2.3".into() });
    assert_eq!(error.code(), "sod.content_type");
}

#[test]
fn a_content_info_of_enveloped_data_is_refused() {
    let bytes = cons(0x77, &[seq(&[oid("1.2.840.113549.1.7.3"), cons(0xA0, &[seq(&[])])])]);

    assert_eq!(Sod::parse(&bytes).unwrap_err().code(), "sod.content_type");
}

#[test]
fn a_signer_named_by_subject_key_identifier_reads() {
    let signer = seq(&[
        int(3),
        tlv(0x80, &[0xAB; 20]),
        seq(&[oid(SHA256), tlv(0x05, &[])]),
        signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]),
        seq(&[oid("1.2.840.113549.1.1.10"), seq(&[cons(0xA0, &[seq(&[oid(SHA256)])])])]),
        octets(&[0x5A; 64]),
        cons(0xA1, &[seq(&[oid("1.2.3.4"), set(&[int(1)])])]),
    ]);
    let bytes = sod_with(LDS_SECURITY_OBJECT, &security_object(&two_hashes()), &[signer]);

    let sod = Sod::parse(&bytes).unwrap();
    let signer = &sod.signer_infos[0];
    assert_eq!(signer.sid, SignerIdentifier::SubjectKeyIdentifier(&[0xAB; 20]));
    assert!(signer.digest_algorithm.parameters_absent_or_null());
    let pss = seq(&[cons(0xA0, &[seq(&[oid(SHA256)])])]);
    assert_eq!(signer.signature_algorithm.parameters.as_deref(), Some(pss.as_slice()));
}

fn sod_of_hashes(hashes: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let signer = signer_info(signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]));
    sod_with(LDS_SECURITY_OBJECT, &security_object(hashes), &[signer])
}

#[test]
fn a_data_group_hashed_twice_is_refused() {
    let bytes = sod_of_hashes(&[(1, vec![1; 32]), (2, vec![2; 32]), (1, vec![3; 32])]);

    assert_eq!(Sod::parse(&bytes).unwrap_err(), LdsError::DuplicateDataGroup { number: 1 });
}

#[test]
fn data_group_numbers_outside_1_to_16_are_refused() {
    for number in [0, 17, 255, 1 << 40] {
        let bytes = sod_of_hashes(&[(1, vec![1; 32]), (number, vec![2; 32])]);

        let error = Sod::parse(&bytes).unwrap_err();
        assert_eq!(error, LdsError::DataGroupNumber { number });
        assert_eq!(error.code(), "lds.data_group_number");
    }
}

#[test]
fn fewer_than_two_data_group_hashes_are_refused() {
    let bytes = sod_of_hashes(&[(1, vec![1; 32])]);

    assert_eq!(Sod::parse(&bytes).unwrap_err(), LdsError::DataGroupCount { found: 1 });
}

#[test]
fn all_sixteen_data_groups_read_and_a_seventeenth_entry_is_refused() {
    let sixteen: Vec<(u64, Vec<u8>)> =
        (1..=16).map(|number| (number, vec![number as u8; 20])).collect();
    let bytes = sod_of_hashes(&sixteen);
    assert_eq!(Sod::parse(&bytes).unwrap().security_object.data_group_hashes.len(), 16);

    let mut seventeen = sixteen;
    seventeen.push((1, vec![0; 20]));
    let error = Sod::parse(&sod_of_hashes(&seventeen)).unwrap_err();
    assert_eq!(error.code(), "lds.data_group_count");
}

#[test]
fn a_sod_listing_thousands_of_data_groups_is_refused_at_the_seventeenth() {
    let thousands: Vec<(u64, Vec<u8>)> =
        (0..5000).map(|index| (index % 16 + 1, vec![0; 32])).collect();
    let bytes = sod_of_hashes(&thousands);
    assert!(bytes.len() > 5000 * 36);

    assert_eq!(Sod::parse(&bytes).unwrap_err(), LdsError::DataGroupCount { found: 17 });
}

#[test]
fn a_certificate_bomb_is_refused() {
    let certificates: Vec<Vec<u8>> = (0..1000).map(|_| certificate()).collect();
    let content = security_object(&two_hashes());
    let encapsulated = seq(&[oid(LDS_SECURITY_OBJECT), cons(0xA0, &[octets(&content)])]);
    let signer = signer_info(signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]));
    let signed_data = seq(&[
        int(3),
        set(&[seq(&[oid(SHA256)])]),
        encapsulated,
        cons(0xA0, &certificates),
        set(&[signer]),
    ]);
    let bytes = cons(0x77, &[seq(&[oid("1.2.840.113549.1.7.2"), cons(0xA0, &[signed_data])])]);

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(
        error,
        LdsError::TooMany { file: ElementaryFile::Sod, element: "the certificates [0]", limit: 16 }
    );
}

#[test]
fn a_sod_without_signers_is_refused() {
    let bytes = sod_with(LDS_SECURITY_OBJECT, &security_object(&two_hashes()), &[]);

    assert_eq!(Sod::parse(&bytes).unwrap_err().code(), "sod.signer_info");
}

#[test]
fn signed_attributes_without_a_message_digest_are_refused() {
    let attributes =
        cons(0xA0, &[seq(&[oid("1.2.840.113549.1.9.3"), set(&[oid(LDS_SECURITY_OBJECT)])])]);
    let bytes =
        sod_with(LDS_SECURITY_OBJECT, &security_object(&two_hashes()), &[signer_info(attributes)]);

    assert_eq!(
        Sod::parse(&bytes).unwrap_err(),
        LdsError::SignerInfo { reason: "the signed attributes have no message digest" }
    );
}

#[test]
fn a_message_digest_of_two_values_is_refused() {
    let attributes = cons(
        0xA0,
        &[
            seq(&[oid("1.2.840.113549.1.9.3"), set(&[oid(LDS_SECURITY_OBJECT)])]),
            seq(&[oid("1.2.840.113549.1.9.4"), set(&[octets(&[1; 32]), octets(&[2; 32])])]),
        ],
    );
    let bytes =
        sod_with(LDS_SECURITY_OBJECT, &security_object(&two_hashes()), &[signer_info(attributes)]);

    assert_eq!(Sod::parse(&bytes).unwrap_err().code(), "sod.signer_info");
}

#[test]
fn a_security_object_of_version_2_is_refused() {
    let mut content = security_object(&two_hashes());
    let version_at = content.iter().position(|&byte| byte == 0x02).unwrap();
    content[version_at + 2] = 2;
    let signer = signer_info(signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]));

    let error = Sod::parse(&sod_with(LDS_SECURITY_OBJECT, &content, &[signer])).unwrap_err();
    assert_eq!(error.code(), "lds.value");
    assert!(error.to_string().starts_with("the LDS security object in EF.SOD"), "{error}");
}
