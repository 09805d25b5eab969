//! What a client is configured with, and what a provider profile cannot serve.

use std::time::Duration;

use crate::endpoint::{AuthKind, HeaderSource, Provider};
use crate::keys::{PrivateKey, PublicKey};
use crate::retry::RetryPolicy;
use crate::secret::ClientSecret;
use crate::signature::Algorithm;

/// Credentials and environment of a client. Secrets are redacted in `Debug`.
#[derive(Clone, Debug)]
pub struct Config {
    pub(super) client_id: String,
    pub(super) environment: String,
    pub(super) base_url: Option<String>,
    pub(super) client_secret: Option<ClientSecret>,
    pub(super) private_key: Option<PrivateKey>,
    pub(super) provider_key: Option<PublicKey>,
    pub(super) channel_id: Option<String>,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
}

impl Config {
    /// A configuration for `client_id` (X-PARTNER-ID / X-CLIENT-KEY) in the `sandbox` environment. A provider whose
    /// headers name no client id (WooshPay: the secret key alone says who calls) never sends it.
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

    /// The client secret: the key of HMAC-signed calls, or the secret key a Stripe-style provider takes as the HTTP
    /// Basic user name (WooshPay's `sk_test_…`).
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
    /// verified, and one that does not verify is [`Error::UnverifiedAnswer`](super::Error::UnverifiedAnswer).
    pub fn provider_public_key(mut self, key: PublicKey) -> Self {
        self.provider_key = Some(key);
        self
    }

    /// CHANNEL-ID, instead of the provider's default.
    pub fn channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = Some(channel_id.into());
        self
    }

    /// How money-moving calls whose answer was lost are settled, and how often a lost answer is sent again under the
    /// provider's idempotency key (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Timeout of one HTTP exchange (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The base URL calls go to: the configured one, else the profile's for the configured environment.
    pub(super) fn resolve_base_url(&self, provider: &Provider) -> Result<String, ConfigError> {
        if let Some(url) = &self.base_url {
            return Ok(url.clone());
        }
        let known = || {
            let names: Vec<&str> = provider.base_urls.iter().map(|(env, _)| *env).collect();
            names.join(", ")
        };
        provider
            .base_url(&self.environment)
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::UnknownEnvironment {
                provider: provider.name,
                environment: self.environment.clone(),
                known: known(),
            })
    }
}

impl Config {
    /// Refuses a configuration that lacks a key the endpoints of `kinds` need (see [`Client::for_auth_kinds`]
    /// for the rule).
    ///
    /// [`Client::for_auth_kinds`]: super::Client::for_auth_kinds
    pub(super) fn check_credentials(&self, provider: &Provider, kinds: &[AuthKind]) -> Result<(), ConfigError> {
        for &kind in kinds {
            if let Some(recipe) = provider.signature_for(kind) {
                let why = format!(
                    "its {} endpoints are signed with {}",
                    kind.as_str(),
                    recipe.algorithm.as_str()
                );
                self.has_key(provider, recipe.algorithm, why)?;
            }
            let basic = provider
                .headers_for(kind)
                .iter()
                .any(|(_, source)| source.is(&HeaderSource::BasicSecret));
            if basic && self.client_secret.as_ref().is_none_or(|s| s.is_empty()) {
                return Err(ConfigError::MissingCredential {
                    provider: provider.name,
                    credential: "client_secret",
                    why: format!(
                        "its {} endpoints send it as their HTTP Basic user name (the secret key)",
                        kind.as_str()
                    ),
                });
            }
            let bearer = provider
                .headers_for(kind)
                .iter()
                .any(|(_, source)| *source == HeaderSource::BearerToken);
            let token_recipe = provider
                .token_endpoint
                .and_then(|token| provider.signature_for(token.auth).map(|r| (token, r)));
            if let (true, Some((token, recipe))) = (bearer, token_recipe) {
                let why = format!(
                    "its {} endpoints carry a B2B token, and the token request ({}) is signed with {}",
                    kind.as_str(),
                    token.id,
                    recipe.algorithm.as_str()
                );
                self.has_key(provider, recipe.algorithm, why)?;
            }
        }
        Ok(())
    }

    /// Whether the key `algorithm` signs with is configured (an empty client secret is not one).
    fn has_key(&self, provider: &Provider, algorithm: Algorithm, why: String) -> Result<(), ConfigError> {
        let (present, credential) = match algorithm {
            Algorithm::HmacSha512 | Algorithm::HmacSha256 => (
                self.client_secret.as_ref().is_some_and(|s| !s.is_empty()),
                "client_secret",
            ),
            Algorithm::RsaSha256 => (self.private_key.is_some(), "private_key"),
        };
        match present {
            true => Ok(()),
            false => Err(ConfigError::MissingCredential {
                provider: provider.name,
                credential,
                why,
            }),
        }
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
    /// A key the client's endpoints sign with is not configured (or the client secret is empty).
    #[error("{provider} needs `{credential}` (Config::{credential}): {why}")]
    MissingCredential {
        /// Provider name.
        provider: &'static str,
        /// The missing setting: `client_secret` or `private_key`.
        credential: &'static str,
        /// Which endpoints need it and what signs with it.
        why: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}
