//! The contenders and the timing: each contender does one verification per call, cycling
//! through the key type's chips, and is run for a fixed slice of time; the contenders take turns
//! within each repetition, so a change in the machine's load falls on all of them alike.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use idproof_passport::chip::{ChipEvidence, Policy, TrustAnchors, verify_chip};
use idproof_passport::lds::Sod;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509;
use serde::Serialize;

use crate::corpus::{Corpus, KeyType};

/// What a contender is, for the report's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    /// idproof's `verify_chip`, with the trust anchors' document signer cache.
    Idproof,
    /// idproof's `verify_chip` with the cache off: every chip's signer chain is verified.
    IdproofNoCache,
    /// OpenSSL verifying the SOD's signature and nothing else.
    OpenSslRaw,
    /// Another passive authentication implementation.
    Peer,
}

/// One verification, of the next chip in turn; `false` when it did not pass.
pub(crate) type Verification<'a> = Box<dyn FnMut() -> bool + 'a>;

/// A contender, ready to run, or the reason it cannot verify this key type's chips.
pub(crate) struct Contender<'a> {
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) verification: Result<Verification<'a>, String>,
    /// Chips it does not verify, each with why; it runs on the others.
    pub(crate) refusals: Vec<String>,
}

/// One contender's figures on one key type.
#[derive(Debug, Serialize)]
pub(crate) struct Figures {
    pub(crate) name: String,
    pub(crate) role: Role,
    /// Verifications per second, one per repetition.
    pub(crate) rates: Vec<f64>,
    pub(crate) median: Option<f64>,
    /// Verifications that did not pass while timed (none is expected).
    pub(crate) failures: u64,
    /// Why it was not run, when it was not.
    pub(crate) refused: Option<String>,
    /// Chips it does not verify, each with why; its rate is over the others.
    pub(crate) refusals: Vec<String>,
}

/// Every contender's figures on one key type.
#[derive(Debug, Serialize)]
pub(crate) struct Measured {
    pub(crate) key_type: String,
    pub(crate) csca_key: String,
    pub(crate) chips: Vec<String>,
    pub(crate) dg2_bytes: Vec<usize>,
    pub(crate) contenders: Vec<Figures>,
}

/// idproof's `verify_chip` on the key type's chips, with or without the signer cache.
pub(crate) fn ours<'a>(
    corpus: &Corpus,
    key_type: &'a KeyType,
    cache: bool,
) -> anyhow::Result<Contender<'a>> {
    let anchors = if cache {
        TrustAnchors::new(&corpus.material)?
    } else {
        TrustAnchors::without_signer_cache(&corpus.material)?
    };
    let evidence: Vec<ChipEvidence<'a>> = key_type.chips.iter().map(|c| c.evidence()).collect();
    let (policy, at) = (Policy::default(), key_type.verify_at);
    for (chip, evidence) in key_type.chips.iter().zip(&evidence) {
        let verdict = verify_chip(evidence, &anchors, &policy, at)?;
        if !verdict.is_valid() {
            bail!("idproof does not find {} valid: {}", chip.name, verdict.code());
        }
    }

    let mut turn = 0;
    let verification = move || {
        turn = (turn + 1) % evidence.len();
        let verdict = verify_chip(black_box(&evidence[turn]), &anchors, &policy, at);
        verdict.is_ok_and(|verdict| verdict.is_valid())
    };
    let (name, role) = match cache {
        true => ("idproof", Role::Idproof),
        false => ("idproof, no signer cache", Role::IdproofNoCache),
    };
    let verification: Verification<'a> = Box::new(verification);
    Ok(Contender { name: name.to_owned(), role, verification: Ok(verification), refusals: vec![] })
}

/// A SOD signature as OpenSSL checks it: the document signer's key, already read, the signed
/// attributes and the signature.
struct RawSignature {
    key: PKey<Public>,
    digest: MessageDigest,
    pss: bool,
    signed: Vec<u8>,
    signature: Vec<u8>,
}

