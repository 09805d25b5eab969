//! What WooshPay keeps between calls (`specs/wooshpay`, provider.yaml `records`), through the generated
//! `snapbi::wooshpay::Client` against the in-process sandbox.
//!
//! A PaymentIntent's life (`records.payment_intent`), through the generated
//! `snapbi::wooshpay::Client` against the in-process sandbox: created `requires_action` with the sandbox's own page as
//! DANA's; retrieved by its id; paid on that page, after which it is `succeeded` and WooshPay's
//! `payment_intent.succeeded` event reaches a merchant on loopback, signed with the webhook endpoint's `whsec_` secret
//! (not the API key) and carrying the PaymentIntent as retrieving it answers. Canceled instead, it is `canceled` with
//! the merchant's reason, `payment_intent.canceled` is sent, and its page no longer pays it; a paid or canceled one is not canceled again, and an unknown
//! id is WooshPay's 404, each in WooshPay's error shape. An event the merchant does not acknowledge is delivered 18
//! times, as WooshPay publishes. A Checkout Session is retrieved by its id and expired once, which sends
//! `checkout.session.expired` to the same webhook endpoint; a refund is retrieved as
//! created, and held against its PaymentIntent (known, paid, refunded once, for at most what was paid).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Rejection, Verifier};
use snapbi::wooshpay::{
    self, checkout_sessions_create as sessions, checkout_sessions_expire as expire,
    checkout_sessions_retrieve as session, events_webhook as webhook, payment_intents_cancel as cancel,
    payment_intents_create as intents, payment_intents_retrieve as retrieve, refunds_create as refunds,
    refunds_retrieve as refund,
};
use snapbi_runtime::secret::ClientSecret;
use snapbi_sandbox::{Credentials, DEMO_CLIENT_SECRET, DEMO_WEBHOOK_SECRET, Sandbox, SandboxError, SandboxHandle};

const WEBHOOK_PATH: &str = "/webhooks/wooshpay";
const WAIT: Duration = Duration::from_secs(10);

/// What the merchant's webhook endpoint received.
type Inbox = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A merchant's webhook endpoint on 127.0.0.1 answering 200; its URL and inbox.
async fn merchant() -> (String, Inbox, tokio::task::JoinHandle<()>) {
    merchant_answering(StatusCode::OK).await
}

