//! Responses: every code an endpoint declares, under the HTTP status it is answered with, as an example of its
//! answer; the schema of each status is the endpoint's response body, narrowed to the codes declared there.
//!
//! The three framings the specs know answer differently:
//!
//! - SNAP: `responseCode` (seven digits, the first three the HTTP status) and `responseMessage` in the response
//!   body. Codes are grouped by HTTP status, and each status's `responseCode` is one of the codes declared there.
//! - An envelope (DANA's Open API): HTTP 200 whatever happened, the code in the body's result object
//!   (`response.body.resultInfo.resultCode`), one of the endpoint's result codes.
//! - A provider's own JSON (DOKU non-SNAP, WooshPay): each code under the HTTP status it is answered with. A 2xx
//!   answer is the endpoint's response body, its `status_field` one of the codes declared at that status; any other
//!   answer carries its code and message at the provider's code places (`<provider>.Result`). The provider's
//!   refusals (`results.refusals`: a missing header, a bad signature…) answer every call it receives, so each is a
//!   response of every outbound endpoint too, its published body the example. Without a declared 2xx code, a
//!   success is any 2xx (`2XX`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Direction, Endpoint, EndpointCode, Envelope, OwnRefusal, Provider, Results, Situation, Text};

use crate::envelope;
use crate::headers;
use crate::schema::{at_path, reference, response_name};
use crate::security;

/// The member of a SNAP answer that holds its code (the standard's name).
const SNAP_CODE: &str = "responseCode";
/// The member of a SNAP answer that holds its message.
const SNAP_MESSAGE: &str = "responseMessage";

/// How an endpoint's answers carry their code.
enum Framing<'a> {
    Snap,
    Enveloped(&'a Envelope),
    Own(&'a Results),
}

/// What is answered at one HTTP status: the declared codes, and the provider's refusals.
#[derive(Default)]
struct AtStatus<'a> {
    codes: Vec<&'a EndpointCode>,
    refusals: Vec<&'a OwnRefusal>,
}

/// The responses of `e`, by HTTP status (sorted).
pub(crate) fn responses(api: &Api, provider: &Provider, e: &Endpoint) -> Value {
    let framing = match (api.envelope_of(e), &provider.results) {
        (Some(envelope), _) => Framing::Enveloped(envelope),
        (None, Some(results)) => Framing::Own(results),
        (None, None) => Framing::Snap,
    };
    let mut statuses: BTreeMap<String, AtStatus> = BTreeMap::new();
    for code in &e.codes {
        statuses.entry(code.http.to_string()).or_default().codes.push(code);
    }
    if let Framing::Own(_) = framing {
        // The provider refuses calls it receives; what the merchant answers to an inbound call is its own.
        if e.direction == Direction::Outbound {
            for refusal in &provider.refusals {
                statuses
                    .entry(refusal.http.to_string())
                    .or_default()
                    .refusals
                    .push(refusal);
            }
        }
        if !statuses.keys().any(|status| status.starts_with('2')) {
            statuses.insert("2XX".into(), AtStatus::default());
        }
    }
    let responses: Map<String, Value> = statuses
        .iter()
        .map(|(status, at)| (status.clone(), response(provider, e, &framing, status, at)))
        .collect();
    Value::Object(responses)
}

/// The response at one status: its description, schema and examples (and, for a provider that signs its answers,
/// the headers that carry the signature).
fn response(provider: &Provider, e: &Endpoint, framing: &Framing, status: &str, at: &AtStatus) -> Value {
    let success = status.starts_with('2');
    let codes: Vec<&str> = at.codes.iter().map(|c| c.code.as_str()).collect();
    let schema = match framing {
        Framing::Snap => narrowed(
            e,
            (!codes.is_empty()).then(|| at_path(&[SNAP_CODE], json!({ "enum": codes }), false)),
        ),
        Framing::Enveloped(envelope) => {
            let code = at_path(
                &[&*envelope.result, &*envelope.result_code],
                json!({ "enum": codes }),
                false,
            );
            narrowed(e, Some(code)).map(|body| envelope::response(envelope, body))
        }
        Framing::Own(_) if success => {
            let code = e.info.status_field.as_ref().filter(|_| !codes.is_empty());
            narrowed(e, code.map(|path| at_path(path, json!({ "enum": codes }), false)))
        }
        Framing::Own(_) => Some(reference(&places_name(provider))),
    };
    let mut examples = Map::new();
    for refusal in &at.refusals {
        let summary = refusal_summary(refusal);
        examples.insert(
            refusal_name(refusal),
            json!({ "summary": summary, "value": refusal.body }),
        );
    }
    // A code a refusal's body shows already is not shown again.
    let shown = |c: &&&EndpointCode| !at.refusals.iter().any(|r| r.code.as_deref() == Some(c.code.as_str()));
    for code in at.codes.iter().filter(shown) {
        let value = example(e, framing, code, success);
        examples.insert(
            code.code.clone(),
            json!({ "summary": summary(code), "description": doc(code), "value": value }),
        );
    }
    let mut response = json!({ "description": description(&examples) });
    if let Some(schema) = schema {
        let mut media = json!({ "schema": schema });
        if !examples.is_empty() {
            media["examples"] = Value::Object(examples);
        }
        response["content"] = json!({ "application/json": media });
    }
    if let (Framing::Own(_), true, Some(headers)) = (framing, success, answer_headers(provider, e)) {
        response["headers"] = headers;
    }
    response
}

