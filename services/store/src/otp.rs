//! One-time codes for mobile binding: sent within a cooldown and an hourly limit per number,
//! verified once, locked after the last wrong attempt. The code is kept only as a keyed hash;
//! the caller compares it, in constant time, through the closure it passes to
//! [`Store::verify_otp`].
//!
//! The API records a send with [`Store::request_code`] (the limits, the sealed number and the
//! challenge in one transaction); the workflow's delivery activity draws the code, sends it
//! and arms the challenge with [`Store::deliver_otp`]; the workflow's expiry timer ends it with
//! [`Store::expire_otp`].

use chrono::{DateTime, Duration, Utc};
use idproof_proofing::{ApplicationId, EvidenceId};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    Store,
    entities::otp_challenge,
    error::{DbContext, StoreError},
    evidence::NewEvidence,
};

/// A code to record as sent.
#[derive(Clone, Debug)]
pub struct NewOtp {
    /// The application binding the number.
    pub application_id: ApplicationId,
    /// The number's keyed hash.
    pub number_key: String,
    /// Wrong answers allowed before the challenge locks.
    pub attempts: i32,
    /// When it is sent.
    pub sent_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// How often codes may go to one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimits {
    /// The least time between two sends.
    pub cooldown: Duration,
    /// The most sends in any hour.
    pub per_hour: usize,
}

/// What recording a send did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Recorded: send the code. Earlier codes of the application are no longer accepted.
    Recorded {
        /// The challenge, which answers nothing until [`Store::deliver_otp`] arms it.
        challenge_id: Uuid,
        /// The number, sealed.
        evidence_id: EvidenceId,
    },
    /// Too soon after the last send to this number.
    Cooldown {
        /// How long until a send is allowed.
        retry_after: Duration,
    },
    /// The hour's sends to this number are used up.
    HourlyLimit {
        /// How long until a send is allowed.
        retry_after: Duration,
    },
}

/// What a verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtpVerdict {
    /// The code is right; this call is the one that verified it.
    Verified {
        /// The challenge.
        challenge_id: Uuid,
        /// The number's keyed hash, to bind.
        number_key: String,
    },
    /// The code is wrong; this many attempts are left.
    Wrong {
        /// Attempts left, at least one.
        attempts_left: i32,
    },
    /// Wrong too often: the challenge is over and the case goes to an officer.
    Locked,
    /// The code's time ran out; a new one may be sent.
    Expired,
    /// Verified before: a replayed call changes nothing in the store.
    AlreadyVerified {
        /// The challenge that was verified, so that its workflow can be told again.
        challenge_id: Uuid,
    },
    /// No code was sent for the application.
    NoChallenge,
    /// A send was asked for and its code has not gone out yet: nothing was counted.
    NotDelivered,
}

/// A challenge as the workflow's activities read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpChallengeRecord {
    /// Its id.
    pub id: Uuid,
    /// The application.
    pub application_id: ApplicationId,
    /// The sealed number the code goes to.
    pub evidence_id: Option<EvidenceId>,
    /// When the send was asked for.
    pub sent_at: DateTime<Utc>,
    /// When the code went out.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the code stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was locked by wrong answers.
    pub locked_at: Option<DateTime<Utc>>,
    /// Whether it is the application's latest challenge; an older one is superseded.
    pub latest: bool,
}

impl Store {
    /// Records a send the API was asked for: within the number's limits, the number sealed as
    /// evidence and the challenge that points at it, in one transaction; refused, nothing.
    /// Sends to one number are recorded one at a time, so two at once cannot both pass.
    pub async fn request_code(
        &self,
        number: NewEvidence,
        otp: NewOtp,
        limits: SendLimits,
    ) -> Result<SendOutcome, StoreError> {
        let txn = self.db.begin().await.context("failed to begin an OTP send")?;

        let recorded = async {
            if let Some(refused) = refusal_in(&txn, &otp, limits).await? {
                return Ok(refused);
            }
            let evidence_id = self.insert_evidence(&txn, number, otp.sent_at).await?;
            let challenge_id = insert_challenge(&txn, &otp, evidence_id).await?;
            Ok(SendOutcome::Recorded { challenge_id, evidence_id })
        }
        .await;

        match recorded {
            Ok(outcome @ SendOutcome::Recorded { .. }) => {
                txn.commit().await.context("failed to commit an OTP send")?;
                Ok(outcome)
            }
            Ok(refused) => {
                txn.rollback().await.context("failed to roll back an OTP send")?;
                Ok(refused)
            }
            Err(err) => {
                txn.rollback().await.ok();
                Err(err)
            }
        }
    }

