//! The dynamic validator: checks a JSON body (or a set of headers) against the IR's field rules at run
//! time, reporting every violation with its wire path (`amount.value`, `urlParam[0].url`).
//!
//! It must agree with the generated static validators (`snapbi::ENDPOINTS[i].validate_body`) on every
//! input: a property test feeds both the same random bodies. So it follows their reading of JSON exactly:
//! an absent or `null` field is missing; unknown fields are ignored; a wrong JSON type is one violation and
//! nothing inside that value is looked at; list items are checked first and the item count only when all
//! items are valid; a string with allowed values is checked against those values only. The value rules
//! themselves (lengths in characters, charsets, formats, decimals, datetimes, ranges) are never written
//! here: they are `snapbi_rules`' functions, the single definition the generated code also calls.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, RwLock};

use axum::http::HeaderMap;
use regex::Regex;
use serde_json::{Map, Value};
use snapbi_rules::Problem;
use snapbi_runtime::validate::{Violation, ViolationKind, json_kind};
use snapbi_spec::ir::{Api, Endpoint, Field, FieldType, StrRule};

use crate::store;

/// Every violation of `fields` in the JSON `body`, in field order; empty when the body is valid.
///
/// A body that is not a JSON object is one violation at the empty path.
pub fn body(api: &Api, fields: &[Field], body: &Value) -> Vec<Violation> {
    let mut walk = Walk::new(api);
    match body {
        Value::Object(map) => walk.object(fields, map),
        other => walk.wrong_type("an object", other),
    }
    walk.violations()
}

/// Every violation of `field`'s rules by `value` (present: a `null` is of the wrong type here), at the field's
/// wire name.
pub fn field(api: &Api, field: &Field, value: &Value) -> Vec<Violation> {
    let mut walk = Walk::new(api);
    walk.at(&field.wire, |w| w.value(&field.ty, value));
    walk.violations()
}

/// Every violation of `endpoint`'s request rules in `body`: its fields first, then, when they are all
/// valid (as the generated `build()` does), the spec's cross-field rules.
pub fn request(api: &Api, endpoint: &Endpoint, body: &Value) -> Vec<Violation> {
    let mut out = self::body(api, &endpoint.request, body);
    if out.is_empty() {
        snapbi_rules::check_rules(body, &endpoint.rules, &mut |path, problem| {
            out.push(Violation {
                path,
                kind: ViolationKind::Rule(problem),
            })
        });
    }
    out
}

/// Every violation of the caller-supplied header `fields` in `headers` (names match case-insensitively);
/// the path of a violation is the header name as the spec writes it.
///
/// A header sent with an empty (or blank) value is not given, so an empty optional header is absent and an empty
/// required one is missing. DANA's SDK copies X-IP-ADDRESS, X-LATITUDE and X-LONGITUDE from `additionalInfo` and
/// sends them empty when the caller has none, and DANA accepts those calls (dana-id/uat-script Widget.json,
/// ApplyOttSuccess and AccountUnbindSuccess send no endUserIpAddress and are answered 2004900 / 2000900).
///
/// A header value that is not UTF-8 is read lossily, so its odd characters fail the header's charset rule
/// rather than being taken for an absent header.
pub fn headers(api: &Api, fields: &[Field], headers: &HeaderMap) -> Vec<Violation> {
    let mut walk = Walk::new(api);
    // What `body` does with an object of the present headers as strings, without making that object: a string
    // rule reads the header's text where it is.
    for field in fields {
        let given = headers.get_all(field.wire.as_str()).iter();
        let Some(value) = given
            .into_iter()
            .find(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace))
        else {
            if field.required {
                walk.at(&field.wire, |w| w.report(ViolationKind::Missing));
            }
            continue;
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        match &field.ty {
            FieldType::Str(rule) => walk.at(&field.wire, |w| w.rule(str_rule(rule, &text))),
            ty => {
                let value = Value::String(text.into_owned());
                walk.at(&field.wire, |w| w.value(ty, &value));
            }
        }
    }
    walk.violations()
}

/// The walk over one body: the current wire path and what was found so far.
struct Walk<'a> {
    api: &'a Api,
    path: String,
    out: Vec<Violation>,
}

