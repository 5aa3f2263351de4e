//! Synthetic travel documents for testing and measuring MRZ reading: a seeded generator of data
//! pages in all five Doc 9303 layouts, drawn with the MRZ in OCR-B, each as a clean scan and as
//! a photo with one fault, and a manifest holding the ground truth.
//!
//! The same seed and day give the same images byte for byte, so a small corpus is committed for
//! tests and the large one is drawn when the benchmark runs.
//!
//! It also draws a test PKI ([`pki`]: CSCAs of made-up states, document signers, CRLs, a master
//! list) and the chips of made-up passports signed under it ([`chip`]), each with the verdict a
//! verifier should give; [`chip::write`] puts them in a directory with their manifest.

pub mod chip;
pub mod corpus;
pub mod degrade;
pub mod der;
pub mod document;
pub mod hostile;
pub mod page;
pub mod pki;
pub mod truth;
pub mod zone;

pub use corpus::{Entry, Plan, Set, read_manifest};
pub use document::{Document, Layout};
pub use page::Faces;
pub use truth::Truth;
