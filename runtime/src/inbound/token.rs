//! The merchant's own token endpoint, which a provider (DOKU) calls before it sends notifications: the
//! request is RSA-signed over `clientId|timestamp` with the provider's key; the answer is a short-lived
//! token that the provider then presents as `Authorization: Bearer …` and that [`TokenIssuer::accepts`]
//! checks (plug it into [`Verifier::accept_token`](super::Verifier::accept_token)).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use time::OffsetDateTime;

use super::Rejection;
use crate::endpoint::{EndpointInfo, HeaderSource, Provider};
use crate::keys::PublicKey;
use crate::secret::AccessToken;
use crate::signature::{Sign, SignInput, VerifyingKey};
use crate::timestamp::SnapTimestamp;

/// Issues tokens to a provider whose token requests verify with its public key, and remembers them until
/// they expire. Cheap to clone; clones share the issued tokens.
#[derive(Clone)]
pub struct TokenIssuer {
    provider: &'static Provider,
    endpoint: &'static EndpointInfo,
    key: PublicKey,
    lifetime: Duration,
    skew: Duration,
    issued: Arc<Mutex<HashMap<String, Instant>>>,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("provider", &self.provider.name)
            .field("endpoint", &self.endpoint.id)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// An issuer for `endpoint` (the provider-facing token endpoint) that trusts `provider_key`; tokens
    /// live as long as the standard's `expiresIn` (`standard.yaml` `token.lifetime_seconds`).
    pub fn new(provider: &'static Provider, endpoint: &'static EndpointInfo, provider_key: PublicKey) -> Self {
        TokenIssuer {
            provider,
            endpoint,
            key: provider_key,
            lifetime: Duration::from_secs(u64::from(provider.standard.token_lifetime_seconds)),
            skew: Duration::from_secs(300),
            issued: Arc::default(),
        }
    }

    /// How long issued tokens are accepted.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Answers a token request: HTTP status and SNAP body (with the new token on success).
    pub fn issue(&self, headers: &HeaderMap, now: OffsetDateTime) -> (u16, String) {
        let service = &self.endpoint.service_code;
        match self.check(headers, now) {
            Err(rejection) => rejection.response(service, self.provider.standard),
            Ok(()) => {
                let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
                let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                issued.retain(|_, expires| *expires > now);
                issued.insert(token.clone(), now + self.lifetime);
                let body = serde_json::json!({
                    "responseCode": format!("200{service}00"),
                    "responseMessage": "Successful",
                    "accessToken": token,
                    "tokenType": "Bearer",
                    "expiresIn": self.lifetime.as_secs().to_string(),
                });
                (200, body.to_string())
            }
        }
    }

    /// Whether `token` was issued here and has not expired.
    pub fn accepts(&self, token: &AccessToken) -> bool {
        let issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        issued
            .get(token.expose())
            .is_some_and(|expires| *expires > Instant::now())
    }

    fn check(&self, headers: &HeaderMap, now: OffsetDateTime) -> Result<(), Rejection> {
        let named = self.provider.headers_for(self.endpoint.auth);
        let value = |source: HeaderSource| -> Result<&str, Rejection> {
            let (name, _) = named
                .iter()
                .find(|(_, s)| *s == source)
                .ok_or(Rejection::BadSignature)?;
            let missing = || Rejection::MissingHeader((*name).to_owned());
            let v = headers
                .get(*name)
                .ok_or_else(missing)?
                .to_str()
                .map_err(|_| Rejection::InvalidHeader((*name).to_owned()))?;
            if v.is_empty() { Err(missing()) } else { Ok(v) }
        };
        let (client_id, timestamp, signature) = (
            value(HeaderSource::ClientId)?,
            value(HeaderSource::Timestamp)?,
            value(HeaderSource::Signature)?,
        );
        let parsed = SnapTimestamp::parse(timestamp).map_err(|_| Rejection::InvalidHeader("X-TIMESTAMP".into()))?;
        if (now - parsed.to_offset_datetime()).unsigned_abs() > self.skew {
            return Err(Rejection::Stale(self.skew));
        }
        let recipe = self
            .provider
            .signature_for(self.endpoint.auth)
            .ok_or(Rejection::BadSignature)?;
        let input = SignInput {
            method: &self.endpoint.method,
            path: &self.endpoint.path,
            token: None,
            minified_body: &[],
            timestamp,
            client_id,
            request_id: "",
        };
        recipe
            .verify(&input, signature, &VerifyingKey::Rsa(&self.key))
            .map_err(|_| Rejection::BadSignature)
    }
}
