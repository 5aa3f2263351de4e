//! The face image inside a DG2 biometric data block: the binary facial record of ISO/IEC
//! 19794-5:2005, or the DER structure of ISO/IEC 39794-5.

use super::der::{Element, Reader};
use super::{FaceImage, ImageFormat, LdsError};

/// Header of a 19794-5 record: `FAC\0`, version `010\0`, record length, image count.
const RECORD_HEADER: usize = 14;
/// Facial information (20 bytes) and image information (12 bytes) around each image.
const IMAGE_HEADERS: usize = 32;

/// The images of a 19794-5 facial record.
pub(crate) fn iso19794_images(block: &[u8]) -> Result<Vec<FaceImage<'_>>, LdsError> {
    let mut header = Bytes(block);
    if header.take(4)? != b"FAC\0" {
        return Err(problem("no FAC header: not a facial record"));
    }
    if header.take(4)? != b"010\0" {
        return Err(problem("a record version other than 010"));
    }
    let record_length = header.u32()? as usize;
    if record_length > block.len() {
        return Err(problem("the record declares more bytes than its data block holds"));
    }
    if record_length < RECORD_HEADER {
        return Err(problem("the record declares fewer bytes than its header takes"));
    }
    let image_count = header.u16()?;
    if image_count == 0 {
        return Err(problem("the record holds no image"));
    }

    let mut body = Bytes(block.get(RECORD_HEADER..record_length).unwrap_or_default());
    let mut images = Vec::new();
    for _ in 0..image_count {
        let block_length = body.u32()? as usize;
        if block_length < IMAGE_HEADERS {
            return Err(problem("an image block shorter than its headers"));
        }
        let mut image_block = Bytes(body.take(block_length - 4)?);
        images.push(read_image(&mut image_block)?);
    }
    Ok(images)
}

/// One image block after its length: facial information, feature points, image information
/// and the image.
fn read_image<'a>(block: &mut Bytes<'a>) -> Result<FaceImage<'a>, LdsError> {
    let feature_points = usize::from(block.u16()?);
    // Gender, eye and hair colour, feature mask, expression, pose angle and its uncertainty.
    block.take(14)?;
    block.take(feature_points * 8)?;

    // Face image type, then the image data type: 0 is JPEG, 1 is JPEG 2000.
    block.take(1)?;
    let declared = match block.take(1)? {
        [0] => Some(ImageFormat::Jpeg),
        [1] => Some(ImageFormat::Jpeg2000),
        _ => None,
    };
    let width = u32::from(block.u16()?);
    let height = u32::from(block.u16()?);
    // Colour space, source type, device type, quality.
    block.take(6)?;

    let bytes = block.0;
    if bytes.is_empty() {
        return Err(problem("an image block with no image"));
    }
    let detected = ImageFormat::detect(bytes);
    Ok(FaceImage { bytes, declared, detected, width: Some(width), height: Some(height) })
}

fn problem(reason: &'static str) -> LdsError {
    LdsError::FaceRecord { reason }
}

/// A cursor over the binary record that never reads past its end.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], LdsError> {
        let Some((taken, rest)) = self.0.split_at_checked(count) else {
            return Err(problem("a field runs past the end of the record"));
        };
        self.0 = rest;
        Ok(taken)
    }

    fn u16(&mut self) -> Result<u16, LdsError> {
        let bytes = self.take(2)?;
        Ok(bytes.iter().fold(0, |value, &byte| (value << 8) | u16::from(byte)))
    }

    fn u32(&mut self) -> Result<u32, LdsError> {
        let bytes = self.take(4)?;
        Ok(bytes.iter().fold(0, |value, &byte| (value << 8) | u32::from(byte)))
    }
}

const BLOCK: &str = "the ISO/IEC 39794-5 face image data block";

