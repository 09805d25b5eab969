//! Answers a provider signs (DOKU's non-SNAP `Response-Timestamp` scheme, `answer_signatures:` of a provider
//! file): the signature is checked over the request's client id, request id and path, the answer's timestamp and
//! the answer's body exactly as received.
//!
//! DOKU documents signed answers but not which answers carry a signature (its refusals are not shown signed), so
//! an answer without the signature header is read like any other, and one whose signature does not verify is
//! refused ([`Error::UnverifiedAnswer`](super::Error::UnverifiedAnswer)): its content may not be the provider's.

use reqwest::header::HeaderMap;

use super::Client;
use crate::SignedAnswer;
use crate::endpoint::{EndpointInfo, HeaderSource};
use crate::inbound::template_value;
use crate::signature::{Algorithm, Sign, SignInput, VerifyingKey};

/// What was sent, for checking the answer's signature.
pub(super) struct Sent {
    /// The path requested, as signed.
    pub(super) path: String,
    /// The request's `Request-Id`, empty without one.
    pub(super) request_id: String,
}

/// How an answer's signature turned out.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Checked {
    /// The provider signs no answers to this endpoint's auth kind, or this answer carries no signature.
    Unsigned,
    /// The signature verifies.
    Verified,
    /// The signature is malformed or does not verify.
    Refused,
}

impl Client {
    /// Checks the signature of an answer to `endpoint`, when its provider signs answers to the endpoint's kind.
    pub(super) fn check_answer(
        &self,
        endpoint: &EndpointInfo,
        sent: &Sent,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Checked {
        let Some(signed) = self.inner.provider.answer_signature_for(endpoint.auth) else {
            return Checked::Unsigned;
        };
        let Some(signature) = received(signed, headers, &HeaderSource::Signature) else {
            return Checked::Unsigned;
        };
        let Some(signature) = signature else {
            return Checked::Refused;
        };
        let timestamp = received(signed, headers, &HeaderSource::Timestamp)
            .flatten()
            .unwrap_or_default();
        let input = SignInput {
            method: &endpoint.method,
            path: &sent.path,
            token: None,
            minified_body: body,
            timestamp,
            client_id: &self.inner.config.client_id,
            request_id: &sent.request_id,
        };
        let key = match signed.recipe.algorithm {
            Algorithm::HmacSha512 | Algorithm::HmacSha256 => {
                self.inner.config.client_secret.as_ref().map(VerifyingKey::Hmac)
            }
            Algorithm::RsaSha256 => self.inner.config.provider_key.as_ref().map(VerifyingKey::Rsa),
        };
        // Without the key the answer cannot be checked; the client was built without it on purpose.
        let Some(key) = key else {
            return Checked::Unsigned;
        };
        match signed.recipe.verify(&input, signature, &key) {
            Ok(()) => Checked::Verified,
            Err(_) => Checked::Refused,
        }
    }
}

/// The value `source` fills in the answer's headers: `None` when the answer lacks the header, `Some(None)` when
/// the header's value does not have its template's text (or is not text).
fn received<'h>(signed: &SignedAnswer, headers: &'h HeaderMap, source: &HeaderSource) -> Option<Option<&'h str>> {
    let (name, template) = signed.headers.iter().find(|(_, s)| s.is(source))?;
    let value = headers.get(&**name)?.to_str().ok();
    Some(value.and_then(|v| template_value(template, source, v.trim())))
}
