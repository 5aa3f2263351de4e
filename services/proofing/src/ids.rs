//! Identifiers. They carry no personal data, so they are what workflows and logs may hold.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new identifier, time-ordered (UUID v7) so that database indexes stay compact.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The identifier as a UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// One proofing application, and the id of the workflow that runs it.
    ApplicationId
);
id_type!(
    /// An API client: a telecom shop chain, an investor portal, an officer console.
    ClientId
);
id_type!(
    /// One piece of evidence stored encrypted (an MRZ image, a chip dump, a selfie).
    EvidenceId
);
