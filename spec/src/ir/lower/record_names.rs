//! How an endpoint names and writes its record beyond the kind's key under the same wire names:
//!
//! - `record_key`: the ways a request names its record (DANA's query shop: `shopId` is the shop id DANA issued when
//!   `shopIdType` is `INNER_ID`, the merchant's own `externalShopId` when it is `EXTERNAL_ID`), each one of the
//!   kind's keys;
//! - `record_fields`: request fields a create or an update writes into the record under another name (`newExternalShopId`
//!   is the shop's `externalShopId` from then on);
//! - `record_codes`: the result codes an endpoint in an envelope or of a provider's own JSON answers an unknown or an
//!   existing record with, which no standard gives it (a SNAP endpoint answers the kind's `not_found` and the
//!   standard's cases).
//!
//! The shape is lowered per endpoint; what needs the kind is checked in `record_use`, and request paths once shared
//! types are known, in `record_paths`.

use std::collections::BTreeSet;

use super::fields::request_field;
use super::rules::RuleCheck;
use super::{Lowering, Src, file_of, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{
    AnswerSource, Endpoint, Field, ObjectType, Operation, Provider, RecordCodes, RecordKind, RecordLookup, RecordOf,
    Situation, When, paths,
};
use crate::yaml::raw;
use crate::yaml::{Loaded, SpecSet};
use snapbi_rules::conditional::{display, path as wire_path};

/// An endpoint's `record_key`, `record_fields` and `record_codes`, as lowered.
pub(super) struct RecordNames {
    pub(super) key: Vec<RecordLookup>,
    pub(super) fields: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) codes: RecordCodes,
    pub(super) from: Vec<(String, Vec<String>)>,
    pub(super) sets: Vec<(String, String)>,
    pub(super) of: Option<RecordOf>,
}

impl Lowering {
    /// The shape of `record_key` (each alternative names fields, a condition values) and the other two as given.
    pub(super) fn record_shape(&mut self, src: Src, spec: &raw::EndpointFile) -> RecordNames {
        let mut key = Vec::new();
        for (i, lookup) in spec.record_key.iter().enumerate() {
            let at = format!("record_key.{i}");
            if lookup.key.0.is_empty() {
                let msg = "name the fields of one of the kind's keys, each with the request field that holds it";
                self.push(src.value(&join(&at, "key"), msg.into()));
            }
            if lookup.when.as_ref().is_some_and(|w| w.is.is_empty()) {
                self.push(src.value(&format!("{at}.when.is"), "`is` needs at least one value".into()));
            }
            key.push(RecordLookup {
                when: lookup.when.as_ref().map(|w| When {
                    field: wire_path(&w.field),
                    is: w.is.iter().cloned().map(Into::into).collect::<Vec<_>>().into(),
                }),
                key: lookup.key.0.clone(),
            });
        }
        let codes = spec
            .record_codes
            .as_ref()
            .map_or_else(RecordCodes::default, |c| RecordCodes {
                not_found: c.not_found.clone(),
                exists: c.exists.clone(),
            });
        for (path, values) in &spec.record_from.0 {
            if values.is_empty() {
                let msg = "name at least one value the record may report for the update to be served";
                self.push(src.value(&join("record_from", path), msg.into()));
            }
        }
        RecordNames {
            key,
            fields: spec.record_fields.0.clone(),
            headers: spec.record_headers.0.clone(),
            codes,
            from: spec.record_from.0.clone(),
            sets: spec.record_sets.0.clone(),
            of: self.record_of_shape(src, spec),
        }
    }

    /// `record_key`, `record_fields` and `record_codes` need a `record` to name and write.
    pub(super) fn no_record_names(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint) {
        let given = [
            ("record_key", !endpoint.record_key.is_empty()),
            ("record_fields", !endpoint.record_fields.is_empty()),
            ("record_headers", !endpoint.record_headers.is_empty()),
            ("record_codes", endpoint.record_codes != RecordCodes::default()),
            ("record_from", !endpoint.record_from.is_empty()),
            ("record_sets", !endpoint.record_sets.is_empty()),
            ("notifies", !endpoint.notifies.is_empty()),
            ("record_of", endpoint.record_of.is_some()),
            ("carries", !endpoint.carries.is_empty()),
            ("record_picks", !endpoint.record_picks.is_empty()),
        ];
        for (key, _) in given.into_iter().filter(|(_, given)| *given) {
            let msg = format!("`{key}` is about the endpoint's record, and this endpoint names no `record`");
            self.push(file.error(key, msg));
        }
    }

