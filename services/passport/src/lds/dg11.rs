//! EF.DG11: additional personal details (Doc 9303 Part 10, 4.7.11).

use super::der::{Element, Reader};
use super::{ElementaryFile, LdsError};

/// EF.DG11. Every element is optional; text is as the issuer wrote it, names with the MRZ's
/// `<` fillers and lists separated by `<`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dg11<'a> {
    /// Full name in national characters (`5F0E`).
    pub full_name: Option<String>,
    /// Other names (`5F0F`, inside the content-specific class `A0`).
    pub other_names: Vec<String>,
    /// Personal number (`5F10`).
    pub personal_number: Option<String>,
    /// Full date of birth, `yyyymmdd`, `00` or `0000` where a part is unknown (`5F2B`).
    pub full_date_of_birth: Option<String>,
    /// Place of birth (`5F11`).
    pub place_of_birth: Option<String>,
    /// Permanent address (`5F42`).
    pub address: Option<String>,
    /// Telephone (`5F12`).
    pub telephone: Option<String>,
    /// Profession (`5F13`).
    pub profession: Option<String>,
    /// Title (`5F14`).
    pub title: Option<String>,
    /// Personal summary (`5F15`).
    pub personal_summary: Option<String>,
    /// Proof of citizenship, an image (`5F16`).
    pub proof_of_citizenship: Option<&'a [u8]>,
    /// Other valid travel document numbers (`5F17`).
    pub other_travel_documents: Option<String>,
    /// Custody information (`5F18`).
    pub custody: Option<String>,
}

const TEMPLATE: &str = "the template 6B";

impl<'a> Dg11<'a> {
    /// Reads EF.DG11: template `6B`, its tag list `5C`, and the elements present. Elements of
    /// tags Doc 9303 does not define are passed over.
    pub fn parse(bytes: &'a [u8]) -> Result<Dg11<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Dg11);
        let template = file.expect(0x6B, TEMPLATE)?;
        file.finish(TEMPLATE)?;

        let mut details = Dg11::default();
        let mut fields = template.children(TEMPLATE)?;
        while !fields.is_empty() {
            let field = fields.read(TEMPLATE)?;
            match field.tag {
                0x5F0E => once(&mut details.full_name, field, "the full name 5F0E")?,
                0xA0 => other_names(field, 0x5F0F, &mut details.other_names)?,
                0x5F0F => details.other_names.push(field.text("an other name 5F0F")?),
                0x5F10 => once(&mut details.personal_number, field, "the personal number 5F10")?,
                0x5F2B => {
                    let date = date_digits(field, 8, "the full date of birth 5F2B")?;
                    set(
                        &mut details.full_date_of_birth,
                        date,
                        field,
                        "the full date of birth 5F2B",
                    )?;
                }
                0x5F11 => once(&mut details.place_of_birth, field, "the place of birth 5F11")?,
                0x5F42 => once(&mut details.address, field, "the address 5F42")?,
                0x5F12 => once(&mut details.telephone, field, "the telephone 5F12")?,
                0x5F13 => once(&mut details.profession, field, "the profession 5F13")?,
                0x5F14 => once(&mut details.title, field, "the title 5F14")?,
                0x5F15 => once(&mut details.personal_summary, field, "the personal summary 5F15")?,
                0x5F16 => set(
                    &mut details.proof_of_citizenship,
                    field.contents,
                    field,
                    "the proof of citizenship 5F16",
                )?,
                0x5F17 => {
                    once(&mut details.other_travel_documents, field, "the other TD numbers 5F17")?;
                }
                0x5F18 => once(&mut details.custody, field, "the custody information 5F18")?,
                _ => {}
            }
        }
        Ok(details)
    }
}

/// The names in a content-specific class `A0`: their count `02`, then the names, tag `tag`.
pub(super) fn other_names(
    class: Element<'_>,
    tag: u32,
    names: &mut Vec<String>,
) -> Result<(), LdsError> {
    const CLASS: &str = "the content-specific class A0";
    let mut entries = class.children(CLASS)?;
    if let Some(count) = entries.optional(0x02, "the count 02")? {
        count.unsigned("the count 02")?;
    }
    while !entries.is_empty() {
        names.push(entries.expect(tag, "a name in the class A0")?.text("a name in the class A0")?);
    }
    Ok(())
}

/// Stores the text of `field` in `slot`, which must be empty.
pub(super) fn once(
    slot: &mut Option<String>,
    field: Element<'_>,
    name: &'static str,
) -> Result<(), LdsError> {
    let text = field.text(name)?;
    set(slot, text, field, name)
}

/// Stores `value` in `slot`, which must be empty: an element given twice is refused.
pub(super) fn set<T>(
    slot: &mut Option<T>,
    value: T,
    field: Element<'_>,
    name: &'static str,
) -> Result<(), LdsError> {
    if slot.is_some() {
        return Err(field.invalid(name, "the element is given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// A date or time of `count` digits, written in ASCII or, as Part 10 asks readers to accept,
/// in binary-coded decimal.
pub(super) fn date_digits(
    field: Element<'_>,
    count: usize,
    name: &'static str,
) -> Result<String, LdsError> {
    let contents = field.contents;
    if contents.len() == count && contents.iter().all(u8::is_ascii_digit) {
        return field.text(name);
    }

    let bcd = contents.len() * 2 == count
        && contents.iter().all(|byte| byte >> 4 <= 9 && byte & 0x0F <= 9);
    if !bcd {
        return Err(field.invalid(name, "not the digits of a date"));
    }
    Ok(contents
        .iter()
        .flat_map(|byte| [char::from(b'0' + (byte >> 4)), char::from(b'0' + (byte & 0x0F))])
        .collect())
}
