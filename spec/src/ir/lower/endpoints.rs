//! Endpoint files, one at a time: id, method, route and aliases, service codes, auth, direction, operation
//! and the field sets (the path parameters in `params`). An endpoint with any problem is reported and left out
//! of the API; its rules and answers are lowered only once the rest is sound, so their paths can be checked
//! against its fields.

use super::names::{is_digits, is_route, is_snake};
use super::record_names::RecordNames;
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::*;
use crate::yaml::raw;
use crate::yaml::{Loaded, SpecSet};

/// What the checks of one endpoint produced, before it is assembled.
struct Checked {
    module: String,
    method: String,
    service: String,
    refusal_service: String,
    auth: AuthKind,
    direction: Direction,
    operation: Operation,
    enveloped: Option<Enveloped>,
    status_query: Option<StatusQuery>,
    headers: Vec<Field>,
    params: Vec<Field>,
    request: Vec<Field>,
    response: Vec<Field>,
    codes: Vec<EndpointCode>,
    cases: Vec<(Situation, Case)>,
}

impl Lowering {
    /// Every endpoint that lowers without a problem, by id.
    pub(super) fn endpoints(&mut self, set: &SpecSet, codes: &CodeTables, types: &[ObjectType]) -> Vec<Endpoint> {
        let type_names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
        let mut endpoints: Vec<Endpoint> = Vec::new();
        for file in &set.endpoints {
            match self.endpoint(file, codes, &type_names) {
                Some(endpoint) => endpoints.push(endpoint),
                None => self.failed.endpoints.known.push(file.value.id.clone()),
            }
        }
        endpoints.sort_by(|a, b| a.info.id.cmp(&b.info.id));
        endpoints
    }