    /// How the endpoint names the record (a create: every key holds a value it sends or issues; a lookup: by the
    /// kind's key, or by the alternatives of `record_key`, each one of the kind's keys) and what it writes.
    pub(super) fn record_names(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &RecordKind) {
        match (endpoint.operation, endpoint.record_key.is_empty()) {
            (Operation::Create, true) => self.created_keys(file, endpoint, kind),
            (Operation::Create, false) => {
                let msg = "a create makes its record; `record_key` says how a later call names one";
                self.push(file.error("record_key", msg));
            }
            (_, true) => self.record_key(file, endpoint, kind),
            (_, false) => self.lookups(file, endpoint, kind),
        }
        self.written_fields(file, endpoint, kind);
    }

    /// Every key of the kind holds values a create sends (under their record names, or inside a request object it
    /// writes whole: DOKU's `order.invoice_number`) or issues (`answers`).
    fn created_keys(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &RecordKind) {
        let written = written_paths(endpoint, kind);
        let inside_written = |path: &str| {
            let head = path.split('.').next().unwrap_or_default();
            written.contains(head)
                && record_name(endpoint, head) == head
                && request_field(&endpoint.request, path).is_some()
        };
        for path in kind.keys().flatten().collect::<BTreeSet<_>>() {
            if !written.contains(path.as_str()) && !inside_written(path) {
                let msg = format!(
                    "record `{}` is keyed by `{path}`, which is neither a request field here nor a value its \
                     `answers` issue",
                    kind.name
                );
                self.push(file.error("record", msg));
            }
        }
    }

    /// Each alternative of `record_key` names the fields of one of the kind's keys.
    fn lookups(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &RecordKind) {
        for (i, lookup) in endpoint.record_key.iter().enumerate() {
            if let Some(msg) = not_a_key(kind, &lookup.key) {
                self.push(file.error(&format!("record_key.{i}.key"), msg));
            }
        }
    }

    /// `record_from` and `record_sets` go with an update, whose answer reports what they name; an update served only
    /// from some values is refused otherwise, so its provider must have a refusal for that
    /// (`invalid_transaction_status`: SNAP's standard has one, a provider's own JSON names it in `results.refusals`).
    pub(super) fn update_conditions(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        provider: &Provider,
    ) {
        let given = [
            ("record_from", !endpoint.record_from.is_empty()),
            ("record_sets", !endpoint.record_sets.is_empty()),
            ("notifies", !endpoint.notifies.is_empty()),
        ];
        for (key, _) in given.into_iter().filter(|(_, given)| *given) {
            if endpoint.operation != Operation::Update {
                let msg = format!(
                    "`{key}` is about the record an update changes; this endpoint's operation is `{}`",
                    endpoint.operation.as_str()
                );
                self.push(file.error(key, msg));
            }
        }
        // An envelope answers with the codes an endpoint names, and `record_codes` has none for this.
        let refuses = endpoint.info.envelope.is_none()
            && (provider.results.is_none()
                || provider
                    .refusals
                    .iter()
                    .any(|r| r.situation == Situation::InvalidTransactionStatus));
        if endpoint.operation == Operation::Update && !endpoint.record_from.is_empty() && !refuses {
            let msg = format!(
                "a record that reports another value is refused, and `{}` has no refusal for that: add one `when: \
                 invalid_transaction_status` to its `results.refusals`",
                provider.name
            );
            self.push(file.error("record_from", msg));
        }
    }

    /// `record_headers` go with a create, write each record path once, and name headers the call carries: the
    /// provider's for the endpoint's auth kind, or the endpoint's own.
    pub(super) fn written_headers(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        provider: &Provider,
    ) {
        if endpoint.record_headers.is_empty() {
            return;
        }
        if endpoint.operation != Operation::Create {
            let msg = format!(
                "`record_headers` keeps headers of the call that creates the record; this endpoint's operation is `{}`",
                endpoint.operation.as_str()
            );
            self.push(file.error("record_headers", msg));
            return;
        }
        let carried: Vec<&str> = provider
            .headers_for(endpoint.info.auth)
            .iter()
            .map(|(name, _)| name.as_str())
            .chain(endpoint.headers.iter().map(|f| f.wire.as_str()))
            .collect();
        for (i, (record, header)) in endpoint.record_headers.iter().enumerate() {
            let at = join("record_headers", record);
            if endpoint.record_headers[..i].iter().any(|(r, _)| r == record) {
                self.push(file.error(&at, format!("`{record}` is written twice")));
            } else if !carried.iter().any(|h| h.eq_ignore_ascii_case(header)) {
                let msg = format!("`{header}` is not a header this call carries");
                self.push(with_help(
                    file.error(&at, msg),
                    did_you_mean(header, carried.iter().copied()),
                ));
            }
        }
    }

