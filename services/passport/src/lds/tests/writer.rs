//! A small DER writer for building test files, and the files themselves.

use crate::lds::Oid;

/// A tag (as the bytes that encode it), a definite length, and `contents`.
pub(super) fn tlv(tag: u32, contents: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = tag.to_be_bytes().into_iter().skip_while(|&byte| byte == 0).collect();
    let length = contents.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let digits: Vec<u8> =
            (length as u32).to_be_bytes().into_iter().skip_while(|&byte| byte == 0).collect();
        out.push(0x80 | digits.len() as u8);
        out.extend(digits);
    }
    out.extend_from_slice(contents);
    out
}

/// A constructed element of the parts, concatenated.
pub(super) fn cons(tag: u32, parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// The same, in the indefinite length BER allows.
pub(super) fn indefinite(tag: u32, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = tag.to_be_bytes().into_iter().skip_while(|&byte| byte == 0).collect();
    out.push(0x80);
    out.extend(parts.concat());
    out.extend([0, 0]);
    out
}

pub(super) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    cons(0x30, parts)
}

pub(super) fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    cons(0x31, parts)
}

pub(super) fn int(value: u64) -> Vec<u8> {
    let mut digits: Vec<u8> =
        value.to_be_bytes().into_iter().skip_while(|&byte| byte == 0).collect();
    if digits.first().is_none_or(|&first| first & 0x80 != 0) {
        digits.insert(0, 0);
    }
    tlv(0x02, &digits)
}

pub(super) fn oid(dotted: &str) -> Vec<u8> {
    tlv(0x06, Oid::from_dotted(dotted).unwrap().as_der_contents())
}

pub(super) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

pub(super) const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub(super) const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
pub(super) const LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";
pub(super) const ID_DATA: &str = "1.2.840.113549.1.7.1";

/// EF.COM as Part 10, Appendix A.1 prints it: LDS 1.7, Unicode 4.0.0, DG1, DG2, DG4 and DG12.
pub(super) fn ef_com() -> Vec<u8> {
    let mut bytes = vec![0x60, 0x16, 0x5F, 0x01, 0x04];
    bytes.extend(b"0107");
    bytes.extend([0x5F, 0x36, 0x06]);
    bytes.extend(b"040000");
    bytes.extend([0x5C, 0x04, 0x61, 0x75, 0x76, 0x6C]);
    bytes
}

/// The passport specimen of Part 4 (TD3), as DG1 holds it.
pub(super) fn dg1_td3() -> Vec<u8> {
    let zone =
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    cons(0x61, &[tlv(0x5F1F, zone.as_bytes())])
}

/// A JPEG's first and last bytes around some filler: enough for its signature to show.
pub(super) fn jpeg() -> Vec<u8> {
    let mut image = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    image.extend(b"JFIF\0 face pixels");
    image.extend([0xFF, 0xD9]);
    image
}

