//! The notifications a notifier sent, kept so that one can be sent again (the dashboard's Resend): each with its
//! number, its URL, the exact bytes of its body, and how many attempts it has had, so that every attempt, a resend
//! too, is numbered after the ones before it even while the retries of the first delivery are still running.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;

/// Most notifications kept for resending; older ones are forgotten first (their attempts stay recorded).
pub const MAX_KEPT_NOTIFICATIONS: usize = 1_000;

/// One notification as it was sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// Its number, unique within the sandbox.
    pub(crate) n: u64,
    /// The notify URL.
    pub(crate) url: String,
    /// The body, byte for byte as signed and sent.
    pub(crate) body: Bytes,
    /// Attempts numbered so far.
    attempts: u32,
}

/// The notifications kept, oldest first.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    sent: Mutex<VecDeque<Sent>>,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Sent>> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps notification `n`, forgetting the oldest beyond [`MAX_KEPT_NOTIFICATIONS`]; the number of the one
    /// forgotten.
    pub(super) fn keep(&self, n: u64, url: String, body: Bytes) -> Option<u64> {
        self.keep_attempted(n, url, body, 0)
    }

    /// Keeps notification `n` read back from a state file, with the attempts it had.
    pub(super) fn keep_attempted(&self, n: u64, url: String, body: Bytes, attempts: u32) -> Option<u64> {
        let mut sent = self.lock();
        let forgotten = match sent.len() >= MAX_KEPT_NOTIFICATIONS {
            true => sent.pop_front().map(|s| s.n),
            false => None,
        };
        sent.push_back(Sent { n, url, body, attempts });
        forgotten
    }

    /// Notification `n`, while it is kept.
    pub(super) fn get(&self, n: u64) -> Option<Sent> {
        // Searched from the newest: a resend is usually of a recent notification.
        self.lock().iter().rev().find(|s| s.n == n).cloned()
    }

    /// The number of notification `n`'s next attempt (counted here), or `None` once it is forgotten.
    pub(super) fn next_attempt(&self, n: u64) -> Option<u32> {
        let mut sent = self.lock();
        let kept = sent.iter_mut().rev().find(|s| s.n == n)?;
        kept.attempts += 1;
        Some(kept.attempts)
    }

    /// Every notification kept, oldest first.
    pub(super) fn list(&self) -> Vec<Sent> {
        self.lock().iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_numbered_per_notification_and_the_oldest_forgotten() {
        let outbox = Outbox::default();
        outbox.keep(1, "http://127.0.0.1:1/a".into(), Bytes::from_static(b"{}"));
        outbox.keep(2, "http://127.0.0.1:1/b".into(), Bytes::from_static(b"[]"));
        assert_eq!(outbox.next_attempt(2), Some(1));
        assert_eq!(outbox.next_attempt(2), Some(2));
        assert_eq!(outbox.next_attempt(1), Some(1));
        assert_eq!(outbox.get(2).map(|s| s.url).as_deref(), Some("http://127.0.0.1:1/b"));
        assert!(outbox.get(3).is_none() && outbox.next_attempt(3).is_none());
        for n in 3..=(MAX_KEPT_NOTIFICATIONS as u64 + 1) {
            outbox.keep(n, String::new(), Bytes::new());
        }
        assert!(outbox.get(1).is_none(), "forgotten");
        assert_eq!(outbox.list().len(), MAX_KEPT_NOTIFICATIONS);
    }
}
