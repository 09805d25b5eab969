//! Lowering: raw spec files → checked [`Api`], collecting every problem as a located [`Diagnostic`].
//!
//! Each check reports at the offending value (or key) and keeps going, so a maintainer sees all problems of
//! a spec set at once. Nothing here panics on bad input.

mod standard;

use std::collections::{BTreeMap, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::*;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::yaml::raw::{self, FieldSpec, OrderedMap};
use crate::yaml::{Loaded, Pos, Positions, SpecSet};

/// Primitive type names a field may use.
pub const PRIMITIVES: [&str; 8] = [
    "string", "decimal", "datetime", "integer", "boolean", "object", "list", "json",
];

/// Names every endpoint module defines itself; a field type may not take them.
const RESERVED_TYPE_NAMES: [&str; 6] = [
    "Request",
    "RequestBuilder",
    "Response",
    "Code",
    "Headers",
    "HeadersBuilder",
];

/// Lowers a loaded spec set, or returns every diagnostic found.
pub fn lower(set: &SpecSet) -> Result<Api, Vec<Diagnostic>> {
    let mut cx = Lowering::default();
    let mut codes = cx.code_tables(set);
    cx.provider_service_codes(set, &mut codes);
    let standard = cx.standard(set, &codes);
    let types = cx.shared_types(set);
    let type_names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
    let mut endpoints: Vec<Endpoint> = set
        .endpoints
        .iter()
        .filter_map(|file| cx.endpoint(file, &codes, &type_names))
        .collect();
    endpoints.sort_by(|a, b| a.id.cmp(&b.id));
    let mut providers: Vec<Provider> = set.providers.iter().filter_map(|file| cx.provider(file)).collect();
    providers.sort_by(|a, b| a.name.cmp(&b.name));
    cx.cross_references(set, &providers, &endpoints);
    cx.rule_paths(set, &types, &endpoints);
    cx.answer_paths(set, &types, &endpoints);
    cx.paid_fields(set, &types, &endpoints);
    let mut diagnostics = cx.diagnostics;
    if diagnostics.is_empty() {
        Ok(Api {
            codes,
            standard,
            types,
            providers,
            endpoints,
        })
    } else {
        diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        Err(diagnostics)
    }
}

/// A file and its positions, for reporting.
#[derive(Clone, Copy)]
struct Src<'a> {
    file: &'a std::path::Path,
    positions: &'a Positions,
}

impl<'a> Src<'a> {
    fn of<T>(loaded: &'a Loaded<T>) -> Self {
        Src {
            file: &loaded.file,
            positions: &loaded.positions,
        }
    }

    fn at(&self, pos: Pos, path: &str, message: String) -> Diagnostic {
        Diagnostic {
            file: self.file.to_owned(),
            line: pos.line,
            col: pos.col,
            path: path.to_owned(),
            message,
            help: None,
        }
    }

