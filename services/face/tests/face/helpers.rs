//! Selfies and references from the synthetic chip faces of `idproof-test-passports`.

use std::{
    collections::HashMap,
    io::Cursor,
    sync::{LazyLock, Mutex},
};

use idproof_face::{MediaType, ReferenceImage, Selfie, SelfieLimits};
use idproof_test_passports::chip::face;
use image::ImageFormat;
use rand::{SeedableRng, rngs::StdRng};

/// The faces drawn so far: drawing and encoding one takes a while.
static FACES: LazyLock<Mutex<HashMap<u64, Vec<u8>>>> = LazyLock::new(Mutex::default);

/// The JPEG face the generator draws from `seed`, as it would be on a chip.
pub(crate) fn chip_face(seed: u64) -> Vec<u8> {
    let mut faces = FACES.lock().unwrap();
    let face = faces
        .entry(seed)
        .or_insert_with(|| face::portrait(&mut StdRng::seed_from_u64(seed)).unwrap());
    face.clone()
}

pub(crate) fn selfie(jpeg: Vec<u8>) -> Selfie {
    Selfie::parse(MediaType::Jpeg, jpeg, &SelfieLimits::default()).unwrap()
}

pub(crate) fn reference(jpeg: Vec<u8>) -> ReferenceImage {
    ReferenceImage::new(jpeg).unwrap()
}

/// The same picture, decoded and encoded again as PNG.
pub(crate) fn as_png(jpeg: &[u8]) -> Vec<u8> {
    let image = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap();
    let mut png = Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png).unwrap();
    png.into_inner()
}

/// The same picture, decoded and encoded again as JPEG at `quality`: a second generation.
pub(crate) fn re_encoded(jpeg: &[u8], quality: u8) -> Vec<u8> {
    let image = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(&image)
        .unwrap();
    bytes
}
