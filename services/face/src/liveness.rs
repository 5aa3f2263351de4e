//! The capture app's liveness result, as it reports it, and the checks it must pass before it
//! is believed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{FaceError, FacePolicy};

/// The longest vendor name kept.
const MAX_VENDOR_LEN: usize = 64;

/// What the capture app's liveness (presentation attack detection) check reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivenessResult {
    /// The liveness vendor or SDK, e.g. `acme-pad/3.2`.
    pub vendor: String,
    /// Whether the vendor's check passed.
    pub passed: bool,
    /// The vendor's score, 0 to 1.
    pub score: f32,
    /// When the check ran.
    pub checked_at: DateTime<Utc>,
}

impl LivenessResult {
    /// Checks the result against `policy` at `now`, most serious fault first:
    ///
    /// - `face.liveness_invalid`: a score that is not a number in 0..=1, a vendor name that is
    ///   empty, over 64 characters or not printable ASCII, or a `checked_at` later than `now` by
    ///   more than [`FacePolicy::clock_skew`];
    /// - `face.liveness_stale`: `checked_at` earlier than `now` by more than
    ///   [`FacePolicy::liveness_max_age`];
    /// - `face.liveness_failed`: not passed, or a score under
    ///   [`FacePolicy::liveness_min_score`].
    pub fn check(&self, policy: &FacePolicy, now: DateTime<Utc>) -> Result<(), FaceError> {
        if !(0.0..=1.0).contains(&self.score) {
            return Err(FaceError::LivenessInvalid { reason: "a score outside 0..=1" });
        }

        let usable_vendor = (1..=MAX_VENDOR_LEN).contains(&self.vendor.len())
            && self.vendor.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if !usable_vendor {
            return Err(FaceError::LivenessInvalid { reason: "an unusable vendor name" });
        }

        let age = now.signed_duration_since(self.checked_at);
        if -age > policy.clock_skew {
            return Err(FaceError::LivenessInvalid { reason: "a check time in the future" });
        }

        if age > policy.liveness_max_age {
            return Err(FaceError::LivenessStale {
                age_seconds: age.num_seconds(),
                max_seconds: policy.liveness_max_age.num_seconds(),
            });
        }

        if !self.passed || self.score < policy.liveness_min_score {
            return Err(FaceError::LivenessFailed);
        }

        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    pub(crate) fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 20, 10, 0, 0).unwrap()
    }

    pub(crate) fn live(seconds_ago: i64) -> LivenessResult {
        LivenessResult {
            vendor: "acme-pad/3.2".to_owned(),
            passed: true,
            score: 0.97,
            checked_at: now() - Duration::seconds(seconds_ago),
        }
    }

    fn code(liveness: &LivenessResult) -> Option<&'static str> {
        liveness.check(&FacePolicy::default(), now()).err().map(|error| error.code())
    }

    #[test]
    fn liveness_edge_cases() {
        let policy = FacePolicy::default();
        let max_age = policy.liveness_max_age.num_seconds();
        let skew = policy.clock_skew.num_seconds();

        assert_eq!(code(&live(30)), None);
        assert_eq!(code(&live(max_age)), None);
        assert_eq!(code(&live(max_age + 1)), Some("face.liveness_stale"));
        assert_eq!(code(&live(-skew)), None);
        assert_eq!(code(&live(-skew - 1)), Some("face.liveness_invalid"));
        assert_eq!(
            code(&LivenessResult { passed: false, ..live(5) }),
            Some("face.liveness_failed")
        );
        assert_eq!(code(&LivenessResult { score: 0.49, ..live(5) }), Some("face.liveness_failed"));
        assert_eq!(code(&LivenessResult { score: 0.5, ..live(5) }), None);
        for score in [-0.01, 1.01, f32::NAN, f32::INFINITY] {
            assert_eq!(code(&LivenessResult { score, ..live(5) }), Some("face.liveness_invalid"));
        }
        for vendor in ["", "a\nb", &"x".repeat(65)] {
            let liveness = LivenessResult { vendor: vendor.to_owned(), ..live(5) };
            assert_eq!(code(&liveness), Some("face.liveness_invalid"));
        }
        // An invalid score is reported before staleness, staleness before failure.
        let stale_and_failed = LivenessResult { passed: false, ..live(max_age + 60) };
        assert_eq!(code(&stale_and_failed), Some("face.liveness_stale"));
    }

    #[test]
    fn a_stale_result_says_its_age_but_nothing_else() {
        let error = live(3600).check(&FacePolicy::default(), now()).unwrap_err();
        assert_eq!(error.to_string(), "the liveness result is 3600 s old, over the 600 s allowed");
        assert!(!error.is_transient());
    }
}