    fn value(&self, path: &str, message: String) -> Diagnostic {
        self.at(self.positions.value(path), path, message)
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

fn with_help(mut d: Diagnostic, help: Option<String>) -> Diagnostic {
    d.help = help;
    d
}

#[derive(Default)]
struct Lowering {
    diagnostics: Vec<Diagnostic>,
    /// Per endpoint id, the spec position of each lowered cross-field rule (malformed ones are dropped), so
    /// that path diagnostics point at the right `rules.N`.
    rule_indices: HashMap<String, Vec<usize>>,
}

impl Lowering {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    // ----- code tables ------------------------------------------------------------------------------

    fn code_tables(&mut self, set: &SpecSet) -> CodeTables {
        let mut tables = CodeTables::default();
        if set.codes.is_empty() {
            self.push(Diagnostic {
                file: set.display_root.join("common/codes.yaml"),
                line: 1,
                col: 1,
                path: String::new(),
                message: "no valid `codes.yaml`: the service and case code tables are required".into(),
                help: Some("add common/codes.yaml (see specs/README.md)".into()),
            });
        }
        for file in &set.codes {
            let src = Src::of(file);
            self.service_codes(src, &file.value.service_codes, &mut tables);
            for (i, case) in file.value.case_codes.iter().enumerate() {
                if let Some(case) = self.case_code(src, &format!("case_codes.{i}"), case, &tables) {
                    tables.cases.push(case);
                }
            }
        }
        tables.services.sort_by(|a, b| a.code.cmp(&b.code));
        tables.cases.sort_by(|a, b| (a.http, &a.case).cmp(&(b.http, &b.case)));
        tables
    }

    fn service_codes(&mut self, src: Src, services: &OrderedMap<raw::ServiceCodeSpec>, tables: &mut CodeTables) {
        for (i, (code, spec)) in services.0.iter().enumerate() {
            let path = join("service_codes", code);
            if !is_digits(code, 2) {
                self.push(src.at(
                    src.positions.key(&path, 0),
                    &path,
                    format!("service code `{code}` must be two digits"),
                ));
            } else if tables.service(code).is_some() {
                let nth = services.0[..i].iter().filter(|(c, _)| c == code).count();
                self.push(src.at(
                    src.positions.key(&path, nth),
                    &path,
                    format!("duplicate service code `{code}`"),
                ));
            } else {
                tables.services.push(ServiceCode {
                    code: code.clone(),
                    name: spec.name.clone(),
                    path: spec.path.clone(),
                });
            }
        }
    }

    /// The `service_codes` of every provider file: codes the SNAP table lacks, each used by that provider only.
    fn provider_service_codes(&mut self, set: &SpecSet, tables: &mut CodeTables) {
        for file in &set.providers {
            let src = Src::of(file);
            let provider = &file.value.name;
            let services = &file.value.service_codes;
            for (i, (code, spec)) in services.0.iter().enumerate() {
                let path = join("service_codes", code);
                let nth = services.0[..i].iter().filter(|(c, _)| c == code).count();
                let at = src.positions.key(&path, nth);
                if !is_digits(code, 2) {
                    self.push(src.at(at, &path, format!("service code `{code}` must be two digits")));
                } else if let Some(standard) = tables.service(code) {
                    let d = src.at(
                        at,
                        &path,
                        format!(
                            "service code `{code}` is in the SNAP table ({}); a provider's `service_codes` only adds \
                             codes the table lacks",
                            standard.name
                        ),
                    );
                    self.push(with_help(
                        d,
                        Some(format!("remove `{code}` here and use the SNAP table's entry")),
                    ));
                } else if nth > 0 {
                    self.push(src.at(at, &path, format!("duplicate service code `{code}`")));
                } else if spec.name.trim().is_empty() || spec.note.trim().is_empty() {
                    let d = src.at(at, &path, format!("service code `{code}` needs a `name` and a `note`"));
                    self.push(with_help(
                        d,
                        Some("say in `note` why the provider uses a code outside the SNAP table".into()),
                    ));
                } else {
                    tables.provider_services.push(ProviderServiceCode {
                        provider: provider.clone(),
                        code: code.clone(),
                        name: spec.name.clone(),
                        path: spec.path.clone(),
                        note: spec.note.clone(),
                    });
                }
            }
        }
        tables
            .provider_services
            .sort_by(|a, b| (&a.code, &a.provider).cmp(&(&b.code, &b.provider)));
    }

    fn case_code(&mut self, src: Src, path: &str, spec: &raw::CaseCodeSpec, tables: &CodeTables) -> Option<CaseCode> {
        let mut ok = true;
        if !(100..=599).contains(&spec.http) {
            self.push(src.value(
                &join(path, "http"),
                format!("HTTP status {} is not between 100 and 599", spec.http),
            ));
            ok = false;
        }
        if !is_digits(&spec.case.0, 2) {
            self.push(src.value(
                &join(path, "case"),
                format!("case code `{}` must be two digits", spec.case.0),
            ));
            ok = false;
        }
        if !is_upper_camel(&spec.name) {
            let d = src.value(
                &join(path, "name"),
                format!("name `{}` is not an UpperCamelCase identifier", spec.name),
            );
            self.push(with_help(
                d,
                Some(format!("write `{}`", spec.name.to_upper_camel_case())),
            ));
            ok = false;
        }
        if tables.case(spec.http, &spec.case.0).is_some() {
            self.push(src.value(
                &join(path, "case"),
                format!("duplicate case code {}xx{}", spec.http, spec.case.0),
            ));
            ok = false;
        }
        let outcome = self.outcome(src, &join(path, "outcome"), &spec.outcome);
        let mut by_service = Vec::new();
        for (service, outcome) in &spec.outcome_by_service.0 {
            let p = join(&join(path, "outcome_by_service"), service);
            if tables.service(service).is_none() {
                self.push(src.at(
                    src.positions.key(&p, 0),
                    &p,
                    format!("unknown service code `{service}`"),
                ));
            }
            if let Some(o) = self.outcome(src, &p, outcome) {
                by_service.push((service.clone(), o));
            }
        }
        Some(CaseCode {
            http: spec.http,
            case: spec.case.0.clone(),
            name: spec.name.clone(),
            message: spec.message.clone(),
            outcome: outcome?,
            outcome_by_service: by_service,
        })
        .filter(|_| ok)
    }

    fn outcome(&mut self, src: Src, path: &str, value: &str) -> Option<Outcome> {
        let parsed = Outcome::parse(value);
        if parsed.is_none() {
            let known = Outcome::ALL.map(|(s, _)| s);
            let d = src.value(
                path,
                format!("unknown outcome `{value}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(value, known)));
        }
        parsed
    }

    // ----- shared types -----------------------------------------------------------------------------

    fn shared_types(&mut self, set: &SpecSet) -> Vec<ObjectType> {
        let known: Vec<String> = set
            .types
            .iter()
            .flat_map(|f| f.value.types.0.iter().map(|(name, _)| name.clone()))
            .collect();
        let mut types: Vec<ObjectType> = Vec::new();
        for file in &set.types {
            let src = Src::of(file);
            for (name, spec) in &file.value.types.0 {
                let path = join("types", name);
                if !is_upper_camel(name) {
                    let d = src.at(
                        src.positions.key(&path, 0),
                        &path,
                        format!("type name `{name}` is not UpperCamelCase"),
                    );
                    self.push(with_help(d, Some(format!("write `{}`", name.to_upper_camel_case()))));
                    continue;
                }
                if types.iter().any(|t| &t.name == name) {
                    self.push(src.at(
                        src.positions.key(&path, 1),
                        &path,
                        format!("type `{name}` is defined twice"),
                    ));
                    continue;
                }
                let fields = self.fields(src, &join(&path, "fields"), &spec.fields, &known);
                self.type_names(src, &path, name, &fields);
                types.push(ObjectType {
                    name: name.clone(),
                    doc: spec.doc.clone(),
                    fields,
                });
            }
        }
        types
    }

    // ----- providers --------------------------------------------------------------------------------

    fn provider(&mut self, file: &Loaded<raw::ProviderFile>) -> Option<Provider> {
        let src = Src::of(file);
        let spec = &file.value;
        let before = self.diagnostics.len();
        if !is_snake(&spec.name) {
            self.push(src.value(
                "name",
                format!("provider name `{}` is not a snake_case identifier", spec.name),
            ));
        }
        if spec.base_urls.0.is_empty() {
            self.push(src.value("base_urls", "a provider needs at least one base URL".into()));
        }
        for (env, url) in &spec.base_urls.0 {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.ends_with('/') {
                let p = join("base_urls", env);
                self.push(src.value(
                    &p,
                    format!("base URL `{url}` must start with https:// and not end with `/`"),
                ));
            }
        }
        if !is_utc_offset(&spec.timestamp.offset) {
            let msg = format!("timestamp offset `{}` must look like +07:00", spec.timestamp.offset);
            self.push(src.value("timestamp.offset", msg));
        }
        if spec.timestamp.fraction_digits > 9 {
            self.push(src.value("timestamp.fraction_digits", "at most 9 fraction digits".into()));
        }
        let headers = self.header_sets(src, &spec.headers);
        let signatures = self.signatures(src, &spec.signatures);
        if spec.notification_retry_schedule.windows(2).any(|w| w[0] >= w[1]) {
            let msg = "notification_retry_schedule must be increasing (seconds after the first attempt)";
            self.push(src.value("notification_retry_schedule", msg.into()));
        }
        let records = self.records(src, &spec.records);
        let envelopes = self.envelopes(src, &spec.envelopes);
        (self.diagnostics.len() == before).then(|| Provider {
            name: spec.name.clone(),
            title: spec.title.clone().unwrap_or_else(|| spec.name.clone()),
            doc: spec.doc.clone(),
            base_urls: spec.base_urls.0.clone(),
            timestamp_offset: spec.timestamp.offset.clone(),
            timestamp_fraction_digits: spec.timestamp.fraction_digits,
            token_endpoint: spec.token_endpoint.clone(),
            channel_id: spec.channel_id.clone(),
            headers,
            signatures,
            notification_retry_schedule: spec.notification_retry_schedule.clone(),
            records,
            envelopes,
        })
    }

    /// The provider's envelopes: member names, head sources (headers' plus `function` and `client_secret`)
    /// and the signature recipe over the request member.
    fn envelopes(&mut self, src: Src, specs: &OrderedMap<raw::EnvelopeSpec>) -> Vec<Envelope> {
        let mut out = Vec::new();
        for (i, (name, spec)) in specs.0.iter().enumerate() {
            let path = join("envelopes", name);
            let before = self.diagnostics.len();
            if !is_snake(name) || specs.0[..i].iter().any(|(n, _)| n == name) {
                let msg = format!("envelope `{name}` must be a snake_case name defined once");
                self.push(src.at(src.positions.key(&path, 0), &path, msg));
            }
            let members = [
                ("request_member", &spec.request_member),
                ("response_member", &spec.response_member),
                ("signature_member", &spec.signature_member),
                ("head_member", &spec.head_member),
                ("body_member", &spec.body_member),
                ("result", &spec.result),
                ("result_status", &spec.result_status),
                ("result_code", &spec.result_code),
                ("result_message", &spec.result_message),
            ];
            let optional = [("result_code_id", &spec.result_code_id)];
            let named = optional
                .into_iter()
                .filter_map(|(key, member)| Some((key, member.as_ref()?)));
            for (key, member) in members.into_iter().chain(named) {
                if member.is_empty() || member.contains(|c: char| c == '"' || c == '\\' || c.is_control()) {
                    let msg = format!("`{member}` cannot be a JSON member name here: write it without quotes");
                    self.push(src.value(&join(&path, key), msg));
                }
            }
            let mut head = Vec::new();
            for (member, source) in &spec.head.0 {
                let keywords = HeaderSource::KEYWORDS.iter().chain(&HeaderSource::HEAD_KEYWORDS);
                if let Some(source) = self.header_source(src, &join(&join(&path, "head"), member), source, keywords) {
                    head.push((member.clone().into(), source));
                }
            }
            if head.iter().any(|(_, s)| *s == HeaderSource::Signature) {
                let msg = "the signature is its own member (`signature_member`), not part of the signed head";
                self.push(src.value(&join(&path, "head"), msg.into()));
            }
            for (member, max) in &spec.head_max_length.0 {
                let limit = join(&join(&path, "head_max_length"), member);
                if !spec.head.0.iter().any(|(name, _)| name == member) {
                    let d = src.at(
                        src.positions.key(&limit, 0),
                        &limit,
                        format!("`{member}` is not a head member"),
                    );
                    self.push(with_help(
                        d,
                        did_you_mean(member, spec.head.0.iter().map(|(n, _)| n.as_str())),
                    ));
                } else if *max == 0 {
                    self.push(src.value(&limit, "a maximum length is at least 1".into()));
                }
            }
            let signature = self.recipe(src, &join(&path, "signature"), &spec.signature);
            if let (Some(signature), true) = (signature, self.diagnostics.len() == before) {
                out.push(Envelope {
                    name: name.clone().into(),
                    doc: spec.doc.clone().map(Into::into),
                    request_member: spec.request_member.clone().into(),
                    response_member: spec.response_member.clone().into(),
                    signature_member: spec.signature_member.clone().into(),
                    head_member: spec.head_member.clone().into(),
                    body_member: spec.body_member.clone().into(),
                    head: head.into(),
                    head_max_length: spec
                        .head_max_length
                        .0
                        .iter()
                        .map(|(n, max)| (n.clone().into(), *max))
                        .collect(),
                    signature,
                    result: spec.result.clone().into(),
                    result_status: spec.result_status.clone().into(),
                    result_code: spec.result_code.clone().into(),
                    result_message: spec.result_message.clone().into(),
                    result_code_id: spec.result_code_id.clone().map(Into::into),
                    refusals: Refusals {
                        malformed: spec.refusals.malformed.clone().into(),
                        client: spec.refusals.client.clone().into(),
                        signature: spec.refusals.signature.clone().into(),
                    },
                });
            }
        }
        out
    }

    /// The provider's kinds of records; that their keys name request fields is checked per endpoint, in
    /// `cross_references`.
    fn records(&mut self, src: Src, specs: &OrderedMap<raw::RecordSpec>) -> Vec<RecordKind> {
        let mut out: Vec<RecordKind> = Vec::new();
        for (i, (name, spec)) in specs.0.iter().enumerate() {
            let path = join("records", name);
            let nth = specs.0[..i].iter().filter(|(n, _)| n == name).count();
            let before = self.diagnostics.len();
            if !is_snake(name) {
                let msg = format!("record kind `{name}` is not a snake_case identifier");
                self.push(src.at(src.positions.key(&path, nth), &path, msg));
            } else if nth > 0 {
                let msg = format!("record kind `{name}` is defined twice");
                self.push(src.at(src.positions.key(&path, nth), &path, msg));
            }
            if spec.key.is_empty() {
                self.push(src.value(
                    &join(&path, "key"),
                    "name at least one request field that identifies a record".into(),
                ));
            }
            for (j, field) in spec.key.iter().enumerate() {
                if spec.key[..j].contains(field) {
                    self.push(src.value(&format!("{path}.key.{j}"), format!("`{field}` is in the key twice")));
                }
            }
            for (j, field) in spec.match_fields.iter().enumerate() {
                if spec.key.contains(field) {
                    let msg = format!("`{field}` is in the key already; `match` names other fields");
                    self.push(src.value(&format!("{path}.match.{j}"), msg));
                }
            }
            let not_found = &spec.not_found.0;
            let http = spec.not_found_http.unwrap_or(404);
            if !is_digits(not_found, 2) {
                let msg =
                    format!("not_found `{not_found}` must be a two-digit case code (answered as {http}xx{not_found})");
                self.push(src.value(&join(&path, "not_found"), msg));
            }
            if !(400..500).contains(&http) {
                let msg =
                    format!("not_found_http {http} must be a 4xx status: a missing record is the caller's problem");
                self.push(src.value(&join(&path, "not_found_http"), msg));
            }
            if self.diagnostics.len() == before {
                out.push(RecordKind {
                    name: name.clone(),
                    doc: spec.doc.clone(),
                    key: spec.key.clone(),
                    match_fields: spec.match_fields.clone(),
                    not_found: not_found.clone(),
                    not_found_http: http,
                });
            }
        }
        out
    }

    fn auth_key(&mut self, src: Src, path: &str, key: &str) -> Option<AuthKind> {
        let kind = AuthKind::parse(key);
        if kind.is_none() {
            let known = AuthKind::ALL.map(|(s, _)| s);
            let d = src.at(
                src.positions.key(path, 0),
                path,
                format!("unknown auth kind `{key}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(key, known)));
        }
        kind
    }

    fn header_sets(
        &mut self,
        src: Src,
        sets: &OrderedMap<OrderedMap<raw::HeaderSourceSpec>>,
    ) -> Vec<(AuthKind, Vec<(String, HeaderSource)>)> {
        let mut out = Vec::new();
        for (kind, headers) in &sets.0 {
            let path = join("headers", kind);
            let Some(kind) = self.auth_key(src, &path, kind) else {
                continue;
            };
            let mut lowered = Vec::new();
            for (name, source) in &headers.0 {
                let p = join(&path, name);
                if !is_header_name(name) {
                    self.push(src.at(
                        src.positions.key(&p, 0),
                        &p,
                        format!("`{name}` is not a valid header name"),
                    ));
                }
                let source = self.header_source(src, &p, source, HeaderSource::KEYWORDS.iter());
                if let Some(source) = source {
                    lowered.push((name.clone(), source));
                }
            }
            out.push((kind, lowered));
        }
        out
    }

    /// Where a runtime-filled header (or head member) at `path` takes its value from, among `keywords`.
    fn header_source<'k>(
        &mut self,
        src: Src,
        path: &str,
        source: &raw::HeaderSourceSpec,
        keywords: impl Iterator<Item = &'k (&'static str, HeaderSource)> + Clone,
    ) -> Option<HeaderSource> {
        let s = match source {
            raw::HeaderSourceSpec::Value(v) => return Some(HeaderSource::Value(v.clone().into())),
            raw::HeaderSourceSpec::Source(s) => s,
        };
        let found = keywords.clone().find(|(k, _)| k == s).map(|(_, h)| h.clone());
        if found.is_none() {
            let known: Vec<&str> = keywords.map(|(k, _)| *k).collect();
            let d = src.value(
                path,
                format!("unknown header source `{s}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(s, known)));
        }
        found
    }

    fn signatures(&mut self, src: Src, specs: &OrderedMap<raw::SignatureSpec>) -> Vec<(AuthKind, Recipe)> {
        let mut out = Vec::new();
        for (kind, spec) in &specs.0 {
            let path = join("signatures", kind);
            let kind = self.auth_key(src, &path, kind);
            if let (Some(kind), Some(recipe)) = (kind, self.recipe(src, &path, spec)) {
                out.push((kind, recipe));
            }
        }
        out
    }

    /// A signature recipe: its algorithm and its string to sign, split into parts.
    fn recipe(&mut self, src: Src, path: &str, spec: &raw::SignatureSpec) -> Option<Recipe> {
        let algorithm = match spec.algorithm.as_str() {
            "hmac-sha512" => Some(Algorithm::HmacSha512),
            "rsa-sha256" => Some(Algorithm::RsaSha256),
            other => {
                let d = src.value(
                    &join(path, "algorithm"),
                    format!("unknown algorithm `{other}`, expected hmac-sha512 or rsa-sha256"),
                );
                self.push(with_help(d, did_you_mean(other, ["hmac-sha512", "rsa-sha256"])));
                None
            }
        };
        let parts = self.recipe_parts(src, &join(path, "string_to_sign"), &spec.string_to_sign);
        Some(Recipe {
            algorithm: algorithm?,
            parts: parts?.into(),
        })
    }

    fn recipe_parts(&mut self, src: Src, path: &str, template: &str) -> Option<Vec<RecipePart>> {
        const NAMES: [(&str, RecipePart); 7] = RecipePart::PLACEHOLDERS;
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(RecipePart::Literal(rest[..open].to_owned().into()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.push(src.value(path, "unclosed `{` in string_to_sign".into()));
                return None;
            };
            let name = &rest[open + 1..open + close];
            match NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, part)) => parts.push(part.clone()),
                None => {
                    let known = NAMES.map(|(n, _)| n);
                    let d = src.value(
                        path,
                        format!("unknown placeholder `{{{name}}}`, expected one of {}", known.join(", ")),
                    );
                    self.push(with_help(d, did_you_mean(name, known)));
                    return None;
                }
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(RecipePart::Literal(rest.to_owned().into()));
        }
        Some(parts)
    }

    // ----- endpoints --------------------------------------------------------------------------------

    /// Each alias is a route like `path`, and no route is named twice.
    fn aliases(&mut self, src: Src, spec: &raw::EndpointFile) {
        for (i, alias) in spec.aliases.iter().enumerate() {
            let at = format!("aliases.{i}");
            if !is_route(alias) {
                let msg = format!("alias `{alias}` must start with `/` and hold no spaces");
                self.push(src.value(&at, msg));
            } else if *alias == spec.path || spec.aliases[..i].contains(alias) {
                self.push(src.value(&at, format!("path `{alias}` is named twice")));
            }
        }
    }

    fn endpoint(&mut self, file: &Loaded<raw::EndpointFile>, codes: &CodeTables, types: &[String]) -> Option<Endpoint> {
        let src = Src::of(file);
        let spec = &file.value;
        let before = self.diagnostics.len();
        let module = self.endpoint_id(src, spec);
        let method = spec.method.to_ascii_uppercase();
        if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method.as_str()) {
            self.push(src.value("method", format!("unknown HTTP method `{}`", spec.method)));
        }
        if !is_route(&spec.path) {
            self.push(src.value(
                "path",
                format!("path `{}` must start with `/` and hold no spaces", spec.path),
            ));
        }
        self.aliases(src, spec);
        let enveloped = self.enveloped(src, spec);
        let service = self.endpoint_service_code(src, spec, codes);
        let refusal_service = self.refusal_service_code(src, spec, codes, &service);
        let auth = AuthKind::parse(&spec.auth);
        if auth.is_none() {
            let known = AuthKind::ALL.map(|(s, _)| s);
            let d = src.value(
                "auth",
                format!("unknown auth `{}`, expected one of {}", spec.auth, known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(&spec.auth, known)));
        }
        let headers = self.headers(src, &spec.headers);
        let request = self.fields(src, "request", &spec.request, types);
        let response = self.fields(src, "response", &spec.response, types);
        self.type_names(src, "request", "", &request);
        // An inbound endpoint's response is built by the merchant, in the same module as its request.
        let response_prefix = if spec.direction.as_deref() == Some("inbound") {
            "Response"
        } else {
            ""
        };
        self.type_names(src, "response", response_prefix, &response);
        self.type_names(src, "headers", "Headers", &headers);
        let endpoint_codes = match &enveloped {
            Some(_) => self.result_codes(src, spec),
            None => self.endpoint_codes(src, spec, [&service, &refusal_service], codes),
        };
        let operation = self.operation(src, spec, &request);
        let status_query = self.status_query(src, spec, &request);
        let direction = match spec.direction.as_deref() {
            None | Some("outbound") => Some(Direction::Outbound),
            Some("inbound") => Some(Direction::Inbound),
            Some(other) => {
                let d = src.value(
                    "direction",
                    format!("unknown direction `{other}`, expected outbound or inbound"),
                );
                self.push(with_help(d, did_you_mean(other, ["outbound", "inbound"])));
                None
            }
        };
        if self.diagnostics.len() != before {
            return None;
        }
        // A malformed rule is dropped with its diagnostic, so the paths of the others are still checked.
        let rules = self.cross_rules(src, spec);
        let answers = self.answers(src, spec);
        Some(Endpoint {
            id: spec.id.clone(),
            provider: spec.provider.clone(),
            module: module?,
            summary: spec.summary.clone(),
            doc: spec.doc.clone(),
            method,
            path: spec.path.clone(),
            aliases: spec.aliases.clone(),
            service_code: service.clone(),
            refusal_service_code: refusal_service,
            empty_means_missing: spec.empty_means_missing,
            auth: auth?,
            status_endpoint: spec.status_endpoint.clone(),
            direction: direction?,
            operation: operation?,
            record: spec.record.clone(),
            paid: spec.paid.0.clone(),
            idempotency_keys: spec.idempotency_keys.clone(),
            status_query,
            headers,
            request,
            response,
            codes: endpoint_codes,
            rules,
            answers,
            envelope: enveloped,
            file: file.file.display().to_string().replace('\\', "/"),
        })
    }

    /// The endpoint's operation, and that its idempotency keys name request fields.
    fn operation(&mut self, src: Src, spec: &raw::EndpointFile, request: &[Field]) -> Option<Operation> {
        let operation = match spec.operation.as_deref() {
            None => Some(Operation::Other),
            Some(name) => {
                let found = Operation::ALL.iter().find(|(n, _)| *n == name).map(|(_, o)| *o);
                if found.is_none() {
                    let known = Operation::ALL.map(|(n, _)| n);
                    let d = src.value(
                        "operation",
                        format!("unknown operation `{name}`, expected one of {}", known.join(", ")),
                    );
                    self.push(with_help(d, did_you_mean(name, known)));
                }
                found
            }
        };
        for (i, key) in spec.idempotency_keys.iter().enumerate() {
            if !request_has_path(request, key) {
                let d = src.value(
                    &format!("idempotency_keys.{i}"),
                    format!("`{key}` is not a request field"),
                );
                self.push(with_help(d, did_you_mean(key, request.iter().map(|f| f.wire.as_str()))));
            }
        }
        operation
    }

    /// The status query of a money-moving endpoint; its sources must name fields of this request (the
    /// status endpoint's side is checked across files, in `cross_references`).
    fn status_query(&mut self, src: Src, spec: &raw::EndpointFile, request: &[Field]) -> Option<StatusQuery> {
        let query = spec.status_query.as_ref()?;
        let Some(endpoint) = spec.status_endpoint.clone() else {
            self.push(src.value("status_query", "a status_query needs `status_endpoint`".into()));
            return None;
        };
        let mut sources = Vec::new();
        for (name, source) in &query.request.0 {
            let path = format!("status_query.request.{name}");
            match (&source.from, &source.value) {
                (Some(from), None) if request_has_path(request, from) => {
                    sources.push((name.clone().into(), QuerySource::From(from.clone().into())))
                }
                (Some(from), None) => {
                    let d = src.value(&join(&path, "from"), format!("`{from}` is not a field of this request"));
                    self.push(with_help(
                        d,
                        did_you_mean(from, request.iter().map(|f| f.wire.as_str())),
                    ));
                }
                (None, Some(value)) => sources.push((name.clone().into(), QuerySource::Value(value.clone().into()))),
                _ => self.push(src.value(&path, "give exactly one of `from` (a request field) or `value`".into())),
            }
        }
        if query.success.is_empty() {
            self.push(src.value(
                "status_query.success",
                "name at least one value that means success".into(),
            ));
        }
        let texts = |values: &[String]| values.iter().map(|v| v.clone().into()).collect();
        Some(StatusQuery {
            endpoint: endpoint.into(),
            request: sources.into(),
            field: query.field.clone().into(),
            success: texts(&query.success),
            failed: texts(&query.failed),
            not_found: texts(&query.not_found),
        })
    }

    /// The shape of each cross-field rule: `one_of`, or `when` with `require` or `allow`. Its paths are
    /// checked once shared types are known, in `rule_paths`.
    /// Each answer names its field and exactly one source; paths are checked once shared types are known
    /// (`answer_paths`).
    fn answers(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<Answered> {
        let mut out = Vec::new();
        for (i, answer) in spec.answers.iter().enumerate() {
            let path = format!("answers.{i}");
            let source = match (answer.issued, &answer.from) {
                (Some(true), None) => AnswerSource::Issued,
                (None, Some(from)) => AnswerSource::Request(from.clone()),
                _ => {
                    let msg = "an answer is `issued: true` or `from: <request wire path>`, one of them";
                    self.push(src.value(&path, msg.into()));
                    continue;
                }
            };
            out.push(Answered {
                field: answer.field.clone(),
                source,
            });
        }
        out
    }

    fn cross_rules(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<CrossRule> {
        let mut out = Vec::new();
        let mut indices = Vec::new();
        for (i, rule) in spec.rules.iter().enumerate() {
            let path = format!("rules.{i}");
            let condition = |c: &raw::ConditionSpec| Condition {
                field: c.field.clone(),
                is: c.is.clone(),
            };
            let then = (&rule.require, &rule.allow, &rule.limit);
            let lowered = match (&rule.one_of, &rule.when, then) {
                (Some(fields), None, (None, None, None)) if fields.len() >= 2 => Some(CrossRule::OneOf(fields.clone())),
                (Some(_), None, (None, None, None)) => {
                    self.push(src.value(&join(&path, "one_of"), "`one_of` needs at least two fields".into()));
                    None
                }
                (None, Some(when), (Some(fields), None, None)) if !fields.is_empty() => Some(CrossRule::Require {
                    when: condition(when),
                    fields: fields.clone(),
                }),
                (None, Some(when), (None, Some(allow), None)) => Some(CrossRule::Allow {
                    when: condition(when),
                    field: allow.field.clone(),
                    values: allow.is.clone(),
                }),
                (None, Some(when), (None, None, Some(limit))) => self.limit_rule(src, &path, condition(when), limit),
                _ => {
                    let msg = "a rule is `one_of: [fields]`, or `when:` with one of `require: [fields]`, `allow:` or \
                               `limit:`";
                    self.push(src.value(&path, msg.into()));
                    None
                }
            };
            for (key, condition) in [("when", &rule.when), ("allow", &rule.allow)] {
                if condition.as_ref().is_some_and(|c| c.is.is_empty()) {
                    let at = format!("{path}.{key}.is");
                    self.push(src.value(&at, "`is` needs at least one value".into()));
                }
            }
            if let Some(rule) = lowered {
                out.push(rule);
                indices.push(i);
            }
        }
        self.rule_indices.insert(spec.id.clone(), indices);
        out
    }

    /// A `limit` rule: at least one bound, and the minimum not above the maximum.
    fn limit_rule(&mut self, src: Src, path: &str, when: Condition, limit: &raw::LimitSpec) -> Option<CrossRule> {
        let at = join(path, "limit");
        match (limit.min_length, limit.max_length) {
            (None, None) => {
                self.push(src.value(&at, "a `limit` needs `min_length`, `max_length` or both".into()));
                return None;
            }
            (Some(min), Some(max)) if min > max => {
                let msg = format!("min_length {min} is greater than max_length {max}");
                self.push(src.value(&join(&at, "max_length"), msg));
                return None;
            }
            _ => {}
        }
        Some(CrossRule::Limit {
            when,
            field: limit.field.clone(),
            min_length: limit.min_length,
            max_length: limit.max_length,
        })
    }

    /// Every path a cross-field rule names is a request field of the right kind, and every value it names
    /// is allowed there.
    fn rule_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.rules.is_empty()) {
            let Some(file) = set.endpoints.iter().find(|f| f.value.id == endpoint.id) else {
                continue;
            };
            let rows = paths::flatten_with(types, &endpoint.request);
            let mut check = RuleCheck {
                src: Src::of(file),
                rows: &rows,
                out: Vec::new(),
            };
            let indices = self.rule_indices.get(&endpoint.id).cloned().unwrap_or_default();
            for (i, rule) in indices.into_iter().zip(&endpoint.rules) {
                let at = format!("rules.{i}");
                match rule {
                    CrossRule::OneOf(fields) => check.presence_paths(&join(&at, "one_of"), fields),
                    CrossRule::Require { when, fields } => {
                        check.condition(&join(&at, "when"), when, false);
                        check.presence_paths(&join(&at, "require"), fields);
                    }
                    CrossRule::Limit {
                        when,
                        field,
                        min_length,
                        max_length,
                    } => {
                        check.condition(&join(&at, "when"), when, false);
                        check.limit(&join(&at, "limit"), field, *min_length, *max_length);
                    }
                    CrossRule::Allow { when, field, values } => {
                        check.condition(&join(&at, "when"), when, false);
                        let allow = Condition {
                            field: field.clone(),
                            is: values.clone(),
                        };
                        check.condition(&join(&at, "allow"), &allow, true);
                    }
                }
            }
            self.diagnostics.extend(check.out);
        }
    }

    /// Every answer fills a response field (an issued value, a string) from a request field at the same list
    /// depth: `userResources[].value` from `userResources[]`, one item per request item (one list level at most).
    fn answer_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.answers.is_empty()) {
            let Some(file) = set.endpoints.iter().find(|f| f.value.id == endpoint.id) else {
                continue;
            };
            let src = Src::of(file);
            let responses = paths::flatten_with(types, &endpoint.response);
            let requests = paths::flatten_with(types, &endpoint.request);
            for (i, answer) in endpoint.answers.iter().enumerate() {
                let at = format!("answers.{i}");
                let lists = answer.field.matches("[]").count();
                let Some(target) = responses.iter().find(|r| r.wire_path == answer.field) else {
                    let d = src.value(
                        &join(&at, "field"),
                        format!("`{}` is not a response field", answer.field),
                    );
                    let known = responses.iter().map(|r| r.wire_path.as_str());
                    self.push(with_help(d, did_you_mean(&answer.field, known)));
                    continue;
                };
                let problem = match &answer.source {
                    _ if lists > 1 => Some(("field", "answers fill lists one level deep".to_owned(), None)),
                    AnswerSource::Issued if target.kind != "string" => Some((
                        "issued",
                        format!("an issued value is a string; `{}` is {}", answer.field, target.kind),
                        None,
                    )),
                    AnswerSource::Issued => None,
                    AnswerSource::Request(from) => match requests.iter().any(|r| &r.wire_path == from) {
                        false => Some((
                            "from",
                            format!("`{from}` is not a request field"),
                            did_you_mean(from, requests.iter().map(|r| r.wire_path.as_str())),
                        )),
                        true if from.matches("[]").count() != lists => Some((
                            "from",
                            format!(
                                "`{from}` and `{}` must be inside the same number of lists",
                                answer.field
                            ),
                            None,
                        )),
                        true => None,
                    },
                };
                if let Some((key, msg, help)) = problem {
                    self.push(with_help(src.value(&join(&at, key), msg), help));
                }
            }
        }
    }

    /// Checks `provider.name…` and returns the module name (the id minus the provider, snake_case).
    fn endpoint_id(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<String> {
        let segments: Vec<&str> = spec.id.split('.').collect();
        if segments.len() < 2 || segments.iter().any(|s| !is_snake(s)) {
            let msg = format!("id `{}` must be `provider.name` made of snake_case segments", spec.id);
            self.push(src.value("id", msg));
            return None;
        }
        if segments[0] != spec.provider {
            let msg = format!("id `{}` must start with its provider `{}`", spec.id, spec.provider);
            self.push(src.value("id", msg));
        }
        Some(segments[1..].join("_"))
    }

    /// The two-digit service code; an enveloped endpoint has none (its framing is not SNAP's).
    fn endpoint_service_code(&mut self, src: Src, spec: &raw::EndpointFile, codes: &CodeTables) -> String {
        let service = match (&spec.service_code, &spec.envelope) {
            (Some(_), Some(_)) => {
                let msg = "an endpoint in an `envelope` has no SNAP service code; remove `service_code`";
                self.push(src.value("service_code", msg.into()));
                return String::new();
            }
            (None, Some(_)) => return String::new(),
            (None, None) => {
                self.push(src.value("id", "`service_code` is required (two digits)".into()));
                return String::new();
            }
            (Some(service), None) => &service.0,
        };
        if !is_digits(service, 2) {
            self.push(src.value("service_code", format!("service code `{service}` must be two digits")));
        } else if codes.service(service).is_none()
            && codes.provider_service(&spec.provider, service).is_none()
            && !codes.services.is_empty()
        {
            let d = src.value(
                "service_code",
                format!("service code `{service}` is not in the code table"),
            );
            let help = format!(
                "add it to common/codes.yaml, or to `service_codes` of {}/provider.yaml if only this provider uses it",
                spec.provider
            );
            self.push(with_help(d, Some(help)));
        }
        service.clone()
    }

    /// `envelope` with its `function` and `result_codes`, which belong together; SNAP `codes` do not apply.
    fn enveloped(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<Enveloped> {
        let Some(envelope) = &spec.envelope else {
            if spec.function.is_some() {
                self.push(src.value("function", "`function` names an operation inside an `envelope`".into()));
            }
            if !spec.result_codes.is_empty() {
                let msg = "`result_codes` belong to an endpoint in an `envelope`; a SNAP endpoint lists `codes`";
                self.push(src.value("result_codes", msg.into()));
            }
            return None;
        };
        if !spec.codes.is_empty() {
            let msg = "an endpoint in an `envelope` lists `result_codes`, not SNAP `codes`";
            self.push(src.value("codes", msg.into()));
        }
        if spec.result_codes.is_empty() {
            let msg = "list the `result_codes` this endpoint answers with (at least its success)";
            self.push(src.value("envelope", msg.into()));
        }
        let function = match spec.function.as_deref() {
            Some(f) if !f.trim().is_empty() => f.to_owned(),
            _ => {
                let msg = format!("an endpoint in envelope `{envelope}` needs its `function`");
                self.push(src.value("envelope", msg));
                String::new()
            }
        };
        Some(Enveloped {
            envelope: envelope.clone(),
            function,
        })
    }

    /// The result codes of an enveloped endpoint: names such as `SUCCESS`, each with its outcome.
    fn result_codes(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<EndpointCode> {
        let mut out: Vec<EndpointCode> = Vec::new();
        for (i, result) in spec.result_codes.iter().enumerate() {
            let path = format!("result_codes.{i}");
            let code = &result.code;
            let well_formed = code.starts_with(|c: char| c.is_ascii_uppercase())
                && code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !well_formed {
                let msg = format!("result code `{code}` must be UPPER_SNAKE_CASE, as the provider answers it");
                self.push(src.value(&join(&path, "code"), msg));
                continue;
            }
            if out.iter().any(|c| &c.code == code) {
                self.push(src.value(&join(&path, "code"), format!("duplicate result code {code}")));
                continue;
            }
            let Some(outcome) = self.outcome(src, &join(&path, "outcome"), &result.outcome) else {
                continue;
            };
            let published = match &result.id {
                Some(id) => format!("status `{}`, id `{id}`", result.status),
                None => format!("status `{}`", result.status),
            };
            let doc = match &result.doc {
                None => format!("Published with {published}."),
                Some(doc) => format!("{} (published with {published}.)", doc.trim_end()),
            };
            out.push(EndpointCode {
                code: code.clone(),
                http: 200,
                case: String::new(),
                name: code.to_upper_camel_case(),
                message: result.message.clone(),
                outcome,
                status: Some(result.status.clone()),
                id: result.id.clone(),
                doc: Some(doc),
            });
        }
        out
    }

    /// The endpoint's `refusal_service_code`, checked like its service code; its service code when absent.
    fn refusal_service_code(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        codes: &CodeTables,
        service: &str,
    ) -> String {
        let Some(refusal) = &spec.refusal_service_code else {
            return service.to_owned();
        };
        let refusal = &refusal.0;
        let known = codes.service(refusal).is_some() || codes.provider_service(&spec.provider, refusal).is_some();
        if !is_digits(refusal, 2) || !known {
            let msg =
                format!("refusal service code `{refusal}` must be two digits of the code table or the provider's");
            self.push(src.value("refusal_service_code", msg));
        } else if refusal == service {
            let msg = format!("`{refusal}` is the endpoint's service code already; remove `refusal_service_code`");
            self.push(src.value("refusal_service_code", msg));
        }
        refusal.clone()
    }

    /// The endpoint's SNAP codes; `services` are its service code and the one of its refusals (a refusal code,
    /// not 2xx, may carry either).
    fn endpoint_codes(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        services: [&str; 2],
        codes: &CodeTables,
    ) -> Vec<EndpointCode> {
        let [service_code, refusal_service] = services;
        let mut out: Vec<EndpointCode> = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for (i, code_ref) in spec.codes.iter().enumerate() {
            let path = format!("codes.{i}");
            let code_path = if src.positions.value(&join(&path, "code")) != src.positions.value(&path) {
                join(&path, "code")
            } else {
                path.clone()
            };
            let code = &code_ref.code.0;
            if !is_digits(code, 7) {
                self.push(src.value(&code_path, format!("response code `{code}` must be seven digits")));
                continue;
            }
            let (http, service, case) = (&code[..3], &code[3..5], &code[5..]);
            if service != service_code && (service != refusal_service || http.starts_with('2')) {
                let msg = match refusal_service == service_code {
                    true => format!(
                        "code {code} has service code {service}, but this endpoint's service code is {service_code}"
                    ),
                    false => format!(
                        "code {code} has service code {service}, but this endpoint's service code is {service_code} \
                         (and {refusal_service} for refusals, not 2xx)"
                    ),
                };
                self.push(src.value(&code_path, msg));
                continue;
            }
            if out.iter().any(|c| &c.code == code) {
                self.push(src.value(&code_path, format!("duplicate response code {code}")));
                continue;
            }
            let http: u16 = http.parse().unwrap_or(0);
            let Some(generic) = codes.case(http, case) else {
                let msg = format!("code {code}: case {http}xx{case} is not in the case-code table");
                self.push(src.value(&code_path, msg));
                continue;
            };
            if let Some(other) = names.insert(generic.name.clone(), code.clone()) {
                let msg = format!("codes {other} and {code} would both be named `{}`", generic.name);
                self.push(src.value(&code_path, msg));
                continue;
            }
            let mut outcome = generic.outcome_for(service);
            if let Some(o) = &code_ref.outcome {
                match self.outcome(src, &join(&path, "outcome"), o) {
                    Some(o) => outcome = o,
                    None => continue,
                }
            }
            out.push(EndpointCode {
                code: code.clone(),
                http,
                case: case.to_owned(),
                name: generic.name.clone(),
                message: generic.message.clone(),
                outcome,
                status: None,
                id: None,
                doc: code_ref.doc.clone(),
            });
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    fn headers(&mut self, src: Src, specs: &OrderedMap<FieldSpec>) -> Vec<Field> {
        let mut out = Vec::new();
        for (name, spec) in &specs.0 {
            let path = join("headers", name);
            if !is_header_name(name) {
                self.push(src.at(
                    src.positions.key(&path, 0),
                    &path,
                    format!("`{name}` is not a valid header name"),
                ));
                continue;
            }
            if spec.ty.as_deref().is_some_and(|t| t != "string") {
                self.push(src.value(&join(&path, "type"), "headers are strings".into()));
                continue;
            }
            let rule = self.str_rule(src, &path, spec);
            let rust = name.to_snake_case();
            out.push(Field {
                wire: name.clone(),
                type_name: name.to_upper_camel_case(),
                rust,
                ty: FieldType::Str(rule),
                required: spec.required,
                sensitive: spec.sensitive,
                doc: spec.doc.clone(),
                note: spec.note.clone(),
                example: spec.example.clone(),
            });
        }
        self.duplicates(src, "headers", &out);
        out
    }

    // ----- fields -----------------------------------------------------------------------------------

    fn fields(&mut self, src: Src, path: &str, specs: &OrderedMap<FieldSpec>, types: &[String]) -> Vec<Field> {
        let mut out = Vec::new();
        for (wire, spec) in &specs.0 {
            let p = join(path, wire);
            if wire.is_empty() || !wire.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.push(src.at(
                    src.positions.key(&p, 0),
                    &p,
                    format!("field name `{wire}` must be ASCII letters, digits or `_`"),
                ));
                continue;
            }
            let Some(ty) = self.field_type(src, &p, spec, types) else {
                continue;
            };
            let rust = wire.to_snake_case();
            if rust.starts_with(|c: char| c.is_ascii_digit()) {
                self.push(src.at(
                    src.positions.key(&p, 0),
                    &p,
                    format!("field name `{wire}` cannot start with a digit"),
                ));
                continue;
            }
            out.push(Field {
                wire: wire.clone(),
                type_name: wire.to_upper_camel_case(),
                rust,
                ty,
                required: spec.required,
                sensitive: spec.sensitive,
                doc: spec.doc.clone(),
                note: spec.note.clone(),
                example: spec.example.clone(),
            });
        }
        self.duplicates(src, path, &out);
        out
    }

    /// Duplicate wire names, and distinct wire names that become the same Rust name.
    fn duplicates(&mut self, src: Src, path: &str, fields: &[Field]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in fields {
            let p = join(path, &f.wire);
            match seen.insert(&f.rust, &f.wire) {
                Some(first) if first == f.wire => {
                    let d = src.at(src.positions.key(&p, 1), &p, format!("duplicate field `{}`", f.wire));
                    let first_pos = src.positions.key(&p, 0);
                    self.push(with_help(
                        d,
                        Some(format!("first defined at line {}:{}", first_pos.line, first_pos.col)),
                    ));
                }
                Some(first) => {
                    let msg = format!(
                        "fields `{first}` and `{}` both become the Rust name `{}`",
                        f.wire, f.rust
                    );
                    self.push(src.at(src.positions.key(&p, 0), &p, msg));
                }
                None => {}
            }
        }
    }

    /// The Rust type names the emitter will use in one module; clashes are errors.
    fn type_names(&mut self, src: Src, path: &str, prefix: &str, fields: &[Field]) {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        collect_type_names(path, prefix, fields, &mut names, &mut |name, first, second| {
            let msg = format!("the Rust type name `{name}` is needed by both `{first}` and `{second}`");
            self.diagnostics.push(src.value(second, msg));
        });
        for reserved in RESERVED_TYPE_NAMES {
            if let Some(owner) = names.get(reserved).filter(|_| prefix.is_empty()) {
                let msg = format!("the Rust type name `{reserved}` of this field is reserved for the endpoint itself");
                self.push(src.value(owner, msg));
            }
        }
    }

    fn field_type(&mut self, src: Src, path: &str, spec: &FieldSpec, types: &[String]) -> Option<FieldType> {
        let Some(ty) = spec.ty.as_deref() else {
            self.push(src.at(src.positions.key(path, 0), path, "field needs a `type`".into()));
            return None;
        };
        let ty_path = if spec.fields.is_some() || spec.items.is_some() || spec.doc.is_some() || spec.required {
            join(path, "type")
        } else {
            let typed = join(path, "type");
            if src.positions.value(&typed) != src.positions.value(path) {
                typed
            } else {
                path.to_owned()
            }
        };
        self.misplaced_keys(src, path, ty, spec);
        let lowered = match ty {
            "string" => Some(FieldType::Str(self.str_rule(src, path, spec))),
            "decimal" => self.decimal(src, path, spec),
            "datetime" => Some(FieldType::DateTime),
            "integer" => {
                if let (Some(min), Some(max)) = (spec.min, spec.max)
                    && min > max
                {
                    self.push(src.value(&join(path, "max"), format!("min {min} is greater than max {max}")));
                }
                Some(FieldType::Integer {
                    min: spec.min,
                    max: spec.max,
                })
            }
            "boolean" => Some(FieldType::Bool),
            "json" => Some(FieldType::Json),
            "object" => match &spec.fields {
                Some(fields) => Some(FieldType::Object(self.fields(
                    src,
                    &join(path, "fields"),
                    fields,
                    types,
                ))),
                None => {
                    self.push(src.value(&ty_path, "an object needs `fields`".into()));
                    None
                }
            },
            "list" => self.list(src, path, spec, types),
            named if types.iter().any(|t| t == named) => Some(FieldType::Named(named.to_owned())),
            unknown => {
                let known = PRIMITIVES.iter().copied().chain(types.iter().map(String::as_str));
                let d = src.value(&ty_path, format!("unknown type `{unknown}`"));
                self.push(with_help(d, did_you_mean(unknown, known)));
                None
            }
        };
        if let (Some(example), Some(FieldType::Str(rule))) = (&spec.example, &lowered)
            && let Some(problem) = samples::str_problem(rule, example)
        {
            self.push(src.value(
                &join(path, "example"),
                format!("example `{example}` breaks the field's rules: {problem}"),
            ));
        }
        lowered
    }

    fn decimal(&mut self, src: Src, path: &str, spec: &FieldSpec) -> Option<FieldType> {
        match (spec.integer_digits, spec.fraction_digits) {
            (Some(integer_digits), Some(fraction_digits))
                if integer_digits > 0 && integer_digits + fraction_digits <= 38 =>
            {
                Some(FieldType::Decimal {
                    integer_digits,
                    fraction_digits,
                })
            }
            (Some(_), Some(_)) => {
                self.push(src.value(
                    &join(path, "integer_digits"),
                    "integer_digits must be 1..=38 in all".into(),
                ));
                None
            }
            _ => {
                self.push(src.value(path, "a decimal needs `integer_digits` and `fraction_digits`".into()));
                None
            }
        }
    }

    fn list(&mut self, src: Src, path: &str, spec: &FieldSpec, types: &[String]) -> Option<FieldType> {
        let Some(items) = &spec.items else {
            self.push(src.value(&join(path, "type"), "a list needs `items`".into()));
            return None;
        };
        if let (Some(min), Some(max)) = (spec.min_items, spec.max_items)
            && min > max
        {
            self.push(src.value(
                &join(path, "max_items"),
                format!("min_items {min} is greater than max_items {max}"),
            ));
        }
        let items = self.field_type(src, &join(path, "items"), items, types)?;
        if matches!(items, FieldType::List { .. }) {
            self.push(src.value(&join(path, "items"), "lists of lists are not supported".into()));
            return None;
        }
        Some(FieldType::List {
            items: Box::new(items),
            min_items: spec.min_items,
            max_items: spec.max_items,
        })
    }

    /// Keys that only make sense for another type (e.g. `max_length` on an integer).
    fn misplaced_keys(&mut self, src: Src, path: &str, ty: &str, spec: &FieldSpec) {
        let groups: [(&str, &[(&str, bool)]); 5] = [
            (
                "string",
                &[
                    ("min_length", spec.min_length.is_some()),
                    ("max_length", spec.max_length.is_some()),
                    ("length", spec.length.is_some()),
                    ("charset", spec.charset.is_some()),
                    ("format", spec.format.is_some()),
                    ("pattern", spec.pattern.is_some()),
                    ("enum", spec.enum_values.is_some()),
                ],
            ),
            (
                "decimal",
                &[
                    ("integer_digits", spec.integer_digits.is_some()),
                    ("fraction_digits", spec.fraction_digits.is_some()),
                ],
            ),
            ("integer", &[("min", spec.min.is_some()), ("max", spec.max.is_some())]),
            ("object", &[("fields", spec.fields.is_some())]),
            (
                "list",
                &[
                    ("items", spec.items.is_some()),
                    ("min_items", spec.min_items.is_some()),
                    ("max_items", spec.max_items.is_some()),
                ],
            ),
        ];
        for (owner, keys) in groups {
            if owner == ty {
                continue;
            }
            for (key, present) in keys.iter() {
                if *present {
                    let msg = format!("`{key}` applies only to `{owner}` fields, but this field is `{ty}`");
                    self.push(src.value(&join(path, key), msg));
                }
            }
        }
    }

    fn str_rule(&mut self, src: Src, path: &str, spec: &FieldSpec) -> StrRule {
        let mut rule = StrRule {
            enum_values: spec.enum_values.clone().unwrap_or_default(),
            ..StrRule::default()
        };
        match (spec.length, spec.min_length, spec.max_length) {
            (Some(exact), None, None) => (rule.min_length, rule.max_length) = (Some(exact), Some(exact)),
            (Some(_), _, _) => {
                let key = if spec.min_length.is_some() {
                    "min_length"
                } else {
                    "max_length"
                };
                self.push(src.value(
                    &join(path, key),
                    "`length` (exact) cannot be combined with min_length/max_length".into(),
                ));
            }
            (None, min, max) => {
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    self.push(src.value(
                        &join(path, "max_length"),
                        format!("min_length {lo} is greater than max_length {hi}"),
                    ));
                }
                if max == Some(0) {
                    self.push(src.value(
                        &join(path, "max_length"),
                        "max_length 0 allows only the empty string".into(),
                    ));
                }
                (rule.min_length, rule.max_length) = (min, max);
            }
        }
        rule.charset = spec.charset.as_deref().and_then(|c| match c {
            "digits" => Some(Charset::Digits),
            "alphanumeric" => Some(Charset::Alphanumeric),
            other => {
                let d = src.value(
                    &join(path, "charset"),
                    format!("unknown charset `{other}`, expected digits or alphanumeric"),
                );
                self.push(with_help(d, did_you_mean(other, ["digits", "alphanumeric"])));
                None
            }
        });
        rule.format = spec.format.as_deref().and_then(|f| match f {
            "ipv4" => Some(Format::Ipv4),
            other => {
                self.push(src.value(
                    &join(path, "format"),
                    format!("unknown format `{other}`, expected ipv4"),
                ));
                None
            }
        });
        if let Some(pattern) = &spec.pattern {
            match regex::Regex::new(pattern) {
                Ok(_) if pattern.starts_with('^') && pattern.ends_with('$') => rule.pattern = Some(pattern.clone()),
                Ok(_) => self.push(src.value(&join(path, "pattern"), "a pattern must be anchored with ^ and $".into())),
                Err(e) => self.push(src.value(&join(path, "pattern"), format!("invalid regular expression: {e}"))),
            }
        }
        for (i, value) in rule.enum_values.iter().enumerate() {
            let p = join(&join(path, "enum"), &i.to_string());
            let probe = StrRule {
                enum_values: Vec::new(),
                ..rule.clone()
            };
            if let Some(problem) = samples::str_problem(&probe, value) {
                self.push(src.value(&p, format!("enum value `{value}` breaks the field's rules: {problem}")));
            }
            if rule.enum_values[..i].contains(value) {
                self.push(src.value(&p, format!("duplicate enum value `{value}`")));
            }
            let variant = value.to_upper_camel_case();
            if variant.is_empty()
                || variant.starts_with(|c: char| c.is_ascii_digit())
                    && !value.chars().all(|c| c.is_ascii_alphanumeric())
            {
                self.push(src.value(&p, format!("enum value `{value}` has no usable Rust name")));
            } else if let Some(other) = rule.enum_values[..i]
                .iter()
                .find(|v| *v != value && v.to_upper_camel_case() == variant)
            {
                self.push(src.value(
                    &p,
                    format!("enum values `{other}` and `{value}` both become the Rust variant `{variant}`"),
                ));
            }
        }
        rule
    }

    // ----- across files -----------------------------------------------------------------------------

    fn cross_references(&mut self, set: &SpecSet, providers: &[Provider], endpoints: &[Endpoint]) {
        let names: Vec<&str> = set.providers.iter().map(|p| p.value.name.as_str()).collect();
        let ids: Vec<&str> = set.endpoints.iter().map(|e| e.value.id.as_str()).collect();
        for (i, file) in set.providers.iter().enumerate() {
            if names[..i].contains(&file.value.name.as_str()) {
                self.push(file.error("name", format!("provider `{}` is defined twice", file.value.name)));
            }
            if let Some(token) = &file.value.token_endpoint {
                match endpoints.iter().find(|e| &e.id == token) {
                    Some(e) if e.auth == AuthKind::Token => {
                        if let Err(field) = e.fixed_body() {
                            let msg = format!(
                                "`{token}` cannot be called unasked: its required field `{field}` must allow \
                                 exactly one value (`enum: [...]` with one entry)"
                            );
                            self.push(file.error("token_endpoint", msg));
                        }
                    }
                    Some(_) => {
                        self.push(file.error("token_endpoint", format!("`{token}` is not an `auth: token` endpoint")))
                    }
                    None if !ids.contains(&token.as_str()) => {
                        let d = file.error("token_endpoint", format!("unknown endpoint `{token}`"));
                        self.push(with_help(d, did_you_mean(token, ids.iter().copied())));
                    }
                    None => {}
                }
            }
            // A header filled with the bearer token needs an endpoint that issues one.
            let bearer = providers
                .iter()
                .filter(|p| p.name == file.value.name)
                .flat_map(|p| &p.headers)
                .find(|(_, set)| set.iter().any(|(_, source)| *source == HeaderSource::BearerToken));
            if let (Some((kind, _)), None) = (bearer, &file.value.token_endpoint) {
                let path = format!("headers.{}", kind.as_str());
                self.push(file.error(
                    &path,
                    "a `bearer_token` header needs `token_endpoint` (the endpoint that issues the token)",
                ));
            }
        }
        for (file, endpoint) in set
            .endpoints
            .iter()
            .filter_map(|f| endpoints.iter().find(|e| e.id == f.value.id).map(|e| (f, e)))
        {
            let Some(enveloped) = &endpoint.envelope else {
                continue;
            };
            let envelopes: Vec<&Envelope> = providers
                .iter()
                .filter(|p| p.name == endpoint.provider)
                .flat_map(|p| &p.envelopes)
                .collect();
            let known: Vec<&str> = envelopes.iter().map(|e| e.name.as_ref()).collect();
            if let Some(envelope) = envelopes.iter().find(|e| e.name == enveloped.envelope) {
                // The sandbox refuses calls with the envelope's refusal codes: the endpoint's enum must know them.
                let r = &envelope.refusals;
                for code in [&r.malformed, &r.client, &r.signature] {
                    if !endpoint.codes.iter().any(|c| &c.code == code) {
                        let msg = format!(
                            "envelope `{}` refuses calls with {code}: list it in `result_codes`",
                            envelope.name
                        );
                        self.push(file.error("result_codes", msg));
                    }
                }
            } else {
                let msg = format!(
                    "provider `{}` declares no envelope `{}`",
                    endpoint.provider, enveloped.envelope
                );
                self.push(with_help(
                    file.error("envelope", msg),
                    did_you_mean(&enveloped.envelope, known),
                ));
            }
        }
        for (file, endpoint) in set
            .endpoints
            .iter()
            .filter_map(|f| endpoints.iter().find(|e| e.id == f.value.id).map(|e| (f, e)))
        {
            let (Some(query), Some(status)) = (
                &endpoint.status_query,
                endpoint
                    .status_endpoint
                    .as_ref()
                    .and_then(|id| endpoints.iter().find(|e| &e.id == id)),
            ) else {
                continue;
            };
            for (name, _) in query.request.iter() {
                if !status.request.iter().any(|f| &f.wire == name) {
                    let path = format!("status_query.request.{name}");
                    let d = file.error_at(
                        file.positions.key(&path, 0),
                        &path,
                        format!("`{name}` is not a request field of `{}`", status.id),
                    );
                    self.push(with_help(
                        d,
                        did_you_mean(name, status.request.iter().map(|f| f.wire.as_str())),
                    ));
                }
            }
            if !status.response.iter().any(|f| f.wire == query.field) {
                let d = file.error(
                    "status_query.field",
                    format!("`{}` is not a response field of `{}`", query.field, status.id),
                );
                self.push(with_help(
                    d,
                    did_you_mean(&query.field, status.response.iter().map(|f| f.wire.as_str())),
                ));
            }
        }
        for (file, endpoint) in set
            .endpoints
            .iter()
            .filter_map(|f| endpoints.iter().find(|e| e.id == f.value.id).map(|e| (f, e)))
        {
            self.record_use(file, endpoint, providers, endpoints);
        }
        let mut modules: HashMap<(String, String), String> = HashMap::new();
        for (i, file) in set.endpoints.iter().enumerate() {
            let spec = &file.value;
            if ids[..i].contains(&spec.id.as_str()) {
                self.push(file.error("id", format!("endpoint id `{}` is used twice", spec.id)));
            }
            if !names.contains(&spec.provider.as_str()) {
                let d = file.error("provider", format!("unknown provider `{}`", spec.provider));
                self.push(with_help(d, did_you_mean(&spec.provider, names.iter().copied())));
            }
            if let Some(status) = &spec.status_endpoint
                && !ids.contains(&status.as_str())
            {
                let d = file.error("status_endpoint", format!("unknown endpoint `{status}`"));
                self.push(with_help(d, did_you_mean(status, ids.iter().copied())));
            }
            let module = spec
                .id
                .split_once('.')
                .map(|(_, rest)| rest.replace('.', "_"))
                .unwrap_or_default();
            if let Some(other) = modules.insert((spec.provider.clone(), module.clone()), spec.id.clone())
                && other != spec.id
            {
                let msg = format!("ids `{other}` and `{}` both become the Rust name `{module}`", spec.id);
                self.push(file.error("id", msg));
            }
            if let (Some(provider), Some(auth)) = (
                providers.iter().find(|p| p.name == spec.provider),
                AuthKind::parse(&spec.auth),
            ) && provider.signature_for(auth).is_none()
            {
                let msg = format!(
                    "provider `{}` has no `signatures.{}` recipe",
                    provider.name,
                    auth.as_str()
                );
                self.push(file.error("auth", msg));
            }
        }
    }
}

impl Lowering {
    /// An endpoint's `record` against its operation and its provider's record kinds: the kind exists, its key
    /// fields are request fields (required except on create), every endpoint that looks a record up declares the
    /// kind's not-found code, and a `notify` endpoint is inbound and reports a kind whose status says what a paid
    /// record holds (`paid`), since the sandbox could not tell a paid record from an unpaid one otherwise.
    fn record_use(
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
            if operation.needs_record() {
                let what = match operation {
                    Operation::Notify => "whose payments it notifies",
                    _ => "it acts on",
                };
                let msg = format!(
                    "operation `{}` needs `record`: the provider's kind of record {what}",
                    operation.as_str()
                );
                self.push(file.error("operation", msg));
            }
            return;
        };
        if !(operation.needs_record() || operation == Operation::Status) {
            let msg = format!(
                "`record` goes with operation create, update, delete, status or notify, not `{}`",
                operation.as_str()
            );
            self.push(file.error("record", msg));
            return;
        }
        let Some(provider) = providers.iter().find(|p| p.name == endpoint.provider) else {
            return;
        };
        let Some(kind) = provider.record(name) else {
            let msg = format!("provider `{}` defines no record kind `{name}`", provider.name);
            let d = file.error("record", msg);
            self.push(with_help(
                d,
                did_you_mean(name, provider.records.iter().map(|r| r.name.as_str())),
            ));
            return;
        };
        for key in &kind.key {
            match request_field(&endpoint.request, key) {
                None => {
                    let msg = format!("record `{name}` is keyed by `{key}`, which is not a request field here");
                    self.push(file.error("record", msg));
                }
                Some(field) if !field.required && operation != Operation::Create => {
                    let msg = format!("`{key}` identifies the `{name}` record, so it must be required here");
                    self.push(file.error("record", msg));
                }
                Some(_) => {}
            }
        }
        if operation == Operation::Notify {
            self.paid_is_known(file, endpoint, name, endpoints);
            // The merchant answers a notification, not the provider: its codes are the merchant's to choose.
            return;
        }
        let not_found = format!("{}{}{}", kind.not_found_http, endpoint.service_code, kind.not_found);
        if operation != Operation::Create && !endpoint.codes.iter().any(|c| c.code == not_found) {
            let msg = format!(
                "an unknown `{name}` record is answered with {not_found} (`not_found` in {}/provider.yaml): declare it",
                provider.name
            );
            self.push(file.error("codes", msg));
        }
    }

    /// A `notify` endpoint's kind has a `status` endpoint that says what a paid record holds (`paid`).
    fn paid_is_known(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, kind: &str, all: &[Endpoint]) {
        let known = all.iter().any(|e| {
            e.provider == endpoint.provider
                && e.operation == Operation::Status
                && e.record.as_deref() == Some(kind)
                && !e.paid.is_empty()
        });
        if !known {
            let msg = format!(
                "nothing says what a paid `{kind}` record holds, so this notification would never be sent: give a \
                 `status` endpoint of `{kind}` records `paid` (the response fields that report a paid record)"
            );
            self.push(file.error("record", msg));
        }
    }

    /// Each `paid` entry (on a `status` endpoint with a `record`) names a response field outside lists, once, with
    /// a value the field allows: the record holds it under that wire name, and the status answers it from there.
    fn paid_fields(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.paid.is_empty()) {
            let Some(file) = set.endpoints.iter().find(|f| f.value.id == endpoint.id) else {
                continue;
            };
            let src = Src::of(file);
            if endpoint.operation != Operation::Status || endpoint.record.is_none() {
                let msg = "`paid` goes with operation `status` and a `record`: it says how that status reports a \
                           paid record";
                self.push(src.at(src.positions.key("paid", 0), "paid", msg.into()));
                continue;
            }
            // The record's fields answer response fields by wire name at any depth, but not inside lists.
            let responses: Vec<paths::FieldPath> = paths::flatten_with(types, &endpoint.response)
                .into_iter()
                .filter(|r| !r.wire_path.contains("[]"))
                .collect();
            let last = |r: &paths::FieldPath| r.wire_path.rsplit('.').next().unwrap_or_default().to_owned();
            for (i, (name, value)) in endpoint.paid.iter().enumerate() {
                let path = join("paid", name);
                let nth = endpoint.paid[..i].iter().filter(|(n, _)| n == name).count();
                if nth > 0 {
                    let msg = format!("`{name}` is given twice");
                    self.push(src.at(src.positions.key(&path, nth), &path, msg));
                    continue;
                }
                let Some(field) = responses.iter().find(|r| last(r) == *name) else {
                    let msg = format!("`{name}` is not a response field here (lists are not looked into)");
                    let d = src.at(src.positions.key(&path, 0), &path, msg);
                    let known: Vec<String> = responses.iter().map(last).collect();
                    self.push(with_help(d, did_you_mean(name, known.iter().map(String::as_str))));
                    continue;
                };
                if !field.enum_values.is_empty() && !field.enum_values.contains(value) {
                    let msg = format!(
                        "`{value}` is not a value of `{}` ({})",
                        field.wire_path,
                        field.enum_values.join(", ")
                    );
                    self.push(src.value(&path, msg));
                }
            }
        }
    }
}

/// The field at a dotted wire path (`amount.value`), through inline objects.
fn request_field<'f>(fields: &'f [Field], path: &str) -> Option<&'f Field> {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    let field = fields.iter().find(|f| f.wire == head)?;
    match (rest, &field.ty) {
        (None, _) => Some(field),
        (Some(rest), FieldType::Object(inner)) => request_field(inner, rest),
        _ => None,
    }
}

