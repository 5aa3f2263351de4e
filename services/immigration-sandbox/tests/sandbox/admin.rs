//! Admin changes: each writes the record and appends exactly one change of its kind to the
//! feed; a refused change appends nothing; the feed pages by cursor; the token is required.

use idproof_immigration_sandbox::records::{Status, StayRecord};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::TestSandbox;

impl TestSandbox {
    async fn first_with(&self, status: Status) -> StayRecord {
        self.all_records().await.into_iter().find(|record| record.status == status).unwrap()
    }

    async fn feed(&self, after: i64, limit: u32) -> Value {
        let (status, page) =
            self.get(&format!("/v1/stay-changes?after={after}&limit={limit}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page
    }

    /// Makes a change and checks the feed grew by exactly it.
    async fn change(&self, record: &StayRecord, what: &str, body: Value, kind: &str) -> Value {
        let before = self.feed(0, 500).await["changes"].as_array().unwrap().len();
        let path = format!("/admin/records/{}/{what}", record.record_id);
        let (status, changed) = self.admin(Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{what}: {changed}");
        assert_eq!(changed["change"]["kind"], kind);
        assert_eq!(changed["change"]["record_id"], record.record_id.as_str());
        assert_eq!(changed["change"]["document_number"], record.document_number.as_str());

        let feed = self.feed(0, 500).await;
        let changes = feed["changes"].as_array().unwrap();
        assert_eq!(changes.len(), before + 1, "{what}");
        assert_eq!(changes.last().unwrap(), &changed["change"]);
        assert_eq!(feed["next_cursor"], changed["change"]["cursor"]);

        // The lookup serves the changed record.
        let (_, found) = self.lookup_record(record).await;
        assert_eq!(found["record"], changed["record"], "{what}");
        changed["record"].clone()
    }
}

#[tokio::test]
async fn each_change_updates_the_record_and_appends_one_change_of_its_kind() {
    let sandbox = TestSandbox::start().await;
    assert_eq!(sandbox.feed(0, 10).await, json!({ "changes": [], "next_cursor": 0 }));

    let current = sandbox.first_with(Status::InCountry).await;
    let end = (current.permitted_stay_end.unwrap() + chrono::Days::new(365)).to_string();
    let body = json!({ "permitted_stay_end": end, "visa_category": "non_b",
        "references": { "work_permit": "WP-1", "boi_approval": null, "ltr_approval": null,
                        "smart_approval": null } });
    let record = sandbox.change(&current, "extension", body, "extended").await;
    assert_eq!(
        (record["permitted_stay_end"].as_str(), record["visa_category"].as_str()),
        (Some(end.as_str()), Some("non_b"))
    );
    assert_eq!(record["references"]["work_permit"], "WP-1");
    assert_eq!(record["updated_at"], "2026-06-01T12:00:00Z");

    let record = sandbox.change(&current, "overstay", json!({}), "overstayed").await;
    assert_eq!(
        (record["status"].as_str(), record["permitted_stay_end"].as_str()),
        (Some("overstayed"), Some("2026-05-31"))
    );

    let record =
        sandbox.change(&current, "departure", json!({ "date": "2026-06-01" }), "departed").await;
    assert_eq!(record["status"], "departed");

    sandbox.clock.advance(chrono::Duration::days(1));
    let body = json!({ "last_entry": "2026-06-02", "permitted_stay_end": "2026-07-31", "visa_category": "exemption" });
    let record = sandbox.change(&current, "entry", body, "entered").await;
    assert_eq!(
        (record["status"].as_str(), record["last_entry"].as_str()),
        (Some("in_country"), Some("2026-06-02"))
    );
    assert_eq!(record["updated_at"], "2026-06-02T12:00:00Z");

    let record = sandbox.change(&current, "bar", json!({}), "barred").await;
    assert_eq!(record["status"], "barred");
}

#[tokio::test]
async fn a_change_that_does_not_apply_is_refused_and_appends_nothing() {
    let sandbox = TestSandbox::start().await;
    let barred = sandbox.first_with(Status::Barred).await;
    let path = format!("/admin/records/{}/entry", barred.record_id);
    let body = json!({ "last_entry": "2026-06-01", "permitted_stay_end": "2026-07-30" });
    let (status, problem) = sandbox.admin(Method::POST, &path, Some(body)).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("change_refused")));

    let departed = sandbox.first_with(Status::Departed).await;
    let path = format!("/admin/records/{}/extension", departed.record_id);
    let body = json!({ "permitted_stay_end": "2027-01-01" });
    let (status, _) = sandbox.admin(Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let current = sandbox.first_with(Status::InCountry).await;
    let path = format!("/admin/records/{}/departure", current.record_id);
    for bad in [
        json!({ "date": "2026-02-30" }),
        json!({ "date": "2026-06-02" }),
        json!({ "when": "2026-06-01" }),
    ] {
        let (status, problem) = sandbox.admin(Method::POST, &path, Some(bad.clone())).await;
        assert!(
            matches!(status, StatusCode::BAD_REQUEST | StatusCode::CONFLICT),
            "{bad}: {problem}"
        );
    }
    let (status, problem) = sandbox.admin(Method::POST, "/admin/records/IMM-NONE/bar", None).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("record_not_found"))
    );

