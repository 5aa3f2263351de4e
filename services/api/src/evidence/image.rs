//! MRZ images: which requests may carry one past the JSON body limit, and reading one before it
//! is stored.

use chrono::NaiveDate;
use idproof_passport::ocr::{self, ImageLimits, OcrError};
use idproof_proofing::{ApplicationId, MrzMediaType};
use poem::{Request, http::Method};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::problem::ApiError;

/// Whether a request carries an image: an MRZ image sent to `POST /v1/applications/{id}/mrz`,
/// or a selfie (base64 in JSON) sent to `POST /v1/applications/{id}/face`, the bodies that may
/// be as large as the image limit. The body limit is applied before routing, so the route is
/// recognised here by its method, path and media type.
pub(crate) fn is_image_upload(req: &Request) -> bool {
    is_mrz_image(req) || is_selfie(req)
}

/// A selfie sent to its route, as base64 in JSON.
fn is_selfie(req: &Request) -> bool {
    let is_json = req.content_type().is_some_and(|value| value.starts_with("application/json"));
    let names_face_route = req
        .uri()
        .path()
        .strip_prefix("/v1/applications/")
        .and_then(|rest| rest.strip_suffix("/face"))
        .is_some_and(|id| Uuid::try_parse(id).is_ok());
    req.method() == Method::POST && is_json && names_face_route
}

fn is_mrz_image(req: &Request) -> bool {
    let is_image = req
        .content_type()
        .and_then(|value| value.parse::<MrzMediaType>().ok())
        .is_some_and(|media_type| matches!(media_type, MrzMediaType::Jpeg | MrzMediaType::Png));
    let names_mrz_route = req
        .uri()
        .path()
        .strip_prefix("/v1/applications/")
        .and_then(|rest| rest.strip_suffix("/mrz"))
        .is_some_and(|id| Uuid::try_parse(id).is_ok());
    req.method() == Method::POST && is_image && names_mrz_route
}

/// Reads the MRZ in an image, as the workflow's MRZ step will, and gives the image back to be
/// stored when a zone is found, whatever its check digits say: that is the step's verdict to
/// make. An image that gives no zone is refused with the reader's code.
pub(super) async fn read(
    readers: &Semaphore,
    application_id: ApplicationId,
    image: Vec<u8>,
    today: NaiveDate,
) -> Result<Vec<u8>, ApiError> {
    let _turn = readers.acquire().await.map_err(ApiError::internal)?;

    // The worker reads with the same default limits, so an image taken here is read there.
    let read = tokio::task::spawn_blocking(move || {
        let read = ocr::read_mrz(&image, today, ImageLimits::default());
        (image, read.map(|_| ()))
    })
    .await
    .map_err(ApiError::internal)?;

    match read {
        (image, Ok(())) => Ok(image),
        (_, Err(err)) => {
            if let OcrError::Engine(detail) = &err {
                tracing::error!(%application_id, code = err.code(), %detail, "the MRZ reader failed");
            } else {
                tracing::info!(%application_id, code = err.code(), "MRZ image refused");
            }
            Err(ApiError::MrzImage(err))
        }
    }
}

#[cfg(test)]
mod tests {
    use poem::http::Method;

    use super::*;

    fn request(method: Method, path: &str, content_type: &str) -> Request {
        Request::builder().method(method).uri_str(path).content_type(content_type).finish()
    }

    #[test]
    fn only_images_posted_to_the_mrz_route_take_the_image_limit() {
        let id = Uuid::now_v7();
        let mrz = format!("/v1/applications/{id}/mrz");
        let cancel = format!("/v1/applications/{id}/cancel");

        assert!(is_image_upload(&request(Method::POST, &mrz, "image/jpeg")));
        assert!(is_image_upload(&request(Method::POST, &mrz, "image/png")));
        for (method, path, content_type) in [
            (Method::POST, mrz.as_str(), "application/json"),
            (Method::POST, mrz.as_str(), "image/gif"),
            (Method::PUT, mrz.as_str(), "image/png"),
            (Method::POST, cancel.as_str(), "image/png"),
            (Method::POST, "/v1/applications", "image/png"),
            (Method::POST, "/v1/applications/not-an-id/mrz", "image/png"),
            (Method::POST, "/v1/applications/../mrz", "image/png"),
        ] {
            let req = request(method.clone(), path, content_type);
            assert!(!is_image_upload(&req), "{method} {path} {content_type}");
        }
    }
}
