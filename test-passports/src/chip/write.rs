//! Writes the test PKI and the chips into a directory with `manifest.json`, the one file a
//! verifier's tests read: where the trust material is, and what each chip should give.
//!
//! ```text
//! manifest.json
//! trust/master-list.der           CMS SignedData, eContentType id-icao-cscaMasterList
//! trust/master-list-signer.pem    also inside the list's certificates
//! trust/csca/XTA.pem, XTA.der     one root per state; XTC-1, XTC-2 and XTC-link for the rollover
//! trust/crl/XTA.crl, XTA.crl.pem  one CRL per state, DER and PEM
//! untrusted/csca/XTD-impostor.pem the CSCA behind the unknown-CSCA chip, in no trust list
//! untrusted/master-list.der       a master list signed under that impostor, carrying it
//! chips/NAME/EF.COM, EF.DG1, EF.DG2, [EF.DG14], [EF.DG15], EF.SOD
//! chips/NAME/document-signer.pem  the signer's certificate, also inside EF.SOD
//! chips/NAME/aa/                  challenge.bin, private-key.pem, response*.bin
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::chip::{self, CHIPS, Chip, active::Answers};
use crate::pki::certificate::{Certificate, pem};
use crate::pki::signature::Hash;
use crate::pki::{Csca, MASTER_LIST_STATE, Pki, shift};

/// The manifest's name in the output directory.
pub const MANIFEST: &str = "manifest.json";

/// The whole manifest.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// The seed it was drawn with.
    pub seed: u64,
    /// The day it was drawn for.
    pub as_of: NaiveDate,
    /// The moment to verify at (midnight UTC of `as_of`): every certificate, CRL and SOD is
    /// valid, or expired, as the chip's `expected` says, at this moment.
    pub verify_at: DateTime<Utc>,
    /// The trust material.
    pub trust: Trust,
    /// The chips.
    pub chips: Vec<ChipEntry>,
}

/// Where the trust material is, relative to the manifest.
#[derive(Debug, Serialize)]
pub struct Trust {
    /// The master list, DER.
    pub master_list: String,
    /// The master list signer's certificate.
    pub master_list_signer: String,
    /// The state whose CSCA issued the master list signer.
    pub master_list_state: String,
    /// Every CSCA certificate the master list carries, also as single files.
    pub cscas: Vec<CscaEntry>,
    /// One CRL per state.
    pub crls: Vec<CrlEntry>,
    /// CSCA certificates nobody should trust.
    pub untrusted_cscas: Vec<CscaEntry>,
    /// A master list signed under the untrusted CSCA, which carries it among the trusted ones:
    /// an import must refuse it.
    pub untrusted_master_list: String,
}

/// One CSCA certificate.
#[derive(Debug, Serialize)]
pub struct CscaEntry {
    /// The state's ICAO code.
    pub state: String,
    /// `root` (self-signed) or `link` (the old key certifying the new).
    pub kind: &'static str,
    /// The key's generation: 1, or 2 after a rollover.
    pub generation: u32,
    /// The certified key's kind: `rsa-3072`, `ec-p384`, `ec-explicit-brainpool-p256r1`.
    pub key: String,
    /// The certificate's serial number, hexadecimal.
    pub serial: String,
    /// PEM file.
    pub pem: String,
    /// DER file.
    pub der: String,
}

/// One CRL.
#[derive(Debug, Serialize)]
pub struct CrlEntry {
    /// The state.
    pub state: String,
    /// DER file.
    pub der: String,
    /// PEM file.
    pub pem: String,
    /// thisUpdate.
    pub this_update: DateTime<Utc>,
    /// nextUpdate.
    pub next_update: DateTime<Utc>,
    /// Serial numbers revoked, hexadecimal.
    pub revoked_serials: Vec<String>,
}

