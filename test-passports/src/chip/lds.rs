//! The files of the LDS1 eMRTD application as Doc 9303-10 encodes them: EF.COM, DG1, DG14,
//! DG15, the LDS security object and EF.SOD around it. DG2 is in [`super::face`].

use crate::der::{self, Oid};
use crate::pki::keys::KeyPair;
use crate::pki::signature::Hash;

/// id-icao-mrtd-security-ldsSecurityObject (Doc 9303-10 4.6.2.3).
pub const LDS_SECURITY_OBJECT: Oid = &[2, 23, 136, 1, 1, 1];
/// The LDS version this generator writes, `aabb` (Doc 9303-10 4.6.1.1).
pub const LDS_VERSION: &str = "0108";
/// The Unicode version, `aabbcc`.
pub const UNICODE_VERSION: &str = "040000";

/// A data group's tag (Doc 9303-10 Table 38): 61 for DG1, 75 for DG2, 63 for DG3, 76 for
/// DG4, then 60 plus the number.
pub fn data_group_tag(number: u8) -> u8 {
    match number {
        1 => 0x61,
        2 => 0x75,
        3 => 0x63,
        4 => 0x76,
        _ => 0x60 + number,
    }
}

/// EF.COM: the LDS and Unicode versions and the tags of the data groups present.
pub fn ef_com(data_groups: &[u8]) -> Vec<u8> {
    let tags: Vec<u8> = data_groups.iter().map(|number| data_group_tag(*number)).collect();
    let content = [
        der::tlv(&[0x5F, 0x01], LDS_VERSION.as_bytes()),
        der::tlv(&[0x5F, 0x36], UNICODE_VERSION.as_bytes()),
        der::tlv(&[0x5C], &tags),
    ];
    der::tlv(&[0x60], &content.concat())
}

/// DG1: the MRZ's lines run together in data object 5F1F.
pub fn dg1(lines: &[String]) -> Vec<u8> {
    der::tlv(&[0x61], &der::tlv(&[0x5F, 0x1F], lines.concat().as_bytes()))
}

/// DG15: the Active Authentication public key as a SubjectPublicKeyInfo.
pub fn dg15(key: &KeyPair) -> anyhow::Result<Vec<u8>> {
    Ok(der::tlv(&[0x6F], &key.public_key_info()?))
}

/// id-PK-ECDH (BSI TR-03110): the chip's static key agreement key.
const PK_ECDH: Oid = &[0, 4, 0, 127, 0, 7, 2, 2, 1, 2];
/// id-CA-ECDH-AES-CBC-CMAC-128 (BSI TR-03110, Doc 9303-11 9.2).
pub const CA_ECDH_AES_128: Oid = &[0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2];
/// id-icao-mrtd-security-aaProtocolObject (Doc 9303-11 9.2.7).
const AA_PROTOCOL: Oid = &[2, 23, 136, 1, 1, 5];

/// ecdsa-plain-SHA* of BSI TR-03111, the plain r||s the chip answers with.
pub fn ecdsa_plain_oid(hash: Hash) -> Oid {
    match hash {
        Hash::Sha1 => &[0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1],
        Hash::Sha256 => &[0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3],
        Hash::Sha384 => &[0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4],
        Hash::Sha512 => &[0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5],
    }
}

/// DG14: SecurityInfos. With a Chip Authentication key, its ChipAuthenticationPublicKeyInfo
/// and a ChipAuthenticationInfo (version 1); with an ECDSA Active Authentication key, the
/// ActiveAuthenticationInfo naming its signature algorithm.
pub fn dg14(
    chip_authentication: Option<&KeyPair>,
    active_authentication: Option<Hash>,
) -> anyhow::Result<Vec<u8>> {
    let mut infos = Vec::new();
    if let Some(key) = chip_authentication {
        infos.push(der::sequence([der::oid(PK_ECDH), key.public_key_info()?, der::integer(1)]));
        infos.push(der::sequence([der::oid(CA_ECDH_AES_128), der::integer(1), der::integer(1)]));
    }
    if let Some(hash) = active_authentication {
        infos.push(der::sequence([
            der::oid(AA_PROTOCOL),
            der::integer(1),
            der::oid(ecdsa_plain_oid(hash)),
        ]));
    }
    Ok(der::tlv(&[0x6E], &der::set_of(infos)))
}

/// The LDSSecurityObject: the hash of every data group's whole file, by number. Version 1
/// adds the LDS and Unicode versions (Doc 9303-10 4.6.2.1).
pub fn security_object(
    hash: Hash,
    data_groups: &[(u8, &[u8])],
    version_1: bool,
) -> anyhow::Result<Vec<u8>> {
    let mut hashes = Vec::new();
    for (number, file) in data_groups {
        hashes.push(der::sequence([
            der::integer(u64::from(*number)),
            der::octet_string(&hash.digest(file)?),
        ]));
    }
    let mut fields = vec![
        der::integer(u64::from(version_1)),
        hash.algorithm_identifier(),
        der::sequence(hashes),
    ];
    if version_1 {
        fields.push(der::sequence([
            der::printable_string(LDS_VERSION),
            der::printable_string(UNICODE_VERSION),
        ]));
    }
    Ok(der::sequence(fields))
}

/// EF.SOD: tag 77 around the ContentInfo.
pub fn ef_sod(content_info: &[u8]) -> Vec<u8> {
    der::tlv(&[0x77], content_info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ef_com_is_written_as_the_specification_example_prints_it() {
        // Doc 9303-10 A.1 lists DG1, DG2, DG4 and DG12 at LDS 1.7; we write 1.8.
        let com = ef_com(&[1, 2, 4, 12]);

        let mut expected = vec![0x60, 0x16, 0x5F, 0x01, 0x04];
        expected.extend(b"0108");
        expected.extend([0x5F, 0x36, 0x06]);
        expected.extend(b"040000");
        expected.extend([0x5C, 0x04, 0x61, 0x75, 0x76, 0x6C]);
        assert_eq!(com, expected);
    }

    #[test]
    fn dg1_holds_the_zone_in_5f1f() {
        // Doc 9303-10 A.2.2: a TD2 zone, 72 characters, in 4B bytes of DG1.
        let lines = [
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_owned(),
            "D231458907UTO7408122F1204159<<<<<<<6".to_owned(),
        ];

        let dg1 = dg1(&lines);

        assert_eq!(dg1[..5], [0x61, 0x4B, 0x5F, 0x1F, 0x48]);
    }
}
