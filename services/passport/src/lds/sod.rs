//! EF.SOD: the document security object, a CMS SignedData around the LDS security object that
//! lists a hash of every data group (Doc 9303 Part 10, 4.6.2; RFC 5652). Read, not verified:
//! [`Sod`] keeps every part a verifier hashes or checks, in the bytes the signer signed.

use std::borrow::Cow;

use super::der::{Element, Reader};
use super::oid::{
    ID_CONTENT_TYPE, ID_DATA, ID_LDS_SECURITY_OBJECT, ID_LDS_SECURITY_OBJECT_DRAFT,
    ID_LDS_SECURITY_OBJECT_SDU, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
};
use super::{AlgorithmIdentifier, ElementaryFile, LdsError, Oid};

pub use super::security_object::{DataGroupHash, LdsSecurityObject, LdsVersionInfo};

/// The most digest algorithms, certificates or CRLs a SOD may list; real ones list one or two.
const MAX_LISTED: usize = 16;
/// The most SignerInfos; Doc 9303 recommends one.
const MAX_SIGNERS: usize = 8;
/// The most signed attributes in one SignerInfo.
const MAX_ATTRIBUTES: usize = 32;

/// EF.SOD, read but not verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sod<'a> {
    /// The SignedData version (3 in Doc 9303).
    pub version: u64,
    /// The digest algorithms SignedData lists.
    pub digest_algorithms: Vec<AlgorithmIdentifier>,
    /// The encapsulated content type, as encoded.
    pub content_type: Oid,
    /// Which of the accepted content types that is.
    pub content_kind: EncapsulatedContentType,
    /// The encapsulated content: the encoding of the LDS security object, the bytes the
    /// message-digest signed attribute hashes.
    pub content: Cow<'a, [u8]>,
    /// The LDS security object the content encodes.
    pub security_object: LdsSecurityObject,
    /// The certificates (`[0]`), each as encoded: the document signer's, usually alone.
    pub certificates: Vec<&'a [u8]>,
    /// The revocation information (`[1]`), each as encoded; Doc 9303 asks issuers to leave it
    /// out.
    pub crls: Vec<&'a [u8]>,
    /// The SignerInfos, at least one.
    pub signer_infos: Vec<SignerInfo<'a>>,
}

/// The encapsulated content types a document security object is found with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncapsulatedContentType {
    /// `2.23.136.1.1.1`, id-icao-ldsSecurityObject, as Doc 9303 requires.
    LdsSecurityObject,
    /// `1.2.840.113549.1.7.1`, id-data, which some issuers use.
    Data,
    /// An identifier from before Doc 9303 settled: `1.3.27.1.1.1` or `1.2.528.1.1006.1.20.1`.
    Legacy,
}

/// One SignerInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerInfo<'a> {
    /// Its version: 1 with an issuer and serial number, 3 with a subject key identifier.
    pub version: u64,
    /// The document signer certificate it names.
    pub sid: SignerIdentifier<'a>,
    /// The digest algorithm over the content and the signed attributes.
    pub digest_algorithm: AlgorithmIdentifier,
    /// The signed attributes, which Doc 9303 requires and CMS does not.
    pub signed_attributes: Option<SignedAttributes<'a>>,
    /// The signature algorithm, with its parameters as encoded (RSASSA-PSS has some).
    pub signature_algorithm: AlgorithmIdentifier,
    /// The signature.
    pub signature: &'a [u8],
}

/// How a SignerInfo names its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerIdentifier<'a> {
    /// The issuer's name and the certificate's serial number.
    IssuerAndSerialNumber {
        /// The IssuerAndSerialNumber, as encoded.
        raw: &'a [u8],
        /// The issuer's Name, as encoded.
        issuer: &'a [u8],
        /// The serial number's INTEGER contents, as encoded.
        serial_number: &'a [u8],
    },
    /// The certificate's subject key identifier (`[0]`).
    SubjectKeyIdentifier(&'a [u8]),
}

/// The signed attributes of a SignerInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAttributes<'a> {
    /// The attributes as they stand in the SignerInfo, tagged `[0]` (`A0`).
    pub raw: &'a [u8],
    /// The same attributes tagged as a SET OF (`31`): the bytes the signature covers (RFC
    /// 5652, 5.4). An indefinite length is given its definite form.
    pub signed_bytes: Vec<u8>,
    /// The content-type attribute, which must equal the encapsulated content type.
    pub content_type: Oid,
    /// The message-digest attribute: the digest of the encapsulated content.
    pub message_digest: &'a [u8],
}

