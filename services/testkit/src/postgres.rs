//! PostgreSQL for tests: the server named by `IDPROOF_TEST_POSTGRES_URL` when set, else a
//! throwaway cluster from the installed binaries. Each test gets a database of its own.

use std::{path::PathBuf, process::Command, time::Duration};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Database};

use crate::{free_port, guardian::Guarded, temp_dir};

/// A PostgreSQL server that tests may create databases on.
pub struct PostgresServer {
    admin_url: String,
    _process: Option<Guarded>,
    dir: Option<PathBuf>,
}

/// A database made for one test, dropped with it.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    name: String,
    admin_url: String,
}

impl PostgresServer {
    /// The configured server, or a throwaway one.
    pub fn start() -> anyhow::Result<Self> {
        if let Ok(url) = std::env::var("IDPROOF_TEST_POSTGRES_URL")
            && !url.trim().is_empty()
        {
            return Ok(Self { admin_url: url, _process: None, dir: None });
        }
        Self::throwaway()
    }

    fn throwaway() -> anyhow::Result<Self> {
        let dir = temp_dir("postgres")?;
        let data = dir.join("data");
        let run_as = is_root().then_some("postgres");
        if run_as.is_some() {
            let status = Command::new("chown").args(["-R", "postgres"]).arg(&dir).status()?;
            if !status.success() {
                bail!("failed to hand {} to the postgres user", dir.display());
            }
        }

        let bin = pg_bin_dir()?;
        let mut initdb = match run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(bin.join("initdb"));
                command
            }
            None => Command::new(bin.join("initdb")),
        };
        let output = initdb.args(["-A", "trust", "-U", "postgres", "-D"]).arg(&data).output()?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }

        let port = free_port();
        let args = vec![
            "-D".to_owned(),
            data.display().to_string(),
            "-p".to_owned(),
            port.to_string(),
            "-k".to_owned(),
            dir.display().to_string(),
            "-c".to_owned(),
            "listen_addresses=127.0.0.1".to_owned(),
            "-c".to_owned(),
            "fsync=off".to_owned(),
        ];
        let postgres = bin.join("postgres").display().to_string();
        let process = Guarded::spawn(&postgres, &args, &dir.join("postgres.log"), run_as)?;

        let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let server = Self { admin_url, _process: Some(process), dir: Some(dir) };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("the throwaway PostgreSQL did not start on port {port}")
    }

    /// Creates an empty database for one test.
    pub async fn fresh_database(&self) -> anyhow::Result<TestDatabase> {
        let name = format!("idproof_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&self.admin_url).await.context("admin connect")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .context("failed to create a test database")?;
        admin.close().await.ok();

        let (base, _) = self.admin_url.rsplit_once('/').context("admin URL has no database")?;
        let url = format!("{base}/{name}");
        Ok(TestDatabase { url, name, admin_url: self.admin_url.clone() })
    }
}

impl TestDatabase {
    /// Drops the database; connections to it must be closed first.
    pub async fn drop_database(self) -> anyhow::Result<()> {
        let admin = Database::connect(&self.admin_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .await?;
        Ok(())
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The directory of the installed server binaries.
fn pg_bin_dir() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .context("no PostgreSQL installed under /usr/lib/postgresql")?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().context("no initdb found under /usr/lib/postgresql")
}