/// Walks fields the way the emitter names types, reporting a name wanted by two spec paths.
fn collect_type_names(
    path: &str,
    prefix: &str,
    fields: &[Field],
    names: &mut BTreeMap<String, String>,
    clash: &mut dyn FnMut(&str, &str, &str),
) {
    for f in fields {
        let p = join(path, &f.wire);
        let name = format!("{prefix}{}", f.type_name);
        let mut ty = &f.ty;
        let mut field_path = p.clone();
        if let FieldType::List { items, .. } = ty {
            ty = items;
            field_path = join(&p, "items");
        }
        let needs_name = match ty {
            FieldType::Str(rule) => !rule.enum_values.is_empty() || rule.pattern.is_some(),
            FieldType::Object(_) => true,
            _ => false,
        };
        if needs_name {
            for wanted in [name.clone(), format!("{name}Builder")] {
                if let Some(first) = names.get(&wanted) {
                    clash(&wanted, first, &p);
                } else {
                    names.insert(wanted, p.clone());
                }
            }
        }
        if let FieldType::Object(inner) = ty {
            collect_type_names(&join(&field_path, "fields"), &name, inner, names, clash);
        }
    }
}

/// Whether a dotted wire path (`amount.value`) names a field of `fields` (through inline objects).
/// Checks the paths of one endpoint's cross-field rules against its flattened request.
struct RuleCheck<'a> {
    src: Src<'a>,
    rows: &'a [paths::FieldPath],
    out: Vec<Diagnostic>,
}

