//! EF.COM, the data groups and EF.CardAccess, read whole.

use chrono::NaiveDate;

use super::writer::*;
use crate::lds::*;

#[test]
fn ef_com_reads_as_appendix_a1_prints_it() {
    let com = Com::parse(&ef_com()).unwrap();

    assert_eq!(com.lds_version, "0107");
    assert_eq!(com.unicode_version, "040000");
    assert_eq!(com.data_groups, vec![1, 2, 4, 12]);
}

#[test]
fn ef_com_of_a_later_lds_version_reads() {
    let mut bytes = ef_com();
    bytes[5..9].copy_from_slice(b"1599");

    assert_eq!(Com::parse(&bytes).unwrap().lds_version, "1599");
}

#[test]
fn ef_com_listing_a_tag_of_no_data_group_is_refused() {
    let mut bytes = ef_com();
    bytes[21] = 0x77;

    let error = Com::parse(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.value");
    assert!(error.to_string().starts_with("EF.COM, the tag list 5C"), "{error}");
}

#[test]
fn ef_com_with_a_version_that_is_not_digits_is_refused() {
    let mut bytes = ef_com();
    bytes[5] = b'A';

    assert_eq!(Com::parse(&bytes).unwrap_err().code(), "lds.value");
}

#[test]
fn dg1_of_the_td1_example_in_appendix_a2_gives_its_mrz() {
    let zone = concat!(
        "I<NLDXI85935F86999999990<<<<<<",
        "7208148F1108268NLD<<<<<<<<<<<4",
        "VAN<DER<STEEN<<MARIANNE<LOUISE",
    );
    let mut bytes = vec![0x61, 0x5D, 0x5F, 0x1F, 0x5A];
    bytes.extend(zone.as_bytes());

    let dg1 = Dg1::parse(&bytes).unwrap();
    assert_eq!(dg1.lines.len(), 3);
    assert_eq!(dg1.lines[2], "VAN<DER<STEEN<<MARIANNE<LOUISE");
    let report = dg1.mrz(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()).unwrap();
    assert_eq!(report.mrz.format, crate::mrz::DocumentFormat::Td1);
    assert_eq!(report.mrz.issuing_state, "NLD");
    assert_eq!(report.mrz.primary_identifier, "VAN DER STEEN");
    assert_eq!(report.mrz.secondary_identifier, "MARIANNE LOUISE");
}

#[test]
fn dg1_of_a_td2_card_gives_two_lines_of_36() {
    // Appendix A.2.2 prints a TD2 zone of 81 characters under a length of 72 ('48'); the card
    // specimen of Part 6 has the 72 the layout needs.
    let zone = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<D231458907UTO7408122F1204159<<<<<<<6";
    let mut bytes = vec![0x61, 0x4B, 0x5F, 0x1F, 0x48];
    bytes.extend(zone.as_bytes());

    let dg1 = Dg1::parse(&bytes).unwrap();
    assert_eq!(dg1.lines, vec![&zone[..36], &zone[36..]]);
    let report = dg1.mrz(NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()).unwrap();
    assert_eq!(report.mrz.format, crate::mrz::DocumentFormat::Td2);
    assert!(report.is_valid(), "{:?}", report.problems);
}

#[test]
fn dg1_of_the_passport_specimen_passes_the_mrz_checks() {
    let dg1 = Dg1::parse(&dg1_td3()).unwrap();

    let report = dg1.mrz(NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()).unwrap();
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.mrz.document_number, "L898902C3");
    assert_eq!(report.mrz.birth_date, NaiveDate::from_ymd_opt(1974, 8, 12));
}

#[test]
fn dg1_of_a_length_no_layout_has_is_refused() {
    let bytes = cons(0x61, &[tlv(0x5F1F, &[b'<'; 80])]);

    assert_eq!(Dg1::parse(&bytes).unwrap_err(), LdsError::MrzLength { found: 80 });
}

