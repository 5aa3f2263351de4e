//! EF.DG2: the holder's face, in the nested biometric information templates of ISO/IEC 7816-11
//! (Doc 9303 Part 10, 4.7.2).

use super::der::{Element, Reader};
use super::{ElementaryFile, LdsError, face};

/// The most face templates DG2 holds (Part 10, Table 45: one to nine encodings).
const MAX_TEMPLATES: usize = 9;

/// EF.DG2: its face templates, the most recent interoperable encoding first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg2<'a> {
    /// The templates, in the order stored.
    pub templates: Vec<FaceTemplate<'a>>,
}

/// One biometric information template (`7F60`): a header and a biometric data block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaceTemplate<'a> {
    /// The biometric header template.
    pub header: BiometricHeader,
    /// Whether the data block is an ISO/IEC 19794-5 record (`5F2E`) or ISO/IEC 39794-5
    /// structure (`7F2E`).
    pub encoding: FaceEncoding,
    /// The images the data block holds, at least one.
    pub images: Vec<FaceImage<'a>>,
}

/// The standard a face data block follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceEncoding {
    /// ISO/IEC 19794-5:2005, the binary facial record behind tag `5F2E`.
    Iso19794,
    /// ISO/IEC 39794-5, the DER structure behind tag `7F2E`.
    Iso39794,
}

/// The fields of a biometric header template (`A1`) a reader can act on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BiometricHeader {
    /// Biometric type (`81`); 2 is the face.
    pub biometric_type: Option<u32>,
    /// Biometric sub-type (`82`).
    pub subtype: Option<u8>,
    /// Format owner (`87`), required by Doc 9303.
    pub format_owner: Option<u16>,
    /// Format type (`88`), required by Doc 9303.
    pub format_type: Option<u16>,
}

/// One face image and what is known of its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaceImage<'a> {
    /// The encoded image.
    pub bytes: &'a [u8],
    /// The format the record declares, `None` when it names another or none.
    pub declared: Option<ImageFormat>,
    /// The format the image's first bytes show, `None` when neither.
    pub detected: Option<ImageFormat>,
    /// Width in pixels, when the record gives it.
    pub width: Option<u32>,
    /// Height in pixels, when the record gives it.
    pub height: Option<u32>,
}

impl FaceImage<'_> {
    /// The format, when the declared one and the one the bytes show agree.
    pub fn format(&self) -> Option<ImageFormat> {
        self.declared.filter(|declared| self.detected == Some(*declared))
    }
}

/// The image codings Doc 9303 allows for the face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918).
    Jpeg,
    /// JPEG 2000 (ISO/IEC 15444), as a JP2 file or a bare codestream.
    Jpeg2000,
}

impl ImageFormat {
    /// The format the first bytes of `image` show.
    pub fn detect(image: &[u8]) -> Option<ImageFormat> {
        const JP2_SIGNATURE: [u8; 12] =
            [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
        const JPEG_2000_CODESTREAM: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];

        if image.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if image.starts_with(&JP2_SIGNATURE) || image.starts_with(&JPEG_2000_CODESTREAM) {
            Some(ImageFormat::Jpeg2000)
        } else {
            None
        }
    }
}

impl<'a> Dg2<'a> {
    /// Reads EF.DG2: template `75`, the group template `7F61` with its count `02`, and one
    /// template `7F60` per encoding.
    pub fn parse(bytes: &'a [u8]) -> Result<Dg2<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Dg2);
        let template = file.expect(0x75, "the template 75")?;
        file.finish("the template 75")?;

        let mut outer = template.children("the template 75")?;
        let group = outer.expect(0x7F61, "the biometric information group 7F61")?;
        outer.finish("the template 75")?;

        let mut entries = group.children("the biometric information group 7F61")?;
        entries
            .expect(0x02, "the number of instances 02")?
            .unsigned("the number of instances 02")?;
        let mut templates = Vec::new();
        while !entries.is_empty() {
            if templates.len() == MAX_TEMPLATES {
                return Err(LdsError::TooMany {
                    file: ElementaryFile::Dg2,
                    element: "the biometric information templates 7F60",
                    limit: MAX_TEMPLATES,
                });
            }
            let entry = entries.expect(0x7F60, "the biometric information template 7F60")?;
            templates.push(read_template(entry)?);
        }

        if templates.is_empty() {
            return Err(LdsError::Missing {
                file: ElementaryFile::Dg2,
                element: "biometric information template 7F60",
            });
        }
        Ok(Dg2 { templates })
    }
}

impl<'a> Dg2<'a> {
    /// The first image of the first template: the most recent internationally interoperable
    /// encoding, which Part 10 puts first.
    pub fn first_image(&self) -> Option<&FaceImage<'a>> {
        self.templates.first().and_then(|template| template.images.first())
    }
}

fn read_template(entry: Element<'_>) -> Result<FaceTemplate<'_>, LdsError> {
    let mut fields = entry.children("the biometric information template 7F60")?;
    let header_template = fields.read("the biometric header template A1")?;
    if !(0xA1..=0xAF).contains(&header_template.tag) {
        return Err(LdsError::Tag {
            file: ElementaryFile::Dg2,
            element: "the biometric header template A1",
            found: Some(header_template.tag),
        });
    }
    let header = read_header(header_template)?;

    let data_block = fields.read("the biometric data block 5F2E or 7F2E")?;
    fields.finish("the biometric information template 7F60")?;
    let (encoding, images) = match data_block.tag {
        0x5F2E => (FaceEncoding::Iso19794, face::iso19794_images(data_block.contents)?),
        0x7F2E => (FaceEncoding::Iso39794, face::iso39794_images(data_block)?),
        other => {
            return Err(LdsError::Tag {
                file: ElementaryFile::Dg2,
                element: "the biometric data block 5F2E or 7F2E",
                found: Some(other),
            });
        }
    };
    Ok(FaceTemplate { header, encoding, images })
}

fn read_header(template: Element<'_>) -> Result<BiometricHeader, LdsError> {
    const NAME: &str = "the biometric header template A1";
    let mut header = BiometricHeader::default();
    let mut fields = template.children(NAME)?;
    while !fields.is_empty() {
        let field = fields.read(NAME)?;
        let value = || -> Result<u32, LdsError> {
            if field.contents.is_empty() || field.contents.len() > 3 {
                return Err(field.invalid(NAME, "a header field of the wrong size"));
            }
            Ok(field.contents.iter().fold(0, |value, &byte| (value << 8) | u32::from(byte)))
        };
        match field.tag {
            0x81 => header.biometric_type = Some(value()?),
            0x82 => header.subtype = Some(u8::try_from(value()?).map_err(|_| too_wide(field))?),
            0x87 => {
                header.format_owner = Some(u16::try_from(value()?).map_err(|_| too_wide(field))?)
            }
            0x88 => {
                header.format_type = Some(u16::try_from(value()?).map_err(|_| too_wide(field))?)
            }
            _ => {}
        }
    }
    Ok(header)
}

fn too_wide(field: Element<'_>) -> LdsError {
    field.invalid("the biometric header template A1", "a header field of the wrong size")
}
