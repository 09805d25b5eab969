//! Sending a request: serialize once, sign exactly the bytes that are sent, add the headers the provider
//! profile names, and decode the answer into a typed reply or a typed error that keeps everything.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::code::{EndpointCode, Outcome, ResponseCode};
use crate::endpoint::{AuthKind, EndpointInfo, HeaderSource, Provider};
use crate::envelope::{Envelope, Enveloped};
use crate::keys::{PrivateKey, PublicKey};
use crate::retry::{RetryPolicy, Settlement, StatusQuery};
use crate::secret::{AccessToken, ClientSecret};
use crate::signature::{Algorithm, HmacKey, SignError, SignInput, SigningKey};

/// Credentials and environment of a client. Secrets are redacted in `Debug`.
#[derive(Clone, Debug)]
pub struct Config {
    client_id: String,
    environment: String,
    base_url: Option<String>,
    client_secret: Option<ClientSecret>,
    private_key: Option<PrivateKey>,
    provider_key: Option<PublicKey>,
    channel_id: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
}

impl Config {
    /// A configuration for `client_id` (X-PARTNER-ID / X-CLIENT-KEY) in the `sandbox` environment.
    pub fn new(client_id: impl Into<String>) -> Self {
        Config {
            client_id: client_id.into(),
            environment: "sandbox".into(),
            base_url: None,
            client_secret: None,
            private_key: None,
            provider_key: None,
            channel_id: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// Selects an environment named in the provider profile (`sandbox`, `production`, …).
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.environment = name.into();
        self
    }

    /// Overrides the base URL (a local sandbox, a proxy); the profile's environments are then ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The client secret, for HMAC-signed calls.
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The RSA private key, for token and asymmetric calls.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// The provider's RSA public key: answers the provider signs (DANA's Open API envelope) are then
    /// verified, and one that does not verify is [`Error::UnverifiedAnswer`].
    pub fn provider_public_key(mut self, key: PublicKey) -> Self {
        self.provider_key = Some(key);
        self
    }

    /// CHANNEL-ID, instead of the provider's default.
    pub fn channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = Some(channel_id.into());
        self
    }

    /// How money-moving calls whose answer was lost are settled (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Timeout of one HTTP exchange (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A configuration the provider profile cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The environment is not in the provider profile.
    #[error("unknown environment `{environment}` for {provider}; known: {known}")]
    UnknownEnvironment {
        /// Provider name.
        provider: &'static str,
        /// Requested environment.
        environment: String,
        /// Known environments, comma-separated.
        known: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

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
    /// The body exactly as received (the status answer's, when the outcome was confirmed by status).
    pub raw_body: Vec<u8>,
    /// Set when the call's own answer was lost and the status endpoint confirmed success: the status
    /// value (e.g. `00`). `body` is then empty.
    pub confirmed_by_status: Option<String>,
    /// The X-EXTERNAL-ID the call was sent with (later requests refer to it, e.g. a refund's
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

/// A signed request, ready to send. `Debug` redacts the header values, which carry the signature and token.
///
/// Header names and values that the client's configuration or the caller already hold (client id,
/// CHANNEL-ID, the caller's headers) are borrowed for `'a`, so preparing a request copies none of them.
pub struct Prepared<'a> {
    /// HTTP method.
    pub method: &'static str,
    /// Full URL.
    pub url: String,
    /// Headers in sending order (Content-Type, the profile's, then the caller's).
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The body: exactly the bytes that were hashed and signed.
    pub body: Vec<u8>,
}

impl Prepared<'_> {
    /// The same request owning all its headers, to keep beyond the client or the caller's headers.
    pub fn into_owned(self) -> Prepared<'static> {
        Prepared {
            method: self.method,
            url: self.url,
            headers: self
                .headers
                .into_iter()
                .map(|(name, value)| (Cow::Owned(name.into_owned()), Cow::Owned(value.into_owned())))
                .collect(),
            body: self.body,
        }
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_ref()).collect();
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

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

struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
    /// Counts refreshes, so a caller can say which token the provider refused.
    generation: u64,
}