impl RuleCheck<'_> {
    fn row(&mut self, at: &str, path: &str) -> Option<&paths::FieldPath> {
        let found = self.rows.iter().find(|r| r.wire_path == path);
        if found.is_none() {
            let d = self.src.value(at, format!("`{path}` is not a request field"));
            let known: Vec<&str> = self.rows.iter().map(|r| r.wire_path.as_str()).collect();
            self.out.push(with_help(d, did_you_mean(path, known)));
        }
        found
    }

    /// Paths whose presence a rule tests: request fields outside lists, not already always required.
    fn presence_paths(&mut self, at: &str, fields: &[String]) {
        for (i, field) in fields.iter().enumerate() {
            let at = format!("{at}.{i}");
            let Some(row) = self.row(&at, field) else { continue };
            if row.required {
                let msg = format!("`{field}` is always required, so this rule changes nothing");
                self.out.push(self.src.value(&at, msg));
            } else if field.contains("[]") {
                let msg = format!("`{field}` is inside a list; name the list instead");
                self.out.push(self.src.value(&at, msg));
            }
        }
    }

    /// A `limit` names a string value and narrows its own length limits.
    fn limit(&mut self, at: &str, field: &str, min: Option<u32>, max: Option<u32>) {
        let field_at = join(at, "field");
        let Some(row) = self.row(&field_at, field) else { return };
        let (kind, own_min, own_max) = (row.kind, row.min_length.unwrap_or(0), row.max_length);
        if kind != "string" {
            let msg = format!(
                "`{field}` is {}; a `limit` narrows the length of a string",
                with_article(kind)
            );
            self.out.push(self.src.value(&field_at, msg));
            return;
        }
        let narrows_min = min.is_some_and(|m| m > own_min);
        let narrows_max = max.is_some_and(|m| own_max.is_none_or(|own| m < own));
        if !narrows_min && !narrows_max {
            let msg = format!("`{field}` already allows no more than this, so the limit changes nothing");
            self.out.push(self.src.value(at, msg));
        }
    }

    /// A condition (or an `allow`) names a string value, and values it may take.
    fn condition(&mut self, at: &str, condition: &Condition, through_lists: bool) {
        let field_at = join(at, "field");
        let Some(row) = self.row(&field_at, &condition.field) else {
            return;
        };
        let (kind, allowed) = (row.kind, row.enum_values.clone());
        if !matches!(kind, "string" | "enum") {
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            let msg = format!(
                "`{}` is {article} {kind}; a rule can only test a string",
                condition.field
            );
            self.out.push(self.src.value(&field_at, msg));
        } else if !through_lists && condition.field.contains("[]") {
            let msg = format!("`{}` is inside a list; a condition tests one value", condition.field);
            self.out.push(self.src.value(&field_at, msg));
        }
        for (i, value) in condition.is.iter().enumerate() {
            if !allowed.is_empty() && !allowed.contains(value) {
                let d = self.src.value(
                    &format!("{at}.is.{i}"),
                    format!("`{value}` is not one of the values of `{}`", condition.field),
                );
                self.out
                    .push(with_help(d, did_you_mean(value, allowed.iter().map(String::as_str))));
            }
        }
    }
}

/// `an object`, `a string`.
fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

fn request_has_path(fields: &[Field], path: &str) -> bool {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    fields.iter().any(|f| {
        f.wire == head
            && match (rest, &f.ty) {
                (None, _) => true,
                (Some(rest), FieldType::Object(inner)) => request_has_path(inner, rest),
                _ => false,
            }
    })
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_upper_camel(s: &str) -> bool {
    !s.is_empty() && s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn is_utc_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[3] == b':'
        && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit())
}

/// Whether `path` can be a route: absolute, without spaces.
fn is_route(path: &str) -> bool {
    path.starts_with('/') && !path.contains(char::is_whitespace)
}
