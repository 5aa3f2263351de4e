//! The tables, as sea-orm entities. The schema itself is owned by the migrations crate.

pub mod api_client;
pub mod application;
pub mod audit_event;
pub mod binding_count;
pub mod chip_challenge;
pub mod csca_certificate;
pub mod csca_crl;
pub mod decision;
pub mod evidence;
pub mod identity_link;
pub mod mobile_binding;
pub mod otp_challenge;
pub mod person_index;
pub mod sim_registration;
pub mod stay_change;
pub mod stay_feed;
pub mod step_result;
