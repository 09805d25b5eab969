//! State under concurrency, forced scenarios through the admin endpoint, injected faults, and payment
//! notifications reaching a merchant on loopback with a signature the runtime's verifier accepts.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use serde_json::{Value, json};
use snapbi::rt::inbound::TokenIssuer;
use snapbi::{doku, rt};
use snapbi_sandbox::DEMO_CLIENT_SECRET;

async fn admin(run: &Running, method: &str, path: &str, body: Value) -> Reply {
    let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    run.send(method, path, &headers, serde_json::to_vec(&body).unwrap_or_default())
        .await
}

#[tokio::test]
async fn scenarios_armed_through_the_admin_endpoint() {
    let run = start(|b| b).await;
    let armed = admin(
        &run,
        "POST",
        "/_sandbox/scenarios",
        json!({"endpoint": PAYMENT, "code": "4035402", "times": 2}),
    )
    .await;
    assert_eq!(armed.status, 200, "{}", armed.body);
    assert_eq!(armed.body["armed"][0]["times"], 2);
    for _ in 0..2 {
        run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00"))
            .await
            .expect("4035402", "Exceeds Transaction Amount Limit");
    }
    assert!(run.sandbox.ledger().is_empty(), "a forced failure commits nothing");
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00"))
        .await
        .expect("2005400", "Successful");

    let refused = admin(
        &run,
        "POST",
        "/_sandbox/scenarios",
        json!({"endpoint": PAYMENT, "code": 4035403}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not declared")
    );
    let refused = admin(
        &run,
        "POST",
        "/_sandbox/scenarios",
        json!({"endpoint": "nope", "code": "2005400"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    let refused = run.send("POST", "/_sandbox/scenarios", &[], b"{".to_vec()).await;
    assert_eq!(refused.status, 400);

    admin(
        &run,
        "POST",
        "/_sandbox/scenarios",
        json!({"endpoint": PAYMENT, "code": "4035415"}),
    )
    .await;
    assert_eq!(
        admin(&run, "GET", "/_sandbox/scenarios", Value::Null).await.body["armed"][0]["code"],
        "4035415"
    );
    admin(&run, "DELETE", "/_sandbox/scenarios", Value::Null).await;
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00"))
        .await
        .expect("2005400", "Successful");
}

#[tokio::test]
async fn a_forced_success_code_runs_the_call() {
    let run = start(|b| b).await;
    let reference = run.paid_payment("100.00").await;
    let body = serde_json::to_vec(&run.refund_body(&reference, &unique("REF"), "40.00")).unwrap_or_default();
    let mut headers = run.headers_for(REFUND, &body).await;
    set_header(&mut headers, "X-Sandbox-Scenario", "2025800");
    let reply = run.send_to(REFUND, &headers, body).await;
    reply.expect("2025800", "Request In Progress");
    assert_eq!(
        run.sandbox.ledger()[0].refunded.as_ref().map(|m| m.value.as_str()),
        Some("40.00")
    );
}

#[tokio::test]
async fn delay_fault() {
    let run = start(|b| b).await;
    let armed = admin(
        &run,
        "POST",
        "/_sandbox/faults",
        json!({"endpoint": PAYMENT, "kind": "delay", "ms": 300}),
    )
    .await;
    assert_eq!(armed.status, 200, "{}", armed.body);
    let started = Instant::now();
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00"))
        .await
        .expect("2005400", "Successful");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00")).await;
    assert!(started.elapsed() < Duration::from_millis(300), "used once");
}

#[tokio::test]
async fn drop_after_commit_fault() {
    let run = start(|b| b).await;
    admin(
        &run,
        "POST",
        "/_sandbox/faults",
        json!({"endpoint": PAYMENT, "kind": "drop_after_commit"}),
    )
    .await;
    let reference = unique("INV");
    let body = run.payment_body(&reference, "10.00");
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let headers = run.headers_for(PAYMENT, &bytes).await;
    let endpoint = run.endpoint(PAYMENT);
    let mut request = run.http.post(format!("{}{}", run.base, endpoint.info.path));
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let sent = request.body(bytes).send().await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    let ledger = run.sandbox.ledger();
    assert_eq!(ledger.len(), 1, "committed before the connection was dropped");
    // The client retries with the same references: the idempotent replay tells it what happened.
    let replay = run.call(PAYMENT, &body).await;
    replay.expect("2005400", "Successful");
    assert_eq!(
        replay.body["referenceNo"].as_str(),
        Some(ledger[0].reference_no.as_str())
    );
}

#[tokio::test]
async fn status_5xx_fault() {
    let run = start(|b| b).await;
    admin(
        &run,
        "POST",
        "/_sandbox/faults",
        json!({"endpoint": PAYMENT, "kind": "status_5xx", "times": 1}),
    )
    .await;
    let body = run.payment_body(&unique("INV"), "10.00");
    run.call(PAYMENT, &body)
        .await
        .expect("5005401", "Internal Server Error");
    assert!(run.sandbox.ledger().is_empty(), "nothing committed");
    run.call(PAYMENT, &body).await.expect("2005400", "Successful");
    let refused = admin(
        &run,
        "POST",
        "/_sandbox/faults",
        json!({"endpoint": PAYMENT, "kind": "explode"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        admin(&run, "GET", "/_sandbox/faults", Value::Null).await.body["armed"]
            .as_array()
            .is_some()
    );
}

#[tokio::test]
async fn concurrent_identical_payments_make_one_record() {
    let run = Arc::new(start(|b| b).await);
    let body = run.payment_body(&unique("INV"), "10.00");
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (run, body) = (Arc::clone(&run), body.clone());
        tasks.push(tokio::spawn(async move { run.call(PAYMENT, &body).await }));
    }
    let mut references = Vec::new();
    for task in tasks {
        let reply = task.await.expect("task");
        reply.expect("2005400", "Successful");
        references.push(reply.body["referenceNo"].clone());
    }
    references.dedup();
    assert_eq!(references.len(), 1, "every call got the same payment");
    assert_eq!(run.sandbox.ledger().len(), 1);
}

#[tokio::test]
async fn concurrent_conflicting_payments_let_exactly_one_through() {
    let run = Arc::new(start(|b| b).await);
    let reference = unique("INV");
    let mut tasks = Vec::new();
    for i in 0..32 {
        let run = Arc::clone(&run);
        let body = run.payment_body(&reference, &format!("{}.00", 100 + i));
        tasks.push(tokio::spawn(async move { run.call(PAYMENT, &body).await }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.expect("task").code().to_owned());
    }
    assert_eq!(codes.iter().filter(|c| *c == "2005400").count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| *c == "4045418").count(), 31, "{codes:?}");
}

/// What the merchant's notify endpoint received.
#[derive(Default)]
struct Inbox {
    requests: Vec<(HeaderMap, Bytes)>,
    /// Answer this many requests with 500 first.
    fail_first: usize,
}

async fn notified(State(inbox): State<Arc<Mutex<Inbox>>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let mut inbox = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    inbox.requests.push((headers, body));
    if inbox.requests.len() <= inbox.fail_first {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"responseCode":"5005601"}"#.into(),
        );
    }
    (
        StatusCode::OK,
        r#"{"responseCode":"2005600","responseMessage":"Successful"}"#.into(),
    )
}

/// A merchant on loopback, with the token endpoint DOKU asks before it notifies (at the spec's path, next to the
/// notify URL); returns its notify URL and the issuer of its tokens.
async fn merchant(inbox: Arc<Mutex<Inbox>>) -> (String, tokio::task::JoinHandle<()>, TokenIssuer) {
    let (issuer, token) = merchant_token_route();
    let app = Router::new()
        .route("/merchant/notify", post(notified))
        .with_state(inbox)
        .route(&doku::merchant_token_b2b::ENDPOINT.path, token);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/merchant/notify", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task, issuer)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn completed_payment_is_notified_signed_and_retried() {
    let inbox = Arc::new(Mutex::new(Inbox {
        fail_first: 1,
        ..Inbox::default()
    }));
    let (url, server, issuer) = merchant(Arc::clone(&inbox)).await;
    // DOKU's jump-app payments only carry PAY_RETURN URLs: the notification URL is the merchant's configured
    // one (DOKU's back office), which the sandbox takes as an option.
    let run = start(|b| b.notification_speedup(100_000).notify_url(url.clone())).await;
    let reference = unique("INV");
    let body = run.payment_body(&reference, "25000.00");
    run.call(PAYMENT, &body).await.expect("2005400", "Successful");
    assert!(
        run.sandbox.notifications().is_empty(),
        "nothing before the customer pays"
    );
    run.sandbox.complete_payment(&reference).expect("complete");
    assert!(run.sandbox.wait_for_notifications(Duration::from_secs(10)).await);

    let deliveries = run.sandbox.notifications();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!((deliveries[0].status, deliveries[1].acknowledged), (Some(500), true));
    let listed = run.send("GET", "/_sandbox/notifications", &[], Vec::new()).await;
    assert_eq!(listed.body["deliveries"].as_array().map(Vec::len), Some(2));

    let inbox = inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (headers, raw) = &inbox.requests[1];
    // Each attempt carries a token the merchant's own token endpoint issued just before (DOKU's way).
    let bearer = header(headers, "Authorization")
        .strip_prefix("Bearer ")
        .unwrap_or_default();
    let token = rt::secret::AccessToken::from(bearer);
    assert!(
        issuer.accepts(&token),
        "the notification's token was issued by the merchant"
    );
    let verified = rt::signature::verify_symmetric(
        "POST",
        "/merchant/notify",
        &token,
        raw,
        header(headers, "X-TIMESTAMP"),
        header(headers, "X-SIGNATURE"),
        &rt::secret::ClientSecret::from(DEMO_CLIENT_SECRET),
    );
    assert_eq!(verified, Ok(()));
    let notification: Value = serde_json::from_slice(raw).unwrap_or_default();
    assert_eq!(notification["originalPartnerReferenceNo"], reference.as_str());
    assert_eq!(notification["latestTransactionStatus"], "00");
    assert_eq!(notification["amount"], json!({"value": "25000.00", "currency": "IDR"}));
    server.abort();
}

#[tokio::test]
async fn auto_complete_and_the_configured_notify_url() {
    let inbox = Arc::new(Mutex::new(Inbox::default()));
    let (url, server, _) = merchant(Arc::clone(&inbox)).await;
    let run = start(|b| b.auto_complete(Duration::from_millis(50)).notify_url(url)).await;
    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "10.00"))
        .await
        .expect("2005400", "Successful");
    let deadline = Instant::now() + Duration::from_secs(10);
    while run.sandbox.ledger()[0].latest_transaction_status != "00" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status.body["latestTransactionStatus"], "00");
    assert!(run.sandbox.wait_for_notifications(Duration::from_secs(10)).await);
    assert_eq!(inbox.lock().map(|i| i.requests.len()).unwrap_or_default(), 1);
    server.abort();
}

