//! Who may call the sandbox: client ids with their HMAC secret and RSA public key, and the built-in demo
//! credentials whose key pair is committed under `sandbox/demo-keys/`.
//!
//! The demo private key is public on purpose (anyone can read it in the repository): it only lets a client
//! talk to this local simulator, never to a real provider.

use std::fmt;

use snapbi_runtime::secret::ClientSecret;
use snapbi_spec::ir::Algorithm;

use crate::SandboxError;
use crate::keys::ClientKey;
use crate::signing::Verifier;

/// Client id of the demo credentials (what the generated client sends as X-PARTNER-ID / X-CLIENT-KEY).
pub const DEMO_CLIENT_ID: &str = "BRN-0000-SANDBOX-DEMO";

/// Client secret of the demo credentials (the key of symmetric HMAC signatures, SNAP's and DOKU non-SNAP's, and the secret
/// key a Stripe-style provider takes as the HTTP Basic user name, WooshPay's). Public: it only opens this simulator.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-demo-secret-not-for-production";

/// Webhook secret of the demo credentials: the key of the notifications of a provider that signs them with the
/// secret of the merchant's webhook endpoint (`notification_key: webhook_secret`, WooshPay's `whsec_…`). Public: it
/// only checks this simulator's notifications.
pub const DEMO_WEBHOOK_SECRET: &str = "whsec_sandbox_demo_not_for_production";

/// The demo client's RSA private key (PKCS#8 PEM), for signing token requests in tests and demos. Public:
/// committed in `sandbox/demo-keys/client-private.pem`.
pub const DEMO_CLIENT_PRIVATE_KEY_PEM: &str = include_str!("../demo-keys/client-private.pem");

/// The demo client's RSA public key (SPKI PEM), which the sandbox verifies token requests with.
pub const DEMO_CLIENT_PUBLIC_KEY_PEM: &str = include_str!("../demo-keys/client-public.pem");

/// The sandbox's own RSA private key as a provider (PKCS#8 PEM): it signs notifications of providers that
/// sign asymmetrically (DANA). Public on purpose, like the demo client's key.
pub const DEMO_PROVIDER_PRIVATE_KEY_PEM: &str = include_str!("../demo-keys/provider-private.pem");

/// The public half of [`DEMO_PROVIDER_PRIVATE_KEY_PEM`]: what a merchant verifies the sandbox's
/// asymmetric notifications with.
pub const DEMO_PROVIDER_PUBLIC_KEY_PEM: &str = include_str!("../demo-keys/provider-public.pem");

/// Where the demo key files live in the source tree, to print at start-up.
pub const DEMO_KEYS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo-keys");

/// The bare B2B token the sandbox, as the provider, puts in `Authorization` of its notifications when it does not
/// ask the merchant for one: the provider's specs have no merchant-side token endpoint (DOKU's
/// `doku.merchant.token_b2b` makes the sandbox ask, see `notify`) and no token was configured with
/// `SandboxBuilder::notify_token`. Not a secret of any real system.
pub const DEMO_NOTIFY_TOKEN: &str = "sandbox-notify-token";

/// One client the sandbox accepts. `Debug` redacts the secret.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The client id (X-PARTNER-ID, X-CLIENT-KEY), at most the standard's length of those headers (36 characters in
    /// `standard.yaml`'s `header_max_length`).
    pub client_id: String,
    /// The client secret: the key of symmetric (HMAC) signatures, and the secret key of an HTTP Basic provider
    /// (WooshPay), which names the client by it.
    pub client_secret: ClientSecret,
    /// The client's RSA public key in PEM (SPKI or PKCS#1), for token and asymmetric signatures.
    pub client_public_key_pem: String,
    /// The secret of the client's webhook endpoint, which signs the notifications of a provider with
    /// `notification_key: webhook_secret` (WooshPay's `whsec_…`); a sandbox serving such a provider refuses a client
    /// without one when it is built.
    pub webhook_secret: Option<ClientSecret>,
}

impl Credentials {
    /// The built-in demo credentials ([`DEMO_CLIENT_ID`], [`DEMO_CLIENT_SECRET`], the key pair in
    /// [`DEMO_KEYS_DIR`]).
    pub fn demo() -> Self {
        Self {
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: ClientSecret::from(DEMO_CLIENT_SECRET),
            client_public_key_pem: DEMO_CLIENT_PUBLIC_KEY_PEM.to_owned(),
            webhook_secret: Some(ClientSecret::from(DEMO_WEBHOOK_SECRET)),
        }
    }

    /// Checks and parses the credentials: a client id of at most `max_id_length` characters (the standard's length
    /// of the client-id headers, when it gives one).
    pub(crate) fn parse(self, max_id_length: Option<u32>) -> Result<Client, SandboxError> {
        let bad = |reason: String| SandboxError::Credentials {
            client_id: self.client_id.clone(),
            reason,
        };
        if self.client_id.is_empty() {
            return Err(bad("the client id is empty".into()));
        }
        if let Some(max) = max_id_length
            && self.client_id.chars().count() > max as usize
        {
            return Err(bad(format!(
                "the client id must be at most {max} characters (the standard's X-PARTNER-ID length)"
            )));
        }
        if self.client_secret.is_empty() {
            return Err(bad("the client secret is empty".into()));
        }
        let public_key = ClientKey::from_pem(&self.client_public_key_pem).map_err(|e| bad(e.to_string()))?;
        if self.webhook_secret.as_ref().is_some_and(|s| s.is_empty()) {
            return Err(bad("the webhook secret is empty".into()));
        }
        Ok(Client {
            id: self.client_id,
            secret: self.client_secret,
            webhook_secret: self.webhook_secret,
            public_key,
        })
    }
}

/// A client ready for checking signatures.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: ClientSecret,
    /// The secret of its webhook endpoint (`Credentials::webhook_secret`).
    pub(crate) webhook_secret: Option<ClientSecret>,
    pub(crate) public_key: ClientKey,
}

impl Client {
    /// What checks this client's signatures made by `algorithm`: its secret or its public key.
    pub(crate) fn verifier(&self, algorithm: Algorithm) -> Verifier<'_> {
        match algorithm {
            Algorithm::HmacSha512 | Algorithm::HmacSha256 => Verifier::Secret(self.secret.expose()),
            Algorithm::RsaSha256 => Verifier::Rsa(&self.public_key),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("webhook_secret", &self.webhook_secret)
            .field("public_key", &self.public_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_credentials_parse_and_match_the_private_key() {
        let client = Credentials::demo().parse(Some(36)).map_err(|e| e.to_string());
        let client = client.unwrap_or_else(|e| panic!("{e}"));
        let private = crate::keys::ProviderKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM);
        let private = private.unwrap_or_else(|e| panic!("{e}"));
        let signature = private.sign(b"x").unwrap_or_default();
        assert!(client.public_key.verifies(b"x", &signature));
        assert!(!format!("{client:?}").contains(DEMO_CLIENT_SECRET));
    }

    #[test]
    fn bad_credentials_are_refused_without_echoing_the_secret() {
        let mut creds = Credentials::demo();
        creds.client_public_key_pem = "not a key".into();
        let e = creds.parse(None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(DEMO_CLIENT_ID) && !e.contains(DEMO_CLIENT_SECRET), "{e}");
        let mut creds = Credentials::demo();
        creds.client_id = "x".repeat(37);
        assert!(creds.clone().parse(Some(36)).is_err());
        assert!(creds.clone().parse(None).is_ok());
        creds.client_id = String::new();
        assert!(creds.parse(None).is_err());
    }
}
