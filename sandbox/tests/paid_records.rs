//! A tester pays a DOKU virtual account through the admin API (`POST /_sandbox/records/doku/virtual_account/pay`),
//! as a customer pays at the bank: the VA status reports it paid from what the payment and the spec's `paid` say,
//! and DOKU's VA payment notification (`doku.va.payment_notify`, found by `operation: notify` + `record`) reaches a
//! merchant on loopback, with a token the merchant issued just before, a signature and a body the runtime's inbound
//! `Verifier` and the generated validators accept. An unknown VA cannot be paid, a payment the notification could
//! not carry is refused without changing anything, and paying twice notifies once.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use snapbi::doku::{self, va_payment_notify};
use snapbi::rt::inbound::{InboundKey, TokenIssuer, Verifier};
use snapbi_sandbox::DEMO_CLIENT_SECRET;

const CREATE: &str = "doku.va.create";
const VA_STATUS: &str = "doku.va.status";
const PAY: &str = "/_sandbox/records/doku/virtual_account/pay";
const NOTIFY_PATH: &str = "/merchant/notify";
const WAIT: Duration = Duration::from_secs(10);

/// A merchant on 127.0.0.1 with the token endpoint DOKU asks first (at the spec's path) and a notify route;
/// returns its notify URL, its inbox and the issuer of its tokens.
async fn merchant() -> (String, Inbox, TokenIssuer, tokio::task::JoinHandle<()>) {
    doku_merchant(
        NOTIFY_PATH,
        r#"{"responseCode":"2002500","responseMessage":"Successful"}"#,
    )
    .await
}

async fn create(run: &Running, customer_no: &str, trx_id: &str) {
    let body = with(
        va(customer_no),
        json!({
            "virtualAccountName": "Toru Yamashita",
            "virtualAccountEmail": "toru@example.com",
            "trxId": trx_id,
            "totalAmount": {"value": "150000.00", "currency": "IDR"},
            "virtualAccountTrxType": "C",
            "expiredDate": "2030-07-11T11:57:58+07:00",
            "additionalInfo": {
                "channel": "VIRTUAL_ACCOUNT_BCA",
                "virtualAccountConfig": {"reusableStatus": false},
                "origin": {"product": "SDK", "source": "Python", "sourceVersion": "1.1.72", "system": "x"},
            },
        }),
    );
    run.call(CREATE, &body).await.expect("2002700", "Successful");
}

/// A payment of the VA: its key, the trxId it was created with, and what the bank gives.
fn payment(customer_no: &str, trx_id: &str, payment_request_id: &str) -> Value {
    with(
        va(customer_no),
        json!({
            "trxId": trx_id,
            "paymentRequestId": payment_request_id,
            "paidAmount": {"value": "150000.00", "currency": "IDR"},
            "trxDateTime": "2030-07-10T11:57:58+07:00",
            "additionalInfo": {"senderName": "Toru Yamashita"},
        }),
    )
}

async fn pay(run: &Running, body: &Value) -> Reply {
    let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    run.send("POST", PAY, &headers, serde_json::to_vec(body).expect("json"))
        .await
}

async fn status(run: &Running, customer_no: &str) -> Value {
    let reply = run.call(VA_STATUS, &va(customer_no)).await;
    reply.expect("2002600", "Successful");
    reply.body["virtualAccountData"].clone()
}

