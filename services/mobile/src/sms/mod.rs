//! The gateways that deliver a code: a generic HTTP JSON one for production and a console one
//! for `idproof dev`.
//!
//! A gateway makes one attempt per call and never retries: delivery failures are retried as
//! activity retries, guided by [`SmsError::is_transient`] and [`SmsError::retry_after`].

mod console;
mod error;
mod http;

use std::{future::Future, pin::Pin};

pub use console::ConsoleGateway;
pub use error::SmsError;
pub use http::{AuthHeader, HttpGatewayConfig, HttpJsonGateway};

use crate::MobileNumber;

/// What a gateway says of a message it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SentMessage {
    /// The gateway's id for the message, when it gives one.
    pub gateway_message_id: Option<String>,
}

/// The future a gateway's `send` returns: boxed, so gateways work behind `Arc<dyn SmsGateway>`.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<SentMessage, SmsError>> + Send + 'a>>;

/// Something that sends an SMS.
pub trait SmsGateway: Send + Sync {
    /// Sends `text` to `to`, once.
    fn send<'a>(&'a self, to: &'a MobileNumber, text: &'a str) -> SendFuture<'a>;
}
