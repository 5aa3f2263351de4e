//! The fields a reader should give for an image, as plain text, taken from the zone's own lines
//! (so a name cut by its field is expected cut).

use serde::Serialize;

use crate::corpus::Entry;
use crate::document::Layout;

/// The fields readers are scored on, fillers removed, names with single spaces between words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Truth {
    /// `P`, `I`, `ID`, `V`…
    pub document_code: String,
    /// As the zone writes it.
    pub issuing_state: String,
    /// The surname as the zone holds it.
    pub primary_identifier: String,
    /// The given names as the zone holds them; empty when there are none.
    pub secondary_identifier: String,
    /// The whole number, long card numbers included.
    pub document_number: String,
    /// As the zone writes it.
    pub nationality: String,
    /// `YYMMDD`.
    pub birth_date: String,
    /// `M`, `F` or `<`.
    pub sex: String,
    /// `YYMMDD`.
    pub expiry_date: String,
    /// The optional data (TD3: personal number), fillers removed.
    pub optional_data: String,
}

impl Truth {
    /// The field names, in the order of [`Truth::values`].
    pub const FIELDS: [&'static str; 10] = [
        "document_code",
        "issuing_state",
        "primary_identifier",
        "secondary_identifier",
        "document_number",
        "nationality",
        "birth_date",
        "sex",
        "expiry_date",
        "optional_data",
    ];

    /// The values, in the order of [`Truth::FIELDS`].
    pub fn values(&self) -> [&str; 10] {
        [
            &self.document_code,
            &self.issuing_state,
            &self.primary_identifier,
            &self.secondary_identifier,
            &self.document_number,
            &self.nationality,
            &self.birth_date,
            &self.sex,
            &self.expiry_date,
            &self.optional_data,
        ]
    }
}

impl Entry {
    /// What a perfect reader gives for this image.
    pub fn truth(&self) -> Truth {
        let document = &self.document;
        let name_field = match document.layout {
            Layout::Td1 => self.lines[2].as_str(),
            _ => &self.lines[0][5..],
        };
        let (primary, secondary) = name_field.split_once("<<").unwrap_or((name_field, ""));
        Truth {
            document_code: document.document_code.clone(),
            issuing_state: document.issuing_state.clone(),
            primary_identifier: words(primary),
            secondary_identifier: words(secondary),
            document_number: document.document_number.clone(),
            nationality: document.nationality.clone(),
            birth_date: document.birth_date.format("%y%m%d").to_string(),
            sex: document.sex.to_string(),
            expiry_date: document.expiry_date.format("%y%m%d").to_string(),
            optional_data: document.optional_data.clone(),
        }
    }
}

/// Name words joined by single spaces, from a field where `<` separates them.
pub fn words(part: &str) -> String {
    part.split('<').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}
