//! The CSCA master list reader on arbitrary input: a list or an error with a code, never a
//! panic, and what it gives holds together. A trust file of any kind is told apart the same way.

#![no_main]

use idproof_passport::chip::{MAX_LISTED_CSCAS, MasterList, read_trust_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match MasterList::parse(data) {
        Ok(list) => {
            assert!(list.cscas.len() <= MAX_LISTED_CSCAS);
            assert!(list.cscas.iter().all(|csca| csca.len() <= data.len()));
        }
        Err(error) => assert!(error.code().starts_with("master_list.")),
    }

    if let Err(error) = read_trust_file(data) {
        assert!(!error.code().is_empty());
    }
});
