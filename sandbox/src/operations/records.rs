//! Records (operations `create`, `update`, `delete`, and `status` with a `record`), kept generically, whatever the
//! call's framing (a SNAP body or an envelope such as DANA's Open API):
//!
//! - the provider's record kind names the fields that identify one record: its `key` and any `alternate_keys`
//!   (DANA's shop: the `shopId` DANA issued, or the merchant's `merchantId` + `externalShopId`); the books find a
//!   record under each;
//! - a create stores its request body (each field under its `record_fields` name) and the values its `answers`
//!   issue (the shop id), refusing a key another record has;
//! - a later call names the record by the kind's key under the same wire paths, or as its `record_key` says (the
//!   first alternative whose condition holds: `shopId` is the issued id when `shopIdType` is `INNER_ID`); its
//!   `match` fields must equal the record's;
//! - an update writes its fields over the record, except those that name the record (under their `record_fields`
//!   names: `newExternalShopId` becomes `externalShopId`), refusing a key another record has;
//! - every answer holds the response fields the record has under the same wire names, looking into response
//!   objects it does not hold whole (`virtualAccountData`, `shopResourceInfo`).
//!
//! The operations report a refusal in words ([`Refusal`]); each framing answers it with its own code (SNAP: the
//! kind's `not_found` and the standard's cases; an envelope: the endpoint's `record_codes`).

use axum::http::HeaderMap;
use serde_json::{Map, Value};
use snapbi_rules::conditional::display;
use snapbi_spec::ir::{
    AnswerSource, Answered, Api, Endpoint, Field, FieldType, Operation, RecordCodes, RecordKind, RecordLookup,
    RecordPick, Results, Situation,
};

use super::record_parents::{Parent, parent_of};
use super::{Cx, Effect, Outcome, at_path, declared, echo, refused, success_over};
use crate::answer::{Answer, Fill};
use crate::answers;
use crate::ledger::{Books, Record};
use crate::record_payments::{Owner, notifications};

/// The provider's kind of record `endpoint` acts on, if it names one.
pub(crate) fn kind_of<'a>(api: &'a Api, endpoint: &Endpoint) -> Option<&'a RecordKind> {
    let name = endpoint.record.as_deref()?;
    api.provider(&endpoint.info.provider)?.record(name)
}

/// One call on a record.
pub(crate) struct RecordCall<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) kind: &'a RecordKind,
    /// The calling client; records are kept per client.
    pub(crate) client: &'a str,
    pub(crate) body: &'a Value,
    /// The provider's time now (SNAP timestamp).
    pub(crate) now: String,
    /// The call's idempotency key, forgotten with the record it creates.
    pub(crate) idempotency: Option<&'a str>,
    /// `http://<host>` of the sandbox as the call reached it, for the page a create answers (`page` answers); none
    /// where no page is answered.
    pub(crate) base: Option<String>,
    /// The call's HTTP headers, some of which a create keeps (`record_headers`).
    pub(crate) headers: Option<&'a HeaderMap>,
    /// The status endpoint of the kind, which says what a record reports where it holds nothing (`record_from`).
    pub(crate) reports: Option<&'a Endpoint>,
    /// The record a create's record belongs to (`record_of`), resolved.
    pub(crate) parent: Option<Parent<'a>>,
}

/// Why a record call was refused, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The request lacks this field, which names the record (the sandbox makes up no key value).
    Missing(String, String),
    /// The record it names does not exist (or another `match` value).
    NotFound(String),
    /// A record with a key it gives exists already.
    Exists(String),
    /// The record reports a value the update is not served from (`record_from`: a paid PaymentIntent is not
    /// canceled).
    State(String),
}