    /// Removes a send whose workflow could not be told of it, with its sealed number, so that
    /// it neither counts against the number's limits nor waits for a code that never goes out.
    pub async fn withdraw_code_request(
        &self,
        challenge_evidence: EvidenceId,
        application_id: ApplicationId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        otp_challenge::Entity::delete_many()
            .filter(otp_challenge::Column::EvidenceId.eq(challenge_evidence.as_uuid()))
            .filter(otp_challenge::Column::DeliveredAt.is_null())
            .exec(&self.db)
            .await
            .context("failed to withdraw a send")?;
        self.discard_unsubmitted_evidence(challenge_evidence, application_id, now).await
    }

    /// The challenge that sends a code to the number sealed as `evidence_id`.
    pub async fn otp_challenge_for(
        &self,
        evidence_id: EvidenceId,
    ) -> Result<Option<OtpChallengeRecord>, StoreError> {
        let row = otp_challenge::Entity::find()
            .filter(otp_challenge::Column::EvidenceId.eq(evidence_id.as_uuid()))
            .one(&self.db)
            .await
            .context("failed to read a challenge")?;
        self.challenge_record(row).await
    }

    /// The challenge with this id.
    pub async fn otp_challenge_by_id(
        &self,
        challenge_id: Uuid,
    ) -> Result<Option<OtpChallengeRecord>, StoreError> {
        let row = otp_challenge::Entity::find_by_id(challenge_id)
            .one(&self.db)
            .await
            .context("failed to read a challenge")?;
        self.challenge_record(row).await
    }

    async fn challenge_record(
        &self,
        row: Option<otp_challenge::Model>,
    ) -> Result<Option<OtpChallengeRecord>, StoreError> {
        let Some(row) = row else {
            return Ok(None);
        };
        let application_id = ApplicationId::from(row.application_id);
        let newest = latest(&self.db, application_id).await?;
        let latest = newest.is_some_and(|newest| newest.id == row.id);
        Ok(Some(OtpChallengeRecord {
            id: row.id,
            application_id,
            evidence_id: row.evidence_id.map(EvidenceId::from),
            sent_at: row.sent_at,
            delivered_at: row.delivered_at,
            expires_at: row.expires_at,
            verified_at: row.verified_at,
            locked_at: row.locked_at,
            latest,
        }))
    }

    /// Arms a challenge with the code just drawn: its hash, when it went out and when it
    /// expires. A retried delivery draws a new code and overwrites the last one's hash: only
    /// the code most recently sent is accepted. Returns `false`, changing nothing, when the
    /// challenge was verified or locked meanwhile.
    pub async fn deliver_otp(
        &self,
        challenge_id: Uuid,
        code_hash: &str,
        delivered_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let armed = otp_challenge::Entity::update_many()
            .col_expr(otp_challenge::Column::CodeHash, Expr::value(code_hash))
            .col_expr(otp_challenge::Column::DeliveredAt, Expr::value(delivered_at))
            .col_expr(otp_challenge::Column::ExpiresAt, Expr::value(expires_at))
            .filter(otp_challenge::Column::Id.eq(challenge_id))
            .filter(otp_challenge::Column::VerifiedAt.is_null())
            .filter(otp_challenge::Column::LockedAt.is_null())
            .exec(&self.db)
            .await
            .context("failed to arm a challenge")?;
        Ok(armed.rows_affected == 1)
    }