thread_local! {
    /// The path buffer of the last walk on this thread: every call walks its headers and its body, and the sandbox's
    /// answers check their facts one by one, so the buffer is handed on rather than made each time.
    static PATH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl<'a> Walk<'a> {
    fn new(api: &'a Api) -> Self {
        Walk {
            api,
            path: PATH.with_borrow_mut(std::mem::take),
            out: Vec::new(),
        }
    }

    /// What the walk found; its path buffer goes back for the next walk.
    fn violations(mut self) -> Vec<Violation> {
        self.path.clear();
        PATH.with_borrow_mut(|spare| *spare = std::mem::take(&mut self.path));
        self.out
    }
}

impl Walk<'_> {
    fn report(&mut self, kind: ViolationKind) {
        self.out.push(Violation {
            path: self.path.clone(),
            kind,
        });
    }

    fn wrong_type(&mut self, expected: &'static str, found: &Value) {
        self.report(ViolationKind::WrongType {
            expected,
            found: json_kind(found),
        });
    }

    /// Runs `f` with `segment` appended to the path, the way the static checker builds its paths.
    fn at<R>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        if !self.path.is_empty() && !segment.starts_with('[') {
            self.path.push('.');
        }
        self.path.push_str(segment);
        let result = f(self);
        self.path.truncate(len);
        result
    }

    /// Runs `f` with list item `[i]` appended to the path.
    fn at_item<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        let _ = write!(self.path, "[{i}]");
        let result = f(self);
        self.path.truncate(len);
        result
    }

    fn object(&mut self, fields: &[Field], map: &Map<String, Value>) {
        for field in fields {
            // `null` deserializes to an absent Option on the static side: it counts as missing.
            match map.get(&field.wire).filter(|v| !v.is_null()) {
                Some(value) => {
                    self.at(&field.wire, |w| w.value(&field.ty, value));
                }
                None if field.required => self.at(&field.wire, |w| w.report(ViolationKind::Missing)),
                None => {}
            }
        }
    }

    /// Checks one present value; returns whether it is valid (lists need that for their item count).
    fn value(&mut self, ty: &FieldType, value: &Value) -> bool {
        let before = self.out.len();
        match ty {
            FieldType::Str(rule) => self.string(value, |s| str_rule(rule, s)),
            FieldType::Decimal {
                integer_digits,
                fraction_digits,
            } => self.string(value, |s| {
                snapbi_rules::check_decimal(s, *integer_digits, *fraction_digits)
            }),
            FieldType::DateTime => self.string(value, snapbi_rules::check_datetime),
            FieldType::Integer { min, max } => match value.as_i64() {
                Some(n) => self.rule(snapbi_rules::check_integer(n, *min, *max)),
                None => self.wrong_type("an integer", value),
            },
            FieldType::Bool if value.is_boolean() => {}
            FieldType::Bool => self.wrong_type("a boolean", value),
            FieldType::Json => {}
            FieldType::Named(name) => {
                // Lowering guarantees the type exists; an unknown name has no rules to break.
                if let Some(shared) = self.api.shared_type(name) {
                    self.nested(&shared.fields, value);
                }
            }
            FieldType::Object(fields) => self.nested(fields, value),
            FieldType::List {
                items,
                min_items,
                max_items,
            } => self.list(items, *min_items, *max_items, value),
        }
        self.out.len() == before
    }

    fn string(&mut self, value: &Value, check: impl FnOnce(&str) -> Result<(), Problem>) {
        match value {
            Value::String(s) => self.rule(check(s)),
            other => self.wrong_type("a string", other),
        }
    }

    fn rule(&mut self, checked: Result<(), Problem>) {
        if let Err(problem) = checked {
            self.report(ViolationKind::Rule(problem));
        }
    }

    fn nested(&mut self, fields: &[Field], value: &Value) {
        match value {
            Value::Object(map) => self.object(fields, map),
            other => self.wrong_type("an object", other),
        }
    }

    fn list(&mut self, items: &FieldType, min: Option<u32>, max: Option<u32>, value: &Value) {
        let Value::Array(values) = value else {
            return self.wrong_type("a list", value);
        };
        let mut all_valid = true;
        for (i, item) in values.iter().enumerate() {
            // Inside a list `null` is a value of the wrong type, not an absent field.
            self.at_item(i, |w| all_valid &= w.value(items, item));
        }
        if all_valid {
            self.rule(snapbi_rules::check_items(values.len(), min, max));
        }
    }
}