    /// `record_fields` go with a create or an update, name each record field once and leave alone the request
    /// fields that name the record (they say which record, they are not written into it).
    fn written_fields(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &RecordKind) {
        if endpoint.record_fields.is_empty() {
            return;
        }
        if !matches!(endpoint.operation, Operation::Create | Operation::Update) {
            let msg = format!(
                "`record_fields` writes a create's or an update's fields into the record; this endpoint's operation \
                 is `{}`",
                endpoint.operation.as_str()
            );
            self.push(file.error("record_fields", msg));
            return;
        }
        let naming = naming_paths(endpoint, kind);
        for (i, (record, from)) in endpoint.record_fields.iter().enumerate() {
            let at = join("record_fields", record);
            if endpoint.record_fields[..i].iter().any(|(r, _)| r == record) {
                self.push(file.error(&at, format!("`{record}` is written twice")));
            } else if naming.contains(from.as_str()) {
                let msg = format!("`{from}` names the record in `record_key`; it is not written into it");
                self.push(file.error(&at, msg));
            }
        }
    }

    /// An endpoint in an envelope or of a provider's own JSON names, among its result codes, what it answers for an
    /// unknown record (a lookup) and for a key another record has (a create that sends a key, or an update that
    /// writes a key field). A provider's own JSON may answer an unknown record with its refusal for it instead
    /// (`transaction_not_found` in `results.refusals`: WooShPay's 404), and a create whose every key it issues
    /// itself never meets another record's key.
    pub(super) fn record_codes_use(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        kind: &RecordKind,
        provider: &Provider,
    ) {
        let operation = endpoint.operation;
        let refuses_unknown = endpoint.info.envelope.is_none()
            && provider
                .refusals
                .iter()
                .any(|r| r.situation == Situation::TransactionNotFound);
        let looks_up = matches!(operation, Operation::Update | Operation::Delete | Operation::Status);
        let writes_key = match operation {
            Operation::Create => !issues_every_key(endpoint, kind),
            Operation::Update => writes_a_key(endpoint, kind),
            _ => false,
        };
        let codes = &endpoint.record_codes;
        // Without a code of its own, an unknown record gets the provider's refusal for it.
        let names_unknown = looks_up && !(refuses_unknown && codes.not_found.is_none());
        let name = &kind.name;
        for (situation, code, wanted, when, never) in [
            (
                "not_found",
                &codes.not_found,
                names_unknown,
                format!("when the `{name}` record it names does not exist"),
                "looks no record up",
            ),
            (
                "exists",
                &codes.exists,
                writes_key,
                format!("when another `{name}` record has a key it gives"),
                "gives no record a key",
            ),
        ] {
            match (code, wanted) {
                (None, true) => {
                    let msg = format!(
                        "name the result code this endpoint answers {when}: `record_codes: {{ {situation}: <result \
                         code> }}`"
                    );
                    self.push(file.error("record", msg));
                }
                (Some(_), false) => {
                    let msg = format!("a `{}` endpoint {never}; remove `{situation}`", operation.as_str());
                    self.push(file.error(&format!("record_codes.{situation}"), msg));
                }
                (Some(code), true) if !endpoint.codes.iter().any(|c| &c.code == code) => {
                    let d = file.error(
                        &format!("record_codes.{situation}"),
                        format!("`{code}` is not one of this endpoint's result codes"),
                    );
                    let help = did_you_mean(code, endpoint.codes.iter().map(|c| c.code.as_str()));
                    self.push(with_help(d, help));
                }
                _ => {}
            }
        }
    }

