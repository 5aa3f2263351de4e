//! The sandbox's own database: stay records and the feed of their changes. SQLite by default (a
//! file or `sqlite::memory:`), PostgreSQL too; the tables are created at start when missing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Schema,
    TransactionTrait, sea_query::OnConflict, sqlx::sqlite::SqliteJournalMode,
};

use crate::entities::{stay_change, stay_record};
use crate::records::{
    Category, ChangeKind, References, Status, StayChange, StayRecord, StayUpdate, UpdateRefusal,
};

/// The registry's database.
#[derive(Clone, Debug)]
pub struct Registry {
    db: DatabaseConnection,
}

/// A database failure, with what was being done. Its message names no person.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct RegistryError {
    context: &'static str,
    #[source]
    source: DbErr,
}

/// Why an admin change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No record with this id.
    #[error("no stay record with this id")]
    NotFound,
    /// The change does not apply to the record as it stands.
    #[error(transparent)]
    Refused(#[from] UpdateRefusal),
    /// The database failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

trait Context<T> {
    fn context(self, context: &'static str) -> Result<T, RegistryError>;
}

impl<T> Context<T> for Result<T, DbErr> {
    fn context(self, context: &'static str) -> Result<T, RegistryError> {
        self.map_err(|source| RegistryError { context, source })
    }
}

/// Filters for listing records.
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    /// Only records after this id, in id order.
    pub after: Option<String>,
    /// Only records of this status.
    pub status: Option<Status>,
    /// Only records of this category.
    pub visa_category: Option<Category>,
}

impl Registry {
    /// Connects to `url` and creates the tables when missing.
    pub async fn open(url: &str) -> Result<Self, RegistryError> {
        // Each connection to an in-memory SQLite database is a database of its own.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            create_parent_directory(url)?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if in_memory { 1 } else { 5 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |sqlite| {
                let sqlite = sqlite.create_if_missing(true).busy_timeout(Duration::from_secs(10));
                if in_memory { sqlite } else { sqlite.journal_mode(SqliteJournalMode::Wal) }
            });
        let db = Database::connect(options)
            .await
            .context("failed to connect to the sandbox registry's database")?;
        let registry = Self { db };
        registry.create_tables().await?;
        Ok(registry)
    }

    async fn create_tables(&self) -> Result<(), RegistryError> {
        let schema = Schema::new(self.db.get_database_backend());
        let mut records = schema.create_table_from_entity(stay_record::Entity);
        self.db.execute(records.if_not_exists()).await.context("failed to create stay_record")?;
        for mut index in schema.create_index_from_entity(stay_record::Entity) {
            self.db
                .execute(index.if_not_exists())
                .await
                .context("failed to create stay_record's index")?;
        }
        let mut changes = schema.create_table_from_entity(stay_change::Entity);
        self.db.execute(changes.if_not_exists()).await.context("failed to create stay_change")?;
        Ok(())
    }

    /// The record of the passport `document_number` of `nationality`.
    pub async fn find(
        &self,
        nationality: &str,
        document_number: &str,
    ) -> Result<Option<StayRecord>, RegistryError> {
        let row = stay_record::Entity::find()
            .filter(stay_record::Column::Nationality.eq(nationality))
            .filter(stay_record::Column::DocumentNumber.eq(document_number))
            .one(&self.db)
            .await
            .context("failed to look up a stay record")?;
        row.map(from_row).transpose()
    }

    /// The record `record_id`.
    pub async fn record(&self, record_id: &str) -> Result<Option<StayRecord>, RegistryError> {
        let row = stay_record::Entity::find_by_id(record_id.to_owned())
            .one(&self.db)
            .await
            .context("failed to read a stay record")?;
        row.map(from_row).transpose()
    }

    /// Up to `limit` records in id order, filtered.
    pub async fn list(
        &self,
        filter: &RecordFilter,
        limit: u64,
    ) -> Result<Vec<StayRecord>, RegistryError> {
        let mut query = stay_record::Entity::find();
        if let Some(after) = &filter.after {
            query = query.filter(stay_record::Column::RecordId.gt(after.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(stay_record::Column::Status.eq(status.code()));
        }
        if let Some(category) = filter.visa_category {
            query = query.filter(stay_record::Column::VisaCategory.eq(category.code()));
        }
        let rows = query
            .order_by_asc(stay_record::Column::RecordId)
            .limit(limit)
            .all(&self.db)
            .await
            .context("failed to list stay records")?;
        rows.into_iter().map(from_row).collect()
    }

    /// How many records there are.
    pub async fn count(&self) -> Result<u64, RegistryError> {
        stay_record::Entity::find().count(&self.db).await.context("failed to count stay records")
    }

    /// Up to `limit` changes after `cursor`, oldest first.
    // TODO: on PostgreSQL a change can commit after one with a higher cursor, and a reader
    // between the two commits skips it. SQLite serialises writers, so the sandbox's default is
    // safe; for PostgreSQL, take a table lock when appending, or hold back recent cursors.
    pub async fn changes_after(
        &self,
        cursor: i64,
        limit: u64,
    ) -> Result<Vec<StayChange>, RegistryError> {
        let rows = stay_change::Entity::find()
            .filter(stay_change::Column::Cursor.gt(cursor))
            .order_by_asc(stay_change::Column::Cursor)
            .limit(limit)
            .all(&self.db)
            .await
            .context("failed to read stay changes")?;
        rows.into_iter().map(change_from_row).collect()
    }

    /// Stores `records` that are not there yet, by record id or by passport: the number
    /// stored.
    pub async fn insert_missing(&self, records: &[StayRecord]) -> Result<u64, RegistryError> {
        let txn = self.db.begin().await.context("failed to begin seeding")?;
        let mut inserted = 0;
        for record in records {
            inserted += stay_record::Entity::insert(to_row(record))
                .on_conflict(OnConflict::new().do_nothing().to_owned())
                .exec_without_returning(&txn)
                .await
                .context("failed to seed a stay record")?;
        }
        txn.commit().await.context("failed to commit seeding")?;
        Ok(inserted)
    }

    /// Makes `update` to record `record_id` at `now` and appends its change to the feed, in one
    /// transaction.
    pub async fn apply(
        &self,
        record_id: &str,
        update: &StayUpdate,
        now: DateTime<Utc>,
    ) -> Result<(StayRecord, StayChange), ChangeError> {
        let txn = self.db.begin().await.context("failed to begin a stay change")?;
        let row = stay_record::Entity::find_by_id(record_id.to_owned())
            .one(&txn)
            .await
            .context("failed to read a stay record")?
            .ok_or(ChangeError::NotFound)?;
        let record = from_row(row)?;
        let next = update.apply(&record, now)?;

        stay_record::Entity::update(to_row(&next))
            .exec(&txn)
            .await
            .context("failed to update a stay record")?;
        let change = stay_change::ActiveModel {
            record_id: Set(next.record_id.clone()),
            nationality: Set(next.nationality.clone()),
            document_number: Set(next.document_number.clone()),
            kind: Set(update.kind().code().to_owned()),
            changed_at: Set(now),
            ..Default::default()
        };
        let cursor = stay_change::Entity::insert(change)
            .exec(&txn)
            .await
            .context("failed to append a stay change")?
            .last_insert_id;
        txn.commit().await.context("failed to commit a stay change")?;

        let change = StayChange {
            cursor,
            record_id: next.record_id.clone(),
            nationality: next.nationality.clone(),
            document_number: next.document_number.clone(),
            kind: update.kind(),
            changed_at: now,
        };
        Ok((next, change))
    }

    /// Moves record `record_id` to a renewed passport of the same nationality, numbered
    /// `document_number`, as immigration does when a stay is transferred to a new booklet. The
    /// record id stays the person's; the feed gets no entry, since the stay did not change.
    pub async fn renew_passport(
        &self,
        record_id: &str,
        document_number: &str,
        now: DateTime<Utc>,
    ) -> Result<StayRecord, ChangeError> {
        let valid = (1..=9).contains(&document_number.len())
            && document_number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            let malformed = "document_number must be 1 to 9 characters of A to Z and 0 to 9";
            return Err(UpdateRefusal::Passport(malformed).into());
        }

        let txn = self.db.begin().await.context("failed to begin a passport renewal")?;
        let row = stay_record::Entity::find_by_id(record_id.to_owned())
            .one(&txn)
            .await
            .context("failed to read a stay record")?
            .ok_or(ChangeError::NotFound)?;
        if row.document_number == document_number {
            return Err(UpdateRefusal::Passport("the record is already on this passport").into());
        }
        let holder = stay_record::Entity::find()
            .filter(stay_record::Column::Nationality.eq(row.nationality.as_str()))
            .filter(stay_record::Column::DocumentNumber.eq(document_number))
            .one(&txn)
            .await
            .context("failed to look up a stay record")?;
        if holder.is_some() {
            return Err(UpdateRefusal::Passport("another record holds this passport").into());
        }

        let mut record = from_row(row)?;
        record.document_number = document_number.to_owned();
        record.updated_at = now;
        stay_record::Entity::update(to_row(&record))
            .exec(&txn)
            .await
            .context("failed to update a stay record")?;
        txn.commit().await.context("failed to commit a passport renewal")?;
        Ok(record)
    }
}

