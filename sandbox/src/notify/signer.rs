//! How a notification is signed: the headers and their sources are the provider's `headers.symmetric` set, and the
//! signature is its `signatures.symmetric` recipe, applied to the path of the merchant's notify URL
//! ([`NotifySigner`]) by the sandbox's own signer ([`crate::signing`]), never the runtime's, with X-TIMESTAMP in
//! the provider's form (ISO 8601 at its offset and fraction digits, or WooshPay's Unix seconds) and the signature in
//! the recipe's encoding (WooshPay's `Wooshpay-Signature: t=…,v1=<hex>`).

use std::fmt;

use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_spec::ir::{Algorithm, HeaderSource, Recipe, TimestampForm};
use time::OffsetDateTime;

use super::delivery::Shared;
use crate::keys::ProviderKey;
use crate::signing::{self, Message, Signer};

/// The credentials a notification is signed with. `Debug` shows the client id and channel only.
///
/// With DOKU, X-PARTNER-ID carries `client_id`, the HMAC key is the shared `client_secret`, and the
/// `token` is the B2B token the merchant's own token API issued to the provider (snap-standard §2.5).
#[derive(Clone)]
pub struct NotifySigner {
    /// The client id, for `client_id` header sources (X-PARTNER-ID).
    pub client_id: String,
    /// The key of the symmetric (HMAC) signature: SNAP's and DOKU's client secret, WooshPay's webhook endpoint
    /// secret (`whsec_…`).
    pub client_secret: ClientSecret,
    /// The bare B2B token (no `Bearer `), for `Authorization` and the string to sign.
    pub token: AccessToken,
    /// CHANNEL-ID; `None` uses the provider's `channel_id`.
    pub channel_id: Option<String>,
    /// The provider's own RSA key, for providers that sign notifications asymmetrically (DANA).
    pub provider_key: Option<ProviderKey>,
}

impl NotifySigner {
    /// A signer with the provider's default CHANNEL-ID.
    pub fn new(client_id: impl Into<String>, client_secret: ClientSecret, token: AccessToken) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            token,
            channel_id: None,
            provider_key: None,
        }
    }

    /// The same signer with the provider's RSA key, for asymmetric notifications.
    pub fn with_provider_key(mut self, key: ProviderKey) -> Self {
        self.provider_key = Some(key);
        self
    }

    /// The same signer with CHANNEL-ID `channel_id`.
    pub fn with_channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = Some(channel_id.into());
        self
    }
}

impl fmt::Debug for NotifySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifySigner")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token", &"<redacted>")
            .field("channel_id", &self.channel_id)
            .finish()
    }
}

impl Shared {
    /// Content-Type, then the provider's notification headers in spec order, signed now with `token`.
    pub(super) fn headers(
        &self,
        path: &str,
        body: &[u8],
        token: &AccessToken,
    ) -> Result<Vec<(String, String)>, String> {
        let recipe = self.recipe.as_ref()?;
        self.signed_headers(recipe, &self.headers, path, body, Some(token))
    }

    /// Content-Type, then `names` filled from their sources, signed now by `recipe` over `path` and `body`: with the
    /// provider's RSA key for an RSA recipe, else with the client secret.
    pub(super) fn signed_headers(
        &self,
        recipe: &Recipe,
        names: &[(String, HeaderSource)],
        path: &str,
        body: &[u8],
        token: Option<&AccessToken>,
    ) -> Result<Vec<(String, String)>, String> {
        let signer = &self.signer;
        let now = OffsetDateTime::now_utc();
        // In the provider's form: SNAP's ISO 8601 at its offset, WooshPay's Unix seconds.
        let timestamp = match self.timestamp_form {
            TimestampForm::Iso8601 => self.clock.format_fraction(now, self.fraction_digits),
            TimestampForm::UnixSeconds => now.unix_timestamp().to_string(),
        };
        // Compact already (serde_json's bytes, a spec's fixed body), so this borrows; it keeps the hash right if not.
        let minified = crate::minify::strip(body);
        let request_id = uuid::Uuid::new_v4().to_string();
        let message = Message {
            method: "POST",
            path,
            token: token.map(AccessToken::expose),
            minified_body: &minified,
            timestamp: &timestamp,
            client_id: &signer.client_id,
            raw_body: body,
            request_id: &request_id,
        };
        let key = match (recipe.algorithm, &signer.provider_key) {
            (Algorithm::RsaSha256, Some(key)) => Signer::Rsa(key),
            (Algorithm::RsaSha256, None) => return Err("the recipe is RSA and there is no provider key".into()),
            (Algorithm::HmacSha512 | Algorithm::HmacSha256, _) => Signer::Secret(signer.client_secret.expose()),
        };
        let signature = signing::sign(recipe, &message, key).map_err(|e| e.to_string())?;
        let mut headers = Vec::with_capacity(1 + names.len());
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        for (name, source) in names {
            let value_of = |source: &HeaderSource| -> Option<String> {
                Some(match source {
                    HeaderSource::ClientId => signer.client_id.clone(),
                    HeaderSource::ExternalId => external_id(),
                    HeaderSource::RequestId => request_id.clone(),
                    HeaderSource::ChannelId => signer.channel_id.as_ref().or(self.channel_id.as_ref())?.clone(),
                    HeaderSource::Timestamp => timestamp.clone(),
                    HeaderSource::Signature => signature.clone(),
                    HeaderSource::BearerToken => format!("Bearer {}", token?.expose()),
                    HeaderSource::Value(value) => value.to_string(),
                    // Envelope heads only, or a merchant's credential; a notification's headers never carry them. No
                    // template nests.
                    HeaderSource::Function
                    | HeaderSource::ClientSecret
                    | HeaderSource::BasicSecret
                    | HeaderSource::Template(_) => return None,
                })
            };
            let value = match source {
                // `"HMACSHA256={signature}"`: the template's text around its one source.
                HeaderSource::Template(pieces) => pieces.iter().map(value_of).collect::<Option<String>>(),
                source => value_of(source),
            };
            if let Some(value) = value {
                headers.push((name.clone(), value));
            }
        }
        Ok(headers)
    }
}

/// X-EXTERNAL-ID: 32 random digits, unique per attempt. Digits only, because some receivers still read the
/// standard's table that says numeric (the fact sheet, `snapbi_specs::facts` §1.2); 32 fit the 36-character limit.
fn external_id() -> String {
    format!("{:032}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_32_digits() {
        let id = external_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(id, external_id());
    }
}
