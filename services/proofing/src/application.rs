//! What a client asks for when it opens an application.

use serde::{Deserialize, Serialize};

/// A text that names none of the values of a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {kind}")]
pub struct UnknownValue {
    /// What was being parsed: "purpose", "tier", ...
    pub kind: &'static str,
    /// The text that was given, cut to 64 characters.
    pub value: String,
}

impl UnknownValue {
    pub(crate) fn new(kind: &'static str, value: &str) -> Self {
        Self { kind, value: value.chars().take(64).collect() }
    }
}

/// Declares a closed set stored and sent as snake_case text.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $kind:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text of this value, as stored and as sent over the API.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownValue::new($kind, value)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// Why the person is being proofed; it decides the steps that must pass.
    Purpose, "purpose" {
        /// Registering a Thai SIM for a foreigner at a telecom shop (NBTC rules apply).
        SimRegistration => "sim_registration",
        /// Onboarding an investor or business person through an EEC or BOI portal.
        InvestorOnboarding => "investor_onboarding",
        /// A general digital ID for Thai e-services.
        DigitalId => "digital_id",
    }
);

text_enum!(
    /// The tier of digital ID the client asks for; each tier needs more evidence than the one
    /// below it.
    Tier, "tier" {
        /// MRZ read and valid, document not expired, mobile number bound.
        T1 => "t1",
        /// T1 plus an immigration record that matches and a lawful stay.
        T2 => "t2",
        /// T2 plus chip passive authentication, anti-cloning and a face match with liveness.
        T3 => "t3",
        /// T3 at an attended counter, confirmed by an officer.
        T4 => "t4",
    }
);

text_enum!(
    /// Where the application was opened.
    Channel, "channel" {
        /// A telecom shop counter, attended by a clerk.
        TelecomShop => "telecom_shop",
        /// An investor portal calling the API from its own onboarding flow.
        InvestorPortal => "investor_portal",
        /// The person alone, on their own device.
        SelfService => "self_service",
        /// An immigration or government counter, attended by an officer.
        OfficerCounter => "officer_counter",
    }
);

impl Channel {
    /// Whether a trained person watches the evidence being captured.
    pub fn is_attended(&self) -> bool {
        matches!(self, Channel::TelecomShop | Channel::OfficerCounter)
    }
}

text_enum!(
    /// Where an application stands.
    ApplicationStatus, "application status" {
        /// Stored; the workflow has not planned its evidence yet.
        Received => "received",
        /// Waiting for the person to provide evidence.
        AwaitingEvidence => "awaiting_evidence",
        /// Flagged and waiting for an officer.
        InReview => "in_review",
        /// Every step passed.
        Completed => "completed",
        /// A step failed in a way more evidence cannot mend.
        Rejected => "rejected",
        /// Left idle longer than allowed.
        Expired => "expired",
        /// Cancelled by the client.
        Cancelled => "cancelled",
    }
);

impl ApplicationStatus {
    /// Whether the application has ended and will not change again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Completed
                | ApplicationStatus::Rejected
                | ApplicationStatus::Expired
                | ApplicationStatus::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_text() {
        for purpose in Purpose::ALL {
            assert_eq!(purpose.as_str().parse::<Purpose>(), Ok(*purpose));
        }
        for tier in Tier::ALL {
            assert_eq!(tier.as_str().parse::<Tier>(), Ok(*tier));
        }
        for status in ApplicationStatus::ALL {
            assert_eq!(status.as_str().parse::<ApplicationStatus>(), Ok(*status));
        }
    }

    #[test]
    fn unknown_text_is_refused_and_cut_short() {
        let long = "x".repeat(500);
        let err = long.parse::<Purpose>().unwrap_err();
        assert_eq!(err.kind, "purpose");
        assert_eq!(err.value.len(), 64);
        assert!("SIM_REGISTRATION".parse::<Purpose>().is_err());
    }

    #[test]
    fn only_final_statuses_are_final() {
        let finals: Vec<_> = ApplicationStatus::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals.len(), 4);
        assert!(!ApplicationStatus::AwaitingEvidence.is_final());
    }
}
