//! String rules of a field or header: lengths, charset, format, pattern and value lists. A rule must be
//! satisfiable and each listed value must pass the rest of the rule and have a Rust variant name of its own.

use heck::ToUpperCamelCase;

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Charset, Format, StrRule, samples};
use crate::yaml::raw::FieldSpec;

impl Lowering {
    pub(super) fn str_rule(&mut self, src: Src, path: &str, spec: &FieldSpec) -> StrRule {
        let mut rule = StrRule {
            enum_values: spec.enum_values.clone().unwrap_or_default(),
            ..StrRule::default()
        };
        (rule.min_length, rule.max_length) = self.lengths(src, path, spec);
        rule.charset = self.charset(src, path, spec);
        rule.format = self.format(src, path, spec);
        rule.pattern = self.pattern(src, path, spec);
        // Values are checked against the finished rule, so this comes last.
        self.enum_values(src, path, &rule);
        rule
    }

    /// `length` (exact) or `min_length` / `max_length`, as the rule's bounds.
    fn lengths(&mut self, src: Src, path: &str, spec: &FieldSpec) -> (Option<u32>, Option<u32>) {
        match (spec.length, spec.min_length, spec.max_length) {
            (Some(exact), None, None) => (Some(exact), Some(exact)),
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
                (None, None)
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
                (min, max)
            }
        }
    }

    fn charset(&mut self, src: Src, path: &str, spec: &FieldSpec) -> Option<Charset> {
        spec.charset.as_deref().and_then(|c| match c {
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
        })
    }

    fn format(&mut self, src: Src, path: &str, spec: &FieldSpec) -> Option<Format> {
        spec.format.as_deref().and_then(|f| match f {
            "ipv4" => Some(Format::Ipv4),
            other => {
                self.push(src.value(
                    &join(path, "format"),
                    format!("unknown format `{other}`, expected ipv4"),
                ));
                None
            }
        })
    }

    /// A pattern compiles and is anchored (the runtime matches whole values).
    fn pattern(&mut self, src: Src, path: &str, spec: &FieldSpec) -> Option<String> {
        let pattern = spec.pattern.as_ref()?;
        match regex::Regex::new(pattern) {
            Ok(_) if pattern.starts_with('^') && pattern.ends_with('$') => return Some(pattern.clone()),
            Ok(_) => self.push(src.value(&join(path, "pattern"), "a pattern must be anchored with ^ and $".into())),
            Err(e) => self.push(src.value(&join(path, "pattern"), format!("invalid regular expression: {e}"))),
        }
        None
    }

    fn enum_values(&mut self, src: Src, path: &str, rule: &StrRule) {
        // Each value must pass the other rules of the field.
        let probe = StrRule {
            enum_values: Vec::new(),
            ..rule.clone()
        };
        for (i, value) in rule.enum_values.iter().enumerate() {
            let p = join(&join(path, "enum"), &i.to_string());
            if let Some(problem) = samples::str_problem(&probe, value) {
                self.push(src.value(&p, format!("enum value `{value}` breaks the field's rules: {problem}")));
            }
            if rule.enum_values[..i].contains(value) {
                self.push(src.value(&p, format!("duplicate enum value `{value}`")));
            }
            self.variant_name(src, &p, &rule.enum_values[..i], value);
        }
    }

    /// A value becomes a Rust variant: it needs a usable name that no earlier value (`before`) takes.
    fn variant_name(&mut self, src: Src, path: &str, before: &[String], value: &str) {
        let variant = value.to_upper_camel_case();
        if variant.is_empty()
            || variant.starts_with(|c: char| c.is_ascii_digit()) && !value.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.push(src.value(path, format!("enum value `{value}` has no usable Rust name")));
        } else if let Some(other) = before
            .iter()
            .find(|v| *v != value && v.to_upper_camel_case() == variant)
        {
            self.push(src.value(
                path,
                format!("enum values `{other}` and `{value}` both become the Rust variant `{variant}`"),
            ));
        }
    }
}
