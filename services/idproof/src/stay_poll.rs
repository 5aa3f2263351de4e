//! The scheduled re-check: the worker reads the registry's feed of stay changes after the
//! cursor kept in the database, and acts on each change as a pushed one.
//!
//! A task in each worker process rather than a Temporal workflow: it keeps nothing but the
//! cursor, which the database holds, and replicas that read the same change act on it once
//! (the change's cursor is recorded), or at worst twice under a race, which only asks the
//! registry once more.

use std::time::Duration;

use anyhow::Context;
use idproof_api::StayChangeReceiver;
use idproof_immigration::RegistryClient;
use idproof_proofing::{Clock, SystemClock};
use idproof_store::Store;
use tokio::time::MissedTickBehavior;

/// The name the feed's cursor is kept under.
const FEED: &str = "immigration";
/// The most changes asked for at once.
const PAGE: u16 = 100;

/// Reads the feed every `interval`, the first time at once, until the task is dropped.
pub async fn poll_stay_changes(
    registry: RegistryClient,
    receiver: StayChangeReceiver,
    store: Store,
    interval: Duration,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match read_feed(&registry, &receiver, &store).await {
            Ok(0) => {}
            Ok(read) => tracing::info!(read, "stay change feed read"),
            Err(err) => tracing::warn!(error = ?err, "stay change feed not read; next time"),
        }
    }
}

/// Acts on every change after the kept cursor, a page at a time, moving the cursor on after
/// each page. Returns how many changes were read.
async fn read_feed(
    registry: &RegistryClient,
    receiver: &StayChangeReceiver,
    store: &Store,
) -> anyhow::Result<usize> {
    let mut after = store.feed_cursor(FEED).await.context("failed to read the feed's cursor")?;
    let mut read = 0;
    loop {
        let page = registry
            .stay_changes(after, PAGE)
            .await
            .map_err(|err| anyhow::anyhow!("{} ({})", err.code(), err))
            .context("failed to read the stay change feed")?;
        for change in &page.changes {
            receiver.receive(change).await.context("failed to act on a stay change")?;
        }
        read += page.changes.len();

        if page.next_cursor <= after {
            return Ok(read);
        }
        after = page.next_cursor;
        store
            .set_feed_cursor(FEED, after, SystemClock.now())
            .await
            .context("failed to keep the feed's cursor")?;
        if page.changes.len() < usize::from(PAGE) {
            return Ok(read);
        }
    }
}
