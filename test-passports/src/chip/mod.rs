//! Test chips: the LDS1 files of made-up passports signed by the test PKI, valid ones for each
//! CSCA key type and one of each failure a verifier must catch. What each chip should give is
//! stated by its plan's `expected` code, which the manifest carries.

pub mod active;
pub mod face;
pub mod lds;
pub mod write;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rand::Rng;

use crate::document::{self, Document, Layout};
use crate::pki::keys::{Curve, KeyKind, KeyPair, stream};
use crate::pki::signature::Hash;
use crate::pki::{Pki, SignerRole, cms, shift};
use crate::zone;

/// What is wrong with a chip, beyond what its document signer brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing.
    None,
    /// DG1 changed after signing (and the page forged to match it).
    TamperedDg1,
    /// DG2's image changed after signing.
    TamperedDg2,
    /// The SOD's signature does not verify.
    BrokenSignature,
    /// A genuine chip in another document: DG1 differs from the page's MRZ.
    MrzMismatch,
    /// A cloned chip: the key that answers Active Authentication is not DG15's.
    AaKeyMismatch,
}

/// The Active Authentication key a chip holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActiveKey {
    /// RSA of this many bits, ISO/IEC 9796-2 with this hash.
    Rsa(u32, Hash),
    /// ECDSA on this curve with this hash.
    Ecdsa(Curve, Hash),
}

/// One chip to make.
#[derive(Debug)]
pub struct ChipPlan {
    /// Its directory's name.
    pub name: &'static str,
    /// The issuing state.
    pub state: &'static str,
    /// Which of the state's document signers signs it.
    pub signer: SignerRole,
    /// What is wrong with it.
    pub fault: Fault,
    /// The hash of the data groups in the SOD.
    pub hash: Hash,
    /// Its Active Authentication key, in DG15.
    pub active: Option<ActiveKey>,
    /// Its Chip Authentication key's curve, in DG14.
    pub chip_authentication: Option<Curve>,
    /// Whether the SOD is version 1, with the LDS version info.
    pub sod_version_1: bool,
    /// Whether the SOD's eContentType is plain id-data, as on some early passports, rather
    /// than id-icao-mrtd-security-ldsSecurityObject.
    pub plain_data: bool,
    /// The verdict a verifier should give: `valid`, or the code of the check that fails.
    pub expected: &'static str,
}

const fn chip(
    name: &'static str,
    state: &'static str,
    signer: SignerRole,
    fault: Fault,
    expected: &'static str,
) -> ChipPlan {
    ChipPlan {
        name,
        state,
        signer,
        fault,
        hash: Hash::Sha256,
        active: None,
        chip_authentication: None,
        sod_version_1: false,
        plain_data: false,
        expected,
    }
}

use Fault as F;
use SignerRole as S;

