//! The MRZ parser on arbitrary input: any bytes, split into lines, must give a report or an
//! error, never a panic.

#![no_main]

use idproof_passport::mrz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 12, 3) else {
        return;
    };

    if let Ok(report) = mrz::parse(&lines, today) {
        // A valid report names no problem, and an invalid one names at least one.
        assert_eq!(report.is_valid(), report.problems.is_empty());
    }
});
