//! Pushes each new stay change to a callback URL, best effort: a few tries with backoff, then
//! it is dropped. The feed stays the source of truth; a receiver that missed a push catches up
//! by reading it.

use std::time::Duration;

use reqwest::Url;
use tokio::sync::mpsc;

use crate::records::StayChange;

/// How many changes may wait to be pushed; beyond, new ones are dropped (the feed has them).
const QUEUE: usize = 1024;
/// How long one try may take.
const TRY_TIMEOUT: Duration = Duration::from_secs(5);
/// The pauses before the second, third and fourth tries.
const BACKOFF: [Duration; 3] =
    [Duration::from_millis(200), Duration::from_secs(1), Duration::from_secs(3)];

/// Hands changes to the task that pushes them, in order.
#[derive(Clone, Debug)]
pub struct Pusher {
    queue: mpsc::Sender<StayChange>,
}

impl Pusher {
    /// Starts the task that pushes to `callback`. It ends once every [`Pusher`] is dropped and
    /// the queue is empty.
    /// Each push carries `api_key` as `X-Api-Key` when one is given.
    pub fn spawn(callback: Url, api_key: Option<String>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().timeout(TRY_TIMEOUT).build()?;
        let (queue, mut receiver) = mpsc::channel::<StayChange>(QUEUE);
        tokio::spawn(async move {
            while let Some(change) = receiver.recv().await {
                push(&client, &callback, api_key.as_deref(), &change).await;
            }
        });
        Ok(Self { queue })
    }

    /// Queues `change` to be pushed.
    pub fn push(&self, change: StayChange) {
        if let Err(err) = self.queue.try_send(change) {
            let cursor = match &err {
                mpsc::error::TrySendError::Full(change)
                | mpsc::error::TrySendError::Closed(change) => change.cursor,
            };
            tracing::warn!(cursor, "stay change not pushed: the push queue is full or closed");
        }
    }
}

async fn push(
    client: &reqwest::Client,
    callback: &Url,
    api_key: Option<&str>,
    change: &StayChange,
) {
    let mut pauses = BACKOFF.iter();
    let mut attempt = 1;
    loop {
        let mut request = client.post(callback.clone()).json(change);
        if let Some(key) = api_key {
            request = request.header("X-Api-Key", key);
        }
        let outcome = request.send().await;
        let failure = match outcome {
            Ok(response) if response.status().is_success() => {
                tracing::debug!(cursor = change.cursor, attempt, "stay change pushed");
                return;
            }
            Ok(response) => format!("the callback answered {}", response.status().as_u16()),
            Err(err) if err.is_timeout() => "the callback timed out".to_owned(),
            Err(_) => "the callback could not be reached".to_owned(),
        };
        let Some(pause) = pauses.next() else {
            tracing::warn!(
                cursor = change.cursor,
                record_id = %change.record_id,
                kind = change.kind.code(),
                attempt,
                failure,
                "stay change not pushed; it stays in the feed"
            );
            return;
        };
        tracing::debug!(cursor = change.cursor, attempt, failure, "stay change push failed");
        tokio::time::sleep(*pause).await;
        attempt += 1;
    }
}