/// The chips: one valid chip per CSCA key type (and one under a CSCA's old key, one whose SOD
/// content type is plain id-data), then exactly one of each failure.
pub const CHIPS: &[ChipPlan] = &[
    ChipPlan {
        active: Some(ActiveKey::Rsa(1024, Hash::Sha1)),
        ..chip("valid-uto-rsa-pkcs1", "UTO", S::Current, F::None, "valid")
    },
    ChipPlan {
        chip_authentication: Some(Curve::P256),
        ..chip("valid-xta-rsa-pss", "XTA", S::Current, F::None, "valid")
    },
    ChipPlan {
        active: Some(ActiveKey::Ecdsa(Curve::P256, Hash::Sha256)),
        chip_authentication: Some(Curve::P256),
        ..chip("valid-xtb-ecdsa-p256", "XTB", S::Current, F::None, "valid")
    },
    ChipPlan {
        hash: Hash::Sha384,
        chip_authentication: Some(Curve::P384),
        ..chip("valid-xtc-ecdsa-p384-new-key", "XTC", S::Current, F::None, "valid")
    },
    ChipPlan {
        active: Some(ActiveKey::Rsa(2048, Hash::Sha256)),
        ..chip("valid-xtc-ecdsa-p384-old-key", "XTC", S::UnderOldKey, F::None, "valid")
    },
    ChipPlan {
        active: Some(ActiveKey::Ecdsa(Curve::BrainpoolP256r1, Hash::Sha256)),
        chip_authentication: Some(Curve::BrainpoolP256r1),
        ..chip("valid-xtd-brainpool-p256", "XTD", S::Current, F::None, "valid")
    },
    ChipPlan {
        hash: Hash::Sha512,
        chip_authentication: Some(Curve::BrainpoolP384r1),
        sod_version_1: true,
        ..chip("valid-xte-brainpool-p384", "XTE", S::Current, F::None, "valid")
    },
    ChipPlan {
        active: Some(ActiveKey::Rsa(1024, Hash::Sha1)),
        chip_authentication: Some(Curve::BrainpoolP256r1),
        sod_version_1: true,
        ..chip("valid-xtf-explicit-brainpool-p256", "XTF", S::Current, F::None, "valid")
    },
    ChipPlan {
        plain_data: true,
        ..chip("valid-xtb-id-data-content", "XTB", S::Current, F::None, "valid")
    },
    chip("tampered-dg1", "UTO", S::Current, F::TamperedDg1, "dg.hash_mismatch:1"),
    chip("tampered-dg2", "XTB", S::Current, F::TamperedDg2, "dg.hash_mismatch:2"),
    chip("broken-sod-signature", "XTA", S::Current, F::BrokenSignature, "sod.signature"),
    chip("expired-signer", "UTO", S::Expired, F::None, "signer.expired"),
    chip("revoked-signer", "XTB", S::Revoked, F::None, "signer.revoked"),
    chip("unknown-csca", "XTD", S::Impostor, F::None, "csca.unknown"),
    ChipPlan {
        hash: Hash::Sha384,
        ..chip("dg1-mrz-mismatch", "XTE", S::Current, F::MrzMismatch, "dg1.mrz_mismatch")
    },
    ChipPlan {
        active: Some(ActiveKey::Rsa(1024, Hash::Sha1)),
        ..chip("aa-key-mismatch", "XTD", S::Current, F::AaKeyMismatch, "aa.key_mismatch")
    },
];

/// A made chip: its files by name, and what the manifest says of it.
pub struct Chip {
    /// Its plan.
    pub plan: &'static ChipPlan,
    /// The files, `EF.COM`, `EF.DG1`…, with their bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// The MRZ printed on the data page, as an OCR or a clerk reads it.
    pub page_mrz: Vec<String>,
    /// The MRZ in the chip's DG1.
    pub chip_mrz: Vec<String>,
    /// The SOD's signingTime.
    pub signing_time: DateTime<Utc>,
    /// The Active Authentication material, when the chip has a key.
    pub active: Option<active::Answers>,
}

