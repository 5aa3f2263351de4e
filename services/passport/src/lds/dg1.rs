//! EF.DG1: the MRZ as the chip holds it, handed to the MRZ parser (Doc 9303 Part 10, 4.7.1).

use chrono::NaiveDate;

use super::der::Reader;
use super::{ElementaryFile, LdsError};
use crate::mrz::{self, MrzError, MrzReport};

/// EF.DG1: the zone's lines, cut from the one string the chip stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg1 {
    /// The lines: three of 30 (TD1), two of 36 (TD2, MRV-B) or two of 44 (TD3, MRV-A).
    pub lines: Vec<String>,
}

impl Dg1 {
    /// Reads EF.DG1: template `61` holding the MRZ data object `5F1F`.
    pub fn parse(bytes: &[u8]) -> Result<Dg1, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Dg1);
        let template = file.expect(0x61, "the template 61")?;
        file.finish("the template 61")?;

        let mut fields = template.children("the template 61")?;
        let zone = fields.expect(0x5F1F, "the MRZ 5F1F")?.text("the MRZ 5F1F")?;
        fields.finish("the template 61")?;

        let characters: Vec<char> = zone.chars().collect();
        let line_length = match characters.len() {
            90 => 30,
            72 => 36,
            88 => 44,
            found => return Err(LdsError::MrzLength { found }),
        };
        let lines = characters.chunks(line_length).map(|line| line.iter().collect()).collect();
        Ok(Dg1 { lines })
    }

    /// The zone parsed and checked field by field, as a printed one would be, judging dates
    /// against `today`.
    pub fn mrz(&self, today: NaiveDate) -> Result<MrzReport, MrzError> {
        let lines: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        mrz::parse(&lines, today)
    }
}
