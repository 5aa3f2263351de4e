//! The API's view of the domain: enums and objects as they appear in the OpenAPI document.

use chrono::{DateTime, NaiveDate, Utc};
use idproof_proofing::{
    ApplicationStatus, Channel, EvidenceKind, EvidencePlan, Purpose, Step, Tier, Verdict,
};
use idproof_store::{ApplicationRecord, DecisionRecord, StepRecord};
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use crate::sim::{ShopVisitInput, SimRegistrationView};

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
    ApiEvidenceKind => EvidenceKind as "EvidenceKind" { Mrz, Chip, Selfie, MobileNumber, StayRecord }
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
    /// Who registers the SIM: required for `sim_registration`, refused for other purposes.
    pub shop_visit: Option<ShopVisitInput>,
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
    /// The policy's decision, once the evidence has been judged as a whole.
    pub decision: Option<DecisionView>,
    /// For a SIM registration: the shop visit and, once decided, its record.
    pub sim_registration: Option<SimRegistrationView>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ApplicationView {
    /// The view of an application, its recorded steps and its latest decision.
    pub fn new(
        application: ApplicationRecord,
        steps: Vec<StepRecord>,
        decision: Option<DecisionRecord>,
    ) -> Self {
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
            decision: decision.map(DecisionView::from),
            sim_registration: None,
            created_at: application.created_at,
            updated_at: application.updated_at,
        }
    }
}

impl ApplicationView {
    /// The view with the application's SIM registration, if it has one.
    pub fn with_sim_registration(mut self, sim: Option<SimRegistrationView>) -> Self {
        self.sim_registration = sim;
        self
    }
}

/// The policy's decision on an application: the tier reached, until when, and why.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Decision")]
pub struct DecisionView {
    /// The policy version that decided.
    pub policy_version: String,
    /// The user group of the person's visa category, when it was found.
    pub user_group: Option<String>,
    /// The tier the evidence reached; absent when it reached none.
    pub tier: Option<ApiTier>,
    /// The last day a digital ID issued on this decision may be valid: the earliest of the
    /// passport's expiry, the end of the permitted stay and the tier's maximum.
    pub valid_until: Option<NaiveDate>,
    /// What the policy flagged for an officer.
    pub flags: Vec<DecisionFlag>,
    /// Each rule the policy applied, in order.
    pub rules: Vec<AppliedRule>,
    /// When it was decided.
    pub decided_at: DateTime<Utc>,
}

/// A flag the policy raised.
#[derive(Clone, Debug, Object, Deserialize)]
pub struct DecisionFlag {
    /// A stable code such as `stay.overstayed` or `registry.unavailable`.
    pub code: String,
    /// Why, in a sentence that quotes no personal data.
    pub reason: String,
}

/// A rule of the policy as it applied to this application.
#[derive(Clone, Debug, Object, Deserialize)]
pub struct AppliedRule {
    /// The rule's id in the policy file.
    pub rule: String,
    /// Whether it held.
    pub held: bool,
    /// Why, in a sentence that quotes no personal data.
    pub reason: String,
    /// The steps whose evidence it used.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// The stored explanation's shape.
#[derive(Deserialize)]
struct Explanation {
    #[serde(default)]
    rules: Vec<AppliedRule>,
}

impl From<DecisionRecord> for DecisionView {
    fn from(decision: DecisionRecord) -> Self {
        let flags = serde_json::from_value(decision.flags).unwrap_or_else(|err| {
            tracing::error!(error = %err, "a stored decision's flags do not read");
            Vec::new()
        });
        let rules = serde_json::from_value::<Explanation>(decision.explanation)
            .map(|explanation| explanation.rules)
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, "a stored decision's explanation does not read");
                Vec::new()
            });
        Self {
            policy_version: decision.policy_version,
            user_group: decision.user_group,
            tier: decision.tier.map(ApiTier::from),
            valid_until: decision.valid_until,
            flags,
            rules,
            decided_at: decision.decided_at,
        }
    }
}
