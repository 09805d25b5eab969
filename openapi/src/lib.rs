//! `snapbi-openapi`: snapbi's specs as an OpenAPI 3.1 document. Its one job is [`document`]: the IR of
//! `snapbi-spec` ([`Api`]) in, an OpenAPI 3.1 JSON document out, so that Swagger UI, Postman and other generators
//! read the same specs as snapbi's client, sandbox and CLI. A pure function: the same specs give the same bytes.
//!
//! How the specs map, one module per part:
//!
//! - `schema`: a field becomes a JSON Schema with every rule as a keyword: character lengths as
//!   `minLength`/`maxLength` (both count characters, as snapbi does), charsets and decimals as `pattern`, value
//!   lists as `enum`, SNAP datetimes as `format: date-time` with the exact `pattern`, integer ranges as
//!   `minimum`/`maximum`, list sizes as `minItems`/`maxItems`, required fields in `required` (an optional member
//!   may also be `null`, which snapbi reads as absent in requests and answers alike); shared types are
//!   `components/schemas` reached by `$ref`, and so are each endpoint's request and response bodies
//!   (`<endpoint id>.Request`, `<endpoint id>.Response`).
//! - `rules`: an endpoint's rules across fields (`one_of`, `when` + `require` / `allow` / `limit`) as `anyOf` and
//!   `if`/`then` beside the request body's fields.
//! - `headers`: path parameters, and the headers the provider profile fills for the endpoint's auth kind plus the
//!   endpoint's own headers, as `in: path` / `in: header` parameters with their limits.
//! - `security`: the headers that carry a credential become security schemes instead: the B2B token as
//!   `http bearer`, WooshPay's secret key as `http basic`, each signature header as an `apiKey` whose description
//!   is the recipe.
//! - `envelope`: DANA's Open API framing around an enveloped endpoint's body (the signed `request` member with its
//!   head, and the signature beside it; the answer's `response` member).
//! - `responses`: every declared code as a response: SNAP's seven-digit codes grouped under their HTTP status
//!   (the first three digits), an envelope's result codes under HTTP 200, a provider's own JSON codes under the
//!   status each is answered with, plus that provider's refusals; each code an example.
//! - `operation`: one operation per endpoint (`operationId` is the endpoint id, the tag its provider); outbound
//!   endpoints are `paths`, inbound ones (notifications the provider sends) are `webhooks`.
//!
//! What a tool needs to fill and sign a request is also there as data, in extensions: `x-snapbi-source` (where a
//! header's or head member's value comes from, the spec's keyword: `client_id`, `timestamp`…) with
//! `x-snapbi-timestamp` (the provider's timestamp form), `x-snapbi-signature` (a signature's algorithm, string to
//! sign, encoding and header value) and `x-snapbi-token-operation` (the operation that issues a bearer token).
//! `openapi/check` signs the requests schemathesis generates with them.
//!
//! Nothing is made up: examples are the spec's own (field examples, declared codes with their published
//! messages, the providers' refusal bodies) or `snapbi_spec::ir::samples`' valid values. What the specs do not
//! describe (the members of DANA's response head) is left open and says so.

mod envelope;
mod headers;
mod operation;
mod responses;
mod rules;
mod schema;
mod security;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Direction, Endpoint, Provider};

