//! What a call gives back: a typed reply, or a typed error that keeps whatever was received.

use std::fmt;

use crate::code::{EndpointCode, ResponseCode};
use crate::secret::redacted_text;
use crate::signature::SignError;

/// A decoded answer with a success or pending code. Its `Debug` shows the raw body as text, with the
/// members the spec marks sensitive redacted.
#[derive(Clone)]
pub struct Reply<R, C> {
    /// HTTP status, as received: a provider's replay of its first answer to a call sent again keeps the status the
    /// provider answers repeats with (DOKU's non-SNAP 409), its body and code being the first answer's.
    pub status: u16,
    /// The response code, typed for the endpoint.
    pub code: C,
    /// responseMessage.
    pub message: Option<String>,
    /// The decoded body.
    pub body: R,
    /// The body exactly as received.
    pub raw_body: Vec<u8>,
    /// The X-EXTERNAL-ID the request was sent with (later requests refer to it, e.g. a refund's
    /// `originalExternalId`).
    pub external_id: String,
    /// The request id the call was sent with, for a provider that sends one (DOKU's non-SNAP `Request-Id`, which
    /// check status also finds an order by; WooshPay's `Idempotency-Key`): the call's idempotency key, the same on
    /// every resend of the call; empty otherwise.
    pub request_id: String,
}

impl<R: fmt::Debug, C: EndpointCode> fmt::Debug for Reply<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("body", &self.body)
            .field("raw_body", &RawBody::<C>::new(&self.raw_body))
            .field("external_id", &self.external_id)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// Why a call did not succeed. Every variant that had an answer keeps its status and raw body.
///
/// `Display` of a refusal ([`Error::Api`]) gives the code, the provider's own `responseMessage` as received
/// and what the spec says of the code, e.g.
/// `4015400 "Unauthorized. Invalid Signature" (HTTP 401; the spec's Unauthorized, "Unauthorized. {reason}", outcome auth)`.
/// `Debug` shows raw bodies as text (invalid UTF-8 lossily), with the members the spec marks sensitive and
/// the standard's credential members redacted ([`EndpointCode::SENSITIVE_KEYS`]).
#[derive(thiserror::Error)]
pub enum Error<C: EndpointCode> {
    /// The provider answered with a code that is not a success.
    #[error("{}", ApiSummary { status: *status, code, message: message.as_deref() })]
    Api {
        /// HTTP status.
        status: u16,
        /// The response code, typed for the endpoint.
        code: C,
        /// responseMessage.
        message: Option<String>,
        /// The body exactly as received.
        raw_body: Vec<u8>,
    },
    /// The answer is not a SNAP JSON body.
    #[error("HTTP {status}: the answer is not a SNAP JSON body")]
    InvalidBody {
        /// HTTP status.
        status: u16,
        /// The body exactly as received.
        raw_body: Vec<u8>,
    },
    /// The answer's signature does not verify (with the provider's public key, or with the shared secret of a
    /// provider that signs its answers by HMAC): it may not be the provider's. Its content is not trusted (the
    /// outcome is unknown).
    #[error("HTTP {status}: the answer's signature does not verify with the provider's key")]
    UnverifiedAnswer {
        /// HTTP status.
        status: u16,
        /// The body exactly as received.
        raw_body: Vec<u8>,
    },
    /// The B2B access token could not be obtained.
    #[error("B2B token request failed: HTTP {status}, code {code}")]
    Token {
        /// HTTP status.
        status: u16,
        /// The token endpoint's response code.
        code: ResponseCode,
        /// The body exactly as received.
        raw_body: Vec<u8>,
    },
    /// No answer: connection, timeout or TLS problem. The request may or may not have been processed.
    #[error("transport: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request could not be signed (missing credential, bad key).
    #[error("signing: {0}")]
    Signing(#[from] SignError),
    /// The request could not be serialized.
    #[error("serialize: {0}")]
    Serialize(#[source] serde_json::Error),
    /// The answer was lost and the status endpoint says the operation failed for good.
    #[error("declined: the status endpoint reports {status}")]
    Declined {
        /// The status value (e.g. `06`).
        status: String,
        /// The status answer exactly as received.
        raw_body: Vec<u8>,
    },
    /// The answer was lost and the retry budget is spent without the status endpoint settling it: the
    /// operation may or may not have happened. Reconcile later with the same references.
    #[error("outcome unknown after {queries} status queries (the last answer is kept in `last`)")]
    OutcomeUnknown {
        /// Status queries made.
        queries: u32,
        /// The last answer (or failure) of the call itself.
        last: Box<Error<C>>,
    },
}

/// What `Display` says of a refusal: code, the provider's message, then the spec's view of the code.
struct ApiSummary<'a, C> {
    status: u16,
    code: &'a C,
    message: Option<&'a str>,
}

impl<C: EndpointCode> fmt::Display for ApiSummary<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code.code();
        match self.message {
            Some(message) => write!(f, "{code} {message:?}")?,
            None => write!(f, "{code} (no responseMessage)")?,
        }
        write!(f, " (HTTP {}; ", self.status)?;
        match (self.code.spec_name(), self.code.spec_message()) {
            (Some(name), Some(template)) => write!(f, "the spec's {name}, {template:?}")?,
            (Some(name), None) => write!(f, "the spec's {name}")?,
            _ => f.write_str("not declared by the spec")?,
        }
        write!(f, ", outcome {})", self.code.outcome().as_str())
    }
}

