//! SecurityInfos, the SET that DG14 and EF.CardAccess hold: which protocols the chip supports
//! (Chip, Active and Terminal Authentication, PACE) and their parameters (Doc 9303 Part 10,
//! 4.7.14, and Part 11).

use super::der::{Element, Reader};
use super::oid::{ID_ACTIVE_AUTHENTICATION, ID_CA, ID_PACE, ID_PK, ID_TA};
use super::{AlgorithmIdentifier, ElementaryFile, LdsError, Oid};

/// The SecurityInfos of DG14 or EF.CardAccess, in the order stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityInfos<'a> {
    /// Each SecurityInfo.
    pub infos: Vec<SecurityInfo<'a>>,
}

/// One SecurityInfo, `SEQUENCE { protocol OBJECT IDENTIFIER, requiredData, optionalData }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityInfo<'a> {
    /// ChipAuthenticationInfo, protocol under `0.4.0.127.0.7.2.2.3`.
    ChipAuthentication {
        /// The protocol: key agreement and secure messaging.
        protocol: Oid,
        /// Its version.
        version: u64,
        /// Which chip key it uses, when the chip has several.
        key_id: Option<u64>,
    },
    /// ChipAuthenticationPublicKeyInfo, protocol under `0.4.0.127.0.7.2.2.1`.
    ChipAuthenticationPublicKey {
        /// `id-PK-DH` or `id-PK-ECDH`.
        protocol: Oid,
        /// The chip's SubjectPublicKeyInfo, as encoded.
        public_key: &'a [u8],
        /// Which chip key this is, when the chip has several.
        key_id: Option<u64>,
    },
    /// ActiveAuthenticationInfo, protocol `2.23.136.1.1.5`: how an ECDSA chip signs.
    ActiveAuthentication {
        /// Its version.
        version: u64,
        /// The signature algorithm.
        signature_algorithm: Oid,
    },
    /// PACEInfo, protocol under `0.4.0.127.0.7.2.2.4` (with an INTEGER version).
    Pace {
        /// Mapping, key agreement and secure messaging.
        protocol: Oid,
        /// Its version.
        version: u64,
        /// The standardised domain parameters, when named by number.
        parameter_id: Option<u64>,
    },
    /// PACEDomainParameterInfo, protocol under `0.4.0.127.0.7.2.2.4` (with an
    /// AlgorithmIdentifier): domain parameters given explicitly.
    PaceDomainParameters {
        /// Mapping and key agreement.
        protocol: Oid,
        /// The domain parameters.
        domain_parameter: AlgorithmIdentifier,
        /// Which PACEInfo they serve, when there are several.
        parameter_id: Option<u64>,
    },
    /// TerminalAuthenticationInfo, protocol `0.4.0.127.0.7.2.2.2`.
    TerminalAuthentication {
        /// Its version.
        version: u64,
        /// The FileID of EF.CVCA, as encoded, when given.
        ef_cvca: Option<&'a [u8]>,
    },
    /// A SecurityInfo of another protocol, kept as it is.
    Other {
        /// The protocol.
        protocol: Oid,
        /// The whole SecurityInfo as encoded.
        raw: &'a [u8],
    },
}

const SET: &str = "the SET of SecurityInfos";
const INFO: &str = "a SecurityInfo";

impl<'a> SecurityInfos<'a> {
    /// Reads EF.DG14: template `6E` around the SET of SecurityInfos.
    pub fn parse_dg14(bytes: &'a [u8]) -> Result<SecurityInfos<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Dg14);
        let template = file.expect(0x6E, "the template 6E")?;
        file.finish("the template 6E")?;

        let mut contents = template.children("the template 6E")?;
        let set = contents.expect(0x31, SET)?;
        contents.finish("the template 6E")?;
        read_set(set)
    }

    /// Reads EF.CardAccess: the SET of SecurityInfos, with no template around it.
    pub fn parse_card_access(bytes: &'a [u8]) -> Result<SecurityInfos<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::CardAccess);
        let set = file.expect(0x31, SET)?;
        file.finish(SET)?;
        read_set(set)
    }

