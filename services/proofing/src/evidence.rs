//! Which evidence an application needs, decided from its purpose, tier and channel.

use serde::{Deserialize, Serialize};

use crate::{
    application::{Channel, Purpose, Tier, text_enum},
    step::Step,
};

text_enum!(
    /// Evidence that the person, or the clerk beside them, provides.
    EvidenceKind, "evidence kind" {
        /// The machine readable zone of the passport's data page, as an image or typed lines.
        Mrz => "mrz",
        /// The passport chip's EF.SOD, data groups and the chip's signature over a challenge.
        Chip => "chip",
        /// A selfie with its liveness result, to compare with the chip's face image.
        Selfie => "selfie",
        /// A Thai mobile number, bound by a one-time code.
        MobileNumber => "mobile_number",
        /// The immigration registry's stay record, which the service fetches itself.
        StayRecord => "stay_record",
    }
);

text_enum!(
    /// The forms MRZ evidence is stored in, named by the media type kept beside the sealed
    /// content: the API writes them and the MRZ step reads them.
    MrzMediaType, "MRZ media type" {
        /// Typed lines, one per text line, in UTF-8.
        TypedLines => "text/vnd.idproof.mrz-lines",
        /// A JPEG photo or scan of the data page.
        Jpeg => "image/jpeg",
        /// A PNG photo or scan of the data page.
        Png => "image/png",
    }
);

impl EvidenceKind {
    /// The workflow step that judges this kind of evidence.
    pub fn step(&self) -> Step {
        match self {
            EvidenceKind::Mrz => Step::Mrz,
            EvidenceKind::Chip => Step::Chip,
            EvidenceKind::Selfie => Step::Face,
            EvidenceKind::MobileNumber => Step::Mobile,
            EvidenceKind::StayRecord => Step::Immigration,
        }
    }
}

/// The evidence an application must gather, in the order a clerk would collect it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePlan {
    /// The evidence the person must provide.
    pub required: Vec<EvidenceKind>,
    /// Whether the service must confirm the stay with the immigration registry.
    pub immigration_check: bool,
    /// Whether an officer must confirm the case before issuance.
    pub officer_confirmation: bool,
}

/// Why a combination of purpose, tier and channel cannot be served.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The purpose needs a higher tier than the one asked for.
    #[error("purpose {purpose} needs at least tier {minimum}")]
    TierBelowPurposeMinimum {
        /// The purpose asked for.
        purpose: Purpose,
        /// The lowest tier that serves it.
        minimum: Tier,
    },
    /// The tier can only be reached where a trained person watches the capture.
    #[error("tier {tier} needs an attended channel, not {channel}")]
    NeedsAttendedChannel {
        /// The tier asked for.
        tier: Tier,
        /// The channel the application came from.
        channel: Channel,
    },
}

impl Purpose {
    /// The lowest tier that serves this purpose.
    ///
    /// SIM registration needs a chip read and a face match with liveness: since August 2025 the
    /// NBTC requires liveness detection and the original passport for foreigners.
    // TODO: read these minimums from the effective-dated policy file, so that a new NBTC or
    // cabinet rule changes data rather than code.
    pub fn minimum_tier(&self) -> Tier {
        match self {
            Purpose::SimRegistration => Tier::T3,
            Purpose::InvestorOnboarding => Tier::T2,
            Purpose::DigitalId => Tier::T1,
        }
    }
}

impl EvidencePlan {
    /// The plan for an application, or why it cannot be served.
    pub fn for_application(
        purpose: Purpose,
        tier: Tier,
        channel: Channel,
    ) -> Result<Self, PlanError> {
        let minimum = purpose.minimum_tier();
        if tier < minimum {
            return Err(PlanError::TierBelowPurposeMinimum { purpose, minimum });
        }
        if tier == Tier::T4 && !channel.is_attended() {
            return Err(PlanError::NeedsAttendedChannel { tier, channel });
        }

        let mut required = vec![EvidenceKind::Mrz];
        if tier >= Tier::T3 {
            required.push(EvidenceKind::Chip);
            required.push(EvidenceKind::Selfie);
        }
        required.push(EvidenceKind::MobileNumber);

        // Every tier asks the registry: a person with no lawful stay reaches no tier, and the
        // stay's end caps every digital ID's validity.
        Ok(Self { required, immigration_check: true, officer_confirmation: tier == Tier::T4 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_needs_the_evidence_of_the_tier_below() {
        let mut previous: Vec<EvidenceKind> = Vec::new();
        for tier in Tier::ALL {
            let plan =
                EvidencePlan::for_application(Purpose::DigitalId, *tier, Channel::OfficerCounter)
                    .unwrap();
            assert!(previous.iter().all(|kind| plan.required.contains(kind)), "{tier}");
            previous = plan.required;
        }
    }

    #[test]
    fn tier_one_needs_mrz_and_mobile_and_the_registry() {
        let plan =
            EvidencePlan::for_application(Purpose::DigitalId, Tier::T1, Channel::SelfService)
                .unwrap();
        assert_eq!(plan.required, vec![EvidenceKind::Mrz, EvidenceKind::MobileNumber]);
        assert!(plan.immigration_check);
        assert!(!plan.officer_confirmation);
    }

    #[test]
    fn sim_registration_below_tier_three_is_refused() {
        let err =
            EvidencePlan::for_application(Purpose::SimRegistration, Tier::T2, Channel::TelecomShop)
                .unwrap_err();
        assert_eq!(
            err,
            PlanError::TierBelowPurposeMinimum {
                purpose: Purpose::SimRegistration,
                minimum: Tier::T3
            }
        );
    }

    #[test]
    fn tier_four_needs_a_counter() {
        let err = EvidencePlan::for_application(Purpose::DigitalId, Tier::T4, Channel::SelfService)
            .unwrap_err();
        assert!(matches!(err, PlanError::NeedsAttendedChannel { .. }));
        let plan =
            EvidencePlan::for_application(Purpose::DigitalId, Tier::T4, Channel::TelecomShop)
                .unwrap();
        assert!(plan.officer_confirmation && plan.immigration_check);
    }
}
