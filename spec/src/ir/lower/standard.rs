//! `common/standard.yaml`: the standard's facts beyond its code tables. Each case is named as in `case_codes`,
//! so a typo or a case the table lacks is reported where it is written.

use std::borrow::Cow;

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::ir::{
    Action, Case, CodeTables, HeaderSource, Situation, Standard, StatusValue, Text, TransactionStatus, Transition,
};
use crate::yaml::raw::{self, OrderedMap};
use crate::yaml::{Loaded, SpecSet};

impl Lowering {
    /// The standard's facts; empty (with a diagnostic) when the specs have no `standard.yaml`.
    pub(super) fn standard(&mut self, set: &SpecSet, codes: &CodeTables) -> Standard {
        let Some(file) = set.standard.first() else {
            // A standard.yaml that did not load was reported by loading.
            if set.unloaded.standard {
                return Standard::default();
            }
            self.push(Diagnostic {
                file: set.display_root.join("common/standard.yaml"),
                line: 1,
                col: 1,
                path: String::new(),
                message: "no valid `standard.yaml`: the standard's cases, token and status facts are required".into(),
                help: Some("add common/standard.yaml (see specs/README.md)".into()),
            });
            return Standard::default();
        };
        let src = Src::of(file);
        let spec = &file.value;
        Standard {
            cases: self.situations(src, &spec.cases, codes).into(),
            token_lifetime_seconds: self.lifetime(src, spec.token.lifetime_seconds),
            refresh_token_on: self
                .case_names(src, "token.refresh_on", &spec.token.refresh_on, codes)
                .into(),
            never_seen: self.case_names(src, "never_seen", &spec.never_seen, codes).into(),
            unrouted_service_code: self.service_digits(src, &spec.unrouted_service_code),
            header_max_length: self.header_limits(src, &spec.header_max_length).into(),
            transaction_status: self.transaction_status(file),
            credential_members: spec.credential_members.iter().map(|m| m.clone().into()).collect(),
        }
    }

    /// Every situation, each once, mapped to a case of the table.
    fn situations(&mut self, src: Src, cases: &OrderedMap<String>, codes: &CodeTables) -> Vec<(Situation, Case)> {
        let out = self.situation_cases(src, cases, codes);
        // A situation written with a typo was reported above with its right spelling: not again as missing.
        let suggested: Vec<String> = cases
            .0
            .iter()
            .filter_map(|(k, _)| did_you_mean(k, Situation::ALL.map(|(s, _)| s)))
            .collect();
        for (key, _) in Situation::ALL {
            let given = cases.0.iter().any(|(k, _)| k == key);
            if !given && !suggested.iter().any(|help| help.contains(&format!("`{key}`"))) {
                self.push(src.at(
                    src.positions.key("cases", 0),
                    "cases",
                    format!("the case for `{key}` is missing"),
                ));
            }
        }
        out
    }

    /// `cases:` (of `standard.yaml` or of an endpoint): situations of the standard, each once, each mapped to a case of
    /// the code table; with its key path (`cases.<situation>`) for further checks.
    pub(super) fn situation_cases(
        &mut self,
        src: Src,
        cases: &OrderedMap<String>,
        codes: &CodeTables,
    ) -> Vec<(Situation, Case)> {
        let mut out: Vec<(Situation, Case)> = Vec::new();
        for (key, name) in &cases.0 {
            let path = join("cases", key);
            let Some((_, situation)) = Situation::ALL.iter().find(|(k, _)| k == key) else {
                let d = src.at(src.positions.key(&path, 0), &path, format!("unknown situation `{key}`"));
                self.push(with_help(d, did_you_mean(key, Situation::ALL.map(|(k, _)| k))));
                continue;
            };
            if out.iter().any(|(s, _)| s == situation) {
                self.push(src.at(src.positions.key(&path, 1), &path, format!("`{key}` is given twice")));
            } else if let Some(case) = self.case_named(src, &path, name, codes) {
                out.push((*situation, case));
            }
        }
        out
    }

    fn case_names(&mut self, src: Src, path: &str, names: &[String], codes: &CodeTables) -> Vec<Case> {
        let cases = names.iter().enumerate();
        cases
            .filter_map(|(i, name)| self.case_named(src, &join(path, &i.to_string()), name, codes))
            .collect()
    }

