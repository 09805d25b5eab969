//! WooshPay (`specs/wooshpay`, a Stripe-style API selling DANA) through the generated `snapbi::wooshpay::Client`
//! against the in-process sandbox: a DANA PaymentIntent is created awaiting the customer, with the page to send them
//! to; the sandbox refuses an amount under DANA's minimum naming the field and a wrong secret key, both in WooshPay's
//! error shape; a refused payment method comes back as its typed status. Webhook events are verified as WooshPay
//! documents them (`Wooshpay-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), against signatures
//! computed by `openssl`, and the sandbox signs them the same way.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Rejection, Verifier};
use snapbi::wooshpay::{
    self, checkout_sessions_create as sessions, events_webhook as webhook, payment_intents_create as intents,
    refunds_create as refunds,
};
use snapbi_sandbox::{Credentials, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};
use snapbi_tests::openssl;

/// The webhook endpoint's secret, as WooshPay issues them (`whsec_…`); a test value.
const WEBHOOK_SECRET: &str = "whsec_9rMfZUGWM3gTTBtn0f8kPEfmiIJCmzQi";

/// Where the merchant receives WooshPay's webhooks (the path its signature does not cover: only `t` and the body).
const WEBHOOK_PATH: &str = "/webhooks/wooshpay";

fn specs() -> snapbi_spec::Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api
}

/// The WooshPay sandbox with the demo credentials, not yet serving.
fn built() -> Sandbox {
    Sandbox::builder()
        .api(specs())
        .provider("wooshpay")
        .expect("wooshpay")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox")
}

async fn sandbox() -> (String, SandboxHandle) {
    built().spawn_on_loopback().await.expect("loopback")
}

/// A client whose secret key is `secret` (WooshPay sends no client id: the key alone says who calls).
fn client(base: &str, secret: &str) -> wooshpay::Client {
    let config = rt::Config::new("merchant").base_url(base).client_secret(secret);
    wooshpay::Client::new(config).expect("client")
}

/// WooshPay's DANA Direct API sample request [wooshpay-dana], as JSON.
fn dana_sample() -> Value {
    json!({
        "amount": 100,
        "currency": "IDR",
        "confirm": true,
        "payment_method_data": { "type": "dana" },
        "return_url": "https://your.website"
    })
}

/// A JSON value sent as it is, to reach the sandbox with what the typed builder would refuse.
struct Raw(Value);

impl rt::WriteJson for Raw {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&serde_json::to_vec(&self.0).unwrap_or_default());
    }
}

type Created = Result<rt::Reply<intents::Response, intents::Code>, rt::Error<intents::Code>>;

async fn create_raw(client: &wooshpay::Client, body: Value, headers: &[(String, String)]) -> Created {
    client.runtime().call(&intents::ENDPOINT, &Raw(body), headers).await
}

/// The refusal's HTTP status, typed code, message and JSON body, or a panic naming what came instead.
fn refusal(answer: Created) -> (u16, intents::Code, Option<String>, Value) {
    match answer {
        Err(rt::Error::Api {
            status,
            code,
            message,
            raw_body,
        }) => (status, code, message, serde_json::from_slice(&raw_body).expect("JSON")),
        other => panic!("expected a refusal: {other:?}"),
    }
}

#[test]
fn wooshpay_s_dana_sample_passes_the_generated_validators() {
    let request: Result<intents::Request, _> = rt::from_json(dana_sample());
    assert!(request.is_ok(), "{request:?}");
}