impl Refusal {
    /// The result code an endpoint's `record_codes` name for this refusal (an envelope or a provider's own JSON);
    /// none for a missing key field, which the framing refuses like any missing field.
    pub(crate) fn code_in<'c>(&self, codes: &'c RecordCodes) -> Option<&'c str> {
        match self {
            Refusal::Missing(..) | Refusal::State(_) => None,
            Refusal::NotFound(_) => codes.not_found.as_deref(),
            Refusal::Exists(_) => codes.exists.as_deref(),
        }
    }

    /// The situation the framing answers this refusal with when the endpoint names no result code for it.
    pub(crate) fn situation(&self) -> Situation {
        match self {
            Refusal::Missing(..) => Situation::MissingField,
            Refusal::NotFound(_) => Situation::TransactionNotFound,
            Refusal::Exists(_) => Situation::DuplicateReference,
            Refusal::State(_) => Situation::InvalidTransactionStatus,
        }
    }

    pub(crate) fn reason(&self) -> &str {
        match self {
            Refusal::Missing(_, why) | Refusal::NotFound(why) | Refusal::Exists(why) | Refusal::State(why) => why,
        }
    }
}

/// The books' id of `client`'s `kind` record of `provider` under the kind's key number `index` (0: `key`), with
/// these values.
fn key_id(client: &str, provider: &str, kind: &RecordKind, index: usize, values: &[&Value]) -> String {
    let mut id = format!("{client}\u{1f}{provider}\u{1f}{}\u{1f}{index}", kind.name);
    for value in values {
        id.push('\u{1f}');
        id.push_str(&value.to_string());
    }
    id
}

/// Why a request names no record by a set of key fields.
pub(super) enum KeyMiss<'p> {
    /// The fields are not one of the kind's keys (lowering rules this out).
    NoKey,
    /// The request lacks this request path of the key.
    Missing(&'p str),
}

/// The books' id of `client`'s `kind` record that `body` names by `pairs`, one of the kind's keys: (record path,
/// request path holding its value), taken in the key's order.
pub(super) fn named_id<'p>(
    client: &str,
    provider: &str,
    kind: &RecordKind,
    pairs: &'p [(String, String)],
    body: &Value,
) -> Result<String, KeyMiss<'p>> {
    let Some((index, key)) = kind
        .keys()
        .enumerate()
        .find(|(_, key)| key.len() == pairs.len() && key.iter().all(|p| pairs.iter().any(|(r, _)| r == p)))
    else {
        return Err(KeyMiss::NoKey);
    };
    let mut values = Vec::new();
    for path in key {
        let Some((_, from)) = pairs.iter().find(|(r, _)| r == path) else {
            return Err(KeyMiss::NoKey);
        };
        match at_path(body, from) {
            Some(value) if !value.is_null() => values.push(value),
            _ => return Err(KeyMiss::Missing(from)),
        }
    }
    Ok(key_id(client, provider, kind, index, &values))
}

/// The books' id of the `kind` record of `client` that `body` names by the kind's `key` (the same wire paths),
/// with its key values; `Err` names the first key path `body` lacks.
pub(crate) fn record_key<'k>(
    client: &str,
    provider: &str,
    kind: &'k RecordKind,
    body: &Value,
) -> Result<(String, Map<String, Value>), &'k str> {
    let mut key = Map::new();
    for path in &kind.key {
        match at_path(body, path) {
            Some(value) if !value.is_null() => {
                key.insert(path.clone(), value.clone());
            }
            _ => return Err(path),
        }
    }
    let values: Vec<&Value> = key.values().collect();
    Ok((key_id(client, provider, kind, 0, &values), key))
}

/// The ids of a record with these fields under each of the kind's alternate keys it holds every value of.
pub(crate) fn aliases(client: &str, provider: &str, kind: &RecordKind, fields: &Value) -> Vec<String> {
    kind.keys()
        .enumerate()
        .skip(1)
        .filter_map(|(index, key)| {
            let values: Option<Vec<&Value>> = key
                .iter()
                .map(|p| at_path(fields, p).filter(|v| !v.is_null()))
                .collect();
            Some(key_id(client, provider, kind, index, &values?))
        })
        .collect()
}

