//! Records of the provider's back office that a tester registers (`POST /_sandbox/records/{provider}/{kind}`):
//! the sandbox answers inquiries from them and never makes up a name, a limit or a fee. DANA's account inquiry
//! reads a registered account holder; an unregistered one is answered the kind's not-found code (`4033705`).

mod common;

use common::*;
use serde_json::{Value, json};

const INQUIRY: &str = "dana.disbursement.dana_account_inquiry";

async fn admin(run: &Running, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", run.base))
        .json(body)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn inquiry(run: &Running, customer: &str) -> Value {
    let mut body = sample(run.api(), INQUIRY);
    body["customerNumber"] = json!(customer);
    body["amount"] = json!({ "value": "10000.00", "currency": "IDR" });
    body
}

#[tokio::test]
async fn an_inquiry_answers_from_the_registered_account_holder() {
    let run = start_provider("dana", |b| b).await;
    let holder = json!({
        "customerNumber": "6281100000001",
        "customerName": "Siti Tester",
        "minAmount": { "value": "1.00", "currency": "IDR" },
        "maxAmount": { "value": "5000000.00", "currency": "IDR" },
        "feeAmount": { "value": "1500.00", "currency": "IDR" },
    });
    let (status, added) = admin(&run, "/_sandbox/records/dana/customer", &holder).await;
    assert_eq!(status, 200, "{added}");

    let reply = run.call(INQUIRY, &inquiry(&run, "6281100000001")).await;
    reply.expect("2003700", "Successful");
    assert_eq!(reply.body["customerName"], "Siti Tester");
    assert_eq!(reply.body["feeAmount"], holder["feeAmount"]);
    assert_eq!(reply.body["maxAmount"], holder["maxAmount"]);
    // What the request asked about is answered back; nothing else is filled in.
    assert_eq!(reply.body["amount"]["value"], "10000.00");
    assert!(reply.body.get("customerMonthlyInLimit").is_none(), "{}", reply.body);

    // An account holder nobody registered: DANA's unregistered-account code, not a made-up name.
    let reply = run.call(INQUIRY, &inquiry(&run, "6281100000002")).await;
    assert_eq!(reply.code(), "4033705", "{}", reply.body);
    assert!(reply.body.get("customerName").is_none());
}

#[tokio::test]
async fn registering_needs_a_declared_kind_and_its_key() {
    let run = start_provider("dana", |b| b).await;
    let (status, answer) = admin(&run, "/_sandbox/records/dana/wallet", &json!({})).await;
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("no record kind `wallet`")),
        "{answer}"
    );
    let nameless = json!({ "customerName": "No Number" });
    let (status, answer) = admin(&run, "/_sandbox/records/dana/customer", &nameless).await;
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().is_some_and(|e| e.contains("customerNumber")),
        "{answer}"
    );
}
