//! Safe retries for money-moving calls: when the answer to a payment or refund is lost (timeout,
//! connection error, 5xx, `202xx00 Request In Progress`), the client never invents new references and never
//! blindly sends again. It asks the endpoint's status endpoint (named in the spec, with the
//! [`StatusCheck`] that maps this request onto a status request) and then returns the settled result,
//! sends the same request again only if the provider never saw it, or — when the budget is spent —
//! returns [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
//!
//! A provider with an idempotency key (a provider file's `idempotency:`) makes resending safe: a call keeps its key
//! on every request it sends, a lost answer (no answer, 5xx, 429) is sent again under it within the same
//! [`RetryPolicy`], and the provider does the call once, answering the repeat with its first answer.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::endpoint::EndpointInfo;

pub use snapbi_descriptor::{QuerySource, Standard, StatusQuery};

/// How a money-moving endpoint's lost answers are settled: its spec's [`StatusQuery`], with the status endpoint
/// it names and that endpoint's request builder (the generated `STATUS_QUERY` of an endpoint).
#[derive(Debug)]
pub struct StatusCheck {
    /// The status endpoint.
    pub endpoint: &'static EndpointInfo,
    /// Checks the status request against the status endpoint's rules and serializes it (dropping fields
    /// the status endpoint does not know).
    pub body: fn(Value) -> Option<Vec<u8>>,
    /// Which status request fields come from where, and which answers settle.
    pub query: StatusQuery,
}

/// What a status answer says about the request asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// It succeeded (the status value).
    Succeeded(String),
    /// It failed for good (the status value).
    Failed(String),
    /// The provider never saw it: the same request may be sent again.
    NotFound,
    /// Not settled yet, or the answer did not say.
    Open,
}

impl StatusCheck {
    /// The status request body for an original request body, or None if it breaks the status endpoint's
    /// rules. A source field the original request left out is left out of the query too (the status
    /// endpoint's own rules then say whether it was needed).
    pub fn request_for(&self, original: &Value) -> Option<Vec<u8>> {
        let mut query = Map::new();
        for (name, source) in self.query.request.iter() {
            let value = match source {
                QuerySource::Value(v) => Some(Value::String(v.to_string())),
                QuerySource::From(path) => path.split('.').try_fold(original, |v, key| v.get(key)).cloned(),
            };
            if let Some(value) = value {
                query.insert(name.to_string(), value);
            }
        }
        (self.body)(Value::Object(query))
    }

    /// Reads a status answer (HTTP status and raw body); `standard` says which cases mean the provider never
    /// saw the request.
    pub fn settlement(&self, http_status: u16, raw_body: &[u8], standard: &Standard) -> Settlement {
        let Ok(body) = serde_json::from_slice::<Value>(raw_body) else {
            return Settlement::Open;
        };
        let code = body.get("responseCode").and_then(Value::as_str).unwrap_or_default();
        // A never-seen case counts only as the HTTP status it was sent with (`404` for `404xx01`).
        let sent_as = code.get(..3).and_then(|http| http.parse::<u16>().ok());
        if standard.is_never_seen(code) && sent_as == Some(http_status) {
            return Settlement::NotFound;
        }
        if !(200..300).contains(&http_status) {
            return Settlement::Open;
        }
        let value = body.get(&*self.query.field).and_then(Value::as_str).unwrap_or_default();
        let is = |values: &[snapbi_descriptor::Text]| values.iter().any(|v| v == value);
        if is(&self.query.success) {
            Settlement::Succeeded(value.to_owned())
        } else if is(&self.query.failed) {
            Settlement::Failed(value.to_owned())
        } else if is(&self.query.not_found) {
            Settlement::NotFound
        } else {
            Settlement::Open
        }
    }
}