/// A string rule as the generated types apply it: allowed values alone when there are any (an enum), else
/// the length and then the pattern, else length, charset and format (a format replaces the charset).
fn str_rule(rule: &StrRule, value: &str) -> Result<(), Problem> {
    if !rule.enum_values.is_empty() {
        return snapbi_rules::check_enum(value, &rule.enum_values);
    }
    if let Some(pattern) = &rule.pattern {
        snapbi_rules::check_length(value, rule.min_length, rule.max_length)?;
        return match compiled(pattern) {
            Some(re) if re.is_match(value) => Ok(()),
            _ => Err(Problem::Pattern(pattern.clone())),
        };
    }
    snapbi_rules::StrRule {
        min_length: rule.min_length,
        max_length: rule.max_length,
        charset: rule.charset.filter(|_| rule.format.is_none()),
        format: rule.format,
        enum_values: &[],
    }
    .check(value)
}

/// The compiled pattern, built once per distinct pattern (None if it does not compile, which the
/// generator rules out; the value then fails like it does in generated code).
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    static CACHE: LazyLock<RwLock<HashMap<String, Option<Arc<Regex>>>>> = LazyLock::new(Default::default);
    if let Some(found) = store::read(&CACHE).get(pattern) {
        return found.clone();
    }
    let built = Regex::new(pattern).ok().map(Arc::new);
    store::write(&CACHE).insert(pattern.to_owned(), built.clone());
    built
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(wire: &str, ty: FieldType, required: bool) -> Field {
        Field {
            wire: wire.into(),
            rust: wire.into(),
            type_name: wire.into(),
            ty,
            required,
            sensitive: false,
            doc: None,
            note: None,
            example: None,
        }
    }

    fn text(max: u32) -> FieldType {
        FieldType::Str(StrRule {
            max_length: Some(max),
            ..StrRule::default()
        })
    }

    fn paths(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.path.as_str()).collect()
    }

    #[test]
    fn reports_missing_wrong_type_and_rules_with_wire_paths() {
        let api = Api::default();
        let inner = vec![field("url", text(3), true)];
        let fields = vec![
            field("a", text(2), true),
            field("b", text(2), true),
            field(
                "list",
                FieldType::List {
                    items: Box::new(FieldType::Object(inner)),
                    min_items: Some(2),
                    max_items: None,
                },
                true,
            ),
            field(
                "n",
                FieldType::Integer {
                    min: Some(1),
                    max: None,
                },
                false,
            ),
        ];
        let body = json!({"a": "abc", "b": null, "list": [{"url": "abcd"}, {"url": 5}], "n": 1.5});
        let found = super::body(&api, &fields, &body);
        assert_eq!(paths(&found), ["a", "b", "list[0].url", "list[1].url", "n"]);
        assert_eq!(found[1].kind, ViolationKind::Missing);
        assert_eq!(found[4].to_string(), "n: expected an integer, found a number");
        let body = json!({"a": "ab", "b": "", "list": [{"url": "x"}]});
        let found = super::body(&api, &fields, &body);
        assert_eq!(paths(&found), ["list"], "item count checked once the items are valid");
        assert_eq!(paths(&super::body(&api, &fields, &json!([1]))), [""]);
    }

    #[test]
    fn enums_and_patterns_follow_the_generated_types() {
        let rule = StrRule {
            max_length: Some(1),
            enum_values: vec!["long".into()],
            ..StrRule::default()
        };
        assert_eq!(str_rule(&rule, "long"), Ok(()), "an enum ignores lengths");
        let rule = StrRule {
            pattern: Some("^[A-Z]{3}$".into()),
            ..StrRule::default()
        };
        assert_eq!(str_rule(&rule, "IDR"), Ok(()));
        assert_eq!(str_rule(&rule, "idr"), Err(Problem::Pattern("^[A-Z]{3}$".into())));
    }

    #[test]
    fn headers_are_read_case_insensitively() {
        let api = Api::default();
        let fields = vec![field("X-DEVICE-ID", text(3), true)];
        let mut map = HeaderMap::new();
        assert_eq!(paths(&headers(&api, &fields, &map)), ["X-DEVICE-ID"]);
        map.insert("x-device-id", axum::http::HeaderValue::from_static("abcd"));
        let found = headers(&api, &fields, &map);
        assert!(matches!(found[0].kind, ViolationKind::Rule(Problem::TooLong { .. })));
    }
}
