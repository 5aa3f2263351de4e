//! `POST /v1/applications/{id}/mrz` with an image of the data page as the body: read at once,
//! stored encrypted when a zone is found, and judged again by the workflow's MRZ step.

use std::io::Cursor;

use idproof_proofing::EvidenceId;
use idproof_test_passports::hostile::png_declaring;
use image::{GrayImage, ImageFormat, Luma};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{T1, body, mrz_step, submit};
use crate::support::{Backend, TestApp, on_both_databases, passport_lines};

/// A clean passport data page of the synthetic corpus, expiring 2033-07-03, whose zone the reader
/// finds with every check holding as of this test's writing. The corpus is regenerated as the
/// reader improves: if the API stops finding a zone here, pick another clean image that
/// `idproof passport mrz` reads.
const GOOD_JPEG: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-passports/corpus/clean/0000-td3.jpg");

/// The verdicts an image of a well-formed zone may end with: passed, flagged for an officer when
/// a field was read uncertainly, or failed by a check (`mrz.expired` once the specimen expires).
/// The reader is still being improved, so the test does not pin which.
fn is_verdict_on_a_zone(step: &Value) -> bool {
    match (step["verdict"].as_str(), step["reason"].as_str()) {
        (Some("passed"), Some("mrz_valid")) | (Some("flagged"), Some("mrz.low_confidence")) => true,
        (Some("failed"), Some(reason)) => reason.starts_with("mrz.") && reason != "mrz.not_found",
        _ => false,
    }
}

async fn send_image(
    app: &TestApp,
    id: &str,
    content_type: &str,
    image: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let response = app
        .http
        .post(format!("{}/v1/applications/{id}/mrz", app.base))
        .header("X-Api-Key", &app.api_key)
        .header("Content-Type", content_type)
        .body(image)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status != StatusCode::ACCEPTED {
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(content_type, "application/problem+json", "{status}");
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

on_both_databases! {
    async fn an_image_of_the_data_page_is_stored_as_sent_and_judged(backend: Backend) {
        // JSON bodies are held to 64 KiB here; the images, over 100 KiB, still go through.
        let app = TestApp::spawn_with(backend, |config| config.http.body_limit_bytes = 64 * 1024).await;
        let jpeg = std::fs::read(GOOD_JPEG).unwrap();
        let png = encode(&image::load_from_memory(&jpeg).unwrap(), ImageFormat::Png);

        for (content_type, image) in [("image/jpeg", jpeg), ("image/png", png)] {
            let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
            let (status, accepted) = send_image(&app, &id, content_type, image.clone()).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{content_type}: {accepted}");
            assert_eq!(accepted["kind"], "mrz");

            let step = mrz_step(&app, &id).await;
            assert!(is_verdict_on_a_zone(&step), "{content_type}: {step}\n{}", app.worker_logs());

            let evidence_id: uuid::Uuid = accepted["evidence_id"].as_str().unwrap().parse().unwrap();
            let stored = app.store.open_evidence(EvidenceId::from(evidence_id)).await.unwrap();
            assert_eq!(stored.content_type, content_type);
            assert!(stored.content == image, "{content_type}: the image is stored as sent");
        }
        app.stop().await;
    }

    async fn images_that_give_no_zone_are_refused_and_nothing_is_stored(backend: Backend) {
        let app = TestApp::spawn_with(backend, |config| {
            config.http.body_limit_bytes = 2 * 1024;
            config.evidence.image_limit_bytes = 8 * 1024;
        })
        .await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        app.wait_for_status(&id, "awaiting_evidence", std::time::Duration::from_secs(30)).await;
        let jpeg = std::fs::read(GOOD_JPEG).unwrap();
        // Cut inside the header, before the scan begins, and inside the scan, where a decoder
        // would fill the missing part with grey: both are cut-off uploads.
        let header_cut = jpeg[..200].to_vec();
        let scan_cut = jpeg[..4000].to_vec();
        let blank = encode(&GrayImage::from_pixel(600, 200, Luma([255])).into(), ImageFormat::Png);
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let over_limit = vec![0u8; 12 * 1024];
        let evidence_before = app.count("evidence").await;
        let audit_before = app.count("audit_event").await;

        for (content_type, image, status, code) in [
            ("image/png", b"P<UTOERIKSSON<<ANNA<MARIA".to_vec(), 415, "image.unsupported"),
            ("image/jpeg", header_cut, 400, "image.truncated"),
            ("image/jpeg", scan_cut, 400, "image.truncated"),
            ("image/png", gif.clone(), 415, "image.unsupported"),
            ("image/gif", gif, 415, "unsupported_media_type"),
            ("image/png", png_declaring(60_000, 60_000), 413, "image.too_large"),
            ("image/png", blank, 422, "mrz.not_found"),
            ("image/jpeg", over_limit.clone(), 413, "payload_too_large"),
        ] {
            let (actual, problem) = send_image(&app, &id, content_type, image).await;
            assert_eq!((actual.as_u16(), problem["code"].as_str()), (status, Some(code)), "{problem}");
            assert!(!problem["detail"].as_str().unwrap().is_empty());
        }

        // Streamed without a length, an image over the limit is cut off as it arrives.
        let chunks = over_limit.chunks(1024).map(|chunk| Ok::<_, std::io::Error>(chunk.to_vec()));
        let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks.collect::<Vec<_>>()));
        let (actual, problem) = send_image(&app, &id, "image/png", stream).await;
        assert_eq!((actual, problem["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));

        // The image limit is this route's: elsewhere, and for JSON here, the body limit holds.
        let padded = format!(r#"{{"lines":["{}"]}}"#, "<".repeat(4 * 1024));
        let (actual, problem) = submit(&app, &id, &app.api_key, &padded).await;
        assert_eq!((actual, problem["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
        let elsewhere = app.http.post(format!("{}/v1/applications/{id}/cancel", app.base))
            .header("X-Api-Key", &app.api_key).header("Content-Type", "image/png")
            .body(vec![0u8; 4 * 1024]).send().await.unwrap();
        assert_eq!(elsewhere.status(), StatusCode::PAYLOAD_TOO_LARGE);

        assert_eq!(app.count("evidence").await, evidence_before);
        assert_eq!(app.count("audit_event").await, audit_before);
        // Nor was the workflow signalled: the first MRZ it judges is the one sent now.
        let [line1, line2] = passport_lines();
        let (status, _) = submit(&app, &id, &app.api_key, &body(&[&line1, &line2])).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let step = mrz_step(&app, &id).await;
        assert_eq!((step["attempt"].as_i64(), step["reason"].as_str()), (Some(1), Some("mrz_valid")));
        let steps = app.get_application(&id).await["steps"].clone();
        let steps: Vec<&str> = steps.as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        // One MRZ verdict only; the registry may already have been asked after it.
        assert_eq!(&steps[..2], ["intake", "mrz"], "{}", json!(steps));
        assert_eq!(steps.iter().filter(|step| **step == "mrz").count(), 1, "{}", json!(steps));
        app.stop().await;
    }
}
