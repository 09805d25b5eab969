//! Cross-field rules of a request (`rules:`): first the shape of each rule (`one_of`, or `when` with one of
//! `require`, `allow`, `limit`), per endpoint; then, once shared types are known, that every path names a
//! request field of the right kind and every value is allowed there, so that no rule can be dead or broken.

use super::names::with_article;
use super::{Lowering, Src, file_of, join, with_help};
use crate::diagnostic::{Diagnostic, did_you_mean};
use snapbi_rules::conditional::{display, path as wire_path};

use crate::ir::{Endpoint, List, ObjectType, Path, Rule, Text, When, paths};
use crate::yaml::SpecSet;
use crate::yaml::raw::{self, RuleSpec};

impl Lowering {
    /// The shape of each cross-field rule. Its paths are checked once shared types are known, in `rule_paths`.
    pub(super) fn cross_rules(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<Rule> {
        let mut out = Vec::new();
        let mut indices = Vec::new();
        for (i, rule) in spec.rules.iter().enumerate() {
            let path = format!("rules.{i}");
            let lowered = self.cross_rule(src, &path, rule);
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

    fn cross_rule(&mut self, src: Src, path: &str, rule: &RuleSpec) -> Option<Rule> {
        let condition = |c: &raw::ConditionSpec| When {
            field: wire_path(&c.field),
            is: texts(&c.is),
        };
        let then = (&rule.require, &rule.allow, &rule.limit);
        match (&rule.one_of, &rule.when, then) {
            (Some(fields), None, (None, None, None)) if fields.len() >= 2 => Some(Rule::OneOf {
                fields: paths_of(fields),
            }),
            (Some(_), None, (None, None, None)) => {
                self.push(src.value(&join(path, "one_of"), "`one_of` needs at least two fields".into()));
                None
            }
            (None, Some(when), (Some(fields), None, None)) if !fields.is_empty() => Some(Rule::Require {
                when: condition(when),
                fields: paths_of(fields),
            }),
            (None, Some(when), (None, Some(allow), None)) => Some(Rule::Allow {
                when: condition(when),
                field: wire_path(&allow.field),
                values: texts(&allow.is),
            }),
            (None, Some(when), (None, None, Some(limit))) => self.limit_rule(src, path, condition(when), limit),
            _ => {
                let msg = "a rule is `one_of: [fields]`, or `when:` with one of `require: [fields]`, `allow:` or \
                           `limit:`";
                self.push(src.value(path, msg.into()));
                None
            }
        }
    }

    /// A `limit` rule: at least one bound, and the minimum not above the maximum.
    fn limit_rule(&mut self, src: Src, path: &str, when: When, limit: &raw::LimitSpec) -> Option<Rule> {
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
        Some(Rule::Limit {
            when,
            field: wire_path(&limit.field),
            min_length: limit.min_length,
            max_length: limit.max_length,
        })
    }

    /// Every path a cross-field rule names is a request field of the right kind, and every value it names
    /// is allowed there.
    pub(super) fn rule_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.rules.is_empty()) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            let rows = paths::flatten_with(types, &endpoint.request);
            let mut check = RuleCheck::new(Src::of(file), &rows, self.whole(types, &endpoint.request));
            let indices = self
                .rule_indices
                .get(endpoint.info.id.as_ref())
                .cloned()
                .unwrap_or_default();
            for (i, rule) in indices.into_iter().zip(&endpoint.rules) {
                check.rule(&format!("rules.{i}"), rule);
            }
            self.diagnostics.extend(check.out);
        }
    }
}

/// Checks the paths of one endpoint's cross-field rules (and the conditions and paths naming its record, see
/// `record_names`) against its flattened request.
pub(super) struct RuleCheck<'a> {
    src: Src<'a>,
    rows: &'a [paths::FieldPath],
    /// The request lost no field to a problem, so a path that is not among `rows` is a mistake.
    whole: bool,
    pub(super) out: Vec<Diagnostic>,
}

impl<'a> RuleCheck<'a> {
    pub(super) fn new(src: Src<'a>, rows: &'a [paths::FieldPath], whole: bool) -> Self {
        RuleCheck {
            src,
            rows,
            whole,
            out: Vec::new(),
        }
    }

    /// A path to one value: a request field outside lists.
    pub(super) fn value_path(&mut self, at: &str, path: &str) {
        if self.row(at, path).is_some() && path.contains("[]") {
            let msg = format!("`{path}` is inside a list; name one value");
            self.out.push(self.src.value(at, msg));
        }
    }

    /// One rule at `at` (`rules.N`): its condition, then what it requires, narrows or limits.
    fn rule(&mut self, at: &str, rule: &Rule) {
        if let Some(when) = rule.when() {
            self.condition(&join(at, "when"), when, false);
        }
        match rule {
            Rule::OneOf { fields } => self.presence_paths(&join(at, "one_of"), fields),
            Rule::Require { fields, .. } => self.presence_paths(&join(at, "require"), fields),
            Rule::Limit {
                field,
                min_length,
                max_length,
                ..
            } => self.limit(&join(at, "limit"), &display(field, &[]), *min_length, *max_length),
            Rule::Allow { field, values, .. } => {
                let allow = When {
                    field: field.clone(),
                    is: values.clone(),
                };
                self.condition(&join(at, "allow"), &allow, true);
            }
        }
    }

    fn row(&mut self, at: &str, path: &str) -> Option<&paths::FieldPath> {
        let found = self.rows.iter().find(|r| r.wire_path == path);
        if found.is_none() && self.whole {
            let d = self.src.value(at, format!("`{path}` is not a request field"));
            let known: Vec<&str> = self.rows.iter().map(|r| r.wire_path.as_str()).collect();
            self.out.push(with_help(d, did_you_mean(path, known)));
        }
        found
    }

    /// Paths whose presence a rule tests: request fields outside lists, not already always required.
    fn presence_paths(&mut self, at: &str, fields: &[Path]) {
        for (i, field) in fields.iter().enumerate() {
            let (at, field) = (format!("{at}.{i}"), display(field, &[]));
            let Some(row) = self.row(&at, &field) else { continue };
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
    pub(super) fn condition(&mut self, at: &str, condition: &When, through_lists: bool) {
        let (field_at, field) = (join(at, "field"), display(&condition.field, &[]));
        let Some(row) = self.row(&field_at, &field) else {
            return;
        };
        let (kind, allowed) = (row.kind, row.enum_values.clone());
        if !matches!(kind, "string" | "enum") {
            let msg = format!("`{field}` is {}; a rule can only test a string", with_article(kind));
            self.out.push(self.src.value(&field_at, msg));
        } else if !through_lists && field.contains("[]") {
            let msg = format!("`{field}` is inside a list; a condition tests one value");
            self.out.push(self.src.value(&field_at, msg));
        }
        for (i, value) in condition.is.iter().enumerate() {
            if !allowed.is_empty() && !allowed.iter().any(|a| a == value) {
                let d = self.src.value(
                    &format!("{at}.is.{i}"),
                    format!("`{value}` is not one of the values of `{field}`"),
                );
                self.out
                    .push(with_help(d, did_you_mean(value, allowed.iter().map(String::as_str))));
            }
        }
    }
}

/// Spec strings as a rule's values.
fn texts(values: &[String]) -> List<Text> {
    values.iter().cloned().map(Text::from).collect::<Vec<_>>().into()
}

/// Spec wire paths (`urlParam[].type`) as a rule's paths.
fn paths_of(fields: &[String]) -> List<Path> {
    fields.iter().map(|f| wire_path(f)).collect::<Vec<_>>().into()
}