    assert_eq!(sandbox.feed(0, 500).await["changes"], json!([]));
}

#[tokio::test]
async fn the_feed_pages_by_cursor() {
    let sandbox = TestSandbox::start().await;
    let records = sandbox.all_records().await;
    let current: Vec<_> =
        records.iter().filter(|r| r.status == Status::InCountry).take(5).collect();
    for record in &current {
        let path = format!("/admin/records/{}/bar", record.record_id);
        assert_eq!(sandbox.admin(Method::POST, &path, None).await.0, StatusCode::OK);
    }

    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let page = sandbox.feed(cursor, 2).await;
        let changes = page["changes"].as_array().unwrap();
        assert!(changes.len() <= 2);
        if changes.is_empty() {
            assert_eq!(page["next_cursor"], cursor);
            break;
        }
        for change in changes {
            let at = change["cursor"].as_i64().unwrap();
            assert!(at > cursor);
            seen.push(change["record_id"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_i64().unwrap();
    }
    let barred: Vec<String> = current.iter().map(|record| record.record_id.clone()).collect();
    assert_eq!(seen, barred);

    for bad in ["after=-1", "after=x", "limit=0", "limit=501", "limit=ten"] {
        let (status, problem) = sandbox.get(&format!("/v1/stay-changes?{bad}")).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_admin_routes_want_the_token() {
    let sandbox = TestSandbox::start().await;
    let record = sandbox.first_with(Status::InCountry).await;
    let path = format!("/admin/records/{}/bar", record.record_id);
    for token in [None, Some("wrong"), Some("")] {
        let mut request = sandbox.http.post(sandbox.url(&path));
        if let Some(token) = token {
            request = request.header(idproof_immigration_sandbox::ADMIN_TOKEN_HEADER, token);
        }
        let (status, problem) = crate::read(request.send().await.unwrap()).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("admin_token_required"))
        );
    }
    let (status, _) = sandbox.get("/admin/records").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, found) = sandbox.lookup_record(&record).await;
    assert_eq!(found["record"]["status"], "in_country");
}

#[tokio::test]
async fn a_renewed_passport_keeps_the_record_and_writes_no_change() {
    let sandbox = TestSandbox::start().await;
    let records = sandbox.all_records().await;
    let current = records.iter().find(|record| record.status == Status::InCountry).unwrap();
    let other = records
        .iter()
        .find(|r| r.nationality == current.nationality && r.record_id != current.record_id);
    let path = format!("/admin/records/{}/passport", current.record_id);

    // Malformed numbers, the record's own and another record's are refused.
    let mut refused = vec![
        json!({ "document_number": "" }),
        json!({ "document_number": "ab1234567" }),
        json!({ "document_number": "A12345678901" }),
        json!({ "document_number": current.document_number }),
    ];
    if let Some(other) = other {
        refused.push(json!({ "document_number": other.document_number }));
    }
    for body in refused {
        let (status, problem) = sandbox.admin(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::CONFLICT, Some("change_refused")),
            "{body}"
        );
    }
    let (status, _) = sandbox.admin(Method::POST, &path, Some(json!({ "number": "X1" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The record moves to the new booklet under its own id; the old one is no longer found.
    let body = json!({ "document_number": "RENEW0001" });
    let (status, renewed) = sandbox.admin(Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["record_id"], current.record_id.as_str());
    let birth = current.date_of_birth.to_string();
    let (status, found) = sandbox.lookup(&current.nationality, "RENEW0001", &birth).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["record"]["record_id"], current.record_id.as_str());
    assert_eq!(found["record"]["permitted_stay_end"], renewed["permitted_stay_end"]);
    let (status, _) = sandbox.lookup_record(current).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(sandbox.feed(0, 500).await["changes"], json!([]));
}
