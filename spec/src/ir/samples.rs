//! Valid sample values derived from the IR: bodies for tests, at-the-limit strings, spec example checks.
//!
//! The spec-driven field-length tests, the CLI and the sandbox all need "a valid value for this field" and
//! "a valid body for this endpoint"; deriving them from the rules means a new endpoint is covered the moment
//! its YAML exists.

use serde_json::{Map, Value};

use super::{Api, Charset, Field, FieldType, Format, StrRule};

/// Why `value` breaks `rule`, in words, or None if it is valid.
pub fn str_problem(rule: &StrRule, value: &str) -> Option<String> {
    let values: Vec<&str> = rule.enum_values.iter().map(String::as_str).collect();
    let checked = snapbi_rules::StrRule {
        min_length: rule.min_length,
        max_length: rule.max_length,
        charset: rule.charset,
        format: rule.format,
        enum_values: &values,
    }
    .check(value);
    if let Err(problem) = checked {
        return Some(problem.to_string());
    }
    match &rule.pattern {
        Some(p) if !regex::Regex::new(p).is_ok_and(|re| re.is_match(value)) => Some(format!("must match {p}")),
        _ => None,
    }
}

/// A valid string of exactly `len` characters for `rule`, if the rule allows one we can build.
///
/// Enum and pattern fields have no free-length values, so they return None (their length is fixed by the
/// allowed values). Free text uses a non-ASCII character so that a validator counting bytes would fail.
pub fn str_of_len(rule: &StrRule, len: u32) -> Option<String> {
    if !rule.enum_values.is_empty() || rule.pattern.is_some() {
        return None;
    }
    let len = len as usize;
    let value = match (rule.format, rule.charset) {
        (Some(Format::Ipv4), _) => ipv4_of_len(len)?,
        (None, Some(Charset::Digits)) => "7".repeat(len),
        (None, Some(Charset::Alphanumeric)) => "A1".chars().cycle().take(len).collect(),
        (None, None) => "é".chars().chain("x".chars().cycle()).take(len).collect(),
    };
    str_problem(rule, &value).is_none().then_some(value)
}

/// A string of exactly `len` characters in the rule's charset, valid or not (for over-limit tests).
pub fn chars_of_len(rule: &StrRule, len: u32) -> String {
    str_of_len(rule, len).unwrap_or_else(|| match rule.charset {
        Some(Charset::Digits) | None if rule.format == Some(Format::Ipv4) => "1".repeat(len as usize),
        Some(Charset::Digits) => "7".repeat(len as usize),
        Some(Charset::Alphanumeric) => "A1".chars().cycle().take(len as usize).collect(),
        None => "é".chars().chain("x".chars().cycle()).take(len as usize).collect(),
    })
}

/// A valid value for a string rule: the example, the first enum value, or a value of the minimum length.
pub fn sample_str(rule: &StrRule, example: Option<&str>) -> Option<String> {
    if let Some(example) = example.filter(|e| str_problem(rule, e).is_none()) {
        return Some(example.to_owned());
    }
    if let Some(first) = rule.enum_values.first() {
        return Some(first.clone());
    }
    let len = rule
        .min_length
        .unwrap_or(1)
        .max(1)
        .min(rule.max_length.unwrap_or(u32::MAX));
    str_of_len(rule, len).or_else(|| str_of_len(rule, rule.max_length.unwrap_or(len)))
}

fn ipv4_of_len(len: usize) -> Option<String> {
    if !(7..=15).contains(&len) {
        return None;
    }
    // Widen octets one digit at a time from "1.1.1.1" (7) to "111.111.111.111" (15).
    let extra = len - 7;
    let octets: Vec<String> = (0..4)
        .map(|i| "1".repeat(1 + (extra / 4) + usize::from(i < extra % 4)))
        .collect();
    Some(octets.join("."))
}

