//! The zone as a grid: OCR-B is printed at a fixed pitch, so each line is 30, 36 or 44 cells
//! of one width. Knowing the grid, each cell can be told a filler or a character by its shape,
//! and tesseract's text for a line can be laid onto the cells: a filler run tesseract read as
//! `KKK` or shortened is put right, and the line comes out at its true length.

use image::GrayImage;

use super::glyphs::{self, Likeness, glyph_box};
use super::hocr::Symbol;
use super::marks::{Mark, marks};
use crate::mrz::repair::Doubt;

/// One line's cells in a band.
#[derive(Clone, Debug)]
pub(crate) struct LineGrid {
    /// The capitals' top and the baseline, in band pixels.
    top: f32,
    bottom: f32,
    /// Each cell's centre, left to right: 30, 36 or 44 of them. Evenly spaced, unless the line
    /// has one mark per cell, whose centres follow a pitch that perspective makes uneven.
    centres: Vec<f32>,
    /// The mean distance between centres.
    pitch: f32,
}

impl LineGrid {
    /// The cell whose centre is nearest `x`, if `x` lies within the line.
    fn cell_at(&self, x: f32) -> Option<usize> {
        let (first, last) = (*self.centres.first()?, *self.centres.last()?);
        if x < first - self.pitch / 2.0 || x > last + self.pitch / 2.0 {
            return None;
        }
        let after = self.centres.partition_point(|&centre| centre < x);
        match (after.checked_sub(1), self.centres.get(after)) {
            (Some(before), Some(&next)) if x - self.centres[before] > next - x => Some(after),
            (Some(before), _) => Some(before),
            (None, _) => Some(0),
        }
    }
}

/// The grid of each of the band's `rows` lines, top to bottom; `None` when the ink does not
/// fall into that many lines of an MRZ's length.
pub(crate) fn grid(band: &GrayImage, rows: usize) -> Option<Vec<LineGrid>> {
    let inks = inks(band);
    let tallest = inks.iter().map(Mark::height).max()?;
    let mut glyphs: Vec<Mark> =
        inks.into_iter().filter(|ink| ink.height() * 2 >= tallest).collect();
    glyphs.sort_by(|a, b| a.middle().total_cmp(&b.middle()));

    let mut lines: Vec<Vec<Mark>> = Vec::new();
    for ink in glyphs {
        let joins = lines.last().is_some_and(|line| {
            let middle = line.iter().map(Mark::middle).sum::<f32>() / line.len() as f32;
            (ink.middle() - middle).abs() < ink.height() as f32 * 0.5
        });
        match lines.last_mut() {
            Some(line) if joins => line.push(ink),
            _ => lines.push(vec![ink]),
        }
    }
    lines.retain(|line| line.len() >= 10);
    if lines.len() != rows {
        return None;
    }

    lines.iter_mut().map(|line| line_grid(line, rows)).collect()
}

fn line_grid(line: &mut [Mark], rows: usize) -> Option<LineGrid> {
    line.sort_by_key(|ink| ink.left);
    let centres: Vec<f32> = line.iter().map(Mark::centre_x).collect();
    let (first, last) = (*centres.first()?, *centres.last()?);
    let steps: Vec<f32> = centres.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let step = percentile(&steps, 0.5);
    let estimated = ((last - first) / step).round() as usize + 1;

    let cells = match rows {
        3 => 30,
        _ if estimated.abs_diff(36) <= estimated.abs_diff(44) => 36,
        _ => 44,
    };
    let pitch = (last - first) / (cells - 1) as f32;
    if (pitch / step - 1.0).abs() > 0.25 {
        return None;
    }
    let centres = if centres.len() == cells {
        centres
    } else {
        (0..cells).map(|cell| first + cell as f32 * pitch).collect()
    };

    let tops: Vec<f32> = line.iter().map(|ink| ink.top as f32).collect();
    let bottoms: Vec<f32> = line.iter().map(|ink| ink.bottom as f32).collect();
    Some(LineGrid {
        top: percentile(&tops, 0.3),
        bottom: percentile(&bottoms, 0.7),
        centres,
        pitch,
    })
}

