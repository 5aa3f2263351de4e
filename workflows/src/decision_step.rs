//! The decision step: the facts the steps established, put to the policy in force, and the
//! answer turned into the decision step's verdict and the application's status.

use chrono::{DateTime, NaiveDate, Utc};
use idproof_immigration::{Match, StayStatus as RegistryStatus};
use idproof_passport::mrz::Mrz;
use idproof_policy::{Check, Decision, Facts, MrzFacts, StayAnswer, StayRecord, StayStatus};
use idproof_proofing::{ApplicationStatus, Step, StepOutcome, Verdict};
use idproof_store::{ApplicationRecord, DecisionRecord, StepRecord};
use serde_json::json;

use crate::immigration_step::{SealedStay, names_match};

/// What the steps found, as the decision needs it.
pub(crate) struct Findings<'a> {
    /// The application.
    pub(crate) application: &'a ApplicationRecord,
    /// Its steps' verdicts, oldest first.
    pub(crate) steps: &'a [StepRecord],
    /// The MRZ the data page gave, if it was read.
    pub(crate) page: Option<&'a Mrz>,
    /// The registry's record, when the immigration step found one.
    pub(crate) stay: Option<&'a SealedStay>,
}

impl Findings<'_> {
    /// The latest verdict of `step`.
    fn latest(&self, step: Step) -> Option<&StepRecord> {
        self.steps.iter().rev().find(|record| record.step == step)
    }

    fn check(&self, step: Step) -> Check {
        match self.latest(step) {
            None => Check::Absent,
            Some(record) => match record.verdict {
                Verdict::Passed => Check::Passed,
                Verdict::Flagged => Check::Flagged { reason: record.reason.clone() },
                Verdict::Failed => Check::Failed { reason: record.reason.clone() },
            },
        }
    }

    fn passed(&self, step: Step) -> bool {
        self.latest(step).is_some_and(|record| record.verdict == Verdict::Passed)
    }

    /// The facts for the policy.
    pub(crate) fn facts(&self) -> Facts {
        let mrz = self.page.and_then(|page| {
            let document_expiry = page.expiry_date?;
            Some(MrzFacts { valid: self.passed(Step::Mrz), document_expiry })
        });

        Facts {
            purpose: self.application.purpose,
            requested_tier: self.application.tier,
            channel: self.application.channel,
            mrz,
            chip: self.check(Step::Chip),
            face: self.check(Step::Face),
            mobile_bound: self.passed(Step::Mobile),
            officer_confirmed: self.passed(Step::Review),
            stay: self.stay_answer(),
        }
    }

    /// The registry's answer: the record when one was found, no record when the registry said
    /// so, and unavailable when it could not be asked or did not answer.
    fn stay_answer(&self) -> StayAnswer {
        if let (Some(sealed), Some(page)) = (self.stay, self.page) {
            return StayAnswer::Record(stay_record(sealed, page));
        }
        match self.latest(Step::Immigration) {
            Some(record) if record.reason == "record_not_found" => StayAnswer::NotFound,
            _ => StayAnswer::Unavailable,
        }
    }

    /// Whether any step's latest verdict waits for an officer.
    fn any_flagged(&self) -> Option<&str> {
        let mut latest: Vec<&StepRecord> = Vec::new();
        for record in self.steps.iter().rev().filter(|record| record.step != Step::Decision) {
            if !latest.iter().any(|seen| seen.step == record.step) {
                latest.push(record);
            }
        }
        latest
            .into_iter()
            .rev()
            .find(|record| record.verdict == Verdict::Flagged)
            .map(|record| record.reason.as_str())
    }
}

/// The registry's record as the policy reads it. A record with no permitted-stay end gives no
/// lawful stay: the policy cannot cap a validity by a date nobody knows.
fn stay_record(sealed: &SealedStay, page: &Mrz) -> StayRecord {
    let record = &sealed.record;
    let status = match record.status {
        RegistryStatus::InCountry => StayStatus::InCountry,
        RegistryStatus::Departed => StayStatus::Departed,
        RegistryStatus::Overstayed => StayStatus::Overstayed,
        RegistryStatus::Barred => StayStatus::Barred,
    };
    StayRecord {
        visa_category: record.visa_category.code().to_owned(),
        status,
        permitted_stay_end: record.permitted_stay_end.unwrap_or(NaiveDate::MIN),
        last_entry: record.last_entry,
        name_matches: names_match(page, record),
        birth_date_matches: sealed.matching == Match::Matched,
    }
}

/// The decision step's verdict and the application's next status.
///
/// Completed when the tier asked for is reached with nothing flagged; in review when the policy
/// or a step flagged something, or a lower tier was reached (an officer may confirm or refuse
/// it); rejected when no tier is reached and nothing is left for an officer to settle.
pub(crate) fn verdict_of(
    decision: &Decision,
    findings: &Findings<'_>,
) -> (StepOutcome, ApplicationStatus) {
    let requested = findings.application.tier;
    let flag = decision.flags.first().map(|flag| flag.code.as_str());
    let flagged_step = findings.any_flagged();

    let (verdict, reason, status) = match (decision.tier, flag.or(flagged_step)) {
        (Some(tier), None) if tier >= requested => {
            (Verdict::Passed, format!("tier_{tier}"), ApplicationStatus::Completed)
        }
        (None, None) => {
            (Verdict::Failed, "no_tier_reached".to_owned(), ApplicationStatus::Rejected)
        }
        (Some(_), None) => {
            (Verdict::Flagged, "tier_below_requested".to_owned(), ApplicationStatus::InReview)
        }
        (_, Some(code)) => (Verdict::Flagged, code.to_owned(), ApplicationStatus::InReview),
    };
    (StepOutcome::new(Step::Decision, verdict, reason), status)
}

/// The decision as the store keeps it: flags and rules as JSON.
pub(crate) fn record_of(decision: &Decision, attempt: i32, at: DateTime<Utc>) -> DecisionRecord {
    let flags: Vec<_> = decision
        .flags
        .iter()
        .map(|flag| json!({ "code": flag.code.as_str(), "reason": flag.reason }))
        .collect();
    DecisionRecord {
        attempt,
        policy_version: decision
            .policy_version
            .map_or_else(|| "none".to_owned(), |day| day.to_string()),
        user_group: decision.group.clone(),
        tier: decision.tier,
        valid_until: decision.valid_until,
        flags: json!(flags),
        explanation: json!({ "decided_on": decision.decided_on, "rules": decision.rules }),
        decided_at: at,
    }
}

#[cfg(test)]
mod tests;
