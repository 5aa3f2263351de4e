//! The push: each new change reaches the callback, retried while it fails.

use std::time::Duration;

use idproof_immigration_sandbox::SandboxConfig;
use idproof_immigration_sandbox::records::Status;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::TestSandbox;

async fn received(server: &MockServer, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let requests = server.received_requests().await.unwrap();
        if requests.len() >= count {
            return requests.iter().map(|request| request.body_json().unwrap()).collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the callback did not receive {count} pushes");
}

#[tokio::test]
async fn each_change_is_pushed_as_the_feed_has_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/stay-changes"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let callback_url = Some(format!("{}/stay-changes", server.uri()));
    let sandbox =
        TestSandbox::start_with(SandboxConfig { callback_url, ..SandboxConfig::ephemeral() }).await;

    let records = sandbox.all_records().await;
    let current: Vec<_> =
        records.iter().filter(|r| r.status == Status::InCountry).take(2).collect();
    for record in &current {
        let path = format!("/admin/records/{}/bar", record.record_id);
        assert_eq!(sandbox.admin(Method::POST, &path, None).await.0, StatusCode::OK);
    }

    let pushed = received(&server, 2).await;
    let (_, feed) = sandbox.get("/v1/stay-changes").await;
    assert_eq!(pushed, feed["changes"].as_array().unwrap().clone());
}

#[tokio::test]
async fn a_failing_callback_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let sandbox = TestSandbox::start_with(SandboxConfig {
        callback_url: Some(server.uri()),
        ..SandboxConfig::ephemeral()
    })
    .await;

    let record =
        sandbox.all_records().await.into_iter().find(|r| r.status == Status::InCountry).unwrap();
    let path = format!("/admin/records/{}/overstay", record.record_id);
    assert_eq!(sandbox.admin(Method::POST, &path, None).await.0, StatusCode::OK);

    let pushed = received(&server, 2).await;
    assert_eq!(pushed[0], pushed[1]);
    assert_eq!(pushed[1]["kind"], "overstayed");
}
