//! Drawing a document's data page: paper with a security print, a portrait, the visual zone
//! in a proportional face, and the machine readable zone in OCR-B at 10 characters per inch.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use anyhow::Context;
use image::{GrayImage, Luma};
use rand::Rng;

use crate::document::{Document, Layout};
use crate::zone;

/// Debian's fonts-ocr-b: the face Doc 9303-3 prescribes for the zone.
pub const OCR_B: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";
/// Debian's fonts-dejavu-core: the visual zone's face.
pub const VISUAL_FACE: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Doc 9303-3, 4.4: ten characters per 25.4 mm.
const MRZ_PITCH_MM: f32 = 2.54;

/// The two faces a page is drawn with.
pub struct Faces {
    mrz: FontVec,
    visual: FontVec,
}

impl Faces {
    /// Loads both faces from Debian's font packages.
    pub fn load() -> anyhow::Result<Self> {
        let load = |path: &str| -> anyhow::Result<FontVec> {
            let data = std::fs::read(path).with_context(|| {
                format!("reading {path}: install fonts-ocr-b and fonts-dejavu-core")
            })?;
            FontVec::try_from_vec(data).with_context(|| format!("{path} is not a font"))
        };
        Ok(Self { mrz: load(OCR_B)?, visual: load(VISUAL_FACE)? })
    }
}

/// Draws the data page of `document` at `dpi`, upright and evenly lit, as a flatbed scan
/// sees it.
pub fn draw(faces: &Faces, document: &Document, dpi: f32, rng: &mut impl Rng) -> GrayImage {
    let px_per_mm = dpi / 25.4;
    let (width_mm, height_mm) = document.layout.size_mm();
    let (width, height) =
        ((width_mm * px_per_mm).round() as u32, (height_mm * px_per_mm).round() as u32);
    let mut page = GrayImage::from_pixel(width, height, Luma([rng.random_range(236..=250)]));

    security_print(&mut page, px_per_mm, rng);
    portrait(&mut page, document.layout, px_per_mm, rng);
    visual_zone(&mut page, faces, document, px_per_mm, rng);
    machine_readable_zone(&mut page, faces, document, px_per_mm, rng);
    page
}

/// Fine wavy lines across the page, lighter than any text, as guilloches are.
fn security_print(page: &mut GrayImage, px_per_mm: f32, rng: &mut impl Rng) {
    let (width, height) = page.dimensions();
    let waves = rng.random_range(10..20);
    for _ in 0..waves {
        let base = rng.random_range(0.0..height as f32);
        let amplitude = rng.random_range(2.0..8.0) * px_per_mm;
        let period = rng.random_range(15.0..50.0) * px_per_mm;
        let phase = rng.random_range(0.0..std::f32::consts::TAU);
        let shade = rng.random_range(205..228);
        for x in 0..width {
            let y = base + amplitude * (x as f32 / period * std::f32::consts::TAU + phase).sin();
            for thickness in 0..(px_per_mm * 0.15).ceil() as i64 {
                darken(page, i64::from(x), y as i64 + thickness, shade);
            }
        }
    }
}

/// A portrait: a grey frame with a darker head and shoulders, the biggest dark shape on a page.
fn portrait(page: &mut GrayImage, layout: Layout, px_per_mm: f32, rng: &mut impl Rng) {
    let (_, height_mm) = layout.size_mm();
    let top_mm = if layout == Layout::Td3 { 12.0 } else { 8.0 };
    let zone_mm = mrz_zone_height_mm(layout);
    let (x0, y0) = (4.0 * px_per_mm, top_mm * px_per_mm);
    let photo_height = (height_mm - zone_mm - top_mm - 3.0).max(10.0) * px_per_mm;
    let photo_width = photo_height * 0.78;
    let background = rng.random_range(170..215);
    let skin = rng.random_range(90..170);
    for y in y0 as u32..(y0 + photo_height) as u32 {
        for x in x0 as u32..(x0 + photo_width) as u32 {
            let (dx, dy) = ((x as f32 - x0) / photo_width - 0.5, (y as f32 - y0) / photo_height);
            let head = (dx / 0.28).powi(2) + ((dy - 0.38) / 0.3).powi(2) <= 1.0;
            let shoulders = dy > 0.72 && dx.abs() < 0.45;
            darken(
                page,
                i64::from(x),
                i64::from(y),
                if head || shoulders { skin } else { background },
            );
        }
    }
}

