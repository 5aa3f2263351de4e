//! The face step's comparison: a selfie and its liveness result against the chip's DG2 image,
//! through a face comparison provider, with the score and the threshold it was held to.
//!
//! The steps, as the API and the workflow run them:
//!
//! 1. [`Selfie::parse`] checks the upload (type, size, dimensions from the header, not cut
//!    short) and [`LivenessResult::check`] the capture app's report, at the time received;
//! 2. [`ReferenceImage::new`] takes the chip's DG2 image (JPEG or JPEG 2000);
//! 3. a [`FaceComparator`] ([`HttpComparator`] for a provider under our contract, PROVIDER.md;
//!    [`SandboxComparator`] in `idproof dev`) gives a [`Comparison`];
//! 4. [`FacePolicy::decide`] turns both into a [`FaceVerdict`]: passed, flagged for an officer
//!    (a low score, a failed liveness), or failed (a capture to take again), always with the
//!    score and the threshold.
//!
//! Comparators make one attempt and never retry: the caller's retry policy does, guided by
//! [`FaceError::is_transient`] and [`FaceError::retry_after`]. Every fault has a stable
//! [`FaceError::code`]. Biometric data is sensitive (PDPA section 26): no image, byte of one,
//! or score reaches an error message, a log line or a `Debug` output from this crate.

#![warn(missing_docs)]

mod comparator;
mod error;
mod http;
mod liveness;
mod reference;
mod sandbox;
mod selfie;
mod verdict;

pub use comparator::{CompareFuture, Comparison, FaceComparator};
pub use error::{AnswerFault, FaceError};
pub use http::{AuthHeader, HttpComparator, HttpComparatorConfig};
pub use liveness::LivenessResult;
pub use reference::{MAX_REFERENCE_BYTES, ReferenceFormat, ReferenceImage};
pub use sandbox::{MODEL_VERSION as SANDBOX_MODEL_VERSION, SANDBOX_PROVIDER, SandboxComparator};
pub use selfie::{MediaType, Selfie, SelfieLimits};
pub use verdict::{FacePolicy, FaceVerdict, LOW_SCORE};
