//! `codes.yaml` and a provider's `service_codes`: the service-code table, the generic case-code table with
//! each case's outcome, and the codes only one provider uses. Endpoints are checked against these tables, so
//! this pass runs first.

use heck::ToUpperCamelCase;

use super::names::{is_digits, is_upper_camel};
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::ir::{CaseCode, CodeTables, Outcome, ProviderServiceCode, ServiceCode, Text};
use crate::yaml::SpecSet;
use crate::yaml::raw::{self, OrderedMap};

impl Lowering {
    pub(super) fn code_tables(&mut self, set: &SpecSet) -> CodeTables {
        let mut tables = CodeTables::default();
        // A code table file that did not load has its own diagnostics.
        if set.codes.is_empty() && !self.failed.code_tables {
            self.push(Diagnostic {
                file: set.display_root.join("common/codes.yaml"),
                line: 1,
                col: 1,
                path: String::new(),
                message: "no valid `codes.yaml`: the service and case code tables are required".into(),
                help: Some("add common/codes.yaml (see specs/README.md)".into()),
            });
        }
        // Without tables, no code can be checked: that is one mistake, reported above or where the file failed.
        self.failed.code_tables |= set.codes.is_empty();
        for file in &set.codes {
            let src = Src::of(file);
            self.service_codes(src, &file.value.service_codes, &mut tables);
            for (i, case) in file.value.case_codes.iter().enumerate() {
                match self.case_code(src, &format!("case_codes.{i}"), case, &tables) {
                    Some(case) => tables.cases.to_mut().push(case),
                    None => self.failed.cases.push((case.http, case.case.0.clone())),
                }
            }
        }
        tables.services.to_mut().sort_by(|a, b| a.code.cmp(&b.code));
        tables
            .cases
            .to_mut()
            .sort_by(|a, b| (a.http, &a.case).cmp(&(b.http, &b.case)));
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
                tables.services.to_mut().push(ServiceCode {
                    code: code.clone().into(),
                    name: spec.name.clone().into(),
                    path: spec.path.clone().map(Text::from),
                });
            }
        }
    }

    /// The `service_codes` of every provider file: codes the SNAP table lacks, each used by that provider only.
    pub(super) fn provider_service_codes(&mut self, set: &SpecSet, tables: &mut CodeTables) {
        for file in &set.providers {
            let src = Src::of(file);
            let services = &file.value.service_codes;
            for (i, (code, spec)) in services.0.iter().enumerate() {
                let nth = services.0[..i].iter().filter(|(c, _)| c == code).count();
                match self.provider_service_code(src, &file.value.name, (code, spec), nth, tables) {
                    Some(own) => tables.provider_services.to_mut().push(own),
                    None => (self.failed.provider_services).push((file.value.name.clone(), code.clone())),
                }
            }
        }
        tables
            .provider_services
            .to_mut()
            .sort_by(|a, b| (&a.code, &a.provider).cmp(&(&b.code, &b.provider)));
    }

    /// One provider service code (the `nth` with its digits): two digits, not the standard's, explained.
    fn provider_service_code(
        &mut self,
        src: Src,
        provider: &str,
        (code, spec): (&String, &raw::ProviderServiceCodeSpec),
        nth: usize,
        tables: &CodeTables,
    ) -> Option<ProviderServiceCode> {
        let path = join("service_codes", code);
        let at = src.positions.key(&path, nth);
        if !is_digits(code, 2) {
            self.push(src.at(at, &path, format!("service code `{code}` must be two digits")));
        } else if let Some(standard) = tables.service(code) {
            let msg = format!(
                "service code `{code}` is in the SNAP table ({}); a provider's `service_codes` only adds codes the \
                 table lacks",
                standard.name
            );
            let help = format!("remove `{code}` here and use the SNAP table's entry");
            self.push(with_help(src.at(at, &path, msg), Some(help)));
        } else if nth > 0 {
            self.push(src.at(at, &path, format!("duplicate service code `{code}`")));
        } else if spec.name.trim().is_empty() || spec.note.trim().is_empty() {
            let d = src.at(at, &path, format!("service code `{code}` needs a `name` and a `note`"));
            let help = "say in `note` why the provider uses a code outside the SNAP table";
            self.push(with_help(d, Some(help.into())));
        } else {
            return Some(ProviderServiceCode {
                provider: provider.to_owned().into(),
                code: code.clone().into(),
                name: spec.name.clone().into(),
                path: spec.path.clone().map(Text::from),
                note: spec.note.clone().into(),
            });
        }
        None
    }

    fn case_code(&mut self, src: Src, path: &str, spec: &raw::CaseCodeSpec, tables: &CodeTables) -> Option<CaseCode> {
        let ok = self.case_code_shape(src, path, spec, tables);
        let outcome = self.outcome(src, &join(path, "outcome"), &spec.outcome);
        let by_service = self.outcome_by_service(src, path, spec, tables);
        Some(CaseCode {
            http: spec.http,
            case: spec.case.0.clone().into(),
            name: spec.name.clone().into(),
            message: spec.message.clone().into(),
            outcome: outcome?,
            outcome_by_service: by_service.into(),
        })
        .filter(|_| ok)
    }

    /// A case code's status, digits and name, and that its `(http, case)` pair is new.
    fn case_code_shape(&mut self, src: Src, path: &str, spec: &raw::CaseCodeSpec, tables: &CodeTables) -> bool {
        let before = self.diagnostics.len();
        if !(100..=599).contains(&spec.http) {
            let msg = format!("HTTP status {} is not between 100 and 599", spec.http);
            self.push(src.value(&join(path, "http"), msg));
        }
        if !is_digits(&spec.case.0, 2) {
            let msg = format!("case code `{}` must be two digits", spec.case.0);
            self.push(src.value(&join(path, "case"), msg));
        }
        if !is_upper_camel(&spec.name) {
            let msg = format!("name `{}` is not an UpperCamelCase identifier", spec.name);
            let help = format!("write `{}`", spec.name.to_upper_camel_case());
            self.push(with_help(src.value(&join(path, "name"), msg), Some(help)));
        }
        if tables.case(spec.http, &spec.case.0).is_some() {
            let msg = format!("duplicate case code {}xx{}", spec.http, spec.case.0);
            self.push(src.value(&join(path, "case"), msg));
        }
        self.diagnostics.len() == before
    }

    /// Per-service outcome overrides of a case code; each service must be in the table.
    fn outcome_by_service(
        &mut self,
        src: Src,
        path: &str,
        spec: &raw::CaseCodeSpec,
        tables: &CodeTables,
    ) -> Vec<(Text, Outcome)> {
        let mut by_service = Vec::new();
        for (service, outcome) in &spec.outcome_by_service.0 {
            let p = join(&join(path, "outcome_by_service"), service);
            if tables.service(service).is_none() {
                let msg = format!("unknown service code `{service}`");
                self.push(src.at(src.positions.key(&p, 0), &p, msg));
            }
            if let Some(o) = self.outcome(src, &p, outcome) {
                by_service.push((service.clone().into(), o));
            }
        }
        by_service
    }

    /// An outcome keyword (`success`, `pending`, …), in a case code, an endpoint's code or a result code.
    pub(super) fn outcome(&mut self, src: Src, path: &str, value: &str) -> Option<Outcome> {
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
}
