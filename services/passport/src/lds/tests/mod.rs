//! Tests of the LDS readers, on files built with a small DER writer and on the worked examples
//! of Doc 9303 Part 10, Appendix A.

mod files;
mod hostile;
mod sod;
mod writer;
