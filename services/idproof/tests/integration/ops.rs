//! Probes, metrics, the Swagger UI and the committed OpenAPI document.

use reqwest::{Method, StatusCode};

use crate::support::{Backend, TestApp, on_both_databases};

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/idproof.json");
    let committed = std::fs::read_to_string(path).expect("openapi/idproof.json is committed");
    let generated = idproof_api::openapi_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/idproof.json is stale: run `just openapi` and commit the result"
    );
}

on_both_databases! {
    async fn probes_metrics_and_docs_answer(backend: Backend) {
        let app = TestApp::spawn(backend).await;

        let healthz = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
        let (ready, _, readiness) = app.request(Method::GET, "/readyz", None, None, &[]).await;
        app.request(Method::GET, "/v1/applications/00000000-0000-0000-0000-000000000000", Some(&app.api_key), None, &[]).await;
        let metrics = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
        let docs = app.http.get(format!("{}/docs", app.base)).send().await.unwrap();

        assert_eq!(healthz.status(), StatusCode::OK);
        assert_eq!(ready, StatusCode::OK);
        assert_eq!(readiness, serde_json::json!({"database": true, "temporal": true}));
        assert!(metrics.contains(r#"idproof_http_requests_total{method="GET",operation="application_get",status="404"} 1"#), "{metrics}");
        assert_eq!(docs.status(), StatusCode::OK);
        assert!(docs.text().await.unwrap().contains("swagger"));
        app.stop().await;
    }
}