/// A record the books keep, made now by this call.
fn new_record(call: &RecordCall<'_>, key: Map<String, Value>, fields: Value, created_by: &str) -> Record {
    let provider = call.endpoint.info.provider.to_string();
    Record {
        aliases: aliases(call.client, &provider, call.kind, &fields),
        client_id: call.client.to_owned(),
        provider,
        kind: call.kind.name.clone(),
        key,
        fields,
        created_by: created_by.to_owned(),
        created_time: call.now.clone(),
        updated_time: None,
        remembered: call.idempotency.map(str::to_owned),
        page: None,
    }
}

impl RecordCall<'_> {
    fn provider(&self) -> &str {
        &self.endpoint.info.provider
    }

    fn keys_named(&self) -> String {
        self.kind.key.join(" + ")
    }

    /// The books' ids of the records this request may name, in order: by each `record_key` alternative whose
    /// condition holds (DOKU's check status names an order by its invoice number or by the Request-Id that created
    /// it, in one path parameter), else by the kind's key under the same wire paths.
    fn named_ids(&self) -> Result<Vec<String>, Refusal> {
        if self.endpoint.record_key.is_empty() {
            return record_key(self.client, self.provider(), self.kind, self.body)
                .map(|(id, _)| vec![id])
                .map_err(|path| self.missing(path));
        }
        let holds = |l: &&RecordLookup| {
            l.when.as_ref().is_none_or(|w| {
                let value = at_path(self.body, &display(&w.field, &[])).and_then(Value::as_str);
                value.is_some_and(|v| w.is.iter().any(|allowed| allowed.as_ref() == v))
            })
        };
        let mut ids = Vec::new();
        let mut missing = None;
        for lookup in self.endpoint.record_key.iter().filter(holds) {
            match self.lookup_id(lookup) {
                Ok(id) => ids.push(id),
                Err(refusal) => missing = missing.or(Some(refusal)),
            }
        }
        match (ids.is_empty(), missing) {
            (false, _) => Ok(ids),
            (true, Some(refusal)) => Err(refusal),
            (true, None) => Err(Refusal::NotFound(
                "no `record_key` way of naming the record fits this request".into(),
            )),
        }
    }

    /// The books' id of the record one `record_key` alternative names: its values in the order of the kind's key
    /// it names (lowering: every alternative names one).
    fn lookup_id(&self, lookup: &RecordLookup) -> Result<String, Refusal> {
        match named_id(self.client, self.provider(), self.kind, &lookup.key, self.body) {
            Ok(id) => Ok(id),
            Err(KeyMiss::NoKey) => Err(Refusal::NotFound(
                "the request names the record by no key of its kind".into(),
            )),
            Err(KeyMiss::Missing(from)) => Err(self.missing(from)),
        }
    }

    fn missing(&self, path: &str) -> Refusal {
        let why = format!(
            "the sandbox keeps `{}` records by {} and does not make up missing key values; this request has no {path}",
            self.kind.name,
            self.keys_named()
        );
        Refusal::Missing(path.to_owned(), why)
    }

    /// The record this call names: it exists for this client, and every `match` field the request carries
    /// equals the record's.
    fn existing<'b>(&self, books: &'b Books) -> Result<(String, &'b Record), Refusal> {
        let named = self.named_ids()?;
        let found = named
            .iter()
            .find_map(|id| books.record_id(id).map(str::to_owned).zip(books.record(id)));
        let Some((id, record)) = found else {
            let why = format!("this client has no `{}` record named so", self.kind.name);
            return Err(Refusal::NotFound(why));
        };
        for path in &self.kind.match_fields {
            if let Some(sent) = at_path(self.body, path)
                && at_path(&record.fields, path) != Some(sent)
            {
                let why = format!("the `{}` record with this key has another {path}", self.kind.name);
                return Err(Refusal::NotFound(why));
            }
        }
        Ok((id, record))
    }

    /// What the call writes into the record: the request's fields, less those that name the record, each under
    /// its `record_fields` name.
    fn written(&self) -> Map<String, Value> {
        let mut fields = self.body.as_object().cloned().unwrap_or_default();
        for path in naming_paths(self.endpoint, self.kind) {
            fields.remove(&path);
        }
        for (record, from) in &self.endpoint.record_fields {
            if let Some(value) = take(&mut fields, from) {
                answers::set(&mut fields, record, value);
            }
        }
        fields
    }

    fn exists(&self, alias: bool) -> Refusal {
        let which = if alias {
            "another of its keys".to_owned()
        } else {
            self.keys_named()
        };
        Refusal::Exists(format!(
            "this client already has a `{}` record with this {which}",
            self.kind.name
        ))
    }
}

