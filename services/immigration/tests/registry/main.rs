//! The registry client against a mock registry (wiremock), a raw TCP one for what wiremock
//! cannot send, and a mutual-TLS one: one test binary, a module per concern.

// Helpers outside `#[test]` functions set up fixtures; a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config;
mod feed;
mod helpers;
mod lookup;
mod mtls;
