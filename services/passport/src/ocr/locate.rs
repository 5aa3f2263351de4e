//! Finding the MRZ in a whole photo or scan: binarise against the local background, measure the
//! skew from how text rows line up, find rows of many small same-height marks (the zone's
//! characters and fillers), and cut out the bottom-most block of two or three such rows,
//! upright, lit evenly and scaled to the size tesseract reads best.

use image::{GrayImage, Luma, imageops};

use super::marks::{Mark, marks};

/// The longest side of the copy the zone is searched in.
const SEARCH_SIDE: u32 = 900;
/// The height a capital letter is scaled to in the band handed to tesseract.
const BAND_CAP_HEIGHT: f32 = 28.0;
/// How far the page may be turned, in degrees, either way.
const MAX_SKEW_DEGREES: f32 = 16.0;
/// The fewest marks a row needs to be a line of the zone (TD1 lines hold 30 characters; a
/// filler run may merge, and some marks are lost to glare).
const FEWEST_MARKS: usize = 18;

/// The zone cut out of an image, upright and ready to read.
#[derive(Debug)]
pub(crate) struct Band {
    /// The band, black text on white.
    pub(crate) image: GrayImage,
    /// How many text rows it holds: 2 or 3.
    pub(crate) rows: usize,
}

/// The likeliest zones in `gray`, best first; empty when nothing looks like one.
/// Each band is cut only when it is asked for: a read that holds on the first needs no more.
pub(crate) fn bands(gray: &GrayImage) -> impl Iterator<Item = Band> + '_ {
    let factor = gray.width().max(gray.height()).div_ceil(SEARCH_SIDE).max(1);
    let scale = 1.0 / factor as f32;
    let small = if factor > 1 { shrink(gray, factor) } else { imageops::blur(gray, 0.7) };
    let dark = binarise(&small, (small.width().max(small.height()) / 40).max(8), 0.82);

    let points = dark_points(&dark);
    let angle = skew(&points, dark.height());
    let upright = rotate(&dark, angle);
    let rows = rows(character_marks(&upright));

    let search = upright.dimensions();
    zone_candidates(&rows)
        .into_iter()
        .map(move |zone| Band { image: cut(gray, zone, angle, scale, search), rows: zone.rows })
}

/// Each `factor` × `factor` block averaged into one pixel: fast, and it smooths noise as it
/// shrinks.
fn shrink(gray: &GrayImage, factor: u32) -> GrayImage {
    let (width, height) = (gray.width() / factor, gray.height() / factor);
    let source = gray.as_raw();
    let stride = gray.width() as usize;
    let block = factor as usize;
    let area = (block * block) as u32;
    GrayImage::from_fn(width.max(1), height.max(1), |x, y| {
        let (x0, y0) = (x as usize * block, y as usize * block);
        let sum: u32 = (y0..y0 + block)
            .map(|row| {
                let start = row * stride + x0;
                source[start..start + block].iter().map(|&v| u32::from(v)).sum::<u32>()
            })
            .sum();
        Luma([(sum / area) as u8])
    })
}

/// Dark pixels (255) where the image is darker than `share` of its local mean in a square of
/// `radius` (Bradley's method): text stays text under uneven light and glare, and large even
/// areas (a portrait, the desk) drop out.
pub(crate) fn binarise(gray: &GrayImage, radius: u32, share: f32) -> GrayImage {
    let (width, height) = gray.dimensions();
    let stride = width as usize + 1;
    let source = gray.as_raw();
    let mut integral = vec![0u64; stride * (height as usize + 1)];
    for (y, pixels) in source.chunks_exact(width as usize).enumerate() {
        let mut row = 0u64;
        for (x, &value) in pixels.iter().enumerate() {
            row += u64::from(value);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row;
        }
    }

    GrayImage::from_fn(width, height, |x, y| {
        let (x0, y0) = (x.saturating_sub(radius) as usize, y.saturating_sub(radius) as usize);
        let (x1, y1) =
            ((x + radius + 1).min(width) as usize, (y + radius + 1).min(height) as usize);
        let sum = integral[y1 * stride + x1] + integral[y0 * stride + x0]
            - integral[y0 * stride + x1]
            - integral[y1 * stride + x0];
        let mean = sum as f32 / ((x1 - x0) * (y1 - y0)) as f32;
        let value = f32::from(source[(y * width + x) as usize]);
        Luma([if value < mean * share { 255 } else { 0 }])
    })
}

