//! Every answer the sandbox gives is valid against its endpoint's response spec: the JSON types and limits the
//! provider's software parses (DANA's response models cap `originalExternalId` at 32 characters, DOKU's SDK
//! computes with `expiresIn` as a number). A property test over random accepted requests, for every served
//! endpoint of every provider.
//!
//! Each provider's sandbox is first given a world to answer from: its back-office records registered and every
//! endpoint's sample called once in the order a merchant would (token, payments, status, refunds, …), so that
//! the random calls meet paid payments and existing records as well as unknown ones. A random request is an
//! endpoint's valid sample with up to four changes that keep every field valid: an optional field left out, a
//! length-limited string at another length it allows, a fresh value for an idempotency key (so that payments
//! and refunds commit rather than replay). A change may still break a rule across fields or meet the state
//! (a refund above what is left); whatever the sandbox answers, its answer must match the spec.

mod common;

use std::sync::LazyLock;

use common::*;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use snapbi_spec::ir::paths::flatten;
use snapbi_spec::ir::samples::{limited_fields, sample_object, str_of_len};
use snapbi_spec::ir::{Endpoint, Operation};

/// A change that keeps every field of a valid body valid.
#[derive(Debug, Clone)]
enum Change {
    /// Leave out the optional field at this index of the endpoint's optional wire paths.
    Drop(Index),
    /// Give the length-limited string at this index a length drawn from its allowed range.
    Resize(Index, Index),
    /// A fresh value for every idempotency key.
    Fresh,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<Index>().prop_map(Change::Drop),
        (any::<Index>(), any::<Index>()).prop_map(|(f, n)| Change::Resize(f, n)),
        Just(Change::Fresh),
    ]
}

/// The sandboxes, one per provider, with their world set up once; they live as long as the test process.
struct World {
    runtime: tokio::runtime::Runtime,
    runs: Vec<Running>,
    endpoints: Vec<(usize, Endpoint)>,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut runs = Vec::new();
    let mut endpoints = Vec::new();
    for provider in api().providers.iter().map(|p| p.name.clone()) {
        let run = runtime.block_on(start_provider(&provider, |b| b));
        runtime.block_on(set_up(&run));
        for id in run.sandbox.endpoints() {
            endpoints.push((runs.len(), run.endpoint(id).clone()));
        }
        runs.push(run);
    }
    World {
        runtime,
        runs,
        endpoints,
    }
});

/// Back-office records, then every sample call in a merchant's order, each payment completed.
async fn set_up(run: &Running) {
    run.register_back_office();
    let mut endpoints: Vec<Endpoint> = run.sandbox.endpoints().map(|id| run.endpoint(id).clone()).collect();
    endpoints.sort_by_key(|e| order(e.operation));
    for endpoint in &endpoints {
        let body = sample_object(run.api(), &endpoint.request);
        call(run, endpoint, &body).await;
        if endpoint.operation == Operation::Payment
            && let Some(reference) = body["partnerReferenceNo"].as_str()
        {
            let _ = run.sandbox.complete_payment(reference);
        }
    }
}

fn order(operation: Operation) -> u8 {
    match operation {
        Operation::Token => 0,
        Operation::Payment | Operation::Create => 1,
        // Notify endpoints are inbound: never among the served ones.
        Operation::Status | Operation::Update | Operation::Notify | Operation::Other => 2,
        Operation::Refund => 3,
        Operation::Cancel => 4,
        Operation::Delete => 5,
    }
}

/// Whether the endpoint answers SNAP bodies (not an envelope, not its provider's own JSON).
fn answers_snap(run: &Running, endpoint: &Endpoint) -> bool {
    let own_json = run
        .api()
        .provider(&endpoint.info.provider)
        .is_some_and(|p| p.results.is_some());
    endpoint.info.envelope.is_none() && !own_json
}

