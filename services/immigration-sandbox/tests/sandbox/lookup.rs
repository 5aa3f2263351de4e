//! Lookups: a match, a date of birth that differs, no record, and hostile bodies.

use reqwest::StatusCode;

use crate::TestSandbox;

#[tokio::test]
async fn a_seeded_person_is_matched_and_another_birth_date_differs() {
    let sandbox = TestSandbox::start().await;
    let demo = &idproof_immigration_sandbox::seed::demo_people(sandbox.running.plan)[0];
    let record = &demo.record;

    let (status, body) = sandbox.lookup_record(record).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["match"], "matched");
    assert_eq!(body["record"]["record_id"], record.record_id.as_str());
    assert_eq!(body["record"]["visa_category"], "exemption");
    assert_eq!(body["record"]["status"], "in_country");
    let references = body["record"]["references"].as_object().unwrap();
    let keys: Vec<&str> = references.keys().map(String::as_str).collect();
    assert_eq!(keys, ["boi_approval", "ltr_approval", "smart_approval", "work_permit"]);
    assert!(body["record"]["updated_at"].as_str().unwrap().ends_with('Z'));
    let end = body["record"]["permitted_stay_end"].as_str().unwrap();
    assert_eq!(end.len(), 10, "a date, YYYY-MM-DD");

    let other_birth = (record.date_of_birth - chrono::Days::new(1)).to_string();
    let (status, body) =
        sandbox.lookup(&record.nationality, &record.document_number, &other_birth).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["match"], "birth_date_differs");
    assert_eq!(body["record"]["date_of_birth"], record.date_of_birth.to_string());
}

#[tokio::test]
async fn an_unknown_passport_is_not_found() {
    let sandbox = TestSandbox::start().await;
    let (status, body) = sandbox.lookup("D", "ZZ0000000", "1964-08-12").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "record_not_found");
}

#[tokio::test]
async fn hostile_bodies_are_refused_with_invalid_request_and_quote_nothing() {
    let sandbox = TestSandbox::start().await;
    let good = r#"{"nationality":"D","document_number":"C01X00T47","date_of_birth":"1964-08-12"}"#;
    let with = |field: &str, value: &str| {
        let mut body: serde_json::Value = serde_json::from_str(good).unwrap();
        body[field] = serde_json::Value::String(value.to_owned());
        body.to_string()
    };
    let mut huge = String::from(r#"{"nationality":"D","document_number":""#);
    huge.push_str(&"A".repeat(1024 * 1024));
    huge.push_str(r#"","date_of_birth":"1964-08-12"}"#);

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", b"{nationality: D".to_vec()),
        ("empty", Vec::new()),
        ("an array", b"[]".to_vec()),
        ("an unknown field", good.replace('}', r#","shoe_size":44}"#).into_bytes()),
        ("a missing field", br#"{"nationality":"D","document_number":"C01X00T47"}"#.to_vec()),
        ("a number for a string", br#"{"nationality":"D","document_number":12,"date_of_birth":"1964-08-12"}"#.to_vec()),
        ("bad UTF-8", b"{\"nationality\":\"D\xff\",\"document_number\":\"C01\",\"date_of_birth\":\"1964-08-12\"}".to_vec()),
        ("a 1 MB body", huge.into_bytes()),
        ("a lowercase nationality", with("nationality", "deu").into_bytes()),
        ("digits in the nationality", with("nationality", "D3U").into_bytes()),
        ("a long nationality", with("nationality", "DEUT").into_bytes()),
        ("an empty nationality", with("nationality", "").into_bytes()),
        ("an empty number", with("document_number", "").into_bytes()),
        ("a long number", with("document_number", &"1".repeat(21)).into_bytes()),
        ("filler in the number", with("document_number", "C01X00T4<").into_bytes()),
        ("a lowercase number", with("document_number", "c01x00t47").into_bytes()),
        ("a date that is no date", with("date_of_birth", "1964-02-30").into_bytes()),
        ("a date of another shape", with("date_of_birth", "12.08.1964").into_bytes()),
        ("a timestamp", with("date_of_birth", "1964-08-12T00:00:00Z").into_bytes()),
    ];
    for (what, body) in cases {
        let (status, problem) = sandbox.lookup_raw(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {problem}");
        assert_eq!(problem["code"], "invalid_request", "{what}");
        let detail = problem["detail"].as_str().unwrap();
        for sent in ["deu", "D3U", "DEUT", "C01X00T4", "1964", "shoe_size", "AAAA"] {
            assert!(!detail.contains(sent), "{what}: the detail quotes {sent}: {detail}");
        }
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let sandbox = TestSandbox::start().await;
    let (status, body) = sandbox.get("/v1/nothing-here").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, body) = sandbox.get("/v1/stay-records/lookup").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
}
