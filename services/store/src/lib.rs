//! Persistence for idproof: the entities, the repositories that read and write them, evidence
//! encryption and the audit trail. SQLite is the embedded default, PostgreSQL the production
//! database; the URL picks one.

#![warn(missing_docs)]

pub mod api_keys;
mod applications;
mod audit;
mod bindings;
mod chip_challenges;
mod clients;
mod crypto;
mod decisions;
#[allow(missing_docs)]
pub mod entities;
mod error;
mod evidence;
mod identity_links;
mod otp;
mod sim_registrations;
mod stay_changes;
mod steps;
mod trust;

use std::time::Duration;

use idproof_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    TransactionTrait, sqlx::sqlite::SqliteJournalMode,
};

pub use applications::{ApplicationRecord, CreateOutcome, NewApplication};
pub use bindings::{BindOutcome, BindingCaps, BindingRecord, CapScope, NewBinding};
pub use chip_challenges::{CHALLENGE_LENGTH, IssuedChallenge, SpentChallenge};
pub use clients::{ClientRecord, NewClient};
pub use crypto::{CipherError, EvidenceCipher, Sealed};
pub use decisions::DecisionRecord;
pub use error::StoreError;
pub use evidence::{EvidenceRecord, NewEvidence};
pub use otp::{NewOtp, OtpChallengeRecord, OtpVerdict, SendLimits, SendOutcome};
pub use sim_registrations::{ShopVisit, SimDecision, SimOutcome, SimRegistrationRecord};
pub use stay_changes::{PersonHash, PersonIndexKey};
pub use steps::{StepRecord, StepWrite};
pub use trust::{
    CrlStatus, NewCrl, NewCsca, StateCoverage, StoredTrustMaterial, TrustImport, TrustStore,
};

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
///
/// Replicas that start together migrate one at a time: on PostgreSQL under a transaction-scoped
/// advisory lock, on SQLite under an immediate transaction. The first applies the migrations;
/// the others wait, then find nothing left to do.
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    // One connection, so that the lock and the migrations share it.
    let db = connect_database(url, 1).await?;
    let migrated = match db.get_database_backend() {
        DbBackend::Postgres => migrate_postgres(&db).await,
        _ => migrate_sqlite(&db).await,
    };
    db.close().await.context("failed to close the database")?;
    migrated
}

/// The PostgreSQL advisory lock that start-ups take to migrate one at a time.
const MIGRATION_LOCK: i64 = 0x1d9_0f00_0001;

/// Each migration runs in a savepoint of the transaction that holds the lock.
async fn migrate_postgres(db: &DatabaseConnection) -> Result<(), StoreError> {
    let txn = db.begin().await.context("failed to begin the migration transaction")?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await
        .context("failed to take the migration lock")?;
    Migrator::up(&txn, None).await.context("failed to apply migrations")?;
    txn.commit().await.context("failed to commit the migrations")
}

/// SQLite's schema changes are transactional; `BEGIN IMMEDIATE` takes the write lock at once,
/// so a second start-up waits (busy timeout) instead of racing.
async fn migrate_sqlite(db: &DatabaseConnection) -> Result<(), StoreError> {
    db.execute_unprepared("BEGIN IMMEDIATE").await.context("failed to take the migration lock")?;
    match Migrator::up(db, None).await {
        Ok(()) => db
            .execute_unprepared("COMMIT")
            .await
            .map(drop)
            .context("failed to commit the migrations"),
        Err(err) => {
            db.execute_unprepared("ROLLBACK").await.ok();
            Err(StoreError::Database { context: "failed to apply migrations", source: err })
        }
    }
}

/// Undoes every migration; for tests of the migrations' `down`.
pub async fn migrate_down_all(url: &str) -> Result<(), StoreError> {
    let db = connect_database(url, 1).await?;
    Migrator::down(&db, None).await.context("failed to undo migrations")?;
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
    connect_waiting_out_busy(options).await.context("failed to connect to the database")
}

/// How long a start-up keeps retrying a SQLite file that another connection holds locked.
const SQLITE_BUSY_PATIENCE: Duration = Duration::from_secs(30);

/// Connects, retrying while SQLite answers "database is locked".
///
/// The busy timeout does not cover opening a new file: two connections that both switch it to
/// WAL each hold a read lock and want the write lock, and SQLite refuses one of them at once
/// rather than deadlock. Once the file is in WAL mode the switch is a no-op, so this happens
/// only while replicas start together on a new database.
async fn connect_waiting_out_busy(options: ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match Database::connect(options.clone()).await {
            Err(err) if is_sqlite_busy(&err) && started.elapsed() < SQLITE_BUSY_PATIENCE => {
                tracing::debug!(pause_ms = pause.as_millis() as u64, "sqlite busy on connect");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            result => return result,
        }
    }
}

/// SQLITE_BUSY (5) and its extended codes, which keep 5 in the low byte.
fn is_sqlite_busy(err: &DbErr) -> bool {
    let (DbErr::Conn(RuntimeErr::SqlxError(source))
    | DbErr::Exec(RuntimeErr::SqlxError(source))
    | DbErr::Query(RuntimeErr::SqlxError(source))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(database) = source.as_ref() else {
        return false;
    };
    database.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(|code| code & 0xff == 5)
}
