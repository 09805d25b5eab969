//! What changed in the sandbox, for the dashboard's live pages (`dashboard::events`): one counter per [`Topic`] in
//! a `tokio::sync::watch` channel.
//!
//! A change is a counter bump ([`Changes::bump`]): no formatting, no allocation, one short lock, so the journal
//! can bump on every call. Readers see only the latest counters, so a burst of changes wakes a page once.

use tokio::sync::watch;

/// What a page shows, and so what can make it stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topic {
    /// A call was answered (it may also have changed the ledger and used an armed scenario or fault).
    Journal,
    /// Payments or records changed outside a call (an admin route, a pay page, an auto-completion).
    Ledger,
    /// A notification attempt was recorded.
    Notifications,
    /// A scenario or fault was armed or disarmed.
    Armed,
}

impl Topic {
    const ALL: [Topic; 4] = [Topic::Journal, Topic::Ledger, Topic::Notifications, Topic::Armed];

    /// The topic's name in the events stream and in a page's `data-topics`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Topic::Journal => "journal",
            Topic::Ledger => "ledger",
            Topic::Notifications => "notifications",
            Topic::Armed => "armed",
        }
    }
}

/// How many changes each topic has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counters([u64; Topic::ALL.len()]);

impl Counters {
    /// The topics whose counter moved since `before`.
    pub(crate) fn since(&self, before: &Counters) -> Vec<Topic> {
        Topic::ALL
            .into_iter()
            .filter(|&topic| self.0[topic as usize] != before.0[topic as usize])
            .collect()
    }
}

/// The sandbox's change counters. Cheap to clone: clones bump the same counters.
#[derive(Debug, Clone)]
pub(crate) struct Changes(watch::Sender<Counters>);

impl Changes {
    pub(crate) fn new() -> Self {
        Self(watch::Sender::new(Counters::default()))
    }

    /// Counts one change of `topic` and wakes whoever watches. With nobody watching it does nothing: a reader takes
    /// the counters as they are when it subscribes and looks only for later changes, and every call of every thread
    /// writing the one shared counter for nobody was a lock and a cache line passed between the cores per call.
    pub(crate) fn bump(&self, topic: Topic) {
        if self.0.receiver_count() > 0 {
            self.0.send_modify(|counters| counters.0[topic as usize] += 1);
        }
    }

    /// A receiver of the counters from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Counters> {
        self.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_sees_which_topics_moved() {
        let changes = Changes::new();
        let mut seen = changes.subscribe();
        let before = *seen.borrow_and_update();
        changes.bump(Topic::Notifications);
        changes.bump(Topic::Notifications);
        changes.bump(Topic::Armed);
        assert!(seen.has_changed().unwrap_or(false));
        let now = *seen.borrow_and_update();
        assert_eq!(now.since(&before), [Topic::Notifications, Topic::Armed]);
        assert!(now.since(&now).is_empty());
    }
}