    /// The chip's Chip Authentication public keys, with their key ids.
    pub fn chip_authentication_keys(&self) -> impl Iterator<Item = (&'a [u8], Option<u64>)> + '_ {
        self.infos.iter().filter_map(|info| match info {
            SecurityInfo::ChipAuthenticationPublicKey { public_key, key_id, .. } => {
                Some((*public_key, *key_id))
            }
            _ => None,
        })
    }

    /// The signature algorithm of Active Authentication, which an ECDSA chip names here.
    pub fn active_authentication_algorithm(&self) -> Option<&Oid> {
        self.infos.iter().find_map(|info| match info {
            SecurityInfo::ActiveAuthentication { signature_algorithm, .. } => {
                Some(signature_algorithm)
            }
            _ => None,
        })
    }
}

fn read_set(set: Element<'_>) -> Result<SecurityInfos<'_>, LdsError> {
    let mut entries = set.children(SET)?;
    let mut infos = Vec::new();
    while !entries.is_empty() {
        let info = entries.expect(0x30, INFO)?;
        infos.push(read_info(info)?);
    }
    Ok(SecurityInfos { infos })
}

fn read_info(info: Element<'_>) -> Result<SecurityInfo<'_>, LdsError> {
    let mut fields = info.children(INFO)?;
    let protocol = fields.expect(0x06, "the protocol of a SecurityInfo")?.oid("the protocol")?;
    let required_tag = fields.peek_tag();

    let known = if protocol.is(ID_ACTIVE_AUTHENTICATION) {
        let version = fields.expect(0x02, "the version").and_then(|v| v.unsigned("the version"))?;
        let algorithm = fields.expect(0x06, "the signature algorithm")?;
        let signature_algorithm = algorithm.oid("the signature algorithm")?;
        SecurityInfo::ActiveAuthentication { version, signature_algorithm }
    } else if protocol.is(ID_TA) {
        let version = fields.expect(0x02, "the version").and_then(|v| v.unsigned("the version"))?;
        let ef_cvca = fields.optional(0x30, "the FileID of EF.CVCA")?.map(|file_id| file_id.raw);
        SecurityInfo::TerminalAuthentication { version, ef_cvca }
    } else if protocol.is_under(ID_PK) {
        let public_key = fields.expect(0x30, "the chip's public key")?.raw;
        let key_id = optional_number(&mut fields, "the key id")?;
        SecurityInfo::ChipAuthenticationPublicKey { protocol, public_key, key_id }
    } else if protocol.is_under(ID_CA) && required_tag == Some(0x02) {
        let version = fields.expect(0x02, "the version").and_then(|v| v.unsigned("the version"))?;
        let key_id = optional_number(&mut fields, "the key id")?;
        SecurityInfo::ChipAuthentication { protocol, version, key_id }
    } else if protocol.is_under(ID_PACE) && required_tag == Some(0x02) {
        let version = fields.expect(0x02, "the version").and_then(|v| v.unsigned("the version"))?;
        let parameter_id = optional_number(&mut fields, "the parameter id")?;
        SecurityInfo::Pace { protocol, version, parameter_id }
    } else if protocol.is_under(ID_PACE) && required_tag == Some(0x30) {
        let parameters = fields.read("the domain parameters")?;
        let domain_parameter = AlgorithmIdentifier::read(parameters, "the domain parameters")?;
        let parameter_id = optional_number(&mut fields, "the parameter id")?;
        SecurityInfo::PaceDomainParameters { protocol, domain_parameter, parameter_id }
    } else {
        return Ok(SecurityInfo::Other { protocol, raw: info.raw });
    };

    fields.finish(INFO)?;
    Ok(known)
}

fn optional_number(fields: &mut Reader<'_>, name: &'static str) -> Result<Option<u64>, LdsError> {
    fields.optional(0x02, name)?.map(|number| number.unsigned(name)).transpose()
}