/// The request paths that say which record a call means (never written into it): the key fields and conditions of
/// its `record_key`, else the kind's key, which a create writes (it makes the record).
fn naming_paths(endpoint: &Endpoint, kind: &RecordKind) -> Vec<String> {
    if endpoint.record_key.is_empty() {
        return match endpoint.operation {
            Operation::Create => Vec::new(),
            _ => kind.key.clone(),
        };
    }
    let mut paths = Vec::new();
    for lookup in &endpoint.record_key {
        paths.extend(lookup.key.iter().map(|(_, from)| from.clone()));
        paths.extend(lookup.when.iter().map(|w| display(&w.field, &[])));
    }
    paths
}

/// Removes and returns the value at a dotted path of `fields`.
fn take(fields: &mut Map<String, Value>, path: &str) -> Option<Value> {
    match path.split_once('.') {
        None => fields.remove(path),
        Some((head, rest)) => take(fields.get_mut(head)?.as_object_mut()?, rest),
    }
}

/// Creates the record: the written fields and the values the endpoint's `answers` issue; refused when a record
/// has one of its keys already. Returns the record's fields.
pub(crate) fn create_record(
    call: &RecordCall<'_>,
    books: &mut Books,
    issue: &mut dyn FnMut(&str) -> String,
) -> Result<Value, Refusal> {
    let mut fields = call.written();
    call.belongs(books, &mut fields)?;
    let issued: Vec<Answered> = call
        .endpoint
        .answers
        .iter()
        .filter(|a| a.source == AnswerSource::Issued && !a.field.contains("[]"))
        .cloned()
        .collect();
    answers::fill(&issued, call.body, &mut fields, issue);
    kept_headers(call, &mut fields);
    let page = page(call, &mut fields, issue);
    let fields = Value::Object(fields);
    let (id, key) = record_key(call.client, call.provider(), call.kind, &fields).map_err(|path| call.missing(path))?;
    if books.record(&id).is_some() {
        return Err(call.exists(false));
    }
    let mut record = new_record(call, key, fields, &call.endpoint.info.id);
    record.page = page;
    if record.aliases.iter().any(|alias| books.record(alias).is_some()) {
        return Err(call.exists(true));
    }
    let fields = record.fields.clone();
    books.add_record(id, record);
    Ok(fields)
}

/// Writes the headers the endpoint keeps (`record_headers`) into the record's fields, each at its path; a header
/// the call lacks is left out.
fn kept_headers(call: &RecordCall<'_>, fields: &mut Map<String, Value>) {
    let Some(headers) = call.headers else { return };
    for (path, name) in &call.endpoint.record_headers {
        if let Some(value) = headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            answers::set(fields, path, Value::String(value.trim().to_owned()));
        }
    }
}

