//! An endpoint's response codes: SNAP `codes` (seven digits, named and given outcomes by the case table) or,
//! for an endpoint in an `envelope` or of a provider answering its own JSON (`results`), its `result_codes`; the
//! framings exclude each other.

use std::collections::HashMap;

use heck::ToUpperCamelCase;

use super::names::is_digits;
use super::results::answer_path;
use super::{Lowering, Src, join, with_help};
use crate::ir::{Case, CodeTables, EndpointCode, Enveloped, Situation};
use crate::yaml::raw::{self, CodeRefSpec, ResultCodeSpec};

/// The SNAP codes of an endpoint lowered so far, and which code took each variant name first.
#[derive(Default)]
struct Seen {
    codes: Vec<EndpointCode>,
    names: HashMap<String, String>,
}

impl Lowering {
    /// `envelope` with its `function` and `result_codes`, which belong together; SNAP `codes` do not apply.
    pub(super) fn enveloped(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<Enveloped> {
        let Some(envelope) = &spec.envelope else {
            if spec.function.is_some() {
                self.push(src.value("function", "`function` names an operation inside an `envelope`".into()));
            }
            return None;
        };
        if spec.result_codes.is_empty() {
            let msg = "list the `result_codes` this endpoint answers with (at least its success)";
            self.push(src.value("envelope", msg.into()));
        }
        if spec.status_field.is_some() {
            let msg = "an enveloped answer's code is its result object's; `status_field` is for a provider's own JSON";
            self.push(src.value("status_field", msg.into()));
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
            envelope: envelope.clone().into(),
            function: function.into(),
        })
    }

