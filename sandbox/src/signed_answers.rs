//! Answers signed as the provider signs them (`answer_signatures:` of a provider file): DOKU's non-SNAP answers
//! carry `Client-Id` and `Request-Id` (the request's), `Response-Timestamp` and `Signature: HMACSHA256=…` over the
//! request's lines with the answer's time, its path and the answer's body as the `Digest`.
//!
//! The signature is made over the bytes sent, once the answer is final, with the calling client's secret (or the
//! sandbox's provider key for an RSA recipe). Only successful (2xx) answers are signed: they are the ones DOKU's
//! pages show with their signature headers, and a refusal of a wrong secret signed with the right one could not be
//! read by the client it refuses. An answer to a client the sandbox does not know goes unsigned: there is no key.

use axum::body::{Body, to_bytes};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use snapbi_spec::ir::{Algorithm, Endpoint, HeaderSource, Provider, SignedAnswer};

use crate::answer::Clock;
use crate::sandbox::Inner;
use crate::signing::{self, Message, Signer};

/// Largest answer the sandbox signs (its own answers are a few kilobytes).
const MAX_ANSWER: usize = 1 << 20;

/// `response` with the provider's answer signature headers, when it signs answers to the endpoint's auth kind.
pub(crate) async fn sign(
    inner: &Inner,
    endpoint: &Endpoint,
    provider: &Provider,
    clock: &Clock,
    parts: &Parts,
    response: Response,
) -> Response {
    let Some(signed) = provider.answer_signature_for(endpoint.info.auth) else {
        return response;
    };
    if !response.status().is_success() {
        return response;
    }
    let sent = |source: HeaderSource| request_header(provider, endpoint, parts, &source).unwrap_or_default();
    let (client_id, request_id) = (sent(HeaderSource::ClientId), sent(HeaderSource::RequestId));
    let Some(client) = inner.clients.get(client_id) else {
        return response;
    };
    let (head, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ANSWER).await else {
        return Response::from_parts(head, Body::empty());
    };
    let timestamp = clock.now();
    let path = parts.uri.path_and_query().map_or(parts.uri.path(), |p| p.as_str());
    let message = Message {
        method: endpoint.info.method.as_ref(),
        path,
        minified_body: &bytes,
        raw_body: &bytes,
        timestamp: &timestamp,
        client_id,
        request_id,
        ..Message::default()
    };
    let key = match (signed.recipe.algorithm, inner.provider_key.as_ref()) {
        (Algorithm::RsaSha256, Some(key)) => Signer::Rsa(key),
        (Algorithm::RsaSha256, None) => return Response::from_parts(head, Body::from(bytes)),
        (Algorithm::HmacSha512 | Algorithm::HmacSha256, _) => Signer::Secret(client.secret.expose()),
    };
    let mut response = Response::from_parts(head, Body::from(bytes.clone()));
    let Ok(signature) = signing::sign(&signed.recipe, &message, key) else {
        return response;
    };
    let values = Values {
        client_id,
        request_id,
        timestamp: &timestamp,
        signature: &signature,
    };
    for (name, value) in headers(signed, &values) {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The values a signed answer's headers carry.
struct Values<'a> {
    client_id: &'a str,
    request_id: &'a str,
    timestamp: &'a str,
    signature: &'a str,
}

/// Each header of `signed` with its value (a template's text around its source).
fn headers(signed: &SignedAnswer, values: &Values<'_>) -> Vec<(String, String)> {
    let value_of = |source: &HeaderSource| -> Option<String> {
        Some(match source {
            HeaderSource::ClientId => values.client_id.to_owned(),
            HeaderSource::RequestId => values.request_id.to_owned(),
            HeaderSource::Timestamp => values.timestamp.to_owned(),
            HeaderSource::Signature => values.signature.to_owned(),
            HeaderSource::Value(text) => text.to_string(),
            // The lowering lets no other source into an answer's headers.
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(signed.headers.len());
    for (name, source) in signed.headers.iter() {
        let value = match source {
            HeaderSource::Template(pieces) => pieces.iter().map(value_of).collect::<Option<String>>(),
            source => value_of(source),
        };
        if let Some(value) = value {
            out.push((name.to_ascii_lowercase(), value));
        }
    }
    out
}

/// The request's header that the provider's header set for the endpoint's kind fills from `source`.
fn request_header<'p>(
    provider: &Provider,
    endpoint: &Endpoint,
    parts: &'p Parts,
    source: &HeaderSource,
) -> Option<&'p str> {
    let set = provider.headers_for(endpoint.info.auth);
    let (name, _) = set.iter().find(|(_, s)| s.is(source))?;
    parts.headers.get(name.as_str())?.to_str().ok().map(str::trim)
}
