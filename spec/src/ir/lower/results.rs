//! `results:` of a provider whose answers are its own JSON rather than SNAP bodies (DOKU's non-SNAP APIs): where a
//! refusal's code and message are, and what the provider answers in each situation it refuses a call in; and the
//! checks that tie an endpoint's `result_codes` and `status_field` to them.

use super::endpoints::merchant_answers_status;
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Endpoint, ObjectType, OwnRefusal, Path, Provider, Results, Situation, Text, paths};
use crate::yaml::Loaded;
use crate::yaml::raw::{self, EndpointFile};

/// The situations in which the sandbox refuses a call before serving it, so a provider with `results` must say
/// how it answers each: an unreadable body, a malformed or a missing field or header, a refused signature,
/// client or timestamp.
const REQUIRED: [Situation; 4] = [
    Situation::BadRequest,
    Situation::InvalidField,
    Situation::MissingField,
    Situation::Unauthorized,
];

impl Lowering {
    /// `results:` of a provider file: where answers carry their code and message, and its refusals.
    pub(super) fn results(&mut self, src: Src, spec: Option<&raw::ResultsSpec>) -> (Option<Results>, Vec<OwnRefusal>) {
        let Some(spec) = spec else {
            return (None, Vec::new());
        };
        let code = self.member_paths(src, "results.code", &spec.code);
        let message = self.member_paths(src, "results.message", &spec.message);
        let refusals = spec.refusals.iter().enumerate();
        let refusals: Vec<OwnRefusal> = refusals
            .filter_map(|(i, r)| self.own_refusal(src, &format!("results.refusals.{i}"), r, &code))
            .collect();
        // A situation named (even by an entry with another mistake, or by a typo reported with its right
        // spelling) is not reported again as missing.
        let named = |key: &str| {
            spec.refusals.iter().any(|r| {
                r.when == key
                    || did_you_mean(&r.when, Situation::ALL.map(|(k, _)| k))
                        .is_some_and(|h| h.contains(&format!("`{key}`")))
            })
        };
        for situation in REQUIRED {
            let key = Situation::ALL
                .iter()
                .find(|(_, s)| *s == situation)
                .map_or("", |(k, _)| k);
            if !named(key) {
                let msg = format!("say how the provider refuses `{key}` (the sandbox refuses calls in it)");
                self.push(src.value("results.refusals", msg));
            }
        }
        let results = Results {
            code: code.into(),
            message: message.into(),
        };
        (Some(results), refusals)
    }

    /// At least one wire path, each well formed.
    fn member_paths(&mut self, src: Src, path: &str, values: &[String]) -> Vec<Path> {
        if values.is_empty() {
            self.push(src.value(path, "name at least one wire path (`[error.code]`)".into()));
        }
        let paths = values.iter().enumerate();
        paths
            .map(|(i, v)| self.member_path(src, &join(path, &i.to_string()), v).into())
            .collect()
    }

    /// A wire path into an answer: member names joined by `.`, a list item by its index (`message[0]`), as
    /// segments (`message`, `0`).
    fn member_path(&mut self, src: Src, path: &str, value: &str) -> Vec<Text> {
        let segments = answer_path(value);
        if segments.is_none() {
            let msg =
                format!("`{value}` is not a wire path: member names joined by `.`, items by index (`message[0]`)");
            self.push(src.value(path, msg));
        }
        segments.unwrap_or_default().into_iter().map(Text::from).collect()
    }

    fn own_refusal(&mut self, src: Src, path: &str, spec: &raw::OwnRefusalSpec, code: &[Path]) -> Option<OwnRefusal> {
        let situation = match Situation::ALL.iter().find(|(k, _)| *k == spec.when) {
            Some((_, situation)) => Some(*situation),
            None => {
                let d = src.value(&join(path, "when"), format!("unknown situation `{}`", spec.when));
                self.push(with_help(d, did_you_mean(&spec.when, Situation::ALL.map(|(k, _)| k))));
                None
            }
        };
        let header = match spec.place.as_deref() {
            None => Some(None),
            Some("header") => Some(Some(true)),
            Some("body") => Some(Some(false)),
            Some(other) => {
                let msg = format!("`in` is `header` or `body`, not `{other}`");
                self.push(src.value(&join(path, "in"), msg));
                None
            }
        };
        if !(100..=599).contains(&spec.http) {
            self.push(src.value(&join(path, "http"), format!("HTTP status {} is not one", spec.http)));
        }
        let body = match serde_json::to_value(&spec.body) {
            Ok(body @ serde_json::Value::Object(_)) => Some(body),
            _ => {
                self.push(src.value(&join(path, "body"), "the body is a JSON object".into()));
                None
            }
        };
        let (situation, header, body) = (situation?, header?, body?);
        let code = code.iter().find_map(|p| text_at(&body, p)).filter(|c| !c.contains('{'));
        Some(OwnRefusal {
            situation,
            reason: spec.reason.clone(),
            header,
            http: spec.http,
            code: code.map(str::to_owned),
            body,
        })
    }

    /// Every lowered endpoint answers in its provider's framing, and its `status_field` is a response field.
    pub(super) fn result_framing(
        &mut self,
        set: &crate::yaml::SpecSet,
        providers: &[Provider],
        types: &[ObjectType],
        endpoints: &[Endpoint],
    ) {
        for (file, endpoint) in super::lowered(set, endpoints) {
            self.results_use(file, endpoint, providers);
            self.status_field_use(file, endpoint, types);
        }
    }

