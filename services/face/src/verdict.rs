//! The decision on a face step, from the liveness result and the comparison: pure, with the
//! score and the threshold it was held to always recorded.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{Comparison, FaceError, LivenessResult};

/// The code of a comparison score under the threshold.
pub const LOW_SCORE: &str = "face.low_score";

/// The thresholds and time bounds of the face step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacePolicy {
    /// The lowest comparison score that passes. Default 0.8, for our provider contract's
    /// 0..=1 score; tune it per provider and model from its published error rates.
    pub match_threshold: f32,
    /// The lowest liveness score believed, on top of the vendor's `passed`. Default 0.5.
    pub liveness_min_score: f32,
    /// The oldest liveness result accepted. Default 10 minutes.
    pub liveness_max_age: Duration,
    /// How far in the future a liveness time may be, for the phone's clock. Default 2 minutes.
    pub clock_skew: Duration,
}

impl Default for FacePolicy {
    fn default() -> Self {
        Self {
            match_threshold: 0.8,
            liveness_min_score: 0.5,
            liveness_max_age: Duration::minutes(10),
            clock_skew: Duration::minutes(2),
        }
    }
}

/// The decision on a face step. Every outcome records the comparison's score and the
/// threshold it was held to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FaceVerdict {
    /// Live, and the score reaches the threshold.
    Passed {
        /// The comparison score.
        score: f32,
        /// The threshold.
        threshold: f32,
    },
    /// An officer must look: `face.low_score` (under the threshold) or `face.liveness_failed`
    /// (the app saw no live person, a possible presentation attack).
    Flagged {
        /// Why.
        code: String,
        /// The comparison score.
        score: f32,
        /// The threshold.
        threshold: f32,
    },
    /// The capture must be taken again: `face.liveness_stale` or `face.liveness_invalid`.
    /// Nothing for an officer to judge.
    Failed {
        /// Why.
        code: String,
        /// The comparison score.
        score: f32,
        /// The threshold.
        threshold: f32,
    },
}

impl FaceVerdict {
    /// The comparison score.
    pub fn score(&self) -> f32 {
        match self {
            Self::Passed { score, .. }
            | Self::Flagged { score, .. }
            | Self::Failed { score, .. } => *score,
        }
    }

    /// The threshold the score was held to.
    pub fn threshold(&self) -> f32 {
        match self {
            Self::Passed { threshold, .. }
            | Self::Flagged { threshold, .. }
            | Self::Failed { threshold, .. } => *threshold,
        }
    }

    /// The code of a flag or a failure; `None` when passed.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Passed { .. } => None,
            Self::Flagged { code, .. } | Self::Failed { code, .. } => Some(code),
        }
    }
}

impl FacePolicy {
    /// Decides on a face step at `now` (the time the selfie was received):
    ///
    /// | liveness ([`LivenessResult::check`]) | score | verdict |
    /// |---|---|---|
    /// | invalid or stale | any | `Failed` with its code |
    /// | failed | any | `Flagged` `face.liveness_failed` |
    /// | good | under the threshold, or not a number | `Flagged` `face.low_score` |
    /// | good | at or over the threshold | `Passed` |
    ///
    /// A low score never fails and never passes: it goes to an officer.
    pub fn decide(
        &self,
        liveness: &LivenessResult,
        comparison: &Comparison,
        now: DateTime<Utc>,
    ) -> FaceVerdict {
        let score = comparison.score;
        let threshold = self.match_threshold;

        match liveness.check(self, now) {
            Err(error @ FaceError::LivenessFailed) => {
                FaceVerdict::Flagged { code: error.code().to_owned(), score, threshold }
            }
            Err(error) => FaceVerdict::Failed { code: error.code().to_owned(), score, threshold },
            Ok(()) if score >= threshold => FaceVerdict::Passed { score, threshold },
            Ok(()) => FaceVerdict::Flagged { code: LOW_SCORE.to_owned(), score, threshold },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::tests::{live, now};

    fn comparison(score: f32) -> Comparison {
        Comparison { score, provider: "test".to_owned(), model_version: None }
    }

    fn decide(liveness: &LivenessResult, score: f32) -> FaceVerdict {
        FacePolicy::default().decide(liveness, &comparison(score), now())
    }

    #[test]
    fn the_threshold_passes_at_and_above_and_flags_below() {
        let flagged =
            |score| FaceVerdict::Flagged { code: LOW_SCORE.to_owned(), score, threshold: 0.8 };

        assert_eq!(decide(&live(5), 0.799_99), flagged(0.799_99));
        assert_eq!(decide(&live(5), 0.8), FaceVerdict::Passed { score: 0.8, threshold: 0.8 });
        assert_eq!(
            decide(&live(5), 0.800_01),
            FaceVerdict::Passed { score: 0.800_01, threshold: 0.8 }
        );
        assert_eq!(decide(&live(5), 0.0), flagged(0.0));
        assert_eq!(decide(&live(5), 1.0).code(), None);
        assert_eq!(decide(&live(5), f32::NAN).code(), Some(LOW_SCORE));
    }

    #[test]
    fn liveness_faults_flag_or_fail_but_keep_the_score_and_threshold() {
        let failed = LivenessResult { passed: false, ..live(5) };
        let stale = live(3600);
        let future = live(-3600);

        let verdict = decide(&failed, 0.99);
        assert!(matches!(verdict, FaceVerdict::Flagged { .. }));
        assert_eq!(verdict.code(), Some("face.liveness_failed"));
        assert_eq!((verdict.score(), verdict.threshold()), (0.99, 0.8));

        let verdict = decide(&stale, 0.99);
        assert!(matches!(verdict, FaceVerdict::Failed { .. }));
        assert_eq!(verdict.code(), Some("face.liveness_stale"));
        assert_eq!(verdict.score(), 0.99);

        assert_eq!(decide(&future, 0.2).code(), Some("face.liveness_invalid"));
    }

    #[test]
    fn the_threshold_is_configurable_and_recorded() {
        let policy = FacePolicy { match_threshold: 0.6, ..FacePolicy::default() };
        let verdict = policy.decide(&live(5), &comparison(0.65), now());

        assert_eq!(verdict, FaceVerdict::Passed { score: 0.65, threshold: 0.6 });
        let json = serde_json::to_value(&verdict).unwrap();
        assert_eq!(json["outcome"], "passed");
        assert_eq!(json["threshold"].as_f64().map(|t| (t * 100.0).round()), Some(60.0));
    }
}
