//! The verdict on a chip: every check with its outcome, and one overall code.

use serde::Serialize;

/// One check of the chip, as an officer reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, stable: `sod.signature`, `csca.chain`, `dg.hash:2`.
    pub name: String,
    /// How it came out.
    pub outcome: Outcome,
    /// A short sentence saying why; it quotes no personal data.
    pub reason: String,
}

/// How a check came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "code")]
pub enum Outcome {
    /// The check holds.
    Passed,
    /// The check fails, with a stable code (`sod.signature`, `dg.hash_mismatch:2`).
    Failed(String),
    /// The check could not apply: a data group not read, no MRZ to compare with.
    NotApplicable,
}

impl Check {
    pub(crate) fn passed(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check { name: name.into(), outcome: Outcome::Passed, reason: reason.into() }
    }

    pub(crate) fn failed(
        name: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Check {
        Check { name: name.into(), outcome: Outcome::Failed(code.into()), reason: reason.into() }
    }

    pub(crate) fn not_applicable(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check { name: name.into(), outcome: Outcome::NotApplicable, reason: reason.into() }
    }

    /// The failure code, when the check failed.
    pub fn failure(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Failed(code) => Some(code),
            Outcome::Passed | Outcome::NotApplicable => None,
        }
    }
}

/// The checks of one chip, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Each check.
    pub checks: Vec<Check>,
    /// The Chip Authentication protocols DG14 offers, for a reader that runs the protocol on
    /// its next contact with the chip. Empty when DG14 was not read or offers none.
    pub chip_authentication: Vec<ChipAuthenticationOffer>,
}

/// One Chip Authentication protocol of DG14: its ChipAuthenticationInfo, with the public key
/// info that serves it. Whether DG14 itself is the signed one is the `dg.hash:14` check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChipAuthenticationOffer {
    /// The protocol's object identifier, dotted (`0.4.0.127.0.7.2.2.3.2.4` is ECDH with
    /// AES-256 secure messaging).
    pub protocol: String,
    /// The protocol's version.
    pub version: u64,
    /// Which of the chip's keys it uses, when the chip has several.
    pub key_id: Option<u64>,
    /// Whether DG14 carries a public key for it (one with the same key id, or the only one).
    pub has_public_key: bool,
}

impl Verdict {
    /// `valid` when no check failed; otherwise the code of the failure that ranks first.
    ///
    /// Failures rank by what they prove, the most fundamental first, since a later check rests
    /// on the earlier ones:
    /// 1. the SOD is not what its signer signed (`sod.*`, `signer.missing`,
    ///    `signer.certificate`);
    /// 2. the signer is not chained to a trusted CSCA (`csca.unknown`);
    /// 3. the signer is revoked (`signer.revoked`), then outside its validity
    ///    (`signer.expired`, `signer.not_yet_valid`);
    /// 4. a data group is not the one signed (`dg.hash_mismatch:N`, `dg.unlisted:N`);
    /// 5. DG1 is not the page's MRZ (`dg1.unreadable`, `dg1.mrz_mismatch`);
    /// 6. the chip is not the one that holds DG15's key (`aa.*`);
    /// 7. last, what could not be established rather than what was proven wrong: the CRL
    ///    (`crl.signature`, `crl.stale`, `crl.missing`).
    ///
    /// Within a rank, the check made first wins.
    pub fn code(&self) -> &str {
        self.checks
            .iter()
            .filter_map(Check::failure)
            .enumerate()
            .min_by_key(|(order, code)| (rank(code), *order))
            .map_or("valid", |(_, code)| code)
    }

    /// Whether every check passed or did not apply.
    pub fn is_valid(&self) -> bool {
        self.checks.iter().all(|check| check.failure().is_none())
    }

    /// The check named `name`.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|check| check.name == name)
    }

    pub(crate) fn push(&mut self, check: Check) {
        self.checks.push(check);
    }
}

/// The rank of a failure code, 1 first; see [`Verdict::code`].
fn rank(code: &str) -> u8 {
    let family = code.split(':').next().unwrap_or(code);
    match family {
        "csca.unknown" => 2,
        "signer.revoked" => 3,
        "signer.expired" | "signer.not_yet_valid" | "signer.validity" => 4,
        "dg.hash_mismatch" | "dg.unlisted" | "dg.hash" => 5,
        "dg1.unreadable" | "dg1.mrz_mismatch" => 6,
        _ if family.starts_with("aa.") => 7,
        _ if family.starts_with("crl.") => 8,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_that_ranks_first_is_the_verdict() {
        let mut verdict = Verdict::default();
        verdict.push(Check::passed("sod.signature", "holds"));
        assert_eq!(verdict.code(), "valid");

        verdict.push(Check::failed("crl", "crl.stale", "past its next update"));
        verdict.push(Check::failed("dg.hash:2", "dg.hash_mismatch:2", "differs"));
        verdict.push(Check::failed("dg.hash:1", "dg.hash_mismatch:1", "differs"));
        assert_eq!(verdict.code(), "dg.hash_mismatch:2");

        verdict.push(Check::failed("csca.chain", "csca.unknown", "no CSCA"));
        assert_eq!(verdict.code(), "csca.unknown");
        assert!(!verdict.is_valid());
    }
}
