//! Faults injected into the next lookups, so a client's retries can be shown against the
//! sandbox: an internal error, a 429 with Retry-After, or a slow answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the next lookups do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// Answer 500.
    Error,
    /// Answer 429 with `Retry-After` in whole seconds.
    RateLimited {
        /// The Retry-After header's seconds.
        retry_after_secs: u64,
    },
    /// Wait, then answer as usual.
    Slow {
        /// How long to wait.
        delay_ms: u64,
    },
}

/// A fault and how many more lookups it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Armed {
    /// The fault.
    #[serde(flatten)]
    pub fault: Fault,
    /// How many more lookups it hits.
    pub remaining: u32,
}

/// The armed fault, shared by the handlers.
#[derive(Clone, Debug, Default)]
pub struct Faults(Arc<Mutex<Option<Armed>>>);

impl Faults {
    /// Arms `fault` for the next `count` lookups, replacing any armed before.
    pub fn arm(&self, fault: Fault, count: u32) {
        *self.lock() = (count > 0).then_some(Armed { fault, remaining: count });
    }

    /// Disarms.
    pub fn clear(&self) {
        *self.lock() = None;
    }

    /// The armed fault, if any.
    pub fn armed(&self) -> Option<Armed> {
        *self.lock()
    }

    /// The fault this lookup meets, counting it.
    pub fn take(&self) -> Option<Fault> {
        let mut armed = self.lock();
        let current = armed.as_mut()?;
        let fault = current.fault;
        current.remaining = current.remaining.saturating_sub(1);
        if current.remaining == 0 {
            *armed = None;
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Armed>> {
        // A panic while holding this lock leaves a plain value behind: keep using it.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The admin's request to arm a fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArmRequest {
    fault: FaultKind,
    count: u32,
    retry_after_secs: Option<u64>,
    delay_ms: Option<u64>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FaultKind {
    Error,
    RateLimited,
    Slow,
}

/// The most lookups one request arms a fault for.
const MAX_COUNT: u32 = 10_000;
/// The longest injected delay.
const MAX_DELAY: Duration = Duration::from_secs(120);

impl ArmRequest {
    /// The fault and count, or why they make no sense.
    pub(crate) fn validate(&self) -> Result<(Fault, u32), &'static str> {
        if !(1..=MAX_COUNT).contains(&self.count) {
            return Err("count must be 1 to 10000");
        }
        let fault = match self.fault {
            FaultKind::Error => Fault::Error,
            FaultKind::RateLimited => {
                let retry_after_secs = self.retry_after_secs.unwrap_or(1);
                if !(1..=3600).contains(&retry_after_secs) {
                    return Err("retry_after_secs must be 1 to 3600");
                }
                Fault::RateLimited { retry_after_secs }
            }
            FaultKind::Slow => {
                let delay_ms = self.delay_ms.ok_or("a slow fault needs delay_ms")?;
                if delay_ms == 0 || delay_ms > MAX_DELAY.as_millis() as u64 {
                    return Err("delay_ms must be 1 to 120000");
                }
                Fault::Slow { delay_ms }
            }
        };
        Ok((fault, self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_hits_its_count_then_disarms() {
        let faults = Faults::default();
        faults.arm(Fault::Error, 2);
        assert_eq!(faults.take(), Some(Fault::Error));
        assert_eq!(faults.armed().map(|armed| armed.remaining), Some(1));
        assert_eq!(faults.take(), Some(Fault::Error));
        assert_eq!(faults.take(), None);
        faults.arm(Fault::Slow { delay_ms: 5 }, 1);
        faults.clear();
        assert_eq!(faults.take(), None);
    }
}
