//! A challenge: one code sent to one number, its expiry and the attempts left. Pure: time is
//! passed in, the state is plain data the workflow keeps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{CodeHash, CodeHasher, OneTimeCode, OtpLimits};

/// Where a challenge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChallengeState {
    /// Waiting for the code.
    Pending,
    /// The right code was given once; nothing verifies again.
    Verified {
        /// When.
        at: DateTime<Utc>,
    },
    /// Too many wrong codes: the challenge is over and the case is to be flagged.
    Locked {
        /// When the last wrong code came.
        at: DateTime<Utc>,
    },
}

/// What a verify call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VerifyOutcome {
    /// The right code, in time: the number is proven.
    Verified,
    /// A wrong code; `attempts_left` more may be tried.
    Wrong {
        /// Attempts left before the challenge locks.
        attempts_left: u8,
    },
    /// The challenge is locked (by this attempt or an earlier one): flag the case.
    Locked,
    /// The code's time is up; a new code may be sent.
    Expired,
    /// The challenge was verified before: a replay, which verifies nothing again.
    AlreadyVerified,
}

impl VerifyOutcome {
    /// The stable code, for the API and the audit trail: `mobile.verified`,
    /// `mobile.wrong_code`, `mobile.locked`, `mobile.expired` or `mobile.already_verified`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Verified => "mobile.verified",
            Self::Wrong { .. } => "mobile.wrong_code",
            Self::Locked => "mobile.locked",
            Self::Expired => "mobile.expired",
            Self::AlreadyVerified => "mobile.already_verified",
        }
    }
}

/// Why a new code cannot replace a challenge's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReissueRefused {
    /// The challenge is verified.
    #[error("the challenge is already verified")]
    Verified,
    /// The challenge is locked.
    #[error("the challenge is locked after too many wrong codes")]
    Locked,
}

impl ReissueRefused {
    /// The stable code: `mobile.already_verified` or `mobile.locked`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Verified => "mobile.already_verified",
            Self::Locked => "mobile.locked",
        }
    }
}

/// One challenge. Serialisable, so a workflow can keep it in its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    id: Uuid,
    code_hash: CodeHash,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    attempts_left: u8,
    state: ChallengeState,
}

impl Challenge {
    /// Issues a challenge for `code`, hashed and bound to `id`; the code itself is not kept.
    pub fn issue(
        id: Uuid,
        code: &OneTimeCode,
        hasher: &CodeHasher,
        limits: &OtpLimits,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            code_hash: hasher.hash(id, code),
            issued_at: now,
            expires_at: now + limits.code_ttl_delta(),
            attempts_left: limits.max_attempts,
            state: ChallengeState::Pending,
        }
    }

    /// Replaces the code (a resend): a fresh expiry, but the attempts left are kept, so that
    /// resending never buys more guesses.
    pub fn reissue(
        &mut self,
        code: &OneTimeCode,
        hasher: &CodeHasher,
        limits: &OtpLimits,
        now: DateTime<Utc>,
    ) -> Result<(), ReissueRefused> {
        match self.state {
            ChallengeState::Verified { .. } => return Err(ReissueRefused::Verified),
            ChallengeState::Locked { .. } => return Err(ReissueRefused::Locked),
            ChallengeState::Pending => {}
        }

        self.code_hash = hasher.hash(self.id, code);
        self.issued_at = now;
        self.expires_at = now + limits.code_ttl_delta();
        Ok(())
    }

    /// Checks an attempt at `now`. Expired at exactly `expires_at`. Every attempt that is not
    /// the code (a malformed one too) uses up an attempt; the last one locks the challenge.
    pub fn verify(
        &mut self,
        hasher: &CodeHasher,
        attempt: &str,
        now: DateTime<Utc>,
    ) -> VerifyOutcome {
        match self.state {
            ChallengeState::Verified { .. } => return VerifyOutcome::AlreadyVerified,
            ChallengeState::Locked { .. } => return VerifyOutcome::Locked,
            ChallengeState::Pending => {}
        }

        if self.is_expired(now) {
            return VerifyOutcome::Expired;
        }

        if hasher.verify(self.id, &self.code_hash, attempt) {
            self.state = ChallengeState::Verified { at: now };
            return VerifyOutcome::Verified;
        }

        self.attempts_left = self.attempts_left.saturating_sub(1);
        if self.attempts_left == 0 {
            self.state = ChallengeState::Locked { at: now };
            return VerifyOutcome::Locked;
        }

        VerifyOutcome::Wrong { attempts_left: self.attempts_left }
    }

    /// Whether the code's time is up at `now` (the workflow's timer says so too).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// The challenge's id, which its code hash is bound to.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// When the current code was sent.
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }

    /// When the current code expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Wrong attempts left before the challenge locks.
    pub fn attempts_left(&self) -> u8 {
        self.attempts_left
    }

    /// Where the challenge stands.
    pub fn state(&self) -> ChallengeState {
        self.state
    }
}
