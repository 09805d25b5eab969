//! B2B2C customer tokens: after a customer bound an account, the merchant exchanges the authorization code
//! for a customer token and a refresh token, sends the customer token as `Authorization-Customer`, and
//! renews it with the refresh token before it expires. A [`CustomerSession`] does that for one customer:
//! it is cheap to clone, and callers that need a token while a renewal is in flight wait for it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::client::{Client, Error};
use crate::code::ResponseCode;
use crate::endpoint::EndpointInfo;
use crate::secret::AccessToken;
use crate::timestamp::SnapTimestamp;

/// The customer tokens of one customer, renewed as needed.
#[derive(Clone)]
pub struct CustomerSession {
    client: Client,
    endpoint: &'static EndpointInfo,
    margin: Duration,
    tokens: Arc<tokio::sync::Mutex<Tokens>>,
}

struct Tokens {
    access: AccessToken,
    expires_at: Instant,
    refresh: Option<AccessToken>,
}

impl fmt::Debug for CustomerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerSession")
            .field("endpoint", &self.endpoint.id)
            .finish_non_exhaustive()
    }
}

impl CustomerSession {
    /// Exchanges `auth_code` at `endpoint` (the provider's B2B2C token endpoint) for the customer's tokens.
    pub async fn start(
        client: &Client,
        endpoint: &'static EndpointInfo,
        auth_code: &str,
    ) -> Result<CustomerSession, Error<ResponseCode>> {
        let body = json!({ "grantType": "AUTHORIZATION_CODE", "authCode": auth_code });
        let tokens = grant(client, endpoint, &body).await?;
        let margin = Duration::from_secs(30);
        Ok(CustomerSession {
            client: client.clone(),
            endpoint,
            margin,
            tokens: Arc::new(tokio::sync::Mutex::new(tokens)),
        })
    }

    /// Renew this long before the customer token expires (default 30 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The customer token, renewed with the refresh token first when it is about to expire.
    pub async fn access_token(&self) -> Result<AccessToken, Error<ResponseCode>> {
        let mut tokens = self.tokens.lock().await;
        if Instant::now() + self.margin < tokens.expires_at {
            return Ok(tokens.access.clone());
        }
        let Some(refresh) = tokens.refresh.clone() else {
            // No refresh token: the old one is all there is; the provider will say if it is refused.
            return Ok(tokens.access.clone());
        };
        let body = json!({ "grantType": "REFRESH_TOKEN", "refreshToken": refresh.expose() });
        *tokens = grant(&self.client, self.endpoint, &body).await?;
        Ok(tokens.access.clone())
    }

    /// The `Authorization-Customer` header value, `Bearer <customer token>`.
    pub async fn authorization_customer(&self) -> Result<String, Error<ResponseCode>> {
        Ok(format!("Bearer {}", self.access_token().await?.expose()))
    }
}

/// Calls the token endpoint with `body` and reads the tokens out of the answer.
async fn grant(client: &Client, endpoint: &'static EndpointInfo, body: &Value) -> Result<Tokens, Error<ResponseCode>> {
    let reply = client.call::<Value, Value, ResponseCode>(endpoint, body, &[]).await?;
    let text = |name: &str| {
        reply
            .body
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let Some(access) = text("accessToken") else {
        return Err(Error::InvalidBody {
            status: reply.status,
            raw_body: reply.raw_body,
        });
    };
    let lifetime = lifetime(&reply.body).unwrap_or(client.standard_token_lifetime());
    Ok(Tokens {
        access: AccessToken::from(access),
        expires_at: Instant::now() + lifetime,
        refresh: text("refreshToken").map(AccessToken::from),
    })
}

/// How long the customer token lives: from `accessTokenExpiryTime` (ISO 8601), else `expiresIn`.
fn lifetime(body: &Value) -> Option<Duration> {
    let until_expiry = body
        .get("accessTokenExpiryTime")
        .and_then(Value::as_str)
        .and_then(|t| SnapTimestamp::parse(t).ok());
    if let Some(expiry) = until_expiry {
        let left = expiry.to_offset_datetime() - OffsetDateTime::now_utc();
        return Some(left.try_into().unwrap_or(Duration::ZERO));
    }
    match body.get("expiresIn")? {
        Value::Number(n) => n.as_u64().map(Duration::from_secs),
        Value::String(s) => s.trim().parse().ok().map(Duration::from_secs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_comes_from_the_expiry_time_or_expires_in() {
        assert_eq!(lifetime(&json!({"expiresIn": "900"})), Some(Duration::from_secs(900)));
        assert_eq!(lifetime(&json!({"expiresIn": 60})), Some(Duration::from_secs(60)));
        assert_eq!(
            lifetime(&json!({"accessTokenExpiryTime": "2000-01-01T00:00:00+07:00"})),
            Some(Duration::ZERO)
        );
        let later = SnapTimestamp::at(OffsetDateTime::now_utc() + time::Duration::hours(2));
        let left = lifetime(&json!({"accessTokenExpiryTime": later.as_str()})).unwrap_or_default();
        assert!(
            left > Duration::from_secs(7000) && left <= Duration::from_secs(7200),
            "{left:?}"
        );
        assert_eq!(lifetime(&json!({})), None);
    }
}
