//! The test PKI and chips as test-passports draws them, read into memory, and the valid chips
//! grouped by their document signer's key type.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use idproof_passport::chip::{ChipEvidence, TrustMaterial};
use idproof_passport::lds::Sod;
use idproof_passport::mrz::{self, Mrz};
use idproof_test_passports::chip::write::{self, ChipEntry, Manifest};
use openssl::ec::Asn1Flag;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::x509::X509;

/// The drawn corpus: where it is, its manifest, and the trust material it makes.
pub(crate) struct Corpus {
    pub(crate) directory: PathBuf,
    pub(crate) manifest: Manifest,
    pub(crate) material: TrustMaterial,
}

/// One valid chip's files, as a reader uploads them.
pub(crate) struct Chip {
    pub(crate) name: String,
    pub(crate) sod: Vec<u8>,
    pub(crate) data_groups: BTreeMap<u8, Vec<u8>>,
    pub(crate) page_mrz: Mrz,
}

impl Chip {
    /// The evidence for `verify_chip`, borrowing the files: no Active Authentication answer.
    pub(crate) fn evidence(&self) -> ChipEvidence<'_> {
        ChipEvidence {
            sod: &self.sod,
            data_groups: self.data_groups.iter().map(|(n, bytes)| (*n, bytes.as_slice())).collect(),
            page_mrz: Some(&self.page_mrz),
            active_authentication: None,
        }
    }
}

/// The valid chips whose document signers have one key type and signature scheme.
pub(crate) struct KeyType {
    /// As the report names it: `P-256, ecdsa-sha256`.
    pub(crate) name: String,
    /// The CSCA key the document signers chain to.
    pub(crate) csca_key: String,
    pub(crate) chips: Vec<Chip>,
    /// The SOD signature scheme, as the manifest names it: `rsa-pss-sha256`.
    pub(crate) scheme: String,
    /// DG2's size in each chip, bytes.
    pub(crate) dg2_bytes: Vec<usize>,
    pub(crate) verify_at: DateTime<Utc>,
}

impl Corpus {
    /// Draws the PKI and chips for `seed` and `day` into `directory`, replacing what is there.
    pub(crate) fn draw(seed: u64, day: NaiveDate, directory: &Path) -> anyhow::Result<Corpus> {
        let _ = std::fs::remove_dir_all(directory);
        let manifest = write::write(seed, day, directory)?;
        let read = |file: &str| {
            std::fs::read(directory.join(file)).with_context(|| format!("reading {file}"))
        };
        let cscas = manifest.trust.cscas.iter().map(|csca| read(&csca.der));
        let crls = manifest.trust.crls.iter().map(|crl| read(&crl.der));
        let material = TrustMaterial {
            cscas: cscas.collect::<anyhow::Result<_>>()?,
            crls: crls.collect::<anyhow::Result<_>>()?,
        };
        Ok(Corpus { directory: directory.to_owned(), manifest, material })
    }

    /// The valid chips, grouped by document signer key and scheme, in manifest order.
    pub(crate) fn key_types(&self) -> anyhow::Result<Vec<KeyType>> {
        let mut key_types: Vec<KeyType> = Vec::new();
        for entry in self.manifest.chips.iter().filter(|chip| chip.expected == "valid") {
            let chip = self.chip(entry)?;
            let sod = Sod::parse(&chip.sod).context("the SOD of a valid chip")?;
            let signer = sod.certificates.first().context("a SOD without its signer")?;
            let signer = X509::from_der(signer)?;
            let name = format!("{}, {}", key_name(&signer.public_key()?)?, entry.signature);
            let csca = self.csca_of(entry)?;
            let dg2 = chip.data_groups.get(&2).map_or(0, Vec::len);

            match key_types.iter_mut().find(|known| known.name == name) {
                Some(known) => {
                    known.dg2_bytes.push(dg2);
                    known.chips.push(chip);
                }
                None => key_types.push(KeyType {
                    name,
                    csca_key: csca,
                    chips: vec![chip],
                    scheme: entry.signature.clone(),
                    dg2_bytes: vec![dg2],
                    verify_at: self.manifest.verify_at,
                }),
            }
        }
        Ok(key_types)
    }

    fn chip(&self, entry: &ChipEntry) -> anyhow::Result<Chip> {
        let directory = self.directory.join(&entry.directory);
        let mut data_groups = BTreeMap::new();
        for (name, file) in &entry.files {
            if let Some(number) = name.strip_prefix("EF.DG") {
                data_groups.insert(number.parse()?, std::fs::read(directory.join(file))?);
            }
        }
        let sod = std::fs::read(directory.join(&entry.files["EF.SOD"]))?;
        let lines: Vec<&str> = entry.page_mrz.iter().map(String::as_str).collect();
        let page_mrz = match mrz::parse(&lines, self.manifest.verify_at.date_naive()) {
            Ok(report) => report.mrz,
            Err(err) => bail!("the page MRZ of {}: {err}", entry.name),
        };
        Ok(Chip { name: entry.name.clone(), sod, data_groups, page_mrz })
    }

    /// The key of the CSCA certificate a chip's signer chains to, named as [`key_name`] does.
    fn csca_of(&self, entry: &ChipEntry) -> anyhow::Result<String> {
        let root = entry.chain.first().context("a chip without its chain")?;
        let pem =
            std::fs::read(self.directory.join(root)).with_context(|| format!("reading {root}"))?;
        let certificate = X509::from_pem(&pem)?;
        key_name(&certificate.public_key()?)
    }
}

/// `RSA-2048`, `P-256`, `brainpoolP384r1`, `brainpoolP256r1 (explicit parameters)`.
pub(crate) fn key_name(key: &PKey<Public>) -> anyhow::Result<String> {
    Ok(match key.id() {
        Id::RSA | Id::RSA_PSS => format!("RSA-{}", key.bits()),
        Id::EC => {
            let ec = key.ec_key()?;
            let curve = match ec.group().curve_name() {
                Some(Nid::X9_62_PRIME256V1) => "P-256".to_owned(),
                Some(Nid::SECP384R1) => "P-384".to_owned(),
                Some(Nid::SECP521R1) => "P-521".to_owned(),
                Some(nid) => nid.short_name()?.to_owned(),
                None => format!("a {}-bit curve", key.bits()),
            };
            // OpenSSL names explicit parameters that are a named curve's after that curve, but
            // keeps them explicit when encoding.
            let named = ec.group().asn1_flag() == Asn1Flag::NAMED_CURVE;
            if named { curve } else { format!("{curve} (explicit parameters)") }
        }
        other => format!("{other:?}"),
    })
}