/// A token handed to one call, with the generation it came from.
struct Granted {
    token: AccessToken,
    generation: u64,
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

/// Refresh a token this long before the provider says it expires, so it never expires in flight.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

impl Client {
    /// A client for `provider` with `config`.
    pub fn new(provider: &'static Provider, config: Config) -> Result<Client, ConfigError> {
        let base_url = match &config.base_url {
            Some(url) => url.clone(),
            None => provider
                .base_url(&config.environment)
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::UnknownEnvironment {
                    provider: provider.name,
                    environment: config.environment.clone(),
                    known: provider
                        .base_urls
                        .iter()
                        .map(|(env, _)| *env)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
        };
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

    /// Calls `endpoint` with `request` as its JSON body and `headers` added.
    ///
    /// When the provider answers that the B2B token is invalid or unknown (`401xx01`, `401xx03`: it may
    /// have been revoked or the provider restarted), the token is refreshed once and the call replayed once
    /// with the same body and the same X-EXTERNAL-ID, so the provider can recognise the repeat.
    pub async fn call<Req, Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let body = body_bytes(request).map_err(Error::Serialize)?;
        self.attempt(endpoint, body, headers, external_id()).await
    }

    /// Calls a money-moving endpoint so that nothing is lost or done twice: like [`Self::call`], but an
    /// answer that is lost (timeout, connection error, 5xx, pending) is settled through `query` within the
    /// configured [`RetryPolicy`]; the request is only sent again (same body, same references) when the
    /// status endpoint says the provider never saw it.
    pub async fn call_safely<Req, Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        query: &'static StatusQuery,
        request: &Req,
        headers: &[(String, String)],
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Req: Serialize,
        Resp: DeserializeOwned + Default,
        Code: EndpointCode,
    {
        let body = body_bytes(request).map_err(Error::Serialize)?;
        let original: serde_json::Value = serde_json::from_slice(&body).map_err(Error::Serialize)?;
        let policy = self.inner.config.retry;
        // The provider records the X-EXTERNAL-ID of the request it committed: the first one, when the status
        // endpoint confirms a request whose answer was lost.
        let first_external_id = external_id();
        let mut answer = self
            .attempt(endpoint, body.clone(), headers, first_external_id.clone())
            .await;
        for query_number in 0..policy.budget {
            if is_settled(&answer) {
                return answer;
            }
            tokio::time::sleep(policy.wait(query_number)).await;
            let Some(status_body) = query.request_for(&original) else {
                break;
            };
            let (status, raw_body) = match self
                .attempt::<serde_json::Value, ResponseCode>(query.endpoint, status_body, &[], external_id())
                .await
            {
                Ok(reply) => (reply.status, reply.raw_body),
                Err(Error::Api { status, raw_body, .. } | Error::InvalidBody { status, raw_body }) => {
                    (status, raw_body)
                }
                Err(_) => continue,
            };
            match query.settlement(status, &raw_body) {
                Settlement::Succeeded(value) => {
                    let code = Code::from(format!("200{}00", endpoint.service_code).as_str());
                    return Ok(Reply {
                        status,
                        code,
                        message: None,
                        body: Resp::default(),
                        raw_body,
                        confirmed_by_status: Some(value),
                        external_id: first_external_id,
                    });
                }
                Settlement::Failed(value) => {
                    return Err(Error::Declined {
                        status: value,
                        raw_body,
                    });
                }
                // Same body and references; a new X-EXTERNAL-ID, since one may not be reused the same day.
                Settlement::NotFound => answer = self.attempt(endpoint, body.clone(), headers, external_id()).await,
                Settlement::Open => {}
            }
        }
        match answer {
            answer if is_settled(&answer) => answer,
            Ok(reply) => Err(Error::OutcomeUnknown {
                queries: policy.budget,
                last: Box::new(Error::Api {
                    status: reply.status,
                    code: reply.code,
                    message: reply.message,
                    raw_body: reply.raw_body,
                }),
            }),
            Err(last) => Err(Error::OutcomeUnknown {
                queries: policy.budget,
                last: Box::new(last),
            }),
        }
    }

    /// One logical call with already serialized bytes (including the token refresh and replay).
    async fn attempt<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
        headers: &[(String, String)],
        external_id: String,
    ) -> Result<Reply<Resp, Code>, Error<Code>>
    where
        Resp: DeserializeOwned,
        Code: EndpointCode,
    {
        let uses_token = needs_token(self.inner.provider, endpoint.auth);
        let token = if uses_token {
            Some(self.token(None).await?)
        } else {
            None
        };
        let answer = self
            .send(endpoint, body.clone(), token.as_ref(), headers, &external_id)
            .await?;
        let answer = match (token, answer) {
            (Some(used), Err(Error::Api { code, .. })) if rejects_token(code.code()) => {
                let fresh = self.token(Some(used.generation)).await?;
                self.send(endpoint, body, Some(&fresh), headers, &external_id).await?
            }
            (_, answer) => answer,
        };
        answer.map(|reply| Reply { external_id, ..reply })
    }

