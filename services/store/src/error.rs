//! The store's errors: each database failure says which step failed.

use sea_orm::DbErr;

use crate::crypto::CipherError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed; `context` says what was being done.
    #[error("{context}")]
    Database {
        /// What was being done.
        context: &'static str,
        /// The database's error.
        #[source]
        source: DbErr,
    },
    /// Evidence could not be sealed or opened.
    #[error("evidence encryption failed")]
    Cipher(#[from] CipherError),
    /// A row the caller named does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What kind of row.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A stored value is not one this version understands.
    #[error("stored {column} holds an unknown value")]
    Corrupt {
        /// The column.
        column: &'static str,
    },
}

/// Adds what was being done to a database error.
pub(crate) trait DbContext<T> {
    fn context(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> DbContext<T> for Result<T, DbErr> {
    fn context(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database { context, source })
    }
}