/// A merchant's webhook endpoint on 127.0.0.1 answering every event with `status`; its URL and inbox.
async fn merchant_answering(status: StatusCode) -> (String, Inbox, tokio::task::JoinHandle<()>) {
    let inbox = Inbox::default();
    let keep = Arc::clone(&inbox);
    let app = axum::Router::new().route(
        WEBHOOK_PATH,
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let keep = Arc::clone(&keep);
            async move {
                keep.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((headers, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, inbox, server)
}

struct Running {
    sandbox: Sandbox,
    client: wooshpay::Client,
    _handle: SandboxHandle,
}

fn specs() -> snapbi_spec::Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api
}

async fn start(credentials: Credentials, webhook_url: &str) -> Running {
    let api = specs();
    let secret = credentials.client_secret.expose().to_owned();
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("wooshpay")
        .expect("wooshpay")
        .credentials(credentials)
        .notify_url(webhook_url)
        .notification_speedup(100_000)
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    let config = rt::Config::new("merchant").base_url(&base).client_secret(secret);
    Running {
        sandbox,
        client: wooshpay::Client::new(config).expect("client"),
        _handle: handle,
    }
}

/// WooshPay's DANA Direct API sample [wooshpay-dana]: IDR 100, confirmed at once.
fn dana_sample() -> intents::Request {
    let sent = json!({
        "amount": 100,
        "currency": "IDR",
        "confirm": true,
        "payment_method_data": { "type": "dana" },
        "return_url": "https://your.website"
    });
    rt::from_json(sent).expect("a valid PaymentIntent request")
}

/// Creates a PaymentIntent: its id and the page DANA's customer is sent to.
async fn create(run: &Running) -> (String, String) {
    let created = run
        .client
        .payment_intents_create(&dana_sample())
        .await
        .expect("created");
    assert_eq!(created.code, intents::Code::RequiresAction);
    let body: Value = serde_json::from_slice(&created.raw_body).expect("JSON");
    let id = body["id"].as_str().expect("an id").to_owned();
    let page = body["next_action"]["dana_handle_redirect"]["url"]
        .as_str()
        .expect("a page")
        .to_owned();
    (id, page)
}

fn named(id: &str) -> retrieve::Params {
    retrieve::Params::builder().id(id).build().expect("valid params")
}

/// The PaymentIntent as retrieving it answers: its status code and body (a failed status comes back as the error).
async fn retrieved(run: &Running, id: &str) -> (retrieve::Code, Value) {
    match run.client.payment_intents_retrieve(&named(id)).await {
        Ok(reply) => (reply.code, serde_json::from_slice(&reply.raw_body).expect("JSON")),
        Err(rt::Error::Api {
            status: 200,
            code,
            raw_body,
            ..
        }) => (code, serde_json::from_slice(&raw_body).expect("JSON")),
        Err(other) => panic!("expected the PaymentIntent: {other:?}"),
    }
}

async fn cancel(run: &Running, id: &str) -> Result<rt::Reply<cancel::Response, cancel::Code>, rt::Error<cancel::Code>> {
    let params = cancel::Params::builder().id(id).build().expect("valid params");
    let request: cancel::Request =
        rt::from_json(json!({ "cancellation_reason": "customer cancelled" })).expect("a valid cancel request");
    run.client.payment_intents_cancel(&params, &request).await
}

/// A refusal's HTTP status and WooshPay error object.
fn refused<C: rt::EndpointCode>(answer: Result<impl std::fmt::Debug, rt::Error<C>>) -> (u16, Value) {
    match answer {
        Err(rt::Error::Api { status, raw_body, .. }) => {
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            (status, body["error"].clone())
        }
        other => panic!("expected a refusal: {other:?}"),
    }
}

fn pay_on(page: &str) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    reqwest::Client::new()
        .post(page)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
}

fn verifier(secret: &str) -> Verifier {
    Verifier::new(
        &wooshpay::PROFILE,
        &webhook::ENDPOINT,
        InboundKey::Secret(secret.into()),
    )
}

#[tokio::test]
async fn a_payment_intent_is_paid_on_its_page_and_the_signed_event_carries_it() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;
    let (id, page) = create(&run).await;
    assert!(id.starts_with("pi_"), "{id}");
    let (code, before) = retrieved(&run, &id).await;
    assert_eq!(code, retrieve::Code::RequiresAction, "{before}");
    assert_eq!(
        (before["amount"].clone(), before["currency"].clone()),
        (json!(100), json!("IDR"))
    );

    // The page asks the customer nothing: WooshPay fills in the event itself.
    let shown = reqwest::get(&page).await.expect("the page");
    assert_eq!(shown.status(), 200);
    assert!(!shown.text().await.expect("HTML").contains("<input"), "nothing to ask");
    let paid = pay_on(&page).await.expect("answered");
    assert_eq!(paid.status(), 200, "{:?}", paid.text().await);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);

    let (code, after) = retrieved(&run, &id).await;
    assert_eq!(code, retrieve::Code::Succeeded, "{after}");
    // Nothing is left to do [wooshpay-pi-retrieve]: the page it was paid on is no longer its next action.
    assert!(
        before["next_action"]["dana_handle_redirect"]["url"].is_string(),
        "{before}"
    );
    assert!(after["next_action"].is_null(), "{after}");
    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(received.len(), 1, "one event");
    let (headers, body) = &received[0];
    // Signed with the webhook endpoint's secret [wooshpay-webhook-signatures], which the API key does not verify.
    assert!(
        verifier(DEMO_WEBHOOK_SECRET)
            .verify(WEBHOOK_PATH, headers, body)
            .is_ok()
    );
    assert_eq!(
        verifier(DEMO_CLIENT_SECRET).verify(WEBHOOK_PATH, headers, body).err(),
        Some(Rejection::BadSignature)
    );
    let event: webhook::Request = rt::from_json(serde_json::from_slice(body).expect("JSON")).expect("an event");
    let event = serde_json::to_value(&event).expect("JSON");
    assert!(event["id"].as_str().is_some_and(|e| e.starts_with("evt_")), "{event}");
    assert_eq!(
        (event["object"].clone(), event["type"].clone()),
        (json!("event"), json!("payment_intent.succeeded"))
    );
    // The PaymentIntent, as retrieving it answers now.
    assert_eq!(event["data"]["object"], after, "{event}");

    // Paid once; a paid PaymentIntent is not canceled.
    assert_eq!(pay_on(&page).await.expect("answered").status(), 409);
    let (status, error) = refused(cancel(&run, &id).await);
    assert_eq!(
        (status, error["type"].clone()),
        (402, json!("invalid_request_error")),
        "{error}"
    );
    assert_eq!(retrieved(&run, &id).await.0, retrieve::Code::Succeeded);
}