#[tokio::test]
async fn a_paid_va_reports_paid_and_its_notification_verifies() {
    let (url, inbox, issuer, server) = merchant().await;
    let run = start(|b| b.notify_url(url).notification_speedup(100_000)).await;
    let (customer_no, trx_id) = ("00000000000000000301", "INV-VA-301");
    create(&run, customer_no, trx_id).await;
    assert!(status(&run, customer_no).await.get("paymentFlagStatus").is_none());

    let paid = pay(&run, &payment(customer_no, trx_id, "PAY-301")).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.body["records"][0]["fields"]["paymentFlagStatus"], "00");
    assert!(run.sandbox.wait_for_notifications(WAIT).await);

    // The status answers what the payment and the spec's `paid` wrote into the VA.
    let data = status(&run, customer_no).await;
    assert_eq!(data["paymentFlagStatus"], "00", "{data}");
    assert_eq!(data["paidAmount"], json!({"value": "150000.00", "currency": "IDR"}));
    assert_eq!(data["paymentRequestId"], "PAY-301");
    assert_eq!(data["trxId"], trx_id);

    // One notification, acknowledged, with a token from the merchant and DOKU's symmetric signature.
    let deliveries = run.sandbox.notifications();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert!(deliveries[0].acknowledged);
    let received = received(&inbox);
    assert_eq!(received.len(), 1);
    let (headers, raw) = &received[0];
    let verifier = Verifier::new(
        &doku::PROFILE,
        &va_payment_notify::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    )
    .accept_token(move |token| issuer.accepts(token));
    let verified = verifier
        .verify(NOTIFY_PATH, headers, raw)
        .unwrap_or_else(|e| panic!("the merchant's verifier refused the notification: {e:?}"));
    verified
        .payload::<va_payment_notify::Request>()
        .expect("the body passes the generated validators");

    // The body: the spec's request fields, from the VA and the payment, nothing else and nothing made up.
    let body: Value = serde_json::from_slice(raw).expect("JSON body");
    let endpoint = run
        .api()
        .endpoint(&va_payment_notify::ENDPOINT.id)
        .expect("the notify spec");
    assert!(snapbi_sandbox::validate::request(run.api(), endpoint, &body).is_empty());
    let keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "partnerServiceId",
            "customerNo",
            "virtualAccountNo",
            "virtualAccountName",
            "virtualAccountEmail",
            "trxId",
            "paymentRequestId",
            "paidAmount",
            "trxDateTime",
            "virtualAccountTrxType",
            "expiredDate",
            "additionalInfo",
        ],
        "spec order, only fields the VA or the payment holds: {body}"
    );
    assert_eq!(body["paidAmount"], json!({"value": "150000.00", "currency": "IDR"}));
    assert_eq!(body["expiredDate"], "2030-07-11T11:57:58+07:00");
    assert_eq!(
        body["additionalInfo"],
        json!({
            "channel": "VIRTUAL_ACCOUNT_BCA",
            "virtualAccountConfig": {"reusableStatus": false},
            "senderName": "Toru Yamashita",
        }),
        "the VA's channel and configuration with the payer's name; the SDK's `origin` is not declared"
    );

    // Paying again: refused, and nothing is sent again.
    let again = pay(&run, &payment(customer_no, trx_id, "PAY-301-B")).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    assert_eq!(run.sandbox.notifications().len(), 1);
    assert_eq!(inbox.lock().map(|i| i.len()).unwrap_or_default(), 1);
    assert_eq!(status(&run, customer_no).await["paymentRequestId"], "PAY-301");
    server.abort();
}

#[tokio::test]
async fn only_a_known_va_with_a_complete_payment_can_be_paid() {
    let (url, inbox, _issuer, server) = merchant().await;
    let run = start(|b| b.notify_url(url)).await;
    let (customer_no, trx_id) = ("00000000000000000302", "INV-VA-302");
    create(&run, customer_no, trx_id).await;

    // Unknown number, or the number under another trxId: not found.
    let unknown = pay(&run, &payment("00000000000000000999", trx_id, "PAY-1")).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let other_trx = pay(&run, &payment(customer_no, "INV-OTHER", "PAY-1")).await;
    assert_eq!(other_trx.status, 404, "{}", other_trx.body);
    let errors = run
        .sandbox
        .pay_record("doku", "virtual_account", &payment("00000000000000000999", trx_id, "P"));
    assert!(
        matches!(errors, Err(snapbi_sandbox::SandboxError::RecordNotFound(_))),
        "{errors:?}"
    );

    // Without the key, or with a field no notification declares: refused with the reason.
    let mut keyless = payment(customer_no, trx_id, "PAY-1");
    keyless.as_object_mut().map(|b| b.remove("customerNo"));
    let reply = pay(&run, &keyless).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body["error"].as_str().unwrap_or_default().contains("customerNo"),
        "{}",
        reply.body
    );
    let misspelt = with(payment(customer_no, trx_id, "PAY-1"), json!({"paidAmont": {}}));
    let reply = pay(&run, &misspelt).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body["error"].as_str().unwrap_or_default().contains("paidAmont"),
        "{}",
        reply.body
    );

    // Without the amount the notification requires: refused, naming it, and the VA stays unpaid.
    let mut amountless = payment(customer_no, trx_id, "PAY-1");
    amountless.as_object_mut().map(|b| b.remove("paidAmount"));
    let reply = pay(&run, &amountless).await;
    assert_eq!(reply.status, 400);
    let error = reply.body["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("doku.va.payment_notify") && error.contains("paidAmount"),
        "{error}"
    );
    assert!(status(&run, customer_no).await.get("paymentFlagStatus").is_none());

    // Kinds the specs do not let be paid, and kinds that do not exist.
    let reply = run
        .send("POST", "/_sandbox/records/doku/wallet/pay", &[], b"{}".to_vec())
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    assert!(run.sandbox.notifications().is_empty());
    assert!(inbox.lock().map(|i| i.is_empty()).unwrap_or_default());
    server.abort();
}