/// A raw body in `Debug`: text, with the members sensitive for `C`'s endpoint redacted.
pub(super) struct RawBody<'a, C> {
    raw: &'a [u8],
    code: std::marker::PhantomData<C>,
}

impl<'a, C> RawBody<'a, C> {
    pub(super) fn new(raw: &'a [u8]) -> Self {
        RawBody {
            raw,
            code: std::marker::PhantomData,
        }
    }
}

impl<C: EndpointCode> fmt::Debug for RawBody<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redacted_text(self.raw, C::SENSITIVE_KEYS), f)
    }
}

impl<C: EndpointCode> fmt::Debug for Error<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn body<C>(raw: &[u8]) -> RawBody<'_, C> {
            RawBody::new(raw)
        }
        match self {
            Error::Api {
                status,
                code,
                message,
                raw_body,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("code", code)
                .field("message", message)
                .field("raw_body", &body::<C>(raw_body))
                .finish(),
            Error::InvalidBody { status, raw_body } => f
                .debug_struct("InvalidBody")
                .field("status", status)
                .field("raw_body", &body::<C>(raw_body))
                .finish(),
            Error::UnverifiedAnswer { status, raw_body } => f
                .debug_struct("UnverifiedAnswer")
                .field("status", status)
                .field("raw_body", &body::<C>(raw_body))
                .finish(),
            Error::Token { status, code, raw_body } => f
                .debug_struct("Token")
                .field("status", status)
                .field("code", code)
                .field("raw_body", &RawBody::<C>::new(raw_body))
                .finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Signing(e) => f.debug_tuple("Signing").field(e).finish(),
            Error::Serialize(e) => f.debug_tuple("Serialize").field(e).finish(),
            Error::Declined { status, raw_body } => f
                .debug_struct("Declined")
                .field("status", status)
                .field("raw_body", &RawBody::<C>::new(raw_body))
                .finish(),
            Error::OutcomeUnknown { queries, last } => f
                .debug_struct("OutcomeUnknown")
                .field("queries", queries)
                .field("last", last)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test codes of an endpoint whose bodies carry a sensitive `value`, with the credential member the
    /// generator adds to every endpoint's keys.
    #[derive(Clone, Debug, PartialEq, Eq, crate::ResponseCodes)]
    #[sensitive("accessToken", "value")]
    enum TestCode {
        #[code("2005400", Success, "Successful")]
        Successful,
        #[code("4015400", Auth, "Unauthorized. {reason}")]
        Unauthorized,
        Unknown(ResponseCode),
    }

    fn refusal(code: &str, message: Option<&str>, raw_body: &[u8]) -> Error<TestCode> {
        Error::Api {
            status: 401,
            code: TestCode::from(code),
            message: message.map(str::to_owned),
            raw_body: raw_body.to_vec(),
        }
    }

    #[test]
    fn an_api_error_displays_the_provider_s_message_and_the_spec_s_view() {
        let e = refusal("4015400", Some("Unauthorized. Invalid Signature"), b"{}");
        assert_eq!(
            e.to_string(),
            r#"4015400 "Unauthorized. Invalid Signature" (HTTP 401; the spec's Unauthorized, "Unauthorized. {reason}", outcome auth)"#
        );
        let e = refusal("4015499", None, b"{}");
        assert_eq!(
            e.to_string(),
            "4015499 (no responseMessage) (HTTP 401; not declared by the spec, outcome auth)"
        );
    }

    #[test]
    fn debug_shows_the_raw_body_as_redacted_text() {
        let raw =
            b"{\"responseCode\":\"4015400\",\"accessToken\":\"tok-secret\",\"value\":\"ott-secret\",\"x\":\"\xff\"}";
        let e = refusal("4015400", Some("Unauthorized. Invalid Signature"), raw);
        let shown = format!("{e:?}");
        assert!(shown.contains(r#"raw_body: "{\"responseCode\":\"4015400\",\"accessToken\":\"<redacted>\",\"value\":\"<redacted>\",\"x\":\"�\"}""#), "{shown}");
        assert!(!shown.contains("secret") && !shown.contains("[123,"), "{shown}");
        let wrapped = Error::OutcomeUnknown {
            queries: 2,
            last: Box::new(e),
        };
        assert!(!format!("{wrapped:#?}").contains("secret"));
        let token: Error<TestCode> = Error::Token {
            status: 401,
            code: ResponseCode::parse("4017300"),
            raw_body: br#"{"accessToken":"tok-secret"}"#.to_vec(),
        };
        assert!(!format!("{token:?}").contains("tok-secret"));
    }
}