/// The endpoint's response body, with what the status narrows (its code's values) beside it.
fn narrowed(e: &Endpoint, code: Option<Value>) -> Option<Value> {
    let body = (!e.response.is_empty()).then(|| reference(&response_name(e)));
    match (body, code) {
        (Some(body), Some(code)) => Some(json!({ "allOf": [body, code] })),
        (body, code) => body.or(code),
    }
}

/// The answer carrying `code`, as the provider writes it: SNAP's `responseCode` and `responseMessage`; an
/// envelope's result object; in a provider's own JSON, a 2xx code in the endpoint's `status_field`, else the code at
/// its place among the provider's code places (`at`, else the first) with the message at the message place of the
/// same rank.
fn example(e: &Endpoint, framing: &Framing, code: &EndpointCode, success: bool) -> Value {
    match framing {
        Framing::Snap => json!({ SNAP_CODE: code.code, SNAP_MESSAGE: code.message }),
        Framing::Enveloped(envelope) => {
            let mut result = Map::new();
            if let Some(status) = &code.status {
                result.insert(envelope.result_status.to_string(), status.clone().into());
            }
            // The code's numeric id only where the provider published one.
            if let (Some(member), Some(id)) = (&envelope.result_code_id, &code.id) {
                result.insert(member.to_string(), id.clone().into());
            }
            result.insert(envelope.result_code.to_string(), code.code.clone().into());
            result.insert(envelope.result_message.to_string(), code.message.clone().into());
            let mut answer = Value::Null;
            insert_at(&mut answer, &envelope::result_path(envelope), Value::Object(result));
            answer
        }
        Framing::Own(results) => {
            let mut answer = json!({});
            match (&e.info.status_field, success) {
                (Some(field), true) => insert_at(&mut answer, field, code.code.clone().into()),
                _ => {
                    let rank = code.at.as_ref().and_then(|at| rank_of(results, at)).unwrap_or(0);
                    if let Some(place) = results.code.get(rank) {
                        insert_at(&mut answer, place, code.code.clone().into());
                    }
                    if let Some(place) = results.message.get(rank) {
                        insert_at(&mut answer, place, code.message.clone().into());
                    }
                }
            }
            answer
        }
    }
}

/// The rank of the code place `at` among the provider's code places.
fn rank_of(results: &Results, at: &[String]) -> Option<usize> {
    results
        .code
        .iter()
        .position(|place| place.iter().map(|s| &**s).eq(at.iter().map(String::as_str)))
}

/// `4005401: Invalid Field Format {field}` (the code and its published message, unless it has none of its own).
fn summary(code: &EndpointCode) -> String {
    match code.message.is_empty() || code.message == code.code {
        true => code.code.clone(),
        false => format!("{}: {}", code.code, code.message),
    }
}

/// The code's name and outcome, then what it means for this endpoint.
fn doc(code: &EndpointCode) -> String {
    let mut text = format!("{}, outcome `{}`.", code.name, code.outcome.as_str());
    if let Some(doc) = &code.doc {
        text = format!("{text} {}", doc.trim());
    }
    text
}

/// The summaries of one status's examples in a line; a status without any is any success.
fn description(examples: &Map<String, Value>) -> String {
    let summaries: Vec<&str> = examples.values().filter_map(|e| e["summary"].as_str()).collect();
    match summaries.is_empty() {
        true => "Success: any 2xx status (no code of its own is declared).".to_owned(),
        false => summaries.join("; "),
    }
}

