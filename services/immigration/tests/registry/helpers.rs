//! A person to look up, the registry's record of them, and a client with short timeouts.

use std::{error::Error, time::Duration};

use chrono::NaiveDate;
use idproof_immigration::{
    DocumentNumber, LookupRequest, Nationality, RegistryClient, RegistryConfig, RegistryError,
};
use serde_json::{Value, json};

/// What identifies the person: none of it may appear in an error or its chain.
pub(crate) const PERSONAL: [&str; 4] = ["C01X00T47", "1964-08-12", "MUSTERMANN", "ERIKA"];

pub(crate) const LOOKUP_PATH: &str = "/v1/stay-records/lookup";

pub(crate) fn lookup_request() -> LookupRequest {
    LookupRequest {
        nationality: Nationality::parse("D").unwrap(),
        document_number: DocumentNumber::parse("C01X00T47").unwrap(),
        date_of_birth: NaiveDate::from_ymd_opt(1964, 8, 12).unwrap(),
    }
}

/// The request's JSON, exactly as the contract writes it.
pub(crate) fn lookup_json() -> Value {
    json!({"nationality": "D", "document_number": "C01X00T47", "date_of_birth": "1964-08-12"})
}

pub(crate) fn record_json() -> Value {
    json!({
        "record_id": "IMM-000042",
        "surname": "MUSTERMANN",
        "given_names": "ERIKA",
        "date_of_birth": "1964-08-12",
        "nationality": "D",
        "document_number": "C01X00T47",
        "visa_category": "ltr_hsp",
        "last_entry": "2026-01-15",
        "permitted_stay_end": "2031-01-14",
        "status": "in_country",
        "references": {
            "work_permit": "WP-2026-001234",
            "boi_approval": null,
            "ltr_approval": "LTR-2025-000987",
            "smart_approval": null
        },
        "updated_at": "2026-01-15T09:30:00+07:00"
    })
}

pub(crate) fn answer_json(matching: &str) -> Value {
    json!({"match": matching, "record": record_json()})
}

/// A configuration for `base_url` with timeouts short enough for a slow-answer test.
pub(crate) fn config(base_url: &str) -> RegistryConfig {
    RegistryConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(500),
        ..RegistryConfig::new(base_url)
    }
}

pub(crate) fn client(base_url: &str) -> RegistryClient {
    RegistryClient::new(config(base_url)).unwrap()
}

/// Checks that the error's message, its `Debug` and every source in its chain leave out the
/// person, then returns its code for the caller to assert on.
pub(crate) fn checked(error: &RegistryError) -> &'static str {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }

    for text in &texts {
        for value in PERSONAL {
            assert!(!text.contains(value), "{value} leaks in {text}");
        }
    }

    error.code()
}