    /// One signed exchange, decoded; the outer error is a failure to exchange at all.
    async fn send<Resp, Code>(
        &self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
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
            .exchange(endpoint, body, token, headers, external_id)
            .await
            .map_err(Error::from)?;
        Ok(match endpoint.envelope {
            Some(Enveloped { envelope, .. }) => match &self.inner.config.provider_key {
                Some(key) if !answer_is_signed(envelope, key, &raw_body) => {
                    Err(Error::UnverifiedAnswer { status, raw_body })
                }
                _ => decode_enveloped(envelope, status, raw_body),
            },
            None => decode(status, raw_body),
        })
    }

    /// The B2B token, fetched on first use and refreshed before it expires. Callers that arrive while a
    /// fetch is in flight wait for it instead of fetching again. `rejected` names a token generation the
    /// provider refused: it is replaced unless another caller already replaced it.
    async fn token<C: fmt::Debug + fmt::Display>(&self, rejected: Option<u64>) -> Result<Granted, Error<C>> {
        let mut slot = self.inner.token.lock().await;
        let usable = |c: &&CachedToken| Instant::now() < c.refresh_at && Some(c.generation) != rejected;
        if let Some(cached) = slot.as_ref().filter(usable) {
            return Ok(Granted {
                token: cached.token.clone(),
                generation: cached.generation,
            });
        }
        let Some(endpoint) = self.inner.provider.token_endpoint else {
            return Err(Error::Signing(SignError::MissingToken));
        };
        let body = self.inner.provider.token_request.to_vec();
        let (status, raw_body) = self
            .exchange(endpoint, body, None, &[], &external_id())
            .await
            .map_err(Error::from)?;
        let granted: TokenGrant = serde_json::from_slice(&raw_body).unwrap_or_default();
        let code = ResponseCode::parse(granted.response_code.as_deref().unwrap_or_default());
        let token = match granted.access_token {
            Some(token) if (200..300).contains(&status) && !token.is_empty() => AccessToken::from(token),
            _ => return Err(Error::Token { status, code, raw_body }),
        };
        let lifetime = Duration::from_secs(granted.expires_in.as_ref().and_then(seconds).unwrap_or(900));
        let refresh_at = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        let generation = slot.as_ref().map_or(0, |c| c.generation + 1);
        *slot = Some(CachedToken {
            token: token.clone(),
            refresh_at,
            generation,
        });
        Ok(Granted { token, generation })
    }

