//! Records: the kinds a provider keeps (`records` in provider.yaml: keys, `match`, not-found answer), and the
//! endpoints that act on them (`operation` + `record`): the kind exists, its key fields are request fields,
//! a lookup declares the not-found code, a notification's kind can be paid, and a provider has one payment
//! notification at most (`notify` without `record`). How an endpoint names and writes its record
//! (`record_key`, `record_fields`, `record_codes`) is checked in `record_names`.

use super::fields::request_field;
use super::names::{is_digits, is_snake};
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AnswerSource, Direction, Endpoint, NotifyUrl, Operation, Provider, RecordKind};
use crate::yaml::Loaded;
use crate::yaml::raw::{self, OrderedMap};

impl Lowering {
    /// The provider's kinds of records; that their keys name request fields is checked per endpoint, in
    /// `record_use`.
    pub(super) fn records(&mut self, src: Src, specs: &OrderedMap<raw::RecordSpec>) -> Vec<RecordKind> {
        let mut out: Vec<RecordKind> = Vec::new();
        for (i, (name, spec)) in specs.0.iter().enumerate() {
            let nth = specs.0[..i].iter().filter(|(n, _)| n == name).count();
            if let Some(kind) = self.record_kind(src, name, nth, spec) {
                out.push(kind);
            }
        }
        out
    }

    /// One kind (the `nth` of its name): a snake_case name defined once, its keys and its not-found answer.
    fn record_kind(&mut self, src: Src, name: &str, nth: usize, spec: &raw::RecordSpec) -> Option<RecordKind> {
        let path = join("records", name);
        let before = self.diagnostics.len();
        if !is_snake(name) {
            let msg = format!("record kind `{name}` is not a snake_case identifier");
            self.push(src.at(src.positions.key(&path, nth), &path, msg));
        } else if nth > 0 {
            let msg = format!("record kind `{name}` is defined twice");
            self.push(src.at(src.positions.key(&path, nth), &path, msg));
        }
        self.record_fields(src, &path, spec);
        self.alternate_keys(src, &path, spec);
        let not_found = spec.not_found.as_ref().map(|d| d.0.clone());
        let http = spec.not_found_http.unwrap_or(404);
        match &not_found {
            Some(code) if !is_digits(code, 2) => {
                let msg = format!("not_found `{code}` must be a two-digit case code (answered as {http}xx{code})");
                self.push(src.value(&join(&path, "not_found"), msg));
            }
            None if spec.not_found_http.is_some() => {
                let msg = "not_found_http is the HTTP status of the `not_found` case, which this kind does not give";
                self.push(src.value(&join(&path, "not_found_http"), msg.into()));
            }
            _ => {}
        }
        if !(400..500).contains(&http) {
            let msg = format!("not_found_http {http} must be a 4xx status: a missing record is the caller's problem");
            self.push(src.value(&join(&path, "not_found_http"), msg));
        }
        if let Some(url) = &spec.notify_url
            && (url.field.is_empty() || url.field.split('.').any(str::is_empty))
        {
            let msg = format!("`{}` is not a wire path: names joined by `.`", url.field);
            self.push(src.value(&format!("{path}.notify_url.field"), msg));
        }
        (self.diagnostics.len() == before).then(|| RecordKind {
            name: name.to_owned(),
            doc: spec.doc.clone(),
            key: spec.key.clone(),
            alternate_keys: spec.alternate_keys.clone(),
            match_fields: spec.match_fields.clone(),
            not_found,
            not_found_http: http,
            notify_url: spec.notify_url.as_ref().map(|n| NotifyUrl {
                field: n.field.clone(),
                same_path: n.same_path,
            }),
        })
    }

    /// A key of one or more distinct fields, and `match` fields outside the key.
    fn record_fields(&mut self, src: Src, path: &str, spec: &raw::RecordSpec) {
        if spec.key.is_empty() {
            self.push(src.value(
                &join(path, "key"),
                "name at least one request field that identifies a record".into(),
            ));
        }
        self.distinct_fields(src, &join(path, "key"), &spec.key);
        for (j, field) in spec.match_fields.iter().enumerate() {
            if spec.key.contains(field) {
                let msg = format!("`{field}` is in the key already; `match` names other fields");
                self.push(src.value(&format!("{path}.match.{j}"), msg));
            }
        }
    }