    /// Ends a challenge whose time ran out by the workflow's timer: a code still open stops
    /// being accepted now. Returns whether the challenge is expired, rather than verified or
    /// locked.
    pub async fn expire_otp(
        &self,
        challenge_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        otp_challenge::Entity::update_many()
            .col_expr(otp_challenge::Column::ExpiresAt, Expr::value(now))
            .filter(otp_challenge::Column::Id.eq(challenge_id))
            .filter(otp_challenge::Column::VerifiedAt.is_null())
            .filter(otp_challenge::Column::LockedAt.is_null())
            .filter(otp_challenge::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await
            .context("failed to expire a challenge")?;
        let row = otp_challenge::Entity::find_by_id(challenge_id)
            .one(&self.db)
            .await
            .context("failed to read a challenge")?;
        Ok(row.is_some_and(|row| row.verified_at.is_none() && row.locked_at.is_none()))
    }

    /// Checks an answer against the application's latest code. `matches` gets the challenge's
    /// id and stored hash and says whether the answer is the code. At most one call verifies a
    /// code.
    pub async fn verify_otp(
        &self,
        application_id: ApplicationId,
        matches: impl FnOnce(Uuid, &str) -> bool,
        now: DateTime<Utc>,
    ) -> Result<OtpVerdict, StoreError> {
        let Some(challenge) = latest(&self.db, application_id).await? else {
            return Ok(OtpVerdict::NoChallenge);
        };
        if let Some(settled) = settled(&challenge, now) {
            return Ok(settled);
        }

        if matches(challenge.id, &challenge.code_hash) {
            let won = otp_challenge::Entity::update_many()
                .col_expr(otp_challenge::Column::VerifiedAt, Expr::value(now))
                .filter(otp_challenge::Column::Id.eq(challenge.id))
                .filter(otp_challenge::Column::VerifiedAt.is_null())
                .filter(otp_challenge::Column::LockedAt.is_null())
                .exec(&self.db)
                .await
                .context("failed to mark a code verified")?;
            if won.rows_affected == 1 {
                let number_key = challenge.number_key;
                return Ok(OtpVerdict::Verified { challenge_id: challenge.id, number_key });
            }
            return self.settled_again(challenge.id, now).await;
        }

        self.count_wrong_answer(challenge.id, now).await
    }

    async fn count_wrong_answer(
        &self,
        challenge_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<OtpVerdict, StoreError> {
        let txn = self.db.begin().await.context("failed to begin a wrong answer")?;
        otp_challenge::Entity::update_many()
            .col_expr(
                otp_challenge::Column::AttemptsLeft,
                Expr::col(otp_challenge::Column::AttemptsLeft).sub(1),
            )
            .filter(otp_challenge::Column::Id.eq(challenge_id))
            .filter(otp_challenge::Column::VerifiedAt.is_null())
            .filter(otp_challenge::Column::AttemptsLeft.gt(0))
            .exec(&txn)
            .await
            .context("failed to count a wrong answer")?;
        otp_challenge::Entity::update_many()
            .col_expr(otp_challenge::Column::LockedAt, Expr::value(now))
            .filter(otp_challenge::Column::Id.eq(challenge_id))
            .filter(otp_challenge::Column::AttemptsLeft.lte(0))
            .filter(otp_challenge::Column::LockedAt.is_null())
            .exec(&txn)
            .await
            .context("failed to lock a challenge")?;
        let after = otp_challenge::Entity::find_by_id(challenge_id)
            .one(&txn)
            .await
            .context("failed to read a challenge")?;
        txn.commit().await.context("failed to commit a wrong answer")?;

        Ok(match after {
            Some(challenge) if challenge.verified_at.is_some() => {
                OtpVerdict::AlreadyVerified { challenge_id: challenge.id }
            }
            Some(challenge) if challenge.locked_at.is_some() => OtpVerdict::Locked,
            Some(challenge) => OtpVerdict::Wrong { attempts_left: challenge.attempts_left },
            None => OtpVerdict::NoChallenge,
        })
    }

    /// After losing a race to another answer: what the challenge says now.
    async fn settled_again(
        &self,
        challenge_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<OtpVerdict, StoreError> {
        let challenge = otp_challenge::Entity::find_by_id(challenge_id)
            .one(&self.db)
            .await
            .context("failed to read a challenge")?;
        Ok(challenge.and_then(|challenge| settled(&challenge, now)).unwrap_or(OtpVerdict::Locked))
    }
}

/// The verdict a challenge gives whatever the answer, if it is settled.
fn settled(challenge: &otp_challenge::Model, now: DateTime<Utc>) -> Option<OtpVerdict> {
    if challenge.verified_at.is_some() {
        return Some(OtpVerdict::AlreadyVerified { challenge_id: challenge.id });
    }
    if challenge.locked_at.is_some() || challenge.attempts_left <= 0 {
        return Some(OtpVerdict::Locked);
    }
    if challenge.delivered_at.is_none() {
        return Some(OtpVerdict::NotDelivered);
    }
    if now >= challenge.expires_at {
        return Some(OtpVerdict::Expired);
    }
    None
}

async fn latest(
    db: &impl ConnectionTrait,
    application_id: ApplicationId,
) -> Result<Option<otp_challenge::Model>, StoreError> {
    otp_challenge::Entity::find()
        .filter(otp_challenge::Column::ApplicationId.eq(application_id.as_uuid()))
        .order_by_desc(otp_challenge::Column::SentAt)
        .order_by_desc(otp_challenge::Column::Id)
        .one(db)
        .await
        .context("failed to read the latest code")
}

/// Why the number's limits refuse a send now, if they do.
async fn refusal_in(
    txn: &DatabaseTransaction,
    otp: &NewOtp,
    limits: SendLimits,
) -> Result<Option<SendOutcome>, StoreError> {
    serialise_sends(txn, &otp.number_key).await?;

    let hour_ago = otp.sent_at - Duration::hours(1);
    let sends: Vec<DateTime<Utc>> = otp_challenge::Entity::find()
        .filter(otp_challenge::Column::NumberKey.eq(otp.number_key.as_str()))
        .filter(otp_challenge::Column::SentAt.gt(hour_ago))
        .order_by_asc(otp_challenge::Column::SentAt)
        .all(txn)
        .await
        .context("failed to read a number's sends")?
        .into_iter()
        .map(|send| send.sent_at)
        .collect();

    if let Some(last) = sends.last()
        && otp.sent_at - *last < limits.cooldown
    {
        let retry_after = *last + limits.cooldown - otp.sent_at;
        return Ok(Some(SendOutcome::Cooldown { retry_after }));
    }
    if sends.len() >= limits.per_hour
        && let Some(oldest) = sends.first()
    {
        let retry_after = *oldest + Duration::hours(1) - otp.sent_at;
        return Ok(Some(SendOutcome::HourlyLimit { retry_after }));
    }
    Ok(None)
}

/// A challenge for the number sealed as `evidence_id`, with no code until it is delivered.
async fn insert_challenge(
    txn: &DatabaseTransaction,
    otp: &NewOtp,
    evidence_id: EvidenceId,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let row = otp_challenge::ActiveModel {
        id: Set(id),
        application_id: Set(otp.application_id.as_uuid()),
        number_key: Set(otp.number_key.clone()),
        code_hash: Set(String::new()),
        attempts_left: Set(otp.attempts),
        sent_at: Set(otp.sent_at),
        expires_at: Set(otp.expires_at),
        verified_at: Set(None),
        locked_at: Set(None),
        evidence_id: Set(Some(evidence_id.as_uuid())),
        delivered_at: Set(None),
    };
    otp_challenge::Entity::insert(row)
        .exec_without_returning(txn)
        .await
        .context("failed to record a code as sent")?;
    Ok(id)
}

/// Makes concurrent sends to one number wait for each other: on PostgreSQL a transaction lock
/// on the number's hash; on SQLite a write, which takes the database's write lock.
async fn serialise_sends(txn: &DatabaseTransaction, number_key: &str) -> Result<(), StoreError> {
    let statement = match txn.get_database_backend() {
        DbBackend::Postgres => {
            // The first 15 hex digits of the keyed hash fit an i64 and spread evenly.
            let lock = i64::from_str_radix(number_key.get(..15).unwrap_or("0"), 16).unwrap_or(0);
            format!("SELECT pg_advisory_xact_lock({lock})")
        }
        _ => "UPDATE otp_challenge SET attempts_left = attempts_left WHERE 1 = 0".to_owned(),
    };
    txn.execute_unprepared(&statement).await.map(drop).context("failed to serialise sends")
}