    /// Everything that would be sent for `endpoint` with this body, signed now: a dry run, and the first
    /// half of every call. `token` is the bare B2B token for endpoints whose headers carry one.
    pub fn prepare<'a>(
        &'a self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
        token: Option<&AccessToken>,
        extra: &'a [(String, String)],
    ) -> Result<Prepared<'a>, SignError> {
        // One clock read serves both the X-TIMESTAMP and the X-EXTERNAL-ID: a read costs 20 to 50 ns on the
        // project's virtual machine, more than building a header.
        let now = SystemTime::now();
        self.prepare_with_id(endpoint, body, token, extra, external_id_at(now), now)
    }

    /// [`Self::prepare`] with a given X-EXTERNAL-ID (a replay keeps its call's) and the instant of X-TIMESTAMP.
    fn prepare_with_id<'a>(
        &'a self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
        token: Option<&AccessToken>,
        extra: &'a [(String, String)],
        external_id: String,
        now: SystemTime,
    ) -> Result<Prepared<'a>, SignError> {
        if let Some(enveloped) = endpoint.envelope {
            return self.prepare_enveloped(endpoint, enveloped, &body, extra, &external_id, now);
        }
        let inner = &self.inner;
        let timestamp = inner.provider.timestamp.at(now);
        let signature = self.sign(endpoint, &body, token, &timestamp)?;
        let runtime_headers = inner.provider.headers_for(endpoint.auth);
        let mut timestamp = Handout::new(timestamp, runtime_headers, |s| matches!(s, HeaderSource::Timestamp));
        let mut signature = Handout::new(signature, runtime_headers, |s| matches!(s, HeaderSource::Signature));
        let mut external_id = Handout::new(external_id, runtime_headers, |s| matches!(s, HeaderSource::ExternalId));
        let mut headers = Vec::with_capacity(1 + runtime_headers.len() + extra.len());
        headers.push((Cow::Borrowed("Content-Type"), Cow::Borrowed("application/json")));
        for (name, source) in runtime_headers {
            let value: Cow<'a, str> = match source {
                HeaderSource::ClientId => Cow::Borrowed(&inner.config.client_id),
                HeaderSource::ExternalId => external_id.next().into(),
                HeaderSource::ChannelId => self.channel_id(),
                HeaderSource::Timestamp => timestamp.next().into(),
                HeaderSource::Signature => signature.next().into(),
                HeaderSource::BearerToken => {
                    concat(&["Bearer ", token.map(AccessToken::expose).unwrap_or_default()]).into()
                }
                HeaderSource::Value(v) => Cow::Borrowed(*v),
                // Envelope heads only (the lowering keeps them out of HTTP headers): never put the secret there.
                HeaderSource::Function | HeaderSource::ClientSecret => continue,
            };
            headers.push((Cow::Borrowed(*name), value));
        }
        headers.extend(
            extra
                .iter()
                .map(|(name, value)| (Cow::Borrowed(name.as_str()), Cow::Borrowed(value.as_str()))),
        );
        Ok(Prepared {
            method: endpoint.method,
            url: concat(&[&inner.base_url, endpoint.path]),
            headers,
            body,
        })
    }

    /// An enveloped request: the head filled from the envelope's sources (then the caller's head values), the
    /// request member serialized once and signed byte for byte, and framed with its signature.
    fn prepare_enveloped(
        &self,
        endpoint: &'static EndpointInfo,
        enveloped: Enveloped,
        body: &[u8],
        extra: &[(String, String)],
        external_id: &str,
        now: SystemTime,
    ) -> Result<Prepared<'static>, SignError> {
        let (inner, envelope) = (&self.inner, enveloped.envelope);
        let timestamp = inner.provider.timestamp.at(now);
        let mut head: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(envelope.head.len() + extra.len());
        for (name, source) in envelope.head {
            let value = match source {
                HeaderSource::ClientId => Cow::Borrowed(inner.config.client_id.as_str()),
                HeaderSource::ExternalId => Cow::Borrowed(external_id),
                HeaderSource::ChannelId => self.channel_id(),
                HeaderSource::Timestamp => Cow::Borrowed(timestamp.as_str()),
                HeaderSource::Function => Cow::Borrowed(enveloped.function),
                HeaderSource::ClientSecret => match &inner.config.client_secret {
                    Some(secret) => Cow::Borrowed(secret.expose()),
                    None => return Err(SignError::MissingCredential("client secret")),
                },
                HeaderSource::Value(v) => Cow::Borrowed(*v),
                // The lowering keeps these out of a head: the signature is its own member, and no B2B token
                // is sent in one.
                HeaderSource::Signature | HeaderSource::BearerToken => continue,
            };
            head.push((name, value));
        }
        let callers = extra.iter().map(|(name, value)| (name.as_str(), value.as_str()));
        let member = envelope.request_member(head.iter().map(|(n, v)| (*n, v.as_ref())).chain(callers), body);
        let signature = self.sign_with(&envelope.signature, endpoint, &member, None, &timestamp)?;
        Ok(Prepared {
            method: endpoint.method,
            url: concat(&[&inner.base_url, endpoint.path]),
            headers: vec![(Cow::Borrowed("Content-Type"), Cow::Borrowed("application/json"))],
            body: envelope.frame(&member, &signature),
        })
    }

    /// The configured CHANNEL-ID, else the provider's default, else empty.
    fn channel_id(&self) -> Cow<'_, str> {
        match (&self.inner.config.channel_id, self.inner.provider.channel_id) {
            (Some(configured), _) => Cow::Borrowed(configured.as_str()),
            (None, Some(default)) => Cow::Borrowed(default),
            (None, None) => Cow::Borrowed(""),
        }
    }

    /// Signs and sends one request; returns the status and raw body.
    async fn exchange(
        &self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
        token: Option<&AccessToken>,
        extra: &[(String, String)],
        external_id: &str,
    ) -> Result<(u16, Vec<u8>), Exchange> {
        let prepared = self
            .prepare_with_id(endpoint, body, token, extra, external_id.to_owned(), SystemTime::now())
            .map_err(Exchange::Signing)?;
        let method = reqwest::Method::from_bytes(prepared.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut request = self.inner.http.request(method, &prepared.url);
        for (name, value) in prepared.headers {
            request = request.header(name.as_ref(), value.as_ref());
        }
        let response = request.body(prepared.body).send().await.map_err(Exchange::Transport)?;
        let status = response.status().as_u16();
        let raw = response.bytes().await.map_err(Exchange::Transport)?;
        tracing::debug!(endpoint = endpoint.id, status, "SNAP call answered");
        Ok((status, raw.to_vec()))
    }

    fn sign(
        &self,
        endpoint: &EndpointInfo,
        body: &[u8],
        token: Option<&AccessToken>,
        timestamp: &str,
    ) -> Result<String, SignError> {
        let recipe = self
            .inner
            .provider
            .signature_for(endpoint.auth)
            .ok_or(SignError::NoRecipe(endpoint.auth.as_str()))?;
        self.sign_with(recipe, endpoint, body, token, timestamp)
    }

    /// Signs `body` for `endpoint` with `recipe`, using the configured key its algorithm needs.
    fn sign_with(
        &self,
        recipe: &crate::signature::Recipe,
        endpoint: &EndpointInfo,
        body: &[u8],
        token: Option<&AccessToken>,
        timestamp: &str,
    ) -> Result<String, SignError> {
        let config = &self.inner.config;
        let key = match recipe.algorithm {
            Algorithm::HmacSha512 => match (&self.inner.hmac_key, &config.client_secret) {
                (Some(key), _) => SigningKey::HmacKey(key),
                // An empty secret has no key; signing with it reports why.
                (None, Some(secret)) => SigningKey::Hmac(secret),
                (None, None) => return Err(SignError::MissingCredential("client secret")),
            },
            Algorithm::RsaSha256 => SigningKey::Rsa(
                config
                    .private_key
                    .as_ref()
                    .ok_or(SignError::MissingCredential("private key"))?,
            ),
        };
        let input = SignInput {
            method: endpoint.method,
            path: endpoint.path,
            token,
            minified_body: body,
            timestamp,
            client_id: &config.client_id,
        };
        recipe.sign(&input, &key)
    }
}

