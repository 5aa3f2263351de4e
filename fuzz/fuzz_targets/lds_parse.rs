//! The LDS readers on arbitrary input: any bytes, read as whichever file their first tag names
//! (EF.COM, a data group, EF.CardAccess) and as each data group in turn, must give a file or an
//! error with a code, never a panic. DG1's zone goes on to the MRZ parser.

#![no_main]

use idproof_passport::lds::{Com, Dg1, Dg2, Dg11, Dg12, Dg15, LdsError, LdsFile, SecurityInfos};
use libfuzzer_sys::fuzz_target;

fn check<T>(result: Result<T, LdsError>) -> Option<T> {
    match result {
        Ok(file) => Some(file),
        Err(error) => {
            assert!(!error.code().is_empty() && !error.to_string().is_empty());
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(LdsFile::parse(data));
    check(Com::parse(data));
    check(Dg2::parse(data));
    check(Dg11::parse(data));
    check(Dg12::parse(data));
    check(Dg15::parse(data));
    check(SecurityInfos::parse_dg14(data));
    check(SecurityInfos::parse_card_access(data));

    if let Some(dg1) = check(Dg1::parse(data)) {
        let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 12, 3) else {
            return;
        };
        let _ = dg1.mrz(today);
    }
});
