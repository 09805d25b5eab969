//! The sandbox answers from its world or from the request, never from the specs' samples: every outbound endpoint of
//! every provider is called with its sample request in a sandbox of its own whose world is empty (no payment, record,
//! customer, registered merchant or token of the customer's), as a client's first call would find it. That is every
//! SNAP endpoint, every DANA Open API call (framed and signed in DANA's envelope) and every endpoint of a provider
//! answering its own JSON (WooshPay's HTTP Basic key, DOKU's non-SNAP signature), the last two through the runtime
//! client; a path parameter (`/v1/payment_intents/{id}`) names an id nothing issued.
//!
//! - An endpoint that looks something up (a status, a refund, a cancel, an update, a balance, an unbinding, a
//!   customer's token, a shop, a division, the merchant's profile, balances or cards, a retrieve) has nothing to find
//!   and is refused: none answers success by echoing the request. Refused means the outcome the endpoint's spec maps
//!   the answer's code to, not the HTTP status: an envelope refuses under HTTP 200 (`PARAM_ILLEGAL`), a provider's
//!   own JSON with a 4xx and its error object.
//! - Only an endpoint that makes something succeeds (a token, a payment, a record, a binding), and the few that the
//!   provider answers from the request alone, which are listed here by name, each with why no state is behind it
//!   ([`FROM_THE_REQUEST`]): a new endpoint answering without state fails this test until it is added on purpose.
//! - No success holds a sample value (a spec `example`) that its request did not carry.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;
use snapbi_spec::ir::samples::{sample_str, str_problem};
use snapbi_spec::ir::{CustomerAct, Direction, Endpoint, Field, FieldType, Operation, Outcome, StrRule};

/// Endpoints that succeed in an empty world, answered from the request and the values their spec says the provider
/// fills (`answers`), with no state behind them: DANA's consult pay, whose answer is the payment methods on offer,
/// which depend on the merchant's contract with DANA. No spec or record holds that contract, and DANA documents no
/// refusal of a merchant it does not know for this call, so the sandbox answers its success code and lists no method
/// rather than one it would make up.
const FROM_THE_REQUEST: [&str; 1] = ["dana.payment_gateway.consult_pay"];

