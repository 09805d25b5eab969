//! Records (operations `create`, `update`, `delete`, and `status` with a `record`), kept generically: the
//! provider's record kind names the request fields that identify one record and the case code for one that
//! does not exist; the record is the create request's body with later updates written over it, and answers
//! every response field with the same wire name (looking into response objects it does not hold whole).

use serde_json::{Map, Value};
use snapbi_spec::ir::{Api, Field, FieldType, RecordKind, Situation};

use super::{Cx, Outcome, at_path, echo, refused, success};
use crate::answer::{Answer, Fill};
use crate::ledger::{Books, Record};

/// The wire path (one name per level) of the first response field named `wire`, looking into objects.
pub(super) fn response_path(api: &Api, fields: &[Field], wire: &str, depth: usize) -> Option<Vec<String>> {
    fields.iter().find_map(|field| {
        if field.wire == wire {
            return Some(vec![field.wire.clone()]);
        }
        let inner = match &field.ty {
            FieldType::Object(inner) => inner.as_slice(),
            FieldType::Named(name) => api.shared_type(name)?.fields.as_slice(),
            _ => return None,
        };
        let mut path = response_path(api, inner, wire, depth + 1).filter(|_| depth < 8)?;
        path.insert(0, field.wire.clone());
        Some(path)
    })
}

/// The provider's kind of record the endpoint acts on, if it names one.
pub(super) fn record_kind<'c>(cx: &Cx<'c, '_>) -> Option<&'c RecordKind> {
    let name = cx.call.endpoint.record.as_deref()?;
    cx.inner.api.provider(&cx.call.endpoint.info.provider)?.record(name)
}

/// The record's id in the books (client, provider, kind, key values) and its key fields; the refusal for a
/// request that lacks one (the sandbox does not make up a number the provider would generate).
fn record_id(cx: &Cx<'_, '_>, kind: &RecordKind) -> Result<(String, Map<String, Value>), Answer> {
    record_key(cx.client, &cx.call.endpoint.info.provider, kind, cx.body).map_err(|path| {
        let answer = cx.call.answer(Situation::MissingField, Fill::field(path));
        answer.because(format!(
            "the sandbox keeps `{}` records by {} and does not make up missing key values; this request has no \
             {path}",
            kind.name,
            kind.key.join(" + ")
        ))
    })
}

/// The books' id of the `kind` record of `client` that `body` names, with its key values; `Err` names the
/// first key path `body` lacks.
pub(crate) fn record_key<'k>(
    client: &str,
    provider: &str,
    kind: &'k RecordKind,
    body: &Value,
) -> Result<(String, Map<String, Value>), &'k str> {
    let mut id = format!("{client}\u{1f}{provider}\u{1f}{}", kind.name);
    let mut key = Map::new();
    for path in &kind.key {
        match at_path(body, path) {
            Some(value) if !value.is_null() => {
                id.push('\u{1f}');
                id.push_str(&value.to_string());
                key.insert(path.clone(), value.clone());
            }
            _ => return Err(path),
        }
    }
    Ok((id, key))
}

/// The kind's not-found answer (`404xx` + `not_found`, or the kind's own HTTP status).
fn no_record(cx: &Cx<'_, '_>, kind: &RecordKind, why: String) -> Answer {
    let fill = Fill {
        field: kind.key.first().map(String::as_str),
        reason: Some("Not Found"),
        header: false,
    };
    cx.call
        .answer_case(kind.not_found_http, &kind.not_found, fill)
        .because(why)
}

/// The record this call names: it exists for this client, and every `match` field the request carries
/// equals the record's.
fn existing<'b>(cx: &Cx<'_, '_>, kind: &RecordKind, books: &'b Books) -> Result<(String, &'b Record), Answer> {
    let (id, _) = record_id(cx, kind)?;
    let Some(record) = books.record(&id) else {
        let why = format!(
            "this client has no `{}` record with this {}",
            kind.name,
            kind.key.join(" + ")
        );
        return Err(no_record(cx, kind, why));
    };
    for path in &kind.match_fields {
        if let Some(sent) = at_path(cx.body, path)
            && at_path(&record.fields, path) != Some(sent)
        {
            let why = format!("the `{}` record with this key has another {path}", kind.name);
            return Err(no_record(cx, kind, why));
        }
    }
    Ok((id, record))
}

