//! OCR-B's 37 glyphs as templates: a second reader beside tesseract. OCR-B was drawn so that a
//! machine can tell its characters apart by shape alone, and an MRZ cell holds one of them at
//! a known place and size. Each cell's ink, scaled into a small grid, is compared with each
//! glyph's; where the likeliest glyph and tesseract agree, a character can be trusted that
//! neither would vouch for alone.
//!
//! The templates are drawn from Debian's OCR-B font by a test and kept in `glyphs.bin`, so that
//! reading needs no font.

use std::sync::OnceLock;

use image::GrayImage;

/// The grid a glyph's ink is scaled into: columns across, rows down.
const COLUMNS: usize = 10;
const ROWS: usize = 14;
const CELLS: usize = COLUMNS * ROWS;

/// The MRZ alphabet, in the order of the templates in `glyphs.bin`.
const ALPHABET: &[u8; 37] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// Each glyph's ink share per grid cell, 0 to 255, glyph after glyph in [`ALPHABET`]'s order.
static TEMPLATE_BYTES: &[u8; ALPHABET.len() * CELLS] = include_bytes!("glyphs.bin");

/// A glyph's ink, scaled into the grid: the share of dark pixels in each grid cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ink([f32; CELLS]);

/// Which glyphs a cell's ink looks most like.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Likeness {
    /// The likeliest glyph.
    pub(crate) glyph: u8,
    /// Its correlation with the ink, -1 to 1.
    pub(crate) score: f32,
    /// How far the next likeliest glyph's score falls below it.
    pub(crate) margin: f32,
}

/// The ink of the glyph in the cell centred at `centre`, `pitch` wide, on a line whose capitals
/// run from `top` to `bottom`. The glyph's own box is scaled into the grid: its height to the
/// grid's, and a pitch's width around its middle to the grid's width, so that narrow glyphs
/// stay narrow. `None` for a cell without ink.
pub(crate) fn ink(band: &GrayImage, centre: f32, pitch: f32, top: f32, bottom: f32) -> Option<Ink> {
    let height = bottom - top;
    let (x0, y0, x1, y1) = glyph_box(
        band,
        centre - pitch * 0.45,
        centre + pitch * 0.45,
        top - height * 0.15,
        bottom + height * 0.15,
    )?;
    let middle = (x0 + x1) / 2.0;
    let (frame_left, frame_width) = (middle - pitch * 0.5, pitch);
    let frame_height = (y1 - y0).max(1.0);

    let mut dark = [0f32; CELLS];
    let mut seen = [0f32; CELLS];
    let (width, band_height) = band.dimensions();
    let first_x = (frame_left.max(0.0) as u32).min(width);
    let last_x = ((frame_left + frame_width).max(0.0).ceil() as u32).min(width);
    for y in (y0 as u32)..(y1 as u32).min(band_height) {
        let row = (((y as f32 + 0.5 - y0) / frame_height) * ROWS as f32) as usize;
        for x in first_x..last_x {
            let column = (((x as f32 + 0.5 - frame_left) / frame_width) * COLUMNS as f32) as usize;
            let slot = row.min(ROWS - 1) * COLUMNS + column.min(COLUMNS - 1);
            // Only the glyph's own box counts: a neighbour's edge is white here.
            let inside = (x as f32) >= x0 && (x as f32) < x1;
            if inside && band.get_pixel(x, y).0[0] < 128 {
                dark[slot] += 1.0;
            }
            seen[slot] += 1.0;
        }
    }

    let mut shares = [0f32; CELLS];
    for ((share, dark), seen) in shares.iter_mut().zip(dark).zip(seen) {
        *share = if seen > 0.0 { dark / seen } else { 0.0 };
    }
    Some(Ink(shares))
}

/// The glyph whose template correlates best with `ink`, and by how much it leads.
pub(crate) fn likeliest(ink: &Ink) -> Likeness {
    let mut best = Likeness { glyph: b'<', score: -1.0, margin: 0.0 };
    let mut runner_up = -1.0f32;
    for (glyph, template) in templates() {
        let score = correlation(&ink.0, &template.0);
        if score > best.score {
            runner_up = best.score;
            best.glyph = *glyph;
            best.score = score;
        } else if score > runner_up {
            runner_up = score;
        }
    }
    best.margin = best.score - runner_up;
    best
}

fn templates() -> &'static [(u8, Ink)] {
    static TEMPLATES: OnceLock<Vec<(u8, Ink)>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        ALPHABET
            .iter()
            .zip(TEMPLATE_BYTES.chunks_exact(CELLS))
            .map(|(&glyph, bytes)| {
                let mut shares = [0f32; CELLS];
                for (share, &byte) in shares.iter_mut().zip(bytes) {
                    *share = f32::from(byte) / 255.0;
                }
                (glyph, Ink(shares))
            })
            .collect()
    })
}

/// Pearson's correlation of two grids; 0 when either is flat.
fn correlation(a: &[f32; CELLS], b: &[f32; CELLS]) -> f32 {
    let mean = |values: &[f32; CELLS]| values.iter().sum::<f32>() / CELLS as f32;
    let (mean_a, mean_b) = (mean(a), mean(b));
    let (mut both, mut only_a, mut only_b) = (0.0f32, 0.0f32, 0.0f32);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x - mean_a, y - mean_b);
        both += dx * dy;
        only_a += dx * dx;
        only_b += dy * dy;
    }
    let spread = (only_a * only_b).sqrt();
    if spread > 0.0 { both / spread } else { 0.0 }
}

