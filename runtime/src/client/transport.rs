//! One HTTP exchange: sign, send, read the answer, and decode it for the endpoint.

use std::time::SystemTime;

use serde::de::DeserializeOwned;

use super::answer_signature::{Checked, Sent};
use super::decode::{answer_is_signed, decode_enveloped, decode_own, decode_snap};
use super::idempotency::CallIds;
use super::tokens::Granted;
use super::{Client, Error, Outgoing, Reply};
use crate::code::EndpointCode;
use crate::endpoint::EndpointInfo;
use crate::secret::AccessToken;
use crate::signature::SignError;

/// Why an exchange had no answer at all; kept apart from [`Error`] so that the token request, whose
/// answer is not an endpoint's, can share the exchange.
pub(super) enum Exchange {
    Transport(reqwest::Error),
    Signing(SignError),
}

impl<C: crate::code::EndpointCode> From<Exchange> for Error<C> {
    fn from(e: Exchange) -> Self {
        match e {
            Exchange::Transport(e) => Error::Transport(e),
            Exchange::Signing(e) => Error::Signing(e),
        }
    }
}

/// An answer as received, with what was sent that its signature covers.
pub(super) struct Answered {
    pub(super) status: u16,
    pub(super) raw: Vec<u8>,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) sent: Sent,
}

impl Client {
    /// Signs and sends one request; returns the answer with its headers and what its signature covers.
    pub(super) async fn exchange(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        token: Option<&AccessToken>,
        extra: &[(String, String)],
        ids: &CallIds,
    ) -> Result<Answered, Exchange> {
        let request_id = ids.request_id.clone();
        let prepared = self
            .prepare_with_id(endpoint, outgoing, token, extra, ids.clone(), SystemTime::now())
            .map_err(Exchange::Signing)?;
        let sent = Sent {
            path: prepared
                .url
                .strip_prefix(&*self.inner.base_url)
                .unwrap_or_default()
                .to_owned(),
            request_id,
        };
        let method = reqwest::Method::from_bytes(prepared.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut request = self.inner.http.request(method, &prepared.url);
        for (name, value) in prepared.headers {
            request = request.header(name.as_ref(), value.as_ref());
        }
        // A bodiless request (a GET) is sent without one, not with an empty one.
        if !prepared.body.is_empty() {
            request = request.body(prepared.body);
        }
        let response = request.send().await.map_err(Exchange::Transport)?;
        let status = response.status().as_u16();
        // Only a provider that signs its answers needs their headers past the body read (no copy otherwise).
        let headers = match self.inner.provider.answer_signature_for(endpoint.auth) {
            Some(_) => response.headers().clone(),
            None => reqwest::header::HeaderMap::new(),
        };
        let raw = response.bytes().await.map_err(Exchange::Transport)?;
        tracing::debug!(endpoint = &*endpoint.id, status, "SNAP call answered");
        Ok(Answered {
            status,
            raw: raw.to_vec(),
            headers,
            sent,
        })
    }

    /// One signed exchange, decoded; the outer error is a failure to exchange at all.
    pub(super) async fn send<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        token: Option<&Granted>,
        headers: &[(String, String)],
        ids: &CallIds,
    ) -> Result<Result<Reply<Resp, Code>, Error<Code>>, Error<Code>>
    where
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let token = token.map(|t| &t.token);
        let answered = self
            .exchange(endpoint, outgoing, token, headers, ids)
            .await
            .map_err(Error::from)?;
        let (status, raw_body) = (answered.status, answered.raw);
        if self.check_answer(endpoint, &answered.sent, &answered.headers, &raw_body) == Checked::Refused {
            return Ok(Err(Error::UnverifiedAnswer { status, raw_body }));
        }
        let request_id = answered.sent.request_id;
        let Some(enveloped) = &endpoint.envelope else {
            // DOKU answers a Request-Id it has seen with its first answer's body and 409: read as that answer.
            let replayed = self.is_replay(&request_id, status);
            let decoded = match self.inner.provider.results {
                Some(results) => decode_own(results, endpoint.status_field.as_deref(), status, replayed, raw_body),
                None => decode_snap(status, replayed, raw_body),
            };
            return Ok(decoded.map(|reply| Reply { request_id, ..reply }));
        };
        // Found when the request was prepared: the exchange would have failed without it.
        let envelope = self.envelope(enveloped).map_err(Error::Signing)?;
        Ok(match &self.inner.config.provider_key {
            Some(key) if !answer_is_signed(envelope, key, &raw_body) => {
                Err(Error::UnverifiedAnswer { status, raw_body })
            }
            _ => decode_enveloped(envelope, status, raw_body),
        })
    }
}
