//! DG2's face: a drawn face that is nobody (an oval head, hair, eyes, brows, nose, mouth and
//! shoulders on a plain backdrop, with a little sensor grain), as JPEG in an ISO/IEC 19794-5
//! facial record inside the biometric templates of Doc 9303-10 4.7.2.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use rand::Rng;

use crate::der;

/// The portrait's size: ICAO's 3:4, about what chips hold.
pub const WIDTH: u32 = 360;
/// The portrait's height.
pub const HEIGHT: u32 = 480;

/// DG2's JPEG: 15 to 30 kB on real chips; the lower part of that range keeps the corpus small.
const SMALLEST: usize = 15_000;
const LARGEST: usize = 20_000;

/// Draws a face from `rng` and encodes it as JPEG of 15 to 20 kB, at the best quality that
/// fits.
pub fn portrait(rng: &mut impl Rng) -> anyhow::Result<Vec<u8>> {
    let image = draw(rng);
    let mut best = Vec::new();
    for quality in (30..=90).rev().step_by(4) {
        let mut bytes = Cursor::new(Vec::new());
        JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(&image)?;
        best = bytes.into_inner();
        if best.len() <= LARGEST {
            break;
        }
    }
    anyhow::ensure!(
        (SMALLEST..=LARGEST).contains(&best.len()),
        "the portrait is {} bytes, outside 15 to 20 kB",
        best.len()
    );
    Ok(best)
}

fn draw(rng: &mut impl Rng) -> RgbImage {
    let backdrop =
        [rng.random_range(170..230), rng.random_range(180..235), rng.random_range(190..245)];
    let skin = [rng.random_range(120..235), rng.random_range(85..190), rng.random_range(60..160)];
    let hair_shade: u8 = rng.random_range(20..140);
    let hair = [hair_shade, hair_shade / 4 * 3, hair_shade / 2];
    let iris = [rng.random_range(30..110), rng.random_range(40..120), rng.random_range(30..140)];
    let clothes = [rng.random_range(20..200), rng.random_range(20..200), rng.random_range(20..200)];
    let head_width = rng.random_range(0.26..0.32f32);
    let (cx, cy) = (0.5 + rng.random_range(-0.02..0.02f32), 0.45);

    let mut image = RgbImage::new(WIDTH, HEIGHT);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let (u, v) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
        let inside = |ex: f32, ey: f32, rx: f32, ry: f32| {
            ((u - ex) / rx).powi(2) + ((v - ey) / ry).powi(2) <= 1.0
        };
        let pair = |dy: f32, rx: f32, ry: f32| {
            inside(cx - 0.11, cy + dy, rx, ry) || inside(cx + 0.11, cy + dy, rx, ry)
        };
        let head = inside(cx, cy, head_width, 0.27);
        let mouth = head && inside(cx, cy + 0.14, 0.07, 0.018) && v > cy + 0.14;
        let nose = head && (u - cx).abs() < 0.008 && (cy - 0.02..cy + 0.07).contains(&v);
        let hair_cap = inside(cx, cy - 0.12, head_width + 0.03, 0.2) && v < cy - 0.1;
        let body = v > 0.78 && (u - 0.5).abs() < 0.18 + (v - 0.78) * 1.2;
        let neck = v > 0.68 && (u - cx).abs() < 0.07;

        let colour = if pair(-0.05, 0.016, 0.016) {
            iris
        } else if pair(-0.05, 0.045, 0.018) {
            [235, 235, 230]
        } else if head && pair(-0.09, 0.05, 0.008) {
            hair
        } else if mouth {
            [150, 60, 60]
        } else if nose {
            shade(skin, 0.8)
        } else if hair_cap {
            hair
        } else if head {
            shade(skin, 1.0 - 0.25 * ((u - cx) / head_width).powi(2))
        } else if body {
            clothes
        } else if neck {
            shade(skin, 0.85)
        } else {
            shade(backdrop, 1.0 - 0.15 * v)
        };
        let grain = rng.random_range(-6..=6);
        *pixel = Rgb(colour.map(|channel| (i32::from(channel) + grain).clamp(0, 255) as u8));
    }
    image
}

fn shade(colour: [u8; 3], factor: f32) -> [u8; 3] {
    colour.map(|channel| (f32::from(channel) * factor).clamp(0.0, 255.0) as u8)
}

/// DG2: a group of one biometric information template, its header naming ISO/IEC JTC 1 SC 37
/// as format owner and 19794-5 as format type, the facial record in 5F2E.
pub fn dg2(jpeg: &[u8], female: Option<bool>) -> Vec<u8> {
    let header = [
        der::tlv(&[0x80], &[0x01, 0x01]),
        der::tlv(&[0x81], &[0x02]),
        der::tlv(&[0x87], &[0x01, 0x01]),
        der::tlv(&[0x88], &[0x00, 0x08]),
    ];
    let template = [
        der::tlv(&[0xA1], &header.concat()),
        der::tlv(&[0x5F, 0x2E], &facial_record(jpeg, female)),
    ];
    let group = [der::tlv(&[0x02], &[0x01]), der::tlv(&[0x7F, 0x60], &template.concat())];
    der::tlv(&[0x75], &der::tlv(&[0x7F, 0x61], &group.concat()))
}

/// The ISO/IEC 19794-5:2005 record: 14-byte header, 20-byte facial information, no feature
/// points, 12-byte image information, the JPEG.
fn facial_record(jpeg: &[u8], female: Option<bool>) -> Vec<u8> {
    let face_length = (20 + 12 + jpeg.len()) as u32;
    let mut record = Vec::with_capacity(14 + face_length as usize);
    record.extend(b"FAC\0");
    record.extend(b"010\0");
    record.extend((14 + face_length).to_be_bytes());
    record.extend(1u16.to_be_bytes());

    record.extend(face_length.to_be_bytes());
    record.extend(0u16.to_be_bytes());
    record.push(match female {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    });
    // Eye and hair colour unspecified, no feature mask, neutral expression, frontal pose.
    record.extend([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);

    // Full frontal, JPEG, width and height, 24-bit RGB, from a digital camera.
    record.extend([0x01, 0x00]);
    record.extend((WIDTH as u16).to_be_bytes());
    record.extend((HEIGHT as u16).to_be_bytes());
    record.extend([0x01, 0x02, 0, 0, 0, 0]);
    record.extend(jpeg);
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::keys::stream;

    #[test]
    fn a_portrait_is_a_jpeg_of_dg2_size_in_a_19794_5_record() {
        let jpeg = portrait(&mut stream(1, "face")).unwrap();

        let dg2 = dg2(&jpeg, Some(true));

        assert!(jpeg.starts_with(&[0xFF, 0xD8]));
        let at = dg2.windows(4).position(|window| window == b"FAC\0").unwrap();
        assert_eq!(&dg2[at + 14 + 20 + 12..], &jpeg[..]);
        let record_length = u32::from_be_bytes(dg2[at + 8..at + 12].try_into().unwrap());
        assert_eq!(record_length as usize, dg2.len() - at);
    }
}
