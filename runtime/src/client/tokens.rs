//! The B2B access token: fetched on first use, shared by clones of a client, refreshed before it expires
//! and replaced when the provider refuses it.

use std::time::{Duration, Instant};

use super::{Client, Error, Outgoing};
use crate::code::ResponseCode;
use crate::endpoint::{AuthKind, HeaderSource, Provider};
use crate::secret::AccessToken;
use crate::signature::SignError;

/// The token a client holds between calls.
pub(super) struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
    /// Counts refreshes, so a caller can say which token the provider refused.
    generation: u64,
}

/// A token handed to one call, with the generation it came from.
pub(super) struct Granted {
    pub(super) token: AccessToken,
    pub(super) generation: u64,
}

/// Refresh a token this long before the provider says it expires, so it never expires in flight.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

impl Client {
    /// How long a token lives when its grant does not say: the standard's `expiresIn` (`standard.yaml`).
    pub(crate) fn standard_token_lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.inner.provider.standard.token_lifetime_seconds))
    }

    /// Whether `code` refused the token rather than the request (`standard.yaml` `token.refresh_on`: the token
    /// may have been revoked or the provider restarted), so a fresh token may succeed.
    pub(super) fn rejects_token(&self, code: &str) -> bool {
        self.inner.provider.standard.refreshes_token(code)
    }

    /// The B2B token, fetched on first use and refreshed before it expires. Callers that arrive while a
    /// fetch is in flight wait for it instead of fetching again. `rejected` names a token generation the
    /// provider refused: it is replaced unless another caller already replaced it.
    pub(super) async fn token<C: crate::code::EndpointCode>(&self, rejected: Option<u64>) -> Result<Granted, Error<C>> {
        let mut slot = self.inner.token.lock().await;
        let usable = |c: &&CachedToken| Instant::now() < c.refresh_at && Some(c.generation) != rejected;
        if let Some(cached) = slot.as_ref().filter(usable) {
            return Ok(Granted {
                token: cached.token.clone(),
                generation: cached.generation,
            });
        }
        let (token, lifetime) = self.fetch_token().await?;
        let generation = slot.as_ref().map_or(0, |c| c.generation + 1);
        *slot = Some(CachedToken {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN),
            generation,
        });
        Ok(Granted { token, generation })
    }

    /// Asks the provider's token endpoint for a new token and its lifetime.
    async fn fetch_token<C: crate::code::EndpointCode>(&self) -> Result<(AccessToken, Duration), Error<C>> {
        let Some(endpoint) = self.inner.provider.token_endpoint else {
            return Err(Error::Signing(SignError::MissingToken));
        };
        let body = self.inner.provider.token_request.to_vec();
        let answered = self
            .exchange(
                endpoint,
                Outgoing::at(endpoint, body),
                None,
                &[],
                &self.call_ids(endpoint),
            )
            .await
            .map_err(Error::from)?;
        let (status, raw_body) = (answered.status, answered.raw);
        // An unreadable grant is reported with its code (if any) and raw body, like any refused one.
        let granted: TokenGrant = serde_json::from_slice(&raw_body).unwrap_or_default();
        let code = ResponseCode::parse(granted.response_code.as_deref().unwrap_or_default());
        let token = match granted.access_token {
            Some(token) if (200..300).contains(&status) && !token.is_empty() => AccessToken::from(token),
            _ => return Err(Error::Token { status, code, raw_body }),
        };
        let lifetime = granted.expires_in.as_ref().and_then(seconds).map(Duration::from_secs);
        Ok((token, lifetime.unwrap_or(self.standard_token_lifetime())))
    }
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

/// Whether the profile's headers for `auth` carry the B2B token.
pub(super) fn needs_token(provider: &Provider, auth: AuthKind) -> bool {
    provider
        .headers_for(auth)
        .iter()
        .any(|(_, source)| *source == HeaderSource::BearerToken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lifetime_is_a_number_or_a_string_of_digits() {
        assert_eq!(seconds(&serde_json::json!(900)), Some(900));
        assert_eq!(seconds(&serde_json::json!(" 900 ")), Some(900));
        assert_eq!(seconds(&serde_json::json!("soon")), None);
    }
}