#[test]
fn dg1_without_its_mrz_element_is_refused() {
    let bytes = cons(0x61, &[tlv(0x5F20, b"P<UTO")]);

    let error = Dg1::parse(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.tag");
    assert!(error.to_string().contains("5F1F"), "{error}");
}

#[test]
fn dg2_in_19794_5_gives_the_jpeg_and_its_header() {
    let bytes = dg2_19794();
    let dg2 = Dg2::parse(&bytes).unwrap();

    let template = &dg2.templates[0];
    assert_eq!(template.encoding, FaceEncoding::Iso19794);
    assert_eq!(template.header.biometric_type, Some(2));
    assert_eq!(template.header.format_owner, Some(0x0101));
    assert_eq!(template.header.format_type, Some(0x0008));
    let image = &template.images[0];
    assert_eq!(image.bytes, jpeg().as_slice());
    assert_eq!(
        (image.declared, image.detected),
        (Some(ImageFormat::Jpeg), Some(ImageFormat::Jpeg))
    );
    assert_eq!(image.format(), Some(ImageFormat::Jpeg));
    assert_eq!((image.width, image.height), (Some(480), Some(640)));
    assert_eq!(dg2.first_image(), Some(image));
}

#[test]
fn dg2_declaring_jpeg_around_jpeg_2000_names_no_format() {
    let bytes = dg2_with(tlv(0x5F2E, &facial_record(&jp2(), 0)));
    let dg2 = Dg2::parse(&bytes).unwrap();

    let image = &dg2.templates[0].images[0];
    assert_eq!(image.declared, Some(ImageFormat::Jpeg));
    assert_eq!(image.detected, Some(ImageFormat::Jpeg2000));
    assert_eq!(image.format(), None);
}

#[test]
fn dg2_in_39794_5_gives_the_jpeg_2000_and_its_size() {
    let bytes = dg2_39794();
    let dg2 = Dg2::parse(&bytes).unwrap();

    let template = &dg2.templates[0];
    assert_eq!(template.encoding, FaceEncoding::Iso39794);
    let image = &template.images[0];
    assert_eq!(image.bytes, jp2().as_slice());
    assert_eq!(image.format(), Some(ImageFormat::Jpeg2000));
    assert_eq!((image.width, image.height), (Some(480), Some(640)));
}

#[test]
fn dg2_in_39794_5_reads_with_the_data_block_in_a_context_tag_or_bare() {
    let block = face_image_data_block();
    let bare_fields = block[2..].to_vec();
    for data_block in [cons(0xA1, &[block]), bare_fields] {
        let bytes = dg2_with(cons(0x7F2E, &[data_block]));

        let dg2 = Dg2::parse(&bytes).unwrap();
        assert_eq!(dg2.templates[0].images[0].bytes, jp2().as_slice());
    }
}

#[test]
fn dg2_with_a_secure_messaging_template_is_refused_by_its_tag() {
    let bytes = dg2_with(tlv(0x7D, &[0x01]));

    let error = Dg2::parse(&bytes).unwrap_err();
    assert_eq!(
        error,
        LdsError::Tag {
            file: ElementaryFile::Dg2,
            element: "the biometric data block 5F2E or 7F2E",
            found: Some(0x7D),
        }
    );
}

#[test]
fn dg11_reads_as_appendix_a5_prints_it() {
    let bytes = cons(
        0x6B,
        &[
            tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x11, 0x5F, 0x42, 0x5F, 0x12, 0x5F, 0x13]),
            tlv(0x5F0E, b"SMITH<<JOHN<J"),
            tlv(0x5F11, b"ANYTOWN<MN"),
            tlv(0x5F42, b"123 MAPLE RD<ANYTOWN<MN"),
            tlv(0x5F12, b"1-612-555-1212"),
            tlv(0x5F13, b"TRAVEL<AGENT"),
        ],
    );
    // Appendix A.5 prints the template's length as 99 ('63'), which holds with the telephone
    // number written with its dashes, as above.
    assert_eq!(&bytes[..2], &[0x6B, 0x63]);

    let dg11 = Dg11::parse(&bytes).unwrap();
    assert_eq!(dg11.full_name.as_deref(), Some("SMITH<<JOHN<J"));
    assert_eq!(dg11.place_of_birth.as_deref(), Some("ANYTOWN<MN"));
    assert_eq!(dg11.address.as_deref(), Some("123 MAPLE RD<ANYTOWN<MN"));
    assert_eq!(dg11.telephone.as_deref(), Some("1-612-555-1212"));
    assert_eq!(dg11.profession.as_deref(), Some("TRAVEL<AGENT"));
    assert_eq!(dg11.personal_number, None);
}

