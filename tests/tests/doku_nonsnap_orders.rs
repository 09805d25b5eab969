//! A DOKU non-SNAP order's life, through the generated `snapbi::doku_nonsnap::Client` against the in-process sandbox:
//! Checkout creates the order (a record keyed by its invoice number), check status reports it PENDING, a tester pays
//! it as a customer would, DOKU's notification reaches a merchant on loopback signed the way DOKU signs it (the
//! runtime's inbound verifier accepts it over the bytes received, and the generated request type reads it), and
//! check status then reports SUCCESS. A repeated invoice number and an unknown one are answered in DOKU's business
//! shape, `{"message":[…]}`, which the client reads into typed codes.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use snapbi::doku_nonsnap::{
    self, checkout_payment as checkout, notification_payment as notification, orders_check_status as check_status,
    paylater_indodana_generate_order as generate,
};
use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Verifier};
use snapbi_sandbox::{Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxError, SandboxHandle};

const NOTIFY_PATH: &str = "/payments/notifications";
const WAIT: Duration = Duration::from_secs(10);

/// What the merchant received on its Notification URL.
type Inbox = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

async fn notified(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((headers, body));
    // DOKU reads the status alone [doku-nonsnap-retry].
    StatusCode::OK
}

/// A merchant on 127.0.0.1 taking DOKU's notifications; its Notification URL and inbox.
async fn merchant() -> (String, Inbox, tokio::task::JoinHandle<()>) {
    let inbox = Inbox::default();
    let app = Router::new()
        .route(NOTIFY_PATH, post(notified))
        .with_state(Arc::clone(&inbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}{NOTIFY_PATH}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, inbox, server)
}

struct Running {
    base: String,
    sandbox: Sandbox,
    client: doku_nonsnap::Client,
    _handle: SandboxHandle,
}

async fn start(notify_url: Option<String>) -> Running {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let mut builder = Sandbox::builder()
        .api(api)
        .provider("doku_nonsnap")
        .expect("doku_nonsnap")
        .credentials(Credentials::demo())
        .notification_speedup(100_000);
    if let Some(url) = notify_url {
        builder = builder.notify_url(url);
    }
    let sandbox = builder.build().expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET);
    Running {
        base,
        sandbox,
        client: doku_nonsnap::Client::new(config).expect("client"),
        _handle: handle,
    }
}

/// A Checkout page for `invoice` of IDR 20,000 [doku-checkout].
fn page(invoice: &str) -> checkout::Request {
    let sent =
        json!({ "order": { "amount": 20000, "invoice_number": invoice }, "payment": { "payment_due_date": 60 } });
    rt::from_json(sent).expect("a valid Checkout request")
}

fn asked(invoice: &str) -> check_status::Params {
    check_status::Params::builder()
        .invoice_number(invoice)
        .build()
        .expect("valid params")
}

/// What a customer's payment at BCA gives, under the notification's wire names [doku-nonsnap-notification].
fn bca_payment(invoice: &str) -> Value {
    json!({
        "order": { "invoice_number": invoice },
        "transaction": { "date": "2030-01-27T03:24:23Z" },
        "service": { "id": "VIRTUAL_ACCOUNT" },
        "acquirer": { "id": "BCA" },
        "channel": { "id": "VIRTUAL_ACCOUNT_BCA" },
        "virtual_account_info": { "virtual_account_number": "1900600000000046" }
    })
}

async fn status_of(run: &Running, invoice: &str) -> (check_status::Code, Value) {
    let reply = run
        .client
        .orders_check_status(&asked(invoice))
        .await
        .expect("the order is known");
    assert_eq!(reply.status, 200);
    let body: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    (reply.code, body)
}

