//! Why a signature was refused, as the journal shows it: the string to sign the sandbox built from the provider's
//! recipe (with each part's value), its SHA-256, and for a symmetric (HMAC) recipe the signature it expected, next
//! to what the call sent. For an RSA recipe there is no expected signature to show (the sandbox holds only the
//! client's public key): the string to sign and its hash say what the client should have signed.
//!
//! Everything is computed with [`crate::signing`], the same code that refused the signature, so what the page
//! shows is what was checked. Only refused calls pay for it.
//!
//! The expected HMAC is a value derived from the client's secret, shown to the client that sent this very string;
//! the secret itself never is. The B2B token a recipe signs (`{token}`) is a bearer credential: it is masked in the
//! string shown (the hash and the signature are over the real string).

use serde::Serialize;
use sha2::{Digest, Sha256};
use snapbi_spec::ir::{Part, Recipe};

use crate::signing::{self, Message, Signer};

/// What stands in for the B2B token in a string to sign shown.
pub(crate) const TOKEN_MASK: &str = "‹B2B token›";

/// What the sandbox expected of a refused signature, and what it received.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignatureDiagnosis {
    /// The recipe's algorithm (`hmac-sha512`, `rsa-sha256`).
    pub(crate) algorithm: &'static str,
    /// How the signature is written (`base64`, `hex`).
    pub(crate) encoding: &'static str,
    /// The recipe as the spec writes it: `{method}:{path}:{token}:{body_sha256}:{timestamp}`.
    pub(crate) recipe: String,
    /// Each placeholder of the recipe with the value it filled in (the token masked).
    pub(crate) parts: Vec<(String, String)>,
    /// The string to sign the sandbox built, the token masked.
    pub(crate) string_to_sign: String,
    /// Lower-case hex SHA-256 of the string to sign (of the real one, token included).
    pub(crate) string_to_sign_sha256: String,
    /// The signature the sandbox expected, for an HMAC recipe.
    pub(crate) expected: Option<String>,
    /// Every signature the call sent.
    pub(crate) received: Vec<String>,
}

impl SignatureDiagnosis {
    /// The diagnosis of `received` under `recipe` over `message`; `secret` is the client's HMAC key, used only to
    /// compute the expected signature of a symmetric recipe.
    pub(crate) fn of(recipe: &Recipe, message: &Message<'_>, secret: &str, received: &[&str]) -> Self {
        let text = signing::string_to_sign(recipe, message);
        let expected = match recipe.algorithm.uses_secret() {
            true => signing::sign(recipe, message, Signer::Secret(secret)).ok(),
            false => None,
        };
        let mask = |value: String| masked(value, message.token);
        Self {
            algorithm: recipe.algorithm.as_str(),
            encoding: recipe.encoding.as_str(),
            recipe: recipe.parts.iter().map(spelling).collect(),
            parts: parts(recipe, message)
                .into_iter()
                .map(|(name, v)| (name, mask(v)))
                .collect(),
            string_to_sign_sha256: hex::encode(Sha256::digest(text.as_bytes())),
            string_to_sign: mask(text),
            expected,
            received: received.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// `text` with the B2B token replaced by [`TOKEN_MASK`].
pub(crate) fn masked(text: String, token: Option<&str>) -> String {
    match token {
        Some(token) if !token.is_empty() && text.contains(token) => text.replace(token, TOKEN_MASK),
        _ => text,
    }
}

/// Each placeholder of `recipe` (literals and the `{if_body}` markers left out) with its value over `message`:
/// the string to sign of a recipe of that one part.
fn parts(recipe: &Recipe, message: &Message<'_>) -> Vec<(String, String)> {
    recipe
        .parts
        .iter()
        .filter(|part| !matches!(part, Part::Literal(_) | Part::IfBody | Part::EndIf))
        .map(|part| {
            let alone = Recipe {
                algorithm: recipe.algorithm,
                parts: vec![part.clone()].into(),
                encoding: recipe.encoding,
            };
            (spelling(part), signing::string_to_sign(&alone, message))
        })
        .collect()
}

/// A part as the spec writes it: its text, or `{placeholder}`.
fn spelling(part: &Part) -> String {
    if let Part::Literal(text) = part {
        return text.to_string();
    }
    let name = Part::PLACEHOLDERS
        .iter()
        .find(|(_, known)| known == part)
        .map_or("part", |(name, _)| *name);
    format!("{{{name}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use snapbi_spec::ir::Algorithm;

    /// SNAP's symmetric recipe, signed with `algorithm`.
    fn recipe(algorithm: Algorithm) -> Recipe {
        Recipe {
            algorithm,
            ..snapbi_runtime::signature::SNAP_SYMMETRIC
        }
    }

    fn message() -> Message<'static> {
        Message {
            method: "POST",
            path: "/v1/x",
            token: Some("tok-123"),
            minified_body: b"{}",
            timestamp: "2024-01-01T00:00:00+07:00",
            ..Message::default()
        }
    }

    #[test]
    fn a_symmetric_recipe_shows_the_expected_signature_and_masks_the_token() {
        let diagnosis = SignatureDiagnosis::of(&recipe(Algorithm::HmacSha512), &message(), "s", &["bad"]);
        assert_eq!(diagnosis.recipe, "{method}:{path}:{token}:{body_sha256}:{timestamp}");
        assert!(diagnosis.string_to_sign.starts_with("POST:/v1/x:‹B2B token›:44136fa3"));
        let real = signing::string_to_sign(&recipe(Algorithm::HmacSha512), &message());
        assert_eq!(diagnosis.string_to_sign_sha256, hex::encode(Sha256::digest(real)));
        let expected = signing::sign(&recipe(Algorithm::HmacSha512), &message(), Signer::Secret("s")).ok();
        assert_eq!(diagnosis.expected, expected);
        assert_eq!(diagnosis.received, vec!["bad".to_owned()]);
        assert!(diagnosis.parts.iter().all(|(_, v)| !v.contains("tok-123")));
        assert_eq!(diagnosis.parts.len(), 5);
    }

    #[test]
    fn an_asymmetric_recipe_shows_no_expected_signature() {
        let diagnosis = SignatureDiagnosis::of(&recipe(Algorithm::RsaSha256), &message(), "s", &["bad"]);
        assert_eq!(diagnosis.expected, None);
        assert_eq!(diagnosis.algorithm, "rsa-sha256");
    }
}