#[test]
fn dg11_reads_other_names_a_bcd_date_and_national_characters() {
    let bytes = cons(
        0x6B,
        &[
            tlv(0x5C, &[0x5F, 0x0E, 0xA0, 0x5F, 0x2B, 0x5F, 0x16]),
            tlv(0x5F0E, "สมชาย<<ใจดี".as_bytes()),
            cons(0xA0, &[int(2), tlv(0x5F0F, b"SMITH<<JACK"), tlv(0x5F0F, b"SMYTHE<<JOHN")]),
            tlv(0x5F2B, &[0x19, 0x74, 0x08, 0x00]),
            tlv(0x5F16, &jpeg()),
            tlv(0x5F7E, b"a tag Doc 9303 does not define"),
        ],
    );

    let dg11 = Dg11::parse(&bytes).unwrap();
    assert_eq!(dg11.full_name.as_deref(), Some("สมชาย<<ใจดี"));
    assert_eq!(dg11.other_names, vec!["SMITH<<JACK", "SMYTHE<<JOHN"]);
    assert_eq!(dg11.full_date_of_birth.as_deref(), Some("19740800"));
    assert_eq!(dg11.proof_of_citizenship, Some(jpeg().as_slice()));
}

#[test]
fn dg11_giving_an_element_twice_is_refused() {
    let bytes = cons(0x6B, &[tlv(0x5F10, b"123"), tlv(0x5F10, b"456")]);

    assert_eq!(Dg11::parse(&bytes).unwrap_err().code(), "lds.value");
}

#[test]
fn dg12_reads_its_details_and_keeps_the_images() {
    let bytes = cons(
        0x6C,
        &[
            tlv(0x5C, &[0x5F, 0x19, 0x5F, 0x26, 0xA0, 0x5F, 0x1D, 0x5F, 0x55, 0x5F, 0x56]),
            tlv(0x5F19, b"MINISTRY OF FOREIGN AFFAIRS"),
            tlv(0x5F26, b"20240115"),
            cons(0xA0, &[int(1), tlv(0x5F1A, b"ERIKSSON<<LISA")]),
            tlv(0x5F1B, b"VALID FOR ALL COUNTRIES"),
            tlv(0x5F1C, b"NONE"),
            tlv(0x5F1D, &jpeg()),
            tlv(0x5F1E, &jp2()),
            tlv(0x5F55, &[0x20, 0x24, 0x01, 0x15, 0x09, 0x30, 0x00]),
            tlv(0x5F56, b"PERSO-0042"),
        ],
    );

    let dg12 = Dg12::parse(&bytes).unwrap();
    assert_eq!(dg12.issuing_authority.as_deref(), Some("MINISTRY OF FOREIGN AFFAIRS"));
    assert_eq!(dg12.date_of_issue.as_deref(), Some("20240115"));
    assert_eq!(dg12.other_persons, vec!["ERIKSSON<<LISA"]);
    assert_eq!(dg12.endorsements.as_deref(), Some("VALID FOR ALL COUNTRIES"));
    assert_eq!(dg12.tax_exit_requirements.as_deref(), Some("NONE"));
    assert_eq!(dg12.image_front, Some(jpeg().as_slice()));
    assert_eq!(dg12.image_rear, Some(jp2().as_slice()));
    assert_eq!(dg12.personalisation_time.as_deref(), Some("20240115093000"));
    assert_eq!(dg12.personalisation_device.as_deref(), Some("PERSO-0042"));
}

