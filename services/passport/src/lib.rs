//! Passports and other machine readable travel documents (ICAO Doc 9303). This crate knows no
//! HTTP, database or Temporal: it reads and judges, and says why.

#![warn(missing_docs)]

pub mod chip;
pub mod lds;
pub mod mrz;
pub mod ocr;
