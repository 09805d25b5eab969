//! Header-carried idempotency keys (issue #13): DOKU's non-SNAP `Request-Id` and WooshPay's `Idempotency-Key`, each
//! provider's `idempotency:` in its provider file.
//!
//! The sandbox, called by hand (DOKU's requests signed with `openssl`): a call sent again under its key gets the first
//! answer byte for byte with the provider's replay status (DOKU: 409, "the same Response body with HTTP Status Code 409
//! Conflict" [doku-idempotency]; WooshPay: the first answer as it was) and commits nothing; the key with another
//! request, or on another endpoint, is refused (DOKU: 409 `Inconsistent Request`, the sandbox's wording; WooshPay:
//! 409 `idempotency_error` [wooshpay-api]); WooshPay calls without the key are each their own. The sandbox's records
//! (DOKU's orders, WooshPay's PaymentIntents) show what was made.
//!
//! The client: an answer lost after the provider committed is sent again under the same key, and the provider makes
//! one order or PaymentIntent; a 5xx is sent again under the same key too, and each new call has a key of its own.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use snapbi::doku_nonsnap::{self, checkout_payment as checkout, orders_check_status as check_status};
use snapbi::rt;
use snapbi::wooshpay::{self, checkout_sessions_create as sessions, payment_intents_create as intents};
use snapbi_sandbox::{Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Fault, FaultKind, Sandbox, SandboxHandle};
use snapbi_tests::nonsnap::{openssl_base64, openssl_hmac_sha256};
use snapbi_tests::openssl;

/// A sandbox of `provider` on loopback, with the demo credentials.
async fn sandbox(provider: &str) -> (Sandbox, String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider(provider)
        .expect("a shipped provider")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    (sandbox, base, handle)
}

/// Quick resends, so a test does not wait for the default policy's seconds.
fn quick() -> rt::RetryPolicy {
    rt::RetryPolicy {
        budget: 3,
        first_wait: Duration::from_millis(10),
        max_wait: Duration::from_millis(50),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("http client")
}

/// An answer's status and body bytes.
async fn read(answer: reqwest::Response) -> (u16, Vec<u8>) {
    let status = answer.status().as_u16();
    (status, answer.bytes().await.expect("body").to_vec())
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

// DOKU non-SNAP ------------------------------------------------------------------------------------------------------

/// A Checkout page for `invoice` of `amount` IDR [doku-checkout].
fn page(invoice: &str, amount: u64) -> Value {
    json!({ "order": { "amount": amount, "invoice_number": invoice }, "payment": { "payment_due_date": 60 } })
}

/// `body` posted to DOKU Checkout with `request_id`, signed by hand (`openssl`) over DOKU's lines.
async fn checkout_with(base: &str, request_id: &str, body: &Value) -> (u16, Vec<u8>) {
    let body = serde_json::to_vec(body).expect("JSON");
    let path = &*checkout::ENDPOINT.path;
    let timestamp = doku_nonsnap::PROFILE.timestamp.now();
    let digest = openssl_base64(&openssl(&["dgst", "-sha256", "-binary"], &body));
    let lines = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{request_id}\nRequest-Timestamp:{timestamp}\nRequest-Target:{path}\n\
         Digest:{digest}"
    );
    let answer = http()
        .post(format!("{base}{path}"))
        .header("Content-Type", "application/json")
        .header("Client-Id", DEMO_CLIENT_ID)
        .header("Request-Id", request_id)
        .header("Request-Timestamp", timestamp)
        .header(
            "Signature",
            format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &lines)),
        )
        .body(body)
        .send()
        .await
        .expect("the sandbox answers");
    read(answer).await
}

/// The orders the sandbox keeps for `invoice`.
fn orders(sandbox: &Sandbox, invoice: &str) -> usize {
    let named = |r: &snapbi_sandbox::Record| r.key.get("order.invoice_number") == Some(&json!(invoice));
    sandbox
        .records()
        .iter()
        .filter(|r| r.provider == "doku_nonsnap" && r.kind == "order")
        .filter(|r| named(r))
        .count()
}