/// The page where the customer pays the record being created, when the endpoint answers one (`page`): a fresh
/// token, its URL written into the record's fields at the answer's path (so every later answer gives the same page).
fn page(
    call: &RecordCall<'_>,
    fields: &mut Map<String, Value>,
    issue: &mut dyn FnMut(&str) -> String,
) -> Option<String> {
    let answer = call.endpoint.answers.iter().find(|a| a.source == AnswerSource::Page)?;
    let base = call.base.as_deref()?;
    let token = issue(&answer.field);
    answers::set(
        fields,
        &answer.field,
        Value::String(format!("{base}/_sandbox/pages/{token}")),
    );
    Some(token)
}

/// Writes the call's fields, then the values it sets (`record_sets`), over the record it names; refused when the record
/// reports a value the update is not served from (`record_from`), or when that would give it a key another record
/// has. Returns the record's fields.
pub(crate) fn update_record(call: &RecordCall<'_>, books: &mut Books) -> Result<Value, Refusal> {
    let (id, record) = call.existing(books)?;
    unserved_from(call, &record.fields)?;
    let mut fields = record.fields.clone();
    if let Some(map) = fields.as_object_mut() {
        map.extend(call.written());
        for (path, value) in &call.endpoint.record_sets {
            answers::set(map, path, Value::String(value.clone()));
        }
    }
    let aliases = aliases(call.client, call.provider(), call.kind, &fields);
    books.realias_record(&id, aliases).map_err(|_| call.exists(true))?;
    let Some(record) = books.record_mut(&id) else {
        return Err(Refusal::NotFound("the record is gone".into()));
    };
    record.fields = fields;
    record.updated_time = Some(call.now.clone());
    Ok(record.fields.clone())
}

