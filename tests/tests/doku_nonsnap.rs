//! DOKU's non-SNAP API (`specs/doku_nonsnap`) through the generated `snapbi::doku_nonsnap::Client` against the
//! in-process sandbox: Checkout answers `SUCCESS` with a payment page and Indodana's generate order PENDING, in
//! DOKU's own JSON; the sandbox refuses a bad signature and a body field in DOKU's shapes, which the client reads
//! into typed codes.

use std::path::Path;

use serde_json::{Value, json};
use snapbi::doku_nonsnap::{self, checkout_payment as checkout, paylater_indodana_generate_order as generate};
use snapbi::rt;
use snapbi_sandbox::{Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};

async fn sandbox() -> (String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("doku_nonsnap")
        .expect("doku_nonsnap")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    sandbox.spawn_on_loopback().await.expect("loopback")
}

fn client(base: &str, secret: &str) -> doku_nonsnap::Client {
    let config = rt::Config::new(DEMO_CLIENT_ID).base_url(base).client_secret(secret);
    doku_nonsnap::Client::new(config).expect("client")
}

/// DOKU's sample request [doku-indodana], as JSON.
fn sample() -> Value {
    let address = json!({
        "first_name": "andreas", "last_name": "dharmawan", "address": "Jalan Teknologi Indonesia No. 25",
        "city": "Jakarta", "postal_code": "12960", "phone": "081513114262", "country_code": "IDN"
    });
    json!({
        "order": {
            "invoice_number": "MINV20201231468",
            "line_items": [{
                "name": "Ayam", "price": 50000, "quantity": 2, "id": "1002", "category": "ELECTRONIC",
                "url": "https://merchant.com/product_1002", "image_url": "https://merchant.com/product_1002/image",
                "type": "handphone"
            }],
            "amount": 100000,
            "callback_url": "https://merchant.com/return-url",
            "callback_url_cancel": "https://merchant.com/cancel-url"
        },
        "peer_to_peer_info": { "expired_time": 60, "merchant_unique_reference": "60123" },
        "customer": { "first_name": "andreas", "last_name": "dharmawan", "phone": "081939815480", "email": "andreas@email.com" },
        "billing_address": address.clone(),
        "shipping_address": address,
        "additional_info": { "override_notification_url": "https://another.example.com/payments/notifications" }
    })
}

/// A JSON value sent as it is, to reach the sandbox with what the typed builder would refuse.
struct Raw(Value);

impl rt::WriteJson for Raw {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&serde_json::to_vec(&self.0).unwrap_or_default());
    }
}

async fn send(
    client: &doku_nonsnap::Client,
    body: Value,
) -> Result<rt::Reply<generate::Response, generate::Code>, rt::Error<generate::Code>> {
    client.runtime().call(&generate::ENDPOINT, &Raw(body), &[]).await
}

#[test]
fn doku_s_sample_request_passes_the_generated_validators() {
    let request: Result<generate::Request, _> = rt::from_json(sample());
    assert!(request.is_ok(), "{request:?}");
}

