//! The EF.SOD reader on arbitrary input: a document security object or an error with a code,
//! never a panic, and what it gives holds together.

#![no_main]

use idproof_passport::lds::{LdsSecurityObject, Sod};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Sod::parse(data) {
        Ok(sod) => {
            let hashes = &sod.security_object.data_group_hashes;
            assert!((2..=16).contains(&hashes.len()));
            assert!(hashes.iter().all(|hash| (1..=16).contains(&hash.number)));
            assert!(!sod.signer_infos.is_empty());
            for signer in &sod.signer_infos {
                if let Some(attributes) = &signer.signed_attributes {
                    assert_eq!(attributes.signed_bytes.first(), Some(&0x31));
                }
            }
        }
        Err(error) => assert!(!error.code().is_empty()),
    }

    // The encapsulated content alone, as a verifier that kept it would read it again.
    let _ = LdsSecurityObject::parse(data);
});