#[tokio::test]
async fn an_empty_world_answers_only_what_makes_something_and_never_a_sample() {
    let api = api();
    let walked: Vec<&Endpoint> = api
        .endpoints
        .iter()
        .filter(|e| e.direction == Direction::Outbound)
        .collect();
    let mut from_the_request = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for endpoint in &walked {
        let run = start_provider(&endpoint.info.provider, |b| b).await;
        let request = sample(run.api(), &endpoint.info.id);
        let params = nothing_issued(endpoint);
        let answer = call(&run, endpoint, &request, &params).await;
        let id = endpoint.info.id.to_string();
        if !succeeded(endpoint, &answer) {
            refused_as_the_provider_does(&api, endpoint, &answer);
            refused.insert(id);
            continue;
        }
        assert!(
            makes_something(endpoint) || FROM_THE_REQUEST.contains(&id.as_str()),
            "{id} succeeded in an empty world ({}): it looks something up, and nothing is there: {}",
            answer.code,
            answer.body
        );
        if !makes_something(endpoint) {
            from_the_request.insert(id.clone());
        }
        let samples = sample_strings_of(&api, &endpoint.response);
        let mut sent = strings(&request);
        let head = sample_strings(&api, &endpoint.headers);
        sent.extend(params.iter().chain(&head).map(|(_, value)| value.clone()));
        for value in strings(&answer.body) {
            assert!(
                !samples.contains(&value) || sent.contains(&value),
                "{id} answered the spec's sample {value:?}, which its request did not carry: {}",
                answer.body
            );
        }
    }
    // What the issues name: unbinding an account never bound, a balance nobody has, a status or refund of a payment
    // nobody made, a shop, a division, a merchant or an object nobody registered are refused, at every provider.
    for id in [
        "doku.direct_debit.account_unbinding",
        "doku.direct_debit.balance_inquiry",
        "doku.direct_debit.status",
        "doku.direct_debit.refund",
        "dana.widget.account_unbinding",
        "dana.widget.balance_inquiry",
        "dana.widget.apply_ott",
        "dana.widget.query_user_profile",
        "dana.payment_gateway.query_payment",
        "dana.payment_gateway.refund_order",
        "dana.payment_gateway.cancel_order",
        "dana.merchant_management.query_shop",
        "dana.merchant_management.update_shop",
        "dana.merchant_management.query_division",
        "dana.merchant_management.update_division",
        "dana.merchant_management.query_merchant_info",
        "dana.merchant_management.query_merchant_resource",
        "dana.merchant_management.query_asset_card_list",
        "wooshpay.payment_intents.retrieve",
        "wooshpay.payment_intents.cancel",
        "wooshpay.refunds.retrieve",
        "wooshpay.checkout.sessions_retrieve",
        "wooshpay.checkout.sessions_expire",
        "doku_nonsnap.orders.check_status",
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

/// Calls `endpoint` with `body`, signed and framed as its provider wants: a SNAP call by the raw caller, an enveloped
/// call or one of a provider answering its own JSON through the runtime client (path parameters from `params`).
async fn call(run: &Running, endpoint: &Endpoint, body: &Value, params: &[(String, String)]) -> Answered {
    let own_json = run
        .api()
        .provider(&endpoint.info.provider)
        .is_some_and(|p| p.results.is_some());
    if endpoint.info.envelope.is_some() || own_json {
        return run.call_through_client(endpoint, body, params).await;
    }
    let reply = run.call(&endpoint.info.id, body).await;
    Answered {
        status: reply.status,
        code: reply.code().to_owned(),
        body: reply.body,
    }
}

/// Whether the answer means success (or pending) by the outcome the endpoint's spec maps its code to: an envelope
/// refuses under HTTP 200, in its result code. A code the spec does not declare goes by its HTTP status, as the
/// runtime reads it.
fn succeeded(endpoint: &Endpoint, answer: &Answered) -> bool {
    match endpoint.codes.iter().find(|c| c.code == answer.code) {
        Some(declared) => matches!(declared.outcome, Outcome::Success | Outcome::Pending),
        None => (200..300).contains(&answer.status),
    }
}

/// Asserts that a refusal is the provider's own: an envelope's comes under HTTP 200 with a result code the endpoint
/// declares, a provider's own JSON with a 4xx and its error object (a message where the provider puts one).
fn refused_as_the_provider_does(api: &snapbi_spec::Api, endpoint: &Endpoint, answer: &Answered) {
    let id = &endpoint.info.id;
    if endpoint.info.envelope.is_some() {
        let declared = endpoint.codes.iter().any(|c| c.code == answer.code);
        assert!(
            answer.status == 200 && declared,
            "{id} refused outside DANA's envelope (HTTP {}, {:?}): {}",
            answer.status,
            answer.code,
            answer.body
        );
    } else if let Some(results) = api.provider(&endpoint.info.provider).and_then(|p| p.results.as_ref()) {
        let message = results.message.iter().find_map(|path| text_at(&answer.body, path));
        assert!(
            (400..500).contains(&answer.status) && message.is_some(),
            "{id} refused without its provider's error object (HTTP {}): {}",
            answer.status,
            answer.body
        );
    }
}

/// The string at a wire path given as segments (a segment of digits indexes a list: DOKU's `message[0]`).
fn text_at<'v, S: std::ops::Deref<Target = str>>(value: &'v Value, path: &[S]) -> Option<&'v str> {
    let step = |v: &'v Value, member: &S| match v {
        Value::Array(items) => items.get(member.parse::<usize>().ok()?),
        _ => v.get(&**member),
    };
    path.iter().try_fold(value, step)?.as_str()
}

/// A value for each path parameter that nothing issued (a fresh one, else one made from its rule, never its sample):
/// in an empty world there is nothing for it to name.
fn nothing_issued(endpoint: &Endpoint) -> Vec<(String, String)> {
    let value = |rule: &StrRule| {
        let fresh = unique("nothing");
        match str_problem(rule, &fresh) {
            None => Some(fresh),
            Some(_) => sample_str(rule, None),
        }
    };
    endpoint
        .params
        .iter()
        .filter_map(|p| match &p.ty {
            FieldType::Str(rule) => Some((p.wire.clone(), value(rule)?)),
            _ => None,
        })
        .collect()
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
fn sample_strings_of(api: &snapbi_spec::Api, fields: &[Field]) -> BTreeSet<String> {
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
