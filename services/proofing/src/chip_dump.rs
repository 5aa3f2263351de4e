//! A chip dump: what a client read from a passport's chip and uploads for the chip step, as it
//! is sealed in the store and opened by the activity that judges it.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The media type a chip dump is stored with.
pub const CHIP_DUMP_MEDIA_TYPE: &str = "application/vnd.idproof.chip-dump+json";

/// EF.SOD and the data groups read from a chip, and the chip's answer to a challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipDump {
    /// EF.SOD as read.
    #[serde(with = "bytes")]
    pub sod: Vec<u8>,
    /// Each data group read, by its number (1 to 16).
    pub data_groups: BTreeMap<u8, DataGroupBytes>,
    /// The challenge the chip signed and its signature, when the client ran Active
    /// Authentication.
    pub active_authentication: Option<ChallengeAnswer>,
}

/// A data group's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataGroupBytes(#[serde(with = "bytes")] pub Vec<u8>);

/// A challenge and the chip's signature over it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeAnswer {
    /// The challenge idproof issued, spent by this upload.
    #[serde(with = "bytes")]
    pub challenge: Vec<u8>,
    /// The chip's signature.
    #[serde(with = "bytes")]
    pub signature: Vec<u8>,
}

/// A chip dump that does not encode, or stored bytes that do not decode as one.
#[derive(Debug, thiserror::Error)]
#[error("the chip dump does not encode or decode: {0}")]
pub struct ChipDumpError(String);

impl ChipDump {
    /// The dump as stored.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ChipDumpError> {
        serde_json::to_vec(self).map_err(|err| ChipDumpError(err.to_string()))
    }

    /// A stored dump.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ChipDumpError> {
        serde_json::from_slice(bytes).map_err(|err| ChipDumpError(err.to_string()))
    }
}

/// Bytes as standard base64 in JSON.
mod bytes {
    use super::*;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_comes_back_as_it_went_in() {
        let dump = ChipDump {
            sod: vec![0x77, 0x03, 1, 2, 3],
            data_groups: BTreeMap::from([
                (1, DataGroupBytes(vec![0x61, 0])),
                (15, DataGroupBytes(vec![])),
            ]),
            active_authentication: Some(ChallengeAnswer {
                challenge: vec![7; 8],
                signature: vec![0xAB; 64],
            }),
        };

        let stored = dump.to_bytes().unwrap();

        assert_eq!(ChipDump::from_bytes(&stored).unwrap(), dump);
        assert!(ChipDump::from_bytes(&stored[..stored.len() - 1]).is_err());
    }
}
