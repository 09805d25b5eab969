//! SNAP `X-SIGNATURE` values: builds the string to sign from a data-driven [`Recipe`], then
//! signs or verifies it (SNAP standard §2).
//!
//! Provider specs describe signatures as data (which parts, which separators, which
//! algorithm), so the three SNAP schemes are just [`Recipe`] constants and a provider with a
//! different layout needs a new constant, not new code. The convenience functions at the
//! bottom all go through a recipe, so there is exactly one code path that produces bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};

use crate::keys::{KeyError, PrivateKey, PublicKey};
use crate::minify::{MinifyError, minify};
use crate::secret::{AccessToken, ClientSecret};

/// Lower-case hex SHA-256 of an already minified body; `e3b0c442…b855` for the empty body.
pub fn body_sha256_hex(minified_body: &[u8]) -> String {
    let mut buffer = [0u8; 64];
    hex_sha256_into(&mut buffer, minified_body).to_owned()
}

/// The lower-case hex SHA-256 of `minified_body`, written into `buffer` (no allocation).
fn hex_sha256_into<'b>(buffer: &'b mut [u8; 64], minified_body: &[u8]) -> &'b str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(minified_body);
    // Two table lookups per byte: the `hex` crate's iterator costs about ten times as many instructions,
    // on every signed request.
    for (pair, byte) in buffer.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    // Only hex digits were written: the fallback only keeps the code panic-free.
    std::str::from_utf8(buffer).unwrap_or_default()
}

use std::borrow::Cow;

pub use snapbi_descriptor::{Encoding, Part, Recipe};
pub use snapbi_rules::Algorithm;

/// Access-token request signature (§2.1): `{client_id}|{timestamp}`, SHA256withRSA.
pub const SNAP_TOKEN: Recipe = Recipe {
    algorithm: Algorithm::RsaSha256,
    parts: Cow::Borrowed(&[Part::ClientId, Part::literal("|"), Part::Timestamp]),
    encoding: Encoding::Base64,
};

/// Symmetric transaction signature (§2.2):
/// `{method}:{path}:{token}:{body_sha256}:{timestamp}`, HMAC-SHA512 with the client secret.
pub const SNAP_SYMMETRIC: Recipe = Recipe {
    algorithm: Algorithm::HmacSha512,
    parts: Cow::Borrowed(&[
        Part::Method,
        Part::literal(":"),
        Part::Path,
        Part::literal(":"),
        Part::Token,
        Part::literal(":"),
        Part::BodySha256,
        Part::literal(":"),
        Part::Timestamp,
    ]),
    encoding: Encoding::Base64,
};

/// Asymmetric transaction signature (§2.3):
/// `{method}:{path}:{body_sha256}:{timestamp}`, SHA256withRSA.
pub const SNAP_ASYMMETRIC: Recipe = Recipe {
    algorithm: Algorithm::RsaSha256,
    parts: Cow::Borrowed(&[
        Part::Method,
        Part::literal(":"),
        Part::Path,
        Part::literal(":"),
        Part::BodySha256,
        Part::literal(":"),
        Part::Timestamp,
    ]),
    encoding: Encoding::Base64,
};

/// Signing with a [`Recipe`]: the runtime's own string to sign, signer and verifier (the sandbox has its own,
/// so a bug cannot hide on both sides).
pub trait Sign {
    /// Builds the exact string that gets signed.
    ///
    /// Only the parts the recipe uses are checked, so e.g. the token recipe ignores the method.
    ///
    /// # Errors
    ///
    /// [`SignError`] when a used part is missing or malformed: no token, a token that still
    /// carries `Bearer `, a lower-case method, a path that is not relative, or an empty
    /// client id or timestamp. Catching these here beats an opaque `401` from the provider.
    fn string_to_sign(&self, input: &SignInput<'_>) -> Result<String, SignError>;

    /// Signs `input` and returns the `X-SIGNATURE` value in the recipe's encoding (standard base64 unless it says
    /// hex).
    ///
    /// # Errors
    ///
    /// [`SignError`] if the string to sign cannot be built, `key` does not fit the recipe's
    /// algorithm, the client secret is empty, or RSA signing fails.
    fn sign(&self, input: &SignInput<'_>, key: &SigningKey<'_>) -> Result<String, SignError>;

    /// Checks a received `X-SIGNATURE` value, in the recipe's encoding, against `input`.
    ///
    /// HMAC tags are compared in constant time; RSA verification is aws-lc-rs's.
    ///
    /// # Errors
    ///
    /// [`SignatureError::Mismatch`] if the signature is wrong, [`SignatureError::InvalidBase64`]
    /// ([`SignatureError::InvalidHex`]) if it is not base64 (hex), [`SignatureError::Input`] if the string to sign cannot be built or
    /// `key` does not fit the recipe.
    fn verify(&self, input: &SignInput<'_>, signature_b64: &str, key: &VerifyingKey<'_>) -> Result<(), SignatureError>;
}

impl Sign for Recipe {
    fn string_to_sign(&self, input: &SignInput<'_>) -> Result<String, SignError> {
        let mut out = String::with_capacity(256);
        write_parts(self, input, |part| out.push_str(part))?;
        Ok(out)
    }