/// One chip.
#[derive(Debug, Serialize)]
pub struct ChipEntry {
    /// Its name.
    pub name: String,
    /// Its directory.
    pub directory: String,
    /// The issuing state.
    pub state: String,
    /// `valid`, or the code of the one check that fails: `sod.signature`,
    /// `dg.hash_mismatch:N`, `signer.expired`, `signer.revoked`, `csca.unknown`,
    /// `dg1.mrz_mismatch`, `aa.key_mismatch`.
    pub expected: String,
    /// The files, `EF.COM` → `EF.COM`, relative to the directory.
    pub files: BTreeMap<String, String>,
    /// The MRZ printed on the page, line by line: compare DG1 with this.
    pub page_mrz: Vec<String>,
    /// The MRZ in DG1.
    pub chip_mrz: Vec<String>,
    /// The SOD's eContentType: `2.23.136.1.1.1`, or `1.2.840.113549.1.7.1` (id-data).
    pub content_type: String,
    /// The hash of the data groups in the SOD.
    pub data_group_hash: Hash,
    /// The SOD's signature scheme: `rsa-pss-sha256`, `ecdsa-sha384`.
    pub signature: String,
    /// The SOD's signingTime.
    pub signing_time: DateTime<Utc>,
    /// The document signer's certificate, relative to the directory.
    pub document_signer: String,
    /// Its serial number, hexadecimal.
    pub document_signer_serial: String,
    /// The CSCA certificate it chains to (a root under `trust/` or `untrusted/`), and the
    /// link certificate between them when it is under a CSCA's new key.
    pub chain: Vec<String>,
    /// DG14's Chip Authentication curve, when there is one.
    pub chip_authentication: Option<&'static str>,
    /// The Active Authentication key and answers, when DG15 is present.
    pub active_authentication: Option<Answers>,
}

/// Draws the PKI and every chip for `seed` and `day` and writes them into `directory`.
pub fn write(seed: u64, day: NaiveDate, directory: &Path) -> anyhow::Result<Manifest> {
    let pki = Pki::build(seed, day)?;
    let mut out = Output { directory };

    let mut cscas = Vec::new();
    for state in &pki.states {
        let code = state.plan.code;
        for (index, csca) in state.cscas.iter().enumerate() {
            let generation = index as u32 + 1;
            let stem = if state.cscas.len() > 1 {
                format!("{code}-{generation}")
            } else {
                code.to_owned()
            };
            let root = Place { area: "trust", stem, state: code, kind: "root", generation };
            cscas.push(out.csca(root, csca)?);
            if let Some(link) = &csca.link {
                let stem = format!("{code}-link");
                let place = Place { area: "trust", stem, state: code, kind: "link", generation };
                cscas.push(out.certificate(place, csca, link)?);
            }
        }
    }
    let state = pki.impostor_signer.state;
    let stem = format!("{state}-impostor");
    let place = Place { area: "untrusted", stem, state, kind: "root", generation: 1 };
    let impostor = out.csca(place, &pki.impostor)?;

    let mut crls = Vec::new();
    for state in &pki.states {
        let code = state.plan.code;
        out.file(&format!("trust/crl/{code}.crl"), &state.crl)?;
        out.file(&format!("trust/crl/{code}.crl.pem"), pem("X509 CRL", &state.crl).as_bytes())?;
        crls.push(CrlEntry {
            state: code.to_owned(),
            der: format!("trust/crl/{code}.crl"),
            pem: format!("trust/crl/{code}.crl.pem"),
            this_update: shift(pki.as_of, -7),
            next_update: shift(pki.as_of, 83),
            revoked_serials: state.revoked.clone(),
        });
    }
    out.file("trust/master-list.der", &pki.master_list)?;
    out.file("trust/master-list-signer.pem", pki.master_list_signer.pem().as_bytes())?;
    out.file("untrusted/master-list.der", &pki.impostor_master_list)?;

    let mut chips = Vec::new();
    for plan in CHIPS {
        let chip = chip::make(&pki, plan).with_context(|| format!("making chip {}", plan.name))?;
        chips.push(out.chip(&pki, &chip, &cscas, &impostor)?);
    }

    let manifest = Manifest {
        seed,
        as_of: day,
        verify_at: pki.as_of,
        trust: Trust {
            master_list: "trust/master-list.der".to_owned(),
            master_list_signer: "trust/master-list-signer.pem".to_owned(),
            master_list_state: MASTER_LIST_STATE.to_owned(),
            cscas,
            crls,
            untrusted_cscas: vec![impostor],
            untrusted_master_list: "untrusted/master-list.der".to_owned(),
        },
        chips,
    };
    out.file(MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

struct Output<'a> {
    directory: &'a Path,
}

/// Where a CSCA certificate goes and what the manifest says of it.
struct Place<'a> {
    /// `trust` or `untrusted`.
    area: &'a str,
    /// The file name without extension.
    stem: String,
    state: &'a str,
    kind: &'static str,
    generation: u32,
}

