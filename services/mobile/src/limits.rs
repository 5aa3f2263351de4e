//! The limits on codes (lifetime, guesses) and on sending them (cooldown, hourly cap), from
//! configuration, and the pure check of whether a number may be sent another code now.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The window of the hourly cap.
const HOUR: TimeDelta = TimeDelta::hours(1);

/// The limits on one-time codes. Every field has a default, so a configuration file may give
/// only the ones it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OtpLimits {
    /// How long a code is valid, in seconds (default 300: 5 minutes).
    pub code_ttl_secs: u64,
    /// Wrong attempts that lock a challenge (default 3).
    pub max_attempts: u8,
    /// The least time between two sends to a number, in seconds (default 60).
    pub resend_cooldown_secs: u64,
    /// The most sends to a number within any hour (default 5).
    pub sends_per_hour: u16,
}

impl Default for OtpLimits {
    fn default() -> Self {
        Self { code_ttl_secs: 300, max_attempts: 3, resend_cooldown_secs: 60, sends_per_hour: 5 }
    }
}

impl OtpLimits {
    /// How long a code is valid: the workflow's expiry timer.
    pub fn code_ttl(&self) -> Duration {
        Duration::from_secs(self.code_ttl_secs)
    }

    /// The least time between two sends to a number.
    pub fn resend_cooldown(&self) -> Duration {
        Duration::from_secs(self.resend_cooldown_secs)
    }

    /// Checks the limits at start-up: every one above zero, a code valid for at most a day.
    pub fn validate(&self) -> Result<(), InvalidLimits> {
        let valid = (1..=86_400).contains(&self.code_ttl_secs)
            && self.max_attempts > 0
            && self.resend_cooldown_secs <= 86_400
            && self.sends_per_hour > 0;
        if !valid {
            return Err(InvalidLimits);
        }

        Ok(())
    }

    pub(crate) fn code_ttl_delta(&self) -> TimeDelta {
        seconds(self.code_ttl_secs)
    }
}

fn seconds(secs: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000))
}

/// Limits that would lock every challenge or allow no send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the one-time code limits must give a lifetime of 1 s to 1 day, at least one attempt, a \
     cooldown of at most 1 day and at least one send an hour"
)]
pub struct InvalidLimits;

/// Why no code may be sent to a number now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendRefused {
    /// The last send was less than the cooldown ago.
    #[error("a code was sent to this number too recently (retry in {} s)", .retry_after.as_secs())]
    Cooldown {
        /// When a send will be allowed.
        retry_after: Duration,
    },
    /// The hourly cap is reached.
    #[error("too many codes were sent to this number this hour (retry in {} s)", .retry_after.as_secs())]
    HourlyLimit {
        /// When a send will be allowed.
        retry_after: Duration,
    },
}

impl SendRefused {
    /// The stable code: `mobile.resend_cooldown` or `mobile.hourly_limit`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Cooldown { .. } => "mobile.resend_cooldown",
            Self::HourlyLimit { .. } => "mobile.hourly_limit",
        }
    }

    /// How long until a send is allowed (rounded up to whole seconds).
    pub fn retry_after(&self) -> Duration {
        match self {
            Self::Cooldown { retry_after } | Self::HourlyLimit { retry_after } => *retry_after,
        }
    }
}

/// Whether a number may be sent a code, from the times of the codes already sent to it.
#[derive(Debug, Clone, Copy)]
pub struct SendPolicy {
    limits: OtpLimits,
}

impl SendPolicy {
    /// The policy for these limits.
    pub fn new(limits: OtpLimits) -> Self {
        Self { limits }
    }

    /// `Ok` when a code may be sent at `now`, given the earlier sends to the same number (any
    /// order; sends older than an hour may be left out). When both limits refuse, the one that
    /// waits longer is given.
    pub fn check(
        &self,
        previous_sends: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Result<(), SendRefused> {
        let cooldown = self.cooldown_wait(previous_sends, now);
        let hourly = self.hourly_wait(previous_sends, now);

        match (cooldown, hourly) {
            (None, None) => Ok(()),
            (Some(cooldown), Some(hourly)) if hourly >= cooldown => {
                Err(SendRefused::HourlyLimit { retry_after: hourly })
            }
            (Some(cooldown), _) => Err(SendRefused::Cooldown { retry_after: cooldown }),
            (None, Some(hourly)) => Err(SendRefused::HourlyLimit { retry_after: hourly }),
        }
    }

    fn cooldown_wait(&self, sends: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
        let last = sends.iter().max()?;
        let allowed_at = *last + seconds(self.limits.resend_cooldown_secs);
        wait_until(allowed_at, now)
    }

    /// Sends in the hour before `now` (`now - 1 h` excluded); when they reach the cap, the next
    /// send is allowed an hour after the oldest of the last `cap` sends.
    fn hourly_wait(&self, sends: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
        let cap = usize::from(self.limits.sends_per_hour);
        let mut recent: Vec<_> = sends.iter().copied().filter(|sent| *sent > now - HOUR).collect();
        if recent.len() < cap {
            return None;
        }

        recent.sort_unstable_by(|a, b| b.cmp(a));
        let Some(oldest_counted) = cap.checked_sub(1).and_then(|i| recent.get(i)) else {
            // A cap of 0 allows no send: wait for the newest to leave the hour.
            return recent.first().and_then(|newest| wait_until(*newest + HOUR, now));
        };
        wait_until(*oldest_counted + HOUR, now)
    }
}

/// The wait from `now` until `at`, rounded up to whole seconds; `None` when `at` has come.
fn wait_until(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    let wait = (at - now).to_std().ok().filter(|wait| !wait.is_zero())?;
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Some(Duration::from_secs(secs))
}
