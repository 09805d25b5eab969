//! What one call keeps on every request it sends, and its resends under the provider's idempotency key.
//!
//! A call sends more than one request when its B2B token is refused (refreshed, then replayed), when its answer is
//! lost and the provider has an idempotency key (sent again under the same key), and when a money-moving call's
//! status endpoint says the provider never saw it. Each of these is the same call, so it keeps its request id
//! (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`): the provider then recognises the repeat and answers
//! it with its first answer instead of doing the operation twice. A new call gets a fresh one.

use std::time::SystemTime;

use super::external_id::{external_id, external_id_at};
use super::{Client, Error, Reply};
use crate::code::{EndpointCode, Outcome};
use crate::endpoint::{AuthKind, EndpointInfo, HeaderSource};

/// The ids a call's requests carry: its X-EXTERNAL-ID and its request id.
#[derive(Clone, Debug)]
pub(super) struct CallIds {
    pub(super) external_id: String,
    /// A UUID v4 when the profile's headers for the call's auth kind send a `request_id` (DOKU's `Request-Id`,
    /// WooshPay's `Idempotency-Key`), else empty.
    pub(super) request_id: String,
}

impl CallIds {
    /// The same call sent again with a new X-EXTERNAL-ID (one may not be used twice in a day) and the same
    /// request id (the provider's idempotency key names the call).
    pub(super) fn with_new_external_id(self) -> CallIds {
        CallIds {
            external_id: external_id(),
            ..self
        }
    }
}

impl Client {
    /// The ids of a new call to `endpoint`.
    pub(super) fn call_ids(&self, endpoint: &EndpointInfo) -> CallIds {
        self.call_ids_at(endpoint, SystemTime::now())
    }

    /// The ids of a new call to `endpoint` made at `now`.
    pub(super) fn call_ids_at(&self, endpoint: &EndpointInfo, now: SystemTime) -> CallIds {
        CallIds {
            external_id: external_id_at(now),
            request_id: self.request_id(endpoint.auth),
        }
    }

    /// A fresh request id when the profile's headers for `auth` send one: unique per call (a UUID v4, 36 characters,
    /// within DOKU's 128). Nothing is made for profiles without one.
    fn request_id(&self, auth: AuthKind) -> String {
        let profile = self.inner.provider.headers_for(auth);
        match profile.iter().any(|(_, source)| source.is(&HeaderSource::RequestId)) {
            true => uuid::Uuid::new_v4().to_string(),
            false => String::new(),
        }
    }

    /// How many times a lost answer of `endpoint` may be sent again: the retry budget when its requests carry the
    /// provider's idempotency key (the provider then does the call once whatever reaches it), else none.
    pub(super) fn resends(&self, endpoint: &EndpointInfo) -> u32 {
        let Some(idempotency) = self.inner.provider.idempotency else {
            return 0;
        };
        let headers = self.inner.provider.headers_for(endpoint.auth);
        match headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(&idempotency.header))
        {
            true => self.inner.config.retry.budget,
            false => 0,
        }
    }

    /// Whether an answer of HTTP `status` to a request that carried `request_id` is the provider's replay of its
    /// first answer to the call (DOKU's 409 with the first body), to be read as that answer.
    pub(super) fn is_replay(&self, request_id: &str, status: u16) -> bool {
        let replays = self
            .inner
            .provider
            .idempotency
            .is_some_and(|i| i.is_replay_status(status));
        replays && !request_id.is_empty()
    }
}

/// Whether a call's answer was lost, so that sending it again under its idempotency key may get it: no answer at all,
/// an answer the provider says to try again later (a 5xx, 429), or a 5xx that is not the provider's JSON (a proxy's
/// page). A refusal, a success, a pending answer and an answer whose signature does not verify are answers.
pub(super) fn is_lost<R, C: EndpointCode>(answer: &Result<Reply<R, C>, Error<C>>) -> bool {
    match answer {
        Err(Error::Transport(_)) => true,
        Err(Error::Api { code, .. }) => code.outcome() == Outcome::Retry,
        Err(Error::InvalidBody { status, .. }) => *status >= 500,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::ResponseCode;

    fn refused(status: u16) -> Result<Reply<(), ResponseCode>, Error<ResponseCode>> {
        Err(Error::Api {
            status,
            code: ResponseCode::answered("", status),
            message: None,
            raw_body: Vec::new(),
        })
    }

    #[test]
    fn only_an_answer_that_says_nothing_final_is_lost() {
        assert!(is_lost(&refused(500)) && is_lost(&refused(503)) && is_lost(&refused(429)));
        assert!(!is_lost(&refused(400)) && !is_lost(&refused(409)) && !is_lost(&refused(401)));
        let proxy_page = Err(Error::InvalidBody {
            status: 502,
            raw_body: b"<html>".to_vec(),
        });
        assert!(is_lost::<(), ResponseCode>(&proxy_page));
        let unreadable = Err(Error::InvalidBody {
            status: 200,
            raw_body: b"<html>".to_vec(),
        });
        assert!(!is_lost::<(), ResponseCode>(&unreadable));
        let unverified = Err(Error::UnverifiedAnswer {
            status: 200,
            raw_body: Vec::new(),
        });
        assert!(!is_lost::<(), ResponseCode>(&unverified));
    }
}
