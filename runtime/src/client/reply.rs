//! What a call gives back: a typed reply, or a typed error that keeps whatever was received.

use std::fmt;

use crate::code::ResponseCode;
use crate::signature::SignError;

/// A decoded answer with a success or pending code.
#[derive(Debug, Clone)]
pub struct Reply<R, C> {
    /// HTTP status.
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
}

/// Why a call did not succeed. Every variant that had an answer keeps its status and raw body.
#[derive(Debug, thiserror::Error)]
pub enum Error<C: fmt::Debug + fmt::Display> {
    /// The provider answered with a code that is not a success.
    #[error("HTTP {status}: {code}")]
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
    /// The answer's signature does not verify with the configured provider key: it may not be the
    /// provider's. Its content is not trusted (the outcome is unknown).
    #[error("HTTP {status}: the answer's signature does not verify with the provider's public key")]
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
