//! Spec-driven tests of the cross-field rules (`rules:` in an endpoint spec): for every rule of every
//! endpoint, found through the IR, a sample body is bent to break exactly that rule, and both the generated
//! validator (`build()` / `validate_body`) and the sandbox's dynamic one must report it at the rule's wire
//! path, saying why. A rule added in YAML is covered with no new test code.

use std::path::Path;

use serde_json::Value;
use snapbi_rules::conditional::display;
use snapbi_spec::ir::paths::{FieldPath, flatten};
use snapbi_spec::ir::samples::sample_object;
use snapbi_spec::ir::{Api, Endpoint, Rule, When};

fn api() -> Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_spec::load(&specs, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

/// Every value at a wire path (`urlParam[].type` reaches every item), created along the way when absent.
fn at_path<'a>(body: &'a mut Value, path: &str) -> Vec<&'a mut Value> {
    let mut current = vec![body];
    for segment in path.split('.') {
        let (name, each) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for value in current {
            let Value::Object(map) = value else { continue };
            let child = map.entry(name.to_owned()).or_insert(Value::Null);
            match (each, child) {
                (true, Value::Array(items)) => next.extend(items.iter_mut()),
                (true, _) => {}
                (false, child) => next.push(child),
            }
        }
        current = next;
    }
    current
}

fn set(body: &mut Value, path: &str, value: &str) {
    let found = at_path(body, path);
    assert!(!found.is_empty(), "no {path} in {body:?}");
    for slot in found {
        *slot = Value::String(value.to_owned());
    }
}

fn remove(body: &mut Value, path: &str) {
    let (parent, name) = path.rsplit_once('.').map_or(("", path), |(p, n)| (p, n));
    let parents = if parent.is_empty() {
        vec![body]
    } else {
        at_path(body, parent)
    };
    for value in parents {
        if let Value::Object(map) = value {
            map.remove(name);
        }
    }
}

/// Every violation the generated validator and the sandbox report for `body`, as `path: message`.
fn reported(api: &Api, endpoint: &Endpoint, body: &Value) -> (Vec<String>, Vec<String>) {
    let entry = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == endpoint.info.id)
        .expect("generated endpoint");
    let generated = match (entry.validate_body)(body.clone()) {
        Ok(()) => Vec::new(),
        Err(e) => e.violations().iter().map(ToString::to_string).collect(),
    };
    let sandbox = snapbi_sandbox::validate::request(api, endpoint, body)
        .iter()
        .map(ToString::to_string)
        .collect();
    (generated, sandbox)
}

/// A body that meets `when`, starting from the endpoint's valid sample.
fn meeting(api: &Api, endpoint: &Endpoint, when: &When) -> Value {
    let mut body = sample_object(api, &endpoint.request);
    set(&mut body, &wire(&when.field), &when.is[0]);
    body
}

/// A string of `len` characters that keeps the row's own charset (rows with a pattern are skipped).
fn text_of_len(row: &FieldPath, len: u32) -> Option<String> {
    if row.pattern.is_some() || row.format.is_some() || !row.enum_values.is_empty() {
        return None;
    }
    let c = if row.charset.is_some() { '7' } else { 'x' };
    Some(std::iter::repeat_n(c, len as usize).collect())
}

/// The body breaking `rule` and the `path: message` start expected for it; None when the spec gives no way
/// to break it with otherwise valid values (an `allow` that keeps every value of its enum).
fn broken(api: &Api, endpoint: &Endpoint, rule: &Rule) -> Option<(Value, String)> {
    let rows = flatten(api, &endpoint.request);
    let row = |path: &str| {
        rows.iter()
            .find(|r| r.wire_path == path)
            .expect("rule path is a request field")
    };
    let condition = |when: &When| format!("when {} is {}", wire(&when.field), when.is.join(" or "));
    match rule {
        Rule::OneOf { fields } => {
            let mut body = sample_object(api, &endpoint.request);
            for field in fields.iter() {
                remove(&mut body, &wire(field));
            }
            Some((body, format!("{}: give this or", wire(&fields[0]))))
        }
        Rule::Require { when, fields } => {
            let mut body = meeting(api, endpoint, when);
            let first = wire(&fields[0]);
            remove(&mut body, &first);
            Some((body, format!("{first}: is required {}", condition(when))))
        }
        Rule::Allow { when, field, values } => {
            let field = &wire(field);
            let other = row(field)
                .enum_values
                .iter()
                .find(|v| !values.iter().any(|a| a == *v))?
                .clone();
            let mut body = meeting(api, endpoint, when);
            set(&mut body, field, &other);
            let first = field.replacen("[]", "[0]", 1);
            Some((
                body,
                format!("{first}: must be one of: {} {}", values.join(", "), condition(when)),
            ))
        }
        Rule::Limit {
            when,
            field,
            min_length,
            max_length,
        } => {
            let field = &wire(field);
            let len = match (max_length, min_length) {
                (Some(max), _) => max + 1,
                (None, Some(min)) => min.checked_sub(1)?,
                (None, None) => return None,
            };
            let mut body = meeting(api, endpoint, when);
            set(&mut body, field, &text_of_len(row(field), len)?);
            Some((body, format!("{field}: is {len} characters")))
        }
    }
}

/// A rule's path as the spec writes it (`urlParam[].type`).
fn wire(path: &snapbi_spec::ir::Path) -> String {
    display(path, &[])
}

#[test]
fn every_cross_field_rule_is_enforced_by_the_generated_code_and_the_sandbox_alike() {
    let api = api();
    let mut checked = 0;
    for endpoint in &api.endpoints {
        for rule in &endpoint.rules {
            let Some((body, expected)) = broken(&api, endpoint, rule) else {
                continue;
            };
            let (generated, sandbox) = reported(&api, endpoint, &body);
            assert!(
                generated.iter().any(|v| v.starts_with(&expected)),
                "{}: rule `{rule}` broken by {body}: expected `{expected}…`, got {generated:?}",
                endpoint.info.id
            );
            assert_eq!(generated, sandbox, "{}: rule `{rule}`", endpoint.info.id);
            checked += 1;
        }
    }
    // DOKU's payment, refund and status, DANA's queries, apply token and disbursements declare rules.
    assert!(checked >= 15, "only {checked} rules were exercised");
}

#[test]
fn a_rule_whose_condition_does_not_hold_changes_nothing() {
    let api = api();
    let refund = api.endpoint("doku.direct_debit.refund").expect("refund spec");
    let mut body = sample_object(&api, &refund.request);
    // 64 characters: too long for CIMB (12), fine for the sample's DANA channel.
    set(&mut body, "partnerRefundNo", &"x".repeat(64));
    assert_eq!(reported(&api, refund, &body), (Vec::new(), Vec::new()));
    set(&mut body, "additionalInfo.channel", "DIRECT_DEBIT_CIMB_SNAP");
    let (generated, _) = reported(&api, refund, &body);
    assert_eq!(
        generated,
        [
            "partnerRefundNo: is 64 characters, at most 12 allowed when additionalInfo.channel is \
          DIRECT_DEBIT_CIMB_SNAP or DIRECT_DEBIT_BRI_SNAP"
        ]
    );
}
