//! The `Authorization` token of a notification: a provider whose specs have a merchant-side token endpoint (an
//! inbound endpoint with `operation: token`, DOKU's `doku.merchant.token_b2b`) first asks the merchant for a token,
//! the way DOKU does before it notifies (snap-standard §2.5, §5.2): a request signed with the provider's key by the
//! provider's recipe for that endpoint (DOKU: SHA256withRSA over `clientId|X-TIMESTAMP`), carrying the endpoint's
//! fixed body (`{"grantType":"client_credentials"}`); the answer's `accessToken` signs and authorizes the attempt
//! ([`MerchantToken`]). Otherwise the signer's configured token is used.

use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;
use snapbi_runtime::secret::AccessToken;
use snapbi_spec::ir::{Api, Direction, Endpoint, HeaderSource, Operation, Provider, Recipe};

use super::delivery::{Shared, describe};

/// The merchant-side token endpoint of `provider`: direction `inbound`, operation `token`.
pub fn merchant_token_endpoint<'a>(api: &'a Api, provider: &str) -> Option<&'a Endpoint> {
    api.endpoints
        .iter()
        .find(|e| e.info.provider == provider && e.direction == Direction::Inbound && e.operation == Operation::Token)
}

/// The merchant's own token endpoint as the provider calls it before notifying (see the module doc): where it is,
/// which headers it takes, the recipe they are signed with and the body it is sent.
#[derive(Debug, Clone)]
pub struct MerchantToken {
    /// Path of the endpoint in the specs, put after the notify URL's origin unless `url` is given.
    path: String,
    /// Where the endpoint is, when not at the notify URL's origin.
    url: Option<String>,
    /// The provider's headers for the endpoint's auth kind, in spec order.
    headers: Vec<(String, HeaderSource)>,
    /// The provider's recipe for the endpoint's auth kind.
    recipe: Recipe,
    /// The request body: every required field with its one allowed value.
    body: Bytes,
}

impl MerchantToken {
    /// `provider`'s merchant-side token endpoint ([`merchant_token_endpoint`]), called at `url` when given; `None`
    /// when the provider has none, or its recipe or body cannot be made.
    pub fn from_specs(api: &Api, provider: &Provider, url: Option<String>) -> Option<Self> {
        let endpoint = merchant_token_endpoint(api, &provider.name)?;
        let recipe = provider.signature_for(endpoint.info.auth)?;
        let body = endpoint.fixed_body().ok()?;
        Some(Self {
            path: endpoint.info.path.to_string(),
            url,
            headers: provider.headers_for(endpoint.info.auth).to_vec(),
            recipe: recipe.clone(),
            body: Bytes::from(body),
        })
    }

    /// Where to ask, for a notification to `target`: the configured URL, or `target`'s origin plus the path.
    fn url_for(&self, target: &reqwest::Url) -> Result<reqwest::Url, String> {
        let url = match &self.url {
            Some(url) => reqwest::Url::parse(url),
            None => target.join(&self.path),
        };
        url.map_err(|e| format!("invalid merchant token URL: {e}"))
    }
}

impl Shared {
    /// Asks the merchant's token endpoint for a token, as the provider does before it notifies. The answer must be
    /// 2xx with an `accessToken`; the error says what came back instead (never a token).
    pub(super) async fn merchant_token(
        &self,
        http: &reqwest::Client,
        source: &MerchantToken,
        target: &reqwest::Url,
        timeout: Duration,
    ) -> Result<AccessToken, String> {
        let url = source.url_for(target)?;
        let path = url.path().to_owned();
        let headers = self
            .signed_headers(&source.recipe, &source.headers, &path, &source.body, None)
            .map_err(|e| format!("cannot sign the token request: {e}"))?;
        let mut request = http.post(url.clone()).timeout(timeout);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(source.body.clone())
            .send()
            .await
            .map_err(|e| format!("{url}: {}", describe(&e, timeout)))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        match answer.get("accessToken").and_then(Value::as_str) {
            Some(token) if (200..300).contains(&status) && !token.is_empty() => Ok(AccessToken::from(token)),
            _ => Err(format!(
                "{url} answered HTTP {status} with responseCode {} and no accessToken",
                answer.get("responseCode").unwrap_or(&Value::Null)
            )),
        }
    }
}
