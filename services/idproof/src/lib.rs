//! The idproof service as a library: configuration and the wiring of the API, the Temporal
//! worker and the store. `main.rs` is only the command line over it; the integration tests use
//! it to run the service in process.

pub mod chip_cli;
pub mod config;
pub mod dev;
pub mod explain_cli;
pub mod passport_cli;
pub mod policy_cli;
pub mod sandbox_cli;
pub mod stay_poll;
pub mod steps_config;
pub mod telemetry;
pub mod trust_cli;
pub mod wiring;
