//! The console gateway of `idproof dev`: it logs the text, code included (that is its purpose),
//! and the number masked.

use tracing::info;

use crate::{MobileNumber, SendFuture, SentMessage, SmsGateway};

/// Logs each message at `info` under the target `idproof::dev_sms` instead of sending it. For
/// development only: the log carries the code.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleGateway;

impl SmsGateway for ConsoleGateway {
    fn send<'a>(&'a self, to: &'a MobileNumber, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            info!(target: "idproof::dev_sms", to = %to.masked(), text, "SMS not sent (dev console)");
            Ok(SentMessage::default())
        })
    }
}
