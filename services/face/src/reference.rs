//! The reference: the face image read from the chip's DG2 (`idproof_passport::lds::Dg2`),
//! JPEG or JPEG 2000 as Doc 9303 allows.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FaceError;

/// The largest reference accepted. Chips hold 15 to 30 kB; 1 MiB leaves room for odd issuers.
pub const MAX_REFERENCE_BYTES: usize = 1024 * 1024;

/// The reference image's coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceFormat {
    /// JPEG (ISO/IEC 10918), `image/jpeg`.
    Jpeg,
    /// JPEG 2000 (ISO/IEC 15444), as a JP2 file or a bare codestream, `image/jp2`.
    Jpeg2000,
}

impl ReferenceFormat {
    /// The MIME type sent to a provider.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
        }
    }

    /// The format the first bytes of `image` show.
    pub fn detect(image: &[u8]) -> Option<Self> {
        const JP2_SIGNATURE: [u8; 12] =
            [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
        const CODESTREAM: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];

        if image.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if image.starts_with(&JP2_SIGNATURE) || image.starts_with(&CODESTREAM) {
            Some(Self::Jpeg2000)
        } else {
            None
        }
    }
}

/// The chip's face image, its format known from its bytes. Its `Debug` shows no image data.
#[derive(Clone, PartialEq, Eq)]
pub struct ReferenceImage {
    format: ReferenceFormat,
    bytes: Vec<u8>,
}

impl fmt::Debug for ReferenceImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReferenceImage")
            .field("format", &self.format)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

impl ReferenceImage {
    /// Takes DG2's image bytes (e.g. `Dg2::first_image()?.bytes`). Refuses with
    /// `face.reference_format` bytes that are neither JPEG nor JPEG 2000, or over
    /// [`MAX_REFERENCE_BYTES`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, FaceError> {
        if bytes.len() > MAX_REFERENCE_BYTES {
            return Err(FaceError::ReferenceFormat { reason: "it is over 1 MiB" });
        }

        let Some(format) = ReferenceFormat::detect(&bytes) else {
            return Err(FaceError::ReferenceFormat { reason: "it is neither JPEG nor JPEG 2000" });
        };

        Ok(Self { format, bytes })
    }

    /// The format.
    pub fn format(&self) -> ReferenceFormat {
        self.format
    }

    /// The encoded image.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
