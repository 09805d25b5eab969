//! Calls sent again: the keys that make a call a repeat of an earlier one, and how a repeat is answered.
//!
//! Two kinds of key. An endpoint's `idempotency_keys` name request fields (SNAP's `partnerReferenceNo`), per client
//! and endpoint. A provider's `idempotency` header (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`) names
//! one request per client, whatever the endpoint: the request is its endpoint with its path parameters and body, so
//! the same key on another endpoint or with other parameters is another request (WooshPay's `idempotency_error`:
//! "re-used on a request that does not match the first request's API endpoint and parameters").
//!
//! The same request again gets the first answer byte for byte, with the provider's replay status for a header key
//! (DOKU's 409); another request under a used key is refused as an inconsistent request, in the provider's shape.
//! Either way nothing is committed. Only successful answers are remembered (a refused call did nothing, so doing it
//! again is safe), and a call without the header is remembered under none.

use std::fmt::Write as _;

use serde_json::Value;
use snapbi_spec::ir::Situation;

use super::at_path;
use crate::answer::{Answer, Fill};
use crate::call::Call;
use crate::ledger::{Books, request_digest};

/// What makes a call a repeat of an earlier one: the keys its answer is remembered under, and what it asks.
pub(super) struct Repeat {
    /// The endpoint's `idempotency_keys` values, with the endpoint and client: the key a record it creates
    /// remembers.
    pub(super) body_key: Option<String>,
    /// The provider's idempotency header's value, with the provider and client.
    header_key: Option<String>,
    /// The provider's status for a repeat under the header key; none: the first answer's own.
    replay_status: Option<u16>,
    /// [`request_digest`] of the call: made only beside a key, since a call without one is neither looked up nor
    /// remembered.
    request: Option<[u8; 32]>,
}

impl Repeat {
    /// The keys of a call of `client` with `body` (its path parameters beside its fields).
    pub(super) fn of(call: &Call<'_>, client: &str, body: &Value) -> Self {
        let idempotency = call.provider.idempotency.as_ref();
        let body_key = body_key(call, client, body);
        let header_key = idempotency.and_then(|i| header_key(call, client, &i.header));
        let keyed = body_key.is_some() || header_key.is_some();
        Repeat {
            body_key,
            header_key,
            replay_status: idempotency.and_then(|i| i.replay_status),
            request: keyed.then(|| request_digest(&call.endpoint.info.id, body)),
        }
    }

    /// The answer to a call that repeats a remembered one, under its header key first: the first answer again, or
    /// the refusal of another request under a used key. None for a new call.
    pub(super) fn answer(&self, call: &Call<'_>, books: &Books) -> Option<Answer> {
        let under = |key: &Option<String>| key.as_deref().and_then(|k| books.remembered(k));
        if let Some(seen) = under(&self.header_key) {
            return Some(match Some(seen.request) == self.request {
                true => {
                    let mut first = seen.answer();
                    first.status = self.replay_status.unwrap_or(first.status);
                    first.because("the same request under a used idempotency key: the first answer again")
                }
                false => inconsistent(call, "an idempotency key used before with another request"),
            });
        }
        let seen = under(&self.body_key)?;
        Some(match Some(seen.request) == self.request {
            true => seen.answer().because("idempotent replay: the answer of the first call"),
            false => inconsistent(call, "same idempotency key as an earlier call, different content"),
        })
    }

    /// Remembers a successful `answer` under each of the call's keys.
    pub(super) fn remember(self, books: &mut Books, answer: &mut Answer) {
        let Some(request) = self.request.filter(|_| answer.is_success()) else {
            return;
        };
        for key in [self.header_key, self.body_key].into_iter().flatten() {
            books.remember(key, request, answer);
        }
    }
}

fn inconsistent(call: &Call<'_>, why: &str) -> Answer {
    call.answer(Situation::InconsistentRequest, Fill::default())
        .because(why)
}

/// The endpoint's idempotency keys' values, with the endpoint and client: None without keys.
fn body_key(call: &Call<'_>, client: &str, body: &Value) -> Option<String> {
    let keys = &call.endpoint.idempotency_keys;
    if keys.is_empty() {
        return None;
    }
    let mut key = String::with_capacity(64);
    let _ = write!(key, "{}\u{1f}{client}", call.endpoint.info.id);
    for path in keys {
        let _ = write!(key, "\u{1f}{}", at_path(body, path)?);
    }
    Some(key)
}

/// The value of the provider's idempotency `header`, with the provider and client: None when the call has none. A
/// provider name has no `.`, so this never equals an endpoint's [`body_key`].
fn header_key(call: &Call<'_>, client: &str, header: &str) -> Option<String> {
    let value = call.parts.headers.get(header)?.to_str().ok()?.trim();
    let provider = &call.provider.name;
    (!value.is_empty()).then(|| format!("{provider}\u{1f}{client}\u{1f}{header}\u{1f}{value}"))
}
