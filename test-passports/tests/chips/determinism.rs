//! The same seed and day give the same PKI and chips byte for byte: keys come from the seeded
//! generator, and so do the RSASSA-PSS salts and ECDSA nonces, which OpenSSL would draw at
//! random. Another seed gives other keys.

use std::collections::BTreeMap;
use std::path::Path;

use idproof_test_passports::chip::write;

use crate::{SEED, corpus, day, scratch};

/// Every file under `directory` but the tests' `work/`, by relative path.
fn files(directory: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(directory).unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if relative != "work" {
                    pending.push(path);
                }
            } else {
                found.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn the_same_seed_gives_the_same_files_byte_for_byte_and_another_seed_other_keys() {
    let first = files(&corpus().0);
    let again = scratch("again");
    let other = scratch("other");

    write::write(SEED, day(), &again).unwrap();
    write::write(SEED + 1, day(), &other).unwrap();

    let again = files(&again);
    assert_eq!(first.keys().collect::<Vec<_>>(), again.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(again[name] == *bytes, "{name} differs between two runs of one seed");
    }
    let other = files(&other);
    for name in ["trust/csca/UTO.der", "trust/csca/XTB.der", "chips/valid-xta-rsa-pss/EF.SOD"] {
        assert_ne!(first[name], other[name], "{name}");
    }
}

#[test]
fn page_holder_draws_the_zone_each_valid_chip_carries_without_the_pki() {
    let chips = corpus().1["chips"].as_array().unwrap();
    for plan in idproof_test_passports::chip::CHIPS.iter().filter(|plan| plan.expected == "valid") {
        let holder = idproof_test_passports::chip::page_holder(SEED, plan, day());
        let entry = chips.iter().find(|chip| chip["name"] == plan.name).unwrap();
        let page_mrz: Vec<String> = serde_json::from_value(entry["page_mrz"].clone()).unwrap();
        assert_eq!(idproof_test_passports::zone::lines(&holder), page_mrz, "{}", plan.name);
    }
}
