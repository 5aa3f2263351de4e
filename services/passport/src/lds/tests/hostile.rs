//! Input built to break a parser: cut short, lying lengths, deep nesting, garbage. Each gets
//! its error code, and none a panic.

use super::writer::*;
use crate::lds::*;

/// Every valid file the tests build, with a name to report.
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("EF.COM", ef_com()),
        ("EF.SOD", sod()),
        ("EF.SOD in BER", sod_ber()),
        ("DG1", dg1_td3()),
        ("DG2 19794-5", dg2_19794()),
        ("DG2 39794-5", dg2_39794()),
        ("DG11", cons(0x6B, &[tlv(0x5F0E, b"SMITH<<JOHN<J"), tlv(0x5F2B, b"19740812")])),
        ("DG12", cons(0x6C, &[tlv(0x5F19, b"UTOPIA"), tlv(0x5F1D, &jpeg())])),
        ("DG14", cons(0x6E, &[security_infos()])),
        ("DG15", cons(0x6F, &[rsa_key_info()])),
        ("EF.CardAccess", security_infos()),
    ]
}

#[test]
fn every_sample_reads_whole() {
    for (name, bytes) in samples() {
        assert!(LdsFile::parse(&bytes).is_ok(), "{name}: {:?}", LdsFile::parse(&bytes));
    }
}

#[test]
fn every_sample_cut_at_every_byte_is_refused_as_truncated() {
    for (name, bytes) in samples() {
        for end in 0..bytes.len() {
            let error = LdsFile::parse(&bytes[..end]).unwrap_err();
            assert_eq!(error.code(), "lds.truncated", "{name} cut at {end}: {error}");
        }
    }
}

#[test]
fn every_sample_with_a_byte_after_it_is_refused() {
    for (name, mut bytes) in samples() {
        bytes.push(0x00);

        let error = LdsFile::parse(&bytes).unwrap_err();
        assert_eq!(error.code(), "lds.trailing_bytes", "{name}: {error}");
    }
}

#[test]
fn a_length_beyond_the_file_is_truncation() {
    let bytes = [0x77, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x30, 0x00];

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(
        error,
        LdsError::Truncated { file: Some(ElementaryFile::Sod), element: "the template 77" }
    );
}

#[test]
fn a_length_beyond_the_element_around_it_is_a_length_error() {
    let mut bytes = ef_com();
    bytes[4] = 0x40;

    let error = Com::parse(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.length");
    assert!(error.to_string().starts_with("EF.COM, the LDS version 5F01"), "{error}");
}

#[test]
fn a_four_byte_length_field_reads_and_a_five_byte_one_is_refused() {
    let com = ef_com();
    let mut four = vec![0x60, 0x84, 0x00, 0x00, 0x00, 0x16];
    four.extend(&com[2..]);
    assert_eq!(Com::parse(&four).unwrap().data_groups, vec![1, 2, 4, 12]);

    let mut five = vec![0x60, 0x85, 0x00, 0x00, 0x00, 0x00, 0x16];
    five.extend(&com[2..]);
    let error = Com::parse(&five).unwrap_err();
    assert_eq!(
        error,
        LdsError::Length {
            file: ElementaryFile::Com,
            element: "the template 60",
            reason: "a length field of more than four bytes",
        }
    );
}

#[test]
fn the_reserved_length_byte_is_refused() {
    assert_eq!(Com::parse(&[0x60, 0xFF, 0x00]).unwrap_err().code(), "lds.length");
}

#[test]
fn an_indefinite_length_on_a_primitive_element_is_refused() {
    let bytes = [0x61, 0x80, 0x5F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00];

    assert_eq!(Dg1::parse(&bytes).unwrap_err().code(), "lds.length");
}

#[test]
fn an_indefinite_length_without_its_end_of_contents_is_truncation() {
    let mut bytes = sod_ber();
    bytes.truncate(bytes.len() - 2);
    bytes.extend([0x05, 0x00]);

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(error.code(), "lds.truncated");
}

#[test]
fn nesting_100000_deep_in_indefinite_lengths_is_refused() {
    let mut bytes = vec![0x77, 0x80];
    bytes.extend([0x30, 0x80].repeat(100_000));
    bytes.extend([0x00, 0x00].repeat(100_001));

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(error, LdsError::Nesting { file: ElementaryFile::Sod, element: "the template 77" });
}

#[test]
fn content_nested_100000_deep_in_definite_lengths_is_refused() {
    let mut content = octets(&security_object(&two_hashes()));
    for _ in 0..100_000 {
        let mut wrapped = vec![0x24, 0x84];
        wrapped.extend((content.len() as u32).to_be_bytes());
        wrapped.extend(content);
        content = wrapped;
    }
    let encapsulated = seq(&[oid(LDS_SECURITY_OBJECT), cons(0xA0, &[content])]);
    let signed_data = seq(&[int(3), set(&[]), encapsulated, set(&[])]);
    let bytes = cons(0x77, &[seq(&[oid("1.2.840.113549.1.7.2"), cons(0xA0, &[signed_data])])]);

    let error = Sod::parse(&bytes).unwrap_err();
    assert_eq!(error, LdsError::Nesting { file: ElementaryFile::Sod, element: "the eContent" });
}

#[test]
fn a_tag_longer_than_four_bytes_is_refused() {
    let bytes = [0x61, 0x07, 0x5F, 0xFF, 0xFF, 0xFF, 0x01, 0x01, b'<'];

    let error = Dg1::parse(&bytes).unwrap_err();
    assert_eq!(
        error,
        LdsError::Tag { file: ElementaryFile::Dg1, element: "the MRZ 5F1F", found: None }
    );
}

#[test]
fn a_facial_record_declaring_a_length_beyond_the_file_is_refused() {
    let mut record = facial_record(&jpeg(), 0);
    record[8..12].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());

    let error = Dg2::parse(&dg2_with(tlv(0x5F2E, &record))).unwrap_err();
    assert_eq!(
        error,
        LdsError::FaceRecord { reason: "the record declares more bytes than its data block holds" }
    );
}

