//! A sandbox immigration registry for `idproof dev`, demos and tests: the stay-record contract
//! served from a database seeded with the test passports' people, with admin endpoints that
//! change a stay.