fn dark_points(dark: &GrayImage) -> Vec<(f32, f32)> {
    dark.enumerate_pixels()
        .filter(|(_, _, pixel)| pixel.0[0] > 0)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect()
}

/// The angle, in degrees, that makes text rows horizontal: the one under which the dark
/// pixels' row histogram is most peaked (the sum of squared row counts is largest).
fn skew(points: &[(f32, f32)], height: u32) -> f32 {
    let peakedness = |degrees: f32| -> u64 {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let offset = height as f32;
        let mut histogram = vec![0u32; height as usize * 3 + 1];
        for &(x, y) in points {
            let row = (y * cos - x * sin + offset) as usize;
            if let Some(count) = histogram.get_mut(row) {
                *count += 1;
            }
        }
        histogram.iter().map(|&count| u64::from(count) * u64::from(count)).sum()
    };

    let best_of = |candidates: &mut dyn Iterator<Item = f32>| {
        candidates.max_by_key(|&degrees| peakedness(degrees)).unwrap_or(0.0)
    };
    let steps = (MAX_SKEW_DEGREES * 2.0) as i32;
    let coarse = best_of(&mut (-steps..=steps).map(|step| step as f32 * 0.5));
    best_of(&mut (-5..=5).map(|step| coarse + step as f32 * 0.1))
}

/// `dark` turned by `-degrees` about its centre, on a canvas of the same size.
fn rotate(dark: &GrayImage, degrees: f32) -> GrayImage {
    let (width, height) = dark.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
    GrayImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos);
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < width && (sy as u32) < height {
            *dark.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([0])
        }
    })
}

/// The marks of the binarised search image that are the size of a printed character.
fn character_marks(dark: &GrayImage) -> Vec<Mark> {
    let tallest = (dark.height() / 12).max(8);
    marks(dark, |value| value > 0)
        .into_iter()
        .filter(|mark| {
            (4..=tallest).contains(&mark.height())
                && mark.width() <= mark.height() * 2
                && mark.width() >= 2
        })
        .collect()
}

/// A row of marks of about one height, left to right.
#[derive(Clone, Debug)]
struct Row {
    marks: Vec<Mark>,
    left: u32,
    right: u32,
    middle: f32,
    /// The median height of its marks: a capital's height in the zone.
    cap_height: f32,
}

/// Groups marks into rows: each mark joins the row whose middle is within half its height,
/// then rows are split where a gap is wider than three characters.
fn rows(mut marks: Vec<Mark>) -> Vec<Row> {
    marks.sort_by(|a, b| a.middle().total_cmp(&b.middle()));
    let mut bands: Vec<Vec<Mark>> = Vec::new();
    for mark in marks {
        let joins = bands.last().is_some_and(|band| {
            let middle = band.iter().map(Mark::middle).sum::<f32>() / band.len() as f32;
            (mark.middle() - middle).abs() <= mark.height() as f32 * 0.5
        });
        match bands.last_mut() {
            Some(band) if joins => band.push(mark),
            _ => bands.push(vec![mark]),
        }
    }

    let mut rows = Vec::new();
    for mut band in bands {
        band.sort_by_key(|mark| mark.left);
        let cap_height = median(band.iter().map(|mark| mark.height() as f32));
        let mut current: Vec<Mark> = Vec::new();
        for mark in band {
            let gap_too_wide = current
                .last()
                .is_some_and(|last| mark.left as f32 > last.right as f32 + cap_height * 3.0);
            if gap_too_wide {
                rows.push(row(std::mem::take(&mut current)));
            }
            current.push(mark);
        }
        if !current.is_empty() {
            rows.push(row(current));
        }
    }
    rows.retain(|row| row.marks.len() >= FEWEST_MARKS);
    rows.sort_by(|a, b| a.middle.total_cmp(&b.middle));
    rows
}

