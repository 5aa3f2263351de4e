//! The LDS security object inside EF.SOD: the hash algorithm and a hash of each data group
//! (Doc 9303 Part 10, 4.6.2.3).

use std::collections::BTreeSet;

use super::der::Reader;
use super::{AlgorithmIdentifier, ElementaryFile, LdsError};

/// The most data groups there are (ub-DataGroups).
const DATA_GROUPS: usize = 16;

/// LDSSecurityObject, version 0 (LDS 1.7) or 1 (LDS 1.8, with version information).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0 or 1.
    pub version: u64,
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: AlgorithmIdentifier,
    /// The data group hashes, 2 to 16, each data group at most once, in the order listed.
    pub data_group_hashes: Vec<DataGroupHash>,
    /// The LDS and Unicode versions, which version 1 carries.
    pub lds_version_info: Option<LdsVersionInfo>,
}

/// The hash of one data group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataGroupHash {
    /// The data group, 1 to 16.
    pub number: u8,
    /// The hash of the data group's whole file.
    pub hash: Vec<u8>,
}

/// LDSVersionInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsVersionInfo {
    /// The LDS version, `aabb`.
    pub lds_version: String,
    /// The Unicode version, `aabbcc`.
    pub unicode_version: String,
}

impl LdsSecurityObject {
    /// Reads the encapsulated content of EF.SOD.
    pub fn parse(bytes: &[u8]) -> Result<LdsSecurityObject, LdsError> {
        const OBJECT: &str = "the LDSSecurityObject";
        let mut file = Reader::new(bytes, ElementaryFile::LdsSecurityObject);
        let object = file.expect(0x30, OBJECT)?;
        file.finish(OBJECT)?;

        let mut fields = object.children(OBJECT)?;
        let version = fields.expect(0x02, "its version")?;
        let version_number = version.unsigned("its version")?;
        if version_number > 1 {
            return Err(version.invalid("its version", "a version other than 0 or 1"));
        }
        let hash_algorithm =
            AlgorithmIdentifier::read(fields.read("its hashAlgorithm")?, "its hashAlgorithm")?;
        let hashes = fields.expect(0x30, "its dataGroupHashValues")?;
        let data_group_hashes = read_hashes(hashes.children("its dataGroupHashValues")?)?;

        let lds_version_info = match fields.optional(0x30, "its ldsVersionInfo")? {
            Some(info) => {
                let mut versions = info.children("its ldsVersionInfo")?;
                let lds_version = versions.read("the ldsVersion")?.text("the ldsVersion")?;
                let unicode_version =
                    versions.read("the unicodeVersion")?.text("the unicodeVersion")?;
                versions.finish("its ldsVersionInfo")?;
                Some(LdsVersionInfo { lds_version, unicode_version })
            }
            None => None,
        };
        fields.finish(OBJECT)?;

        Ok(LdsSecurityObject {
            version: version_number,
            hash_algorithm,
            data_group_hashes,
            lds_version_info,
        })
    }

    /// The hash listed for data group `number`.
    pub fn hash_of(&self, number: u8) -> Option<&[u8]> {
        self.data_group_hashes
            .iter()
            .find(|listed| listed.number == number)
            .map(|listed| listed.hash.as_slice())
    }
}

/// `SEQUENCE SIZE (2..16) OF DataGroupHash`; reading stops at the seventeenth.
fn read_hashes(mut entries: Reader<'_>) -> Result<Vec<DataGroupHash>, LdsError> {
    let mut hashes = Vec::new();
    let mut seen = BTreeSet::new();
    while !entries.is_empty() {
        if hashes.len() == DATA_GROUPS {
            return Err(LdsError::DataGroupCount { found: DATA_GROUPS + 1 });
        }

        let entry = entries.expect(0x30, "a DataGroupHash")?;
        let mut fields = entry.children("a DataGroupHash")?;
        let number = fields.expect(0x02, "the dataGroupNumber")?.unsigned("the dataGroupNumber")?;
        let hash = fields.expect(0x04, "the dataGroupHashValue")?.contents.to_vec();
        fields.finish("a DataGroupHash")?;

        let Some(number) = u8::try_from(number).ok().filter(|number| (1..=16).contains(number))
        else {
            return Err(LdsError::DataGroupNumber { number });
        };
        if !seen.insert(number) {
            return Err(LdsError::DuplicateDataGroup { number });
        }
        hashes.push(DataGroupHash { number, hash });
    }

    if hashes.len() < 2 {
        return Err(LdsError::DataGroupCount { found: hashes.len() });
    }
    Ok(hashes)
}
