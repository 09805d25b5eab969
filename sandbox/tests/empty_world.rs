//! The sandbox answers from its world or from the request, never from the specs' samples: every outbound SNAP
//! endpoint of every provider is called with its sample request in a sandbox of its own whose world is empty (no
//! payment, record, customer or token of the customer's), as a client's first call would find it.
//!
//! - An endpoint that looks something up (a status, a refund, a cancel, an update, a balance, an unbinding, a
//!   customer's token) has nothing to find and is refused: none answers success by echoing the request.
//! - Only an endpoint that makes something succeeds (a token, a payment, a record, a binding), and the few that the
//!   provider answers from the request alone, which are listed here by name ([`FROM_THE_REQUEST`]): the list is the
//!   work left, and a new endpoint answering without state fails this test until it is added on purpose.
//! - No success holds a sample value (a spec `example`) that its request did not carry.
//!
//! (The enveloped DANA Open API calls and the providers answering their own JSON are walked by their own tests.)

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;
use snapbi_spec::ir::{CustomerAct, Direction, Endpoint, Field, FieldType, Operation};

/// Endpoints that succeed in an empty world, answered from the request and the values their spec says the provider
/// fills (`answers`), with no state behind them yet: DANA's consult pay (the payment methods on offer).
const FROM_THE_REQUEST: [&str; 1] = ["dana.payment_gateway.consult_pay"];

#[tokio::test]
async fn an_empty_world_answers_only_what_makes_something_and_never_a_sample() {
    let api = api();
    let walked: Vec<&Endpoint> = api.endpoints.iter().filter(|e| walks(&api, e)).collect();
    let mut from_the_request = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for endpoint in &walked {
        let run = start_provider(&endpoint.info.provider, |b| b).await;
        let request = sample(run.api(), &endpoint.info.id);
        let reply = run.call(&endpoint.info.id, &request).await;
        if !(200..300).contains(&reply.status) {
            refused.insert(endpoint.info.id.to_string());
            continue;
        }
        let id = endpoint.info.id.to_string();
        assert!(
            makes_something(endpoint) || FROM_THE_REQUEST.contains(&id.as_str()),
            "{id} succeeded in an empty world ({} {}): it looks something up, and nothing is there",
            reply.code(),
            reply.message()
        );
        if !makes_something(endpoint) {
            from_the_request.insert(id.clone());
        }
        let samples = sample_strings(&api, &endpoint.response);
        let sent = strings(&request);
        for value in strings(&reply.body) {
            assert!(
                !samples.contains(&value) || sent.contains(&value),
                "{id} answered the spec's sample {value:?}, which its request did not carry: {}",
                reply.body
            );
        }
    }
    // What the issue names: unbinding an account never bound, a balance nobody has, a status or refund of a payment
    // nobody made are refused, at both providers.
    for id in [
        "doku.direct_debit.account_unbinding",
        "doku.direct_debit.balance_inquiry",
        "doku.direct_debit.status",
        "doku.direct_debit.refund",
        "dana.widget.account_unbinding",
        "dana.widget.balance_inquiry",
        "dana.widget.apply_ott",
        "dana.payment_gateway.query_payment",
        "dana.payment_gateway.refund_order",
        "dana.payment_gateway.cancel_order",
    ] {
        assert!(
            refused.contains(id),
            "{id} was not refused in an empty world: {refused:?}"
        );
    }
    assert_eq!(
        from_the_request,
        FROM_THE_REQUEST.iter().map(|s| s.to_string()).collect(),
        "the endpoints answered from the request alone"
    );
}

/// The outbound SNAP endpoints (not in an envelope, not at a provider answering its own JSON).
fn walks(api: &snapbi_spec::Api, endpoint: &Endpoint) -> bool {
    let own_json = api
        .provider(&endpoint.info.provider)
        .is_some_and(|p| p.results.is_some());
    endpoint.direction == Direction::Outbound && endpoint.info.envelope.is_none() && !own_json
}

/// Whether a call of the endpoint makes state rather than reads it: a token, a payment, a record, a binding.
fn makes_something(endpoint: &Endpoint) -> bool {
    matches!(
        endpoint.operation,
        Operation::Token | Operation::Payment | Operation::Create
    ) || endpoint.customer.as_ref().is_some_and(|c| c.act == CustomerAct::Bind)
}

/// Every string value in `value`, at any depth.
fn strings(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(s) => {
                out.insert(s.clone());
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => stack.extend(members.values()),
            _ => {}
        }
    }
    out
}

/// The `example` values of `fields` and of what they hold, but those that are one word of a value list (an enum's
/// own value is the spec's, not a sample) or shorter than four characters (`00`, `IDR`: too common to tell apart).
fn sample_strings(api: &snapbi_spec::Api, fields: &[Field]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<&Field> = fields.iter().collect();
    while let Some(field) = stack.pop() {
        let enumerated = matches!(&field.ty, FieldType::Str(rule) if !rule.enum_values.is_empty());
        if let Some(example) = field.example.as_deref().filter(|e| e.len() >= 4 && !enumerated) {
            out.insert(example.to_owned());
        }
        match &field.ty {
            FieldType::Object(inner) => stack.extend(inner),
            FieldType::Named(name) => stack.extend(api.shared_type(name).map_or(&[][..], |t| &t.fields[..])),
            FieldType::List { items, .. } => {
                if let FieldType::Object(inner) = &**items {
                    stack.extend(inner);
                }
            }
            _ => {}
        }
    }
    out
}