/// The images of a 39794-5 face image data block:
///
/// ```text
/// FaceImageDataBlock ::= [APPLICATION 5] { versionBlock [0], representationBlocks [1] }
/// RepresentationBlock ::= { representationId [0], imageRepresentation [1] { base [0] {
///     imageRepresentation2DBlock [0] { representationData2D [0] OCTET STRING,
///         imageInformation2DBlock [1] { imageDataFormat [0] { code [0] }, …,
///             imageSizeBlock [7] { width [0], height [1] } } } } }, … }
/// ```
///
/// Encoders differ on whether `7F2E` holds the `[APPLICATION 5]` element, that element inside
/// a `[1]`, or only its fields, and on whether each representation block is wrapped in a
/// SEQUENCE; all of these are read.
pub(crate) fn iso39794_images<'a>(data_block: Element<'a>) -> Result<Vec<FaceImage<'a>>, LdsError> {
    let mut fields = data_block.children(BLOCK)?;
    for wrapper in [0xA1, 0x65] {
        if fields.peek_tag() != Some(wrapper) {
            continue;
        }
        let mut peek = fields.clone();
        let outer = peek.read(BLOCK)?;
        let inner = outer.children(BLOCK)?;
        if wrapper == 0xA1 && inner.peek_tag() != Some(0x65) {
            continue;
        }
        peek.finish(BLOCK)?;
        fields = inner;
    }

    let Some(representations) = find(fields, 0xA1, "representationBlocks [1]")? else {
        return Err(missing("representationBlocks [1]"));
    };
    let mut blocks = representations.children("representationBlocks [1]")?;
    if blocks.peek_tag() != Some(0x30) {
        return Ok(vec![read_representation(blocks)?]);
    }

    let mut images = Vec::new();
    while !blocks.is_empty() {
        let block = blocks.expect(0x30, "a representation block")?;
        images.push(read_representation(block.children("a representation block")?)?);
    }
    Ok(images)
}

fn read_representation(fields: Reader<'_>) -> Result<FaceImage<'_>, LdsError> {
    let representation = find(fields, 0xA1, "imageRepresentation [1]")?
        .ok_or_else(|| missing("imageRepresentation [1]"))?;
    let base = find(representation.children(BLOCK)?, 0xA0, "base [0]")?
        .ok_or_else(|| missing("base [0]"))?;
    let image_2d = find(base.children(BLOCK)?, 0xA0, "imageRepresentation2DBlock [0]")?
        .ok_or_else(|| missing("imageRepresentation2DBlock [0]"))?;

    let data = find(image_2d.children(BLOCK)?, 0x80, "representationData2D [0]")?
        .ok_or_else(|| missing("representationData2D [0]"))?;
    if data.contents.is_empty() {
        return Err(data.invalid("representationData2D [0]", "an empty image"));
    }
    let information = find(image_2d.children(BLOCK)?, 0xA1, "imageInformation2DBlock [1]")?
        .ok_or_else(|| missing("imageInformation2DBlock [1]"))?;

    let format = find(information.children(BLOCK)?, 0xA0, "imageDataFormat [0]")?
        .ok_or_else(|| missing("imageDataFormat [0]"))?;
    let declared = match find(format.children(BLOCK)?, 0x80, "imageDataFormat code [0]")? {
        Some(code) => match code.unsigned("imageDataFormat code [0]")? {
            2 => Some(ImageFormat::Jpeg),
            3 | 4 => Some(ImageFormat::Jpeg2000),
            _ => None,
        },
        None => None,
    };

    let (mut width, mut height) = (None, None);
    if let Some(size) = find(information.children(BLOCK)?, 0xA7, "imageSizeBlock [7]")? {
        width = dimension(size, 0x80, "width [0]")?;
        height = dimension(size, 0x81, "height [1]")?;
    }
    let bytes = data.contents;
    Ok(FaceImage { bytes, declared, detected: ImageFormat::detect(bytes), width, height })
}

fn dimension(size: Element<'_>, tag: u32, name: &'static str) -> Result<Option<u32>, LdsError> {
    let Some(element) = find(size.children(BLOCK)?, tag, name)? else {
        return Ok(None);
    };
    let value = element.unsigned(name)?;
    u32::try_from(value).map(Some).map_err(|_| element.invalid(name, "an image size too large"))
}

/// The first element of `fields` with tag `tag`; the others are extensions to pass over.
fn find<'a>(
    mut fields: Reader<'a>,
    tag: u32,
    name: &'static str,
) -> Result<Option<Element<'a>>, LdsError> {
    while !fields.is_empty() {
        let field = fields.read(name)?;
        if field.tag == tag {
            return Ok(Some(field));
        }
    }
    Ok(None)
}

fn missing(element: &'static str) -> LdsError {
    LdsError::Missing { file: super::ElementaryFile::Dg2, element }
}
