//! The selfie as the capture app sends it, checked before anything compares it: the magic bytes
//! of the declared type, the byte size, the dimensions read from the header alone, and an
//! image that is not cut short.

use std::{fmt, io::Cursor};

use image::{ImageFormat, ImageReader};
use serde::{Deserialize, Serialize};

use crate::FaceError;

/// The selfie's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
}

impl MediaType {
    /// The MIME type, e.g. `image/jpeg`.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The media type of a MIME type (parameters ignored, case-insensitive).
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            _ => None,
        }
    }

    fn magic(self) -> &'static [u8] {
        match self {
            Self::Jpeg => &[0xFF, 0xD8, 0xFF],
            Self::Png => b"\x89PNG\r\n\x1a\n",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
        }
    }
}

/// The bounds a selfie is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfieLimits {
    /// The largest file, in bytes. Default 5 MiB.
    pub max_bytes: usize,
    /// The smallest width and height, in pixels. Default 240: below it a face has too few
    /// pixels to compare.
    pub min_side: u32,
    /// The largest width or height, in pixels. Default 8192.
    pub max_side: u32,
    /// The most pixels (width × height). Default 40 million: a decoder's memory bound.
    pub max_pixels: u64,
}

impl Default for SelfieLimits {
    fn default() -> Self {
        Self { max_bytes: 5 * 1024 * 1024, min_side: 240, max_side: 8192, max_pixels: 40_000_000 }
    }
}