    fn sign(&self, input: &SignInput<'_>, key: &SigningKey<'_>) -> Result<String, SignError> {
        let signature = match (self.algorithm, key) {
            (Algorithm::HmacSha512, SigningKey::HmacKey(key)) => {
                let mut mac = key.0.clone();
                write_parts(self, input, |part| mac.update(part.as_bytes()))?;
                encode(self.encoding, &mac.finalize().into_bytes())
            }
            (Algorithm::HmacSha512, SigningKey::Hmac(secret)) => {
                let mut mac = hmac::<Hmac<Sha512>>(secret, "")?;
                write_parts(self, input, |part| mac.update(part.as_bytes()))?;
                encode(self.encoding, &mac.finalize().into_bytes())
            }
            (Algorithm::HmacSha256, SigningKey::Hmac(secret)) => {
                let mut mac = hmac::<Hmac<Sha256>>(secret, "")?;
                write_parts(self, input, |part| mac.update(part.as_bytes()))?;
                encode(self.encoding, &mac.finalize().into_bytes())
            }
            (Algorithm::RsaSha256, SigningKey::Rsa(private)) => encode(
                self.encoding,
                &private.sign_sha256(self.string_to_sign(input)?.as_bytes())?,
            ),
            (algorithm, key) => {
                return Err(SignError::KeyMismatch {
                    algorithm,
                    key: key.kind(),
                });
            }
        };
        Ok(signature)
    }

    fn verify(&self, input: &SignInput<'_>, signature_b64: &str, key: &VerifyingKey<'_>) -> Result<(), SignatureError> {
        let message = self.string_to_sign(input)?;
        let signature = decode(self.encoding, signature_b64.trim_ascii())?;
        match (self.algorithm, key) {
            (Algorithm::HmacSha512, VerifyingKey::Hmac(secret)) => hmac::<Hmac<Sha512>>(secret, &message)?
                .verify_slice(&signature)
                .map_err(|_| SignatureError::Mismatch),
            (Algorithm::HmacSha256, VerifyingKey::Hmac(secret)) => hmac::<Hmac<Sha256>>(secret, &message)?
                .verify_slice(&signature)
                .map_err(|_| SignatureError::Mismatch),
            (Algorithm::RsaSha256, VerifyingKey::Rsa(public)) => public.verify_sha256(message.as_bytes(), &signature),
            (algorithm, key) => Err(SignError::KeyMismatch {
                algorithm,
                key: key.kind(),
            }
            .into()),
        }
    }
}

/// A signature's bytes as the recipe writes them: standard base64, or lower-case hex.
fn encode(encoding: Encoding, bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    match encoding {
        Encoding::Base64 => STANDARD.encode(bytes),
        Encoding::Hex => bytes
            .iter()
            .flat_map(|byte| [DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 0x0f)]])
            .map(char::from)
            .collect(),
    }
}

/// A received signature's bytes: standard base64, or hex of either letter case (an odd length is not hex).
fn decode(encoding: Encoding, text: &str) -> Result<Vec<u8>, SignatureError> {
    match encoding {
        Encoding::Base64 => STANDARD.decode(text).map_err(|_| SignatureError::InvalidBase64),
        Encoding::Hex => {
            let nibble = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
            let pairs = text.as_bytes().chunks(2);
            let bytes: Option<Vec<u8>> = pairs
                .map(|pair| match pair {
                    [high, low] => Some(nibble(*high)? << 4 | nibble(*low)?),
                    _ => None,
                })
                .collect();
            bytes.ok_or(SignatureError::InvalidHex)
        }
    }
}

