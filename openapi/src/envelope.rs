//! Envelopes (DANA's Open API): an enveloped endpoint's request body is `{"request":{"head":…,"body":…},
//! "signature":"…"}` and its answer `{"response":{"head":…,"body":…},"signature":"…"}`, with the member names the
//! provider's `envelopes:` gives. The head members the runtime fills come from the envelope (their sources and
//! limits), the caller's from the endpoint's `headers`; the body member is the endpoint's request (or response)
//! schema. The specs do not describe the members of the answer's head, so that head is any object.

use serde_json::{Map, Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Endpoint, Envelope, HeaderSource, Provider};

use crate::headers;
use crate::schema::{self, reference};
use crate::security;

/// The body of a request to `e`, framed in `envelope`.
pub(crate) fn request(api: &Api, provider: &Provider, envelope: &Envelope, e: &Endpoint) -> Value {
    let member = json!({
        "type": "object",
        "required": [envelope.head_member, envelope.body_member],
        "properties": {
            envelope.head_member.to_string(): head(api, provider, envelope, e),
            envelope.body_member.to_string(): reference(&schema::request_name(e)),
        },
    });
    let signature = format!(
        "The signature of the `{}` member: {}",
        envelope.request_member,
        security::recipe(&envelope.signature)
    );
    json!({
        "type": "object",
        "required": [envelope.request_member, envelope.signature_member],
        "properties": {
            envelope.request_member.to_string(): member,
            envelope.signature_member.to_string(): {
                "type": "string",
                "description": signature,
                "x-snapbi-signature": security::extension(&envelope.signature),
            },
        },
    })
}

/// The request's head: the envelope's members (all required: the runtime fills each), then the caller's.
fn head(api: &Api, provider: &Provider, envelope: &Envelope, e: &Endpoint) -> Value {
    let function = e.info.envelope.as_ref().map(|v| v.function.to_string());
    let mut properties = Map::new();
    let mut required: Vec<String> = Vec::new();
    for (name, source) in envelope.head.iter() {
        let mut member = headers::source(provider, source, envelope.head_limit(name));
        if let (HeaderSource::Function, Some(function)) = (source, &function) {
            member.insert("const".into(), function.clone().into());
        }
        properties.insert(name.to_string(), Value::Object(member));
        required.push(name.to_string());
    }
    let callers = schema::object(api, &e.headers);
    if let Some(Value::Object(members)) = callers.get("properties") {
        properties.extend(members.clone());
    }
    if let Some(Value::Array(names)) = callers.get("required") {
        required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    json!({ "type": "object", "required": required, "properties": properties })
}

/// The body of an answer framed in `envelope`, its body member being `body`.
pub(crate) fn response(envelope: &Envelope, body: Value) -> Value {
    let head = json!({
        "type": "object",
        "description": "The provider's response head; the specs do not describe its members.",
    });
    json!({
        "type": "object",
        "properties": {
            envelope.response_member.to_string(): {
                "type": "object",
                "properties": {
                    envelope.head_member.to_string(): head,
                    envelope.body_member.to_string(): body,
                },
            },
            envelope.signature_member.to_string(): {
                "type": "string",
                "description": format!("The provider's signature of the `{}` member.", envelope.response_member),
            },
        },
    })
}

/// The wire path of the result object inside an answer's body (`response`, `body`, `resultInfo`).
pub(crate) fn result_path(envelope: &Envelope) -> [&str; 3] {
    [&envelope.response_member, &envelope.body_member, &envelope.result]
}
