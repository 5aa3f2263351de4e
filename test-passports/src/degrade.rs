//! What phones and worn scanners do to a page: the page laid on a desk and photographed, then
//! one main fault at a strength drawn from the seed. Every copy ends as a JPEG, as phones save.

use image::{GrayImage, Luma, imageops};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// One fault and its strength, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Out of focus: a Gaussian blur.
    Blur { sigma: f32 },
    /// Sensor noise: Gaussian, in grey levels.
    Noise { sigma: f32 },
    /// Saved at a low JPEG quality.
    Jpeg { quality: u8 },
    /// Taken from far away: scaled down, and left small.
    LowResolution { scale: f32 },
    /// The page turned in the picture.
    Rotation { degrees: f32 },
    /// The phone held at an angle: each corner moved by up to this share of the page.
    Perspective { strength: f32 },
    /// Light falling off across the page, down to this share of full brightness.
    UnevenLight { darkest: f32 },
    /// A bright reflection, this share of the way to white at its centre.
    Glare { strength: f32 },
}

impl Fault {
    /// The kinds, in the order the corpus cycles through them.
    pub const KINDS: usize = 8;

    /// Draws the `index`th kind at a strength from `rng`.
    pub fn draw(index: usize, rng: &mut impl Rng) -> Self {
        let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        match index % Self::KINDS {
            0 => Fault::Blur { sigma: rng.random_range(0.8..2.0) },
            1 => Fault::Noise { sigma: rng.random_range(8.0..22.0) },
            2 => Fault::Jpeg { quality: rng.random_range(12..30) },
            3 => Fault::LowResolution { scale: rng.random_range(0.5..0.7) },
            4 => Fault::Rotation { degrees: sign * rng.random_range(2.0..15.0) },
            5 => Fault::Perspective { strength: rng.random_range(0.03..0.08) },
            6 => Fault::UnevenLight { darkest: rng.random_range(0.35..0.6) },
            _ => Fault::Glare { strength: rng.random_range(0.4..0.7) },
        }
    }
}

/// How a copy was made: the desk, the small tilt every photo has, the fault, the JPEG quality.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    /// The fault this copy exists to show.
    pub fault: Fault,
    /// The tilt of the page before the fault, in degrees.
    pub tilt_degrees: f32,
    /// The JPEG quality it is saved at.
    pub jpeg_quality: u8,
}

/// Lays `page` on a desk, photographs it with `fault`, and returns the image to save.
pub fn photograph(page: &GrayImage, fault: &Fault, rng: &mut impl Rng) -> (GrayImage, Photo) {
    let tilt_degrees = match fault {
        Fault::Rotation { degrees } => *degrees,
        _ => rng.random_range(-1.5..1.5),
    };
    let corner_shift = match fault {
        Fault::Perspective { strength } => *strength,
        _ => 0.0,
    };
    let mut image = on_desk(page, tilt_degrees, corner_shift, rng);

    match *fault {
        Fault::Blur { sigma } => image = imageops::blur(&image, sigma),
        Fault::Noise { sigma } => add_noise(&mut image, sigma, rng),
        Fault::LowResolution { scale } => {
            let (width, height) = image.dimensions();
            let (width, height) = ((width as f32 * scale) as u32, (height as f32 * scale) as u32);
            image = imageops::resize(&image, width, height, imageops::FilterType::Triangle);
        }
        Fault::UnevenLight { darkest } => uneven_light(&mut image, darkest, rng),
        Fault::Glare { strength } => glare(&mut image, strength, rng),
        Fault::Jpeg { .. } | Fault::Rotation { .. } | Fault::Perspective { .. } => {}
    }

    let jpeg_quality = match fault {
        Fault::Jpeg { quality } => *quality,
        _ => rng.random_range(70..90),
    };
    (image, Photo { fault: fault.clone(), tilt_degrees, jpeg_quality })
}

/// The page turned by `degrees`, its corners moved inwards by up to `corner_shift` of its size,
/// on a darker desk with room around it.
fn on_desk(page: &GrayImage, degrees: f32, corner_shift: f32, rng: &mut impl Rng) -> GrayImage {
    let (width, height) = (page.width() as f32, page.height() as f32);
    let margin = width.max(height) * rng.random_range(0.12..0.22);
    let (center_x, center_y) = (width / 2.0, height / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();

    let corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)];
    let mut placed = [(0.0f32, 0.0f32); 4];
    for (index, &(x, y)) in corners.iter().enumerate() {
        let inward_x = if x == 0.0 { 1.0 } else { -1.0 };
        let inward_y = if y == 0.0 { 1.0 } else { -1.0 };
        let x = x + inward_x * rng.random_range(0.0..=corner_shift) * width;
        let y = y + inward_y * rng.random_range(0.0..=corner_shift) * height;
        let (dx, dy) = (x - center_x, y - center_y);
        placed[index] = (center_x + dx * cos - dy * sin, center_y + dx * sin + dy * cos);
    }

    let min_x = placed.iter().map(|p| p.0).fold(f32::MAX, f32::min) - margin;
    let min_y = placed.iter().map(|p| p.1).fold(f32::MAX, f32::min) - margin;
    let max_x = placed.iter().map(|p| p.0).fold(f32::MIN, f32::max) + margin;
    let max_y = placed.iter().map(|p| p.1).fold(f32::MIN, f32::max) + margin;
    for point in &mut placed {
        *point = (point.0 - min_x, point.1 - min_y);
    }

    let canvas_to_page = Homography::mapping(placed, corners);
    let desk = rng.random_range(40..120);
    let mut canvas = GrayImage::new((max_x - min_x) as u32, (max_y - min_y) as u32);
    for (x, y, pixel) in canvas.enumerate_pixels_mut() {
        let (u, v) = canvas_to_page.apply(x as f32 + 0.5, y as f32 + 0.5);
        let grain = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 13) as u8;
        *pixel = bilinear(page, u - 0.5, v - 0.5).unwrap_or(Luma([desk + grain]));
    }
    canvas
}