/// How hard the client tries to settle a call whose answer it did not see. The defaults are safe: a few
/// status queries over about half a minute, never a new reference. The same budget and waits govern resends of a
/// lost answer under a provider's idempotency key (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`), each
/// with the call's own key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Status queries (and resends of a request the provider never saw, or of one under its idempotency key) before
    /// giving up.
    pub budget: u32,
    /// Wait before the first status query (or resend).
    pub first_wait: Duration,
    /// Longest wait between two queries (waits double up to it).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            budget: 6,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before query number `attempt` (0-based).
    pub fn wait(&self, attempt: u32) -> Duration {
        self.first_wait
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::AuthKind;
    use std::borrow::Cow::Borrowed;

    static STATUS: EndpointInfo = EndpointInfo {
        id: Borrowed("p.status"),
        provider: Borrowed("p"),
        method: Borrowed("POST"),
        path: Borrowed("/status"),
        service_code: Borrowed("55"),
        auth: AuthKind::Symmetric,
        summary: Borrowed(""),
        envelope: None,
        status_field: None,
    };

    static QUERY: StatusCheck = StatusCheck {
        endpoint: &STATUS,
        body: |v| serde_json::to_vec(&v).ok(),
        query: StatusQuery {
            endpoint: Borrowed("p.status"),
            request: Borrowed(&[
                (
                    Borrowed("originalPartnerReferenceNo"),
                    QuerySource::From(Borrowed("partnerReferenceNo")),
                ),
                (Borrowed("serviceCode"), QuerySource::Value(Borrowed("54"))),
                (
                    Borrowed("channel"),
                    QuerySource::From(Borrowed("additionalInfo.channel")),
                ),
            ]),
            field: Borrowed("latestTransactionStatus"),
            success: Borrowed(&[Borrowed("00")]),
            failed: Borrowed(&[Borrowed("05"), Borrowed("06")]),
            not_found: Borrowed(&[Borrowed("07")]),
        },
    };

    /// `standard.yaml`'s never-seen case: 404xx01 Transaction Not Found.
    fn standard() -> Standard {
        let never_seen = snapbi_descriptor::Case {
            http: 404,
            case: "01".into(),
            message: "Transaction Not Found".into(),
        };
        Standard {
            never_seen: vec![never_seen].into(),
            ..Standard::default()
        }
    }

    #[test]
    fn the_status_request_is_built_from_the_original() {
        let original = serde_json::json!({"partnerReferenceNo": "INV-1", "additionalInfo": {"channel": "X"}});
        let body = QUERY.request_for(&original).unwrap_or_default();
        assert_eq!(
            body,
            br#"{"originalPartnerReferenceNo":"INV-1","serviceCode":"54","channel":"X"}"#
        );
        let partial = QUERY
            .request_for(&serde_json::json!({"partnerReferenceNo": "INV-2"}))
            .unwrap_or_default();
        assert_eq!(
            partial, br#"{"originalPartnerReferenceNo":"INV-2","serviceCode":"54"}"#,
            "a missing source is left out"
        );
        let strict = StatusCheck {
            endpoint: &STATUS,
            body: |v| v.get("channel").and(serde_json::to_vec(&v).ok()),
            query: QUERY.query.clone(),
        };
        assert_eq!(
            strict.request_for(&serde_json::json!({})),
            None,
            "the status endpoint's rules decide"
        );
    }

    #[test]
    fn status_answers_settle_or_not() {
        let standard = standard();
        let settle = |http, body: &[u8]| QUERY.settlement(http, body, &standard);
        let answer = |status: &str| format!(r#"{{"responseCode":"2005500","latestTransactionStatus":"{status}"}}"#);
        assert_eq!(settle(200, answer("00").as_bytes()), Settlement::Succeeded("00".into()));
        assert_eq!(settle(200, answer("06").as_bytes()), Settlement::Failed("06".into()));
        assert_eq!(settle(200, answer("07").as_bytes()), Settlement::NotFound);
        assert_eq!(settle(200, answer("01").as_bytes()), Settlement::Open);
        assert_eq!(settle(404, br#"{"responseCode":"4045501"}"#), Settlement::NotFound);
        assert_eq!(
            settle(404, br#"{"responseCode":"4045502"}"#),
            Settlement::Open,
            "another 404 case"
        );
        assert_eq!(settle(500, b"oops"), Settlement::Open);
    }

    #[test]
    fn waits_double_up_to_the_maximum() {
        let policy = RetryPolicy {
            budget: 5,
            first_wait: Duration::from_millis(100),
            max_wait: Duration::from_millis(350),
        };
        let waits: Vec<u128> = (0..4).map(|i| policy.wait(i).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