#[test]
fn dg12_with_a_date_that_is_not_digits_is_refused() {
    let bytes = cons(0x6C, &[tlv(0x5F26, b"2024-1-5")]);

    let error = Dg12::parse(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.value");
    assert!(error.to_string().contains("5F26"), "{error}");
}

#[test]
fn dg14_names_each_protocol_and_keeps_the_unknown_one() {
    let bytes = cons(0x6E, &[security_infos()]);
    let dg14 = SecurityInfos::parse_dg14(&bytes).unwrap();

    let dotted = |dotted: &str| Oid::from_dotted(dotted).unwrap();
    assert_eq!(dg14.infos.len(), 6);
    assert_eq!(
        dg14.infos[0],
        SecurityInfo::ChipAuthenticationPublicKey {
            protocol: dotted("0.4.0.127.0.7.2.2.1.2"),
            public_key: &ec_key_info(),
            key_id: Some(7),
        }
    );
    assert_eq!(
        dg14.infos[1],
        SecurityInfo::ChipAuthentication {
            protocol: dotted("0.4.0.127.0.7.2.2.3.2.4"),
            version: 1,
            key_id: Some(7),
        }
    );
    assert_eq!(
        dg14.infos[2],
        SecurityInfo::ActiveAuthentication {
            version: 1,
            signature_algorithm: dotted("0.4.0.127.0.7.1.1.4.1.3"),
        }
    );
    assert_eq!(
        dg14.infos[3],
        SecurityInfo::Pace {
            protocol: dotted("0.4.0.127.0.7.2.2.4.2.4"),
            version: 2,
            parameter_id: Some(13),
        }
    );
    assert_eq!(dg14.infos[4], SecurityInfo::TerminalAuthentication { version: 1, ef_cvca: None });
    assert_eq!(dg14.active_authentication_algorithm(), Some(&dotted("0.4.0.127.0.7.1.1.4.1.3")));
    let SecurityInfo::Other { protocol, raw } = &dg14.infos[5] else {
        panic!("{:?}", dg14.infos[5])
    };
    assert_eq!(protocol.to_string(), "1.2.3.4");
    assert_eq!(*raw, seq(&[oid("1.2.3.4"), tlv(0x0C, b"anything")]).as_slice());
    assert_eq!(
        dg14.chip_authentication_keys().collect::<Vec<_>>(),
        vec![(ec_key_info().as_slice(), Some(7))]
    );
}

#[test]
fn card_access_reads_pace_info_and_explicit_domain_parameters() {
    let parameters = seq(&[oid("1.2.840.10045.2.1"), seq(&[int(1)])]);
    let bytes = set(&[
        seq(&[oid("0.4.0.127.0.7.2.2.4.2.2"), int(2), int(13)]),
        seq(&[oid("0.4.0.127.0.7.2.2.4.2"), parameters.clone(), int(13)]),
    ]);

    let card_access = SecurityInfos::parse_card_access(&bytes).unwrap();
    let SecurityInfo::PaceDomainParameters { domain_parameter, parameter_id, .. } =
        &card_access.infos[1]
    else {
        panic!("{:?}", card_access.infos[1]);
    };
    assert_eq!(domain_parameter.oid.to_string(), "1.2.840.10045.2.1");
    assert_eq!(domain_parameter.parameters.as_deref(), Some(&parameters[11..]));
    assert_eq!(*parameter_id, Some(13));
}

#[test]
fn a_security_info_with_a_field_too_many_is_refused() {
    let bytes = set(&[seq(&[oid("0.4.0.127.0.7.2.2.3.2.4"), int(1), int(7), int(8)])]);

    let error = SecurityInfos::parse_card_access(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.trailing_bytes");
}

#[test]
fn dg15_gives_the_key_info_as_encoded_and_its_algorithm() {
    let bytes = cons(0x6F, &[rsa_key_info()]);
    let dg15 = Dg15::parse(&bytes).unwrap();

    assert_eq!(dg15.public_key_info, rsa_key_info().as_slice());
    assert_eq!(dg15.algorithm.oid.to_string(), "1.2.840.113549.1.1.1");
    assert!(dg15.algorithm.parameters_absent_or_null());
}

#[test]
fn any_file_is_told_by_its_first_tag() {
    let kind = |bytes: &[u8]| match LdsFile::parse(bytes).unwrap() {
        LdsFile::Com(_) => "com",
        LdsFile::Sod(_) => "sod",
        LdsFile::Dg1(_) => "dg1",
        LdsFile::Dg2(_) => "dg2",
        LdsFile::Dg11(_) => "dg11",
        LdsFile::Dg12(_) => "dg12",
        LdsFile::Dg14(_) => "dg14",
        LdsFile::Dg15(_) => "dg15",
        LdsFile::CardAccess(_) => "card access",
    };

    assert_eq!(kind(&ef_com()), "com");
    assert_eq!(kind(&sod()), "sod");
    assert_eq!(kind(&dg1_td3()), "dg1");
    assert_eq!(kind(&dg2_39794()), "dg2");
    assert_eq!(kind(&cons(0x6B, &[])), "dg11");
    assert_eq!(kind(&cons(0x6C, &[])), "dg12");
    assert_eq!(kind(&cons(0x6E, &[security_infos()])), "dg14");
    assert_eq!(kind(&cons(0x6F, &[rsa_key_info()])), "dg15");
    assert_eq!(kind(&security_infos()), "card access");
    assert_eq!(LdsFile::parse(&[0x63, 0x00]).unwrap_err(), LdsError::UnknownFile { tag: 0x63 });
}