#[test]
fn amounts_outside_dana_s_limits_are_refused_before_sending() {
    for amount in [99, 300_000_001] {
        let built = intents::Request::builder()
            .amount(amount)
            .currency("IDR")
            .confirm(true)
            .payment_method_data(intents::PaymentMethodData::builder().r#type(intents::PaymentMethodDataType::Dana))
            .return_url("https://your.website")
            .build();
        let violations = built.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(violations.contains("amount"), "{amount}: {violations}");
    }
    let at_the_limits = [100, 300_000_000].map(|amount| {
        let mut body = dana_sample();
        body["amount"] = json!(amount);
        rt::from_json::<intents::Request>(body).is_ok()
    });
    assert_eq!(at_the_limits, [true, true]);
}

#[tokio::test]
async fn a_dana_payment_intent_is_created_awaiting_the_customer() {
    let (base, _handle) = sandbox().await;
    let request = intents::Request::builder()
        .amount(100)
        .currency("IDR")
        .confirm(true)
        .payment_method_data(intents::PaymentMethodData::builder().r#type(intents::PaymentMethodDataType::Dana))
        .return_url("https://your.website")
        .merchant_order_id("ORDER-1")
        .build()
        .expect("WooshPay's sample is valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .payment_intents_create(&request)
        .await
        .expect("the PaymentIntent is created");
    assert_eq!((reply.status, reply.code.clone()), (200, intents::Code::RequiresAction));
    assert_eq!(reply.code.outcome(), rt::Outcome::Pending);
    let body = &reply.body;
    assert!(
        body.id
            .as_deref()
            .is_some_and(|id| id.starts_with("pi_") && id.len() > 3),
        "{body:?}"
    );
    assert_eq!(body.status.as_deref(), Some("requires_action"));
    let next = body.next_action.as_ref().expect("next_action");
    assert_eq!(next.r#type.as_deref(), Some("redirect_to_url"));
    let page = next.dana_handle_redirect.as_ref().and_then(|d| d.url.as_deref());
    assert!(page.is_some_and(|url| !url.is_empty()), "{body:?}");
    // What the request gave comes back as given; nothing the request lacks (an amount, a code) is made up.
    assert_eq!((body.amount, body.currency.as_deref()), (Some(100), Some("IDR")));
    assert_eq!(body.return_url.as_deref(), Some("https://your.website"));
    assert_eq!(body.merchant_order_id.as_deref(), Some("ORDER-1"));
    assert!(body.payment_method.as_deref().is_some_and(|pm| pm.starts_with("pm_")));
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert!(
        answer.get("error").is_none() && answer.get("responseCode").is_none(),
        "{answer}"
    );
    assert!(answer.get("created").is_none(), "the sandbox invents no time: {answer}");
}

#[tokio::test]
async fn each_call_carries_http_basic_and_a_fresh_idempotency_key_and_no_signature() {
    let client = client("http://127.0.0.1:9", DEMO_CLIENT_SECRET);
    let body = serde_json::to_vec(&dana_sample()).expect("JSON");
    let first = client
        .runtime()
        .prepare(&intents::ENDPOINT, body.clone(), None, &[])
        .expect("prepared");
    // `curl -u <secret>:`: the secret key as user name, the password blank, base64 by openssl.
    let encoded = openssl(&["base64", "-A"], format!("{DEMO_CLIENT_SECRET}:").as_bytes());
    let expected = format!("Basic {}", String::from_utf8_lossy(&encoded).trim());
    assert_eq!(first.header("Authorization"), Some(expected.as_str()));
    let key = first.header("Idempotency-Key").unwrap_or_default().to_owned();
    assert_eq!(key.len(), 36, "a UUID: {key}");
    let second = client
        .runtime()
        .prepare(&intents::ENDPOINT, body, None, &[])
        .expect("prepared");
    assert_ne!(second.header("Idempotency-Key"), Some(key.as_str()), "one key per call");
    let names: Vec<&str> = first.headers.iter().map(|(n, _)| n.as_ref()).collect();
    assert_eq!(names, ["Content-Type", "Authorization", "Idempotency-Key"]);
    // The secret (and its base64) never shows in Debug.
    for shown in [format!("{first:?}"), format!("{client:?}")] {
        assert!(
            !shown.contains(DEMO_CLIENT_SECRET) && !shown.contains(&expected[6..]),
            "{shown}"
        );
    }
}

#[test]
fn a_client_without_its_secret_key_is_refused_at_construction() {
    let config = rt::Config::new("merchant").base_url("http://127.0.0.1:9");
    let refused = wooshpay::Client::new(config)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("client_secret") && refused.contains("HTTP Basic"),
        "{refused}"
    );
}

#[tokio::test]
async fn an_amount_below_dana_s_minimum_is_refused_naming_the_field() {
    let (base, _handle) = sandbox().await;
    let mut body = dana_sample();
    body["amount"] = json!(99);
    let (status, code, message, error) = refusal(create_raw(&client(&base, DEMO_CLIENT_SECRET), body, &[]).await);
    assert_eq!(status, 400);
    assert_eq!(code.outcome(), rt::Outcome::Failed);
    assert_eq!(message.as_deref(), Some("Invalid Field Format amount"));
    assert_eq!(error["error"]["type"], "invalid_request_error", "{error}");
    assert_eq!(error["error"]["param"], "amount", "{error}");
    // WooshPay's codes are not published: the sandbox answers none rather than make one up.
    assert!(error["error"].get("code").is_none(), "{error}");
    // A missing field is named too.
    let mut body = dana_sample();
    body.as_object_mut().map(|b| b.remove("return_url"));
    let (status, _, message, error) = refusal(create_raw(&client(&base, DEMO_CLIENT_SECRET), body, &[]).await);
    assert_eq!(
        (status, message.as_deref()),
        (400, Some("Invalid Mandatory Field return_url"))
    );
    assert_eq!(error["error"]["param"], "return_url", "{error}");
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_as_wooshpay_refuses_it() {
    let (base, _handle) = sandbox().await;
    let (status, code, message, error) =
        refusal(create_raw(&client(&base, "sk_test_not_the_key"), dana_sample(), &[]).await);
    assert_eq!(status, 401);
    assert_eq!(code.outcome(), rt::Outcome::Auth);
    assert_eq!(message.as_deref(), Some("No valid API key provided."));
    assert_eq!(error["error"]["type"], "invalid_request_error", "{error}");
    assert!(
        !error.to_string().contains("sk_test_not_the_key"),
        "the key is not echoed: {error}"
    );
}

#[tokio::test]
async fn the_sandbox_checks_http_basic_itself() {
    let (base, _handle) = sandbox().await;
    let http = reqwest::Client::new();
    let url = format!("{base}{}", intents::ENDPOINT.path);
    let send = |authorization: Option<String>| {
        let mut request = http.post(&url).header("Content-Type", "application/json");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.body(dana_sample().to_string()).send()
    };
    let basic = |user_and_password: &str| {
        let encoded = openssl(&["base64", "-A"], user_and_password.as_bytes());
        format!("Basic {}", String::from_utf8_lossy(&encoded).trim())
    };
    // No credentials, another scheme, another key: "401 - Unauthorized: No valid API key provided."
    for authorization in [
        None,
        Some(format!("Bearer {DEMO_CLIENT_SECRET}")),
        Some(basic("sk_test_other:")),
        Some("Basic not-base64!".to_owned()),
    ] {
        let answer = send(authorization.clone()).await.expect("answered");
        assert_eq!(answer.status().as_u16(), 401, "{authorization:?}");
    }
    // `curl -u <key>:` without an Idempotency-Key: WooshPay does not require one.
    let answer = send(Some(basic(&format!("{DEMO_CLIENT_SECRET}:"))))
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 200);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["status"], "requires_action", "{body}");
}

#[tokio::test]
async fn a_refused_payment_method_comes_back_as_its_typed_status() {
    let (base, _handle) = sandbox().await;
    // WooshPay answers a refused payment method with the PaymentIntent back at `requires_payment_method`
    // [wooshpay-card-payments]; the sandbox gives it when the scenario asks for it.
    let scenario = [("X-Sandbox-Scenario".to_owned(), "requires_payment_method".to_owned())];
    let refused = create_raw(&client(&base, DEMO_CLIENT_SECRET), dana_sample(), &scenario).await;
    match refused {
        Err(rt::Error::Api { status, code, .. }) => {
            assert_eq!((status, code.clone()), (200, intents::Code::RequiresPaymentMethod));
            assert_eq!(code.outcome(), rt::Outcome::Failed);
        }
        other => panic!("a refused payment method is the payment's failure: {other:?}"),
    }
}

#[tokio::test]
async fn a_checkout_session_is_created_open_with_its_payment_intent() {
    let (base, _handle) = sandbox().await;
    // WooshPay's DANA Checkout sample [wooshpay-dana].
    let request: sessions::Request = rt::from_json(json!({
        "cancel_url": "www.wooshpay.com",
        "mode": "payment",
        "success_url": "https://wooshpay.com/",
        "payment_method_types": ["dana"],
        "line_items": [{
            "price_data": {
                "currency": "IDR", "unit_amount": 20000, "nickname": "apple", "product_data": { "name": "apple" },
                "billing_scheme": "testscheme", "lookup_key": "test_lookup_key"
            },
            "quantity": 1
        }]
    }))
    .expect("WooshPay's sample is valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .checkout_sessions_create(&request)
        .await
        .expect("the session is created");
    assert_eq!(
        (reply.code.clone(), reply.code.outcome()),
        (sessions::Code::Open, rt::Outcome::Pending)
    );
    let body = &reply.body;
    assert!(body.id.as_deref().is_some_and(|id| id.starts_with("cs_")), "{body:?}");
    assert!(
        body.payment_intent.as_deref().is_some_and(|pi| pi.starts_with("pi_")),
        "{body:?}"
    );
    assert_eq!(body.payment_status.as_deref(), Some("unpaid"));
    assert!(body.url.as_deref().is_some_and(|url| !url.is_empty()));
    assert_eq!(body.success_url.as_deref(), Some("https://wooshpay.com/"));
    assert_eq!(
        body.amount_total, None,
        "a total the sandbox would have to compute is not answered"
    );
}

#[tokio::test]
async fn a_refund_without_an_amount_refunds_the_whole_payment_intent() {
    let sandbox = built();
    // The tester's paid PaymentIntent, under the id of WooshPay's refund example: the refund is held against it.
    let intent = json!({ "id": "pi_1787730829493927936", "amount": 100, "currency": "IDR", "status": "succeeded" });
    sandbox
        .add_record("wooshpay", "payment_intent", intent)
        .expect("a paid PaymentIntent");
    let (base, _handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    let request = refunds::Request::builder()
        .payment_intent("pi_1787730829493927936")
        .reason(refunds::Reason::RequestedByCustomer)
        .build()
        .expect("WooshPay's example is valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .refunds_create(&request)
        .await
        .expect("refunded");
    assert_eq!(
        (reply.code.clone(), reply.code.outcome()),
        (refunds::Code::Succeeded, rt::Outcome::Success)
    );
    assert!(reply.body.id.as_deref().is_some_and(|id| id.starts_with("re_")));
    assert_eq!(reply.body.payment_intent.as_deref(), Some("pi_1787730829493927936"));
    // No amount was asked for: the PaymentIntent's, in its currency, not one made up.
    assert_eq!(
        (reply.body.amount, reply.body.currency.as_deref()),
        (Some(100), Some("IDR"))
    );
}

// ----- webhooks -----

/// A `payment_intent.succeeded` event, its `created` in milliseconds as WooshPay's samples have it.
fn event_body() -> Vec<u8> {
    concat!(
        r#"{"id":"evt_1953045921369423872","object":"event","created":1754477408000,"livemode":false,"#,
        r#""type":"payment_intent.succeeded","data":{"object":{"id":"pi_1646356544343769088","#,
        r#""object":"payment_intent","amount":100,"currency":"IDR","status":"succeeded"}}}"#
    )
    .as_bytes()
    .to_vec()
}

/// The lower-case hex HMAC-SHA256 of `text` keyed with `key`, by `openssl dgst -r`.
fn openssl_hmac_hex(key: &str, text: &[u8]) -> String {
    let out = openssl(&["dgst", "-sha256", "-hmac", key, "-r"], text);
    let out = String::from_utf8_lossy(&out);
    out.split_whitespace().next().unwrap_or_default().to_owned()
}

fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `Wooshpay-Signature` over `body` at Unix second `t`, as WooshPay documents it, computed by openssl.
fn signature_header(t: i64, body: &[u8], secret: &str) -> String {
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(body);
    format!("t={t},v1={}", openssl_hmac_hex(secret, &signed))
}

fn headers_with(signature: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("Wooshpay-Signature", signature.parse().expect("header"));
    headers.insert("Content-Type", "application/json".parse().expect("header"));
    headers
}

fn verifier() -> Verifier {
    Verifier::new(
        &wooshpay::PROFILE,
        &webhook::ENDPOINT,
        InboundKey::Secret(WEBHOOK_SECRET.into()),
    )
}

#[test]
fn openssl_agrees_with_a_fixed_vector() {
    // The vector the other tests rely on, pinned: HMAC-SHA256("whsec_…", "1492774577.{}") in hex.
    assert_eq!(
        signature_header(1_492_774_577, b"{}", WEBHOOK_SECRET),
        format!("t=1492774577,v1={}", openssl_hmac_hex(WEBHOOK_SECRET, b"1492774577.{}"))
    );
    assert_eq!(openssl_hmac_hex("key", b"hello").len(), 64);
}

#[test]
fn a_webhook_signed_as_wooshpay_documents_is_verified() {
    let body = event_body();
    let header = signature_header(now_seconds(), &body, WEBHOOK_SECRET);
    let verified = verifier()
        .verify(WEBHOOK_PATH, &headers_with(&header), &body)
        .expect("genuine");
    let event = verified
        .payload::<webhook::Request>()
        .expect("the event passes the generated validators");
    let event = serde_json::to_value(&event).expect("JSON");
    assert_eq!(event["type"], "payment_intent.succeeded");
    assert_eq!(event["data"]["object"]["status"], "succeeded");
    // WooshPay signs "the actual JSON payload": bytes pretty-printed are verified as received, not re-serialized.
    let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&body).expect("JSON")).expect("JSON");
    let header = signature_header(now_seconds(), &pretty, WEBHOOK_SECRET);
    assert!(verifier().verify(WEBHOOK_PATH, &headers_with(&header), &pretty).is_ok());
}

#[test]
fn a_tampered_body_or_another_secret_is_refused() {
    let body = event_body();
    let header = signature_header(now_seconds(), &body, WEBHOOK_SECRET);
    let mut tampered = body.clone();
    let at = tampered.windows(3).position(|w| w == b"100").expect("the amount");
    tampered[at] = b'9';
    let refused = verifier().verify(WEBHOOK_PATH, &headers_with(&header), &tampered);
    assert_eq!(refused.err(), Some(Rejection::BadSignature));
    let forged = signature_header(now_seconds(), &body, "whsec_someone_else");
    let refused = verifier().verify(WEBHOOK_PATH, &headers_with(&forged), &body);
    assert_eq!(refused.err(), Some(Rejection::BadSignature));
    // The timestamp is signed too: another `t` with the same `v1` is not WooshPay's.
    let t = now_seconds();
    let v1 = header.split_once(",v1=").map(|(_, v1)| v1).unwrap_or_default();
    let moved = format!("t={},v1={v1}", t + 1);
    assert_eq!(
        verifier().verify(WEBHOOK_PATH, &headers_with(&moved), &body).err(),
        Some(Rejection::BadSignature)
    );
}

#[test]
fn a_stale_timestamp_is_refused_by_the_merchant_s_tolerance() {
    // WooshPay leaves the tolerance to the merchant ("within your tolerance"): the verifier's window, 5 minutes
    // unless set.
    let body = event_body();
    let old = signature_header(now_seconds() - 3600, &body, WEBHOOK_SECRET);
    let refused = verifier().verify(WEBHOOK_PATH, &headers_with(&old), &body);
    assert!(matches!(refused, Err(Rejection::Stale(_))), "{refused:?}");
    let lenient = verifier().skew(Duration::from_secs(7200));
    assert!(lenient.verify(WEBHOOK_PATH, &headers_with(&old), &body).is_ok());
}

#[test]
fn the_header_is_read_as_wooshpay_says_to_read_it() {
    let body = event_body();
    let t = now_seconds();
    let good = signature_header(t, &body, WEBHOOK_SECRET);
    let v1 = good.split_once(",v1=").map(|(_, v1)| v1.to_owned()).unwrap_or_default();
    let wrong = openssl_hmac_hex("whsec_old", format!("{t}.").as_bytes());
    // "each signature is prefixed by v1" and "You can discard all other elements": any v1 may be the one.
    for header in [
        format!("t={t},v1={wrong},v1={v1}"),
        format!("t={t},v0={wrong},v1={v1}"),
        format!("v1={v1},t={t}"),
    ] {
        let verified = verifier().verify(WEBHOOK_PATH, &headers_with(&header), &body);
        assert!(verified.is_ok(), "{header}: {:?}", verified.err());
    }
    let name = "Wooshpay-Signature".to_owned();
    for (header, rejection) in [
        (format!("t={t},v1={wrong}"), Rejection::BadSignature),
        (format!("v1={v1}"), Rejection::InvalidHeader(name.clone())),
        (format!("t={t}"), Rejection::InvalidHeader(name.clone())),
        (
            format!("t={t},t={},v1={v1}", t + 1),
            Rejection::InvalidHeader(name.clone()),
        ),
        (format!("t=yesterday,v1={v1}"), Rejection::InvalidHeader(name.clone())),
        (format!("t={t},v1=not-hex"), Rejection::BadSignature),
    ] {
        let refused = verifier().verify(WEBHOOK_PATH, &headers_with(&header), &body);
        assert_eq!(refused.err(), Some(rejection), "{header}");
    }
    let unsigned = reqwest::header::HeaderMap::new();
    assert_eq!(
        verifier().verify(WEBHOOK_PATH, &unsigned, &body).err(),
        Some(Rejection::MissingHeader(name))
    );
}

#[tokio::test]
async fn the_sandbox_signs_webhooks_as_wooshpay_does() {
    use snapbi_sandbox::notify::{Notifier, NotifySigner, Schedule};
    // A merchant's webhook URL on loopback that keeps what it receives.
    type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, Vec<u8>)>>>;
    let received: Received = Arc::default();
    let keep = Arc::clone(&received);
    let app = axum::Router::new().route(
        WEBHOOK_PATH,
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let keep = Arc::clone(&keep);
            async move {
                keep.lock().expect("lock").push((headers, body.to_vec()));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    // The sandbox as WooshPay, signing with the webhook endpoint's secret by its own signer.
    let api = specs();
    let provider = api.provider("wooshpay").expect("wooshpay");
    let signer = NotifySigner::new("wooshpay", WEBHOOK_SECRET.into(), "".into());
    let notifier = Notifier::for_auth(
        provider,
        rt::AuthKind::Symmetric,
        Schedule::immediate_for_tests(0),
        signer,
    );
    let event: Value = serde_json::from_slice(&event_body()).expect("JSON");
    notifier.deliver(url, event);
    assert!(notifier.wait_idle(Duration::from_secs(10)).await, "delivered");
    server.abort();
    let (headers, body) = received.lock().expect("lock").pop().expect("one webhook");
    let header = headers
        .get("Wooshpay-Signature")
        .and_then(|v| v.to_str().ok())
        .expect("Wooshpay-Signature")
        .to_owned();
    // `t=<Unix seconds, now>,v1=<openssl's hex HMAC over "<t>.<body as sent>">`, and nothing else.
    let t: i64 = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(','))
        .and_then(|(t, _)| t.parse().ok())
        .expect("t= first");
    assert!((now_seconds() - t).abs() < 60, "{header}");
    assert_eq!(header, signature_header(t, &body, WEBHOOK_SECRET));
    assert!(verifier().verify(WEBHOOK_PATH, &headers, &body).is_ok());
}
