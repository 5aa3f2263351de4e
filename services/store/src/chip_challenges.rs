//! Active Authentication challenges: issued for one application, spent by the one chip upload
//! that answers them. A challenge is spent by a conditional update, so two uploads racing with
//! the same challenge cannot both take it.

use chrono::{DateTime, Duration, Utc};
use idproof_proofing::ApplicationId;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    Store,
    entities::chip_challenge,
    error::{DbContext, StoreError},
};

/// The length of a challenge, as ICAO 9303-11 has the terminal send it.
pub const CHALLENGE_LENGTH: usize = 8;

/// A challenge handed to a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedChallenge {
    /// Its id, which the upload names.
    pub id: Uuid,
    /// The bytes the chip signs.
    pub challenge: [u8; CHALLENGE_LENGTH],
    /// After this, the upload that names it is refused.
    pub expires_at: DateTime<Utc>,
}

/// What spending a challenge found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpentChallenge {
    /// It was this application's, unspent and current: it is spent now.
    Spent([u8; CHALLENGE_LENGTH]),
    /// No such challenge for this application (it may be another's).
    Unknown,
    /// An upload already answered it: a replay.
    AlreadySpent,
    /// It was not answered in time.
    Expired,
}

impl Store {
    /// Issues a fresh random challenge for `application_id`, valid for `lifetime`.
    pub async fn issue_chip_challenge(
        &self,
        application_id: ApplicationId,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<IssuedChallenge, StoreError> {
        let mut challenge = [0u8; CHALLENGE_LENGTH];
        rand::rng().fill_bytes(&mut challenge);
        let issued = IssuedChallenge { id: Uuid::now_v7(), challenge, expires_at: now + lifetime };

        let row = chip_challenge::ActiveModel {
            id: Set(issued.id),
            application_id: Set(application_id.as_uuid()),
            challenge: Set(challenge.to_vec()),
            issued_at: Set(now),
            expires_at: Set(issued.expires_at),
            spent_at: Set(None),
        };
        chip_challenge::Entity::insert(row)
            .exec_without_returning(&self.db)
            .await
            .context("failed to store a chip challenge")?;
        Ok(issued)
    }

    /// Spends challenge `id` of `application_id` at `now`, if it is unspent and current.
    pub async fn spend_chip_challenge(
        &self,
        id: Uuid,
        application_id: ApplicationId,
        now: DateTime<Utc>,
    ) -> Result<SpentChallenge, StoreError> {
        let owner = application_id.as_uuid();
        let taken = chip_challenge::Entity::update_many()
            .col_expr(chip_challenge::Column::SpentAt, Some(now).into())
            .filter(chip_challenge::Column::Id.eq(id))
            .filter(chip_challenge::Column::ApplicationId.eq(owner))
            .filter(chip_challenge::Column::SpentAt.is_null())
            .filter(chip_challenge::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await
            .context("failed to spend a chip challenge")?
            .rows_affected;

        let row = chip_challenge::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .context("failed to read a chip challenge")?
            .filter(|row| row.application_id == owner);
        let Some(row) = row else {
            return Ok(SpentChallenge::Unknown);
        };
        if taken == 1 {
            let challenge = row
                .challenge
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::Corrupt { column: "chip_challenge.challenge" })?;
            return Ok(SpentChallenge::Spent(challenge));
        }
        Ok(if row.spent_at.is_some() {
            SpentChallenge::AlreadySpent
        } else {
            SpentChallenge::Expired
        })
    }
}
