//! The same registry on PostgreSQL: tables made at start, seeding once, a change and its feed
//! entry, a lookup.

use idproof_immigration_sandbox::SandboxConfig;
use idproof_immigration_sandbox::records::Status;
use idproof_testkit::PostgresServer;
use reqwest::{Method, StatusCode};

use crate::TestSandbox;

#[tokio::test]
async fn the_registry_runs_on_postgresql() {
    let server = tokio::task::spawn_blocking(PostgresServer::start).await.unwrap().unwrap();
    let database = server.fresh_database().await.unwrap();
    let config = SandboxConfig { database_url: database.url.clone(), ..SandboxConfig::ephemeral() };

    let first = TestSandbox::start_with(config.clone()).await;
    assert_eq!(first.running.seeded.inserted as usize, first.running.seeded.people);
    let again = TestSandbox::start_with(config).await;
    assert_eq!(again.running.seeded.inserted, 0);

    let records = again.all_records().await;
    assert_eq!(records.len(), first.running.seeded.people);
    let current = records.iter().find(|record| record.status == Status::InCountry).unwrap();
    let path = format!("/admin/records/{}/bar", current.record_id);
    let (status, changed) = again.admin(Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{changed}");

    let (_, feed) = first.get("/v1/stay-changes?after=0").await;
    assert_eq!(feed["changes"].as_array().unwrap().len(), 1);
    assert_eq!(feed["next_cursor"], changed["change"]["cursor"]);
    let (status, found) = first.lookup_record(current).await;
    assert_eq!((status, found["record"]["status"].as_str()), (StatusCode::OK, Some("barred")));
    database.drop_database().await.unwrap();
}