/// A JPEG 2000 file: its signature box and some filler.
pub(super) fn jp2() -> Vec<u8> {
    let mut image = vec![0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
    image.extend(b"jp2 codestream");
    image
}

/// An ISO/IEC 19794-5 facial record of one image with one feature point.
pub(super) fn facial_record(image: &[u8], image_data_type: u8) -> Vec<u8> {
    let mut block = Vec::new();
    block.extend(((20 + 8 + 12 + image.len()) as u32).to_be_bytes());
    block.extend(1u16.to_be_bytes());
    block.extend([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    block.extend([1, 0x11, 0, 100, 0, 120, 0, 0]);
    block.extend([1, image_data_type, 0x01, 0xE0, 0x02, 0x80, 1, 2, 0, 0, 0, 0]);
    block.extend_from_slice(image);

    let mut record = [b"FAC\0".as_slice(), b"010\0"].concat();
    record.extend(((14 + block.len()) as u32).to_be_bytes());
    record.extend(1u16.to_be_bytes());
    record.extend(block);
    record
}

/// DG2 around one biometric data block.
pub(super) fn dg2_with(data_block: Vec<u8>) -> Vec<u8> {
    let header =
        cons(0xA1, &[tlv(0x80, &[1, 1]), tlv(0x81, &[2]), tlv(0x87, &[1, 1]), tlv(0x88, &[0, 8])]);
    let template = cons(0x7F60, &[header, data_block]);
    cons(0x75, &[cons(0x7F61, &[int(1), template])])
}

/// DG2 with a 19794-5 record of a JPEG, 480 × 640.
pub(super) fn dg2_19794() -> Vec<u8> {
    dg2_with(tlv(0x5F2E, &facial_record(&jpeg(), 0)))
}

/// DG2 with a 39794-5 face image data block of a lossy JPEG 2000, 480 × 640.
pub(super) fn dg2_39794() -> Vec<u8> {
    dg2_with(cons(0x7F2E, &[face_image_data_block()]))
}

/// The 39794-5 FaceImageDataBlock, `[APPLICATION 5]`.
pub(super) fn face_image_data_block() -> Vec<u8> {
    let size = cons(0xA7, &[tlv(0x80, &[0x01, 0xE0]), tlv(0x81, &[0x02, 0x80])]);
    let information = cons(0xA1, &[cons(0xA0, &[tlv(0x80, &[3])]), size]);
    let image_2d = cons(0xA0, &[tlv(0x80, &jp2()), information]);
    let representation = cons(0xA1, &[cons(0xA0, &[image_2d])]);
    let block = seq(&[tlv(0x80, &[1]), representation]);
    let version = cons(0xA0, &[tlv(0x80, &[1]), tlv(0x81, &[0x07, 0xE3])]);
    cons(0x65, &[version, cons(0xA1, &[block])])
}

/// A SubjectPublicKeyInfo of an RSA key (the key itself is filler).
pub(super) fn rsa_key_info() -> Vec<u8> {
    let algorithm = seq(&[oid("1.2.840.113549.1.1.1"), tlv(0x05, &[])]);
    seq(&[algorithm, tlv(0x03, &[0x00, 0x30, 0x03, 0x02, 0x01, 0x05])])
}

/// A SubjectPublicKeyInfo of an ECDH chip key on a named curve (brainpoolP256r1).
pub(super) fn ec_key_info() -> Vec<u8> {
    let algorithm = seq(&[oid("1.2.840.10045.2.1"), oid("1.3.36.3.3.2.8.1.1.7")]);
    seq(&[algorithm, tlv(0x03, &[0x00, 0x04, 0x01, 0x02])])
}

/// The SecurityInfos of a chip with Chip, Active and Terminal Authentication, PACE, and one
/// protocol no reader knows.
pub(super) fn security_infos() -> Vec<u8> {
    set(&[
        seq(&[oid("0.4.0.127.0.7.2.2.1.2"), ec_key_info(), int(7)]),
        seq(&[oid("0.4.0.127.0.7.2.2.3.2.4"), int(1), int(7)]),
        seq(&[oid("2.23.136.1.1.5"), int(1), oid("0.4.0.127.0.7.1.1.4.1.3")]),
        seq(&[oid("0.4.0.127.0.7.2.2.4.2.4"), int(2), int(13)]),
        seq(&[oid("0.4.0.127.0.7.2.2.2"), int(1)]),
        seq(&[oid("1.2.3.4"), tlv(0x0C, b"anything")]),
    ])
}

/// The LDS security object, version 1, of SHA-256 hashes of the data groups given.
pub(super) fn security_object(hashes: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Vec<u8>> =
        hashes.iter().map(|(number, hash)| seq(&[int(*number), octets(hash)])).collect();
    let versions = seq(&[tlv(0x13, b"0108"), tlv(0x13, b"040000")]);
    seq(&[int(1), seq(&[oid(SHA256)]), seq(&entries), versions])
}

/// Hashes of DG1 and DG2 that are only patterns.
pub(super) fn two_hashes() -> Vec<(u64, Vec<u8>)> {
    vec![(1, vec![0x11; 32]), (2, vec![0x22; 32])]
}

/// Signed attributes `[0]`: content type and message digest, and a signing time.
pub(super) fn signed_attributes(content_type: &str, digest: &[u8]) -> Vec<u8> {
    cons(0xA0, &attributes(content_type, digest))
}

/// The attributes themselves.
pub(super) fn attributes(content_type: &str, digest: &[u8]) -> Vec<Vec<u8>> {
    vec![
        seq(&[oid("1.2.840.113549.1.9.3"), set(&[oid(content_type)])]),
        seq(&[oid("1.2.840.113549.1.9.5"), set(&[tlv(0x17, b"261203120000Z")])]),
        seq(&[oid("1.2.840.113549.1.9.4"), set(&[octets(digest)])]),
    ]
}

/// The issuer's Name of the test document signer.
pub(super) fn issuer() -> Vec<u8> {
    seq(&[set(&[seq(&[oid("2.5.4.6"), tlv(0x13, b"UT")])])])
}

/// A SignerInfo of version 1, named by issuer and serial number.
pub(super) fn signer_info(signed_attributes: Vec<u8>) -> Vec<u8> {
    seq(&[
        int(1),
        seq(&[issuer(), int(0x1234)]),
        seq(&[oid(SHA256)]),
        signed_attributes,
        seq(&[oid(RSA_SHA256), tlv(0x05, &[])]),
        octets(&[0x5A; 64]),
    ])
}

/// A certificate-shaped SEQUENCE; the reader keeps certificates as they are.
pub(super) fn certificate() -> Vec<u8> {
    seq(&[seq(&[int(2), issuer()]), seq(&[oid(RSA_SHA256)]), tlv(0x03, &[0x00, 0xAB])])
}

/// EF.SOD around the content and SignerInfos given.
pub(super) fn sod_with(content_type: &str, content: &[u8], signers: &[Vec<u8>]) -> Vec<u8> {
    let encapsulated = seq(&[oid(content_type), cons(0xA0, &[octets(content)])]);
    let signed_data = seq(&[
        int(3),
        set(&[seq(&[oid(SHA256)])]),
        encapsulated,
        cons(0xA0, &[certificate()]),
        set(signers),
    ]);
    cons(0x77, &[seq(&[oid("1.2.840.113549.1.7.2"), cons(0xA0, &[signed_data])])])
}

/// A well-formed EF.SOD of two data group hashes.
pub(super) fn sod() -> Vec<u8> {
    let content = security_object(&two_hashes());
    let signer = signer_info(signed_attributes(LDS_SECURITY_OBJECT, &[0x44; 32]));
    sod_with(LDS_SECURITY_OBJECT, &content, &[signer])
}

/// The same SOD in BER: indefinite lengths throughout and the content in two pieces.
pub(super) fn sod_ber() -> Vec<u8> {
    let content = security_object(&two_hashes());
    let (first, second) = content.split_at(10);
    let pieces = indefinite(0x24, &[octets(first), octets(second)]);
    let encapsulated = indefinite(0x30, &[oid(LDS_SECURITY_OBJECT), indefinite(0xA0, &[pieces])]);
    let attributes = indefinite(0xA0, &attributes(LDS_SECURITY_OBJECT, &[0x44; 32]));
    let signer = signer_info(attributes);
    let signed_data = indefinite(
        0x30,
        &[
            int(3),
            set(&[seq(&[oid(SHA256)])]),
            encapsulated,
            indefinite(0xA0, &[certificate()]),
            indefinite(0x31, &[signer]),
        ],
    );
    let content_info =
        indefinite(0x30, &[oid("1.2.840.113549.1.7.2"), indefinite(0xA0, &[signed_data])]);
    indefinite(0x77, &[content_info])
}
