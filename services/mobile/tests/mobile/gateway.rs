use std::{
    error::Error,
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

use idproof_mobile::{
    AuthHeader, ConsoleGateway, HttpGatewayConfig, HttpJsonGateway, MobileNumber, SmsError,
    SmsGateway,
};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

const TEMPLATE: &str =
    r#"{"from": "idproof", "to": "{to_digits}", "e164": "{to}", "body": "{text}", "n": 1}"#;

/// A text with everything JSON must escape, and a placeholder that must stay as it is.
const TEXT: &str = "idproof: your code is 042001. \"Quote\" \\ {to}\nรหัส";

fn number() -> MobileNumber {
    MobileNumber::parse("0812345678").unwrap()
}

fn gateway(server: &MockServer, timeout_ms: u64) -> HttpJsonGateway {
    HttpJsonGateway::new(HttpGatewayConfig {
        endpoint: format!("{}/v1/sms", server.uri()),
        auth_header: Some(AuthHeader {
            name: "Authorization".into(),
            value: "Bearer s3cret".into(),
        }),
        body_template: TEMPLATE.into(),
        message_id_pointer: Some("/messages/0/id".into()),
        timeout_ms,
    })
    .unwrap()
}

/// Checks that the error, its `Debug` and its chain leave out the number and the secret.
fn checked(error: &SmsError) -> &'static str {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }

    for text in &texts {
        for secret in ["812345678", "s3cret", "042001"] {
            assert!(!text.contains(secret), "{secret} leaks in {text}");
        }
    }
    error.code()
}

#[tokio::test]
async fn a_message_is_posted_with_the_template_filled_and_the_auth_header() {
    let server = MockServer::start().await;
    let expected = json!({
        "from": "idproof", "to": "66812345678", "e164": "+66812345678", "body": TEXT, "n": 1
    });
    Mock::given(method("POST"))
        .and(path("/v1/sms"))
        .and(header("authorization", "Bearer s3cret"))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "m-17"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let gateway: Arc<dyn SmsGateway> = Arc::new(gateway(&server, 2_000));
    let sent = gateway.send(&number(), TEXT).await.unwrap();

    assert_eq!(sent.gateway_message_id.as_deref(), Some("m-17"));
    let raw = &server.received_requests().await.unwrap()[0].body;
    assert!(String::from_utf8_lossy(raw).contains(r#"\"Quote\" \\ {to}\n"#));
}

#[tokio::test]
async fn a_success_without_a_readable_id_is_still_a_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_string("queued"))
        .mount(&server)
        .await;

    let sent = gateway(&server, 2_000).send(&number(), TEXT).await.unwrap();
    assert_eq!(sent.gateway_message_id, None);
}

#[tokio::test]
async fn a_400_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": "bad number 66812345678"})),
        )
        .mount(&server)
        .await;

    let error = gateway(&server, 2_000).send(&number(), TEXT).await.unwrap_err();

    assert_eq!(checked(&error), "sms.rejected");
    assert!(!error.is_transient());
    assert_eq!(error.to_string(), "the SMS gateway refused the message with 400 Bad Request");
}

#[tokio::test]
async fn a_500_is_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;

    let error = gateway(&server, 2_000).send(&number(), TEXT).await.unwrap_err();

    assert_eq!(checked(&error), "sms.unavailable");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), None);
}

#[tokio::test]
async fn a_429_is_transient_with_its_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .mount(&server)
        .await;

    let error = gateway(&server, 2_000).send(&number(), TEXT).await.unwrap_err();

    assert_eq!(checked(&error), "sms.rate_limited");
    assert!(error.is_transient());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn a_slow_answer_past_the_timeout_is_a_transient_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let error = gateway(&server, 300).send(&number(), TEXT).await.unwrap_err();

    assert_eq!(checked(&error), "sms.timeout");
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    // A port just freed: nothing listens there. (A dropped MockServer goes back to a pool and
    // still answers.)
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gateway = HttpJsonGateway::new(HttpGatewayConfig {
        endpoint: format!("http://127.0.0.1:{port}/v1/sms"),
        auth_header: None,
        body_template: TEMPLATE.into(),
        message_id_pointer: None,
        timeout_ms: 2_000,
    })
    .unwrap();

    let error = gateway.send(&number(), TEXT).await.unwrap_err();

    assert_eq!(checked(&error), "sms.unavailable");
    assert!(error.is_transient());
}

#[test]
fn a_bad_configuration_is_refused_at_start_up() {
    let config = |endpoint: &str, template: &str, header: &str| HttpGatewayConfig {
        endpoint: endpoint.into(),
        auth_header: Some(AuthHeader { name: header.into(), value: "v".into() }),
        body_template: template.into(),
        message_id_pointer: None,
        timeout_ms: 1_000,
    };

    for bad in [
        config("ftp://sms.example", TEMPLATE, "X-Key"),
        config("not a url", TEMPLATE, "X-Key"),
        config("https://sms.example", r#"{"to": "{to}"}"#, "X-Key"),
        config("https://sms.example", TEMPLATE, "bad header"),
    ] {
        let error = HttpJsonGateway::new(bad).unwrap_err();
        assert_eq!(error.code(), "sms.configuration");
        assert!(!error.is_transient());
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_console_gateway_logs_the_code_and_masks_the_number() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let gateway: Arc<dyn SmsGateway> = Arc::new(ConsoleGateway);
    gateway.send(&number(), "idproof: your code is 042001.").await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("042001"), "{log}");
    assert!(log.contains("+66 8x xxx x678"), "{log}");
    assert!(!log.contains("812345678"), "{log}");
}