enum Exchange {
    Transport(reqwest::Error),
    Signing(SignError),
}

impl<C: fmt::Debug + fmt::Display> From<Exchange> for Error<C> {
    fn from(e: Exchange) -> Self {
        match e {
            Exchange::Transport(e) => Error::Transport(e),
            Exchange::Signing(e) => Error::Signing(e),
        }
    }
}

/// `401xx01 Invalid Token (B2B)` and `401xx03 Token Not Found (B2B)` (snap-standard §3.3): the token, not
/// the request, was refused, so a fresh token may succeed. `401xx00` (bad signature) is not one of them.
fn rejects_token(code: &str) -> bool {
    code.len() == 7 && code.starts_with("401") && matches!(&code[5..], "01" | "03")
}

/// Whether an answer is final: a success, or a failure the provider decided. A lost answer (transport),
/// a 5xx, a pending or an unreadable answer is not, and neither is a retryable code.
fn is_settled<R, C: EndpointCode>(answer: &Result<Reply<R, C>, Error<C>>) -> bool {
    match answer {
        Ok(reply) => reply.code.outcome() == Outcome::Success,
        Err(Error::Api { code, .. }) => matches!(code.outcome(), Outcome::Failed | Outcome::Auth),
        Err(Error::Transport(_) | Error::InvalidBody { .. } | Error::UnverifiedAnswer { .. }) => false,
        Err(_) => true,
    }
}

fn needs_token(provider: &Provider, auth: AuthKind) -> bool {
    provider
        .headers_for(auth)
        .iter()
        .any(|(_, source)| *source == HeaderSource::BearerToken)
}

