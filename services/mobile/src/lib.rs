//! Binding a Thai mobile number to a proven identity: the numbers, the one-time codes that prove
//! the person holds one, the limits on sending and guessing them, and the gateways that send them.
//!
//! - [`MobileNumber::parse`] reads a Thai mobile number as people write it and refuses others
//!   with a stable code (`mobile.format`, `mobile.not_thai`, `mobile.landline`,
//!   `mobile.reserved`). Its `Display` and `Debug` are masked. [`Operator`] is what the shop
//!   declares, recorded with the binding: numbers move between operators.
//! - [`OneTimeCode::generate`] draws six digits from a CSPRNG; [`CodeHasher`] keeps only an
//!   HMAC-SHA256 of the code bound to its challenge and compares in constant time.
//! - [`Challenge`] is the pure state machine of one code: expiry, attempts, lock and replay.
//!   [`SendPolicy`] decides whether a number may be sent another code. [`OtpLimits`] holds every
//!   limit, with defaults.
//! - [`SmsGateway`] sends the text ([`MessageTemplate`]): [`HttpJsonGateway`] for production,
//!   [`ConsoleGateway`] for `idproof dev`. [`SmsError`] says which failures a retry can help.
//!
//! Nothing here knows HTTP routes, the database or Temporal; time is always passed in.

#![warn(missing_docs)]

mod challenge;
mod code;
mod limits;
mod message;
mod number;
mod operator;
mod sms;

pub use challenge::{Challenge, ChallengeState, ReissueRefused, VerifyOutcome};
pub use code::{CODE_DIGITS, CodeHash, CodeHasher, InvalidCodeHash, OneTimeCode, WeakKey};
pub use limits::{InvalidLimits, OtpLimits, SendPolicy, SendRefused};
pub use message::{InvalidTemplate, MessageTemplate};
pub use number::{MAX_INPUT_LEN, MobileNumber, NumberError};
pub use operator::{Licensee, Operator};
pub use sms::{
    AuthHeader, ConsoleGateway, HttpGatewayConfig, HttpJsonGateway, SendFuture, SentMessage,
    SmsError, SmsGateway,
};