    /// Each alternate key names one or more distinct fields, and no two keys name the same fields.
    fn alternate_keys(&mut self, src: Src, path: &str, spec: &raw::RecordSpec) {
        let sorted = |key: &[String]| {
            let mut key = key.to_vec();
            key.sort();
            key
        };
        let mut seen = vec![("`key`".to_owned(), sorted(&spec.key))];
        for (i, key) in spec.alternate_keys.iter().enumerate() {
            let at = format!("{path}.alternate_keys.{i}");
            if key.is_empty() {
                self.push(src.value(&at, "name at least one field that identifies a record".into()));
                continue;
            }
            self.distinct_fields(src, &at, key);
            let fields = sorted(key);
            if let Some((other, _)) = seen.iter().find(|(_, k)| *k == fields) {
                let msg = format!("these are the fields of {other} again; a key names other fields");
                self.push(src.value(&at, msg));
            }
            seen.push((format!("`alternate_keys.{i}`"), fields));
        }
    }

    /// No field is named twice in one key.
    fn distinct_fields(&mut self, src: Src, at: &str, key: &[String]) {
        for (j, field) in key.iter().enumerate() {
            if key[..j].contains(field) {
                self.push(src.value(&format!("{at}.{j}"), format!("`{field}` is in the key twice")));
            }
        }
    }

    /// An endpoint's `record` against its operation and its provider's record kinds: the kind exists, its key
    /// fields are request fields (required except on create), every endpoint that looks a record up declares the
    /// kind's not-found code, and a `notify` endpoint is inbound and reports a kind whose status says what a paid
    /// record holds (`paid`), since the sandbox could not tell a paid record from an unpaid one otherwise. A
    /// `notify` without a `record` is a payment's notification, one per provider.
    pub(super) fn record_use(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        providers: &[Provider],
        endpoints: &[Endpoint],
    ) {
        let operation = endpoint.operation;
        if operation == Operation::Notify && endpoint.direction != Direction::Inbound {
            let msg = "operation `notify` is the provider calling the merchant: it needs `direction: inbound`";
            self.push(file.error("operation", msg));
            return;
        }
        let Some(name) = &endpoint.record else {
            self.record_needed(file, operation);
            self.one_payment_notification(file, endpoint, endpoints);
            self.no_record_names(file, endpoint);
            return;
        };
        if !operation.takes_record() {
            let msg = format!(
                "`record` goes with operation create, update, delete, status or notify, not `{}`",
                operation.as_str()
            );
            self.push(file.error("record", msg));
            return;
        }
        let Some(provider) = providers.iter().find(|p| p.name == endpoint.info.provider) else {
            return;
        };
        let Some(kind) = self.record_kind_of(file, provider, name) else {
            return;
        };
        if operation == Operation::Notify {
            self.record_key(file, endpoint, kind);
            self.paid_is_known(file, endpoint, name, endpoints, "this notification would never be sent");
            self.carried(file, endpoint, provider, endpoints);
            // The merchant answers a notification, not the provider: its codes are the merchant's to choose.
            return;
        }
        if !endpoint.carries.is_empty() {
            let msg =
                "`carries` names the other kinds a notification is about; this endpoint's operation is not `notify`";
            self.push(file.error("carries", msg));
        }
        self.record_names(file, endpoint, kind);
        self.record_of_use(file, endpoint, provider);
        self.written_headers(file, endpoint, provider);
        self.update_conditions(file, endpoint, provider);
        self.notified_fields(file, endpoint, endpoints);
        if endpoint.answers.iter().any(|a| a.source == AnswerSource::Page) {
            self.paid_is_known(file, endpoint, name, endpoints, "its page could not pay it");
        }
        // An envelope or a provider's own JSON names its own codes for a record's refusals; SNAP has the standard's.
        match endpoint.info.envelope.is_some() || provider.results.is_some() {
            true => self.record_codes_use(file, endpoint, kind, provider),
            false => {
                self.snap_record_codes(file, endpoint);
                self.not_found_declared(file, endpoint, provider, kind);
            }
        }
    }

    /// An operation that acts on a record (create, update, delete) names its kind.
    fn record_needed(&mut self, file: &Loaded<raw::EndpointFile>, operation: Operation) {
        if !operation.needs_record() {
            return;
        }
        let msg = format!(
            "operation `{}` needs `record`: the provider's kind of record it acts on",
            operation.as_str()
        );
        self.push(file.error("operation", msg));
    }