#[tokio::test]
async fn an_order_lives_from_its_page_to_doku_s_signed_notification() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Some(url)).await;
    let invoice = "INV-20300127-0001";
    let created = run.client.checkout_payment(&page(invoice)).await.expect("a page");
    assert_eq!(created.code, checkout::Code::Success);
    // The order is found by the Request-Id that created it as well [doku-check-status].
    assert!(!created.request_id.is_empty(), "{created:?}");
    let (code, by_request_id) = status_of(&run, &created.request_id).await;
    assert_eq!(code, check_status::Code::Pending);
    assert_eq!(by_request_id["order"]["invoice_number"], invoice, "{by_request_id}");
    assert_eq!(
        by_request_id["transaction"]["original_request_id"], created.request_id,
        "{by_request_id}"
    );

    let (code, body) = status_of(&run, invoice).await;
    assert_eq!(
        (code.clone(), code.outcome()),
        (check_status::Code::Pending, rt::Outcome::Pending)
    );
    assert_eq!(
        body["order"],
        json!({ "invoice_number": invoice, "amount": 20000 }),
        "{body}"
    );
    assert!(
        body.get("channel").is_none(),
        "no channel before the customer picks one: {body}"
    );

    let paid = run
        .sandbox
        .pay_record("doku_nonsnap", "order", &bca_payment(invoice))
        .expect("the order is paid");
    assert_eq!(paid.len(), 1);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);

    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    assert_eq!(received.len(), 1, "one notification");
    let (headers, bytes) = &received[0];
    let verifier = Verifier::new(
        &doku_nonsnap::PROFILE,
        &notification::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    );
    let verified = verifier.verify(NOTIFY_PATH, headers, bytes);
    assert!(verified.is_ok(), "{:?}", verified.err());
    assert!(
        verifier.verify("/another/path", headers, bytes).is_err(),
        "signed over the Notification URL's path"
    );
    let sent: Value = serde_json::from_slice(bytes).expect("JSON");
    let typed: Result<notification::Request, _> = rt::from_json(sent.clone());
    assert!(typed.is_ok(), "the generated type reads it: {typed:?}");
    assert_eq!(sent["transaction"]["status"], "SUCCESS", "{sent}");
    assert_eq!(
        sent["order"],
        json!({ "invoice_number": invoice, "amount": 20000 }),
        "{sent}"
    );
    assert_eq!(sent["channel"]["id"], "VIRTUAL_ACCOUNT_BCA", "{sent}");
    assert_eq!(
        sent["virtual_account_info"]["virtual_account_number"],
        "1900600000000046"
    );
    assert_eq!(sent["transaction"]["original_request_id"], created.request_id, "{sent}");

    let (code, body) = status_of(&run, invoice).await;
    assert_eq!(
        (code.clone(), code.outcome()),
        (check_status::Code::Success, rt::Outcome::Success)
    );
    assert_eq!(body["transaction"]["date"], "2030-01-27T03:24:23Z", "{body}");
    assert_eq!(body["acquirer"]["id"], "BCA", "{body}");
}

#[tokio::test]
async fn an_order_is_paid_once() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Some(url)).await;
    let invoice = "INV-20300127-0002";
    run.client.checkout_payment(&page(invoice)).await.expect("a page");
    run.sandbox
        .pay_record("doku_nonsnap", "order", &bca_payment(invoice))
        .expect("paid");
    let again = run.sandbox.pay_record("doku_nonsnap", "order", &bca_payment(invoice));
    assert!(matches!(again, Err(SandboxError::AlreadyPaid(_))), "{again:?}");
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    assert_eq!(inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len(), 1);
}

#[tokio::test]
async fn a_payment_the_notification_cannot_carry_changes_nothing() {
    let run = start(None).await;
    let invoice = "INV-20300127-0003";
    run.client.checkout_payment(&page(invoice)).await.expect("a page");
    // DOKU's notification requires the channel; without it nothing is paid.
    let mut payment = bca_payment(invoice);
    payment.as_object_mut().map(|p| p.remove("channel"));
    let refused = run.sandbox.pay_record("doku_nonsnap", "order", &payment);
    assert!(
        matches!(&refused, Err(SandboxError::Record(why)) if why.contains("channel")),
        "{refused:?}"
    );
    let (code, _) = status_of(&run, invoice).await;
    assert_eq!(code, check_status::Code::Pending);
}

#[tokio::test]
async fn a_repeated_invoice_number_is_refused_in_doku_s_business_shape() {
    let run = start(None).await;
    let invoice = "INV-20300127-0004";
    run.client.checkout_payment(&page(invoice)).await.expect("a page");
    match run.client.checkout_payment(&page(invoice)).await {
        Err(rt::Error::Api {
            status,
            code,
            message,
            raw_body,
        }) => {
            assert_eq!((status, code), (400, checkout::Code::BadRequest));
            assert_eq!(message.as_deref(), Some("Bad Request"));
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body, json!({ "message": ["Bad Request"] }));
        }
        other => panic!("a second order with the same invoice number must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_order_is_not_found() {
    let run = start(None).await;
    match run.client.orders_check_status(&asked("INV-NEVER-CREATED")).await {
        Err(rt::Error::Api {
            status, code, raw_body, ..
        }) => {
            assert_eq!((status, code.clone()), (404, check_status::Code::NotFound));
            assert_eq!(code.outcome(), rt::Outcome::Failed);
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body, json!({ "message": ["Not Found"] }));
        }
        other => panic!("an unknown invoice must be not found: {other:?}"),
    }
}