    /// The result codes of an endpoint not answering SNAP bodies: names such as `SUCCESS` (in an envelope,
    /// with the provider's status letter) or `invalid_signature` (in a provider's own JSON, with the HTTP
    /// status), each with its outcome. SNAP `codes` do not apply beside them.
    pub(super) fn result_codes(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<EndpointCode> {
        if !spec.codes.is_empty() {
            let msg = "an endpoint that lists `result_codes` does not list SNAP `codes`";
            self.push(src.value("codes", msg.into()));
        }
        if spec.status_field.is_some() && spec.result_codes.is_empty() {
            let msg = "`status_field` gives the code of a 2xx answer: list the `result_codes` it can hold";
            self.push(src.value("status_field", msg.into()));
        }
        let mut out: Vec<EndpointCode> = Vec::new();
        for (i, result) in spec.result_codes.iter().enumerate() {
            let path = format!("result_codes.{i}");
            if let Some(code) = self.result_code(src, &path, result, spec.envelope.is_some(), &out) {
                out.push(code);
            }
        }
        out
    }

    fn result_code(
        &mut self,
        src: Src,
        path: &str,
        result: &ResultCodeSpec,
        enveloped: bool,
        earlier: &[EndpointCode],
    ) -> Option<EndpointCode> {
        let code = &result.code;
        let name = code.to_upper_camel_case();
        if !self.result_code_is_new(src, path, code, &name, enveloped, earlier) {
            return None;
        }
        let http = self.result_http(src, path, result, enveloped)?;
        let outcome = self.outcome(src, &join(path, "outcome"), &result.outcome)?;
        Some(EndpointCode {
            code: code.clone(),
            http,
            case: String::new(),
            name,
            message: result.message.clone(),
            outcome,
            status: result.status.clone(),
            id: result.id.clone(),
            at: self.code_place(src, path, result, enveloped),
            doc: Some(published_doc(result)),
        })
    }

    /// Written as the provider answers it, and neither the code nor its Rust name taken before.
    fn result_code_is_new(
        &mut self,
        src: Src,
        path: &str,
        code: &str,
        name: &str,
        enveloped: bool,
        earlier: &[EndpointCode],
    ) -> bool {
        let at = join(path, "code");
        // An envelope's codes are UPPER_SNAKE_CASE (DANA's); a provider's own JSON may use snake case of either
        // letter case or words (DOKU's `PENDING`, `PAYMENT CHANNEL IS INACTIVE`; Stripe-style `resource_missing`).
        let well_formed = match enveloped {
            true => {
                code.starts_with(|c: char| c.is_ascii_uppercase())
                    && code
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            }
            false => {
                code.starts_with(|c: char| c.is_ascii_alphabetic())
                    && !code.ends_with(' ')
                    && !code.contains("  ")
                    && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ')
            }
        };
        if !well_formed {
            let case = match enveloped {
                true => "UPPER_SNAKE_CASE",
                false => "letters, digits, `_` and single spaces, starting with a letter",
            };
            self.push(src.value(
                &at,
                format!("result code `{code}` must be {case}, as the provider answers it"),
            ));
            return false;
        }
        if let Some(other) = earlier.iter().find(|c| c.code == code || c.name == name) {
            let msg = match other.code == code {
                true => format!("duplicate result code {code}"),
                false => format!("result codes {} and {code} would both be named `{name}`", other.code),
            };
            self.push(src.value(&at, msg));
            return false;
        }
        true
    }

    /// The HTTP status of a result code: an envelope answers every code with 200 and a status letter; a
    /// provider's own JSON gives each its status.
    fn result_http(&mut self, src: Src, path: &str, result: &ResultCodeSpec, enveloped: bool) -> Option<u16> {
        match (enveloped, result.status.is_some(), result.http) {
            (true, true, None) => Some(200),
            (true, _, Some(_)) => {
                let msg = "an envelope answers every code with HTTP 200; give its `status` letter, not `http`";
                self.push(src.value(&join(path, "http"), msg.into()));
                None
            }
            (true, false, None) => {
                let msg = "a result code in an envelope needs the provider's `status` letter (S, F or U)";
                self.push(src.value(path, msg.into()));
                None
            }
            (false, true, _) => {
                let msg = "`status` is an envelope's letter; a provider's own JSON gives the code's `http` status";
                self.push(src.value(&join(path, "status"), msg.into()));
                None
            }
            (false, false, None) => {
                self.push(src.value(path, "give the HTTP status this code is answered with (`http`)".into()));
                None
            }
            (false, false, Some(http)) if !(100..=599).contains(&http) => {
                self.push(src.value(&join(path, "http"), format!("HTTP status {http} is not one")));
                None
            }
            (false, false, Some(http)) => Some(http),
        }
    }

    /// `at`: a wire path, of a provider's own JSON only (an envelope has one place for its codes). That it is one of
    /// the provider's code places is checked with the provider, in `results_use`.
    fn code_place(&mut self, src: Src, path: &str, result: &ResultCodeSpec, enveloped: bool) -> Option<Vec<String>> {
        let at = result.at.as_deref()?;
        let place = join(path, "at");
        if enveloped {
            let msg = "an envelope answers its codes in its result object; `at` is for a provider's own JSON";
            self.push(src.value(&place, msg.into()));
            return None;
        }
        let segments = answer_path(at);
        if segments.is_none() {
            let msg = format!("`{at}` is not a wire path: member names joined by `.`, items by index (`message[0]`)");
            self.push(src.value(&place, msg));
        }
        segments
    }

    /// The endpoint's SNAP codes; `services` are its service code and the one of its refusals (a refusal code,
    /// not 2xx, may carry either).
    pub(super) fn endpoint_codes(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        services: [&str; 2],
        codes: &CodeTables,
    ) -> Vec<EndpointCode> {
        let mut seen = Seen::default();
        for (i, code_ref) in spec.codes.iter().enumerate() {
            let path = format!("codes.{i}");
            if let Some(code) = self.endpoint_code(src, &path, code_ref, services, codes, &mut seen) {
                seen.codes.push(code);
            }
        }
        let mut out = seen.codes;
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// One SNAP code: seven digits of this endpoint's service, new, in the case table, with its own name.
    fn endpoint_code(
        &mut self,
        src: Src,
        path: &str,
        code_ref: &CodeRefSpec,
        services: [&str; 2],
        codes: &CodeTables,
        seen: &mut Seen,
    ) -> Option<EndpointCode> {
        let code_path = code_path(src, path);
        let code = &code_ref.code.0;
        if !self.code_fits(src, &code_path, code, services, &seen.codes) {
            return None;
        }
        let (http, service, case) = (&code[..3], &code[3..5], &code[5..]);
        let http: u16 = http.parse().unwrap_or(0);
        let Some(generic) = codes.case(http, case) else {
            if self.failed.case(http, case) {
                return None;
            }
            let msg = format!("code {code}: case {http}xx{case} is not in the case-code table");
            self.push(src.value(&code_path, msg));
            return None;
        };
        if let Some(other) = seen.names.insert(generic.name.to_string(), code.clone()) {
            let msg = format!("codes {other} and {code} would both be named `{}`", generic.name);
            self.push(src.value(&code_path, msg));
            return None;
        }
        let outcome = match &code_ref.outcome {
            Some(o) => self.outcome(src, &join(path, "outcome"), o)?,
            None => generic.outcome_for(service),
        };
        Some(EndpointCode {
            code: code.clone(),
            http,
            case: case.to_owned(),
            name: generic.name.to_string(),
            message: generic.message.to_string(),
            outcome,
            status: None,
            id: None,
            at: None,
            doc: code_ref.doc.clone(),
        })
    }

    /// `cases`: the situations this endpoint answers with another case than the standard's, each a situation of
    /// `standard.yaml`, given once, mapped to a case of the code table whose code (under the endpoint's service code,
    /// or for a refusal its refusal service code) the endpoint declares, so that the sandbox never answers a code the
    /// endpoint does not list. Only a SNAP endpoint has them: result codes name no case.
    pub(super) fn endpoint_cases(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        services: [&str; 2],
        declared: &[EndpointCode],
        codes: &CodeTables,
    ) -> Vec<(Situation, Case)> {
        if spec.cases.0.is_empty() {
            return Vec::new();
        }
        if spec.envelope.is_some() || !spec.result_codes.is_empty() {
            let msg = "`cases` picks SNAP cases; an endpoint answering `result_codes` has none";
            self.push(src.value("cases", msg.into()));
            return Vec::new();
        }
        let mapped = self.situation_cases(src, &spec.cases, codes);
        let mut out = Vec::new();
        for (situation, case) in mapped {
            let under = |service: &str| format!("{}{service}{}", case.http, case.case);
            let listed = services
                .iter()
                .any(|service| declared.iter().any(|c| c.code == under(service)));
            // A code the endpoint lists wrongly was reported at `codes`.
            if !listed && declared.len() == spec.codes.len() {
                let key = Situation::ALL
                    .iter()
                    .find(|(_, s)| *s == situation)
                    .map_or("", |(k, _)| *k);
                let name = spec
                    .cases
                    .0
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or("", |(_, n)| n.as_str());
                let d = src.value(
                    &join("cases", key),
                    format!("`{name}` is {}, which `codes` does not list", under(services[0])),
                );
                let help = "declare the code in `codes` with the source that documents it".to_owned();
                self.push(with_help(d, Some(help)));
                continue;
            }
            out.push((situation, case));
        }
        out
    }

    /// Seven digits, of this endpoint's services, not listed before.
    fn code_fits(
        &mut self,
        src: Src,
        code_path: &str,
        code: &str,
        services: [&str; 2],
        earlier: &[EndpointCode],
    ) -> bool {
        if !is_digits(code, 7) {
            self.push(src.value(code_path, format!("response code `{code}` must be seven digits")));
            return false;
        }
        if !self.service_of_code(src, code_path, code, services) {
            return false;
        }
        if earlier.iter().any(|c| c.code == code) {
            self.push(src.value(code_path, format!("duplicate response code {code}")));
            return false;
        }
        true
    }

    /// A code carries the endpoint's service code, or (not 2xx) the one of its refusals.
    fn service_of_code(&mut self, src: Src, code_path: &str, code: &str, services: [&str; 2]) -> bool {
        let [service_code, refusal_service] = services;
        let (http, service) = (&code[..3], &code[3..5]);
        if service == service_code || (service == refusal_service && !http.starts_with('2')) {
            return true;
        }
        let msg = match refusal_service == service_code {
            true => {
                format!("code {code} has service code {service}, but this endpoint's service code is {service_code}")
            }
            false => format!(
                "code {code} has service code {service}, but this endpoint's service code is {service_code} (and \
                 {refusal_service} for refusals, not 2xx)"
            ),
        };
        self.push(src.value(code_path, msg));
        false
    }
}

/// A result code's doc, with the status letter and id the provider publishes for it, or its HTTP status.
fn published_doc(result: &ResultCodeSpec) -> String {
    let published = match (&result.status, &result.id, result.http) {
        (Some(status), Some(id), _) => format!("status `{status}`, id `{id}`"),
        (Some(status), None, _) => format!("status `{status}`"),
        (None, _, Some(http)) => format!("HTTP {http}"),
        (None, _, None) => String::new(),
    };
    match &result.doc {
        None => format!("Published with {published}."),
        Some(doc) => format!("{} (published with {published}.)", doc.trim_end()),
    }
}

/// Where a code is reported: a bare code (`2005400`) at itself, a mapping at its `code`.
fn code_path(src: Src, path: &str) -> String {
    let code = join(path, "code");
    if src.positions.value(&code) != src.positions.value(path) {
        code
    } else {
        path.to_owned()
    }
}