    /// A provider has one payment notification (`notify` without `record`) at most: the sandbox sends a paid payment
    /// in it, and two would leave the choice to file order.
    fn one_payment_notification(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, all: &[Endpoint]) {
        if !endpoint.is_payment_notification() {
            return;
        }
        let first = all
            .iter()
            .find(|e| e.info.provider == endpoint.info.provider && e.is_payment_notification());
        if let Some(first) = first.filter(|first| first.info.id != endpoint.info.id) {
            let msg = format!(
                "`{}` is {}'s payment notification already (`notify` without `record`); a provider has one: give \
                 this one the `record` whose payments it notifies, or another operation",
                first.info.id, endpoint.info.provider
            );
            self.push(file.error("operation", msg));
        }
    }

    /// What a notification `carries`: kinds of the provider, other than its `record`, each with an update that sends
    /// it (`notifies`), since nothing else would.
    fn carried(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        provider: &Provider,
        endpoints: &[Endpoint],
    ) {
        for (i, name) in endpoint.carries.iter().enumerate() {
            let at = format!("carries.{i}");
            if provider.record(name).is_none() {
                let msg = format!("provider `{}` defines no record kind `{name}`", provider.name);
                let help = did_you_mean(name, provider.records.iter().map(|r| r.name.as_str()));
                self.push(with_help(file.error(&at, msg), help));
            } else if endpoint.record.as_deref() == Some(name.as_str()) {
                self.push(file.error(&at, format!("`{name}` is the endpoint's `record` already")));
            } else if !endpoints.iter().any(|e| {
                e.info.provider == endpoint.info.provider
                    && e.record.as_deref() == Some(name.as_str())
                    && !e.notifies.is_empty()
            }) {
                let msg = format!(
                    "no update of `{name}` records sends a notification (`notifies`), so this one would never carry one"
                );
                self.push(file.error(&at, msg));
            }
        }
    }

    fn record_kind_of<'p>(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        provider: &'p Provider,
        name: &str,
    ) -> Option<&'p RecordKind> {
        let kind = provider.record(name);
        if kind.is_none() {
            let msg = format!("provider `{}` defines no record kind `{name}`", provider.name);
            let help = did_you_mean(name, provider.records.iter().map(|r| r.name.as_str()));
            self.push(with_help(file.error("record", msg), help));
        }
        kind
    }

    /// The kind's key fields are request fields here, required unless the endpoint creates the record.
    pub(super) fn record_key(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &RecordKind) {
        let name = &kind.name;
        for key in &kind.key {
            match request_field(&endpoint.request, key) {
                None => {
                    let msg = format!("record `{name}` is keyed by `{key}`, which is not a request field here");
                    self.push(file.error("record", msg));
                }
                Some(field) if !field.required && endpoint.operation != Operation::Create => {
                    let msg = format!("`{key}` identifies the `{name}` record, so it must be required here");
                    self.push(file.error("record", msg));
                }
                Some(_) => {}
            }
        }
    }

    /// Every SNAP endpoint that looks a record up declares the code an unknown record is answered with, which the
    /// kind gives (`not_found`).
    fn not_found_declared(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        provider: &Provider,
        kind: &RecordKind,
    ) {
        if endpoint.operation == Operation::Create {
            return;
        }
        let Some(case) = &kind.not_found else {
            let msg = format!(
                "`{}` records have no `not_found` in {}/provider.yaml, the case a SNAP endpoint that looks one up \
                 answers for an unknown one",
                kind.name, provider.name
            );
            self.push(file.error("record", msg));
            return;
        };
        let not_found = format!("{}{}{case}", kind.not_found_http, endpoint.info.service_code);
        if !endpoint.codes.iter().any(|c| c.code == not_found) {
            let msg = format!(
                "an unknown `{}` record is answered with {not_found} (`not_found` in {}/provider.yaml): declare it",
                kind.name, provider.name
            );
            self.push(file.error("codes", msg));
        }
    }

    /// A `notify` endpoint's kind (or a page's) has a `status` endpoint that says what a paid record holds (`paid`);
    /// `else_` says what would go wrong without one.
    fn paid_is_known(
        &mut self,
        file: &Loaded<raw::EndpointFile>,
        endpoint: &Endpoint,
        kind: &str,
        all: &[Endpoint],
        else_: &str,
    ) {
        // The status endpoint that says it may be one that did not load or lower.
        if self.failed.endpoint_of(&endpoint.info.provider) {
            return;
        }
        let known = all.iter().any(|e| {
            e.info.provider == endpoint.info.provider
                && e.operation == Operation::Status
                && e.record.as_deref() == Some(kind)
                && !e.paid.is_empty()
        });
        if !known {
            let msg = format!(
                "nothing says what a paid `{kind}` record holds, so {else_}: give a `status` endpoint of `{kind}` \
                 records `paid` (the response fields that report a paid record)"
            );
            self.push(file.error("record", msg));
        }
    }
}
