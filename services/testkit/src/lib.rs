//! Real services for tests and benchmarks, each started by the code that needs it.
//!
//! Every server runs under a small shell guardian that reads its standard input: when the test
//! process ends, however it ends, the pipe closes and the guardian kills the server. No test
//! leaves a server behind, and no test needs one started by hand.

// Servers start synchronously, before any runtime work depends on them.
#![allow(clippy::disallowed_methods)]

mod guardian;
mod postgres;
mod temporal;

pub use guardian::Guarded;
pub use postgres::{PostgresServer, TestDatabase};
pub use temporal::TemporalDevServer;

use std::net::TcpListener;

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or(0)
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(label: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("idproof-{label}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
