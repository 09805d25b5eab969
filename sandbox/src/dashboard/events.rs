//! `GET /_sandbox/ui/events`: server-sent events telling the dashboard's live pages what changed. Each event is
//! `event: change` with the changed topics as data (`journal ledger`); a page fetches its content again when one of
//! its topics is named.
//!
//! The stream reads `changes`' counters: a burst of calls makes one event, and events are at least
//! [`MIN_INTERVAL`] apart, so a page open during a benchmark fetches a few times a second, not once per call. The
//! stream ends when the browser leaves, or when the sandbox stops (its connection could not close otherwise, and
//! it holds the sandbox alive).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::stream;

use crate::Sandbox;

/// Shortest time between two events of one stream.
const MIN_INTERVAL: Duration = Duration::from_millis(200);

pub(super) async fn stream(State(sandbox): State<Sandbox>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut changes = sandbox.inner.changes.subscribe();
    let seen = *changes.borrow_and_update();
    // The stream holds a receiver, not the sandbox: the events stop when the sandbox's changes do.
    drop(sandbox);
    let stop = crate::server::stopping();
    let events = stream::unfold(
        (changes, seen, false, stop),
        |(mut changes, seen, sent, mut stop)| async move {
            if sent {
                // Changes made meanwhile are not lost: the receiver still sees them as unread.
                tokio::time::sleep(MIN_INTERVAL).await;
            }
            loop {
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    () = stop.wait() => return None,
                }
                let now = *changes.borrow_and_update();
                let topics: Vec<&str> = now.since(&seen).into_iter().map(|t| t.name()).collect();
                if !topics.is_empty() {
                    let event = Event::default().event("change").data(topics.join(" "));
                    return Some((Ok(event), (changes, now, true, stop)));
                }
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::default())
}