/// Makes the directory of a SQLite file, which SQLite does not.
fn create_parent_directory(url: &str) -> Result<(), RegistryError> {
    let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
        return Ok(());
    };
    let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|err| RegistryError {
                context: "failed to create the sandbox database's directory",
                source: DbErr::Custom(err.to_string()),
            })
        }
        _ => Ok(()),
    }
}

fn corrupt(column: &'static str) -> RegistryError {
    RegistryError {
        context: column,
        source: DbErr::Type("a stored code is none the sandbox knows".to_owned()),
    }
}

fn from_row(row: stay_record::Model) -> Result<StayRecord, RegistryError> {
    Ok(StayRecord {
        visa_category: row
            .visa_category
            .parse()
            .map_err(|_| corrupt("stay_record.visa_category"))?,
        status: row.status.parse().map_err(|_| corrupt("stay_record.status"))?,
        record_id: row.record_id,
        surname: row.surname,
        given_names: row.given_names,
        date_of_birth: row.date_of_birth,
        nationality: row.nationality,
        document_number: row.document_number,
        last_entry: row.last_entry,
        permitted_stay_end: row.permitted_stay_end,
        references: References {
            work_permit: row.work_permit,
            boi_approval: row.boi_approval,
            ltr_approval: row.ltr_approval,
            smart_approval: row.smart_approval,
        },
        updated_at: row.updated_at,
    })
}

