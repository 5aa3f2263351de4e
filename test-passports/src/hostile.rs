//! Images made to hurt a reader, for tests of what it refuses.

/// A PNG signature, a header declaring a grey image of `width` × `height`, an empty first data
/// chunk and the end: a decompression bomb in under a hundred bytes, when the size is huge.
/// Decoders read up to the first data chunk before they say the size.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (&b"IHDR"[..], &header[..]),
        (b"IDAT", &b"\x78\x9c\x03\x00\x00\x00\x00\x01"[..]),
        (b"IEND", b""),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
        png.extend_from_slice(&length.to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    png
}

/// PNG's chunk checksum (ISO 3309 CRC-32).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_pngs() {
        // The IEND chunk's checksum, as every PNG ends with it.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn the_declared_size_is_what_a_decoder_reads() {
        let png = png_declaring(60_000, 40_000);

        let decoder = image::ImageReader::new(std::io::Cursor::new(&png)).with_guessed_format();
        let dimensions = decoder.unwrap().into_dimensions().unwrap();

        assert_eq!(dimensions, (60_000, 40_000));
        assert!(png.len() < 100);
    }
}
