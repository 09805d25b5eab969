//! Sending a request: fill the path's parameters, serialize once, sign exactly the path and bytes that are sent,
//! add the headers the provider profile names, and decode the answer into a typed reply or a typed error that
//! keeps everything.
//!
//! [`Client::call`] makes one call ([`Client::call_at`] one to a path with parameters); [`Client::call_safely`]
//! makes a money-moving one, whose lost answer is settled through the status endpoint ([`Settled`]);
//! [`Client::prepare`] shows what would be sent.

mod answer_signature;
mod body;
mod config;
pub(crate) mod decode;
mod external_id;
mod idempotency;
mod prepare;
mod reply;
mod settlement;
mod sign;
mod tokens;
mod transport;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::json::WriteJson;
use serde::de::DeserializeOwned;

pub use body::{NoBody, body_bytes};
pub use config::{Config, ConfigError};
pub use prepare::Prepared;
pub use reply::{Error, Reply};
pub use settlement::{Settled, StatusConfirmation};

use crate::code::EndpointCode;
use crate::endpoint::{AuthKind, EndpointInfo, Provider};
use crate::path::fill_path;
use crate::signature::HmacKey;
use idempotency::{CallIds, is_lost};
use tokens::{CachedToken, needs_token};

/// A client for one provider profile; cheap to clone (clones share the token).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    provider: &'static Provider,
    /// The client secret as a ready HMAC key, when one is configured and not empty.
    hmac_key: Option<HmacKey>,
    base_url: String,
    config: Config,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.inner.provider.name)
            .field("base_url", &self.inner.base_url)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `provider` with `config`, for endpoints of every auth kind the profile has a signature
    /// recipe or headers for (see [`Client::for_auth_kinds`]).
    ///
    /// # Errors
    ///
    /// A key those endpoints sign with is missing ([`ConfigError::MissingCredential`]), the configured
    /// environment is not in the profile, or the HTTP client cannot be built.
    pub fn new(provider: &'static Provider, config: Config) -> Result<Client, ConfigError> {
        let signed = provider.signatures.iter().map(|(kind, _)| *kind);
        let mut kinds: Vec<AuthKind> = signed.chain(provider.headers.iter().map(|(kind, _)| *kind)).collect();
        kinds.sort();
        kinds.dedup();
        Client::for_auth_kinds(provider, config, &kinds)
    }

    /// A client for `provider` with `config`, for endpoints of the auth kinds `kinds` (a generated client
    /// passes those of the endpoints it has).
    ///
    /// The rule: for each kind, the key of the provider's recipe for it (`hmac-sha512` needs
    /// [`Config::client_secret`], not empty; `rsa-sha256` needs [`Config::private_key`]); and when the
    /// provider's headers for the kind carry the B2B token, the key of the recipe of its token endpoint; when they
    /// carry HTTP Basic (`basic_secret`), [`Config::client_secret`], not empty.
    /// So a DOKU client needs both (symmetric endpoints are HMAC-signed and carry a token fetched with an
    /// RSA signature), a DANA client only the private key. A key no endpoint of `kinds` signs with may be
    /// left out.
    ///
    /// # Errors
    ///
    /// As [`Client::new`].
    pub fn for_auth_kinds(
        provider: &'static Provider,
        config: Config,
        kinds: &[AuthKind],
    ) -> Result<Client, ConfigError> {
        config.check_credentials(provider, kinds)?;
        let base_url = config.resolve_base_url(provider)?;
        let http = reqwest::Client::builder().timeout(config.timeout).build()?;
        let hmac_key = config.client_secret.as_ref().and_then(|s| HmacKey::new(s).ok());
        let inner = Inner {
            provider,
            hmac_key,
            base_url,
            config,
            http,
            token: tokio::sync::Mutex::new(None),
        };
        Ok(Client { inner: Arc::new(inner) })
    }

    /// Calls `endpoint` at its path with `request` as its JSON body and `headers` added.
    ///
    /// When the provider answers that the B2B token is invalid or unknown (`401xx01`, `401xx03`: it may
    /// have been revoked or the provider restarted), the token is refreshed once and the call replayed once
    /// with the same body and the same X-EXTERNAL-ID, so the provider can recognise the repeat.
    ///
    /// When the provider has an idempotency key (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`), a lost
    /// answer (no answer, a 5xx, a 429) is sent again under the same key, waiting as the configured
    /// [`RetryPolicy`](crate::RetryPolicy) says, up to its budget: the provider does the call once and answers a
    /// repeat with its first answer. Every request of the call carries the same key, which [`Reply::request_id`]
    /// gives; a new call gets a new one.
    ///
    /// # Errors
    ///
    /// The provider's refusal ([`Error::Api`]) or why there was no usable answer (see [`Error`]).
    pub async fn call<Req, Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Req: WriteJson + ?Sized,
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        self.call_at(endpoint, &[], request, headers).await
    }

    /// Calls `endpoint` at its path with `params` (name, value) filling its `{name}` placeholders, each value
    /// percent-encoded as one path segment ([`fill_path`]); that path is the one requested and signed. `request`
    /// is the body ([`NoBody`] for a bodiless endpoint, a `GET`); `headers` are added. Otherwise as [`Self::call`].
    ///
    /// # Errors
    ///
    /// As [`Self::call`]; a placeholder without a usable value is [`Error::Signing`].
    pub async fn call_at<Req, Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        params: &[(String, String)],
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Req: WriteJson + ?Sized,
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let outgoing = Outgoing {
            path: fill_path(&endpoint.path, params)?,
            body: body_bytes(request),
        };
        let ids = self.call_ids(endpoint);
        self.attempt(endpoint, outgoing, headers, ids).await
    }

    /// One logical call with its path filled and its body serialized: every request it sends (the token refresh's
    /// replay, resends of a lost answer under the provider's idempotency key) carries its `ids`.
    async fn attempt<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        headers: &[(String, String)],
        ids: CallIds,
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let mut answer = self.attempt_once(endpoint, &outgoing, headers, &ids).await;
        let policy = self.inner.config.retry;
        for resend in 0..self.resends(endpoint) {
            if !is_lost(&answer) {
                break;
            }
            tokio::time::sleep(policy.wait(resend)).await;
            answer = self.attempt_once(endpoint, &outgoing, headers, &ids).await;
        }
        answer.map(|reply| Reply {
            external_id: ids.external_id,
            ..reply
        })
    }

    /// One request of a call, and its replay with a fresh token when the provider refused the token.
    async fn attempt_once<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        outgoing: &Outgoing,
        headers: &[(String, String)],
        ids: &CallIds,
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let token = match needs_token(self.inner.provider, endpoint.auth) {
            true => Some(self.token(None).await?),
            false => None,
        };
        let answer = self
            .send(endpoint, outgoing.clone(), token.as_ref(), headers, ids)
            .await?;
        match (token, answer) {
            (Some(used), Err(Error::Api { code, .. })) if self.rejects_token(code.code()) => {
                let fresh = self.token(Some(used.generation)).await?;
                self.send(endpoint, outgoing.clone(), Some(&fresh), headers, ids)
                    .await?
            }
            (_, answer) => answer,
        }
    }
}

/// What one request sends before it is signed: its path with the parameters filled in (what `{path}` signs) and
/// its body's bytes (empty for a bodiless endpoint).
#[derive(Clone)]
pub(super) struct Outgoing {
    pub(super) path: Cow<'static, str>,
    pub(super) body: Vec<u8>,
}

impl Outgoing {
    /// `body` to `endpoint`'s own path, for calls without path parameters (the token, a status query).
    pub(super) fn at(endpoint: &'static EndpointInfo, body: Vec<u8>) -> Self {
        Outgoing {
            path: Cow::Borrowed(&endpoint.path),
            body,
        }
    }
}