#[tokio::test]
async fn a_doku_checkout_sent_again_with_its_request_id_gets_the_first_body_with_409_and_one_order() {
    let (sandbox, base, _handle) = sandbox("doku_nonsnap").await;
    let invoice = "INV-IDEM-0001";
    let (status, first) = checkout_with(&base, "idem-doku-0001", &page(invoice, 20000)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&first));
    assert_eq!(json_of(&first)["message"], json!(["SUCCESS"]));
    let (status, again) = checkout_with(&base, "idem-doku-0001", &page(invoice, 20000)).await;
    assert_eq!(status, 409, "DOKU answers a repeat with 409 Conflict");
    assert_eq!(again, first, "the same response body, byte for byte");
    assert_eq!(orders(&sandbox, invoice), 1);
    // Key order and spacing do not make another request: the body's content is compared.
    let reordered =
        json!({ "payment": { "payment_due_date": 60 }, "order": { "invoice_number": invoice, "amount": 20000 } });
    let (status, once_more) = checkout_with(&base, "idem-doku-0001", &reordered).await;
    assert_eq!((status, once_more), (409, first));
    assert_eq!(orders(&sandbox, invoice), 1);
}

#[tokio::test]
async fn a_doku_request_id_sent_again_with_another_body_is_refused_and_changes_nothing() {
    let (sandbox, base, _handle) = sandbox("doku_nonsnap").await;
    let (status, _) = checkout_with(&base, "idem-doku-0002", &page("INV-IDEM-0002", 20000)).await;
    assert_eq!(status, 200);
    let (status, refused) = checkout_with(&base, "idem-doku-0002", &page("INV-IDEM-0002", 25000)).await;
    assert_eq!(
        (status, json_of(&refused)),
        (409, json!({ "message": ["Inconsistent Request"] }))
    );
    let (status, refused) = checkout_with(&base, "idem-doku-0002", &page("INV-IDEM-0003", 20000)).await;
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&refused));
    assert_eq!(orders(&sandbox, "INV-IDEM-0002"), 1);
    assert_eq!(
        orders(&sandbox, "INV-IDEM-0003"),
        0,
        "nothing made under a used Request-Id"
    );
    // A new Request-Id is a new call: the invoice number is then the one refused, as before.
    let (status, _) = checkout_with(&base, "idem-doku-0003", &page("INV-IDEM-0003", 20000)).await;
    assert_eq!(status, 200);
    assert_eq!(orders(&sandbox, "INV-IDEM-0003"), 1);
}

#[tokio::test]
async fn a_lost_checkout_answer_is_sent_again_under_its_request_id_and_doku_makes_one_order() {
    let (sandbox, base, _handle) = sandbox("doku_nonsnap").await;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET)
        .retry_policy(quick());
    let client = doku_nonsnap::Client::new(config).expect("client");
    let invoice = "INV-IDEM-0004";
    // The sandbox creates the order, then closes the connection without an answer.
    let drop = Fault {
        kind: FaultKind::DropAfterCommit,
        ms: 0,
    };
    sandbox.arm_fault(&checkout::ENDPOINT.id, drop, 1).expect("armed");
    let request: checkout::Request = rt::from_json(page(invoice, 20000)).expect("valid");
    let reply = client
        .checkout_payment(&request)
        .await
        .expect("the resend gets the first answer");
    assert_eq!(
        (reply.status, reply.code.clone()),
        (409, checkout::Code::Success),
        "{reply:?}"
    );
    let answer = json_of(&reply.raw_body);
    assert!(answer["response"]["payment"]["url"].is_string(), "{answer}");
    assert_eq!(orders(&sandbox, invoice), 1, "one order, made by the first request");
    assert!(sandbox.armed_faults().is_empty(), "the fault was met");
    // The order was made by the request that lost its answer: check status finds it by the Request-Id the resend
    // carried, which is the one the reply gives.
    let by_request_id = check_status::Params::builder()
        .invoice_number(reply.request_id.as_str())
        .build()
        .expect("params");
    let status = client.orders_check_status(&by_request_id).await.expect("found");
    assert_eq!(json_of(&status.raw_body)["order"]["invoice_number"], invoice);
    // A new call is a new request: it gets a Request-Id of its own.
    let other: checkout::Request = rt::from_json(page("INV-IDEM-0005", 20000)).expect("valid");
    let second = client.checkout_payment(&other).await.expect("created");
    assert_eq!(second.status, 200);
    assert_ne!(second.request_id, reply.request_id);
}

