//! DANA's widget transaction history list (`dana.widget.transaction_history_list`) through the generated
//! `snapbi::dana::Client` against the in-process sandbox, for a registered customer bound the way DANA's widget binds
//! one (an auth code from DANA's OAuth page, exchanged by apply token for the customer token):
//!
//! - the call is signed and answered `2001200` with the customer's payments from the ledger (`customer: history`):
//!   a widget payment the customer paid on its pay page is listed with its time, amount, `PAYMENT` and `SUCCESS`,
//!   and nothing the ledger does not know (no remark, no additionalInfo); another customer's payment is not;
//! - the body DANA's own UAT suite writes for it (dana-id/uat-script `Widget.json` "TransactionList", the same in
//!   its seven scenarios, which the suite never sends) passes the generated validators and the sandbox;
//! - the typed builder refuses, by name and all at once, a page size that is not digits and a time range
//!   without its time of day;
//! - a customer token that stands for no bound customer is refused with `4011202`, typed, with the `auth` outcome.

use std::path::Path;

use serde_json::{Value, json};
use snapbi::dana::{self, widget_apply_token, widget_transaction_history_list as history};
use snapbi::rt;
use snapbi_sandbox::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle,
};
use snapbi_spec::ir::samples::sample_object;

/// A DANA sandbox on loopback, kept alive by the handle.
async fn dana_sandbox() -> (Sandbox, String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("dana")
        .expect("dana")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    (sandbox, base, handle)
}

fn client(base: &str) -> dana::Client {
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("key");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key);
    dana::Client::new(config).expect("client")
}

const PHONE: &str = "6281100000031";

/// The customer's session: the auth code DANA's OAuth page hands the merchant for the registered customer `PHONE`
/// (with 100000.00 IDR), exchanged for a customer token.
async fn bound_customer(sandbox: &Sandbox, client: &dana::Client) -> rt::customer::CustomerSession {
    let customer: snapbi_sandbox::Customer = serde_json::from_value(json!({
        "provider": "dana", "phoneNo": PHONE, "balance": { "value": "100000.00", "currency": "IDR" }
    }))
    .expect("a customer");
    sandbox.add_customers(vec![customer]).expect("registered");
    let (_, auth_code) = sandbox
        .issue_customer_auth_code(None, "dana", PHONE)
        .expect("auth code");
    rt::customer::CustomerSession::start(client.runtime(), &widget_apply_token::ENDPOINT, &auth_code)
        .await
        .expect("customer token")
}

/// A widget payment of 25000.00 IDR through the client, paid on its pay page (`webRedirectUrl`) by `payer`'s wallet
/// (none: another way).
async fn paid_widget_payment(sandbox: &Sandbox, client: &dana::Client, reference: &str, payer: &str) {
    let widget_payment = sandbox
        .api()
        .endpoint("dana.widget.payment")
        .expect("the widget payment");
    let mut payment = sample_object(sandbox.api(), &widget_payment.request);
    payment["partnerReferenceNo"] = json!(reference);
    payment["amount"] = json!({ "value": "25000.00", "currency": "IDR" });
    let payment = rt::from_json::<dana::widget_payment::Request>(payment).expect("valid payment");
    let rt::Settled::Answered(reply) = client.widget_payment(&payment).await.expect("payment") else {
        panic!("the sandbox answers the payment itself");
    };
    let page = reply.body.web_redirect_url.clone().expect("a pay page");
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http")
        .post(page.to_string())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("action=pay&payer={payer}"))
        .send()
        .await
        .expect("the pay page answers");
    assert_eq!(paid.status().as_u16(), 303, "{:?}", paid.text().await);
}

/// The customer-token headers DANA's page lists for the call.
async fn headers(session: &rt::customer::CustomerSession) -> history::Headers {
    let customer = session.authorization_customer().await.expect("header");
    history::Headers::builder()
        .authorization_customer(customer)
        .x_device_id("device-1")
        .x_ip_address("10.15.8.189")
        .build()
        .expect("valid headers")
}

/// The request body of DANA's UAT scenarios "TransactionList" (Widget.json and IPG.json, identical in all seven),
/// with the suite's placeholders `${partnerReferenceNo}` and `${authCode}` replaced by our values.
fn dana_uat_body(access_token: &str) -> Value {
    json!({
        "partnerReferenceNo": "6f1d2c3b-4a59-4e8d-9c7b-0a1b2c3d4e5f",
        "fromDateTime": "2020-12-21T17:55:11Z",
        "toDateTime": "2022-01-21T17:55:11Z",
        "pageSize": "10",
        "pageNumber": "1",
        "additionalInfo": {
            "types": ["PAYMENT", "REFUND", "OFFLINE_TOPUP", "TOP_UP", "REBATE"],
            "statuses": ["PROCESSING", "SUCCESS", "CLOSED", "FAILED", "INIT", "REVOKED"],
            "accessToken": access_token
        }
    })
}