    /// The case called `name` in the code table.
    pub(super) fn case_named(&mut self, src: Src, path: &str, name: &str, codes: &CodeTables) -> Option<Case> {
        match codes.cases.iter().find(|c| c.name == name) {
            Some(c) => Some(Case {
                http: c.http,
                case: c.case.clone(),
                message: c.message.clone(),
            }),
            // The case may be one the table lost to a mistake reported there.
            None if self.failed.code_tables || !self.failed.cases.is_empty() => None,
            None => {
                let d = src.value(path, format!("`{name}` is not a case of codes.yaml"));
                self.push(with_help(d, did_you_mean(name, codes.cases.iter().map(|c| &*c.name))));
                None
            }
        }
    }

    fn service_digits(&mut self, src: Src, code: &str) -> Text {
        if !super::names::is_digits(code, 2) {
            self.push(src.value("unrouted_service_code", format!("`{code}` is not two digits")));
        }
        code.to_owned().into()
    }

    fn lifetime(&mut self, src: Src, seconds: u32) -> u32 {
        if seconds == 0 {
            self.push(src.value("token.lifetime_seconds", "a token lives at least one second".into()));
        }
        seconds
    }

    pub(super) fn header_limits(&mut self, src: Src, limits: &OrderedMap<u32>) -> Vec<(HeaderSource, u32)> {
        let mut out = Vec::new();
        for (key, max) in &limits.0 {
            let path = join("header_max_length", key);
            match HeaderSource::KEYWORDS.iter().find(|(k, _)| k == key) {
                Some((_, source)) if *max > 0 => out.push((source.clone(), *max)),
                Some(_) => self.push(src.value(&path, "a maximum length is at least 1".into())),
                None => {
                    let d = src.at(
                        src.positions.key(&path, 0),
                        &path,
                        format!("unknown header source `{key}`"),
                    );
                    self.push(with_help(d, did_you_mean(key, HeaderSource::KEYWORDS.map(|(k, _)| k))));
                }
            }
        }
        out
    }

    /// The status values (two digits, each once) and the transitions between them.
    fn transaction_status(&mut self, file: &Loaded<raw::StandardFile>) -> TransactionStatus {
        let src = Src::of(file);
        let spec = &file.value.transaction_status;
        let values = self.status_values(src, &spec.values);
        let known = |code: &str| values.iter().any(|v| v.code == code);
        if !known(&spec.initial) {
            self.not_a_status(src, "transaction_status.initial");
        }
        let transitions = self.transitions(src, &spec.transitions, &values);
        TransactionStatus {
            values: values.into(),
            initial: spec.initial.clone().into(),
            transitions: transitions.into(),
        }
    }

    fn status_values(&mut self, src: Src, specs: &[raw::StatusValueSpec]) -> Vec<StatusValue> {
        let mut values: Vec<StatusValue> = Vec::new();
        for (i, value) in specs.iter().enumerate() {
            let path = format!("transaction_status.values.{i}.code");
            let problem = match () {
                _ if !super::names::is_digits(&value.code, 2) => "is not two digits",
                _ if values.iter().any(|v| v.code == value.code) => "is given twice",
                _ => {
                    let (code, name) = (value.code.clone().into(), value.name.clone().into());
                    values.push(StatusValue {
                        code,
                        name,
                        is_final: value.is_final,
                    });
                    continue;
                }
            };
            self.push(src.value(&path, format!("`{}` {problem}", value.code)));
        }
        values
    }

    /// Each action once, from and to listed values.
    fn transitions(
        &mut self,
        src: Src,
        specs: &OrderedMap<raw::TransitionSpec>,
        values: &[StatusValue],
    ) -> Vec<(Action, Transition)> {
        let mut transitions = Vec::new();
        for (key, transition) in &specs.0 {
            let path = join("transaction_status.transitions", key);
            let Some((_, action)) = Action::ALL.iter().find(|(k, _)| k == key) else {
                let d = src.at(src.positions.key(&path, 0), &path, format!("unknown action `{key}`"));
                self.push(with_help(d, did_you_mean(key, Action::ALL.map(|(k, _)| k))));
                continue;
            };
            let known = |code: &str| values.iter().any(|v| v.code == code);
            for (i, from) in transition.from.iter().enumerate() {
                if !known(from) {
                    self.not_a_status(src, &join(&join(&path, "from"), &i.to_string()));
                }
            }
            if !known(&transition.to) {
                self.not_a_status(src, &join(&path, "to"));
            }
            let from: Vec<Cow<'static, str>> = transition.from.iter().map(|f| f.clone().into()).collect();
            let to = transition.to.clone().into();
            transitions.push((*action, Transition { from: from.into(), to }));
        }
        transitions
    }

    fn not_a_status(&mut self, src: Src, path: &str) {
        self.push(src.value(path, "not one of `transaction_status.values`".into()));
    }
}
