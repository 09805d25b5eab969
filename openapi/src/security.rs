//! Security schemes: the headers of a provider's profile that carry a credential. The B2B token is `http bearer`,
//! a secret key sent as HTTP Basic (WooshPay's) is `http basic`, and a signature header is an `apiKey` header
//! whose description is the recipe that makes it (a signature changes with every request, so a tool cannot fill
//! it from a stored key; the description says what to sign, and `x-snapbi-signature` says it as data: algorithm,
//! string to sign, encoding and the header's value around the signature). An endpoint requires every credential
//! header of its auth kind at once. Envelopes sign a body member instead (`envelope`), so their endpoints have no scheme.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Algorithm, AuthKind, Encoding, Endpoint, HeaderSource, Part, Provider, Recipe};

use crate::headers::{Credential, credential, template};

/// Every credential header of every provider's auth kinds, by scheme name (sorted).
pub(crate) fn schemes(api: &Api) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for provider in &api.providers {
        for (kind, headers) in &provider.headers {
            for (name, source) in headers {
                if let Some(credential) = credential(source) {
                    let scheme = scheme(api, provider, *kind, name, source, credential);
                    out.insert(scheme_name(provider, *kind, name), scheme);
                }
            }
        }
    }
    out
}

/// What `e` requires: every credential header of its auth kind together; none for an enveloped endpoint.
pub(crate) fn requirement(provider: &Provider, e: &Endpoint) -> Option<Value> {
    if e.info.envelope.is_some() {
        return None;
    }
    let all: Map<String, Value> = provider
        .headers_for(e.info.auth)
        .iter()
        .filter(|(_, source)| credential(source).is_some())
        .map(|(name, _)| (scheme_name(provider, e.info.auth, name), json!([])))
        .collect();
    (!all.is_empty()).then(|| json!([all]))
}

/// `<provider>.<auth kind>.<header>`: `doku.symmetric.X-SIGNATURE`.
fn scheme_name(provider: &Provider, kind: AuthKind, header: &str) -> String {
    format!("{}.{}.{header}", provider.name, kind.as_str())
}

fn scheme(
    api: &Api,
    provider: &Provider,
    kind: AuthKind,
    header: &str,
    source: &HeaderSource,
    credential: Credential,
) -> Value {
    // `http` schemes are the Authorization header by definition; under another name a credential is an apiKey.
    let authorization = header.eq_ignore_ascii_case("Authorization");
    match credential {
        Credential::Bearer if authorization => {
            let mut scheme = json!({ "type": "http", "scheme": "bearer", "description": bearer(api, provider) });
            if let Some(id) = &provider.token_endpoint {
                // The operation that issues the token, for a tool that fetches one (openapi/check's signer).
                scheme["x-snapbi-token-operation"] = id.clone().into();
            }
            scheme
        }
        Credential::Basic if authorization => json!({
            "type": "http",
            "scheme": "basic",
            "description": "HTTP Basic: the client secret (the provider's secret key) as the user name and an empty password.",
        }),
        Credential::Signature => {
            let description = signature(provider, kind, header, source);
            let mut scheme = json!({ "type": "apiKey", "in": "header", "name": header, "description": description });
            if let Some(recipe) = provider.signature_for(kind) {
                let mut data = extension(recipe);
                data["value"] = template(source).into();
                scheme["x-snapbi-signature"] = data;
            }
            scheme
        }
        Credential::Bearer => {
            let description = format!("`Bearer <token>`: {}", bearer(api, provider));
            json!({ "type": "apiKey", "in": "header", "name": header, "description": description })
        }
        Credential::Basic => json!({
            "type": "apiKey",
            "in": "header",
            "name": header,
            "description": "`Basic <base64 of \"<client secret>:\">`: HTTP Basic with the client secret as the user name.",
        }),
    }
}