/// The box of the ink between columns `x0` and `x1` and rows `y0` and `y1`, in band pixels.
pub(crate) fn glyph_box(
    band: &GrayImage,
    x0: f32,
    x1: f32,
    y0: f32,
    y1: f32,
) -> Option<(f32, f32, f32, f32)> {
    let (width, height) = band.dimensions();
    let (x0, x1) = ((x0.max(0.0) as u32).min(width), (x1.max(0.0) as u32).min(width));
    let (y0, y1) = ((y0.max(0.0) as u32).min(height), (y1.max(0.0) as u32).min(height));
    let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
    for y in y0..y1 {
        for x in x0..x1 {
            if band.get_pixel(x, y).0[0] < 128 {
                (left, right) = (left.min(x), right.max(x));
                (top, bottom) = (top.min(y), bottom.max(y));
            }
        }
    }
    (left < right && top < bottom)
        .then(|| (left as f32, top as f32, (right + 1) as f32, (bottom + 1) as f32))
}

#[cfg(test)]
mod tests {
    use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

    use super::*;

    /// Debian's fonts-ocr-b.
    const OCR_B: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

    /// Draws `text` in OCR-B at 10 characters per inch, black on white, with capitals about
    /// `cap_height` pixels tall, shifted by a fraction of a pixel; returns the band, each
    /// cell's centre, the pitch and the capitals' top and foot.
    fn draw(
        text: &[u8],
        cap_height: f32,
        shift: (f32, f32),
    ) -> (GrayImage, Vec<f32>, f32, f32, f32) {
        let data = std::fs::read(OCR_B).unwrap();
        let font = FontRef::try_from_slice(&data).unwrap();
        // OCR-B's capitals are about 0.7 of its size in pixels.
        let scale = PxScale::from(cap_height / 0.7);
        let pitch = font.as_scaled(scale).h_advance(font.glyph_id('0'));
        let (left, baseline) = (10.0 + shift.0, cap_height * 1.6 + shift.1);
        let width = (20.0 + pitch * text.len() as f32) as u32 + 2;
        let height = (cap_height * 2.4) as u32;
        let mut band = GrayImage::from_pixel(width, height, image::Luma([255]));
        for (index, &character) in text.iter().enumerate() {
            let origin = point(left + index as f32 * pitch, baseline);
            let glyph = font.glyph_id(char::from(character)).with_scale_and_position(scale, origin);
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            outline.draw(|x, y, coverage| {
                let (x, y) =
                    (bounds.min.x as i64 + i64::from(x), bounds.min.y as i64 + i64::from(y));
                if coverage > 0.5 && x >= 0 && y >= 0 && (x as u32) < width && (y as u32) < height {
                    band.put_pixel(x as u32, y as u32, image::Luma([0]));
                }
            });
        }
        let centres = (0..text.len()).map(|i| left + (i as f32 + 0.5) * pitch).collect();
        (band, centres, pitch, baseline - cap_height, baseline)
    }

    /// The templates as `glyphs.bin` holds them: each glyph's ink averaged over drawings at
    /// the band's capital height, shifted by fractions of a pixel.
    fn drawn_templates() -> Vec<u8> {
        let shifts = [(0.0, 0.0), (0.33, 0.25), (0.67, 0.5), (0.5, 0.75)];
        let mut sums = vec![[0f32; CELLS]; ALPHABET.len()];
        for shift in shifts {
            let (band, centres, pitch, top, bottom) = draw(ALPHABET, 28.0, shift);
            for (sum, centre) in sums.iter_mut().zip(centres) {
                let ink = ink(&band, centre, pitch, top, bottom).unwrap();
                for (total, share) in sum.iter_mut().zip(ink.0) {
                    *total += share;
                }
            }
        }
        sums.iter()
            .flat_map(|sum| sum.map(|total| (total / shifts.len() as f32 * 255.0).round() as u8))
            .collect()
    }

    #[test]
    fn the_committed_templates_are_those_the_font_draws() {
        let drawn = drawn_templates();

        if std::env::var_os("IDPROOF_WRITE_GLYPHS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ocr/glyphs.bin");
            std::fs::write(path, &drawn).unwrap();
        }
        assert!(
            drawn == TEMPLATE_BYTES.as_slice(),
            "glyphs.bin differs from the font: IDPROOF_WRITE_GLYPHS=1 cargo test -p \
             idproof-passport the_committed_templates"
        );
    }

    #[test]
    fn every_glyph_drawn_at_other_sizes_is_recognised_as_itself() {
        for (cap_height, shift) in [(22.0, (0.2, 0.1)), (28.0, (0.9, 0.4)), (36.0, (0.4, 0.9))] {
            let (band, centres, pitch, top, bottom) = draw(ALPHABET, cap_height, shift);

            let read: Vec<u8> = centres
                .iter()
                .map(|&centre| likeliest(&ink(&band, centre, pitch, top, bottom).unwrap()).glyph)
                .collect();

            assert_eq!(String::from_utf8_lossy(&read), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<");
        }
    }

    #[test]
    fn the_look_alikes_a_check_digit_cannot_separate_are_told_apart_by_a_margin() {
        let (band, centres, pitch, top, bottom) = draw(b"O0GB8S5I1Z2", 28.0, (0.5, 0.5));

        for (&centre, expected) in centres.iter().zip(b"O0GB8S5I1Z2") {
            let likeness = likeliest(&ink(&band, centre, pitch, top, bottom).unwrap());
            assert_eq!(likeness.glyph, *expected);
            assert!(likeness.margin > 0.02, "{} by {:?}", char::from(*expected), likeness);
        }
    }

    #[test]
    fn a_cell_without_ink_has_no_glyph() {
        let band = GrayImage::from_pixel(40, 40, image::Luma([255]));

        assert_eq!(ink(&band, 20.0, 20.0, 10.0, 30.0), None);
    }
}
