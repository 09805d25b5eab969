//! Checking `X-SIGNATURE`: the string to sign is assembled from the provider's recipe in the IR, then
//! checked with HMAC-SHA512 (client secret) or SHA256withRSA (client public key).
//!
//! The assembly is deliberately this module's own, not the runtime's `Recipe::string_to_sign`: the sandbox
//! exists to catch signing bugs in clients, and a bug shared by signer and verifier would cancel out
//! (ARCHITECTURE.md). Tests sign with the runtime and verify here, so each side checks the other. The body
//! hash is taken over the raw body after the runtime's byte-preserving `minify`, as SNAP §2.4 asks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};
use snapbi_spec::ir::{Algorithm, Recipe, RecipePart};

use crate::credentials::Client;

/// What a request presents to the string to sign.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Presented<'a> {
    /// The HTTP method as received.
    pub(crate) method: &'a str,
    /// The path actually requested, with any query.
    pub(crate) path: &'a str,
    /// The bare B2B token, for symmetric calls.
    pub(crate) token: Option<&'a str>,
    /// The body after minification (empty for no body).
    pub(crate) minified_body: &'a [u8],
    /// The X-TIMESTAMP value as received.
    pub(crate) timestamp: &'a str,
    /// The client id header value (X-PARTNER-ID or X-CLIENT-KEY).
    pub(crate) client_id: &'a str,
}

/// The string to sign of `recipe` for what the request presents.
pub(crate) fn string_to_sign(recipe: &Recipe, p: &Presented<'_>) -> String {
    let mut out = String::with_capacity(256);
    for part in recipe.parts.iter() {
        match part {
            RecipePart::Literal(text) => out.push_str(text),
            RecipePart::Method => out.push_str(p.method),
            RecipePart::Path => out.push_str(p.path),
            RecipePart::Token => out.push_str(p.token.unwrap_or_default()),
            RecipePart::BodySha256 => out.push_str(&hex::encode(Sha256::digest(p.minified_body))),
            RecipePart::Timestamp => out.push_str(p.timestamp),
            RecipePart::ClientId => out.push_str(p.client_id),
            // Bytes that are not UTF-8 change here and so never verify, which is the right answer for them.
            RecipePart::Body => out.push_str(&String::from_utf8_lossy(p.minified_body)),
        }
    }
    out
}

/// Whether `signature_b64` (standard Base64) is `client`'s signature of `recipe` over `p`.
pub(crate) fn verify(recipe: &Recipe, p: &Presented<'_>, signature_b64: &str, client: &Client) -> bool {
    let Ok(signature) = STANDARD.decode(signature_b64.trim_ascii()) else {
        return false;
    };
    let message = string_to_sign(recipe, p);
    match recipe.algorithm {
        Algorithm::HmacSha512 => {
            let Ok(mut mac) = Hmac::<Sha512>::new_from_slice(client.secret.expose().as_bytes()) else {
                return false;
            };
            mac.update(message.as_bytes());
            // verify_slice compares in constant time.
            mac.verify_slice(&signature).is_ok()
        }
        Algorithm::RsaSha256 => client.public_key.verify_sha256(message.as_bytes(), &signature).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Credentials, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET};
    use snapbi_runtime::keys::PrivateKey;
    use snapbi_runtime::secret::{AccessToken, ClientSecret};

    fn recipe(algorithm: Algorithm, text: &str) -> Recipe {
        let mut parts = Vec::new();
        for piece in text.split_inclusive(['{', '}']) {
            let part = match piece {
                "method}" => RecipePart::Method,
                "path}" => RecipePart::Path,
                "token}" => RecipePart::Token,
                "body_sha256}" => RecipePart::BodySha256,
                "timestamp}" => RecipePart::Timestamp,
                "client_id}" => RecipePart::ClientId,
                lit => RecipePart::Literal(lit.trim_end_matches('{').to_owned().into()),
            };
            parts.push(part);
        }
        parts.retain(|p| *p != RecipePart::Literal("".into()));
        Recipe {
            algorithm,
            parts: parts.into(),
        }
    }

    fn client() -> Client {
        Credentials::demo().parse().unwrap_or_else(|e| panic!("{e}"))
    }

    const TS: &str = "2024-07-10T11:57:58+07:00";
    const BODY: &[u8] = br#"{ "a" : "  b" }"#;

    fn presented<'a>(minified: &'a [u8], token: Option<&'a str>) -> Presented<'a> {
        Presented {
            method: "POST",
            path: "/v1.0/x?y=1",
            token,
            minified_body: minified,
            timestamp: TS,
            client_id: "BRN-0000-SANDBOX-DEMO",
        }
    }

    #[test]
    fn agrees_with_the_runtime_signer_on_all_three_recipes() {
        let minified = snapbi_runtime::minify::minify(BODY).unwrap_or_default().into_owned();
        let secret = ClientSecret::from(DEMO_CLIENT_SECRET);
        let key = PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).unwrap_or_else(|e| panic!("{e}"));
        let token = AccessToken::from("tok");
        let symmetric = recipe(
            Algorithm::HmacSha512,
            "{method}:{path}:{token}:{body_sha256}:{timestamp}",
        );
        let sig = snapbi_runtime::signature::sign_symmetric("POST", "/v1.0/x?y=1", &token, BODY, TS, &secret);
        let sig = sig.unwrap_or_default();
        assert!(verify(&symmetric, &presented(&minified, Some("tok")), &sig, &client()));
        assert!(!verify(
            &symmetric,
            &presented(&minified, Some("tok2")),
            &sig,
            &client()
        ));

        let asymmetric = recipe(Algorithm::RsaSha256, "{method}:{path}:{body_sha256}:{timestamp}");
        let sig = snapbi_runtime::signature::sign_asymmetric("POST", "/v1.0/x?y=1", BODY, TS, &key);
        let sig = sig.unwrap_or_default();
        assert!(verify(&asymmetric, &presented(&minified, None), &sig, &client()));
        assert!(!verify(&asymmetric, &presented(b"{}", None), &sig, &client()));

        let token_recipe = recipe(Algorithm::RsaSha256, "{client_id}|{timestamp}");
        let sig = snapbi_runtime::signature::sign_token("BRN-0000-SANDBOX-DEMO", TS, &key).unwrap_or_default();
        assert!(verify(&token_recipe, &presented(b"", None), &sig, &client()));
        assert!(!verify(&token_recipe, &presented(b"", None), "not base64!", &client()));
    }

    #[test]
    fn body_hash_matches_the_standard_vector() {
        // snap-standard §2.4: DOKU's minified VA body hashes to this value.
        let body = br#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}"#;
        let r = recipe(Algorithm::HmacSha512, "{body_sha256}");
        assert_eq!(
            string_to_sign(&r, &presented(body, None)),
            "3274fab8dac896837b106a16da2a974e7e65142dcecb4b768ef0294102838977"
        );
    }
}