/// The answer facts a record holds for `fields`: each field the record has under the same wire name and,
/// for an object it does not hold whole (`virtualAccountData`), that object built the same way from its
/// fields. Lists are not looked into.
fn record_facts(api: &Api, fields: &[Field], record: &Value, depth: usize) -> Map<String, Value> {
    let mut facts = Map::new();
    for field in fields {
        if let Some(value) = record.get(&field.wire) {
            facts.insert(field.wire.clone(), value.clone());
            continue;
        }
        let inner = match &field.ty {
            FieldType::Object(inner) => Some(inner.as_slice()),
            FieldType::Named(name) => api.shared_type(name).map(|t| t.fields.as_slice()),
            _ => None,
        };
        if let Some(inner) = inner.filter(|_| depth < 8) {
            let nested = record_facts(api, inner, record, depth + 1);
            if !nested.is_empty() {
                facts.insert(field.wire.clone(), Value::Object(nested));
            }
        }
    }
    facts
}

/// A successful answer from a record's fields, over the request's own fields the response echoes
/// (`partnerReferenceNo`, `amount`): the record's win.
fn record_answer(cx: &Cx<'_, '_>, record: &Value) -> Answer {
    let mut facts = echo(cx);
    facts.extend(record_facts(&cx.inner.api, &cx.call.endpoint.response, record, 0));
    success(cx, facts)
}

pub(super) fn create(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let call = cx.call;
    let (id, key) = match record_id(cx, kind) {
        Ok(found) => found,
        Err(answer) => return refused(answer),
    };
    if books.record(&id).is_some() {
        let answer = call.answer(Situation::DuplicateReference, Fill::default());
        return refused(answer.because(format!(
            "this client already has a `{}` record with this {}",
            kind.name,
            kind.key.join(" + ")
        )));
    }
    let record = Record {
        client_id: cx.client.to_owned(),
        provider: call.provider.name.clone(),
        kind: kind.name.clone(),
        key,
        fields: cx.body.clone(),
        created_by: call.endpoint.info.id.to_string(),
        created_time: call.clock.now(),
        updated_time: None,
        remembered: cx.idempotency.map(str::to_owned),
    };
    let answer = record_answer(cx, &record.fields);
    books.add_record(id, record);
    (answer, Vec::new())
}

pub(super) fn update(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let id = match existing(cx, kind, books) {
        Ok((id, _)) => id,
        Err(answer) => return refused(answer),
    };
    let Some(record) = books.record_mut(&id) else {
        return refused(no_record(cx, kind, "the record is gone".into()));
    };
    if let (Some(fields), Some(changes)) = (record.fields.as_object_mut(), cx.body.as_object()) {
        for (name, value) in changes {
            fields.insert(name.clone(), value.clone());
        }
    }
    record.updated_time = Some(cx.call.clock.now());
    (record_answer(cx, &record.fields), Vec::new())
}

pub(super) fn delete(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let id = match existing(cx, kind, books) {
        Ok((id, _)) => id,
        Err(answer) => return refused(answer),
    };
    match books.remove_record(&id) {
        Some(record) => (record_answer(cx, &record.fields), Vec::new()),
        None => refused(no_record(cx, kind, "the record is gone".into())),
    }
}

pub(super) fn record_status(cx: &Cx<'_, '_>, kind: &RecordKind, books: &Books) -> Outcome {
    match existing(cx, kind, books) {
        Ok((_, record)) => (record_answer(cx, &record.fields), Vec::new()),
        Err(answer) => refused(answer),
    }
}