fn percentile(values: &[f32], share: f32) -> f32 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let index = ((sorted.len() as f32 - 1.0) * share).round() as usize;
    sorted.get(index).copied().unwrap_or(0.0)
}

/// Which cells of `line` hold a filler. The chevron `<` is the one MRZ character whose left
/// part is ink only at mid-height and whose right part is ink only at the top and the foot;
/// every letter and digit has ink at the left's top or foot, or at the right's middle.
pub(crate) fn shapes(band: &GrayImage, line: &LineGrid) -> Vec<Shape> {
    let height = line.bottom - line.top;
    line.centres
        .iter()
        .map(|&centre| {
            let (left, right) = (centre - line.pitch * 0.5, centre + line.pitch * 0.5);
            let ink = |x0: f32, x1: f32, y0: f32, y1: f32| {
                ink_share(
                    band,
                    left + (right - left) * x0,
                    left + (right - left) * x1,
                    line.top + height * y0,
                    line.top + height * y1,
                )
            };
            let left_ends = ink(0.05, 0.35, 0.0, 0.22) + ink(0.05, 0.35, 0.78, 1.0);
            let left_middle = ink(0.05, 0.35, 0.38, 0.62);
            let right_ends = ink(0.65, 0.95, 0.0, 0.22) + ink(0.65, 0.95, 0.78, 1.0);
            let right_middle = ink(0.65, 0.95, 0.38, 0.62);
            // Where the strokes cross the centre column, a quarter of the way from top and
            // foot; S, 3 and 5 have ink at its very top and foot instead.
            let centre_ends = ink(0.4, 0.6, 0.0, 0.1) + ink(0.4, 0.6, 0.9, 1.0);
            let filler = left_middle > 0.08
                && right_ends > 0.08
                && left_ends < 0.04
                && left_ends < left_middle * 0.25
                && right_middle < 0.04
                && right_middle < right_ends * 0.25
                && centre_ends < 0.1;
            let stem = stem(band, left, right, line.top + height * 0.3, line.top + height * 0.65);
            let upper_left = glyph_box(band, left, right, line.top - height * 0.15, line.bottom)
                .map_or(0.0, |(x0, y0, x1, y1)| {
                    let (w, h) = (x1 - x0, y1 - y0);
                    ink_share(band, x0, x0 + w * 0.18, y0 + h * 0.2, y0 + h * 0.4)
                });
            let likeness = glyphs::ink(band, centre, line.pitch, line.top, line.bottom)
                .map(|ink| glyphs::likeliest(&ink));
            Shape { filler, upper_left, stem, likeness }
        })
        .collect()
}

/// What a cell's ink says of it, apart from tesseract.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Shape {
    /// A chevron: the filler.
    pub(crate) filler: bool,
    /// The share of ink in the upper left, where G has its stroke and 6 has none: it tells
    /// apart two characters a check digit cannot.
    pub(crate) upper_left: f32,
    /// Where the ink at mid-height sits across the ink's own width, 0 at its left: I and L are
    /// one stem, at the middle and at the left of their serifs.
    pub(crate) stem: Option<f32>,
    /// The OCR-B glyph the cell's ink looks most like.
    pub(crate) likeness: Option<Likeness>,
}

impl Shape {
    /// I or L, when the stem's place says so clearly. (J is left to tesseract: where a cell
    /// cuts off its hook, its stem stands where I's does.)
    fn i_or_l(&self) -> Option<u8> {
        match self.stem? {
            place if place < 0.3 => Some(b'L'),
            place if (0.38..=0.62).contains(&place) => Some(b'I'),
            _ => None,
        }
    }

