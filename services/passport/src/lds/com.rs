//! EF.COM: the LDS and Unicode versions, and the tags of the data groups present (Doc 9303
//! Part 10, 4.6.1).

use super::der::{Element, Reader};
use super::{ElementaryFile, LdsError};

/// EF.COM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Com {
    /// The LDS version, `aabb` (`0107` for 1.7).
    pub lds_version: String,
    /// The Unicode version, `aabbcc` (`040000` for 4.0.0).
    pub unicode_version: String,
    /// The data groups present, by number, in the order listed.
    pub data_groups: Vec<u8>,
}

impl Com {
    /// Reads EF.COM: template `60` holding `5F01`, `5F36` and the tag list `5C`.
    pub fn parse(bytes: &[u8]) -> Result<Com, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Com);
        let template = file.expect(0x60, "the template 60")?;
        file.finish("the template 60")?;

        let mut fields = template.children("the template 60")?;
        let lds_version =
            digits(fields.expect(0x5F01, "the LDS version 5F01")?, 4, "the LDS version 5F01")?;
        let unicode_version = digits(
            fields.expect(0x5F36, "the Unicode version 5F36")?,
            6,
            "the Unicode version 5F36",
        )?;
        let tag_list = fields.expect(0x5C, "the tag list 5C")?;
        fields.finish("the template 60")?;

        let data_groups = data_groups_of(tag_list)?;
        Ok(Com { lds_version, unicode_version, data_groups })
    }
}

/// A value of exactly `count` ASCII digits.
fn digits(element: Element<'_>, count: usize, name: &'static str) -> Result<String, LdsError> {
    if element.contents.len() != count || !element.contents.iter().all(u8::is_ascii_digit) {
        return Err(element.invalid(name, "not the digits the version has"));
    }
    element.text(name)
}

/// The data groups a tag list names: each tag is a data group's template tag (Table 38).
fn data_groups_of(tag_list: Element<'_>) -> Result<Vec<u8>, LdsError> {
    let mut data_groups = Vec::new();
    for &tag in tag_list.contents {
        let Some(number) = data_group_of_tag(tag) else {
            return Err(tag_list.invalid("the tag list 5C", "a tag that names no data group"));
        };
        if data_groups.contains(&number) {
            return Err(tag_list.invalid("the tag list 5C", "a data group listed twice"));
        }
        data_groups.push(number);
    }
    Ok(data_groups)
}

/// The number of the data group whose template has tag `tag` (Part 10, Table 38).
pub(crate) fn data_group_of_tag(tag: u8) -> Option<u8> {
    Some(match tag {
        0x61 => 1,
        0x75 => 2,
        0x63 => 3,
        0x76 => 4,
        0x65..=0x70 => tag - 0x60,
        _ => return None,
    })
}