#[tokio::test]
async fn completing_unknown_payments_is_refused() {
    let run = start(|b| b).await;
    let reply = run
        .send("POST", "/_sandbox/payments/INV-NOBODY/complete", &[], Vec::new())
        .await;
    assert_eq!(reply.status, 404);
    assert!(run.sandbox.complete_payment("INV-NOBODY").is_err());
    let index = run.send("GET", "/_sandbox", &[], Vec::new()).await;
    // The index lists the endpoints the sandbox serves: as many as `Sandbox::endpoints` names.
    assert_eq!(
        index.body["endpoints"].as_array().map(Vec::len),
        Some(run.sandbox.endpoints().count()),
        "{}",
        index.body
    );
}

#[tokio::test]
async fn a_payment_breaking_a_channel_rule_is_refused_at_the_field_and_succeeds_once_fixed() {
    let run = start(|b| b).await;
    let reference = unique("INV");
    let mut body = run.payment_body(&reference, "25000.00");
    body["additionalInfo"]["channel"] = json!("DIRECT_DEBIT_CIMB_SNAP");
    body["additionalInfo"]
        .as_object_mut()
        .expect("additionalInfo")
        .remove("remarks");
    let reply = run.call(PAYMENT, &body).await;
    reply.expect("4005402", "Invalid Mandatory Field additionalInfo.remarks");
    assert!(
        reply
            .reason()
            .contains("is required when additionalInfo.channel is DIRECT_DEBIT_CIMB_SNAP"),
        "{}",
        reply.reason()
    );
    // The same body for a jump-app channel needs no remarks but only PAY_RETURN URLs.
    body["additionalInfo"]["channel"] = json!("EMONEY_SHOPEE_PAY_SNAP");
    body["urlParam"][0]["type"] = json!("PAY_NOTIFY");
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format urlParam[0].type");
    body["urlParam"][0]["type"] = json!("PAY_RETURN");
    run.call(PAYMENT, &body).await.expect("2005400", "Successful");
}

#[tokio::test]
async fn no_token_from_the_merchant_no_notification() {
    // A merchant that serves the notify URL but no token endpoint: DOKU asks for a token first and, without one,
    // does not notify; the attempt is recorded as unanswered, with the reason.
    let inbox = Arc::new(Mutex::new(Inbox::default()));
    let app = Router::new()
        .route("/merchant/notify", post(notified))
        .with_state(Arc::clone(&inbox));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/merchant/notify", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let run = start(|b| {
        b.notify_url(url)
            .notification_schedule(snapbi_sandbox::notify::Schedule::immediate_for_tests(0))
    })
    .await;
    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "10.00"))
        .await
        .expect("2005400", "Successful");
    run.sandbox.complete_payment(&reference).expect("complete");
    assert!(run.sandbox.wait_for_notifications(Duration::from_secs(10)).await);
    let deliveries = run.sandbox.notifications();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let error = deliveries[0].error.as_deref().unwrap_or_default();
    assert!(
        error.contains("no token from the merchant") && error.contains("HTTP 404"),
        "{error}"
    );
    assert!(!deliveries[0].acknowledged);
    assert_eq!(inbox.lock().map(|i| i.requests.len()).unwrap_or_default(), 0);
    server.abort();
}