fn to_row(record: &StayRecord) -> stay_record::ActiveModel {
    stay_record::ActiveModel {
        record_id: Set(record.record_id.clone()),
        surname: Set(record.surname.clone()),
        given_names: Set(record.given_names.clone()),
        date_of_birth: Set(record.date_of_birth),
        nationality: Set(record.nationality.clone()),
        document_number: Set(record.document_number.clone()),
        visa_category: Set(record.visa_category.code().to_owned()),
        last_entry: Set(record.last_entry),
        permitted_stay_end: Set(record.permitted_stay_end),
        status: Set(record.status.code().to_owned()),
        work_permit: Set(record.references.work_permit.clone()),
        boi_approval: Set(record.references.boi_approval.clone()),
        ltr_approval: Set(record.references.ltr_approval.clone()),
        smart_approval: Set(record.references.smart_approval.clone()),
        updated_at: Set(record.updated_at),
    }
}

fn change_from_row(row: stay_change::Model) -> Result<StayChange, RegistryError> {
    let kind: ChangeKind = row.kind.parse().map_err(|_| corrupt("stay_change.kind"))?;
    Ok(StayChange {
        cursor: row.cursor,
        record_id: row.record_id,
        nationality: row.nationality,
        document_number: row.document_number,
        kind,
        changed_at: row.changed_at,
    })
}
