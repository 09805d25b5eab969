//! How a provider recognises a request sent again: the header that carries the merchant's idempotency key, and
//! the HTTP status its answer to a repeat comes with. As data.

use crate::Text;

/// A provider's idempotency key (`idempotency:` of a provider file): a request header whose value names one
/// request, so that the same request sent again with the same key gets the first answer instead of being done
/// twice (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`). The same key with another request is refused
/// as the provider refuses an inconsistent request.
///
/// The runtime keeps a call's key on every resend of it and resends a lost answer under it; the sandbox remembers
/// the first answer per client and key and answers a repeat with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The header that carries the key: one of the provider's headers, filled from `request_id`.
    pub header: Text,
    /// The HTTP status the provider answers a repeat with, the first answer's body unchanged (DOKU: 409);
    /// `None`: the first answer exactly as it was, status included.
    pub replay_status: Option<u16>,
}

impl Idempotency {
    /// Whether an answer of HTTP `status` to a request carrying the key is read as the provider's replay of its
    /// first answer: the body stands for that answer, whatever status it came with.
    pub fn is_replay_status(&self, status: u16) -> bool {
        self.replay_status == Some(status)
    }
}