impl<'a> Sod<'a> {
    /// Reads EF.SOD: template `77` around a ContentInfo of signed data.
    pub fn parse(bytes: &'a [u8]) -> Result<Sod<'a>, LdsError> {
        let mut file = Reader::new(bytes, ElementaryFile::Sod);
        let template = file.expect(0x77, "the template 77")?;
        file.finish("the template 77")?;

        let mut outer = template.children("the template 77")?;
        let content_info = outer.expect(0x30, "the ContentInfo")?;
        outer.finish("the template 77")?;

        let mut fields = content_info.children("the ContentInfo")?;
        let content_type = fields.expect(0x06, "the ContentInfo's contentType")?;
        let content_type = content_type.oid("the ContentInfo's contentType")?;
        if !content_type.is(ID_SIGNED_DATA) {
            let oid = content_type.to_string();
            return Err(LdsError::ContentType { element: "the ContentInfo's contentType", oid });
        }
        let explicit = fields.expect(0xA0, "the ContentInfo's content [0]")?;
        fields.finish("the ContentInfo")?;

        let mut content = explicit.children("the ContentInfo's content [0]")?;
        let signed_data = content.expect(0x30, "the SignedData")?;
        content.finish("the ContentInfo's content [0]")?;
        read_signed_data(signed_data)
    }
}

fn read_signed_data(signed_data: Element<'_>) -> Result<Sod<'_>, LdsError> {
    let mut fields = signed_data.children("the SignedData")?;
    let version =
        fields.expect(0x02, "the SignedData version")?.unsigned("the SignedData version")?;

    let algorithms = fields.expect(0x31, "the digestAlgorithms")?;
    let mut digest_algorithms = Vec::new();
    for algorithm in elements(algorithms, "the digestAlgorithms", MAX_LISTED)? {
        digest_algorithms.push(AlgorithmIdentifier::read(algorithm, "a digest algorithm")?);
    }

    let encapsulated = fields.expect(0x30, "the encapContentInfo")?;
    let (content_type, content_kind, content) = read_encapsulated(encapsulated)?;
    let security_object = LdsSecurityObject::parse(&content)?;

    let certificates = match fields.optional(0xA0, "the certificates [0]")? {
        Some(set) => raw_elements(set, "the certificates [0]")?,
        None => Vec::new(),
    };
    let crls = match fields.optional(0xA1, "the crls [1]")? {
        Some(set) => raw_elements(set, "the crls [1]")?,
        None => Vec::new(),
    };

    let signers = fields.expect(0x31, "the signerInfos")?;
    let mut signer_infos = Vec::new();
    for signer in elements(signers, "the signerInfos", MAX_SIGNERS)? {
        signer_infos.push(read_signer_info(signer)?);
    }
    if signer_infos.is_empty() {
        return Err(LdsError::SignerInfo { reason: "the SOD has no SignerInfo" });
    }
    fields.finish("the SignedData")?;

    Ok(Sod {
        version,
        digest_algorithms,
        content_type,
        content_kind,
        content,
        security_object,
        certificates,
        crls,
        signer_infos,
    })
}

fn read_encapsulated(
    encapsulated: Element<'_>,
) -> Result<(Oid, EncapsulatedContentType, Cow<'_, [u8]>), LdsError> {
    let mut fields = encapsulated.children("the encapContentInfo")?;
    let content_type = fields.expect(0x06, "the eContentType")?.oid("the eContentType")?;
    let content_kind = if content_type.is(ID_LDS_SECURITY_OBJECT) {
        EncapsulatedContentType::LdsSecurityObject
    } else if content_type.is(ID_DATA) {
        EncapsulatedContentType::Data
    } else if content_type.is(ID_LDS_SECURITY_OBJECT_DRAFT)
        || content_type.is(ID_LDS_SECURITY_OBJECT_SDU)
    {
        EncapsulatedContentType::Legacy
    } else {
        let oid = content_type.to_string();
        return Err(LdsError::ContentType { element: "the eContentType", oid });
    };

    let explicit = fields.expect(0xA0, "the eContent [0]")?;
    fields.finish("the encapContentInfo")?;
    let mut inside = explicit.children("the eContent [0]")?;
    let content = inside.read("the eContent")?.octets("the eContent")?;
    inside.finish("the eContent [0]")?;
    Ok((content_type, content_kind, content))
}

fn read_signer_info(signer: Element<'_>) -> Result<SignerInfo<'_>, LdsError> {
    if signer.tag != 0x30 {
        let file = signer.file();
        return Err(LdsError::Tag { file, element: "a SignerInfo", found: Some(signer.tag) });
    }

    let mut fields = signer.children("a SignerInfo")?;
    let version =
        fields.expect(0x02, "the SignerInfo version")?.unsigned("the SignerInfo version")?;
    let sid = read_sid(fields.read("the SignerInfo's sid")?)?;
    let digest_algorithm =
        AlgorithmIdentifier::read(fields.read("its digestAlgorithm")?, "its digestAlgorithm")?;
    let signed_attributes = match fields.optional(0xA0, "its signedAttrs [0]")? {
        Some(attributes) => Some(read_signed_attributes(attributes)?),
        None => None,
    };
    let signature_algorithm = AlgorithmIdentifier::read(
        fields.read("its signatureAlgorithm")?,
        "its signatureAlgorithm",
    )?;
    let signature = fields.expect(0x04, "its signature")?.contents;
    fields.optional(0xA1, "its unsignedAttrs [1]")?;
    fields.finish("a SignerInfo")?;

    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        signature_algorithm,
        signature,
    })
}

fn read_sid(sid: Element<'_>) -> Result<SignerIdentifier<'_>, LdsError> {
    match sid.tag {
        0x30 => {
            let mut fields = sid.children("the issuerAndSerialNumber")?;
            let issuer = fields.expect(0x30, "the issuer's Name")?.raw;
            let serial_number = fields.expect(0x02, "the serial number")?.contents;
            fields.finish("the issuerAndSerialNumber")?;
            Ok(SignerIdentifier::IssuerAndSerialNumber { raw: sid.raw, issuer, serial_number })
        }
        0x80 => Ok(SignerIdentifier::SubjectKeyIdentifier(sid.contents)),
        other => Err(LdsError::Tag {
            file: sid.file(),
            element: "the SignerInfo's sid",
            found: Some(other),
        }),
    }
}

fn read_signed_attributes(attributes: Element<'_>) -> Result<SignedAttributes<'_>, LdsError> {
    let mut content_type = None;
    let mut message_digest = None;
    for attribute in elements(attributes, "the signedAttrs [0]", MAX_ATTRIBUTES)? {
        let mut fields = attribute.children("a signed attribute")?;
        let kind =
            fields.expect(0x06, "a signed attribute's type")?.oid("a signed attribute's type")?;
        let values = fields.expect(0x31, "a signed attribute's values")?;
        fields.finish("a signed attribute")?;

        if kind.is(ID_CONTENT_TYPE) {
            let value = single_value(values)?;
            let oid = expect_tag(value, 0x06, "the content-type attribute")?
                .oid("the content-type attribute")?;
            if content_type.replace(oid).is_some() {
                return Err(LdsError::SignerInfo {
                    reason: "the content-type attribute is given twice",
                });
            }
        } else if kind.is(ID_MESSAGE_DIGEST) {
            let value = single_value(values)?;
            let digest = expect_tag(value, 0x04, "the message-digest attribute")?.contents;
            if message_digest.replace(digest).is_some() {
                return Err(LdsError::SignerInfo {
                    reason: "the message-digest attribute is given twice",
                });
            }
        }
    }

    let Some(content_type) = content_type else {
        return Err(LdsError::SignerInfo { reason: "the signed attributes have no content type" });
    };
    let Some(message_digest) = message_digest else {
        return Err(LdsError::SignerInfo {
            reason: "the signed attributes have no message digest",
        });
    };
    Ok(SignedAttributes {
        raw: attributes.raw,
        signed_bytes: retagged_as_set(attributes),
        content_type,
        message_digest,
    })
}

/// The one value of an attribute that CMS allows only one of.
fn single_value(values: Element<'_>) -> Result<Element<'_>, LdsError> {
    let mut values = values.children("a signed attribute's values")?;
    let value = values.read("a signed attribute's value")?;
    if !values.is_empty() {
        return Err(LdsError::SignerInfo {
            reason: "an attribute CMS allows one value of has several",
        });
    }
    Ok(value)
}

fn expect_tag<'a>(
    element: Element<'a>,
    tag: u32,
    name: &'static str,
) -> Result<Element<'a>, LdsError> {
    if element.tag != tag {
        return Err(LdsError::Tag {
            file: element.file(),
            element: name,
            found: Some(element.tag),
        });
    }
    Ok(element)
}

/// The signed attributes with the SET OF tag in place of `[0]`, in definite length.
fn retagged_as_set(attributes: Element<'_>) -> Vec<u8> {
    if !attributes.indefinite {
        let mut set = attributes.raw.to_vec();
        if let Some(tag) = set.first_mut() {
            *tag = 0x31;
        }
        return set;
    }

    let contents = attributes.contents;
    let mut set = vec![0x31];
    if contents.len() < 0x80 {
        set.push(contents.len() as u8);
    } else {
        let digits = contents.len().to_be_bytes();
        let significant: Vec<u8> = digits.iter().copied().skip_while(|&digit| digit == 0).collect();
        set.push(0x80 | significant.len() as u8);
        set.extend_from_slice(&significant);
    }
    set.extend_from_slice(contents);
    set
}

/// The elements of a SET or SEQUENCE, at most `limit` of them.
fn elements<'a>(
    list: Element<'a>,
    name: &'static str,
    limit: usize,
) -> Result<Vec<Element<'a>>, LdsError> {
    let mut reader = list.children(name)?;
    let mut found = Vec::new();
    while !reader.is_empty() {
        if found.len() == limit {
            return Err(LdsError::TooMany { file: list.file(), element: name, limit });
        }
        found.push(reader.read(name)?);
    }
    Ok(found)
}

fn raw_elements<'a>(list: Element<'a>, name: &'static str) -> Result<Vec<&'a [u8]>, LdsError> {
    Ok(elements(list, name, MAX_LISTED)?.into_iter().map(|element| element.raw).collect())
}
