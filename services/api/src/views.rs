//! The API's view of the domain: enums and objects as they appear in the OpenAPI document.

use chrono::{DateTime, Utc};
use idproof_proofing::{
    ApplicationStatus, Channel, EvidenceKind, EvidencePlan, Purpose, Step, Tier, Verdict,
};
use idproof_store::{ApplicationRecord, StepRecord};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// Declares an API enum that mirrors a domain enum value for value.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $api:ident => $domain:ident as $name:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
        #[oai(rename = $name, rename_all = "snake_case")]
        pub enum $api {
            $(#[allow(missing_docs)] $variant),+
        }

        impl From<$api> for $domain {
            fn from(value: $api) -> Self {
                match value {
                    $($api::$variant => $domain::$variant),+
                }
            }
        }

        impl From<$domain> for $api {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => $api::$variant),+
                }
            }
        }
    };
}

mirror_enum!(
    /// Why the person is being proofed: `sim_registration` (telecom shop, needs tier t3 or
    /// higher), `investor_onboarding` (EEC and BOI portals, t2 or higher), `digital_id`.
    ApiPurpose => Purpose as "Purpose" { SimRegistration, InvestorOnboarding, DigitalId }
);
mirror_enum!(
    /// The tier of digital ID asked for, t1 (lowest) to t4 (attended, officer-confirmed).
    ApiTier => Tier as "Tier" { T1, T2, T3, T4 }
);
mirror_enum!(
    /// Where the application was opened.
    ApiChannel => Channel as "Channel" { TelecomShop, InvestorPortal, SelfService, OfficerCounter }
);
mirror_enum!(
    /// Where an application stands.
    ApiStatus => ApplicationStatus as "ApplicationStatus" {
        Received, AwaitingEvidence, InReview, Completed, Rejected, Expired, Cancelled
    }
);
mirror_enum!(
    /// Evidence the person provides.
    ApiEvidenceKind => EvidenceKind as "EvidenceKind" { Mrz, Chip, Selfie, MobileNumber }
);
mirror_enum!(
    /// A step of the proofing workflow.
    ApiStep => Step as "Step" {
        Intake, Mrz, Chip, Face, Immigration, Mobile, Review, Decision, Expiry, Cancellation
    }
);
mirror_enum!(
    /// What a step concluded.
    ApiVerdict => Verdict as "Verdict" { Passed, Failed, Flagged }
);

/// A request to open an application.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CreateApplication", deny_unknown_fields)]
pub(crate) struct CreateApplication {
    /// Why the person is being proofed.
    pub purpose: ApiPurpose,
    /// The tier of digital ID asked for.
    pub tier: ApiTier,
    /// Where the application is opened.
    pub channel: ApiChannel,
    /// The client's own reference, returned as given. It must not hold personal data.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub client_reference: Option<String>,
}

/// A step's recorded verdict.
#[derive(Clone, Debug, Object)]
#[oai(rename = "StepResult")]
pub struct StepView {
    /// The step.
    pub step: ApiStep,
    /// Which attempt at the step, from 1.
    pub attempt: i32,
    /// What it concluded.
    pub verdict: ApiVerdict,
    /// A stable reason code.
    pub reason: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Something an officer must look at.
#[derive(Clone, Debug, Object)]
pub struct Flag {
    /// The step that raised it.
    pub step: ApiStep,
    /// A stable reason code.
    pub reason: String,
}

/// An application as its client sees it.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Application")]
pub struct ApplicationView {
    /// Its id.
    pub id: Uuid,
    /// Where it stands.
    pub status: ApiStatus,
    /// Why the person is being proofed.
    pub purpose: ApiPurpose,
    /// The tier asked for.
    pub tier: ApiTier,
    /// Where it was opened.
    pub channel: ApiChannel,
    /// The client's own reference.
    pub client_reference: Option<String>,
    /// Evidence still to provide, in the order a clerk would collect it.
    pub evidence_needed: Vec<ApiEvidenceKind>,
    /// The steps done so far, oldest first.
    pub steps: Vec<StepView>,
    /// What has been flagged for an officer.
    pub flags: Vec<Flag>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ApplicationView {
    /// The view of an application and its recorded steps.
    pub fn new(application: ApplicationRecord, steps: Vec<StepRecord>) -> Self {
        let evidence_needed = if application.status.is_final() {
            Vec::new()
        } else {
            let plan = EvidencePlan::for_application(
                application.purpose,
                application.tier,
                application.channel,
            );
            let passed = |kind: &EvidenceKind| {
                steps.iter().any(|step| step.verdict == Verdict::Passed && step.step == kind.step())
            };
            plan.map(|plan| plan.required)
                .unwrap_or_default()
                .into_iter()
                .filter(|kind| !passed(kind))
                .map(ApiEvidenceKind::from)
                .collect()
        };

        let flags = steps
            .iter()
            .filter(|step| step.verdict == Verdict::Flagged)
            .map(|step| Flag { step: step.step.into(), reason: step.reason.clone() })
            .collect();
        let steps = steps
            .into_iter()
            .map(|step| StepView {
                step: step.step.into(),
                attempt: step.attempt,
                verdict: step.verdict.into(),
                reason: step.reason,
                recorded_at: step.recorded_at,
            })
            .collect();

        Self {
            id: application.id.as_uuid(),
            status: application.status.into(),
            purpose: application.purpose.into(),
            tier: application.tier.into(),
            channel: application.channel.into(),
            client_reference: application.client_reference,
            evidence_needed,
            steps,
            flags,
            created_at: application.created_at,
            updated_at: application.updated_at,
        }
    }
}