    /// 6 or G, when the ink says so clearly.
    fn six_or_g(&self) -> Option<u8> {
        match self.upper_left {
            share if share > 0.2 => Some(b'G'),
            share if share < 0.05 => Some(b'6'),
            _ => None,
        }
    }
}

/// Where, across the ink's full width in a cell, the ink between rows `y0` and `y1` sits: 0
/// at the ink's left edge, 1 at its right. `None` for a cell without ink there.
fn stem(band: &GrayImage, x0: f32, x1: f32, y0: f32, y1: f32) -> Option<f32> {
    let (width, height) = band.dimensions();
    let (x0, x1) = ((x0.max(0.0) as u32).min(width), (x1.max(0.0) as u32).min(width));
    let (y0, y1) = ((y0.max(0.0) as u32).min(height), (y1.max(0.0) as u32).min(height));
    let dark = |x: u32, y: u32| band.get_pixel(x, y).0[0] < 128;

    let columns: Vec<u32> = (x0..x1).filter(|&x| (0..height).any(|y| dark(x, y))).collect();
    let (&left, &right) = (columns.first()?, columns.last()?);
    let (mut sum, mut count) = (0.0f32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            if dark(x, y) {
                sum += x as f32;
                count += 1;
            }
        }
    }
    (count > 0 && right > left).then(|| (sum / count as f32 - left as f32) / (right - left) as f32)
}

/// The share of dark pixels in a box of a band (black text on white).
fn ink_share(band: &GrayImage, x0: f32, x1: f32, y0: f32, y1: f32) -> f32 {
    let (width, height) = band.dimensions();
    let clamp_x = |x: f32| (x.max(0.0) as u32).min(width);
    let clamp_y = |y: f32| (y.max(0.0) as u32).min(height);
    let (x0, x1, y0, y1) = (clamp_x(x0), clamp_x(x1), clamp_y(y0), clamp_y(y1));
    let mut dark = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            if band.get_pixel(x, y).0[0] < 128 {
                dark += 1;
            }
        }
    }
    dark as f32 / ((x1 - x0) * (y1 - y0)).max(1) as f32
}

/// The marks of a band (black text on white) tall enough to be part of a character.
fn inks(band: &GrayImage) -> Vec<Mark> {
    marks(band, |value| value < 128).into_iter().filter(|mark| mark.height() >= 6).collect()
}

/// How far a chevron's shape alone is trusted to make a cell a filler: on the benchmark's
/// corpus no letter was taken for one.
const SHAPE_CONFIDENCE: f32 = 0.9;

/// A line read cell by cell: each cell takes the likeliest symbol tesseract placed in it, and a
/// cell shaped like a filler is a filler whatever was read there; then the OCR-B templates have
/// their say. Each cell's confidence is tesseract's own, lowered where it and the cell's shape
/// disagree, zero where tesseract placed nothing, and raised or lowered by the templates.
pub(crate) fn read_cells(line: &LineGrid, shapes: &[Shape], symbols: &[Symbol]) -> LineRead {
    let height = line.bottom - line.top;
    let mut best: Vec<Option<Symbol>> = vec![None; line.centres.len()];
    for symbol in symbols {
        let (x, y) = symbol.centre();
        if y < line.top - height * 0.5 || y > line.bottom + height * 0.5 {
            continue;
        }
        let Some(cell) = line.cell_at(x) else { continue };
        let slot = &mut best[cell];
        if slot.is_none_or(|held| held.confidence < symbol.confidence) {
            *slot = Some(*symbol);
        }
    }

    let mut read = LineRead::default();
    for (symbol, shape) in best.iter().zip(shapes) {
        let (character, trust) = match (symbol, shape.filler) {
            (Some(symbol), true) if symbol.character == b'<' => (b'<', symbol.confidence),
            // The shape is a chevron's; tesseract read a letter there (its usual misreading
            // of filler runs as K, X, C, S or E).
            (Some(_), true) | (None, true) => (b'<', SHAPE_CONFIDENCE),
            // Tesseract takes G for 6 and back; the shape decides, and where the two disagree
            // the cell is unsure, so no check digit vouches for it.
            (Some(symbol), false) if matches!(symbol.character, b'6' | b'G') => {
                match shape.six_or_g() {
                    Some(seen) if seen != symbol.character => (seen, 0.5),
                    _ => (symbol.character, symbol.confidence),
                }
            }
            // The English model reads the narrow letters of names one for another.
            (Some(symbol), false) if matches!(symbol.character, b'I' | b'L') => {
                match shape.i_or_l() {
                    Some(seen) if seen != symbol.character => (seen, 0.5),
                    _ => (symbol.character, symbol.confidence),
                }
            }
            (Some(symbol), false) => (symbol.character, symbol.confidence),
            (None, false) => (b'<', 0.0),
        };
        let opinion = second_opinion(character, trust, shape.likeness);
        read.text.push(char::from(opinion.character));
        read.confidence.push(opinion.trust);
        read.agreed.push(opinion.agreed);
        read.doubts.push(opinion.doubt);
    }
    read
}

