//! SNAP signatures as the sandbox makes and checks them: the string to sign assembled from a recipe of the IR
//! (`{method}:{path}:{token}:{body_sha256}:{timestamp}` as parts), then HMAC-SHA512 or HMAC-SHA256 keyed with the
//! client secret, or SHA256withRSA, in standard Base64. DOKU's non-SNAP scheme is a recipe too: lines joined by
//! `\n` with `{request_id}` and `{body_digest}`, its `Digest:` line between `{if_body}` and `{end_if}`.
//!
//! This is the sandbox's one implementation, for what it checks (X-SIGNATURE of every call, the signature of an
//! envelope) and for what it signs (notifications, merchant-token calls, enveloped answers). It shares no code with
//! the runtime's signer on purpose: the sandbox exists to catch signing bugs in clients, and a bug shared by signer
//! and verifier would cancel out (ARCHITECTURE.md, decision 5). `tests/signing_agrees.rs` holds both to `openssl`.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};
use snapbi_spec::ir::{Algorithm, Encoding, Part, Recipe};

use crate::keys::{ClientKey, KeyError, ProviderKey};

/// What a recipe draws from. A part the recipe does not name is ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Message<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The path actually requested, with any query.
    pub path: &'a str,
    /// The bare B2B token (no `Bearer `); absent counts as empty.
    pub token: Option<&'a str>,
    /// The minified body ([`crate::minify`]), empty for no body; for `{body}`, the signed bytes themselves.
    pub minified_body: &'a [u8],
    /// The X-TIMESTAMP value.
    pub timestamp: &'a str,
    /// The client id (X-PARTNER-ID, X-CLIENT-KEY).
    pub client_id: &'a str,
    /// The body exactly as received (or sent), for `{body_digest}`; DOKU hashes these bytes, not a minified form.
    pub raw_body: &'a [u8],
    /// The request id header (DOKU's `Request-Id`), for `{request_id}`.
    pub request_id: &'a str,
}