fn bilinear(image: &GrayImage, x: f32, y: f32) -> Option<Luma<u8>> {
    let (width, height) = image.dimensions();
    if x < 0.0 || y < 0.0 || x > (width - 1) as f32 || y > (height - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |x, y| f32::from(image.get_pixel(x, y).0[0]);
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    Some(Luma([(top * (1.0 - fy) + bottom * fy).round() as u8]))
}

fn add_noise(image: &mut GrayImage, sigma: f32, rng: &mut impl Rng) {
    for pixel in image.pixels_mut() {
        // Box–Muller: one normal draw from two uniform ones.
        let (u1, u2): (f32, f32) = (rng.random_range(f32::EPSILON..1.0), rng.random());
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos();
        pixel.0[0] = (f32::from(pixel.0[0]) + normal * sigma).clamp(0.0, 255.0) as u8;
    }
}

/// Brightness falling off linearly in a random direction, down to `darkest`.
fn uneven_light(image: &mut GrayImage, darkest: f32, rng: &mut impl Rng) {
    let (width, height) = image.dimensions();
    let angle = rng.random_range(0.0..std::f32::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let extent = width as f32 * dx.abs() + height as f32 * dy.abs();
    let start = (if dx < 0.0 { width as f32 * -dx } else { 0.0 })
        + (if dy < 0.0 { height as f32 * -dy } else { 0.0 });
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let along = ((x as f32 * dx + y as f32 * dy + start) / extent).clamp(0.0, 1.0);
        let light = 1.0 - (1.0 - darkest) * along;
        pixel.0[0] = (f32::from(pixel.0[0]) * light) as u8;
    }
}

/// A bright elliptical reflection somewhere on the image, fading out from its centre.
fn glare(image: &mut GrayImage, strength: f32, rng: &mut impl Rng) {
    let (width, height) = image.dimensions();
    let (cx, cy) =
        (rng.random_range(0.2..0.8) * width as f32, rng.random_range(0.3..0.9) * height as f32);
    let (rx, ry) =
        (rng.random_range(0.1..0.25) * width as f32, rng.random_range(0.06..0.15) * height as f32);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let distance = ((x as f32 - cx) / rx).powi(2) + ((y as f32 - cy) / ry).powi(2);
        let amount = strength * (-distance).exp();
        let value = f32::from(pixel.0[0]);
        pixel.0[0] = (value + (255.0 - value) * amount) as u8;
    }
}

/// A plane projective map, fixed by four points and their images.
struct Homography([f32; 9]);

impl Homography {
    /// The map taking each of `from` to the matching point of `to`.
    fn mapping(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Self {
        // Eight equations in the eight unknowns h0..h7 (h8 = 1), solved by elimination.
        let mut system = [[0.0f64; 9]; 8];
        for (index, (&(x, y), &(u, v))) in from.iter().zip(&to).enumerate() {
            let (x, y, u, v) = (f64::from(x), f64::from(y), f64::from(u), f64::from(v));
            system[2 * index] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            system[2 * index + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for column in 0..8 {
            let pivot = (column..8)
                .max_by(|&a, &b| system[a][column].abs().total_cmp(&system[b][column].abs()))
                .unwrap_or(column);
            system.swap(column, pivot);
            let pivot_row = system[column];
            for (index, row) in system.iter_mut().enumerate() {
                if index != column && pivot_row[column] != 0.0 {
                    let factor = row[column] / pivot_row[column];
                    for (value, pivot_value) in row.iter_mut().zip(pivot_row).skip(column) {
                        *value -= factor * pivot_value;
                    }
                }
            }
        }
        let mut h = [1.0f32; 9];
        for (index, row) in system.iter().enumerate() {
            h[index] = (row[8] / row[index]) as f32;
        }
        Self(h)
    }

    fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + h[8];
        ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_homography_takes_each_corner_where_it_was_asked() {
        let from = [(10.0, 5.0), (90.0, 0.0), (100.0, 70.0), (0.0, 60.0)];
        let to = [(0.0, 0.0), (80.0, 0.0), (80.0, 50.0), (0.0, 50.0)];

        let map = Homography::mapping(from, to);

        for (source, target) in from.iter().zip(&to) {
            let (u, v) = map.apply(source.0, source.1);
            assert!((u - target.0).abs() < 1e-3 && (v - target.1).abs() < 1e-3, "{u},{v}");
        }
    }
}
