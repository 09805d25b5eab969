//! An endpoint's response codes: SNAP `codes` (seven digits, named and given outcomes by the case table) or,
//! for an endpoint in an `envelope`, its `result_codes` with `function`; the two framings exclude each other.

use std::collections::HashMap;

use heck::ToUpperCamelCase;

use super::names::is_digits;
use super::{Lowering, Src, join};
use crate::ir::{CodeTables, EndpointCode, Enveloped};
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
            envelope: envelope.clone().into(),
            function: function.into(),
        })
    }

    /// The result codes of an enveloped endpoint: names such as `SUCCESS`, each with its outcome.
    pub(super) fn result_codes(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<EndpointCode> {
        let mut out: Vec<EndpointCode> = Vec::new();
        for (i, result) in spec.result_codes.iter().enumerate() {
            if let Some(code) = self.result_code(src, &format!("result_codes.{i}"), result, &out) {
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
        earlier: &[EndpointCode],
    ) -> Option<EndpointCode> {
        let code = &result.code;
        let well_formed = code.starts_with(|c: char| c.is_ascii_uppercase())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            let msg = format!("result code `{code}` must be UPPER_SNAKE_CASE, as the provider answers it");
            self.push(src.value(&join(path, "code"), msg));
            return None;
        }
        if earlier.iter().any(|c| &c.code == code) {
            self.push(src.value(&join(path, "code"), format!("duplicate result code {code}")));
            return None;
        }
        let outcome = self.outcome(src, &join(path, "outcome"), &result.outcome)?;
        Some(EndpointCode {
            code: code.clone(),
            http: 200,
            case: String::new(),
            name: code.to_upper_camel_case(),
            message: result.message.clone(),
            outcome,
            status: Some(result.status.clone()),
            id: result.id.clone(),
            doc: Some(published_doc(result)),
        })
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
            doc: code_ref.doc.clone(),
        })
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

/// A result code's doc, with the status letter and id the provider publishes for it.
fn published_doc(result: &ResultCodeSpec) -> String {
    let published = match &result.id {
        Some(id) => format!("status `{}`, id `{id}`", result.status),
        None => format!("status `{}`", result.status),
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
