//! The policy crate's tests: one binary, a module per concern.

#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod support;

mod cabinet;
mod categories;
mod decide;
mod hostile;
mod load;
mod properties;
