//! Random bad input never crashes the sandbox or gets a 5xx: random JSON shaped like the endpoint's body
//! (known wire names, any JSON types, nesting), random bytes, and random header values, all correctly signed
//! where they can be. Every answer is SNAP-shaped, with the HTTP status equal to the code's first digits.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};

/// Wire names the specs use, so random objects often hit real fields.
const NAMES: &[&str] = &[
    "partnerReferenceNo",
    "amount",
    "value",
    "currency",
    "urlParam",
    "url",
    "type",
    "isDeepLink",
    "additionalInfo",
    "channel",
    "originalPartnerReferenceNo",
    "partnerRefundNo",
    "refundAmount",
    "serviceCode",
    "grantType",
    "validUpTo",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,30}".prop_map(Value::String),
        Just(Value::String("10000.00".into())),
        Just(Value::String("IDR".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(NAMES), inner), 0..6).prop_map(|pairs| {
                let map: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                Value::Object(map)
            }),
        ]
    })
}

/// A body: random JSON (sometimes merged into the valid sample) or random bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        json().prop_map(|v| {
            let mut sample = sample(&api(), PAYMENT);
            if let (Some(target), Value::Object(extra)) = (sample.as_object_mut(), v) {
                target.extend(extra);
            }
            serde_json::to_vec(&sample).unwrap_or_default()
        }),
        prop::collection::vec(any::<u8>(), 0..300),
    ]
}

/// Maybe replace one header with a random visible-ASCII value.
fn header_change() -> impl Strategy<Value = Option<(usize, String)>> {
    prop::option::of((0usize..16, "[ -~]{0,60}"))
}

#[test]
fn random_input_never_gets_a_5xx() {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        panic!("runtime");
    };
    let run = runtime.block_on(start(|b| b));
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let result = runner.run(&(body(), header_change()), |(bytes, change)| {
        let reply = runtime.block_on(async {
            // Sign the bytes when they are JSON, so the checks after the signature are reached too.
            let signed_over: &[u8] = match snapbi::rt::minify::minify(&bytes) {
                Ok(_) => &bytes,
                Err(_) => b"{}",
            };
            let mut headers = run.headers_for(PAYMENT, signed_over).await;
            if let Some((i, value)) = change {
                let i = i % headers.len();
                headers[i].1 = value;
            }
            run.send_to(PAYMENT, &headers, bytes.clone()).await
        });
        let code = reply.code();
        prop_assert!(reply.status < 500, "{} {}", reply.status, reply.body);
        prop_assert_eq!(code.len(), 7, "{}", reply.body);
        prop_assert_eq!(&code[..3], reply.status.to_string());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Still serving afterwards.
    let reply = runtime.block_on(run.call(PAYMENT, &run.payment_body(&unique("INV"), "1.00")));
    reply.expect("2005400", "Successful");
}
