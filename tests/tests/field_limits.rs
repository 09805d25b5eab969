//! Spec-driven field-limit tests: every length-limited field of every endpoint (found through the IR, so a
//! new endpoint is covered the moment its YAML exists) accepts a value at its limit and rejects one
//! character more with that field's wire path; every missing required field is reported at once.
//!
//! The validators exercised are the generated ones compiled into `snapbi`.

use std::path::Path;

use serde_json::{Map, Value};
use snapbi::rt;
use snapbi_spec::ir::samples::{LimitedField, chars_of_len, limited_fields, sample_object, str_of_len};
use snapbi_spec::ir::{Api, Endpoint, Field};

fn api() -> Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_spec::load(&specs, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

/// What a body, header or path parameter validator of one endpoint is.
type Validator = fn(Value) -> Result<(), rt::BuildError>;

/// The request-body, header and path parameter validators of `endpoint`, with the fields each one covers.
fn parts(endpoint: &Endpoint) -> [(&'static str, Validator, &[Field]); 3] {
    let entry = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == endpoint.info.id)
        .unwrap_or_else(|| panic!("{} is in the specs but not in the generated client", endpoint.info.id));
    [
        ("body", entry.validate_body, &endpoint.request),
        ("headers", entry.validate_headers, &endpoint.headers),
        ("params", entry.validate_params, &endpoint.params),
    ]
}

fn with_value(body: &Value, field: &LimitedField, value: String) -> Value {
    let mut body = body.clone();
    let pointer = format!("/{}", field.pointer.join("/"));
    *body
        .pointer_mut(&pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the sample body")) = Value::String(value);
    body
}

#[test]
fn every_sample_body_is_valid() {
    let api = api();
    for endpoint in &api.endpoints {
        for (what, validate, fields) in parts(endpoint) {
            let sample = sample_object(&api, fields);
            if let Err(e) = validate(sample.clone()) {
                panic!("{} {what}: the sample {sample} is rejected: {e}", endpoint.info.id);
            }
        }
    }
}

#[test]
fn every_length_limit_accepts_the_limit_and_rejects_one_more() {
    let api = api();
    let mut checked = 0;
    for endpoint in &api.endpoints {
        for (what, validate, fields) in parts(endpoint) {
            let sample = sample_object(&api, fields);
            for field in limited_fields(&api, fields) {
                let max = field.rule.max_length.expect("limited fields have a max_length");
                let at_limit = str_of_len(&field.rule, max).expect("a value at the limit exists");
                if let Err(e) = validate(with_value(&sample, &field, at_limit.clone())) {
                    panic!(
                        "{} {what} {}: {max} characters ({at_limit:?}) rejected: {e}",
                        endpoint.info.id, field.wire_path
                    );
                }
                let over = chars_of_len(&field.rule, max + 1);
                match validate(with_value(&sample, &field, over.clone())) {
                    Ok(()) => panic!(
                        "{} {what} {}: {} characters accepted",
                        endpoint.info.id,
                        field.wire_path,
                        max + 1
                    ),
                    Err(e) => assert_eq!(
                        e.paths(),
                        [field.wire_path.as_str()],
                        "{} {what}: {e}",
                        endpoint.info.id
                    ),
                }
                if let Some(min) = field.rule.min_length.filter(|m| *m > 1 && *m != max) {
                    let under = chars_of_len(&field.rule, min - 1);
                    let e = validate(with_value(&sample, &field, under)).expect_err("one character under the minimum");
                    assert_eq!(
                        e.paths(),
                        [field.wire_path.as_str()],
                        "{} {what}: {e}",
                        endpoint.info.id
                    );
                }
                checked += 1;
            }
        }
    }
    // The shipped specs limit dozens of fields; a much smaller number means the walk lost some.
    assert!(checked >= 20, "only {checked} length-limited fields found");
}

#[test]
fn every_missing_required_field_is_reported_at_once() {
    let api = api();
    for endpoint in &api.endpoints {
        for (what, validate, fields) in parts(endpoint) {
            let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.wire.as_str()).collect();
            let result = validate(Value::Object(Map::new()));
            match (result, required.is_empty()) {
                (Ok(()), true) => {}
                (Ok(()), false) => panic!("{} {what}: an empty object is accepted", endpoint.info.id),
                (Err(e), _) => {
                    assert_eq!(e.paths(), required, "{} {what}", endpoint.info.id);
                    assert!(e.violations().iter().all(|v| v.kind == rt::ViolationKind::Missing));
                }
            }
        }
    }
}

#[test]
fn a_wrong_type_is_reported_with_its_nested_wire_path() {
    let api = api();
    let endpoint = api
        .endpoint("doku.direct_debit.payment")
        .expect("the DANA payment spec");
    let [(_, validate, fields), ..] = parts(endpoint);
    let mut body = sample_object(&api, fields);
    body["urlParam"][0]["url"] = Value::from(42);
    body["amount"]["value"] = Value::from("10000");
    let e = validate(body.clone()).expect_err("two bad values");
    assert_eq!(e.paths(), ["amount.value", "urlParam[0].url"]);
    // An array never stands for an object, even one with as many items as the object has fields.
    let mut as_array = body;
    as_array["amount"] = serde_json::json!(["10000.00", "IDR"]);
    let e = validate(as_array).expect_err("an array for an object");
    assert!(
        e.violations()
            .iter()
            .any(|v| v.path == "amount" && v.to_string() == "amount: expected an object, found a list"),
        "{e}"
    );
    assert_eq!(
        e.violations()[1].to_string(),
        "urlParam[0].url: expected a string, found a number"
    );
}
