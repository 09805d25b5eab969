//! Every SNAP endpoint of every provider, over raw HTTP, refuses for real (no forced scenario): a request
//! without a required field (or with a value one character too long) gets the endpoint's `400xx02` /
//! `400xx01` naming the field, and a request signed over other bytes gets `401xx00 Unauthorized. Invalid
//! Signature`. Driven by the IR, so a new endpoint is covered without new test code. (Business failures per
//! endpoint: `client_e2e`; the enveloped DANA Open API calls: `open_api`; the endpoints of a provider answering
//! its own JSON, refused in its shapes: `tests/tests/doku_nonsnap.rs`, and their field limits `field_limits`.)

mod common;

use common::*;
use serde_json::Value;
use snapbi_spec::ir::samples::{limited_fields, str_of_len};
use snapbi_spec::ir::{Direction, Endpoint, HeaderSource};

#[tokio::test]
async fn every_endpoint_refuses_a_bad_field_and_a_bad_signature() {
    let mut checked = 0;
    for (run, endpoints) in every_provider().await {
        for endpoint in endpoints {
            if !answers_snap(&endpoint) {
                continue;
            }
            bad_field(&run, &endpoint).await;
            bad_signature(&run, &endpoint).await;
            checked += 1;
        }
    }
    let snap_outbound = api()
        .endpoints
        .iter()
        .filter(|e| e.direction == Direction::Outbound && answers_snap(e))
        .count();
    assert_eq!(
        checked, snap_outbound,
        "every outbound SNAP endpoint is served and checked"
    );
}

/// Whether the endpoint answers SNAP bodies (not in an envelope, not at a provider answering its own JSON).
fn answers_snap(endpoint: &Endpoint) -> bool {
    let own_json = api()
        .provider(&endpoint.info.provider)
        .is_some_and(|p| p.results.is_some());
    endpoint.info.envelope.is_none() && !own_json
}

/// The first required request field removed, else the first length-limited field one character too long.
async fn bad_field(run: &Running, endpoint: &Endpoint) {
    let service = &endpoint.refusal_service_code;
    let mut body = sample(run.api(), &endpoint.info.id);
    if let Some(field) = endpoint.request.iter().find(|f| f.required) {
        body.as_object_mut().map(|o| o.remove(&field.wire));
        run.call(&endpoint.info.id, &body).await.expect(
            &format!("400{service}02"),
            &format!("Invalid Mandatory Field {}", field.wire),
        );
        return;
    }
    let Some(limited) = limited_fields(run.api(), &endpoint.request)
        .into_iter()
        .find(|f| f.rule.max_length.is_some())
    else {
        return;
    };
    let max = limited.rule.max_length.unwrap_or_default();
    let Some(too_long) = str_of_len(&limited.rule, max + 1) else {
        return;
    };
    let mut slot = &mut body;
    for segment in &limited.pointer {
        slot = match slot {
            Value::Array(items) => &mut items[0],
            other => &mut other[segment.as_str()],
        };
    }
    *slot = Value::String(too_long);
    let reply = run.call(&endpoint.info.id, &body).await;
    reply.expect(
        &format!("400{service}01"),
        &format!("Invalid Field Format {}", limited.wire_path),
    );
}

/// Headers signed over an empty object, sent with the sample body.
async fn bad_signature(run: &Running, endpoint: &Endpoint) {
    let provider = run.api().provider(&endpoint.info.provider).expect("provider");
    let Some((name, _)) = provider
        .headers_for(endpoint.info.auth)
        .iter()
        .find(|(_, source)| *source == HeaderSource::Signature)
    else {
        return;
    };
    let body = serde_json::to_vec(&sample(run.api(), &endpoint.info.id)).expect("json");
    let mut headers = run.headers_for(&endpoint.info.id, &body).await;
    let elsewhere = run.headers_for(&endpoint.info.id, b"{\"other\":true}").await;
    let forged = elsewhere.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    set_header(&mut headers, name, &forged.unwrap_or_default());
    let service = &endpoint.refusal_service_code;
    let reply = run.send_to(&endpoint.info.id, &headers, body).await;
    // A token request signs `clientId|timestamp`, not the body: a forged one is another timestamp's, as valid, and
    // the call is answered on its merits (a B2B2C grant of the sample's made-up auth code is refused for that).
    if endpoint.info.auth.as_str() == "token" {
        assert_ne!(
            reply.message(),
            "Unauthorized. Invalid Signature",
            "{}: a token request's signature does not cover the body",
            endpoint.info.id
        );
        return;
    }
    reply.expect(&format!("401{service}00"), "Unauthorized. Invalid Signature");
}