    /// An endpoint answers in its provider's framing: with `result_codes` (and the refusals' codes among them)
    /// when the provider declares `results`, with SNAP `codes` otherwise.
    fn results_use(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, providers: &[Provider]) {
        let Some(provider) = providers.iter().find(|p| p.name == endpoint.info.provider) else {
            return;
        };
        // The merchant answers a provider's call: a provider that only asks for a 2xx (WooshPay's webhooks) names no
        // code of that answer.
        if merchant_answers_status(&file.value) {
            if provider.results.is_none() && endpoint.info.envelope.is_none() && endpoint.info.service_code.is_empty() {
                self.push(file.error("id", "`service_code` is required (two digits)"));
            }
            return;
        }
        let own_json = !file.value.result_codes.is_empty() && endpoint.info.envelope.is_none();
        match (&provider.results, own_json) {
            (Some(results), true) => {
                self.refusals_listed(file, endpoint, provider);
                self.code_places(file, endpoint, results);
            }
            (Some(_), false) if endpoint.info.envelope.is_none() => {
                let msg = format!(
                    "provider `{}` answers with its own JSON (`results`): list the endpoint's `result_codes`, with \
                     their `http` status, instead of SNAP `codes`",
                    provider.name
                );
                self.push(file.error("codes", msg));
            }
            (None, true) => {
                let msg = format!(
                    "provider `{}` declares no `results`, so its answers are SNAP bodies: list SNAP `codes`",
                    provider.name
                );
                self.push(file.error("result_codes", msg));
            }
            _ => {}
        }
    }

    /// The sandbox refuses calls with the provider's fixed refusal codes: the endpoint's enum must know them.
    fn refusals_listed(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, provider: &Provider) {
        let mut fixed: Vec<(&str, u16)> = Vec::new();
        for refusal in &provider.refusals {
            if let Some(code) = &refusal.code
                && !fixed.contains(&(code.as_str(), refusal.http))
            {
                fixed.push((code, refusal.http));
            }
        }
        for (code, http) in fixed {
            if !endpoint.codes.iter().any(|c| c.code == code && c.http == http) {
                let msg = format!(
                    "provider `{}` refuses calls with {code} (HTTP {http}): list it in `result_codes`",
                    provider.name
                );
                self.push(file.error("result_codes", msg));
            }
        }
    }

    /// A result code's `at` is one of the provider's code places, where a caller looks for it.
    fn code_places(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, results: &Results) {
        // Located by the file's own index: a code that failed to lower is not in `endpoint.codes`.
        for (i, raw) in file.value.result_codes.iter().enumerate() {
            let Some(at) = endpoint
                .codes
                .iter()
                .find(|c| c.code == raw.code)
                .and_then(|c| c.at.as_ref())
            else {
                continue;
            };
            if results
                .code
                .iter()
                .any(|p| p.iter().map(|s| &**s).eq(at.iter().map(String::as_str)))
            {
                continue;
            }
            let places: Vec<String> = results
                .code
                .iter()
                .map(|p| format!("`{}`", written_path(p.iter().map(|s| &**s))))
                .collect();
            let msg = format!(
                "`{}` is not one of {}'s code places ({}), where a caller reads codes",
                written_path(at.iter().map(String::as_str)),
                endpoint.info.provider,
                places.join(", ")
            );
            self.push(file.error(&format!("result_codes.{i}.at"), msg));
        }
    }

    /// `status_field` names a string response field.
    fn status_field_use(&mut self, file: &Loaded<EndpointFile>, endpoint: &Endpoint, types: &[ObjectType]) {
        let Some(field) = &file.value.status_field else {
            return;
        };
        let response = paths::flatten_with(types, &endpoint.response);
        // A list item by index is the list's item in the flat view (`message[0]` → `message[]`).
        let flat = field.replace("[0]", "[]");
        let found = response.iter().find(|f| f.wire_path == flat);
        let d = match found {
            Some(f) if matches!(f.kind, "string" | "enum") => return,
            Some(f) => file.error(
                "status_field",
                format!("status field `{field}` is {}, not a string", f.kind),
            ),
            None => {
                let msg = format!("`{field}` is not a response field of `{}`", endpoint.info.id);
                let known = response.iter().map(|f| f.wire_path.as_str());
                with_help(file.error("status_field", msg), did_you_mean(field, known))
            }
        };
        self.push(d);
    }
}

/// `error.code` → `["error", "code"]`, `message[0]` → `["message", "0"]`; `None` when a member is empty or an
/// index is not a number.
pub(super) fn answer_path(value: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    for member in value.split('.') {
        let (name, index) = match member.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']')?)),
            None => (member, None),
        };
        if name.is_empty() || name.trim() != name {
            return None;
        }
        segments.push(name.to_owned());
        if let Some(index) = index {
            index.parse::<usize>().ok()?;
            segments.push(index.to_owned());
        }
    }
    Some(segments)
}

/// Segments as a spec writes them: `message`, `0` → `message[0]`.
fn written_path<'s>(segments: impl Iterator<Item = &'s str>) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment.parse::<usize>() {
            Ok(_) => out.push_str(&format!("[{segment}]")),
            Err(_) if out.is_empty() => out.push_str(segment),
            Err(_) => out.push_str(&format!(".{segment}")),
        }
    }
    out
}

/// The string at `path` (segments) in `value`; a segment of digits indexes a list.
fn text_at<'v>(value: &'v serde_json::Value, path: &[Text]) -> Option<&'v str> {
    let step = |v: &'v serde_json::Value, member: &Text| match v {
        serde_json::Value::Array(items) => items.get(member.parse::<usize>().ok()?),
        _ => v.get(&**member),
    };
    path.iter().try_fold(value, step)?.as_str()
}