/// WooshPay "will deliver 18 times in 72 hours" with exponential back-off [wooshpay-webhooks]: an event the merchant
/// never acknowledges is delivered 18 times (72 hours run 100 000 times faster here), the same event each time, each
/// delivery signed afresh, and no more after the 18th.
#[tokio::test]
async fn an_unacknowledged_event_is_delivered_18_times_then_no_more() {
    let (url, inbox, _merchant) = merchant_answering(StatusCode::INTERNAL_SERVER_ERROR).await;
    let run = start(Credentials::demo(), &url).await;
    let schedule = snapbi_sandbox::notify::Schedule::from_provider(specs().provider("wooshpay").expect("wooshpay"));
    assert_eq!(schedule.attempts(), 18);
    assert_eq!(schedule.delays.last(), Some(&Duration::from_secs(72 * 3600)));

    let (_, page) = create(&run).await;
    assert_eq!(pay_on(&page).await.expect("answered").status(), 200);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(received.len(), 18, "18 deliveries, then none");
    let ids: std::collections::BTreeSet<String> = received
        .iter()
        .map(|(headers, body)| {
            let verified = verifier(DEMO_WEBHOOK_SECRET).verify(WEBHOOK_PATH, headers, body);
            assert!(verified.is_ok(), "{verified:?}");
            let event: Value = serde_json::from_slice(body).expect("JSON");
            event["id"].as_str().expect("an id").to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one event, delivered again: {ids:?}");
}

#[tokio::test]
async fn a_canceled_payment_intent_keeps_its_reason_sends_its_event_and_cannot_be_paid() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;
    let (id, page) = create(&run).await;
    let canceled = cancel(&run, &id).await.expect("canceled");
    assert_eq!(canceled.code, cancel::Code::Canceled);
    let (code, body) = retrieved(&run, &id).await;
    assert_eq!(code, retrieve::Code::Canceled, "{body}");
    assert_eq!(body["cancellation_reason"], "customer cancelled", "{body}");

    let not_paid = pay_on(&page).await.expect("answered");
    assert_eq!(not_paid.status(), 409);
    assert!(not_paid.text().await.expect("HTML").contains("canceled"));
    let (status, error) = refused(cancel(&run, &id).await);
    assert_eq!(status, 402, "{error}");
    // One event, `payment_intent.canceled` [wooshpay-events], signed with the webhook secret, carrying the
    // PaymentIntent as retrieving it answers; the refused second cancel sent none.
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(received.len(), 1, "one event");
    let (headers, sent) = &received[0];
    assert!(
        verifier(DEMO_WEBHOOK_SECRET)
            .verify(WEBHOOK_PATH, headers, sent)
            .is_ok()
    );
    let event: Value = serde_json::from_slice(sent).expect("JSON");
    assert_eq!(event["type"], "payment_intent.canceled", "{event}");
    assert_eq!(event["data"]["object"], body, "{event}");
}

#[tokio::test]
async fn an_unknown_payment_intent_is_wooshpay_s_404() {
    let (url, _inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;
    let (status, error) = refused(
        run.client
            .payment_intents_retrieve(&named("pi_1604012360740110336"))
            .await,
    );
    assert_eq!(
        (status, error["type"].clone()),
        (404, json!("invalid_request_error")),
        "{error}"
    );
    let (status, _) = refused(cancel(&run, "pi_1604012360740110336").await);
    assert_eq!(status, 404);
}

#[test]
fn a_client_without_a_webhook_secret_is_refused_at_start_saying_why() {
    for missing in [None, Some(ClientSecret::from(""))] {
        let empty = missing.is_some();
        let credentials = Credentials {
            webhook_secret: missing,
            ..Credentials::demo()
        };
        let built = Sandbox::builder()
            .api(specs())
            .provider("wooshpay")
            .expect("wooshpay")
            .credentials(credentials.clone())
            .build();
        match built {
            Err(SandboxError::Credentials { reason, .. }) => assert!(reason.contains("webhook secret"), "{reason}"),
            other => panic!("refused at start: {:?}", other.err()),
        }
        // The providers that sign with the client secret do not need one (an empty one is refused anywhere).
        let doku = Sandbox::builder()
            .api(specs())
            .provider("doku")
            .expect("doku")
            .credentials(credentials)
            .build();
        assert_eq!(doku.is_ok(), !empty, "{:?}", doku.err());
    }
}

/// WooshPay's DANA Checkout sample [wooshpay-dana]: one apple of IDR 20,000.
fn session_sample() -> sessions::Request {
    let sent = json!({
        "success_url": "https://wooshpay.com/",
        "cancel_url": "www.wooshpay.com",
        "mode": "payment",
        "payment_method_types": ["dana"],
        "line_items": [{ "price_data": { "currency": "IDR", "unit_amount": 20000, "product_data": { "name": "apple" } }, "quantity": 1 }]
    });
    rt::from_json(sent).expect("a valid session request")
}

#[tokio::test]
async fn a_checkout_session_is_retrieved_by_its_id_and_expired_once() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;
    let created = run
        .client
        .checkout_sessions_create(&session_sample())
        .await
        .expect("created");
    assert_eq!(created.code, sessions::Code::Open);
    let body: Value = serde_json::from_slice(&created.raw_body).expect("JSON");
    let id = body["id"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("cs_"), "{id}");

    let named = session::Params::builder().id(&id).build().expect("valid params");
    let open = run
        .client
        .checkout_sessions_retrieve(&named)
        .await
        .expect("the session");
    assert_eq!(open.code, session::Code::Open);
    let open: Value = serde_json::from_slice(&open.raw_body).expect("JSON");
    assert_eq!(
        (open["id"].clone(), open["payment_status"].clone()),
        (json!(id), json!("unpaid")),
        "{open}"
    );
    assert_eq!(open["success_url"], "https://wooshpay.com/", "{open}");

    let expiring = expire::Params::builder().id(&id).build().expect("valid params");
    let expired = run
        .client
        .checkout_sessions_expire(&expiring, &expire::Request::builder().build().expect("no fields"))
        .await
        .expect("expired");
    assert_eq!(expired.code, expire::Code::Expired);
    // WooshPay's `checkout.session.expired` reaches the same webhook endpoint, signed, carrying the session as
    // expiring it answered [wooshpay-events].
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(received.len(), 1, "one event");
    let (headers, event) = &received[0];
    assert!(
        verifier(DEMO_WEBHOOK_SECRET)
            .verify(WEBHOOK_PATH, headers, event)
            .is_ok()
    );
    let event: Value = serde_json::from_slice(event).expect("JSON");
    assert_eq!(event["type"], "checkout.session.expired", "{event}");
    let answered: Value = serde_json::from_slice(&expired.raw_body).expect("JSON");
    assert_eq!(event["data"]["object"], answered, "{event}");
    assert_eq!(event["data"]["object"]["status"], "expired", "{event}");
    match run.client.checkout_sessions_retrieve(&named).await {
        Err(rt::Error::Api { status: 200, code, .. }) => assert_eq!(code, session::Code::Expired),
        other => panic!("an expired session is the payment's failure: {other:?}"),
    }
    let again = run
        .client
        .checkout_sessions_expire(&expiring, &expire::Request::builder().build().expect("no fields"))
        .await;
    let (status, error) = refused(again);
    assert_eq!(
        (status, error["type"].clone()),
        (402, json!("invalid_request_error")),
        "{error}"
    );
    let unknown = session::Params::builder()
        .id("cs_1795782989284638720")
        .build()
        .expect("valid params");
    assert_eq!(refused(run.client.checkout_sessions_retrieve(&unknown).await).0, 404);
}

/// A refund request of `intent`: `amount` when given, else the whole payment.
fn refund_of(intent: &str, amount: Option<u64>) -> refunds::Request {
    let mut sent = json!({ "payment_intent": intent, "reason": "requested_by_customer" });
    if let Some(amount) = amount {
        sent["amount"] = json!(amount);
    }
    rt::from_json(sent).expect("a valid refund request")
}

/// A PaymentIntent of IDR 100, paid on its page; its id.
async fn paid(run: &Running) -> String {
    let (intent, page) = create(run).await;
    assert_eq!(pay_on(&page).await.expect("answered").status(), 200);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    intent
}

#[tokio::test]
async fn a_refund_is_retrieved_as_it_was_created() {
    let (url, _inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;
    let intent = paid(&run).await;
    let created = run
        .client
        .refunds_create(&refund_of(&intent, Some(40)))
        .await
        .expect("refunded");
    let created: Value = serde_json::from_slice(&created.raw_body).expect("JSON");
    let id = created["id"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("re_"), "{id}");
    // In the payment's currency, which the refund request does not carry.
    assert_eq!(
        (created["amount"].clone(), created["currency"].clone()),
        (json!(40), json!("IDR")),
        "{created}"
    );

    let named = refund::Params::builder().refund_id(&id).build().expect("valid params");
    let read = run.client.refunds_retrieve(&named).await.expect("the refund");
    assert_eq!(read.code, refund::Code::Succeeded);
    let read: Value = serde_json::from_slice(&read.raw_body).expect("JSON");
    for field in ["id", "payment_intent", "amount", "currency", "reason", "object"] {
        assert_eq!(read[field], created[field], "{field}: {read} vs {created}");
    }
    let unknown = refund::Params::builder()
        .refund_id("re_3KQu4U2eZvKYlo2C02Ndp8xy")
        .build()
        .expect("valid params");
    assert_eq!(refused(run.client.refunds_retrieve(&unknown).await).0, 404);
}

/// A refund is of a PaymentIntent this merchant has and the customer paid, once (DANA takes no second partial
/// refund [wooshpay-dana]), for at most what was paid; without an amount it is the whole payment. Each refusal is in
/// WooshPay's error shape and makes no refund.
#[tokio::test]
async fn a_refund_is_held_against_its_payment_intent() {
    let (url, _inbox, _merchant) = merchant().await;
    let run = start(Credentials::demo(), &url).await;

    let (unknown, _) = refused(
        run.client
            .refunds_create(&refund_of("pi_1787730829493927936", None))
            .await,
    );
    assert_eq!(unknown, 404);
    let (unpaid, _page) = create(&run).await;
    let (status, error) = refused(run.client.refunds_create(&refund_of(&unpaid, None)).await);
    assert_eq!(
        (status, error["type"].clone()),
        (402, json!("invalid_request_error")),
        "{error}"
    );
    let without: refunds::Request = rt::from_json(json!({ "amount": 10 })).expect("valid: every field is optional");
    let (status, error) = refused(run.client.refunds_create(&without).await);
    assert_eq!(
        (status, error["param"].clone()),
        (400, json!("payment_intent")),
        "{error}"
    );

    let intent = paid(&run).await;
    assert_eq!(
        refused(run.client.refunds_create(&refund_of(&intent, Some(101))).await).0,
        402
    );
    let whole = run
        .client
        .refunds_create(&refund_of(&intent, None))
        .await
        .expect("refunded");
    let whole: Value = serde_json::from_slice(&whole.raw_body).expect("JSON");
    assert_eq!(
        (whole["amount"].clone(), whole["payment_intent"].clone()),
        (json!(100), json!(intent)),
        "{whole}"
    );
    let (status, error) = refused(run.client.refunds_create(&refund_of(&intent, Some(1))).await);
    assert_eq!(
        (status, error["type"].clone()),
        (402, json!("invalid_request_error")),
        "refunded once: {error}"
    );
}
