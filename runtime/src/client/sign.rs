//! Signing a request's exact bytes with the recipe the provider profile names and the configured key.

use super::Client;
use crate::endpoint::EndpointInfo;
use crate::signature::{Algorithm, Recipe, Sign, SignError, SignInput, SigningKey};

impl Client {
    /// Signs `input` (the request's method, path as sent, body, token, timestamp and Request-Id) with the recipe of
    /// `endpoint`'s auth kind.
    pub(super) fn sign(&self, endpoint: &EndpointInfo, input: SignInput<'_>) -> Result<String, SignError> {
        let recipe = self
            .inner
            .provider
            .signature_for(endpoint.auth)
            .ok_or(SignError::NoRecipe(endpoint.auth.as_str()))?;
        self.sign_with(recipe, input)
    }

    /// Signs `input` with `recipe`, using the configured client id and the configured key its algorithm needs.
    pub(super) fn sign_with(&self, recipe: &Recipe, input: SignInput<'_>) -> Result<String, SignError> {
        let input = SignInput {
            client_id: &self.inner.config.client_id,
            ..input
        };
        recipe.sign(&input, &self.signing_key(recipe.algorithm)?)
    }

    /// The configured key for `algorithm`.
    fn signing_key(&self, algorithm: Algorithm) -> Result<SigningKey<'_>, SignError> {
        let config = &self.inner.config;
        match algorithm {
            Algorithm::HmacSha512 => match (&self.inner.hmac_key, &config.client_secret) {
                (Some(key), _) => Ok(SigningKey::HmacKey(key)),
                // An empty secret has no key; signing with it reports why.
                (None, Some(secret)) => Ok(SigningKey::Hmac(secret)),
                (None, None) => Err(SignError::MissingCredential("client secret")),
            },
            // The prepared key is HMAC-SHA512's; HMAC-SHA256 keys the secret itself.
            Algorithm::HmacSha256 => config
                .client_secret
                .as_ref()
                .map(SigningKey::Hmac)
                .ok_or(SignError::MissingCredential("client secret")),
            Algorithm::RsaSha256 => config
                .private_key
                .as_ref()
                .map(SigningKey::Rsa)
                .ok_or(SignError::MissingCredential("private key")),
        }
    }
}