fn row(marks: Vec<Mark>) -> Row {
    let cap_height = median(marks.iter().map(|mark| mark.height() as f32));
    Row {
        left: marks.iter().map(|mark| mark.left).min().unwrap_or(0),
        right: marks.iter().map(|mark| mark.right).max().unwrap_or(0),
        middle: median(marks.iter().map(Mark::middle)),
        cap_height,
        marks,
    }
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut values: Vec<f32> = values.collect();
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// A block of zone rows, in the upright search image's pixels.
#[derive(Clone, Copy, Debug)]
struct Zone {
    left: f32,
    top: f32,
    right: f32,
    bottom: f32,
    cap_height: f32,
    rows: usize,
}

/// Blocks of two or three rows that sit one under the other at a zone's spacing, with about
/// the same height and width, and wide for their height as 30 to 44 characters are. The
/// lowest comes first: the zone is at the foot of the page.
fn zone_candidates(rows: &[Row]) -> Vec<Zone> {
    let zone_like = |row: &Row| {
        let aspect = (row.right - row.left) as f32 / row.cap_height.max(1.0);
        (18.0..=70.0).contains(&aspect)
    };
    let follows = |upper: &Row, lower: &Row| {
        let spacing = lower.middle - upper.middle;
        let similar_height = (upper.cap_height / lower.cap_height - 1.0).abs() < 0.3;
        let similar_width = {
            let (a, b) = ((upper.right - upper.left) as f32, (lower.right - lower.left) as f32);
            (a / b - 1.0).abs() < 0.2
        };
        (1.2..=3.2).contains(&(spacing / upper.cap_height)) && similar_height && similar_width
    };

    let mut zones = Vec::new();
    for end in (1..rows.len()).rev() {
        for count in [3, 2] {
            let Some(start) = (end + 1).checked_sub(count) else { continue };
            let block = &rows[start..=end];
            let fits =
                block.iter().all(zone_like) && block.windows(2).all(|w| follows(&w[0], &w[1]));
            if fits {
                let cap_height = median(block.iter().map(|row| row.cap_height));
                zones.push(Zone {
                    left: block.iter().map(|row| row.left).min().unwrap_or(0) as f32,
                    right: block.iter().map(|row| row.right).max().unwrap_or(0) as f32,
                    top: block[0].middle - cap_height / 2.0,
                    bottom: block[count - 1].middle + cap_height / 2.0,
                    cap_height,
                    rows: count,
                });
            }
        }
        if zones.len() >= 2 {
            break;
        }
    }
    zones
}

/// Cuts `zone` out of the full-size image: the search image's rotation undone, scaled so a
/// capital is [`BAND_CAP_HEIGHT`] pixels tall, with a margin of white, and the light evened out.
fn cut(gray: &GrayImage, zone: Zone, degrees: f32, scale: f32, search: (u32, u32)) -> GrayImage {
    let zoom = BAND_CAP_HEIGHT / zone.cap_height;
    let margin = zone.cap_height * 1.2;
    let (left, top) = (zone.left - margin, zone.top - margin);
    let width = ((zone.right - zone.left + 2.0 * margin) * zoom).ceil() as u32;
    let height = ((zone.bottom - zone.top + 2.0 * margin) * zoom).ceil() as u32;

    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (search.0 as f32 / 2.0, search.1 as f32 / 2.0);
    let band = GrayImage::from_fn(width, height, |x, y| {
        // A band pixel → the upright search image → the search image → the full image.
        let (ux, uy) = (left + x as f32 / zoom, top + y as f32 / zoom);
        let (dx, dy) = (ux - cx, uy - cy);
        let (sx, sy) = (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos);
        sample(gray, sx / scale, sy / scale)
    });
    even_light(&band, (BAND_CAP_HEIGHT * 1.5) as u32)
}

fn sample(image: &GrayImage, x: f32, y: f32) -> Luma<u8> {
    let (width, height) = image.dimensions();
    let x = x.clamp(0.0, (width - 1) as f32);
    let y = y.clamp(0.0, (height - 1) as f32);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let raw = image.as_raw();
    let at = |x: u32, y: u32| f32::from(raw[(y * width + x) as usize]);
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    Luma([(top * (1.0 - fy) + bottom * fy + 0.5) as u8])
}

/// Black text on white: Bradley's threshold against the local mean, then fillers and strokes
/// left whole.
fn even_light(band: &GrayImage, radius: u32) -> GrayImage {
    let mut binary = binarise(band, radius, 0.8);
    imageops::invert(&mut binary);
    binary
}