/// Makes the chip `plan` describes under `pki`.
pub fn make(pki: &Pki, plan: &'static ChipPlan) -> anyhow::Result<Chip> {
    let seed = pki.seed;
    let label = |part: &str| format!("chip/{}/{part}", plan.name);
    let mut rng = stream(seed, &label("document"));
    let document = holder(&mut rng, plan.state, pki.as_of.date_naive());
    let signed_mrz = zone::lines(&document);
    let page_mrz = match plan.fault {
        F::TamperedDg1 => zone::lines(&forged_birth_date(&document)),
        F::MrzMismatch => zone::lines(&other_number(&document)),
        _ => signed_mrz.clone(),
    };
    // A forger who changed the page changed DG1 to match, after it was signed.
    let chip_mrz = if plan.fault == F::TamperedDg1 { page_mrz.clone() } else { signed_mrz.clone() };

    let dg1 = lds::dg1(&signed_mrz);
    let female = match document.sex {
        'F' => Some(true),
        'M' => Some(false),
        _ => None,
    };
    let dg2 = face::dg2(&face::portrait(&mut stream(seed, &label("face")))?, female);
    let mut groups: Vec<(u8, Vec<u8>)> = vec![(1, dg1), (2, dg2)];

    let active_key = plan.active.map(|kind| active_key(seed, plan.name, kind)).transpose()?;
    let active_hash = match plan.active {
        Some(ActiveKey::Ecdsa(_, hash)) => Some(hash),
        _ => None,
    };
    let chip_key = plan
        .chip_authentication
        .map(|curve| KeyPair::derive(seed, &label("chip-authentication"), KeyKind::Ec(curve)))
        .transpose()?;
    if chip_key.is_some() || active_hash.is_some() {
        groups.push((14, lds::dg14(chip_key.as_ref(), active_hash)?));
    }
    if let Some(key) = &active_key {
        groups.push((15, lds::dg15(key)?));
    }

    let signer = pki.signer(plan.state, plan.signer)?;
    let signing_time = shift(pki.as_of, -rng.random_range(20..60));
    let hashed: Vec<(u8, &[u8])> =
        groups.iter().map(|(number, file)| (*number, file.as_slice())).collect();
    let security_object = lds::security_object(plan.hash, &hashed, plan.sod_version_1)?;
    let request = cms::Request {
        content_type: if plan.plain_data { cms::DATA } else { lds::LDS_SECURITY_OBJECT },
        content: &security_object,
        signer: &signer.certificate,
        also_carry: &[],
        key: &signer.key,
        scheme: signer.scheme,
        signing_time,
        identifier: cms::SignerIdentifier::IssuerAndSerialNumber,
        break_signature: plan.fault == F::BrokenSignature,
    };
    let sod = lds::ef_sod(&cms::signed_data(&request, &mut stream(seed, &label("sod")))?);

    match plan.fault {
        F::TamperedDg1 => groups[0].1 = lds::dg1(&chip_mrz),
        F::TamperedDg2 => {
            let middle = groups[1].1.len() * 2 / 3;
            groups[1].1[middle] ^= 0x20;
        }
        _ => {}
    }

    let numbers: Vec<u8> = groups.iter().map(|(number, _)| *number).collect();
    let mut files = vec![("EF.COM".to_owned(), lds::ef_com(&numbers))];
    files.extend(groups.into_iter().map(|(number, file)| (format!("EF.DG{number}"), file)));
    files.push(("EF.SOD".to_owned(), sod));

    let active = match (plan.active, &active_key) {
        (Some(kind), Some(key)) => Some(active::answers(seed, plan, kind, key)?),
        _ => None,
    };
    Ok(Chip { plan, files, page_mrz, chip_mrz, signing_time, active })
}

fn active_key(seed: u64, name: &str, kind: ActiveKey) -> anyhow::Result<KeyPair> {
    let kind = match kind {
        ActiveKey::Rsa(bits, _) => KeyKind::Rsa(bits),
        ActiveKey::Ecdsa(curve, _) => KeyKind::Ec(curve),
    };
    KeyPair::derive(seed, &format!("chip/{name}/active-authentication"), kind)
}

/// The passport whose data page carries chip `plan`'s holder as [`make`] draws it for `seed`
/// and `day`, without drawing the PKI: for a registry of the test people. A valid chip's DG1
/// holds the same zone; a forged page or a mismatched booklet differs from it.
pub fn page_holder(seed: u64, plan: &ChipPlan, day: NaiveDate) -> Document {
    holder(&mut stream(seed, &format!("chip/{}/document", plan.name)), plan.state, day)
}

/// A passport of `state` drawn from `rng`: holder and dates as the corpus draws them.
fn holder(rng: &mut impl Rng, state: &str, day: NaiveDate) -> Document {
    let mut document = document::draw(rng, Layout::Td3, day);
    document.document_code = "P".to_owned();
    document.issuing_state = state.to_owned();
    document.nationality = state.to_owned();
    document
}

/// The same document with the holder made three years older, check digits recomputed.
fn forged_birth_date(document: &Document) -> Document {
    let birth_date = document.birth_date - Days::new(3 * 365);
    Document { birth_date, ..document.clone() }
}

/// The same holder in a booklet with another number.
fn other_number(document: &Document) -> Document {
    let document_number = document
        .document_number
        .chars()
        .map(|character| match character.to_digit(10) {
            Some(digit) => char::from_digit((digit + 3) % 10, 10).unwrap_or('0'),
            None => character,
        })
        .collect();
    Document { document_number, ..document.clone() }
}
