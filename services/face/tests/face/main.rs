//! The comparators from outside: the HTTP adapter against wiremock, the sandbox against the
//! synthetic chip faces. One test binary (each file under `tests/` would link its own).

// Helpers outside `#[test]` functions set up fixtures; a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod http;
mod sandbox;