/// The key a signature is made with; it must fit the recipe's algorithm.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// The client secret, for HMAC-SHA512 and HMAC-SHA256.
    Secret(&'a str),
    /// The sandbox's provider key, for SHA256withRSA.
    Rsa(&'a ProviderKey),
}

/// The key a signature is checked with; it must fit the recipe's algorithm.
#[derive(Debug, Clone, Copy)]
pub enum Verifier<'a> {
    /// The client secret, for HMAC-SHA512 and HMAC-SHA256.
    Secret(&'a str),
    /// The client's public key, for SHA256withRSA.
    Rsa(&'a ClientKey),
}

/// Why the sandbox could not sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The key does not fit the recipe (a secret for an RSA recipe, an RSA key for an HMAC one).
    #[error("the recipe is {0:?} and the key is not for it")]
    WrongKey(Algorithm),
    /// The HMAC key was refused (HMAC takes keys of any length, so this does not happen).
    #[error("the client secret is not usable as an HMAC key")]
    Hmac,
    /// The RSA operation failed.
    #[error(transparent)]
    Rsa(#[from] KeyError),
}

/// The string to sign of `recipe` over `message`. What stands between `{if_body}` and `{end_if}` is left out when
/// the message has no body.
pub fn string_to_sign(recipe: &Recipe, message: &Message<'_>) -> String {
    let mut out = String::with_capacity(256);
    write_string_to_sign(recipe, message, &mut out);
    out
}

/// [`string_to_sign`], written after `out`.
fn write_string_to_sign(recipe: &Recipe, message: &Message<'_>, out: &mut String) {
    let mut without_body = false;
    for part in recipe.parts.iter() {
        match part {
            Part::IfBody => without_body = message.minified_body.is_empty(),
            Part::EndIf => without_body = false,
            _ if without_body => {}
            Part::Literal(text) => out.push_str(text),
            Part::Method => out.push_str(message.method),
            Part::Path => out.push_str(message.path),
            Part::Token => out.push_str(message.token.unwrap_or_default()),
            Part::BodySha256 => {
                let mut digits = [0u8; 64];
                // 32 bytes always fill 64 digits, so this cannot fail; the digits are ASCII.
                if hex::encode_to_slice(Sha256::digest(message.minified_body), &mut digits).is_ok() {
                    out.push_str(std::str::from_utf8(&digits).unwrap_or_default());
                }
            }
            Part::Timestamp => out.push_str(message.timestamp),
            Part::ClientId => out.push_str(message.client_id),
            // Bytes that are not UTF-8 change here and so never verify, which is the right answer for them.
            Part::Body => out.push_str(&String::from_utf8_lossy(message.minified_body)),
            Part::RequestId => out.push_str(message.request_id),
            Part::BodyDigest => STANDARD.encode_string(Sha256::digest(message.raw_body), out),
        }
    }
}

/// The signature of `recipe` over `message`, made with `signer`, in the recipe's encoding (standard Base64, or
/// lower-case hex).
///
/// # Errors
///
/// [`SignError`] when `signer` does not fit the recipe's algorithm or RSA signing fails.
pub fn sign(recipe: &Recipe, message: &Message<'_>, signer: Signer<'_>) -> Result<String, SignError> {
    let text = string_to_sign(recipe, message);
    let raw = match (recipe.algorithm, signer) {
        (Algorithm::HmacSha512, Signer::Secret(secret)) => hmac(secret, &text)
            .ok_or(SignError::Hmac)?
            .finalize()
            .into_bytes()
            .to_vec(),
        (Algorithm::HmacSha256, Signer::Secret(secret)) => Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| SignError::Hmac)?
            .chain_update(text.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        (Algorithm::RsaSha256, Signer::Rsa(key)) => key.sign(text.as_bytes())?,
        (algorithm, _) => return Err(SignError::WrongKey(algorithm)),
    };
    Ok(match recipe.encoding {
        Encoding::Base64 => STANDARD.encode(raw),
        Encoding::Hex => hex::encode(raw),
    })
}

/// Whether `signature_b64` (in the recipe's encoding, surrounding blanks ignored) is the signature of `recipe` over
/// `message` under `verifier`. A key that does not fit the recipe verifies nothing.
pub fn verify(recipe: &Recipe, message: &Message<'_>, signature_b64: &str, verifier: Verifier<'_>) -> bool {
    let text = signature_b64.trim_ascii();
    // An HMAC's signature is decoded on the stack; an RSA one (256 bytes or more) into a vector.
    let mut short = [0u8; 96];
    let decoded = match recipe.encoding {
        Encoding::Base64 => match STANDARD.decode_slice(text, &mut short) {
            Ok(n) => Some(Cow::Borrowed(&short[..n])),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => STANDARD.decode(text).ok().map(Cow::Owned),
            Err(base64::DecodeSliceError::DecodeError(_)) => None,
        },
        Encoding::Hex => hex::decode(text).ok().map(Cow::Owned),
    };
    let Some(signature) = decoded else {
        return false;
    };
    thread_local! {
        /// The string to sign of the last call verified on this thread, emptied: every call makes one.
        static TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let mut text = TEXT.with_borrow_mut(std::mem::take);
    text.clear();
    write_string_to_sign(recipe, message, &mut text);
    let verified = verifies(recipe.algorithm, verifier, &text, &signature);
    if text.capacity() <= 64 * 1024 {
        TEXT.with_borrow_mut(|spare| *spare = text);
    }
    verified
}

/// Whether `signature` signs `text` with `algorithm` under `verifier`.
fn verifies(algorithm: Algorithm, verifier: Verifier<'_>, text: &str, signature: &[u8]) -> bool {
    match (algorithm, verifier) {
        // verify_slice compares in constant time.
        (Algorithm::HmacSha512, Verifier::Secret(secret)) => {
            hmac(secret, text).is_some_and(|mac| mac.verify_slice(signature).is_ok())
        }
        (Algorithm::HmacSha256, Verifier::Secret(secret)) => Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .is_ok_and(|mac| mac.chain_update(text.as_bytes()).verify_slice(signature).is_ok()),
        (Algorithm::RsaSha256, Verifier::Rsa(key)) => key.verifies(text.as_bytes(), signature),
        _ => false,
    }
}

/// HMAC-SHA512 keyed with `secret`, fed `text`.
fn hmac(secret: &str, text: &str) -> Option<Hmac<Sha512>> {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(text.as_bytes());
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{
        DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_PUBLIC_KEY_PEM, DEMO_CLIENT_SECRET,
    };

    /// A recipe from its template, the way the specs write it.
    fn recipe(algorithm: Algorithm, template: &str) -> Recipe {
        let mut parts = Vec::new();
        for piece in template.split_inclusive(['{', '}']) {
            parts.push(match piece {
                "method}" => Part::Method,
                "path}" => Part::Path,
                "token}" => Part::Token,
                "body_sha256}" => Part::BodySha256,
                "timestamp}" => Part::Timestamp,
                "client_id}" => Part::ClientId,
                "body}" => Part::Body,
                literal => Part::Literal(literal.trim_end_matches('{').to_owned().into()),
            });
        }
        parts.retain(|p| *p != Part::Literal("".into()));
        Recipe {
            algorithm,
            parts: parts.into(),
            encoding: Encoding::Base64,
        }
    }

    const TS: &str = "2024-07-10T11:57:58+07:00";

    fn message(token: Option<&'static str>, body: &'static [u8]) -> Message<'static> {
        Message {
            method: "POST",
            path: "/v1.0/x?y=1",
            token,
            minified_body: body,
            timestamp: TS,
            client_id: DEMO_CLIENT_ID,
            raw_body: body,
            request_id: "",
        }
    }

    fn keys() -> (ProviderKey, ClientKey) {
        let private = ProviderKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).unwrap_or_else(|e| panic!("{e}"));
        let public = ClientKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM).unwrap_or_else(|e| panic!("{e}"));
        (private, public)
    }

    #[test]
    fn strings_to_sign_follow_the_templates() {
        let symmetric = recipe(
            Algorithm::HmacSha512,
            "{method}:{path}:{token}:{body_sha256}:{timestamp}",
        );
        assert_eq!(
            string_to_sign(&symmetric, &message(Some("tok"), b"")),
            format!("POST:/v1.0/x?y=1:tok:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:{TS}")
        );
        let token = recipe(Algorithm::RsaSha256, "{client_id}|{timestamp}");
        assert_eq!(
            string_to_sign(&token, &message(None, b"")),
            format!("{DEMO_CLIENT_ID}|{TS}")
        );
        let body = recipe(Algorithm::RsaSha256, "{body}");
        assert_eq!(string_to_sign(&body, &message(None, b"{ \"a\" }")), "{ \"a\" }");
    }

    #[test]
    fn body_hash_matches_the_standard_vector() {
        // snap-standard §2.4: DOKU's minified VA body hashes to this value.
        let body = br#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}"#;
        assert_eq!(
            string_to_sign(&recipe(Algorithm::HmacSha512, "{body_sha256}"), &message(None, body)),
            "3274fab8dac896837b106a16da2a974e7e65142dcecb4b768ef0294102838977"
        );
    }

    #[test]
    fn what_is_signed_verifies_and_nothing_else_does() {
        let (private, public) = keys();
        let symmetric = recipe(
            Algorithm::HmacSha512,
            "{method}:{path}:{token}:{body_sha256}:{timestamp}",
        );
        let signed = sign(
            &symmetric,
            &message(Some("tok"), b"{}"),
            Signer::Secret(DEMO_CLIENT_SECRET),
        );
        let signed = signed.unwrap_or_default();
        let secret = Verifier::Secret(DEMO_CLIENT_SECRET);
        assert!(verify(&symmetric, &message(Some("tok"), b"{}"), &signed, secret));
        assert!(verify(
            &symmetric,
            &message(Some("tok"), b"{}"),
            &format!(" {signed}\n"),
            secret
        ));
        assert!(!verify(&symmetric, &message(Some("tok2"), b"{}"), &signed, secret));
        assert!(!verify(
            &symmetric,
            &message(Some("tok"), b"{}"),
            &signed,
            Verifier::Secret("other")
        ));
        assert!(!verify(
            &symmetric,
            &message(Some("tok"), b"{}"),
            &signed,
            Verifier::Rsa(&public)
        ));

        let asymmetric = recipe(Algorithm::RsaSha256, "{method}:{path}:{body_sha256}:{timestamp}");
        let signed = sign(&asymmetric, &message(None, b"{}"), Signer::Rsa(&private)).unwrap_or_default();
        assert!(verify(
            &asymmetric,
            &message(None, b"{}"),
            &signed,
            Verifier::Rsa(&public)
        ));
        assert!(!verify(
            &asymmetric,
            &message(None, b"[]"),
            &signed,
            Verifier::Rsa(&public)
        ));
        assert!(!verify(
            &asymmetric,
            &message(None, b"{}"),
            "not base64!",
            Verifier::Rsa(&public)
        ));
        assert_eq!(
            sign(&asymmetric, &message(None, b"{}"), Signer::Secret("s")),
            Err(SignError::WrongKey(Algorithm::RsaSha256))
        );
        assert_eq!(
            sign(&symmetric, &message(None, b"{}"), Signer::Rsa(&private)),
            Err(SignError::WrongKey(Algorithm::HmacSha512))
        );
    }
}