/// A line read cell by cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LineRead {
    pub(crate) text: String,
    /// How sure the reading of each cell is.
    pub(crate) confidence: Vec<f32>,
    /// The cells tesseract and the templates agreed on.
    pub(crate) agreed: Vec<bool>,
    /// The cells whose two readers disagreed, unsettled.
    pub(crate) doubts: Vec<Option<Doubt>>,
}

/// A cell's reading after the second opinion.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Opinion {
    character: u8,
    trust: f32,
    agreed: bool,
    doubt: Option<Doubt>,
}

/// How far the likeliest OCR-B glyph must lead the next for its word to count. Tuned on the
/// benchmark's corpus (seed 9303) and checked on another (seed 1): where the two readers
/// disagreed and the glyph led by this much, the glyph was right every time; below it, mostly
/// O against 0, each reader was right about as often as the other.
const GLYPH_MARGIN: f32 = 0.05;

/// A lead at which the glyph alone is trusted as much as two readers that agree.
const GLYPH_SURE_MARGIN: f32 = 0.1;

/// Where the two agree, how sure the cell is: on both corpora, no cell both readers agreed on
/// with this margin was wrong.
const AGREED_CONFIDENCE: f32 = 0.97;

/// The character and confidence of a cell once the OCR-B templates have had their say: two
/// readers that agree make a character sure; a glyph that leads clearly overrules tesseract;
/// a disagreement neither settles leaves the cell unsure, for a check digit to decide.
fn second_opinion(character: u8, trust: f32, likeness: Option<Likeness>) -> Opinion {
    let alone = Opinion { character, trust, agreed: false, doubt: None };
    let Some(likeness) = likeness else {
        return alone;
    };
    let clear = likeness.margin >= GLYPH_MARGIN;
    if likeness.glyph == character {
        let trust = if clear { trust.max(AGREED_CONFIDENCE) } else { trust };
        return Opinion { trust, agreed: clear, ..alone };
    }
    match likeness.margin {
        margin if margin >= GLYPH_SURE_MARGIN => {
            Opinion { character: likeness.glyph, trust: AGREED_CONFIDENCE, ..alone }
        }
        _ if clear => Opinion { character: likeness.glyph, trust: UNSURE_CONFIDENCE, ..alone },
        _ => Opinion {
            trust: trust.min(UNSURE_CONFIDENCE),
            doubt: Some(Doubt { rival: likeness.glyph, trust }),
            ..alone
        },
    }
}