/// Hands the pieces of the string to sign to `sink`, in order: HMAC takes them one by one, so the
/// string is never assembled for it; `string_to_sign` concatenates them.
///
/// The parts between `{if_body}` and `{end_if}` are skipped when there is no body (DOKU signs a GET without its
/// `Digest:` line).
fn write_parts(recipe: &Recipe, input: &SignInput<'_>, mut sink: impl FnMut(&str)) -> Result<(), SignError> {
    let mut skipping = false;
    for part in recipe.parts.iter() {
        match part {
            Part::IfBody => skipping = input.minified_body.is_empty(),
            Part::EndIf => skipping = false,
            _ if skipping => {}
            Part::Literal(text) => sink(text.as_ref()),
            Part::Method => sink(check_method(input.method)?),
            Part::Path => sink(check_path(input.path)?),
            Part::Token => sink(check_token(input.token)?),
            Part::BodySha256 => sink(hex_sha256_into(&mut [0u8; 64], input.minified_body)),
            Part::Timestamp => sink(non_empty("timestamp", input.timestamp)?),
            Part::ClientId => sink(non_empty("client id", input.client_id)?),
            Part::Body => sink(std::str::from_utf8(input.minified_body).map_err(|_| SignError::BodyNotUtf8)?),
            Part::RequestId => sink(non_empty("request id", input.request_id)?),
            Part::BodyDigest => sink(&body_digest(input.minified_body)),
        }
    }
    Ok(())
}

/// Standard base64 of the SHA-256 of `body`, the exact bytes sent (`{body_digest}`, DOKU's `Digest`).
pub fn body_digest(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// Everything a recipe may draw from. Fields a recipe does not use are ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInput<'a> {
    /// Upper-case HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// Relative endpoint path exactly as requested, including any gateway prefix and query.
    pub path: &'a str,
    /// Bare B2B access token, needed by [`SNAP_SYMMETRIC`].
    pub token: Option<&'a AccessToken>,
    /// The body after [`minify`]; empty when there is no body.
    pub minified_body: &'a [u8],
    /// The exact `X-TIMESTAMP` header value.
    pub timestamp: &'a str,
    /// The client id, needed by [`SNAP_TOKEN`].
    pub client_id: &'a str,
    /// This request's `Request-Id` (a header filled from `request_id`), for `{request_id}`; empty when none.
    pub request_id: &'a str,
}

/// Key material for [`Recipe::sign`]; the variant must match the recipe's [`Algorithm`].
#[derive(Debug, Clone, Copy)]
pub enum SigningKey<'a> {
    /// Client secret for [`Algorithm::HmacSha512`] and [`Algorithm::HmacSha256`].
    Hmac(&'a ClientSecret),
    /// A client secret prepared once as an HMAC key, for [`Algorithm::HmacSha512`] on a hot path.
    HmacKey(&'a HmacKey),
    /// Private key for [`Algorithm::RsaSha256`].
    Rsa(&'a PrivateKey),
}

impl SigningKey<'_> {
    fn kind(&self) -> &'static str {
        match self {
            SigningKey::Hmac(_) | SigningKey::HmacKey(_) => "client secret (HMAC)",
            SigningKey::Rsa(_) => "RSA private key",
        }
    }
}

/// A client secret prepared as an HMAC-SHA512 key. HMAC hashes the padded key into two SHA-512 states
/// before it looks at the message; a client that signs many requests does that once, here, instead of
/// for every request (2 of the 5 compressions of a short message).
#[derive(Clone)]
pub struct HmacKey(Hmac<Sha512>);

