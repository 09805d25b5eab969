//! One HTTP exchange: sign, send, read the answer, and decode it for the endpoint.

use std::time::SystemTime;

use serde::de::DeserializeOwned;

use super::decode::{answer_is_signed, decode, decode_enveloped, decode_own};
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

impl Client {
    /// Signs and sends one request; returns the status and raw body.
    pub(super) async fn exchange(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        token: Option<&AccessToken>,
        extra: &[(String, String)],
        external_id: &str,
    ) -> Result<(u16, Vec<u8>), Exchange> {
        let prepared = self
            .prepare_with_id(
                endpoint,
                outgoing,
                token,
                extra,
                external_id.to_owned(),
                SystemTime::now(),
            )
            .map_err(Exchange::Signing)?;
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
        let raw = response.bytes().await.map_err(Exchange::Transport)?;
        tracing::debug!(endpoint = &*endpoint.id, status, "SNAP call answered");
        Ok((status, raw.to_vec()))
    }

    /// One signed exchange, decoded; the outer error is a failure to exchange at all.
    pub(super) async fn send<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        token: Option<&Granted>,
        headers: &[(String, String)],
        external_id: &str,
    ) -> Result<Result<Reply<Resp, Code>, Error<Code>>, Error<Code>>
    where
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let token = token.map(|t| &t.token);
        let (status, raw_body) = self
            .exchange(endpoint, outgoing, token, headers, external_id)
            .await
            .map_err(Error::from)?;
        let Some(enveloped) = &endpoint.envelope else {
            return Ok(match self.inner.provider.results {
                Some(results) => decode_own(results, endpoint.status_field.as_deref(), status, raw_body),
                None => decode(status, raw_body),
            });
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