/// A selfie that passed [`Selfie::parse`]: its declared type matches its bytes, and its size and
/// dimensions are within [`SelfieLimits`]. Its `Debug` shows no image data.
#[derive(Clone, PartialEq, Eq)]
pub struct Selfie {
    media_type: MediaType,
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

impl fmt::Debug for Selfie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selfie")
            .field("media_type", &self.media_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl Selfie {
    /// Checks `bytes` as a selfie of the declared `media_type`. Only the header is decoded;
    /// the pixels are left to the comparator.
    ///
    /// Refuses with `face.selfie_too_small` (empty, or a side under the minimum),
    /// `face.selfie_too_large` (over the byte, side or pixel bound) or `face.selfie_format`
    /// (magic bytes of another type, an unreadable header, or an image cut short).
    pub fn parse(
        media_type: MediaType,
        bytes: Vec<u8>,
        limits: &SelfieLimits,
    ) -> Result<Self, FaceError> {
        let expected = media_type.mime();
        if bytes.is_empty() {
            return Err(FaceError::SelfieTooSmall { what: "no bytes".to_owned() });
        }

        if bytes.len() > limits.max_bytes {
            let what = format!("{} bytes, over {}", bytes.len(), limits.max_bytes);
            return Err(FaceError::SelfieTooLarge { what });
        }

        if !bytes.starts_with(media_type.magic()) {
            let reason = "its first bytes are not the type's signature";
            return Err(FaceError::SelfieFormat { expected, reason });
        }

        let (width, height) = header_dimensions(media_type, &bytes)?;
        check_dimensions(width, height, limits)?;

        if !ends_whole(media_type, &bytes) {
            let reason = "it is cut short (no end marker)";
            return Err(FaceError::SelfieFormat { expected, reason });
        }

        Ok(Self { media_type, bytes, width, height })
    }

    /// The media type.
    pub fn media_type(&self) -> MediaType {
        self.media_type
    }

    /// The encoded image.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The width in pixels, from the header.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The height in pixels, from the header.
    pub fn height(&self) -> u32 {
        self.height
    }
}

/// Width and height from the header alone.
fn header_dimensions(media_type: MediaType, bytes: &[u8]) -> Result<(u32, u32), FaceError> {
    let reader = ImageReader::with_format(Cursor::new(bytes), media_type.image_format());

    reader.into_dimensions().map_err(|_| FaceError::SelfieFormat {
        expected: media_type.mime(),
        reason: "its header cannot be read",
    })
}

fn check_dimensions(width: u32, height: u32, limits: &SelfieLimits) -> Result<(), FaceError> {
    let pixels = u64::from(width) * u64::from(height);
    if width > limits.max_side || height > limits.max_side || pixels > limits.max_pixels {
        let what = format!(
            "{width} × {height} pixels, over {} per side or {} in all",
            limits.max_side, limits.max_pixels
        );
        return Err(FaceError::SelfieTooLarge { what });
    }

    if width < limits.min_side || height < limits.min_side {
        let what = format!("{width} × {height} pixels, under {} per side", limits.min_side);
        return Err(FaceError::SelfieTooSmall { what });
    }

    Ok(())
}

/// Whether the image ends as its format ends: JPEG's EOI marker (trailing zero padding
/// allowed), PNG's IEND chunk.
fn ends_whole(media_type: MediaType, bytes: &[u8]) -> bool {
    const IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

    match media_type {
        MediaType::Jpeg => {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1);
            bytes[..end].ends_with(&[0xFF, 0xD9])
        }
        MediaType::Png => bytes.ends_with(&IEND),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use image::{ImageEncoder, RgbImage, codecs::jpeg::JpegEncoder, codecs::png::PngEncoder};

    use super::*;

    pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 80).encode_image(&image).unwrap();
        bytes
    }

    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, 30, y as u8]));
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    /// A small PNG whose header claims `width` × `height`, its CRC fixed: a decompression bomb.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn code(media_type: MediaType, bytes: Vec<u8>, limits: &SelfieLimits) -> &'static str {
        let error = Selfie::parse(media_type, bytes, limits).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(shown.len() < 200, "{shown}");
        assert!(!shown.contains("255, 216") && !shown.contains("0xFF"), "{shown}");
        error.code()
    }

    #[test]
    fn well_formed_jpeg_and_png_selfies_are_kept_with_their_dimensions() {
        let limits = SelfieLimits::default();

        let selfie = Selfie::parse(MediaType::Jpeg, jpeg(300, 400), &limits).unwrap();
        assert_eq!((selfie.width(), selfie.height()), (300, 400));
        assert_eq!(selfie.media_type().mime(), "image/jpeg");

        let selfie = Selfie::parse(MediaType::Png, png(480, 640), &limits).unwrap();
        assert_eq!((selfie.width(), selfie.height()), (480, 640));
        assert!(format!("{selfie:?}").contains("bytes>"));
    }

    #[test]
    fn hostile_selfies_are_refused_with_stable_codes() {
        let limits = SelfieLimits::default();
        let whole = jpeg(300, 400);
        let truncated = whole[..whole.len() / 2].to_vec();
        let whole_png = png(300, 400);
        let truncated_png = whole_png[..whole_png.len() - 20].to_vec();
        let mut garbage = vec![0xFF, 0xD8, 0xFF];
        garbage.extend([0x42; 64]);
        let small = SelfieLimits { max_bytes: 1000, ..limits };

        assert_eq!(code(MediaType::Jpeg, Vec::new(), &limits), "face.selfie_too_small");
        assert_eq!(code(MediaType::Jpeg, whole.clone(), &small), "face.selfie_too_large");
        assert_eq!(code(MediaType::Jpeg, png(300, 400), &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Png, whole, &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Jpeg, b"GIF89a....".to_vec(), &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Jpeg, truncated, &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Png, truncated_png, &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Jpeg, garbage, &limits), "face.selfie_format");
        assert_eq!(code(MediaType::Jpeg, jpeg(100, 400), &limits), "face.selfie_too_small");
        assert_eq!(
            code(MediaType::Png, png_claiming(100_000, 100_000), &limits),
            "face.selfie_too_large"
        );
        assert_eq!(code(MediaType::Png, png_claiming(9000, 300), &limits), "face.selfie_too_large");
        assert_eq!(
            code(MediaType::Png, png_claiming(7000, 7000), &limits),
            "face.selfie_too_large"
        );
    }

    #[test]
    fn media_types_read_from_mime_types() {
        assert_eq!(MediaType::from_mime("image/JPEG; q=1"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::from_mime("image/png"), Some(MediaType::Png));
        assert_eq!(MediaType::from_mime("image/gif"), None);
    }
}