// WooshPay -----------------------------------------------------------------------------------------------------------

/// WooshPay's DANA Direct API sample request [wooshpay-dana] for `amount` IDR.
fn intent(amount: u64) -> Value {
    json!({
        "amount": amount,
        "currency": "IDR",
        "confirm": true,
        "payment_method_data": { "type": "dana" },
        "return_url": "https://your.website"
    })
}

/// The PaymentIntents the sandbox keeps.
fn payment_intents(sandbox: &Sandbox) -> usize {
    let kept = sandbox.records();
    kept.iter()
        .filter(|r| r.provider == "wooshpay" && r.kind == "payment_intent")
        .count()
}

fn basic() -> String {
    let encoded = openssl(&["base64", "-A"], format!("{DEMO_CLIENT_SECRET}:").as_bytes());
    format!("Basic {}", String::from_utf8_lossy(&encoded).trim())
}

/// `body` posted to WooshPay's `path` with HTTP Basic and, when given, an `Idempotency-Key`.
async fn wooshpay_post(base: &str, path: &str, key: Option<&str>, body: &Value) -> (u16, Vec<u8>) {
    let mut request = http()
        .post(format!("{base}{path}"))
        .header("Content-Type", "application/json")
        .header("Authorization", basic());
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    read(request.body(body.to_string()).send().await.expect("answered")).await
}

#[tokio::test]
async fn a_wooshpay_create_sent_again_with_its_key_gets_the_same_payment_intent() {
    let (sandbox, base, _handle) = sandbox("wooshpay").await;
    let path = &*intents::ENDPOINT.path;
    let (status, first) = wooshpay_post(&base, path, Some("idem-woosh-0001"), &intent(100)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&first));
    let id = json_of(&first)["id"].clone();
    assert!(id.as_str().is_some_and(|id| id.starts_with("pi_")), "{id}");
    let (status, again) = wooshpay_post(&base, path, Some("idem-woosh-0001"), &intent(100)).await;
    assert_eq!((status, &again), (200, &first), "the first answer as it was");
    assert_eq!(json_of(&again)["id"], id);
    assert_eq!(payment_intents(&sandbox), 1);
}

#[tokio::test]
async fn a_wooshpay_key_used_again_with_other_parameters_or_elsewhere_is_an_idempotency_error() {
    let (sandbox, base, _handle) = sandbox("wooshpay").await;
    let path = &*intents::ENDPOINT.path;
    let (status, _) = wooshpay_post(&base, path, Some("idem-woosh-0002"), &intent(100)).await;
    assert_eq!(status, 200);
    let (status, refused) = wooshpay_post(&base, path, Some("idem-woosh-0002"), &intent(200)).await;
    let refused = json_of(&refused);
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["type"], "idempotency_error", "{refused}");
    assert_eq!(payment_intents(&sandbox), 1, "nothing made under a used key");
    // "…re-used on a request that does not match the first request's API endpoint and parameters" [wooshpay-api].
    // WooshPay's DANA Checkout sample [wooshpay-dana], valid on its own.
    let session = json!({
        "cancel_url": "www.wooshpay.com",
        "mode": "payment",
        "success_url": "https://wooshpay.com/",
        "payment_method_types": ["dana"],
        "line_items": [{
            "price_data": { "currency": "IDR", "unit_amount": 20000, "product_data": { "name": "apple" } },
            "quantity": 1
        }]
    });
    let (status, _) = wooshpay_post(&base, &sessions::ENDPOINT.path, Some("idem-woosh-0003"), &session).await;
    assert_eq!(status, 200, "the session is valid under a key of its own");
    let (status, refused) = wooshpay_post(&base, &sessions::ENDPOINT.path, Some("idem-woosh-0002"), &session).await;
    let refused = json_of(&refused);
    assert_eq!(
        (status, &refused["error"]["type"]),
        (409, &json!("idempotency_error")),
        "{refused}"
    );
    // The client's calls are each a request of their own: the same body again under a fresh key is answered.
    let client = wooshpay::Client::new(
        rt::Config::new("merchant")
            .base_url(&base)
            .client_secret(DEMO_CLIENT_SECRET),
    )
    .expect("client");
    let typed: Result<intents::Request, _> = rt::from_json(intent(100));
    let reply = client.payment_intents_create(&typed.expect("valid")).await;
    assert!(reply.is_ok(), "a new call has a key of its own: {reply:?}");
}