/// The confidence of a cell whose readers disagree: below what any field is vouched for on.
const UNSURE_CONFIDENCE: f32 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    fn symbol(character: u8, left: u32, confidence: f32) -> Symbol {
        Symbol { character, left, top: 10, right: left + 20, bottom: 40, confidence }
    }

    /// Draws `text` in OCR-B (Debian's fonts-ocr-b), black on white, at 10 characters per
    /// inch with capitals 34 pixels tall, and returns the band with its grid.
    fn band_of(text: &str) -> (GrayImage, LineGrid) {
        use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

        let data = std::fs::read("/usr/share/fonts/opentype/ocr-b/OCRB.otf").unwrap();
        let font = FontRef::try_from_slice(&data).unwrap();
        let scale = PxScale::from(48.0);
        let pitch = font.as_scaled(scale).h_advance(font.glyph_id('0'));
        let (baseline, left) = (60.0, 20.0);
        let width = (left * 2.0 + pitch * text.len() as f32) as u32;
        let mut band = GrayImage::from_pixel(width, 90, image::Luma([255]));
        for (index, character) in text.chars().enumerate() {
            let origin = point(left + index as f32 * pitch, baseline);
            let glyph = font.glyph_id(character).with_scale_and_position(scale, origin);
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            outline.draw(|x, y, coverage| {
                if coverage > 0.5 {
                    let (x, y) = (bounds.min.x as u32 + x, bounds.min.y as u32 + y);
                    band.put_pixel(x, y, image::Luma([0]));
                }
            });
        }
        // The line's top and foot as `grid` takes them: from the marks' own boxes.
        let mut marks = inks(&band);
        marks.sort_by_key(|ink| ink.left);
        let tops: Vec<f32> = marks.iter().map(|ink| ink.top as f32).collect();
        let bottoms: Vec<f32> = marks.iter().map(|ink| ink.bottom as f32).collect();
        let centres = (0..text.len()).map(|i| left + (i as f32 + 0.5) * pitch).collect();
        let (top, bottom) = (percentile(&tops, 0.3), percentile(&bottoms, 0.7));
        (band, LineGrid { top, bottom, centres, pitch })
    }

    #[test]
    fn the_shapes_tell_what_a_check_digit_and_the_english_model_cannot() {
        let (band, line) = band_of("P<UTO6GIL<K");

        let shapes = shapes(&band, &line);

        assert_eq!(shapes[5].six_or_g(), Some(b'6'), "{:?}", shapes[5]);
        assert_eq!(shapes[6].six_or_g(), Some(b'G'), "{:?}", shapes[6]);
        assert_eq!(shapes[7].i_or_l(), Some(b'I'), "{:?}", shapes[7]);
        assert_eq!(shapes[8].i_or_l(), Some(b'L'), "{:?}", shapes[8]);
        let fillers: Vec<bool> = shapes.iter().map(|shape| shape.filler).collect();
        let expected = [false, true, false, false, false, false, false, false, false, true, false];
        assert_eq!(fillers, expected);
    }

    #[test]
    fn each_cell_takes_its_likeliest_symbol_and_fillers_their_shape() {
        let line = LineGrid {
            top: 10.0,
            bottom: 40.0,
            centres: vec![10.0, 40.0, 70.0, 100.0],
            pitch: 30.0,
        };
        let shape = |filler| Shape { filler, upper_left: 0.1, stem: None, likeness: None };
        let shapes = [shape(false), shape(true), shape(true), shape(false)];
        let symbols = [
            symbol(b'P', 0, 0.99),
            // A filler read twice, as K and as itself: the likelier wins.
            symbol(b'K', 33, 0.7),
            symbol(b'<', 30, 0.97),
            // A filler read as K only.
            symbol(b'K', 60, 0.95),
            // The last cell: nothing read.
        ];

        let read = read_cells(&line, &shapes, &symbols);

        assert_eq!(read.text, "P<<<");
        assert_eq!(read.confidence, vec![0.99, 0.97, SHAPE_CONFIDENCE, 0.0]);
        assert_eq!(read.doubts, vec![None; 4]);
        assert_eq!(read.agreed, vec![false; 4]);
    }
}