/// Which token a bearer header carries.
fn bearer(api: &Api, provider: &Provider) -> String {
    let endpoint = provider.token_endpoint.as_deref().and_then(|id| api.endpoint(id));
    match endpoint {
        Some(e) => format!(
            "The B2B access token, issued by `{}` ({} {}).",
            e.info.id, e.info.method, e.info.path
        ),
        None => "The B2B access token.".to_owned(),
    }
}

/// How the signature in `header` is made: the header's template, then the recipe ([`recipe`]).
fn signature(provider: &Provider, kind: AuthKind, header: &str, source: &HeaderSource) -> String {
    let written = format!("`{header}: {}`", template(source));
    match provider.signature_for(kind) {
        Some(recipe) => format!("{written}, where `{{signature}}` is {}", self::recipe(recipe)),
        None => format!("{written}."),
    }
}

/// A recipe in words: the algorithm, the string to sign, how the signature is written, and what each placeholder
/// of the string to sign stands for.
pub(crate) fn recipe(recipe: &Recipe) -> String {
    let mut text = format!(
        "{} over the string `{}`, written in {}.",
        algorithm(recipe.algorithm),
        recipe_template(recipe),
        encoding(recipe.encoding)
    );
    for part in placeholders(recipe) {
        text.push_str(&format!("\n\n`{}`: {}.", placeholder(part), part_meaning(part)));
    }
    text
}

/// A recipe as data, for a tool that signs (openapi/check's signer): `x-snapbi-signature`'s `algorithm` and
/// `encoding` in the spec's spelling and `string_to_sign` as the spec writes it.
pub(crate) fn extension(recipe: &Recipe) -> Value {
    json!({
        "algorithm": recipe.algorithm.as_str(),
        "string_to_sign": recipe_template(recipe),
        "encoding": recipe.encoding.as_str(),
    })
}

fn algorithm(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::HmacSha512 => "HMAC-SHA512 keyed with the shared secret",
        Algorithm::HmacSha256 => "HMAC-SHA256 keyed with the shared secret",
        Algorithm::RsaSha256 => "SHA256withRSA (PKCS#1 v1.5) with the signer's private key",
    }
}

fn encoding(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Base64 => "standard Base64",
        Encoding::Hex => "lower-case hexadecimal",
    }
}

/// The recipe's string to sign as the spec writes it: `{method}:{path}:…`.
fn recipe_template(recipe: &Recipe) -> String {
    recipe.parts.iter().map(placeholder).collect()
}

/// `{method}` for a placeholder, the text itself for a literal.
fn placeholder(part: &Part) -> String {
    match part {
        Part::Literal(text) => text.to_string(),
        other => Part::PLACEHOLDERS
            .iter()
            .find(|(_, p)| p == other)
            .map_or_else(String::new, |(name, _)| format!("{{{name}}}")),
    }
}

/// The recipe's placeholders, each once, in order of first use.
fn placeholders(recipe: &Recipe) -> Vec<&Part> {
    let mut seen: Vec<&Part> = Vec::new();
    for part in recipe.parts.iter().filter(|p| !matches!(p, Part::Literal(_))) {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen
}

/// What a placeholder of a string to sign stands for (`snapbi_spec::ir::Part`).
fn part_meaning(part: &Part) -> &'static str {
    match part {
        Part::Literal(_) => "itself",
        Part::Method => "the HTTP method, upper case",
        Part::Path => "the path as requested (with any query)",
        Part::Token => "the B2B access token, without `Bearer `",
        Part::BodySha256 => "the lower-case hex SHA-256 of the minified body as sent (of the empty string without one)",
        Part::Timestamp => "the timestamp header's value",
        Part::ClientId => "the client id",
        Part::Body => "the signed bytes exactly as sent (the body, or an envelope's request member)",
        Part::RequestId => "the request id header's value",
        Part::BodyDigest => "the standard Base64 of the SHA-256 of the body's bytes as sent",
        Part::IfBody => "what follows, up to `{end_if}`, is signed only when the request has a body",
        Part::EndIf => "ends `{if_body}`",
    }
}