#[test]
fn a_facial_record_with_an_image_block_beyond_the_record_is_refused() {
    let mut record = facial_record(&jpeg(), 0);
    record[14..18].copy_from_slice(&0x0001_0000u32.to_be_bytes());

    let error = Dg2::parse(&dg2_with(tlv(0x5F2E, &record))).unwrap_err();
    assert_eq!(error.code(), "dg2.face_record");
}

#[test]
fn a_facial_record_with_more_feature_points_than_bytes_is_refused() {
    let mut record = facial_record(&jpeg(), 0);
    record[18..20].copy_from_slice(&u16::MAX.to_be_bytes());

    let error = Dg2::parse(&dg2_with(tlv(0x5F2E, &record))).unwrap_err();
    assert_eq!(error.code(), "dg2.face_record");
}

#[test]
fn a_data_block_that_is_no_facial_record_is_refused() {
    let error = Dg2::parse(&dg2_with(tlv(0x5F2E, &jpeg()))).unwrap_err();

    assert_eq!(error, LdsError::FaceRecord { reason: "no FAC header: not a facial record" });
}

/// The codes an error may carry; a garbage file must get one of them.
const CODES: [&str; 16] = [
    "lds.truncated",
    "lds.length",
    "lds.nesting",
    "lds.tag",
    "lds.missing",
    "lds.trailing_bytes",
    "lds.value",
    "lds.too_many",
    "lds.file",
    "lds.data_group_count",
    "lds.data_group_number",
    "lds.data_group_duplicate",
    "sod.content_type",
    "sod.signer_info",
    "dg1.mrz_length",
    "dg2.face_record",
];

#[test]
fn garbage_and_damaged_samples_get_an_error_code_and_no_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };

    let mut refused = 0;
    for (_, sample) in samples() {
        for _ in 0..2_000 {
            let mut bytes = sample.clone();
            for _ in 0..(random() % 4 + 1) {
                let at = (random() % bytes.len() as u64) as usize;
                bytes[at] = random() as u8;
            }
            if let Err(error) = LdsFile::parse(&bytes) {
                assert!(CODES.contains(&error.code()), "{error:?}");
                refused += 1;
            }
        }
        let garbage: Vec<u8> = (0..sample.len()).map(|_| random() as u8).collect();
        if let Err(error) = LdsFile::parse(&garbage) {
            assert!(CODES.contains(&error.code()), "{error:?}");
        }
    }
    assert!(refused > 10_000, "only {refused} of 22000 damaged files were refused");
}