/// A valid JSON value for a field of this type.
pub fn sample_value(api: &Api, ty: &FieldType, example: Option<&str>) -> Value {
    match ty {
        FieldType::Str(rule) => Value::String(sample_str(rule, example).unwrap_or_default()),
        FieldType::Decimal { fraction_digits, .. } => {
            let frac = "0".repeat(*fraction_digits as usize);
            Value::String(if frac.is_empty() {
                "10000".into()
            } else {
                format!("10000.{frac}")
            })
        }
        FieldType::DateTime => Value::String("2024-07-10T11:57:58+07:00".into()),
        FieldType::Integer { min, max } => Value::from(min.unwrap_or(1).max(max.unwrap_or(i64::MAX).min(1))),
        FieldType::Bool => Value::Bool(true),
        FieldType::Json => Value::Object(Map::new()),
        FieldType::Named(name) => api
            .shared_type(name)
            .map(|t| sample_object(api, &t.fields))
            .unwrap_or(Value::Null),
        FieldType::Object(fields) => sample_object(api, fields),
        FieldType::List { items, min_items, .. } => {
            let n = min_items.unwrap_or(1).max(1) as usize;
            Value::Array(vec![sample_value(api, items, example); n])
        }
    }
}

/// A valid JSON object holding every field (required and optional), in wire order.
pub fn sample_object(api: &Api, fields: &[Field]) -> Value {
    let mut map = Map::new();
    for f in fields {
        map.insert(f.wire.clone(), sample_value(api, &f.ty, f.example.as_deref()));
    }
    Value::Object(map)
}

/// A string field with a length limit that a free value can reach, found anywhere in a body.
#[derive(Debug, Clone)]
pub struct LimitedField {
    /// JSON pointer segments from the body root (object keys, and `0` for the first list item).
    pub pointer: Vec<String>,
    /// Wire path as validators report it, e.g. `urlParam[0].url`.
    pub wire_path: String,
    /// The string rule.
    pub rule: StrRule,
}

/// Every length-limited free-value string field reachable from `fields` (through objects, shared types and
/// the first item of lists).
pub fn limited_fields(api: &Api, fields: &[Field]) -> Vec<LimitedField> {
    let mut out = Vec::new();
    walk_limited(api, fields, &mut Vec::new(), "", &mut out);
    out
}

fn walk_limited(api: &Api, fields: &[Field], pointer: &mut Vec<String>, wire: &str, out: &mut Vec<LimitedField>) {
    for f in fields {
        let here = if wire.is_empty() {
            f.wire.clone()
        } else {
            format!("{wire}.{}", f.wire)
        };
        pointer.push(f.wire.clone());
        walk_type(api, &f.ty, pointer, &here, out);
        pointer.pop();
    }
}

fn walk_type(api: &Api, ty: &FieldType, pointer: &mut Vec<String>, wire: &str, out: &mut Vec<LimitedField>) {
    match ty {
        FieldType::Str(rule)
            if rule.max_length.is_some() && str_of_len(rule, rule.max_length.unwrap_or(0)).is_some() =>
        {
            out.push(LimitedField {
                pointer: pointer.clone(),
                wire_path: wire.to_owned(),
                rule: rule.clone(),
            });
        }
        FieldType::Named(name) => {
            if let Some(t) = api.shared_type(name) {
                walk_limited(api, &t.fields, pointer, wire, out);
            }
        }
        FieldType::Object(fields) => walk_limited(api, fields, pointer, wire, out),
        FieldType::List { items, .. } => {
            pointer.push("0".into());
            walk_type(api, items, pointer, &format!("{wire}[0]"), out);
            pointer.pop();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_values_have_exact_char_lengths() {
        let rule = StrRule {
            max_length: Some(64),
            ..StrRule::default()
        };
        let v = str_of_len(&rule, 64).unwrap_or_default();
        assert_eq!(v.chars().count(), 64);
        assert!(v.len() > 64, "free text uses a multi-byte character");
        let ip = StrRule {
            max_length: Some(15),
            format: Some(Format::Ipv4),
            ..StrRule::default()
        };
        for len in 7..=15 {
            assert_eq!(str_of_len(&ip, len).map(|s| s.len()), Some(len as usize));
        }
        assert_eq!(str_of_len(&ip, 16), None);
        let digits = StrRule {
            min_length: Some(2),
            max_length: Some(2),
            charset: Some(Charset::Digits),
            ..StrRule::default()
        };
        assert_eq!(str_of_len(&digits, 2).as_deref(), Some("77"));
        assert_eq!(str_of_len(&digits, 3), None);
    }
}