#[tokio::test]
async fn an_order_is_answered_pending_with_a_payment_page() {
    let (base, _handle) = sandbox().await;
    let request: generate::Request = rt::from_json(sample()).expect("valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .paylater_indodana_generate_order(&request)
        .await
        .expect("the order is created");
    assert_eq!((reply.status, reply.code.clone()), (200, generate::Code::Pending));
    assert_eq!(reply.code.outcome(), rt::Outcome::Pending);
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["order"]["invoice_number"], "MINV20201231468", "{answer}");
    assert_eq!(
        answer["peer_to_peer_info"]["merchant_unique_reference"], "60123",
        "{answer}"
    );
    assert!(
        answer["payment"]["url"].as_str().is_some_and(|u| !u.is_empty()),
        "{answer}"
    );
    assert!(
        answer.get("responseCode").is_none(),
        "DOKU's own JSON, not a SNAP body: {answer}"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_as_doku_refuses_it() {
    let (base, _handle) = sandbox().await;
    let refused = send(&client(&base, "not-the-secret"), sample()).await;
    match refused {
        Err(rt::Error::Api {
            status,
            code,
            message,
            raw_body,
        }) => {
            assert_eq!((status, code.clone()), (400, generate::Code::InvalidSignature));
            assert_eq!(code.outcome(), rt::Outcome::Auth);
            assert_eq!(message.as_deref(), Some("Invalid Header Signature"));
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
        }
        other => panic!("a bad signature must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_body_field_is_refused_naming_it() {
    let (base, _handle) = sandbox().await;
    let mut body = sample();
    if let Some(customer) = body.get_mut("customer").and_then(Value::as_object_mut) {
        customer.remove("email");
    }
    match send(&client(&base, DEMO_CLIENT_SECRET), body).await {
        Err(rt::Error::Api {
            status, code, message, ..
        }) => {
            assert_eq!(status, 400);
            assert_eq!(message.as_deref(), Some("Invalid Mandatory Field customer.email"));
            // Not a code DOKU publishes: the client keeps it, with the outcome of its HTTP status.
            assert!(matches!(code, generate::Code::Unknown(_)), "{code:?}");
            assert_eq!(code.outcome(), rt::Outcome::Failed);
        }
        other => panic!("a missing field must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_client_is_refused_before_the_signature() {
    let (base, _handle) = sandbox().await;
    let config = rt::Config::new("MCH-unknown")
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET);
    let stranger = doku_nonsnap::Client::new(config).expect("client");
    match send(&stranger, sample()).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, generate::Code::InvalidClientId),
        other => panic!("an unknown client must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_order_is_a_business_failure_with_doku_s_status() {
    let (base, _handle) = sandbox().await;
    let scenario = [("X-Sandbox-Scenario".to_owned(), "FAILED".to_owned())];
    let answer = client(&base, DEMO_CLIENT_SECRET)
        .runtime()
        .call::<_, generate::Response, generate::Code>(&generate::ENDPOINT, &Raw(sample()), &scenario)
        .await;
    match answer {
        Err(rt::Error::Api {
            status, code, raw_body, ..
        }) => {
            // HTTP 200, but the order failed: the outcome is the status field's, not the HTTP status's.
            assert_eq!((status, code.clone()), (200, generate::Code::Failed));
            assert_eq!(code.outcome(), rt::Outcome::Failed);
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body["payment"]["status"], "FAILED", "{body}");
        }
        other => panic!("a FAILED order must be an error: {other:?}"),
    }
}

#[tokio::test]
async fn a_checkout_page_is_created_with_doku_s_message() {
    let (base, _handle) = sandbox().await;
    // DOKU's minimal request [doku-checkout].
    let sent = json!({ "order": { "amount": 20000, "invoice_number": "INV-20210231-0001" }, "payment": { "payment_due_date": 60 } });
    let request: checkout::Request = rt::from_json(sent).expect("DOKU's sample is valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .checkout_payment(&request)
        .await
        .expect("a page");
    assert_eq!((reply.status, reply.code.clone()), (200, checkout::Code::Success));
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["message"], json!(["SUCCESS"]), "{answer}");
    assert_eq!(
        answer["response"]["order"]["invoice_number"], "INV-20210231-0001",
        "{answer}"
    );
    assert!(
        answer["response"]["payment"]["url"]
            .as_str()
            .is_some_and(|u| !u.is_empty()),
        "{answer}"
    );
}

#[test]
fn checkout_limits_are_doku_s() {
    let too_long = json!({ "order": { "amount": 20000, "invoice_number": "I".repeat(65) } });
    let refused = rt::from_json::<checkout::Request>(too_long)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("order.invoice_number"), "{refused}");
    let too_much = json!({ "order": { "amount": 1_000_000_000_000_i64, "invoice_number": "INV-1" } });
    let refused = rt::from_json::<checkout::Request>(too_much)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("order.amount"), "{refused}");
}