    /// SNAP endpoints answer a record's kind `not_found` and the standard's cases, not `record_codes`.
    pub(super) fn snap_record_codes(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint) {
        if endpoint.record_codes != RecordCodes::default() {
            let msg = "`record_codes` name the result codes of an envelope or of a provider's own JSON; a SNAP \
                       endpoint answers its record kind's `not_found` and the standard's cases";
            self.push(file.error("record_codes", msg));
        }
    }

    /// The request paths `record_key` and `record_fields` name are request fields (or path parameters) outside
    /// lists, and each condition tests a string for values it may take (checked like a rule's).
    pub(super) fn record_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        self.condition_paths(set, types, endpoints);
        let named = |e: &&Endpoint| !e.record_key.is_empty() || !e.record_fields.is_empty() || e.record_of.is_some();
        for endpoint in endpoints.iter().filter(named) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            // Path parameters name records too (`/orders/v1/status/{invoice_number}`): the sandbox reads them like
            // top-level request fields.
            let fields: Vec<Field> = endpoint.request.iter().chain(&endpoint.params).cloned().collect();
            let rows = paths::flatten_with(types, &fields);
            let mut check = RuleCheck::new(Src::of(file), &rows, self.whole(types, &fields));
            for (i, lookup) in endpoint.record_key.iter().enumerate() {
                let at = format!("record_key.{i}");
                if let Some(when) = &lookup.when {
                    check.condition(&join(&at, "when"), when, false);
                }
                for (record, from) in &lookup.key {
                    check.value_path(&format!("{at}.key.{record}"), from);
                }
            }
            for (record, from) in &endpoint.record_fields {
                check.value_path(&join("record_fields", record), from);
            }
            for (at, from) in record_of_paths(endpoint.record_of.as_ref()) {
                check.value_path(&at, from);
            }
            self.diagnostics.extend(check.out);
        }
    }
}

/// Why the record paths `named` (the left of each pair) are not one of `kind`'s keys; none when they are one, or
/// name nothing (reported where the shape is lowered).
pub(super) fn not_a_key(kind: &RecordKind, named: &[(String, String)]) -> Option<String> {
    let named: BTreeSet<&str> = named.iter().map(|(record, _)| record.as_str()).collect();
    let is_key = |k: &[String]| k.iter().map(String::as_str).collect::<BTreeSet<_>>() == named;
    if named.is_empty() || kind.keys().any(is_key) {
        return None;
    }
    let known: Vec<String> = kind.keys().map(|k| format!("`{}`", k.join(" + "))).collect();
    Some(format!(
        "`{}` is not a key of `{}` records, which are keyed by {}",
        named.into_iter().collect::<Vec<_>>().join(" + "),
        kind.name,
        known.join(" or ")
    ))
}

/// The request paths `record_of` reads, each with the key it is given at: its key's values and the numbers it bounds.
fn record_of_paths(of: Option<&RecordOf>) -> Vec<(String, &str)> {
    let Some(of) = of else { return Vec::new() };
    let key = of
        .key
        .iter()
        .map(|(record, from)| (format!("record_of.key.{record}"), from.as_str()));
    let bounded = of
        .at_most
        .iter()
        .map(|(from, _)| (format!("record_of.at_most.{from}"), from.as_str()));
    key.chain(bounded).collect()
}

impl Lowering {
    /// `record_from` and `record_sets` name response fields (the answer reports the record under the response's
    /// names), strings or value lists that hold the values given.
    fn condition_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        let conditioned = |e: &&Endpoint| !e.record_from.is_empty() || !e.record_sets.is_empty();
        for endpoint in endpoints.iter().filter(conditioned) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            if !self.whole(types, &endpoint.response) {
                continue;
            }
            let rows = paths::flatten_with(types, &endpoint.response);
            let from = endpoint
                .record_from
                .iter()
                .map(|(path, values)| ("record_from", path, values.clone()));
            let sets = endpoint
                .record_sets
                .iter()
                .map(|(path, value)| ("record_sets", path, vec![value.clone()]));
            for (key, path, values) in from.chain(sets) {
                let at = join(key, path);
                let Some(row) = rows.iter().find(|r| &r.wire_path == path) else {
                    let d = Src::of(file).value(&at, format!("`{path}` is not a response field"));
                    let help = did_you_mean(path, rows.iter().map(|r| r.wire_path.as_str()));
                    self.push(with_help(d, help));
                    continue;
                };
                let outside = values
                    .iter()
                    .find(|v| row.kind == "enum" && !row.enum_values.contains(v));
                if row.kind != "string" && row.kind != "enum" {
                    let msg = format!("`{path}` is {}; the record's values here are strings", row.kind);
                    self.push(Src::of(file).value(&at, msg));
                } else if let Some(value) = outside {
                    self.push(Src::of(file).value(&at, format!("`{value}` is not one of `{path}`'s values")));
                }
            }
        }
    }
}