impl RawSignature {
    fn verify(&self) -> bool {
        let check = || -> Result<bool, openssl::error::ErrorStack> {
            let mut verifier = Verifier::new(self.digest, &self.key)?;
            if self.pss {
                verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
                verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
                verifier.set_rsa_mgf1_md(self.digest)?;
            }
            verifier.verify_oneshot(&self.signature, &self.signed)
        };
        check().unwrap_or(false)
    }
}

/// OpenSSL's `Verifier` on each chip's SOD signature, with the key read once: the cost of the
/// signature alone, the limit passive authentication cannot beat.
pub(crate) fn openssl_raw(key_type: &KeyType) -> anyhow::Result<Contender<'static>> {
    let (scheme, hash) = key_type.scheme.rsplit_once('-').context("the scheme's hash")?;
    let digest = match hash {
        "sha1" => MessageDigest::sha1(),
        "sha224" => MessageDigest::sha224(),
        "sha256" => MessageDigest::sha256(),
        "sha384" => MessageDigest::sha384(),
        "sha512" => MessageDigest::sha512(),
        other => bail!("a hash the bench does not know: {other}"),
    };
    let pss = scheme == "rsa-pss";

    let mut signatures = Vec::new();
    for chip in &key_type.chips {
        let sod = Sod::parse(&chip.sod)?;
        let signer_info = sod.signer_infos.first().context("a SOD without a signer")?;
        let attributes = signer_info.signed_attributes.as_ref().context("no signed attributes")?;
        let certificate = X509::from_der(sod.certificates.first().context("no signer")?)?;
        let raw = RawSignature {
            key: certificate.public_key()?,
            digest,
            pss,
            signed: attributes.signed_bytes.clone(),
            signature: signer_info.signature.to_vec(),
        };
        if !raw.verify() {
            bail!("OpenSSL does not verify the SOD signature of {}", chip.name);
        }
        signatures.push(raw);
    }

    let mut turn = 0;
    let verification = move || {
        turn = (turn + 1) % signatures.len();
        black_box(&signatures[turn]).verify()
    };
    let (name, verification): (_, Verification<'static>) =
        ("OpenSSL raw verify".to_owned(), Box::new(verification));
    Ok(Contender { name, role: Role::OpenSslRaw, verification: Ok(verification), refusals: vec![] })
}

/// Runs every contender `repetitions` times for `slice` each, in turn.
pub(crate) fn run(
    key_type: &KeyType,
    mut contenders: Vec<Contender<'_>>,
    repetitions: usize,
    slice: Duration,
) -> Measured {
    let mut figures: Vec<Figures> = contenders
        .iter()
        .map(|contender| Figures {
            name: contender.name.clone(),
            role: contender.role,
            rates: Vec::new(),
            median: None,
            failures: 0,
            refused: contender.verification.as_ref().err().cloned(),
            refusals: contender.refusals.clone(),
        })
        .collect();

    for _ in 0..repetitions {
        for (contender, figures) in contenders.iter_mut().zip(&mut figures) {
            let Ok(verification) = &mut contender.verification else { continue };
            let (rate, failures) = rate(verification, slice);
            figures.rates.push(rate);
            figures.failures += failures;
        }
    }

    for figures in &mut figures {
        figures.median = median(&figures.rates);
    }
    Measured {
        key_type: key_type.name.clone(),
        csca_key: key_type.csca_key.clone(),
        chips: key_type.chips.iter().map(|chip| chip.name.clone()).collect(),
        dg2_bytes: key_type.dg2_bytes.clone(),
        contenders: figures,
    }
}

/// Verifications per second over one slice, and how many did not pass.
fn rate(verification: &mut Verification<'_>, slice: Duration) -> (f64, u64) {
    let started = Instant::now();
    let (mut done, mut failures) = (0u64, 0u64);
    while started.elapsed() < slice {
        if !verification() {
            failures += 1;
        }
        done += 1;
    }
    (done as f64 / started.elapsed().as_secs_f64(), failures)
}

fn median(rates: &[f64]) -> Option<f64> {
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}
