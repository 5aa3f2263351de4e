//! A Temporal dev server (`temporal server start-dev`) on free ports, with its database in a
//! file so that it can be killed and started again with its history intact.

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

use crate::{free_port, guardian::Guarded, temp_dir};

/// A running Temporal dev server.
pub struct TemporalDevServer {
    /// The frontend's gRPC port.
    pub port: u16,
    /// The web UI's port.
    pub ui_port: u16,
    dir: PathBuf,
    process: Option<Guarded>,
}

/// The Temporal CLI: `IDPROOF_TEST_TEMPORAL_BIN`, else `temporal` on the PATH.
fn temporal_bin() -> String {
    std::env::var("IDPROOF_TEST_TEMPORAL_BIN").unwrap_or_else(|_| "temporal".to_owned())
}

impl TemporalDevServer {
    /// Starts a server on free ports and waits until its default namespace answers.
    pub fn start() -> anyhow::Result<Self> {
        let dir = temp_dir("temporal")?;
        let mut server = Self { port: free_port(), ui_port: free_port(), dir, process: None };
        server.launch()?;
        Ok(server)
    }

    /// The frontend's address, as idproof's `temporal.address` takes it.
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server as a crash would, then starts it again on the same ports and database.
    pub fn restart_after_crash(&mut self) -> anyhow::Result<()> {
        if let Some(process) = self.process.take() {
            process.kill_hard();
        }
        self.launch()
    }

    fn launch(&mut self) -> anyhow::Result<()> {
        let args: Vec<String> =
            ["server", "start-dev", "--headless", "--ip", "127.0.0.1", "--log-level", "error"]
                .iter()
                .map(|arg| (*arg).to_owned())
                .chain([
                    "--port".to_owned(),
                    self.port.to_string(),
                    "--ui-port".to_owned(),
                    self.ui_port.to_string(),
                    "--db-filename".to_owned(),
                    self.dir.join("temporal.db").display().to_string(),
                ])
                .collect();
        let log = self.dir.join("temporal.log");
        self.process = Some(Guarded::spawn(&temporal_bin(), &args, &log, None)?);
        self.wait_ready(Duration::from_secs(60))
            .with_context(|| format!("Temporal did not start; see {}", log.display()))
    }

    fn wait_ready(&self, patience: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let address = format!("127.0.0.1:{}", self.port);
        while started.elapsed() < patience {
            let answered = Command::new(temporal_bin())
                .args(["operator", "namespace", "describe", "--namespace", "default"])
                .args(["--address", &address])
                .output()
                .is_ok_and(|output| output.status.success());
            if answered {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!("no answer from {address} after {patience:?}")
    }
}

impl Drop for TemporalDevServer {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            process.kill_hard();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
