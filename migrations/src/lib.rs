//! The database schema, one migration per change, applied in order by `idproof migrate` and at
//! start-up. Each has a `down` that undoes it.

pub use sea_orm_migration::prelude::*;

mod m20261203_000001_create_api_client;
mod m20261203_000002_create_application;
mod m20261203_000003_create_evidence;
mod m20261203_000004_create_step_result;
mod m20261203_000005_create_audit_event;
mod m20261203_000006_create_trust_store;
mod m20261203_000010_create_chip_challenge;
mod m20261204_000011_create_decision;
mod m20261204_000012_create_stay_change_tracking;
mod m20261204_000013_create_mobile_binding;
mod m20261204_000014_create_otp_challenge;
mod m20261205_000015_create_sim_registration;
mod m20261206_000016_create_identity_link;

/// Every migration of the schema, in the order they apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261203_000001_create_api_client::Migration),
            Box::new(m20261203_000002_create_application::Migration),
            Box::new(m20261203_000003_create_evidence::Migration),
            Box::new(m20261203_000004_create_step_result::Migration),
            Box::new(m20261203_000005_create_audit_event::Migration),
            Box::new(m20261203_000006_create_trust_store::Migration),
            Box::new(m20261203_000010_create_chip_challenge::Migration),
            Box::new(m20261204_000011_create_decision::Migration),
            Box::new(m20261204_000012_create_stay_change_tracking::Migration),
            Box::new(m20261204_000013_create_mobile_binding::Migration),
            Box::new(m20261204_000014_create_otp_challenge::Migration),
            Box::new(m20261205_000015_create_sim_registration::Migration),
            Box::new(m20261206_000016_create_identity_link::Migration),
        ]
    }
}
