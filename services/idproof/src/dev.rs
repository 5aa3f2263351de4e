//! `idproof dev`: the embedded defaults need no setup, so a dev evidence key and a dev API key
//! are made on first start and kept in the data directory.

use std::{fs, io::Write, path::Path};

use anyhow::Context;
use idproof_api::Scope;
use idproof_proofing::{Clock, SystemClock};
use idproof_store::{EvidenceCipher, NewClient, Store};

use crate::{
    config::Config,
    steps_config::{ComparatorKind, GatewayKind},
};

const DEV_KEY_ID: &str = "dev";
const EVIDENCE_KEY_FILE: &str = "dev-evidence-key";
const API_KEY_FILE: &str = "dev-api-key";

/// Uses the configured evidence keys, or a dev key kept in the data directory when none are.
pub fn ensure_evidence_key(config: &mut Config) -> anyhow::Result<()> {
    if !config.evidence.keys.is_empty() {
        return Ok(());
    }

    let path = config.dev.data_dir.join(EVIDENCE_KEY_FILE);
    let key = match fs::read_to_string(&path) {
        Ok(key) => key.trim().to_owned(),
        Err(_) => {
            let key = EvidenceCipher::generate_base64_key();
            write_private(&path, &key)?;
            key
        }
    };
    config.evidence.keys.insert(DEV_KEY_ID.to_owned(), key);
    config.evidence.current_key_id = DEV_KEY_ID.to_owned();
    Ok(())
}

/// The dev API key: the one kept in the data directory while it still works, else a new one
/// with every scope.
pub async fn ensure_api_key(store: &Store, data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join(API_KEY_FILE);
    if let Ok(kept) = fs::read_to_string(&path) {
        let kept = kept.trim().to_owned();
        if store.authenticate(&kept).await?.is_some() {
            return Ok(kept);
        }
    }

    let new = NewClient {
        name: "dev".to_owned(),
        scopes: Scope::ALL.iter().map(|scope| scope.as_str().to_owned()).collect(),
        callback_url: None,
    };
    let (_, issued) = store.create_client(new, SystemClock.now()).await?;
    write_private(&path, &issued.key)?;
    Ok(issued.key)
}

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).with_context(|| format!("failed to write {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))
}

/// Stands in for the services outside our control that the configuration leaves unset: codes
/// are printed on the console instead of sent by SMS, and selfies are compared by the sandbox
/// comparator (image likeness, not biometric).
pub fn use_stand_ins(config: &mut Config) {
    if config.mobile.gateway == GatewayKind::None {
        config.mobile.gateway = GatewayKind::Console;
    }
    if config.face.comparator == ComparatorKind::None {
        config.face.comparator = ComparatorKind::Sandbox;
    }
}
