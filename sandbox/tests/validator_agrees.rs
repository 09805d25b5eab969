//! The sandbox's dynamic validator and the generated static validators (`snapbi::ENDPOINTS`) agree
//! on random request bodies: the same violations, with the same wire paths and kinds, in the same order.
//!
//! Bodies start from each endpoint's valid sample (`sample_object`) and get up to four mutations: a field
//! removed, a length-limited string made one or more characters too long, a value replaced by one of
//! another JSON type, or a string replaced by random or rule-shaped text (decimals, datetimes, enum values,
//! IPv4, digits), anywhere in the body, nested objects and list items included.
//!
//! One known difference is kept out of the generator: the static validators read an object through serde,
//! which also accepts a JSON array with exactly as many items as the object has fields (serde's sequence
//! form of a struct). The dynamic validator refuses any array where an object belongs, as SNAP means it;
//! arrays stand in for objects here only with a length no object has (0 or 17).

mod common;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};
use snapbi_runtime::EndpointEntry;
use snapbi_runtime::validate::Violation;
use snapbi_spec::Api;
use snapbi_spec::ir::Endpoint;
use snapbi_spec::ir::samples::{chars_of_len, limited_fields, sample_object};

/// One step away from the sample.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the value at a path.
    Remove(Index),
    /// Make a length-limited string `extra` characters too long.
    OverLong(Index, u32),
    /// Replace the value at a path.
    Replace(Index, Value),
    /// Replace the value at a path with a string.
    Text(Index, String),
}

fn other_json_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(42)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        Just(json!([])),
        Just(json!({})),
        Just(json!("text")),
        // 17 items: no object of the specs has 17 fields (see the module doc).
        Just(json!(["a", 1, true, null, {}, [], "b", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])),
    ]
}

fn shaped_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("10000.00".to_owned()),
        Just("10000".to_owned()),
        Just("-1.00".to_owned()),
        Just("12345678901234567.00".to_owned()),
        Just("2024-07-10T11:57:58+07:00".to_owned()),
        Just("2024-02-30T11:57:58+07:00".to_owned()),
        Just("app".to_owned()),
        Just("PAY_NOTIFY".to_owned()),
        Just("EMONEY_DANA_SNAP".to_owned()),
        Just("client_credentials".to_owned()),
        Just("IDR".to_owned()),
        Just("idr".to_owned()),
        Just("Y".to_owned()),
        Just("54".to_owned()),
        Just("5a".to_owned()),
        Just("192.168.0.1".to_owned()),
        Just(String::new()),
        Just("é".repeat(70)),
        "[a-zA-Z0-9]{0,70}",
        "\\PC{0,40}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Remove),
        (any::<Index>(), 1u32..8).prop_map(|(i, extra)| Mutation::OverLong(i, extra)),
        (any::<Index>(), other_json_type()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), shaped_text()).prop_map(|(i, s)| Mutation::Text(i, s)),
    ]
}

/// A step of a JSON path.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

/// Every path to a value in `value` (the root is the empty path).
fn paths(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                here.push(Step::Key(key.clone()));
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(Step::Item(i));
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Item(i) => v.get_mut(*i),
    })
}

fn remove(body: &mut Value, path: &[Step]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match (get_mut(body, parent), last) {
        (Some(Value::Object(map)), Step::Key(k)) => {
            map.remove(k);
        }
        (Some(Value::Array(items)), Step::Item(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

fn apply(api: &Api, endpoint: &Endpoint, body: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    paths(body, &mut Vec::new(), &mut all);
    match mutation {
        Mutation::Remove(i) => remove(body, &all[i.index(all.len())]),
        Mutation::Replace(i, value) => {
            if let Some(slot) = get_mut(body, &all[i.index(all.len())]) {
                *slot = value.clone();
            }
        }
        Mutation::Text(i, text) => {
            if let Some(slot) = get_mut(body, &all[i.index(all.len())]) {
                *slot = Value::String(text.clone());
            }
        }
        Mutation::OverLong(i, extra) => {
            let limited = limited_fields(api, &endpoint.request);
            if limited.is_empty() {
                return;
            }
            let field = &limited[i.index(limited.len())];
            let pointer = format!("/{}", field.pointer.join("/"));
            let too_long = chars_of_len(&field.rule, field.rule.max_length.unwrap_or(0) + extra);
            if let Some(slot) = body.pointer_mut(&pointer) {
                *slot = Value::String(too_long);
            }
        }
    }
}

fn static_violations(entry: &EndpointEntry, body: &Value) -> Vec<Violation> {
    match (entry.validate_body)(body.clone()) {
        Ok(()) => Vec::new(),
        Err(e) => e.violations().to_vec(),
    }
}

struct Setup {
    api: Api,
    pairs: Vec<(Endpoint, &'static EndpointEntry)>,
}

fn setup() -> &'static Setup {
    static SETUP: std::sync::OnceLock<Setup> = std::sync::OnceLock::new();
    SETUP.get_or_init(|| {
        let api = common::api();
        let pairs = snapbi::ENDPOINTS
            .iter()
            .filter_map(|entry| Some((api.endpoint(&entry.info.id)?.clone(), entry)))
            .collect();
        Setup { api, pairs }
    })
}

#[test]
fn every_generated_endpoint_is_in_the_specs_and_samples_are_valid() {
    let setup = setup();
    assert_eq!(setup.pairs.len(), snapbi::ENDPOINTS.len());
    for (endpoint, entry) in &setup.pairs {
        let body = sample_object(&setup.api, &endpoint.request);
        assert_eq!(static_violations(entry, &body), Vec::new(), "{}", endpoint.info.id);
        let dynamic = snapbi_sandbox::validate::request(&setup.api, endpoint, &body);
        assert_eq!(dynamic, Vec::new(), "{}", endpoint.info.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn dynamic_and_static_validators_agree(which in any::<Index>(), mutations in prop::collection::vec(mutation(), 0..4)) {
        let setup = setup();
        // A bodiless endpoint (a GET) has no body to validate: the sandbox reads its path parameters instead.
        let with_body: Vec<_> = setup.pairs.iter().filter(|(e, _)| e.has_body()).collect();
        let (endpoint, entry) = with_body[which.index(with_body.len())];
        let mut body = sample_object(&setup.api, &endpoint.request);
        for m in &mutations {
            apply(&setup.api, endpoint, &mut body, m);
        }
        let expected = static_violations(entry, &body);
        let got = snapbi_sandbox::validate::request(&setup.api, endpoint, &body);
        prop_assert_eq!(got, expected, "{} body {}", endpoint.info.id, body);
    }
}
