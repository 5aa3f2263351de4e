//! Chip verification against the generated test PKI and chips (test-passports), drawn once per
//! test binary into a scratch directory, and against files made to hurt a verifier.

mod active;
mod corpus;
mod hostile;
mod signer_cache;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use idproof_test_passports::chip::write::{self, ChipEntry, Manifest};

use super::{ChipEvidence, Policy, TrustAnchors, TrustMaterial, Verdict, verify_chip};
use crate::mrz::{self, Mrz};

const SEED: u64 = 9303;

/// The corpus, its manifest and the trust anchors its trust material makes.
pub(super) struct Corpus {
    pub(super) directory: PathBuf,
    pub(super) manifest: Manifest,
    pub(super) anchors: TrustAnchors,
}

pub(super) fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let directory =
            std::env::temp_dir().join(format!("idproof-chip-verification-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let manifest = write::write(SEED, day, &directory).unwrap();
        let anchors = TrustAnchors::new(&trust_material(&directory, &manifest)).unwrap();
        Corpus { directory, manifest, anchors }
    })
}

/// Every trusted CSCA certificate and CRL of the manifest.
pub(super) fn trust_material(directory: &Path, manifest: &Manifest) -> TrustMaterial {
    let read = |file: &str| std::fs::read(directory.join(file)).unwrap();
    TrustMaterial {
        cscas: manifest.trust.cscas.iter().map(|csca| read(&csca.der)).collect(),
        crls: manifest.trust.crls.iter().map(|crl| read(&crl.der)).collect(),
    }
}

pub(super) fn read(file: &str) -> Vec<u8> {
    std::fs::read(corpus().directory.join(file)).unwrap()
}

pub(super) fn verify_at() -> DateTime<Utc> {
    corpus().manifest.verify_at
}

pub(super) fn chip(name: &str) -> &'static ChipEntry {
    corpus().manifest.chips.iter().find(|chip| chip.name == name).unwrap()
}

/// A chip's files as read: EF.SOD, and the data groups by number.
pub(super) struct Files {
    pub(super) sod: Vec<u8>,
    pub(super) data_groups: BTreeMap<u8, Vec<u8>>,
    pub(super) page_mrz: Mrz,
}

impl Files {
    pub(super) fn of(chip: &ChipEntry) -> Files {
        let file = |name: &str| read(&format!("{}/{name}", chip.directory));
        let data_groups = chip
            .files
            .keys()
            .filter_map(|name| name.strip_prefix("EF.DG"))
            .map(|number| (number.parse().unwrap(), file(&format!("EF.DG{number}"))))
            .collect();
        let lines: Vec<&str> = chip.page_mrz.iter().map(String::as_str).collect();
        let page_mrz = mrz::parse(&lines, verify_at().date_naive()).unwrap().mrz;
        Files { sod: file("EF.SOD"), data_groups, page_mrz }
    }

    pub(super) fn groups(&self) -> BTreeMap<u8, &[u8]> {
        self.data_groups.iter().map(|(number, bytes)| (*number, bytes.as_slice())).collect()
    }

    /// The evidence without an Active Authentication answer.
    pub(super) fn evidence(&self) -> ChipEvidence<'_> {
        ChipEvidence {
            sod: &self.sod,
            data_groups: self.groups(),
            page_mrz: Some(&self.page_mrz),
            active_authentication: None,
        }
    }
}

/// The verdict on `evidence` with the corpus's trust, at its moment.
pub(super) fn verdict(evidence: &ChipEvidence<'_>) -> Verdict {
    verify_chip(evidence, &corpus().anchors, &Policy::default(), verify_at()).unwrap()
}
