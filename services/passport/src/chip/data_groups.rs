//! The data groups against the SOD's hashes, and DG1 against the MRZ read from the page.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::algorithms::Hash;
use super::verdict::{Check, Verdict};
use crate::lds::{Dg1, LdsSecurityObject};
use crate::mrz::Mrz;

/// One check per data group read or listed: read and listed ones hashed and compared, read
/// ones the SOD does not list failed, listed ones not read not applicable.
pub(crate) fn hashes(
    verdict: &mut Verdict,
    object: &LdsSecurityObject,
    data_groups: &BTreeMap<u8, &[u8]>,
) {
    let Some(hash) = Hash::from_oid(&object.hash_algorithm.oid) else {
        let reason = format!("hash algorithm {} not supported", object.hash_algorithm.oid);
        verdict.push(Check::failed("dg.hash_algorithm", "sod.hash_algorithm", reason));
        return;
    };

    let listed = object.data_group_hashes.iter().map(|listed| listed.number);
    let numbers: BTreeSet<u8> = listed.chain(data_groups.keys().copied()).collect();
    for number in numbers {
        let name = format!("dg.hash:{number}");
        let check = match (data_groups.get(&number), object.hash_of(number)) {
            (Some(bytes), Some(expected)) => match hash.digest(bytes) {
                Some(digest) if digest == expected => {
                    Check::passed(name, format!("its {} is the one signed", hash.name()))
                }
                _ => Check::failed(
                    name,
                    format!("dg.hash_mismatch:{number}"),
                    format!("its {} differs from the one signed", hash.name()),
                ),
            },
            (Some(_), None) => Check::failed(
                name,
                format!("dg.unlisted:{number}"),
                "read from the chip, but the SOD lists no hash for it",
            ),
            (None, _) => Check::not_applicable(name, "listed in the SOD, not read"),
        };
        verdict.push(check);
    }
}

/// DG1 compared field by field with the MRZ read from the data page.
pub(crate) fn dg1_against_page(dg1: Option<&[u8]>, page: Option<&Mrz>, at: DateTime<Utc>) -> Check {
    const NAME: &str = "dg1.mrz";
    let (Some(dg1), Some(page)) = (dg1, page) else {
        let reason = if dg1.is_none() { "DG1 not read" } else { "no MRZ read from the page" };
        return Check::not_applicable(NAME, reason);
    };

    let chip = match Dg1::parse(dg1) {
        Ok(dg1) => dg1.mrz(at.date_naive()).map_err(|err| err.to_string()),
        Err(err) => Err(err.to_string()),
    };
    let chip = match chip {
        Ok(report) => report.mrz,
        Err(reason) => return Check::failed(NAME, "dg1.unreadable", reason),
    };

    let differing = differing_fields(&chip, page);
    if differing.is_empty() {
        Check::passed(NAME, "DG1 holds the page's MRZ, field by field")
    } else {
        let fields = differing.join(", ");
        Check::failed(NAME, "dg1.mrz_mismatch", format!("DG1 differs from the page in: {fields}"))
    }
}

/// The fields in which two zones differ, named as [`crate::mrz::Field`] serialises them.
fn differing_fields(chip: &Mrz, page: &Mrz) -> Vec<&'static str> {
    let pairs = [
        ("format", chip.format == page.format),
        ("document_code", chip.document_code == page.document_code),
        ("issuing_state", chip.issuing_state == page.issuing_state),
        (
            "name",
            chip.primary_identifier == page.primary_identifier
                && chip.secondary_identifier == page.secondary_identifier,
        ),
        ("document_number", chip.document_number == page.document_number),
        ("nationality", chip.nationality == page.nationality),
        ("birth_date", chip.birth_date == page.birth_date),
        ("sex", chip.sex == page.sex),
        ("expiry_date", chip.expiry_date == page.expiry_date),
        (
            "optional_data",
            chip.optional_data == page.optional_data
                && chip.optional_data_2 == page.optional_data_2,
        ),
    ];
    pairs.into_iter().filter(|(_, same)| !same).map(|(field, _)| field).collect()
}