/// The members of an answer's JSON body, sorted.
fn members(raw: &[u8]) -> Vec<String> {
    let body: Value = serde_json::from_slice(raw).expect("a JSON answer");
    let mut names: Vec<String> = body.as_object().expect("an object").keys().cloned().collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_bound_customers_history_lists_what_their_wallet_paid_and_nothing_made_up() {
    let (sandbox, base, _handle) = dana_sandbox().await;
    let client = client(&base);
    let session = bound_customer(&sandbox, &client).await;
    let token = session.access_token().await.expect("token");
    paid_widget_payment(&sandbox, &client, "WGT-HIST-1", PHONE).await;
    // A payment nobody's wallet paid is in the merchant's ledger, not in the customer's history.
    paid_widget_payment(&sandbox, &client, "WGT-HIST-2", "").await;

    let request = history::Request::builder()
        .partner_reference_no("HIST-0001")
        .from_date_time("2000-05-01T00:00:00+07:00")
        .to_date_time("2100-05-31T23:59:59+07:00")
        .page_size("10")
        .page_number("1")
        .additional_info(
            history::AdditionalInfo::builder()
                .access_token(token.expose())
                .types(["PAYMENT", "REFUND"])
                .statuses(["SUCCESS"]),
        )
        .build()
        .expect("a valid query");
    let reply = client
        .widget_transaction_history_list(&request, &headers(&session).await)
        .await
        .expect("transaction history");
    assert_eq!((reply.status, reply.code.clone()), (200, history::Code::Successful));
    assert_eq!(reply.code.code(), "2001200");
    assert_eq!(reply.code.outcome(), rt::Outcome::Success);
    let body: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    let items = body["detailData"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{body}");
    let item = &items[0];
    assert_eq!(item["amount"], json!({ "value": "25000.00", "currency": "IDR" }));
    assert_eq!(
        (item["type"].clone(), item["status"].clone()),
        (json!("PAYMENT"), json!("SUCCESS"))
    );
    let when = item["dateTime"].as_str().unwrap_or_default();
    assert!(snapbi_rules::is_snap_datetime(when), "{when}");
    let mut names: Vec<&String> = item.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        ["amount", "dateTime", "status", "type"],
        "nothing the ledger does not know"
    );
    assert_eq!(
        members(&reply.raw_body),
        ["detailData", "responseCode", "responseMessage"]
    );
}

#[tokio::test]
async fn the_body_danas_uat_suite_writes_passes_the_validators_and_the_sandbox() {
    let (sandbox, base, _handle) = dana_sandbox().await;
    let client = client(&base);
    let session = bound_customer(&sandbox, &client).await;
    let token = session.access_token().await.expect("token");
    let body = dana_uat_body(token.expose());

    let request = match rt::from_json::<history::Request>(body.clone()) {
        Ok(request) => request,
        Err(refused) => panic!("DANA's UAT body must pass the generated validators: {refused}"),
    };
    // The JSON the client sends is DANA's body, member for member (the strings stay strings).
    assert_eq!(serde_json::to_value(&request).expect("serializes"), body);
    let reply = client
        .widget_transaction_history_list(&request, &headers(&session).await)
        .await
        .expect("the sandbox takes DANA's body");
    assert_eq!(reply.code, history::Code::Successful);
}

#[tokio::test]
async fn the_builder_refuses_a_page_size_that_is_not_digits_and_a_date_without_its_time() {
    let refused = history::Request::builder()
        .from_date_time("2030-05-01")
        .page_size("ten")
        .page_number("1")
        .build()
        .expect_err("pageSize is digits and fromDateTime an instant");
    let mut paths: Vec<&str> = refused.violations().iter().map(|v| v.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["fromDateTime", "pageSize"], "{refused}");
}

#[tokio::test]
async fn a_refused_customer_token_reaches_the_caller_typed() {
    let (sandbox, base, _handle) = dana_sandbox().await;
    let client = client(&base);
    // A token bought with a code for nobody: the sandbox knows no customer to list the history of.
    let (_, anonymous) = sandbox.issue_auth_code(None).expect("auth code");
    let session = rt::customer::CustomerSession::start(client.runtime(), &widget_apply_token::ENDPOINT, &anonymous)
        .await
        .expect("customer token");
    let request = history::Request::builder()
        .page_size("10")
        .page_number("1")
        .build()
        .expect("valid");
    match client
        .widget_transaction_history_list(&request, &headers(&session).await)
        .await
    {
        Err(rt::Error::Api { status, code, .. }) => {
            assert_eq!((status, code.clone()), (401, history::Code::InvalidCustomerToken));
            assert_eq!(code.outcome(), rt::Outcome::Auth);
        }
        other => panic!("a token of nobody's is refused: {other:?}"),
    }
}
