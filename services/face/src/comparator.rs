//! The face comparison provider interface: one selfie against one reference, a score back.

use std::{future::Future, pin::Pin};

use serde::{Deserialize, Serialize};

use crate::{FaceError, ReferenceImage, Selfie};

/// The future a [`FaceComparator`] returns, boxed so the trait works behind `Arc<dyn …>`.
pub type CompareFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Comparison, FaceError>> + Send + 'a>>;

/// What a provider said of one selfie against one reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The similarity, 0 (different people) to 1 (the same), on the provider's scale.
    pub score: f32,
    /// The provider's name, as configured (`sandbox` for [`crate::SandboxComparator`]).
    pub provider: String,
    /// The provider's model version, when it gave one.
    pub model_version: Option<String>,
}

/// A face comparison provider. Implementations make one attempt per call and never retry: the
/// caller's retry policy does, guided by [`FaceError::is_transient`].
///
/// ```
/// # use std::sync::Arc;
/// # use idproof_face::{FaceComparator, SandboxComparator};
/// let comparator: Arc<dyn FaceComparator> = Arc::new(SandboxComparator::default());
/// ```
pub trait FaceComparator: Send + Sync {
    /// Compares `selfie` with `reference`.
    fn compare<'a>(
        &'a self,
        selfie: &'a Selfie,
        reference: &'a ReferenceImage,
    ) -> CompareFuture<'a>;
}