/// A refusal's name: its situation in the standard's spelling, the place it is about and the reason it is for
/// (`missing_field (header)`, `unauthorized: Invalid Signature`).
fn refusal_name(refusal: &OwnRefusal) -> String {
    let situation = Situation::ALL
        .iter()
        .find(|(_, s)| *s == refusal.situation)
        .map_or("refusal", |(name, _)| *name);
    let place = match refusal.header {
        Some(true) => " (header)",
        Some(false) => " (body)",
        None => "",
    };
    let reason = refusal.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    format!("{situation}{place}{reason}")
}

/// What a refusal answers: its code where its body has a fixed one, and its name.
fn refusal_summary(refusal: &OwnRefusal) -> String {
    match &refusal.code {
        Some(code) => format!("{code}: refused, {}", refusal_name(refusal)),
        None => format!("Refused, {}", refusal_name(refusal)),
    }
}

/// The name of an own-JSON provider's answer places: `<provider>.Result`.
pub(crate) fn places_name(provider: &Provider) -> String {
    format!("{}.Result", provider.name)
}

/// The places an own-JSON provider's answers carry their code and message at (`results.code`, `results.message`):
/// an object holding each, strings, none of them required (the first present counts).
pub(crate) fn places(results: &Results) -> Value {
    let mut schema = json!({ "type": "object" });
    for path in results.code.iter().chain(results.message.iter()) {
        place(&mut schema, path);
    }
    let written = |paths: &[snapbi_spec::ir::Path]| {
        let paths: Vec<String> = paths.iter().map(|p| format!("`{}`", wire_path(p))).collect();
        paths.join(", then ")
    };
    schema["description"] = format!(
        "How the provider's answers carry their code ({}) and message ({}): the first place present counts.",
        written(&results.code),
        written(&results.message)
    )
    .into();
    schema
}

/// Adds a string at `path` (member names, and list indexes as digits) to an object schema. A list is only said
/// to be one: which item holds the code is in the description, since a schema per item (`prefixItems`) is beyond
/// many OpenAPI tools (schemathesis 4 rejects it).
fn place(schema: &mut Value, path: &[Text]) {
    let Some((first, rest)) = path.split_first() else {
        schema["type"] = "string".into();
        return;
    };
    if first.parse::<usize>().is_ok() {
        schema["type"] = "array".into();
        return;
    }
    schema["type"] = "object".into();
    let member = &mut schema["properties"][first.as_ref()];
    if member.is_null() {
        *member = json!({});
    }
    place(member, rest);
}

/// `error.code`, `message[0]`: a path written as the specs write it.
fn wire_path(path: &[Text]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment.parse::<usize>() {
            Ok(index) => out.push_str(&format!("[{index}]")),
            Err(_) if out.is_empty() => out.push_str(segment),
            Err(_) => out.push_str(&format!(".{segment}")),
        }
    }
    out
}

/// Puts `leaf` at `path` inside `target`, making the objects and arrays on the way.
fn insert_at<S: AsRef<str>>(target: &mut Value, path: &[S], leaf: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = leaf;
        return;
    };
    match first.as_ref().parse::<usize>() {
        Ok(index) => {
            if !target.is_array() {
                *target = json!([]);
            }
            if let Some(items) = target.as_array_mut() {
                while items.len() <= index {
                    items.push(Value::Null);
                }
                insert_at(&mut items[index], rest, leaf);
            }
        }
        Err(_) => {
            if !target.is_object() {
                *target = json!({});
            }
            insert_at(&mut target[first.as_ref()], rest, leaf);
        }
    }
}

/// The headers a provider signs its answers with (`answer_signatures:`, DOKU non-SNAP's `Response-Timestamp`
/// scheme), for an outbound call of an auth kind it signs. None is required: the provider does not say which
/// answers it signs.
fn answer_headers(provider: &Provider, e: &Endpoint) -> Option<Value> {
    if e.direction != Direction::Outbound {
        return None;
    }
    let signed = provider.answer_signature_for(e.info.auth)?;
    let mut out = Map::new();
    for (name, source) in signed.headers.iter() {
        let mut schema = headers::source(provider, source, None);
        let mut description = match schema.remove("description") {
            Some(Value::String(text)) => text,
            _ => String::new(),
        };
        if source.is(&snapbi_spec::ir::HeaderSource::Signature) {
            description = format!("{description} `{{signature}}` is {}", security::recipe(&signed.recipe));
        }
        out.insert(
            name.to_string(),
            json!({ "description": description, "schema": schema }),
        );
    }
    Some(Value::Object(out))
}
