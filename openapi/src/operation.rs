//! One operation per endpoint: its id (`operationId`), its provider (the tag), its summary and doc, its parameters,
//! request body, responses and the credentials it needs. The same for an outbound endpoint (under `paths`) and an
//! inbound one (under `webhooks`, the provider being the caller).

use serde_json::{Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Direction, Endpoint, Provider};

use crate::schema::{reference, request_name};
use crate::{envelope, headers, responses, security, servers};

/// The operation of `e`; `servers`: name its provider's base URLs (a document of several providers).
pub(crate) fn operation(api: &Api, e: &Endpoint, servers: bool) -> Value {
    let Some(provider) = api.provider(&e.info.provider) else {
        // The lowering checks that every endpoint's provider exists.
        return json!({ "operationId": e.info.id, "responses": {} });
    };
    let mut op = json!({
        "tags": [provider.name],
        "summary": e.info.summary,
        "description": description(api, e),
        "operationId": e.info.id,
    });
    let parameters = headers::parameters(api, provider, e);
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if e.has_body() {
        op["requestBody"] = request_body(api, provider, e);
    }
    op["responses"] = responses::responses(api, provider, e);
    if let Some(requirement) = security::requirement(provider, e) {
        op["security"] = requirement;
    }
    if servers && e.direction == Direction::Outbound {
        op["servers"] = self::servers(provider);
    }
    op
}

/// The endpoint's doc, then a line of facts a reader looks for: the service code (or the framing), the auth kind,
/// the status endpoint, the other paths it is served at, and for an inbound endpoint where its path comes from.
fn description(api: &Api, e: &Endpoint) -> String {
    let mut facts = Vec::new();
    match &e.info.envelope {
        Some(v) => facts.push(format!(
            "Framed in the `{}` envelope, function `{}`.",
            v.envelope, v.function
        )),
        None if e.info.service_code.is_empty() => facts.push("Answers in the provider's own JSON.".to_owned()),
        None => {
            let name = api.codes.service_name_for(&e.info.provider, &e.info.service_code);
            let name = name.map(|n| format!(" ({n})")).unwrap_or_default();
            facts.push(format!("SNAP service code `{}`{name}.", e.info.service_code));
        }
    }
    facts.push(format!("Auth kind `{}`.", e.info.auth.as_str()));
    if let Some(status) = &e.status_endpoint {
        facts.push(format!("Status endpoint `{status}`."));
    }
    if !e.aliases.is_empty() {
        let aliases: Vec<String> = e.aliases.iter().map(|a| format!("`{a}`")).collect();
        facts.push(format!("Also served at {}.", aliases.join(", ")));
    }
    if e.direction == Direction::Inbound {
        facts.push(format!(
            "The provider calls the merchant's own URL ({} `{}` in the specs).",
            e.info.method, e.info.path
        ));
    }
    let doc = e.doc.as_deref().map(str::trim).unwrap_or_default();
    format!("{doc}\n\n{}", facts.join(" ")).trim_start().to_owned()
}

/// The request body: the endpoint's request schema, framed in its envelope when it has one.
fn request_body(api: &Api, provider: &Provider, e: &Endpoint) -> Value {
    let schema = match api.envelope_of(e) {
        Some(framing) => envelope::request(api, provider, framing, e),
        None => reference(&request_name(e)),
    };
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}
