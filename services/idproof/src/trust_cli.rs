//! `idproof trust`: the CSCA trust store at the command line. `import` vets master lists, CSCA
//! certificates and CRLs and keeps them in one transaction; `coverage` says which issuing
//! states have a CSCA and a current CRL.
//!
//! A master list is verified against a CSCA already trusted: one in the store, one imported
//! earlier in the same command, or one given with `--anchor` (used to verify, not stored). A
//! certificate imported alone must be a self-signed CA with keyCertSign, or a link certificate
//! a trusted CSCA signed. A CRL must be signed by a trusted CSCA named as its issuer. Files are
//! vetted in the order given, CRLs last; one refusal stores nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;
use idproof_passport::chip::{
    CrlRecord, CscaKind, CscaRecord, MAX_MASTER_LIST, MasterList, TrustAnchors, TrustFile,
    TrustMaterial, listed_csca, read_trust_file, sha256_fingerprint, vet_crl, vet_csca,
};
use idproof_proofing::{Clock, SystemClock};
use idproof_store::{NewCrl, NewCsca, TrustStore};
use serde_json::json;

use crate::{config::Config, wiring};

/// `idproof trust …`.
#[derive(Subcommand)]
pub enum TrustCommand {
    /// Import CSCA master lists, CSCA certificates and CRLs (PEM or DER), all or none; exits 1
    /// with the refusal's code when one is refused.
    Import {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A CSCA certificate trusted to verify master lists in this import, not stored.
        #[arg(long = "anchor")]
        anchors: Vec<PathBuf>,
        /// The moment to verify at (RFC 3339); now by default.
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
    /// Per issuing state: CSCA certificates and whether the newest CRL is current.
    Coverage {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// The moment to judge the CRLs at (RFC 3339); now by default.
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
}

/// Runs a trust command; the exit status on success.
pub async fn run(config: &Config, command: TrustCommand) -> anyhow::Result<i32> {
    match command {
        TrustCommand::Import { files, anchors, at } => {
            let at = at.unwrap_or_else(|| SystemClock.now());
            import(config, &files, &anchors, at).await
        }
        TrustCommand::Coverage { json, at } => {
            let at = at.unwrap_or_else(|| SystemClock.now());
            let store = open(config).await?;
            println!("{}", coverage(&store, at, json).await?);
            Ok(0)
        }
    }
}

/// Opens the trust store, migrating first; needs no evidence key.
pub async fn open(config: &Config) -> anyhow::Result<TrustStore> {
    wiring::migrate(config).await?;
    TrustStore::connect(&config.database.url, config.database.max_connections)
        .await
        .context("failed to open the trust store")
}

/// A file refused, with the code printed.
struct Refusal {
    file: PathBuf,
    code: &'static str,
    detail: String,
}

async fn import(
    config: &Config,
    files: &[PathBuf],
    anchors: &[PathBuf],
    at: DateTime<Utc>,
) -> anyhow::Result<i32> {
    let mut read = Vec::new();
    for file in anchors.iter().chain(files) {
        match read_file(file) {
            Ok(kind) => read.push((file.clone(), kind)),
            Err(refusal) => return Ok(refuse(&refusal)),
        }
    }
    let (anchor_files, files) = read.split_at(anchors.len());

    let store = open(config).await?;
    let stored = store.trust_material().await?;
    let mut batch = Batch { trusted: stored.cscas, anchors: Vec::new(), ..Batch::default() };
    for (file, kind) in anchor_files {
        let TrustFile::Certificate(der) = kind else {
            let detail = "an anchor must be a CSCA certificate".to_owned();
            return Ok(refuse(&Refusal { file: file.clone(), code: "trust.anchor", detail }));
        };
        let vetted = batch.anchors_for_links().and_then(|anchors| {
            vet_csca(der, &anchors).map_err(|err| (err.code(), err.to_string()))
        });
        match vetted {
            Ok(_) => batch.anchors.push(der.clone()),
            Err((code, detail)) => return Ok(refuse(&refusal(file, code, detail))),
        }
    }

    let mut report = String::new();
    let ordered = files.iter().filter(|(_, kind)| !matches!(kind, TrustFile::Crl(_)));
    let crls = files.iter().filter(|(_, kind)| matches!(kind, TrustFile::Crl(_)));
    for (file, kind) in ordered.chain(crls) {
        match batch.vet(kind, at) {
            Ok(line) => writeln!(report, "{}  {line}", file.display())?,
            Err((code, detail)) => return Ok(refuse(&refusal(file, code, detail))),
        }
    }

    let outcome = store.import(batch.cscas, batch.crls, SystemClock.now()).await?;
    tracing::info!(
        target: "security",
        cscas_added = outcome.cscas_added,
        crls_added = outcome.crls_added,
        "trust material imported"
    );
    print!("{report}");
    println!(
        "imported: {} CSCA certificates added, {} already held; {} CRLs added, {} already held",
        outcome.cscas_added, outcome.cscas_known, outcome.crls_added, outcome.crls_known
    );
    Ok(0)
}

/// What an import has vetted so far, and what it trusts to vet the rest.
#[derive(Default)]
struct Batch {
    /// Stored CSCAs and those vetted in this import.
    trusted: Vec<Vec<u8>>,
    /// `--anchor` certificates.
    anchors: Vec<Vec<u8>>,
    cscas: Vec<NewCsca>,
    crls: Vec<NewCrl>,
}

impl Batch {
    /// The stored, vetted and anchor CSCAs, as anchors to verify with.
    fn anchors_for_links(&self) -> Result<TrustAnchors, (&'static str, String)> {
        let cscas = self.trusted.iter().chain(&self.anchors).cloned().collect();
        TrustAnchors::new(&TrustMaterial { cscas, crls: Vec::new() })
            .map_err(|err| (err.code(), format!("the trust store itself: {err}")))
    }

    /// Vets one file; a line for the report, or the refusal's code and detail.
    fn vet(
        &mut self,
        kind: &TrustFile,
        at: DateTime<Utc>,
    ) -> Result<String, (&'static str, String)> {
        match kind {
            TrustFile::MasterList(der) => {
                let list = MasterList::parse(der).map_err(|err| (err.code(), err.to_string()))?;
                let signer = list
                    .verify(&self.anchors_for_links()?, at)
                    .map_err(|err| (err.code(), err.to_string()))?;
                let fingerprint =
                    sha256_fingerprint(der).map_err(|err| (err.code(), err.to_string()))?;
                let source = format!("master-list:{}", fingerprint.get(..16).unwrap_or_default());
                for listed in &list.cscas {
                    let record =
                        listed_csca(listed).map_err(|err| (err.code(), err.to_string()))?;
                    self.keep_csca(record, &source);
                }
                let csca_state = signer.csca_state.unwrap_or_else(|| "?".to_owned());
                Ok(format!("master list: {} CSCAs, signed under {csca_state}", list.cscas.len()))
            }
            TrustFile::Certificate(der) => {
                let record = vet_csca(der, &self.anchors_for_links()?)
                    .map_err(|err| (err.code(), err.to_string()))?;
                let line = format!("CSCA {} ({})", record.state, kind_name(record.kind));
                self.keep_csca(record, "certificate");
                Ok(line)
            }
            TrustFile::Crl(der) => {
                let trusted: Vec<Vec<u8>> =
                    self.trusted.iter().chain(&self.anchors).cloned().collect();
                let record = vet_crl(der, &trusted).map_err(|err| (err.code(), err.to_string()))?;
                let line =
                    format!("CRL of {}, next update {}", record.state, when(record.next_update));
                self.crls.push(new_crl(record));
                Ok(line)
            }
        }
    }

    fn keep_csca(&mut self, record: CscaRecord, source: &str) {
        self.trusted.push(record.der.clone());
        self.cscas.push(NewCsca {
            issuing_state: record.state,
            kind: kind_name(record.kind).to_owned(),
            subject_key_id: record.subject_key_id,
            serial: record.serial,
            not_before: record.not_before,
            not_after: record.not_after,
            fingerprint: record.fingerprint,
            der: record.der,
            source: source.to_owned(),
        });
    }
}

fn new_crl(record: CrlRecord) -> NewCrl {
    NewCrl {
        issuing_state: record.state,
        issuer: record.issuer,
        this_update: record.this_update,
        next_update: record.next_update,
        fingerprint: record.fingerprint,
        der: record.der,
    }
}

fn kind_name(kind: CscaKind) -> &'static str {
    match kind {
        CscaKind::Root => "root",
        CscaKind::Link => "link",
    }
}

fn read_file(file: &Path) -> Result<TrustFile, Refusal> {
    let bytes = read_bounded(file, MAX_MASTER_LIST as u64).map_err(|detail| Refusal {
        file: file.to_owned(),
        code: "trust.unreadable",
        detail,
    })?;
    read_trust_file(&bytes).map_err(|err| refusal(file, err.code(), err.to_string()))
}

/// A file of at most `limit` bytes.
pub(crate) fn read_bounded(file: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(file).map_err(|err| err.to_string())?.len();
    if size > limit {
        return Err(format!("{size} bytes, over {limit}"));
    }
    std::fs::read(file).map_err(|err| err.to_string())
}

fn refusal(file: &Path, code: &'static str, detail: String) -> Refusal {
    Refusal { file: file.to_owned(), code, detail }
}

fn refuse(refusal: &Refusal) -> i32 {
    eprintln!("refused {} ({}): {}", refusal.file.display(), refusal.code, refusal.detail);
    eprintln!("nothing was imported");
    1
}

async fn coverage(store: &TrustStore, at: DateTime<Utc>, as_json: bool) -> anyhow::Result<String> {
    let states = store.coverage(at).await?;
    if as_json {
        let states: Vec<_> = states
            .iter()
            .map(|state| {
                json!({
                    "state": state.issuing_state,
                    "cscas": state.cscas,
                    "crl_next_update": state.crl_next_update,
                    "crl": state.crl.as_str(),
                })
            })
            .collect();
        return Ok(json!({ "at": at, "states": states }).to_string());
    }

    let mut table =
        format!("{:<6} {:>5}  {:<20}  {}\n", "state", "CSCAs", "CRL next update", "CRL");
    for state in &states {
        writeln!(
            table,
            "{:<6} {:>5}  {:<20}  {}",
            state.issuing_state,
            state.cscas,
            when(state.crl_next_update),
            state.crl.as_str()
        )?;
    }
    if states.is_empty() {
        table.push_str("(the trust store is empty: idproof trust import FILE...)\n");
    }
    Ok(table.trim_end().to_owned())
}

fn when(moment: Option<DateTime<Utc>>) -> String {
    moment
        .map_or_else(|| "-".to_owned(), |moment| moment.to_rfc3339_opts(SecondsFormat::Secs, true))
}
