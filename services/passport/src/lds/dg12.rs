//! EF.DG12: additional document details (Doc 9303 Part 10, 4.7.12).

use super::der::Reader;
use super::dg11::{date_digits, once, other_names, set};
use super::{ElementaryFile, LdsError};

/// EF.DG12. Every element is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dg12<'a> {
    /// Issuing authority (`5F19`).
    pub issuing_authority: Option<String>,
    /// Date of issue, `yyyymmdd` (`5F26`).
    pub date_of_issue: Option<String>,
    /// Names of other persons (`5F1A`, inside the content-specific class `A0`).
    pub other_persons: Vec<String>,
    /// Endorsements and observations (`5F1B`).
    pub endorsements: Option<String>,
    /// Tax and exit requirements (`5F1C`).
    pub tax_exit_requirements: Option<String>,
    /// Image of the front of the document (`5F1D`).
    pub image_front: Option<&'a [u8]>,
    /// Image of the rear of the document (`5F1E`).
    pub image_rear: Option<&'a [u8]>,
    /// Date and time of personalisation, `yyyymmddhhmmss` (`5F55`).
    pub personalisation_time: Option<String>,
    /// Serial number of the personalisation system (`5F56`).
    pub personalisation_device: Option<String>,
}

const TEMPLATE: &str = "the template 6C";

impl<'a> Dg12<'a> {
    /// Reads EF.DG12: template `6C`, its tag list `5C`, and the elements present. Elements of
    /// tags Doc 9303 does not define are passed over.
    pub fn parse(bytes: &'a [u8]) -> Result<Dg12<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Dg12);
        let template = file.expect(0x6C, TEMPLATE)?;
        file.finish(TEMPLATE)?;

        let mut details = Dg12::default();
        let mut fields = template.children(TEMPLATE)?;
        while !fields.is_empty() {
            let field = fields.read(TEMPLATE)?;
            match field.tag {
                0x5F19 => {
                    once(&mut details.issuing_authority, field, "the issuing authority 5F19")?
                }
                0x5F26 => {
                    let date = date_digits(field, 8, "the date of issue 5F26")?;
                    set(&mut details.date_of_issue, date, field, "the date of issue 5F26")?;
                }
                0xA0 => other_names(field, 0x5F1A, &mut details.other_persons)?,
                0x5F1A => details.other_persons.push(field.text("an other person 5F1A")?),
                0x5F1B => once(&mut details.endorsements, field, "the endorsements 5F1B")?,
                0x5F1C => once(&mut details.tax_exit_requirements, field, "the tax/exit 5F1C")?,
                0x5F1D => set(&mut details.image_front, field.contents, field, "the front 5F1D")?,
                0x5F1E => set(&mut details.image_rear, field.contents, field, "the rear 5F1E")?,
                0x5F55 => {
                    let time = date_digits(field, 14, "the personalisation time 5F55")?;
                    set(&mut details.personalisation_time, time, field, "the time 5F55")?;
                }
                0x5F56 => {
                    once(&mut details.personalisation_device, field, "the device serial 5F56")?;
                }
                _ => {}
            }
        }
        Ok(details)
    }
}