/// Refuses an update of a record that reports, at a path of its `record_from`, a value not listed there.
fn unserved_from(call: &RecordCall<'_>, fields: &Value) -> Result<(), Refusal> {
    for (path, allowed) in &call.endpoint.record_from {
        let Some(now) = reported_value(call.reports, fields, path) else {
            continue;
        };
        if !allowed.iter().any(|a| a == now) {
            return Err(Refusal::State(format!(
                "the record's {path} is `{now}`; this call is served from {} only",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// What a record reports at `path`: the value it holds, else the one its kind's status endpoint (`reports`) documents
/// answering (a new WooshPay PaymentIntent is `requires_action`).
pub(super) fn reported_value<'v>(reports: Option<&'v Endpoint>, fields: &'v Value, path: &str) -> Option<&'v str> {
    at_path(fields, path).and_then(Value::as_str).or_else(|| {
        reports?.answers.iter().find_map(|a| match &a.source {
            AnswerSource::Value(value) if a.field == path => Some(value.as_str()),
            _ => None,
        })
    })
}

/// The status endpoints of `provider`'s `kind` records, in id order: what a record of the kind reports.
pub(crate) fn status_endpoints<'a>(
    api: &'a Api,
    provider: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a Endpoint> {
    api.endpoints.iter().filter(move |e| {
        e.info.provider == provider && e.operation == Operation::Status && e.record.as_deref() == Some(kind)
    })
}

/// The record as `status` (a status endpoint of its kind) answers it: the values the endpoint's `answers` document
/// with the record's own over them, in the response's order and shapes. A record's notification carries it whole
/// (WooshPay's event `data.object`, the PaymentIntent as retrieving it answers).
pub(crate) fn reported(api: &Api, status: &Endpoint, record: &Value) -> Value {
    let documented: Vec<Answered> = status
        .answers
        .iter()
        .filter(|a| matches!(a.source, AnswerSource::Value(_)))
        .cloned()
        .collect();
    let mut facts = Map::new();
    answers::fill(&documented, record, &mut facts, &mut |_| String::new());
    answers::merge_members(&mut facts, &record_facts(api, &status.response, record, 0));
    let mut out = Map::new();
    for field in &status.response {
        if let Some(value) = facts
            .remove(&field.wire)
            .and_then(|v| crate::shape::fact(api, field, v))
        {
            out.insert(field.wire.clone(), value);
        }
    }
    Value::Object(out)
}

/// Removes the record the call names. Returns its fields.
pub(crate) fn delete_record(call: &RecordCall<'_>, books: &mut Books) -> Result<Value, Refusal> {
    let (id, _) = call.existing(books)?;
    match books.remove_record(&id) {
        Some(record) => Ok(record.fields),
        None => Err(Refusal::NotFound("the record is gone".into())),
    }
}

/// The fields of the record the call names.
pub(crate) fn read_record(call: &RecordCall<'_>, books: &Books) -> Result<Value, Refusal> {
    call.existing(books).map(|(_, record)| record.fields.clone())
}

/// Runs the call's operation on its record.
pub(crate) fn operate(
    call: &RecordCall<'_>,
    books: &mut Books,
    issue: &mut dyn FnMut(&str) -> String,
) -> Result<Value, Refusal> {
    match call.endpoint.operation {
        Operation::Create => create_record(call, books, issue),
        Operation::Update => update_record(call, books),
        Operation::Delete => delete_record(call, books),
        _ => read_record(call, books),
    }
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

/// The facts an answer takes from `record`: [`record_facts`], with each list the endpoint's `record_picks` name cut to
/// the items `request` asks for.
pub(crate) fn answered_facts(api: &Api, endpoint: &Endpoint, record: &Value, request: &Value) -> Map<String, Value> {
    let mut facts = record_facts(api, &endpoint.response, record, 0);
    for pick in &endpoint.record_picks {
        pick_items(pick, request, &mut facts);
    }
    facts
}

/// Keeps the items of the list `pick.list` whose `pick.member` is one of the names the request asks for at
/// `pick.asked`. A request that asks for none (the field absent, or an empty list) keeps every item: it sets no
/// filter.
fn pick_items(pick: &RecordPick, request: &Value, facts: &mut Map<String, Value>) {
    let asked: Vec<&str> = match at_path(request, &pick.asked) {
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(name)) => vec![name.as_str()],
        _ => return,
    };
    if asked.is_empty() {
        return;
    }
    let mut keys = pick.list.split('.');
    let top = keys.next().and_then(|key| facts.get_mut(key));
    if let Some(Value::Array(items)) = top.and_then(|v| keys.try_fold(v, |v, key| v.get_mut(key))) {
        items.retain(|item| {
            item.get(&pick.member)
                .and_then(Value::as_str)
                .is_some_and(|name| asked.contains(&name))
        });
    }
}

// ----- SNAP answers ------------------------------------------------------------------------------------------

/// The provider's kind of record the endpoint acts on, if it names one.
pub(super) fn record_kind<'c>(cx: &Cx<'c, '_>) -> Option<&'c RecordKind> {
    kind_of(&cx.inner.api, cx.call.endpoint)
}

fn snap_call<'c>(cx: &Cx<'c, '_>, kind: &'c RecordKind) -> RecordCall<'c> {
    RecordCall {
        endpoint: cx.call.endpoint,
        kind,
        client: cx.client,
        body: cx.body,
        now: cx.call.clock.now(),
        idempotency: cx.idempotency,
        base: Some(super::payments::own_base(cx.call)),
        headers: Some(&cx.call.parts.headers),
        reports: status_endpoints(&cx.inner.api, &cx.call.endpoint.info.provider, &kind.name).next(),
        parent: parent_of(&cx.inner.api, cx.call.endpoint),
    }
}

/// The answer to a refused record call: in a provider's own JSON, the endpoint's `record_codes`; in SNAP, the
/// kind's `not_found` case and the standard's.
fn refusal_answer(cx: &Cx<'_, '_>, kind: &RecordKind, refusal: Refusal) -> Answer {
    match &cx.call.provider.results {
        Some(results) => own_refusal(cx, results, refusal),
        None => snap_refusal(cx, kind, refusal),
    }
}

/// An answer in the provider's own JSON: a missing key field as its refusals say, an unknown record or an existing
/// one with the result code the endpoint's `record_codes` name.
fn own_refusal(cx: &Cx<'_, '_>, results: &Results, refusal: Refusal) -> Answer {
    if let Refusal::Missing(path, _) = &refusal {
        let answer = cx.call.answer(Situation::MissingField, Fill::field(path));
        return answer.because(refusal.reason().to_owned());
    }
    let code = refusal.code_in(&cx.call.endpoint.record_codes);
    let answer = match code.and_then(|code| declared(cx.call, code)) {
        Some(declared) => Answer::own_declared(results, declared),
        // Without a code of the endpoint's, the provider's refusal for the situation (lowering makes sure it has one).
        None => cx.call.answer(refusal.situation(), Fill::default()),
    };
    answer.because(refusal.reason().to_owned())
}

/// A SNAP answer to a refusal: a missing key field `400xx02`, an unknown record the kind's `not_found` case, an
/// existing one the standard's duplicate case.
fn snap_refusal(cx: &Cx<'_, '_>, kind: &RecordKind, refusal: Refusal) -> Answer {
    let answer = match &refusal {
        Refusal::Missing(path, _) => cx.call.answer(Situation::MissingField, Fill::field(path)),
        Refusal::Exists(_) | Refusal::State(_) => cx.call.answer(refusal.situation(), Fill::default()),
        Refusal::NotFound(_) => {
            let fill = Fill {
                field: kind.key.first().map(String::as_str),
                reason: Some("Not Found"),
                header: false,
            };
            match &kind.not_found {
                Some(case) => cx.call.answer_case(kind.not_found_http, case, fill),
                // Lowering gives every kind a SNAP endpoint looks up its `not_found`.
                None => cx.call.answer(Situation::InternalError, Fill::default()),
            }
        }
    };
    answer.because(refusal.reason().to_owned())
}

/// A successful answer from a record's fields, over the request's own fields the response echoes
/// (`partnerReferenceNo`, `amount`) and the values the endpoint's `answers` document (an unpaid DOKU order's
/// `transaction.status` PENDING): the record's win.
fn record_answer(cx: &Cx<'_, '_>, record: &Value) -> Answer {
    let held = answered_facts(&cx.inner.api, cx.call.endpoint, record, cx.body);
    let mut facts = echo(cx);
    facts.extend(held.clone());
    success_over(cx, facts, held)
}

/// The SNAP record operation of the call, answered.
pub(super) fn snap_operation(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let call = snap_call(cx, kind);
    let mut issue = |field: &str| {
        answers::issued_value(&cx.inner.api, &cx.call.endpoint.response, field, &mut || {
            cx.inner.issue_value()
        })
    };
    match operate(&call, books, &mut issue) {
        Ok(fields) => (record_answer(cx, &fields), notified(cx, kind, &fields)),
        Err(refusal) => refused(refusal_answer(cx, kind, refusal)),
    }
}

/// The notifications an update that `notifies` sends about the record it changed (WooshPay's
/// `payment_intent.canceled`); none for other calls. The update is answered either way: a notification the record
/// cannot make is logged, not sent.
fn notified(cx: &Cx<'_, '_>, kind: &RecordKind, fields: &Value) -> Vec<Effect> {
    let endpoint = cx.call.endpoint;
    if endpoint.notifies.is_empty() || endpoint.operation != Operation::Update {
        return Vec::new();
    }
    let owner = Owner {
        provider: &endpoint.info.provider,
        kind: &kind.name,
        client: cx.client,
    };
    match notifications(cx.inner, &owner, fields, &endpoint.notifies) {
        Ok(sent) => sent.into_iter().map(|n| Effect::Send(Box::new(n))).collect(),
        Err(e) => {
            tracing::warn!(endpoint = %endpoint.info.id, "no notification sent: {e}");
            Vec::new()
        }
    }
}
