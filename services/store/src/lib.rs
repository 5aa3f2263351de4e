//! Persistence for idproof: the entities, the repositories that read and write them, evidence
//! encryption and the audit trail. SQLite is the embedded default, PostgreSQL the production
//! database; the URL picks one.

#![warn(missing_docs)]

pub mod api_keys;
mod applications;
mod audit;
mod clients;
mod crypto;
#[allow(missing_docs)]
pub mod entities;
mod error;
mod evidence;
mod steps;

use std::time::Duration;

use idproof_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, sqlx::sqlite::SqliteJournalMode};

pub use applications::{ApplicationRecord, CreateOutcome, NewApplication};
pub use clients::{ClientRecord, NewClient};
pub use crypto::{CipherError, EvidenceCipher, Sealed};
pub use error::StoreError;
pub use evidence::{EvidenceRecord, NewEvidence};
pub use steps::{StepRecord, StepWrite};

use error::DbContext;

/// The database and the evidence cipher, shared by the API and the activities.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    cipher: EvidenceCipher,
}

impl Store {
    /// Connects to `url` (`sqlite://…?mode=rwc` or `postgres://…`).
    pub async fn connect(
        url: &str,
        max_connections: u32,
        cipher: EvidenceCipher,
    ) -> Result<Self, StoreError> {
        let db = connect_database(url, max_connections).await?;
        Ok(Self { db, cipher })
    }

    /// Applies the migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None)
            .await
            .context("failed to apply migrations")
    }

    /// Undoes every migration; for tests of the migrations' `down`.
    pub async fn migrate_down_all(&self) -> Result<(), StoreError> {
        Migrator::down(&self.db, None)
            .await
            .context("failed to undo migrations")
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.context("database ping failed")
    }

    /// The connection, for tests that inspect rows.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Applies pending migrations to the database at `url`; needs no evidence key.
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    let db = connect_database(url, 1).await?;
    Migrator::up(&db, None)
        .await
        .context("failed to apply migrations")?;
    db.close().await.context("failed to close the database")
}

async fn connect_database(
    url: &str,
    max_connections: u32,
) -> Result<DatabaseConnection, StoreError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            // Concurrent writers wait for the lock instead of failing at once, and readers
            // do not block the writer.
            sqlite
                .create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
        });
    Database::connect(options)
        .await
        .context("failed to connect to the database")
}
