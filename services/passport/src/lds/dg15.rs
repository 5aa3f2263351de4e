//! EF.DG15: the Active Authentication public key (Doc 9303 Part 10, 4.7.15).

use super::der::Reader;
use super::{AlgorithmIdentifier, ElementaryFile, LdsError};

/// EF.DG15.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg15<'a> {
    /// The SubjectPublicKeyInfo, as encoded, for a verifier to load.
    pub public_key_info: &'a [u8],
    /// Its algorithm: RSA or an elliptic curve, with the curve's parameters.
    pub algorithm: AlgorithmIdentifier,
}

impl<'a> Dg15<'a> {
    /// Reads EF.DG15: template `6F` around a SubjectPublicKeyInfo.
    pub fn parse(bytes: &'a [u8]) -> Result<Dg15<'a>, LdsError> {
        const SPKI: &str = "the SubjectPublicKeyInfo";
        let mut file = Reader::new(bytes, ElementaryFile::Dg15);
        let template = file.expect(0x6F, "the template 6F")?;
        file.finish("the template 6F")?;

        let mut contents = template.children("the template 6F")?;
        let key_info = contents.expect(0x30, SPKI)?;
        contents.finish("the template 6F")?;

        let mut fields = key_info.children(SPKI)?;
        let algorithm = AlgorithmIdentifier::read(fields.read("its algorithm")?, "its algorithm")?;
        fields.expect(0x03, "the public key BIT STRING")?;
        fields.finish(SPKI)?;
        Ok(Dg15 { public_key_info: key_info.raw, algorithm })
    }
}
