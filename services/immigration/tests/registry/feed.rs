//! `GET /v1/stay-changes`: a page of the feed, and a page that breaks the contract.

use idproof_immigration::{AnswerFault, ChangeKind, RegistryError};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, query_param},
};

use crate::helpers::{checked, client};

fn page(next_cursor: u64, kinds: &[&str]) -> Value {
    let changes: Vec<Value> = kinds
        .iter()
        .zip(42_u64..)
        .map(|(kind, cursor)| {
            json!({
                "cursor": cursor,
                "record_id": "IMM-000042",
                "nationality": "D",
                "document_number": "C01X00T47",
                "kind": kind,
                "changed_at": "2026-01-15T09:30:00+07:00"
            })
        })
        .collect();
    json!({"changes": changes, "next_cursor": next_cursor})
}

async fn feed(after: &str, limit: &str, answer: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/stay-changes"))
        .and(query_param("after", after))
        .and(query_param("limit", limit))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_page_of_changes_is_read_in_order() {
    let server = feed("41", "100", page(43, &["extended", "departed"])).await;

    let page = client(&server.uri()).stay_changes(41, 100).await.unwrap();

    assert_eq!(page.next_cursor, 43);
    let kinds: Vec<_> = page.changes.iter().map(|c| (c.cursor, c.kind.clone())).collect();
    assert_eq!(kinds, [(42, ChangeKind::Extended), (43, ChangeKind::Departed)]);
    assert_eq!(page.changes[0].document_number.as_str(), "C01X00T47");
}

#[tokio::test]
async fn the_limit_is_kept_within_the_contract() {
    let server = feed("0", "500", page(0, &[])).await;

    let page = client(&server.uri()).stay_changes(0, 9999).await.unwrap();

    assert!(page.changes.is_empty());
}

#[tokio::test]
async fn an_unknown_kind_is_kept_so_the_feed_goes_on() {
    let server = feed("41", "10", page(42, &["visa_revoked"])).await;

    let page = client(&server.uri()).stay_changes(41, 10).await.unwrap();

    assert_eq!(page.changes[0].kind, ChangeKind::Other("visa_revoked".to_owned()));
}

#[tokio::test]
async fn a_cursor_that_goes_back_is_an_unexpected_answer() {
    let server = feed("41", "10", page(7, &[])).await;

    let error = client(&server.uri()).stay_changes(41, 10).await.unwrap_err();

    assert_eq!(checked(&error), "registry.unexpected_answer");
    assert!(matches!(
        error,
        RegistryError::UnexpectedAnswer { fault: AnswerFault::CursorWentBack, .. }
    ));
}

#[tokio::test]
async fn a_change_of_another_shape_is_refused_without_quoting_it() {
    let mut answer = page(42, &["entered"]);
    answer["changes"][0]["cursor"] = json!("C01X00T47");

    let server = feed("41", "10", answer).await;
    let error = client(&server.uri()).stay_changes(41, 10).await.unwrap_err();

    assert_eq!(checked(&error), "registry.unexpected_answer");
    let expected = AnswerFault::Shape { path: "changes[0].cursor".to_owned() };
    assert!(matches!(error, RegistryError::UnexpectedAnswer { fault, .. } if fault == expected));
}
