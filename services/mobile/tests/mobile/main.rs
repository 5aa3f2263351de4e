//! The mobile domain through its public API: numbers, codes, challenges, send limits, and the
//! HTTP gateway against a mock (wiremock). One test binary, a module per concern.

// Helpers outside `#[test]` functions set up fixtures; a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod challenge;
mod codes;
mod gateway;
mod limits;
mod numbers;
