use idproof_mobile::{MobileNumber, NumberError};
use proptest::prelude::*;

#[test]
fn every_usual_way_of_writing_a_thai_mobile_number_is_read() {
    let written = [
        "+66 81 234 5678",
        "+66812345678",
        "0812345678",
        "081-234-5678",
        "081 234 5678",
        "081.234.5678",
        "66812345678",
        "0066 81 234 5678",
        "+66 (0)81 234 5678",
        "+66(0)812345678",
        "+66 081 234 5678",
        "  0812345678\t",
    ];

    for text in written {
        let number = MobileNumber::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        assert_eq!(number.as_e164(), "+66812345678", "{text:?}");
    }
}

#[test]
fn the_06_08_and_09_ranges_are_mobile() {
    for (text, e164) in [
        ("0612345678", "+66612345678"),
        ("0898765432", "+66898765432"),
        ("099 000 0001", "+66990000001"),
    ] {
        assert_eq!(MobileNumber::parse(text).unwrap().as_e164(), e164);
    }
}

#[test]
fn every_wrong_format_is_refused_with_its_code() {
    let huge = "0".repeat(10_000);
    let cases: &[(&str, NumberError)] = &[
        ("", NumberError::Format),
        ("   ", NumberError::Format),
        ("+", NumberError::Format),
        ("+66", NumberError::Format),
        ("081234567", NumberError::Format),
        ("08123456789", NumberError::Format),
        ("081234567a", NumberError::Format),
        ("abcdefghij", NumberError::Format),
        ("081-CALL-ME", NumberError::Format),
        ("08+12345678", NumberError::Format),
        ("0812345678+", NumberError::Format),
        ("++66812345678", NumberError::Format),
        ("๐๘๑๒๓๔๕๖๗๘", NumberError::Format),
        ("٠٨١٢٣٤٥٦٧٨", NumberError::Format),
        ("０８１２３４５６７８", NumberError::Format),
        ("(081) 234 5678", NumberError::Format),
        ("081/234/5678", NumberError::Format),
        ("812345678", NumberError::Format),
        ("0812345678 ext 1", NumberError::Format),
        ("+66 00812345678", NumberError::Format),
        (&huge, NumberError::Format),
        ("0 8 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6", NumberError::Format),
        ("+49 151 12345678", NumberError::NotThai),
        ("+1 202 555 0143", NumberError::NotThai),
        ("0049 151 12345678", NumberError::NotThai),
        ("+856 20 5555 1234", NumberError::NotThai),
        ("02 123 4567", NumberError::Landline),
        ("+66 2 123 4567", NumberError::Landline),
        ("038 123 456", NumberError::Landline),
        ("043-123-456", NumberError::Landline),
        ("053 123 456", NumberError::Landline),
        ("076 123 456", NumberError::Landline),
        ("012345678", NumberError::Reserved),
        ("0123456789", NumberError::Reserved),
        ("0712345678", NumberError::Format),
    ];

    for (text, expected) in cases {
        let shown: String = text.chars().take(40).collect();
        assert_eq!(MobileNumber::parse(text).unwrap_err(), *expected, "{shown:?}");
    }
}

#[test]
fn codes_are_stable() {
    assert_eq!(NumberError::Format.code(), "mobile.format");
    assert_eq!(NumberError::NotThai.code(), "mobile.not_thai");
    assert_eq!(NumberError::Landline.code(), "mobile.landline");
    assert_eq!(NumberError::Reserved.code(), "mobile.reserved");
}

#[test]
fn display_and_debug_are_masked_and_e164_is_whole() {
    let number = MobileNumber::parse("081 234 5678").unwrap();

    assert_eq!(number.masked(), "+66 8x xxx x678");
    assert_eq!(number.to_string(), "+66 8x xxx x678");
    assert_eq!(format!("{number:?}"), "MobileNumber(+66 8x xxx x678)");
    assert_eq!(number.national(), "0812345678");
    assert!(!format!("{number} {number:?}").contains("1234"));
}

#[test]
fn serde_keeps_the_whole_number_and_reads_through_parse() {
    let number = MobileNumber::parse("0812345678").unwrap();

    let json = serde_json::to_string(&number).unwrap();
    assert_eq!(json, "\"+66812345678\"");
    assert_eq!(serde_json::from_str::<MobileNumber>(&json).unwrap(), number);

    let refused = serde_json::from_str::<MobileNumber>("\"021234567\"").unwrap_err();
    assert!(refused.to_string().contains("mobile.landline"));
    assert!(!refused.to_string().contains("1234567"));
}

fn mobile_nsn() -> impl Strategy<Value = String> {
    (prop::sample::select(vec!['6', '8', '9']), "[0-9]{8}")
        .prop_map(|(first, rest)| format!("{first}{rest}"))
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "-", "."])
}

proptest! {
    #[test]
    fn parsing_the_e164_form_gives_the_same_number(nsn in mobile_nsn(), sep in separator()) {
        let national = format!("0{}{sep}{}{sep}{}", &nsn[..2], &nsn[2..5], &nsn[5..]);
        let number = MobileNumber::parse(&national).unwrap();

        prop_assert_eq!(number.as_e164(), format!("+66{nsn}"));
        prop_assert_eq!(MobileNumber::parse(number.as_e164()).unwrap(), number.clone());
        prop_assert_eq!(MobileNumber::parse(&number.national()).unwrap(), number);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
        let _ = MobileNumber::parse(&text);
    }
}