    fn endpoint(&mut self, file: &Loaded<raw::EndpointFile>, codes: &CodeTables, types: &[String]) -> Option<Endpoint> {
        let src = Src::of(file);
        let spec = &file.value;
        let before = self.diagnostics.len();
        let module = self.endpoint_id(src, spec);
        let method = self.route(src, spec);
        let enveloped = self.enveloped(src, spec);
        let service = self.endpoint_service_code(src, spec, codes);
        let refusal_service = self.refusal_service_code(src, spec, codes, &service);
        let auth = self.auth(src, spec);
        let ([headers, request, response], whole) = self.field_sets(src, spec, types);
        let params = self.params(src, spec);
        // Paths into a request that lost a field cannot be checked: they may name that field.
        let known = whole.then_some(request.as_slice());
        let endpoint_codes = match enveloped.is_some() || !spec.result_codes.is_empty() {
            true => self.result_codes(src, spec),
            false => self.endpoint_codes(src, spec, [&service, &refusal_service], codes),
        };
        let cases = self.endpoint_cases(src, spec, [&service, &refusal_service], &endpoint_codes, codes);
        let operation = self.operation(src, spec, known);
        let status_query = self.status_query(src, spec, known);
        let direction = self.direction(src, spec);
        if self.diagnostics.len() != before {
            return None;
        }
        let checked = Checked {
            module: module?,
            method,
            service,
            refusal_service,
            auth: auth?,
            direction: direction?,
            operation: operation?,
            enveloped,
            status_query,
            headers,
            params,
            request,
            response,
            codes: endpoint_codes,
            cases,
        };
        // A malformed rule is dropped with its diagnostic, so the paths of the others are still checked.
        let rules = self.cross_rules(src, spec);
        let answers = self.answers(src, spec);
        let names = self.record_shape(src, spec);
        let customer = self.customer_use(src, spec, &checked.headers, &checked.codes);
        Some(assemble(file, checked, rules, answers, names, customer))
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

    /// The HTTP method (returned upper-case), the path and its aliases.
    fn route(&mut self, src: Src, spec: &raw::EndpointFile) -> String {
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
        method
    }

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

    /// The two-digit service code; an enveloped endpoint has none (its framing is not SNAP's).
    fn endpoint_service_code(&mut self, src: Src, spec: &raw::EndpointFile, codes: &CodeTables) -> String {
        let service = match (&spec.service_code, &spec.envelope) {
            (Some(_), Some(_)) => {
                let msg = "an endpoint in an `envelope` has no SNAP service code; remove `service_code`";
                self.push(src.value("service_code", msg.into()));
                return String::new();
            }
            (None, Some(_)) => return String::new(),
            // Answers in the provider's own JSON (`results`) carry no SNAP code, nor does a merchant's answer to its
            // notification, which is its HTTP status alone (checked with the provider, in `results_use`).
            (None, None) if !spec.result_codes.is_empty() || merchant_answers_status(spec) => return String::new(),
            (Some(_), None) if !spec.result_codes.is_empty() => {
                let msg = "an endpoint answering `result_codes` has no SNAP service code; remove `service_code`";
                self.push(src.value("service_code", msg.into()));
                return String::new();
            }
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
            && !self.failed.service(&spec.provider, service)
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
        if is_digits(refusal, 2) && !known && self.failed.service(&spec.provider, refusal) {
            // The code was reported where it is defined.
        } else if !is_digits(refusal, 2) || !known {
            let msg =
                format!("refusal service code `{refusal}` must be two digits of the code table or the provider's");
            self.push(src.value("refusal_service_code", msg));
        } else if refusal == service {
            let msg = format!("`{refusal}` is the endpoint's service code already; remove `refusal_service_code`");
            self.push(src.value("refusal_service_code", msg));
        }
        refusal.clone()
    }

    fn auth(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<AuthKind> {
        let auth = AuthKind::parse(&spec.auth);
        if auth.is_none() {
            let known = AuthKind::ALL.map(|(s, _)| s);
            let d = src.value(
                "auth",
                format!("unknown auth `{}`, expected one of {}", spec.auth, known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(&spec.auth, known)));
        }
        auth
    }

    /// Headers, request and response, the Rust type names each module derives from them, and whether the
    /// request is whole (no field of it was left out for a problem).
    fn field_sets(&mut self, src: Src, spec: &raw::EndpointFile, types: &[String]) -> ([Vec<Field>; 3], bool) {
        let headers = self.headers(src, &spec.headers);
        let dropped = self.dropped_fields;
        let request = self.fields(src, "request", &spec.request, types);
        let whole = self.dropped_fields == dropped;
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
        ([headers, request, response], whole)
    }

    fn direction(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<Direction> {
        match spec.direction.as_deref() {
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
        }
    }

    /// The endpoint's operation, and that its idempotency keys name request fields (when the request is whole).
    fn operation(&mut self, src: Src, spec: &raw::EndpointFile, request: Option<&[Field]>) -> Option<Operation> {
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
        let Some(request) = request else {
            return operation;
        };
        for (i, key) in spec.idempotency_keys.iter().enumerate() {
            if !super::fields::request_has_path(request, key) {
                let d = src.value(
                    &join("idempotency_keys", &i.to_string()),
                    format!("`{key}` is not a request field"),
                );
                self.push(with_help(d, did_you_mean(key, request.iter().map(|f| f.wire.as_str()))));
            }
        }
        operation
    }
}

fn assemble(
    file: &Loaded<raw::EndpointFile>,
    c: Checked,
    rules: Vec<Rule>,
    answers: Vec<Answered>,
    names: RecordNames,
    customer: Option<CustomerUse>,
) -> Endpoint {
    let spec = &file.value;
    let info = EndpointInfo {
        id: spec.id.clone().into(),
        provider: spec.provider.clone().into(),
        method: c.method.into(),
        path: spec.path.clone().into(),
        service_code: c.service.into(),
        auth: c.auth,
        summary: spec.summary.clone().into(),
        envelope: c.enveloped,
        status_field: spec
            .status_field
            .as_deref()
            .and_then(super::results::answer_path)
            .map(|segments| segments.into_iter().map(Into::into).collect()),
    };
    Endpoint {
        info,
        module: c.module,
        doc: spec.doc.clone(),
        aliases: spec.aliases.clone(),
        refusal_service_code: c.refusal_service,
        empty_means_missing: spec.empty_means_missing,
        cases: c.cases,
        status_endpoint: spec.status_endpoint.clone(),
        direction: c.direction,
        operation: c.operation,
        record: spec.record.clone(),
        carries: spec.carries.clone(),
        paid: spec.paid.0.clone(),
        record_key: names.key,
        record_fields: names.fields,
        record_headers: names.headers,
        record_codes: names.codes,
        record_from: names.from,
        record_sets: names.sets,
        record_of: names.of,
        record_picks: spec
            .record_picks
            .iter()
            .map(|p| RecordPick {
                list: p.list.clone(),
                member: p.member.clone(),
                asked: p.asked.clone(),
            })
            .collect(),
        notifies: spec.notifies.0.clone(),
        customer,
        idempotency_keys: spec.idempotency_keys.clone(),
        status_query: c.status_query,
        headers: c.headers,
        params: c.params,
        request: c.request,
        response: c.response,
        codes: c.codes,
        rules,
        answers,
        file: file.file.display().to_string().replace('\\', "/"),
    }
}

/// An inbound endpoint that lists no codes at all: the merchant answers with an HTTP status alone, as a provider's
/// own JSON has it (DOKU's non-SNAP notification wants any 2xx).
pub(super) fn merchant_answers_status(spec: &raw::EndpointFile) -> bool {
    spec.direction.as_deref() == Some("inbound") && spec.codes.is_empty() && spec.result_codes.is_empty()
}