/// Labels and values to the right of the portrait, as the data page prints them.
fn visual_zone(
    page: &mut GrayImage,
    faces: &Faces,
    document: &Document,
    px_per_mm: f32,
    rng: &mut impl Rng,
) {
    let (_, height_mm) = document.layout.size_mm();
    let label = PxScale::from(1.6 * px_per_mm);
    let value = PxScale::from(2.6 * px_per_mm);
    let ink = rng.random_range(20..70);
    let x =
        (4.0 + (height_mm - mrz_zone_height_mm(document.layout) - 11.0) * 0.78 + 5.0) * px_per_mm;

    let title = match document.layout {
        Layout::Td3 => "PASSPORT / PASSEPORT",
        Layout::Td1 | Layout::Td2 => "IDENTITY CARD / CARTE D'IDENTITÉ",
        Layout::MrvA | Layout::MrvB => "VISA",
    };
    text(page, &faces.visual, title, (x, 6.0 * px_per_mm), PxScale::from(3.0 * px_per_mm), ink);

    let rows = [
        ("Surname / Nom", document.primary_identifier.clone()),
        ("Given names / Prénoms", document.secondary_identifier.clone()),
        ("Nationality / Nationalité", document.nationality.clone()),
        ("Date of birth / Date de naissance", document.birth_date.format("%d %b %Y").to_string()),
        ("Document no. / No. du document", document.document_number.clone()),
        ("Date of expiry / Date d'expiration", document.expiry_date.format("%d %b %Y").to_string()),
    ];
    let usable_mm = height_mm - mrz_zone_height_mm(document.layout) - 12.0;
    let step = (usable_mm / rows.len() as f32).min(7.0) * px_per_mm;
    for (index, (caption, content)) in rows.iter().enumerate() {
        let y = 12.0 * px_per_mm + index as f32 * step;
        text(page, &faces.visual, caption, (x, y), label, ink + 40);
        text(page, &faces.visual, content, (x, y + 0.55 * step), value, ink);
    }
}

/// The zone at the foot of the page: OCR-B scaled to ten characters per inch.
fn machine_readable_zone(
    page: &mut GrayImage,
    faces: &Faces,
    document: &Document,
    px_per_mm: f32,
    rng: &mut impl Rng,
) {
    let lines = zone::lines(document);
    let (width_mm, height_mm) = document.layout.size_mm();
    let (_, characters) = document.layout.shape();

    let pitch = MRZ_PITCH_MM * px_per_mm;
    let unit_advance = faces.mrz.as_scaled(PxScale::from(1.0)).h_advance(faces.mrz.glyph_id('0'));
    let scale = PxScale::from(pitch / unit_advance);
    let line_pitch = line_pitch_mm(document.layout) * px_per_mm * rng.random_range(0.95..1.05);
    let left = ((width_mm - characters as f32 * MRZ_PITCH_MM) / 2.0 + rng.random_range(-0.8..0.8))
        * px_per_mm;
    let last_baseline = (height_mm - rng.random_range(4.0..5.5)) * px_per_mm;
    let ink = rng.random_range(0..45);

    for (index, line) in lines.iter().enumerate() {
        let from_last = (lines.len() - 1 - index) as f32;
        let baseline = last_baseline - from_last * line_pitch;
        for (position, character) in line.chars().enumerate() {
            let origin = (left + position as f32 * pitch, baseline);
            glyph(page, &faces.mrz, character, origin, scale, ink);
        }
    }
}

/// The height Doc 9303 gives the zone, from the page's foot.
fn mrz_zone_height_mm(layout: Layout) -> f32 {
    match layout {
        Layout::Td3 | Layout::MrvA => 23.2,
        Layout::Td1 => 17.9,
        Layout::Td2 | Layout::MrvB => 18.0,
    }
}

/// Baseline to baseline.
fn line_pitch_mm(layout: Layout) -> f32 {
    match layout {
        Layout::Td3 | Layout::MrvA => 6.0,
        Layout::Td1 => 4.2,
        Layout::Td2 | Layout::MrvB => 5.0,
    }
}

fn text(
    page: &mut GrayImage,
    font: &FontVec,
    text: &str,
    origin: (f32, f32),
    scale: PxScale,
    ink: u8,
) {
    let mut x = origin.0;
    for character in text.chars() {
        glyph(page, font, character, (x, origin.1), scale, ink);
        x += font.as_scaled(scale).h_advance(font.glyph_id(character));
    }
}

fn glyph(
    page: &mut GrayImage,
    font: &FontVec,
    character: char,
    origin: (f32, f32),
    scale: PxScale,
    ink: u8,
) {
    let glyph = font.glyph_id(character).with_scale_and_position(scale, point(origin.0, origin.1));
    let Some(outline) = font.outline_glyph(glyph) else { return };
    let bounds = outline.px_bounds();
    outline.draw(|gx, gy, coverage| {
        let (x, y) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
        let shade = 255.0 - (255.0 - f32::from(ink)) * coverage.clamp(0.0, 1.0);
        darken(page, x, y, shade as u8);
    });
}

/// Ink only ever darkens: the darker of what is there and `shade`.
fn darken(page: &mut GrayImage, x: i64, y: i64, shade: u8) {
    let (width, height) = page.dimensions();
    if (0..i64::from(width)).contains(&x) && (0..i64::from(height)).contains(&y) {
        let pixel = page.get_pixel_mut(x as u32, y as u32);
        pixel.0[0] = pixel.0[0].min(shade);
    }
}
