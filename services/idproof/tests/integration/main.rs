//! The integration suite: one binary, the API in process, a real Temporal dev server, the worker
//! as a real `idproof worker` process, and every scenario on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods, unreachable_pub)]

mod support;

mod api_errors;
mod applications;
mod bindings;
mod chip;
mod cli;
mod durability;
mod evidence;
mod immigration;
mod ops;
mod otp;
mod policy;
mod shop;
mod shop_faults;
mod stay_changes;
mod store;
mod trust;
