//! The immigration registry's stay records, as idproof asks for them: the contract's types and
//! a client for it (openapi/immigration.yaml), over mutual TLS in production.
//!
//! [`RegistryClient::lookup`] finds a person's stay record by passport; a passport the registry
//! does not know is [`LookupOutcome::NotFound`], an answer rather than a fault.
//! [`RegistryClient::stay_changes`] pages the feed of stay changes.
//!
//! The client makes one request per call and never retries: the caller's retry policy (a
//! Temporal activity's) does, guided by [`RegistryError::is_transient`] and
//! [`RegistryError::retry_after`]. Transient faults are `registry.timeout`,
//! `registry.unavailable` and `registry.rate_limited`; `registry.rejected`, `registry.tls`,
//! `registry.unexpected_answer` and `registry.configuration` get the same result on a retry.
//!
//! Answers are believed only when they follow the contract: a 200 must be `application/json` of
//! the contract's shape (an unknown status or a missing field is refused; an unknown visa
//! category is kept as [`VisaCategory::Other`]); a 404 must be the `record_not_found` problem,
//! so that a wrong URL or a proxy's 404 never passes as "no record"; bodies over
//! [`RegistryConfig::max_answer_bytes`] are refused unread. Nothing that identifies a person
//! reaches an error message, a log line or a `Debug` output.

#![warn(missing_docs)]

mod client;
mod config;
mod error;
mod model;

pub use client::{LookupOutcome, MAX_PAGE, RegistryClient};
pub use config::{PemSource, RegistryConfig};
pub use error::{AnswerFault, Operation, RegistryError};
pub use model::{
    ChangeKind, Cursor, DocumentNumber, InvalidField, LookupAnswer, LookupRequest, Match,
    Nationality, StayChange, StayChangePage, StayRecord, StayReferences, StayStatus, VisaCategory,
};