#[tokio::test]
async fn an_indodana_order_is_checked_like_a_checkout_page() {
    let run = start(None).await;
    let address = json!({
        "first_name": "andreas", "address": "Jalan Teknologi Indonesia No. 25", "city": "Jakarta",
        "postal_code": "12960", "phone": "081513114262", "country_code": "IDN"
    });
    let sent = json!({
        "order": {
            "invoice_number": "MINV20300127001",
            "line_items": [{ "name": "Ayam", "price": 50000, "quantity": 2, "id": "1002", "category": "others" }],
            "amount": 100000,
            "callback_url_cancel": "https://merchant.example/cancel"
        },
        "peer_to_peer_info": { "merchant_unique_reference": "60123" },
        "customer": { "first_name": "andreas", "phone": "6281939815480", "email": "a@example.com" },
        "billing_address": address
    });
    let request: generate::Request = rt::from_json(sent).expect("valid");
    let created = run
        .client
        .paylater_indodana_generate_order(&request)
        .await
        .expect("created");
    assert_eq!(created.code, generate::Code::Pending);
    let (code, body) = status_of(&run, "MINV20300127001").await;
    assert_eq!(code, check_status::Code::Pending);
    assert_eq!(body["order"]["amount"], 100000, "{body}");
}

#[tokio::test]
async fn the_payment_page_asks_what_the_payment_brings_and_pays_the_order() {
    let (url, inbox, _merchant) = merchant().await;
    let run = start(Some(url)).await;
    let invoice = "INV-20300127-0005";
    let created = run.client.checkout_payment(&page(invoice)).await.expect("a page");
    let answer: Value = serde_json::from_slice(&created.raw_body).expect("JSON");
    let page_url = answer["response"]["payment"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        page_url.starts_with(&format!("{}/_sandbox/pages/", run.base)),
        "{answer}"
    );

    let http = reqwest::Client::new();
    let shown = http.get(&page_url).send().await.expect("the page");
    assert_eq!(shown.status(), 200);
    let html = shown.text().await.expect("HTML");
    // What DOKU's notification requires and the order does not hold, asked for, and nothing more.
    for asked in ["service.id", "acquirer.id", "channel.id"] {
        assert!(html.contains(&format!("name=\"{asked}\"")), "{asked} not asked: {html}");
    }
    assert!(!html.contains("name=\"order.invoice_number\""), "{html}");
    assert!(html.contains(invoice), "{html}");

    let form = "service.id=VIRTUAL_ACCOUNT&acquirer.id=BCA&channel.id=VIRTUAL_ACCOUNT_BCA";
    let post = |body: &'static str| {
        http.post(&page_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let paid = post(form).await.expect("paid");
    assert_eq!(paid.status(), 200, "{:?}", paid.text().await);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    let received = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let sent: Value = serde_json::from_slice(&received[0].1).expect("JSON");
    assert_eq!(sent["channel"]["id"], "VIRTUAL_ACCOUNT_BCA", "{sent}");
    let (code, _) = status_of(&run, invoice).await;
    assert_eq!(code, check_status::Code::Success);

    assert_eq!(post(form).await.expect("answered").status(), 409, "paid once");
    let unknown = http
        .get(format!("{}/_sandbox/pages/no-such-page", run.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 404);
}

/// Creates an order for `invoice` whose notification goes to `url` [doku-override-notification-url], and pays it.
async fn paid_notifying(run: &Running, invoice: &str, url: &str) {
    let sent = json!({
        "order": { "amount": 20000, "invoice_number": invoice },
        "payment": { "payment_due_date": 60 },
        "additional_info": { "override_notification_url": url }
    });
    let page: checkout::Request = rt::from_json(sent).expect("a valid Checkout request");
    run.client.checkout_payment(&page).await.expect("a page");
    run.sandbox
        .pay_record("doku_nonsnap", "order", &bca_payment(invoice))
        .expect("paid");
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
}

#[tokio::test]
async fn an_order_s_override_notification_url_takes_the_notification_when_its_path_is_the_configured_one() {
    let (configured, configured_inbox, _a) = merchant().await;
    let (other, other_inbox, _b) = merchant().await;
    let run = start(Some(configured)).await;
    let received = |inbox: &Inbox| inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len();

    // Another host, the same path: DOKU sends it there.
    paid_notifying(&run, "INV-20300127-0006", &other).await;
    assert_eq!((received(&configured_inbox), received(&other_inbox)), (0, 1));

    // Another path: "this features won't work", and the configured URL gets it.
    paid_notifying(&run, "INV-20300127-0007", &other.replace(NOTIFY_PATH, "/elsewhere")).await;
    assert_eq!((received(&configured_inbox), received(&other_inbox)), (1, 1));
}
