//! Why a chip upload is refused before anything is stored.

use poem::http::StatusCode;

use crate::problem::ApiError;

/// A chip upload no verifier could use, or a challenge that is not the upload's to spend.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChipRefusal {
    /// A data group number outside 1 to 16, or one given twice.
    #[error("data group {0} is not a number from 1 to 16, or is given twice; nothing was stored")]
    DataGroupNumber(u8),
    /// A data group whose file does not open with its number's tag.
    #[error("data group {0} does not open with its tag; nothing was stored")]
    DataGroupTag(u8),
    /// No DG1, which every chip holds and the MRZ is compared with.
    #[error("DG1 is required: it holds the MRZ the chip signs; nothing was stored")]
    Dg1Missing,
    /// An answer to a challenge without DG15, the key that checks it.
    #[error("an Active Authentication answer needs DG15, the chip's key; nothing was stored")]
    Dg15Missing,
    /// An answer of no length or longer than any chip's.
    #[error("an Active Authentication answer of {0} bytes is impossible; nothing was stored")]
    AnswerLength(usize),
    /// A challenge this application was never issued.
    #[error("this application was issued no such challenge; ask for one; nothing was stored")]
    ChallengeUnknown,
    /// A challenge an earlier upload already answered.
    #[error("this challenge was already answered; ask for a new one; nothing was stored")]
    ChallengeReplayed,
    /// A challenge answered too late.
    #[error("this challenge has expired; ask for a new one; nothing was stored")]
    ChallengeExpired,
}

impl ChipRefusal {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ChipRefusal::DataGroupNumber(_) => "chip.data_group_number",
            ChipRefusal::DataGroupTag(_) => "chip.data_group_tag",
            ChipRefusal::Dg1Missing => "chip.dg1_missing",
            ChipRefusal::Dg15Missing => "chip.dg15_missing",
            ChipRefusal::AnswerLength(_) => "chip.answer_length",
            ChipRefusal::ChallengeUnknown => "chip.challenge_unknown",
            ChipRefusal::ChallengeReplayed => "chip.challenge_replayed",
            ChipRefusal::ChallengeExpired => "chip.challenge_expired",
        }
    }

    /// The HTTP status: a replay conflicts with the upload that spent the challenge; the rest
    /// are requests that cannot be processed as sent.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ChipRefusal::ChallengeReplayed => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl From<ChipRefusal> for ApiError {
    fn from(refusal: ChipRefusal) -> Self {
        ApiError::Chip(refusal)
    }
}