/// Why no document was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `--provider` named a provider the specs do not have.
    UnknownProvider {
        /// The name asked for.
        name: String,
        /// The providers the specs have, sorted.
        known: Vec<String>,
    },
    /// Two outbound endpoints cannot share a path item: they answer the same method at one path, or the same path
    /// with other placeholder names (OpenAPI counts `/a/{x}` and `/a/{y}` as one path).
    SamePath {
        /// The second endpoint's HTTP method, upper case.
        method: String,
        /// The path of the first endpoint.
        path: String,
        /// The endpoint ids, in id order.
        endpoints: [String; 2],
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownProvider { name, known } => {
                write!(
                    f,
                    "no provider `{name}` in the specs; known providers: {}",
                    known.join(", ")
                )
            }
            Error::SamePath {
                method,
                path,
                endpoints: [first, second],
            } => write!(
                f,
                "`{first}` ({path}) and `{second}` ({method}) cannot share a path item of an OpenAPI document: one \
                 operation per method, one spelling of a path's placeholders"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The OpenAPI 3.1 document of `api`, or of its provider called `provider` alone (that provider's endpoints and
/// the shared types they use).
pub fn document(api: &Api, provider: Option<&str>) -> Result<Value, Error> {
    let api = match provider {
        None => Cow::Borrowed(api),
        Some(name) => Cow::Owned(only(api, name)?),
    };
    let mut doc = Map::new();
    doc.insert("openapi".into(), "3.1.0".into());
    doc.insert("info".into(), info(&api));
    // One provider: its base URLs serve every path. Several: each operation names its provider's (`operation`).
    if let [provider] = api.providers.as_slice() {
        doc.insert("servers".into(), servers(provider));
    }
    doc.insert("tags".into(), tags(&api));
    doc.insert("paths".into(), paths(&api)?);
    doc.insert("webhooks".into(), webhooks(&api));
    doc.insert("components".into(), components(&api));
    Ok(Value::Object(doc))
}

/// `api` narrowed to the provider called `name`.
fn only(api: &Api, name: &str) -> Result<Api, Error> {
    if api.provider(name).is_none() {
        let known = api.providers.iter().map(|p| p.name.clone()).collect();
        return Err(Error::UnknownProvider {
            name: name.to_owned(),
            known,
        });
    }
    let mut one = api.clone();
    one.retain_providers(&[name]);
    Ok(one)
}

/// The document's title (its provider's, when it has one), version (snapbi's) and description (its providers).
fn info(api: &Api) -> Value {
    let title = match api.providers.as_slice() {
        [provider] => provider.title.clone(),
        _ => "SNAP payment APIs".to_owned(),
    };
    let providers: Vec<String> = api
        .providers
        .iter()
        .map(|p| format!("{} (`{}`)", p.title, p.name))
        .collect();
    let description = format!(
        "The endpoints of snapbi's specs: {}. Generated by `snapbi openapi` from the same IR as snapbi's client and \
         sandbox; do not edit.",
        providers.join(", ")
    );
    json!({ "title": title, "version": env!("CARGO_PKG_VERSION"), "description": description })
}

/// A provider's base URLs, described by their environment (`sandbox`, `production`), in file order.
fn servers(provider: &Provider) -> Value {
    let servers: Vec<Value> = provider
        .base_urls
        .iter()
        .map(|(env, url)| json!({ "url": url, "description": format!("{} {env}", provider.title) }))
        .collect();
    Value::Array(servers)
}

/// One tag per provider (providers are sorted by name), described by its profile's doc.
fn tags(api: &Api) -> Value {
    let tags: Vec<Value> = api
        .providers
        .iter()
        .map(|p| {
            let doc = p.doc.as_deref().map(|d| format!("{}: {}", p.title, d.trim()));
            json!({ "name": p.name, "description": doc.unwrap_or_else(|| p.title.clone()) })
        })
        .collect();
    Value::Array(tags)
}

/// Outbound endpoints, one path item per path (sorted), its operations in OpenAPI's method order.
fn paths(api: &Api) -> Result<Value, Error> {
    // Keyed by the path's shape (placeholders' names left out): OpenAPI counts `/a/{x}` and `/a/{y}` as one path.
    let mut by_shape: BTreeMap<String, Vec<&Endpoint>> = BTreeMap::new();
    for e in api.endpoints.iter().filter(|e| e.direction == Direction::Outbound) {
        by_shape.entry(shape(&e.info.path)).or_default().push(e);
    }
    let several = api.providers.len() > 1;
    let mut items: BTreeMap<String, Value> = BTreeMap::new();
    for endpoints in by_shape.values() {
        let first = endpoints[0];
        // Endpoints of one shape with other placeholder names cannot share a path item.
        if let Some(other) = endpoints.iter().find(|e| e.info.path != first.info.path) {
            return Err(same_path(first, other));
        }
        let mut item = Map::new();
        for method in METHODS {
            let at: Vec<&Endpoint> = endpoints
                .iter()
                .copied()
                .filter(|e| e.info.method.eq_ignore_ascii_case(method))
                .collect();
            match at.as_slice() {
                [] => {}
                [e] => {
                    item.insert(method.into(), operation::operation(api, e, several));
                }
                [one, other, ..] => return Err(same_path(one, other)),
            }
        }
        items.insert(first.info.path.to_string(), Value::Object(item));
    }
    Ok(Value::Object(items.into_iter().collect()))
}

/// The error of two endpoints at one path (and method).
fn same_path(first: &Endpoint, other: &Endpoint) -> Error {
    Error::SamePath {
        method: other.info.method.to_string(),
        path: first.info.path.to_string(),
        endpoints: [first.info.id.to_string(), other.info.id.to_string()],
    }
}

/// OpenAPI's operation names for the HTTP methods, in the order a path item lists them.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A path with every `{placeholder}` written `{}`.
fn shape(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| match s.starts_with('{') && s.ends_with('}') {
            true => "{}",
            false => s,
        })
        .collect();
    segments.join("/")
}

/// Inbound endpoints (the provider calls the merchant), keyed by endpoint id: the merchant's URL is its own, so
/// the spec's path is only told in the description.
fn webhooks(api: &Api) -> Value {
    let hooks: Map<String, Value> = api
        .endpoints
        .iter()
        .filter(|e| e.direction == Direction::Inbound)
        .map(|e| {
            let method = e.info.method.to_ascii_lowercase();
            (
                e.info.id.to_string(),
                json!({ method: operation::operation(api, e, false) }),
            )
        })
        .collect();
    Value::Object(hooks)
}

/// The named schemas (shared types, every endpoint's request and response, each own-JSON provider's answer
/// places) and the security schemes, each sorted by name.
fn components(api: &Api) -> Value {
    let mut schemas: BTreeMap<String, Value> = BTreeMap::new();
    for ty in &api.types {
        schemas.insert(ty.name.clone(), schema::shared_type(api, ty));
    }
    for e in &api.endpoints {
        if e.has_body() {
            schemas.insert(schema::request_name(e), schema::request(api, e));
        }
        if !e.response.is_empty() {
            schemas.insert(schema::response_name(e), schema::response(api, e));
        }
    }
    for provider in &api.providers {
        if let Some(results) = &provider.results {
            schemas.insert(responses::places_name(provider), responses::places(results));
        }
    }
    let schemes = security::schemes(api);
    json!({
        "schemas": schemas.into_iter().collect::<Map<String, Value>>(),
        "securitySchemes": schemes.into_iter().collect::<Map<String, Value>>(),
    })
}