#[tokio::test]
async fn wooshpay_creates_without_a_key_are_each_their_own() {
    let (sandbox, base, _handle) = sandbox("wooshpay").await;
    let path = &*intents::ENDPOINT.path;
    let (first, second) = (
        wooshpay_post(&base, path, None, &intent(100)).await,
        wooshpay_post(&base, path, None, &intent(100)).await,
    );
    assert_eq!((first.0, second.0), (200, 200));
    let ids = [json_of(&first.1)["id"].clone(), json_of(&second.1)["id"].clone()];
    assert!(ids.iter().all(Value::is_string), "{ids:?}");
    assert_ne!(ids[0], ids[1], "two PaymentIntents");
    assert_eq!(payment_intents(&sandbox), 2);
}

#[tokio::test]
async fn a_lost_wooshpay_answer_is_sent_again_under_its_key_and_one_payment_intent_is_made() {
    let (sandbox, base, _handle) = sandbox("wooshpay").await;
    let config = rt::Config::new("merchant")
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET)
        .retry_policy(quick());
    let client = wooshpay::Client::new(config).expect("client");
    let drop = Fault {
        kind: FaultKind::DropAfterCommit,
        ms: 0,
    };
    sandbox.arm_fault(&intents::ENDPOINT.id, drop, 1).expect("armed");
    let request: intents::Request = rt::from_json(intent(100)).expect("valid");
    let reply = client
        .payment_intents_create(&request)
        .await
        .expect("the resend gets the first answer");
    assert_eq!((reply.status, reply.code.clone()), (200, intents::Code::RequiresAction));
    assert!(sandbox.armed_faults().is_empty(), "the fault was met");
    assert_eq!(
        payment_intents(&sandbox),
        1,
        "one PaymentIntent, made by the first request"
    );
    let kept = sandbox.records();
    assert_eq!(
        kept[0].key.get("id").and_then(Value::as_str),
        reply.body.id.as_deref(),
        "the reply is the first request's answer"
    );
}

/// What a flaky WooshPay on loopback received: the `Idempotency-Key` of each request.
type Keys = Arc<Mutex<Vec<String>>>;

/// Answers the first request 503 (WooshPay's `api_error`, a temporary problem), every later one with a PaymentIntent.
async fn flaky(axum::extract::State(keys): axum::extract::State<Keys>, headers: HeaderMap) -> (StatusCode, String) {
    let key = headers
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut keys = keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    keys.push(key.to_owned());
    match keys.len() {
        1 => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "error": { "type": "api_error", "message": "a temporary problem with internal servers" } })
                .to_string(),
        ),
        _ => (
            StatusCode::OK,
            json!({ "id": "pi_flaky", "object": "payment_intent", "status": "requires_action" }).to_string(),
        ),
    }
}

#[tokio::test]
async fn a_wooshpay_create_answered_503_is_sent_again_under_the_same_idempotency_key() {
    let keys = Keys::default();
    let app = Router::new()
        .route(&intents::ENDPOINT.path, post(flaky))
        .with_state(Arc::clone(&keys));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let config = rt::Config::new("merchant")
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET)
        .retry_policy(quick());
    let client = wooshpay::Client::new(config).expect("client");
    let request: intents::Request = rt::from_json(intent(100)).expect("valid");
    let reply = client
        .payment_intents_create(&request)
        .await
        .expect("the resend is answered");
    assert_eq!(reply.body.id.as_deref(), Some("pi_flaky"));
    let sent = keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0], sent[1], "the resend carries the call's key");
    assert_eq!(sent[0], reply.request_id, "the reply gives it");
    client.payment_intents_create(&request).await.expect("answered");
    let sent = keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(sent.len(), 3);
    assert_ne!(sent[2], sent[0], "a new call has a key of its own");
    server.abort();
}