/// A value made once per request (timestamp, signature, X-EXTERNAL-ID) for the headers that carry it: moved
/// into the last such header and copied into any before it, so the usual single use costs no copy.
struct Handout {
    value: Option<String>,
    left: usize,
}

impl Handout {
    fn new(value: String, headers: &[(&str, HeaderSource)], wanted: impl Fn(&HeaderSource) -> bool) -> Self {
        let left = headers.iter().filter(|(_, source)| wanted(source)).count();
        Handout {
            value: Some(value),
            left,
        }
    }

    fn next(&mut self) -> String {
        self.left = self.left.saturating_sub(1);
        let value = if self.left == 0 {
            self.value.take()
        } else {
            self.value.clone()
        };
        value.unwrap_or_default()
    }
}

/// The JSON body of a request, as it is both hashed and sent: compact JSON, which has no insignificant
/// whitespace, so these bytes are already minified.
///
/// Written by sonic-rs, whose SIMD string escaping serializes the DANA payment 60-70 ns faster than
/// serde_json (a quarter of the serialization), into compact JSON of the same form. The buffer starts at a
/// size that holds a typical SNAP request, so serializing does not grow it repeatedly.
///
/// # Errors
///
/// Whatever `request`'s `Serialize` implementation reports (generated requests never fail).
pub fn body_bytes<T: Serialize + ?Sized>(request: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut body = Vec::with_capacity(TYPICAL_BODY);
    // Generated requests always serialize; a failing hand-written `Serialize` keeps its message.
    sonic_rs::to_writer(&mut body, request).map_err(<serde_json::Error as serde::ser::Error>::custom)?;
    Ok(body)
}

/// Bytes that hold most SNAP request bodies (the DANA payment with a URL and order details is ~450).
const TYPICAL_BODY: usize = 512;

/// X-EXTERNAL-ID: unique per call. Digits only, because some providers still read the standard's
/// B2B2C table that says numeric (snap-standard §6.2); 32 digits fit the 36-character limit. The clock's
/// nanoseconds, a per-process random part and a per-process counter make it unique without a system call
/// for randomness on every request.
fn external_id() -> String {
    external_id_at(SystemTime::now())
}

/// The X-EXTERNAL-ID of a call made at `now`.
fn external_id_at(now: SystemTime) -> String {
    use std::sync::LazyLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static PROCESS: LazyLock<u64> = LazyLock::new(|| (uuid::Uuid::new_v4().as_u128() % 1_000_000) as u64);
    let now = now.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) % 10_000_000;
    // Four zero-padded numbers, written digit by digit: `format!` costs several times more per request.
    let mut digits = [b'0'; 32];
    let (seconds, rest) = digits.split_at_mut(10);
    let (nanos, rest) = rest.split_at_mut(9);
    let (process, counter) = rest.split_at_mut(6);
    write_padded(seconds, now.as_secs());
    write_padded(nanos, u64::from(now.subsec_nanos()));
    write_padded(process, *PROCESS);
    write_padded(counter, count);
    // Only ASCII digits were written, so this never falls back to the empty default.
    String::from_utf8(digits.to_vec()).unwrap_or_default()
}

/// Writes the last `out.len()` decimal digits of `value` into `out`, zero-padded on the left.
///
/// Two digits per division, from a table: half the divisions of writing one digit at a time, and each
/// division waits for the one before it.
fn write_padded(out: &mut [u8], mut value: u64) {
    const PAIRS: &[u8; 200] = b"\
        0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut pairs = out.rchunks_exact_mut(2);
    for pair in &mut pairs {
        let at = (value % 100) as usize * 2;
        pair.copy_from_slice(&PAIRS[at..at + 2]);
        value /= 100;
    }
    if let [digit] = pairs.into_remainder() {
        *digit = b'0' + (value % 10) as u8;
    }
}

/// `parts` joined, allocated once at its final size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TokenGrant {
    #[serde(deserialize_with = "crate::values::lenient")]
    response_code: Option<String>,
    #[serde(deserialize_with = "crate::values::lenient")]
    access_token: Option<String>,
    /// The standard says the string "900"; some providers send the number 900.
    #[serde(deserialize_with = "crate::values::lenient")]
    expires_in: Option<serde_json::Value>,
}

fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeAndMessage {
    #[serde(default, deserialize_with = "crate::values::lenient")]
    response_code: Option<String>,
    #[serde(default, deserialize_with = "crate::values::lenient")]
    response_message: Option<String>,
}

/// Turns a status and raw body into a typed reply (success or pending) or a typed error.
pub fn decode<Resp, Code>(status: u16, raw_body: Vec<u8>) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    let (Ok(envelope), Ok(body)) = (
        serde_json::from_slice::<CodeAndMessage>(&raw_body),
        serde_json::from_slice::<Resp>(&raw_body),
    ) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let code = Code::from(envelope.response_code.as_deref().unwrap_or_default());
    reply_or_error(status, code, envelope.response_message, body, raw_body)
}

/// Turns an enveloped answer into a typed reply or error: the code is the envelope's result code
/// (`resultInfo.resultCode`), the typed body is the response's body member.
pub fn decode_enveloped<Resp, Code>(
    envelope: &Envelope,
    status: u16,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>>
where
    Resp: DeserializeOwned,
    Code: EndpointCode,
{
    let Some(answer) = envelope.answer(&raw_body) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let Ok(body) = serde_json::from_value::<Resp>(answer.body) else {
        return Err(Error::InvalidBody { status, raw_body });
    };
    let code = Code::from(answer.code.as_deref().unwrap_or_default());
    reply_or_error(status, code, answer.message, body, raw_body)
}

/// Whether `raw` carries the provider's signature (`key`) over its response member, exactly as received.
fn answer_is_signed(envelope: &Envelope, key: &PublicKey, raw: &[u8]) -> bool {
    let Some((member, signature)) =
        crate::envelope::signed_member(raw, envelope.response_member, envelope.signature_member)
    else {
        return false;
    };
    let input = SignInput {
        method: "",
        path: "",
        token: None,
        minified_body: member,
        timestamp: "",
        client_id: "",
    };
    let key = crate::signature::VerifyingKey::Rsa(key);
    envelope.signature.verify(&input, &signature, &key).is_ok()
}

/// A reply when the HTTP status is 2xx and the code means success or pending; the provider's error otherwise.
fn reply_or_error<Resp, Code: EndpointCode>(
    status: u16,
    code: Code,
    message: Option<String>,
    body: Resp,
    raw_body: Vec<u8>,
) -> Result<Reply<Resp, Code>, Error<Code>> {
    let ok = (200..300).contains(&status) && matches!(code.outcome(), Outcome::Success | Outcome::Pending);
    if ok {
        Ok(Reply {
            status,
            code,
            message,
            body,
            raw_body,
            confirmed_by_status: None,
            external_id: String::new(),
        })
    } else {
        Err(Error::Api {
            status,
            code,
            message,
            raw_body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Bodies are compact JSON: already minified (what a receiver hashes is what was sent) and the same
        /// value as written, whatever the strings hold (quotes, controls, non-ASCII, long runs).
        #[test]
        fn bodies_are_minified_json_of_the_same_value(
            fields in proptest::collection::btree_map("[a-zA-Z]{1,12}", any_text(), 0..8),
            nested in any_text(),
        ) {
            let value = serde_json::json!({ "fields": fields, "nested": { "text": nested, "list": [1, 2.5, null, true] } });
            let body = body_bytes(&value).expect("serializes");
            proptest::prop_assert_eq!(crate::minify::minify(&body).expect("JSON"), body.clone());
            proptest::prop_assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).expect("parses"), value);
        }
    }

    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof!["\\PC{0,40}", "[\\x00-\\x1f\"\\\\/]{0,10}", "[a-z]{30,80}",]
    }

    #[test]
    fn external_ids_are_32_distinct_digits() {
        let (first, second) = (external_id(), external_id());
        assert_eq!(first.len(), 32);
        assert!(first.bytes().all(|b| b.is_ascii_digit()), "{first}");
        assert_ne!(first, second);
    }

    #[test]
    fn padded_digits_are_the_last_digits_zero_filled() {
        for (value, width) in [(0u64, 6), (42, 7), (1_234_567_890_123, 10), (999_999_999, 9)] {
            let mut out = vec![b'x'; width];
            write_padded(&mut out, value);
            let expected = format!("{:0width$}", value % 10u64.pow(width as u32));
            assert_eq!(String::from_utf8_lossy(&out), expected);
        }
    }
}