/// Sends `body` to `endpoint`, correctly signed (an endpoint that is not SNAP through the runtime client, which
/// frames and signs it as its provider does), and returns the answer's HTTP status and JSON body.
async fn call(run: &Running, endpoint: &Endpoint, body: &Value) -> (u16, Value) {
    if !answers_snap(run, endpoint) {
        let params = sample_strings(run.api(), &endpoint.params);
        let answer = run.call_through_client(endpoint, body, &params).await;
        return (answer.status, answer.body);
    }
    let reply = run.call(&endpoint.info.id, body).await;
    (reply.status, reply.body)
}

/// The response body an answer's spec describes: the SNAP body itself, or an envelope's response body.
fn described<'v>(endpoint: &Endpoint, answer: &'v Value) -> &'v Value {
    match endpoint.info.envelope {
        Some(_) => &answer["response"]["body"],
        None => answer,
    }
}

fn apply(run: &Running, endpoint: &Endpoint, body: &mut Value, change: &Change) {
    let api = run.api();
    match change {
        Change::Drop(i) => {
            let optional: Vec<String> = flatten(api, &endpoint.request)
                .into_iter()
                .filter(|f| !f.required)
                .map(|f| f.wire_path)
                .collect();
            if !optional.is_empty() {
                remove(body, &optional[i.index(optional.len())]);
            }
        }
        Change::Resize(f, n) => {
            let limited = limited_fields(api, &endpoint.request);
            if limited.is_empty() {
                return;
            }
            let field = &limited[f.index(limited.len())];
            let min = field.rule.min_length.unwrap_or(0);
            let max = field.rule.max_length.unwrap_or(min + 64).min(min + 256);
            let len = min + n.index((max - min + 1) as usize) as u32;
            if let (Some(text), Some(slot)) = (str_of_len(&field.rule, len), slot(body, &field.pointer)) {
                *slot = Value::String(text);
            }
        }
        Change::Fresh => {
            for key in &endpoint.idempotency_keys {
                if let Some(slot @ Value::String(_)) =
                    slot(body, &key.split('.').map(str::to_owned).collect::<Vec<_>>())
                {
                    *slot = Value::String(unique("P"));
                }
            }
        }
    }
}

/// The value a sample pointer (object keys; the first item of a list) names, if the body still has it.
fn slot<'v>(body: &'v mut Value, pointer: &[String]) -> Option<&'v mut Value> {
    pointer.iter().try_fold(body, |value, segment| match value {
        Value::Array(items) => items.first_mut(),
        other => other.get_mut(segment.as_str()),
    })
}

/// Removes the value at a wire path (`a.b`, `urlParam[].url`: the first item of a list).
fn remove(body: &mut Value, wire_path: &str) {
    let segments: Vec<&str> = wire_path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut here = body;
    for segment in parents {
        let (name, list) = segment.strip_suffix("[]").map_or((*segment, false), |n| (n, true));
        let Some(next) = here.get_mut(name) else { return };
        here = if list {
            match next.get_mut(0) {
                Some(item) => item,
                None => return,
            }
        } else {
            next
        };
    }
    if let Some(map) = here.as_object_mut() {
        map.remove(last.trim_end_matches("[]"));
    }
}

fn cases() -> u32 {
    std::env::var("SNAPBI_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_answer_matches_its_response_spec(which in any::<Index>(), changes in prop::collection::vec(change(), 0..4)) {
        let world = &*WORLD;
        let (run, endpoint) = &world.endpoints[which.index(world.endpoints.len())];
        let run = &world.runs[*run];
        let mut body = sample_object(run.api(), &endpoint.request);
        for change in &changes {
            apply(run, endpoint, &mut body, change);
        }
        let (status, answer) = world.runtime.block_on(call(run, endpoint, &body));
        let violations = snapbi_sandbox::validate::body(run.api(), &endpoint.response, described(endpoint, &answer));
        prop_assert!(
            violations.is_empty(),
            "{} answered HTTP {status} {answer} to {body}: {violations:?}",
            endpoint.info.id
        );
        if answers_snap(run, endpoint) {
            // A SNAP answer's code is seven digits beginning with its HTTP status.
            let code = answer["responseCode"].as_str().unwrap_or_default();
            prop_assert!(code.len() == 7 && code.starts_with(&status.to_string()), "{} answered {answer}", endpoint.info.id);
        }
    }
}