impl Lowering {
    /// `notifies` sets request fields of the kind's notifications (`operation: notify` with its `record`), which must
    /// exist: top-level names of their requests, or paths inside them.
    pub(super) fn notified_fields(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        endpoints: &[Endpoint],
    ) {
        if endpoint.notifies.is_empty() || endpoint.operation != Operation::Update {
            return;
        }
        let kind = endpoint.record.as_deref().unwrap_or_default();
        let notifications: Vec<&Endpoint> = endpoints
            .iter()
            .filter(|e| e.notifies_records_of(&endpoint.info.provider, kind))
            .collect();
        if notifications.is_empty() {
            let msg = "`notifies` sends the notifications of the endpoint's record kind, and it has none (an inbound \
                       endpoint with `operation: notify` and this `record`, or that `carries` it)";
            self.push(file.error("notifies", msg));
            return;
        }
        let names: BTreeSet<&str> = notifications
            .iter()
            .flat_map(|e| e.request.iter().map(|f| f.wire.as_str()))
            .collect();
        for (path, _) in &endpoint.notifies {
            let head = path.split('.').next().unwrap_or_default();
            if !names.contains(head) {
                let d = file.error(
                    &join("notifies", path),
                    format!("`{head}` is not a request field of the kind's notifications"),
                );
                self.push(with_help(d, did_you_mean(head, names.iter().copied())));
            }
        }
    }
}

/// Whether a create issues every key of its kind itself (`answers`): WooshPay's `pi_` id, which no other record has.
fn issues_every_key(endpoint: &Endpoint, kind: &RecordKind) -> bool {
    let issued = |path: &String| {
        endpoint
            .answers
            .iter()
            .any(|a| &a.field == path && a.source == AnswerSource::Issued)
    };
    kind.keys().flatten().all(issued)
}

/// The record paths a create or an update writes: each top-level request field that does not name the record,
/// under its `record_fields` name, and the top-level values its `answers` issue.
fn written_paths(endpoint: &Endpoint, kind: &RecordKind) -> BTreeSet<String> {
    let naming = naming_paths(endpoint, kind);
    let mut written: BTreeSet<String> = endpoint
        .request
        .iter()
        .filter(|f| !naming.contains(f.wire.as_str()))
        .map(|f| record_name(endpoint, &f.wire).to_owned())
        .collect();
    // A record field written from a nested request path, or from a header.
    written.extend(endpoint.record_fields.iter().map(|(record, _)| record.clone()));
    written.extend(endpoint.record_headers.iter().map(|(record, _)| record.clone()));
    let issued = endpoint
        .answers
        .iter()
        .filter(|a| a.source == AnswerSource::Issued && !a.field.contains("[]"));
    written.extend(issued.map(|a| a.field.clone()));
    written
}

/// Whether an update writes a field of one of the kind's keys (another record may have that key).
fn writes_a_key(endpoint: &Endpoint, kind: &RecordKind) -> bool {
    let written = written_paths(endpoint, kind);
    kind.keys().flatten().any(|path| written.contains(path))
}

/// The name a request field has in the record: its `record_fields` name, else its own.
fn record_name<'e>(endpoint: &'e Endpoint, request: &'e str) -> &'e str {
    endpoint
        .record_fields
        .iter()
        .find(|(_, from)| from == request)
        .map_or(request, |(record, _)| record.as_str())
}

/// The request paths that say which record a call means: the key fields and conditions of every `record_key`
/// alternative, else the kind's key (a create names none: it makes the record).
fn naming_paths(endpoint: &Endpoint, kind: &RecordKind) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    if endpoint.record_key.is_empty() && endpoint.operation != Operation::Create {
        paths.extend(kind.key.iter().cloned());
    }
    for lookup in &endpoint.record_key {
        paths.extend(lookup.key.iter().map(|(_, from)| from.clone()));
        paths.extend(lookup.when.iter().map(|w| display(&w.field, &[])));
    }
    paths
}