impl Output<'_> {
    fn file(&mut self, relative: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.directory.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    fn csca(&mut self, place: Place<'_>, csca: &Csca) -> anyhow::Result<CscaEntry> {
        self.certificate(place, csca, &csca.certificate)
    }

    /// Writes `certificate` (a root of `csca`, or its link certificate) as PEM and DER.
    fn certificate(
        &mut self,
        place: Place<'_>,
        csca: &Csca,
        certificate: &Certificate,
    ) -> anyhow::Result<CscaEntry> {
        let stem = format!("{}/csca/{}", place.area, place.stem);
        let (pem_path, der_path) = (format!("{stem}.pem"), format!("{stem}.der"));
        self.file(&pem_path, certificate.pem().as_bytes())?;
        self.file(&der_path, &certificate.der)?;
        Ok(CscaEntry {
            state: place.state.to_owned(),
            kind: place.kind,
            generation: place.generation,
            key: csca.key.kind.name(),
            serial: certificate.serial_hex(),
            pem: pem_path,
            der: der_path,
        })
    }

    fn chip(
        &mut self,
        pki: &Pki,
        chip: &Chip,
        cscas: &[CscaEntry],
        impostor: &CscaEntry,
    ) -> anyhow::Result<ChipEntry> {
        let plan = chip.plan;
        let directory = format!("chips/{}", plan.name);
        let mut files = BTreeMap::new();
        for (name, bytes) in &chip.files {
            self.file(&format!("{directory}/{name}"), bytes)?;
            files.insert(name.clone(), name.clone());
        }
        if let Some(answers) = &chip.active {
            for (name, bytes) in &answers.files {
                self.file(&format!("{directory}/{name}"), bytes)?;
            }
        }
        let signer = pki.signer(plan.state, plan.signer)?;
        self.file(
            &format!("{directory}/document-signer.pem"),
            signer.certificate.pem().as_bytes(),
        )?;

        let chain = if plan.signer == crate::pki::SignerRole::Impostor {
            vec![impostor.pem.clone()]
        } else {
            signer_chain(pki, plan, cscas)?
        };
        Ok(ChipEntry {
            name: plan.name.to_owned(),
            directory,
            state: plan.state.to_owned(),
            expected: plan.expected.to_owned(),
            files,
            page_mrz: chip.page_mrz.clone(),
            chip_mrz: chip.chip_mrz.clone(),
            content_type: if plan.plain_data { "1.2.840.113549.1.7.1" } else { "2.23.136.1.1.1" }
                .to_owned(),
            data_group_hash: plan.hash,
            signature: signer.scheme.name(),
            signing_time: chip.signing_time,
            document_signer: "document-signer.pem".to_owned(),
            document_signer_serial: signer.certificate.serial_hex(),
            chain,
            chip_authentication: plan.chip_authentication.map(|curve| curve.name()),
            active_authentication: chip.active.clone(),
        })
    }
}

/// The CSCA files a document signer chains to: its issuing root, or for a signer under a
/// rolled-over CSCA's new key, the old root and the link certificate.
fn signer_chain(
    pki: &Pki,
    plan: &chip::ChipPlan,
    cscas: &[CscaEntry],
) -> anyhow::Result<Vec<String>> {
    let state = pki.state(plan.state)?;
    let generation = match plan.signer {
        crate::pki::SignerRole::UnderOldKey => 1,
        _ => state.cscas.len() as u32,
    };
    let of_state = |kind: &str, generation: u32| {
        cscas
            .iter()
            .find(|entry| {
                entry.state == plan.state && entry.kind == kind && entry.generation == generation
            })
            .map(|entry| entry.pem.clone())
            .ok_or_else(|| anyhow::anyhow!("no {kind} certificate {generation} for {}", plan.state))
    };
    if generation == 1 {
        Ok(vec![of_state("root", 1)?])
    } else {
        Ok(vec![of_state("root", 1)?, of_state("link", generation)?])
    }
}