impl HmacKey {
    /// Prepares `secret`; an empty secret (typically an unset environment variable) is refused.
    pub fn new(secret: &ClientSecret) -> Result<Self, SignError> {
        hmac::<Hmac<Sha512>>(secret, "").map(HmacKey)
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

/// Key material for [`Recipe::verify`]; the variant must match the recipe's [`Algorithm`].
#[derive(Debug, Clone, Copy)]
pub enum VerifyingKey<'a> {
    /// Client secret for [`Algorithm::HmacSha512`] and [`Algorithm::HmacSha256`].
    Hmac(&'a ClientSecret),
    /// The signer's public key for [`Algorithm::RsaSha256`].
    Rsa(&'a PublicKey),
}

impl VerifyingKey<'_> {
    fn kind(&self) -> &'static str {
        match self {
            VerifyingKey::Hmac(_) => "client secret (HMAC)",
            VerifyingKey::Rsa(_) => "RSA public key",
        }
    }
}

/// Why a signature could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The recipe includes the access token but none (or an empty one) was given.
    #[error("this signature needs the B2B access token, but none was given")]
    MissingToken,
    /// The token still starts with the `Bearer ` scheme.
    #[error("the access token must be the bare token, without the 'Bearer ' prefix")]
    BearerPrefix,
    /// A part the recipe uses is empty.
    #[error("the {0} used in the string to sign is empty")]
    Empty(&'static str),
    /// The method is not an upper-case HTTP method token.
    #[error("HTTP method {0:?} must be upper-case letters, e.g. \"POST\"")]
    InvalidMethod(String),
    /// The path is not a relative path.
    #[error("endpoint path {0:?} must be the relative path starting with '/', not a full URL")]
    InvalidPath(String),
    /// The body is not valid JSON, so it has no defined minified form.
    #[error("cannot sign the request body: {0}")]
    Body(#[from] MinifyError),
    /// The key does not fit the recipe's algorithm.
    #[error("a {algorithm:?} signature cannot be made or checked with a {key}")]
    KeyMismatch {
        /// The recipe's algorithm.
        algorithm: Algorithm,
        /// The kind of key that was given.
        key: &'static str,
    },
    /// The client configuration lacks the credential this signature needs.
    #[error("this call needs a {0}, but the client configuration has none")]
    MissingCredential(&'static str),
    /// The provider profile has no recipe for this kind of call.
    #[error("the provider profile has no `{0}` signature recipe")]
    NoRecipe(&'static str),
    /// The endpoint names an envelope the provider profile lacks (generated code never does: lowering checks
    /// the name).
    #[error("the provider profile has no `{0}` envelope")]
    NoEnvelope(&'static str),
    /// A recipe that signs the body verbatim got bytes that are not UTF-8 JSON.
    #[error("the body to sign is not UTF-8")]
    BodyNotUtf8,
    /// The client secret is empty, typically an unset environment variable.
    #[error("the client secret is empty")]
    EmptySecret,
    /// A path parameter has no value, or one that cannot be a path segment (see
    /// [`fill_path`](crate::path::fill_path)).
    #[error("path parameter `{name}` {problem}")]
    PathParam {
        /// The parameter's name (its placeholder's).
        name: String,
        /// What is wrong with its value.
        problem: &'static str,
    },
    /// RSA signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature is well-formed but does not match the request and key.
    #[error("signature does not match the request")]
    Mismatch,
    /// The signature header is not standard base64.
    #[error("signature is not valid standard base64")]
    InvalidBase64,
    /// The signature is not hexadecimal, for a recipe that writes hex.
    #[error("signature is not hexadecimal")]
    InvalidHex,
    /// The expected signature could not be computed from the request.
    #[error("cannot check the signature: {0}")]
    Input(#[from] SignError),
}

impl From<MinifyError> for SignatureError {
    fn from(e: MinifyError) -> Self {
        SignatureError::Input(SignError::Body(e))
    }
}

/// An HMAC (`Hmac<Sha512>`, `Hmac<Sha256>`) keyed with the client secret, fed `message`.
fn hmac<M: KeyInit + Mac>(secret: &ClientSecret, message: &str) -> Result<M, SignError> {
    if secret.is_empty() {
        return Err(SignError::EmptySecret);
    }
    // HMAC accepts keys of any length, so this cannot fail in practice; mapped, not unwrapped.
    let mut mac = <M as KeyInit>::new_from_slice(secret.expose().as_bytes()).map_err(|_| SignError::EmptySecret)?;
    mac.update(message.as_bytes());
    Ok(mac)
}

fn check_method(method: &str) -> Result<&str, SignError> {
    if method.is_empty() {
        return Err(SignError::Empty("HTTP method"));
    }
    // Signing `post` while the wire says `POST` would give a signature nobody can verify.
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(SignError::InvalidMethod(method.to_owned()));
    }
    Ok(method)
}

fn check_path(path: &str) -> Result<&str, SignError> {
    if !path.starts_with('/') {
        return Err(SignError::InvalidPath(path.to_owned()));
    }
    Ok(path)
}

fn check_token(token: Option<&AccessToken>) -> Result<&str, SignError> {
    let token = token.filter(|t| !t.is_empty()).ok_or(SignError::MissingToken)?;
    let bare = token.expose();
    if bare
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer "))
    {
        return Err(SignError::BearerPrefix);
    }
    Ok(bare)
}

fn non_empty<'a>(what: &'static str, value: &'a str) -> Result<&'a str, SignError> {
    if value.is_empty() {
        Err(SignError::Empty(what))
    } else {
        Ok(value)
    }
}

fn token_input<'a>(client_id: &'a str, timestamp: &'a str) -> SignInput<'a> {
    SignInput {
        method: "",
        path: "",
        token: None,
        minified_body: &[],
        timestamp,
        client_id,
        request_id: "",
    }
}

/// Signs an access-token request (§2.1) and returns `X-SIGNATURE`.
///
/// # Errors
///
/// [`SignError`] for an empty client id or timestamp, or an RSA failure.
pub fn sign_token(client_id: &str, timestamp: &str, key: &PrivateKey) -> Result<String, SignError> {
    SNAP_TOKEN.sign(&token_input(client_id, timestamp), &SigningKey::Rsa(key))
}

/// Signs a transaction with the symmetric scheme (§2.2) and returns `X-SIGNATURE`.
///
/// `body` is the raw body as sent (empty for none); it is minified before hashing.
///
/// # Errors
///
/// [`SignError`] if `body` is not valid JSON or an input is malformed (see
/// [`Recipe::string_to_sign`]).
pub fn sign_symmetric(
    method: &str,
    path: &str,
    token: &AccessToken,
    body: &[u8],
    timestamp: &str,
    secret: &ClientSecret,
) -> Result<String, SignError> {
    let minified = minify(body)?;
    let input = SignInput {
        method,
        path,
        token: Some(token),
        minified_body: &minified,
        timestamp,
        client_id: "",
        request_id: "",
    };
    SNAP_SYMMETRIC.sign(&input, &SigningKey::Hmac(secret))
}

/// Signs a transaction with the asymmetric scheme (§2.3) and returns `X-SIGNATURE`.
///
/// `body` is the raw body as sent (empty for none); it is minified before hashing.
///
/// # Errors
///
/// [`SignError`] if `body` is not valid JSON, an input is malformed, or RSA signing fails.
pub fn sign_asymmetric(
    method: &str,
    path: &str,
    body: &[u8],
    timestamp: &str,
    key: &PrivateKey,
) -> Result<String, SignError> {
    let minified = minify(body)?;
    let input = SignInput {
        method,
        path,
        token: None,
        minified_body: &minified,
        timestamp,
        client_id: "",
        request_id: "",
    };
    SNAP_ASYMMETRIC.sign(&input, &SigningKey::Rsa(key))
}

/// Verifies an access-token request signature (§2.1) with the client's public key.
///
/// # Errors
///
/// [`SignatureError`] if the signature is wrong, not base64, or the inputs are malformed.
pub fn verify_token(
    client_id: &str,
    timestamp: &str,
    signature_b64: &str,
    key: &PublicKey,
) -> Result<(), SignatureError> {
    SNAP_TOKEN.verify(
        &token_input(client_id, timestamp),
        signature_b64,
        &VerifyingKey::Rsa(key),
    )
}

/// Verifies a symmetric transaction signature (§2.2), e.g. a DOKU notification.
///
/// `body` is the raw body as received; it is minified before hashing.
///
/// # Errors
///
/// [`SignatureError`] if the signature is wrong, not base64, the body is not JSON, or the
/// inputs are malformed.
pub fn verify_symmetric(
    method: &str,
    path: &str,
    token: &AccessToken,
    body: &[u8],
    timestamp: &str,
    signature_b64: &str,
    secret: &ClientSecret,
) -> Result<(), SignatureError> {
    let minified = minify(body)?;
    let input = SignInput {
        method,
        path,
        token: Some(token),
        minified_body: &minified,
        timestamp,
        client_id: "",
        request_id: "",
    };
    SNAP_SYMMETRIC.verify(&input, signature_b64, &VerifyingKey::Hmac(secret))
}

/// Verifies an asymmetric transaction signature (§2.3), e.g. a DANA notification, with the
/// signer's public key.
///
/// `body` is the raw body as received; it is minified before hashing.
///
/// # Errors
///
/// [`SignatureError`] if the signature is wrong, not base64, the body is not JSON, or the
/// inputs are malformed.
pub fn verify_asymmetric(
    method: &str,
    path: &str,
    body: &[u8],
    timestamp: &str,
    signature_b64: &str,
    key: &PublicKey,
) -> Result<(), SignatureError> {
    let minified = minify(body)?;
    let input = SignInput {
        method,
        path,
        token: None,
        minified_body: &minified,
        timestamp,
        client_id: "",
        request_id: "",
    };
    SNAP_ASYMMETRIC.verify(&input, signature_b64, &VerifyingKey::Rsa(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS: &str = "2024-01-02T03:04:05+07:00";

    fn input<'a>(token: Option<&'a AccessToken>, body: &'a [u8]) -> SignInput<'a> {
        SignInput {
            method: "POST",
            path: "/v1.0/transfer-va/create-va",
            token,
            minified_body: body,
            timestamp: TS,
            client_id: "client-1",
            request_id: "",
        }
    }

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            body_sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        for body in [&b"{}"[..], br#"{"amount":{"value":"10000.00","currency":"IDR"}}"#] {
            assert_eq!(body_sha256_hex(body), hex::encode(Sha256::digest(body)));
        }
    }

    #[test]
    fn strings_to_sign_follow_the_standard() {
        let token = AccessToken::from("tok");
        let empty = body_sha256_hex(b"");
        let sts = |recipe: Recipe, token| recipe.string_to_sign(&input(token, b""));
        assert_eq!(sts(SNAP_TOKEN, None), Ok(format!("client-1|{TS}")));
        assert_eq!(
            sts(SNAP_SYMMETRIC, Some(&token)),
            Ok(format!("POST:/v1.0/transfer-va/create-va:tok:{empty}:{TS}"))
        );
        assert_eq!(
            sts(SNAP_ASYMMETRIC, Some(&token)),
            Ok(format!("POST:/v1.0/transfer-va/create-va:{empty}:{TS}"))
        );
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let recipe = SNAP_SYMMETRIC;
        assert_eq!(recipe.string_to_sign(&input(None, b"")), Err(SignError::MissingToken));
        let empty = AccessToken::from("");
        assert_eq!(
            recipe.string_to_sign(&input(Some(&empty), b"")),
            Err(SignError::MissingToken)
        );
        let bearer = AccessToken::from("Bearer tok");
        assert_eq!(
            recipe.string_to_sign(&input(Some(&bearer), b"")),
            Err(SignError::BearerPrefix)
        );
        let token = AccessToken::from("tok");
        let lower = SignInput {
            method: "post",
            ..input(Some(&token), b"")
        };
        assert!(matches!(
            recipe.string_to_sign(&lower),
            Err(SignError::InvalidMethod(_))
        ));
        let url = SignInput {
            path: "https://example.com/v1.0/x",
            ..input(Some(&token), b"")
        };
        assert!(matches!(recipe.string_to_sign(&url), Err(SignError::InvalidPath(_))));
        let no_ts = SignInput {
            timestamp: "",
            ..input(Some(&token), b"")
        };
        assert_eq!(recipe.string_to_sign(&no_ts), Err(SignError::Empty("timestamp")));
        let no_client = SignInput {
            client_id: "",
            ..input(None, b"")
        };
        assert_eq!(
            SNAP_TOKEN.string_to_sign(&no_client),
            Err(SignError::Empty("client id"))
        );
    }

    #[test]
    fn hmac_round_trip_and_negative_cases() {
        let secret = ClientSecret::from("secret");
        let token = AccessToken::from("tok");
        let recipe = SNAP_SYMMETRIC;
        let body = br#"{"a":"  b"}"#;
        let sig = recipe
            .sign(&input(Some(&token), body), &SigningKey::Hmac(&secret))
            .unwrap_or_else(|e| panic!("{e}"));
        // 64-byte HMAC-SHA512 tag in padded base64.
        assert_eq!(sig.len(), 88);
        let key = VerifyingKey::Hmac(&secret);
        assert_eq!(recipe.verify(&input(Some(&token), body), &sig, &key), Ok(()));
        assert_eq!(
            recipe.verify(&input(Some(&token), br#"{"a":" b"}"#), &sig, &key),
            Err(SignatureError::Mismatch)
        );
        let other = ClientSecret::from("secreT");
        assert_eq!(
            recipe.verify(&input(Some(&token), body), &sig, &VerifyingKey::Hmac(&other)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            recipe.verify(&input(Some(&token), body), "not base64!", &key),
            Err(SignatureError::InvalidBase64)
        );
        assert_eq!(
            recipe.verify(&input(Some(&token), body), &sig[..44], &key),
            Err(SignatureError::Mismatch)
        );
        let empty = ClientSecret::from("");
        assert_eq!(
            recipe.sign(&input(Some(&token), body), &SigningKey::Hmac(&empty)),
            Err(SignError::EmptySecret)
        );
    }

    #[test]
    fn convenience_fns_minify_first() {
        let secret = ClientSecret::from("secret");
        let token = AccessToken::from("tok");
        let path = "/v1.0/x";
        let compact = sign_symmetric("POST", path, &token, br#"{"a":[1,2]}"#, TS, &secret);
        let pretty = sign_symmetric("POST", path, &token, b"{\n  \"a\": [ 1, 2 ]\n}\n", TS, &secret);
        assert!(compact.is_ok());
        assert_eq!(compact, pretty);
        let sig = compact.unwrap_or_default();
        assert_eq!(
            verify_symmetric("POST", path, &token, b" {\"a\" :[1,2]} ", TS, &sig, &secret),
            Ok(())
        );
        assert!(matches!(
            sign_symmetric("POST", path, &token, b"{\"a\":", TS, &secret),
            Err(SignError::Body(_))
        ));
        assert!(matches!(
            verify_symmetric("POST", path, &token, b"{", TS, &sig, &secret),
            Err(SignatureError::Input(SignError::Body(_)))
        ));
    }

    #[test]
    fn key_kind_must_match_the_algorithm() {
        let secret = ClientSecret::from("secret");
        let err = SNAP_TOKEN.sign(&input(None, b""), &SigningKey::Hmac(&secret));
        assert!(matches!(
            err,
            Err(SignError::KeyMismatch {
                algorithm: Algorithm::RsaSha256,
                ..
            })
        ));
    }

    #[test]
    fn errors_do_not_leak_secrets() {
        let secret = ClientSecret::from("very-secret-value");
        let token = AccessToken::from("Bearer very-secret-token");
        let e = sign_symmetric("POST", "/x", &token, b"", TS, &secret)
            .err()
            .map(|e| format!("{e} {e:?}"))
            .unwrap_or_default();
        assert!(e.contains("Bearer"), "{e}");
        assert!(!e.contains("very-secret"), "{e}");
        let shown = format!("{:?}", SigningKey::Hmac(&secret));
        assert!(!shown.contains("very-secret"), "{shown}");
    }

    #[test]
    fn a_prepared_hmac_key_signs_like_the_secret() {
        let secret = ClientSecret::from("prepared-secret");
        let token = AccessToken::from("tok");
        let input = input(Some(&token), br#"{"a":"b"}"#);
        let key = HmacKey::new(&secret).expect("a non-empty secret");
        let prepared = SNAP_SYMMETRIC.sign(&input, &SigningKey::HmacKey(&key)).expect("signed");
        let plain = SNAP_SYMMETRIC.sign(&input, &SigningKey::Hmac(&secret)).expect("signed");
        assert_eq!(prepared, plain);
        assert!(HmacKey::new(&ClientSecret::from("")).is_err());
        assert_eq!(format!("{key:?}"), "HmacKey(<redacted>)");
    }

    #[test]
    fn a_hex_recipe_signs_lower_case_hex_and_reads_either_case_only() {
        let secret = ClientSecret::from("whsec_test");
        let recipe = Recipe {
            algorithm: Algorithm::HmacSha256,
            parts: vec![Part::Timestamp, Part::literal("."), Part::Body].into(),
            encoding: Encoding::Hex,
        };
        let input = SignInput {
            timestamp: "1492774577",
            minified_body: br#"{"id":"evt_1"}"#,
            ..SignInput::default()
        };
        let signature = recipe.sign(&input, &SigningKey::Hmac(&secret)).expect("signed");
        assert_eq!(signature.len(), 64);
        assert!(
            signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let key = VerifyingKey::Hmac(&secret);
        assert_eq!(recipe.verify(&input, &signature, &key), Ok(()));
        assert_eq!(recipe.verify(&input, &signature.to_ascii_uppercase(), &key), Ok(()));
        let wrong = format!("{}0", &signature[..63]);
        assert_eq!(recipe.verify(&input, &wrong, &key), Err(SignatureError::Mismatch));
        for bad in [&signature[..63], "zz", "not hex at all"] {
            assert_eq!(
                recipe.verify(&input, bad, &key),
                Err(SignatureError::InvalidHex),
                "{bad:?}"
            );
        }
    }
}
