//! The world of simulated customers through the generated DOKU client (`snapbi::doku::Client`) against the in-process
//! sandbox, as a merchant meets it: bind a registered customer, the customer approves on the consent page, the
//! runtime's `CustomerSession` buys the customer token, the balance is the wallet's, a payment above it comes back as
//! DOKU's typed `InsufficientFunds` (no scenario forced), one within it debits the wallet, a refund credits it back,
//! and after the unbinding the old token is refused with DOKU's typed `InvalidCustomerToken`.

use std::path::Path;

use serde_json::{Value, json};
use snapbi::doku::{self, direct_debit_balance_inquiry as balance, direct_debit_payment as payment};
use snapbi::rt;
use snapbi_sandbox::{
    Customer, CustomerStatus, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Money, Sandbox,
    SandboxHandle,
};

const PHONE: &str = "62813941306101";

async fn doku_sandbox() -> (Sandbox, String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("doku")
        .expect("doku")
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    (sandbox, base, handle)
}

fn client(base: &str) -> doku::Client {
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("key");
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key);
    doku::Client::new(config).expect("client")
}

fn idr(value: &str) -> Money {
    Money {
        value: value.into(),
        currency: "IDR".into(),
    }
}

/// The wallet's balance as the sandbox holds it now.
fn wallet(sandbox: &Sandbox) -> Option<String> {
    sandbox.customer("doku", PHONE).and_then(|c| c.balance).map(|b| b.value)
}

/// The customer approves on the consent page; the page's `303` is not followed (it is the merchant's URL).
async fn approve(page: &str) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let answer = http
        .post(page)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("decision=approve")
        .send()
        .await
        .expect("the consent page answers");
    assert_eq!(answer.status().as_u16(), 303);
}

/// A bound-account (BRI) payment of `amount` IDR, with the customer's `Authorization-Customer`.
async fn pay(
    client: &doku::Client,
    reference: &str,
    amount: &str,
    customer: &str,
) -> Result<payment::Code, payment::Code> {
    let request = rt::from_json::<payment::Request>(json!({
        "partnerReferenceNo": reference,
        "amount": { "value": amount, "currency": "IDR" },
        "additionalInfo": {
            "channel": "DIRECT_DEBIT_BRI_SNAP",
            "successPaymentUrl": "https://merchant.example/paid",
            "failedPaymentUrl": "https://merchant.example/failed"
        }
    }))
    .expect("valid payment");
    let headers = rt::from_json::<payment::Headers>(json!({ "Authorization-Customer": customer }));
    match client
        .direct_debit_payment(&request, &headers.expect("valid headers"))
        .await
    {
        Ok(settled) => Ok(settled.into_answered().expect("answered by the payment itself").code),
        Err(rt::Error::Api { code, .. }) => Err(code),
        Err(other) => panic!("payment: {other}"),
    }
}

/// The balance inquiry with the customer's token: the answered `accountInfos`, or the refusal's typed code.
async fn inquire(client: &doku::Client, customer: &str) -> Result<Value, balance::Code> {
    let request =
        rt::from_json::<balance::Request>(json!({ "additionalInfo": { "channel": "DIRECT_DEBIT_BRI_SNAP" } }));
    let headers = rt::from_json::<balance::Headers>(json!({ "Authorization-Customer": customer }));
    let answer = client
        .direct_debit_balance_inquiry(&request.expect("valid request"), &headers.expect("valid headers"))
        .await;
    match answer {
        Ok(reply) => {
            assert_eq!(reply.code, balance::Code::Successful);
            let body: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
            Ok(body["accountInfos"].clone())
        }
        Err(rt::Error::Api { code, .. }) => Err(code),
        Err(other) => panic!("balance inquiry: {other}"),
    }
}

#[tokio::test]
async fn a_merchant_binds_reads_debits_refunds_and_unbinds_a_customer_through_the_typed_client() {
    let (sandbox, base, _handle) = doku_sandbox().await;
    let customer = Customer {
        provider: "doku".into(),
        phone_no: PHONE.into(),
        balance: Some(idr("50000.00")),
        status: CustomerStatus::Active,
    };
    sandbox.add_customers(vec![customer]).expect("the customer");
    let client = client(&base);

    // Bind: the answer points at the consent page and carries the code, good once the customer approves.
    let binding = rt::from_json::<doku::direct_debit_account_binding::Request>(json!({
        "phoneNo": PHONE,
        "additionalInfo": {
            "channel": "DIRECT_DEBIT_BRI_SNAP",
            "custIdMerchant": "cust-001",
            "successRegistrationUrl": "https://merchant.example/bind/success",
            "failedRegistrationUrl": "https://merchant.example/bind/failed"
        }
    }))
    .expect("valid binding");
    let headers = rt::from_json::<doku::direct_debit_account_binding::Headers>(json!({}));
    let bound = client
        .direct_debit_account_binding(&binding, &headers.expect("valid headers"))
        .await
        .expect("bound");
    assert_eq!(bound.code, doku::direct_debit_account_binding::Code::Successful);
    let answer: Value = serde_json::from_slice(&bound.raw_body).expect("JSON");
    let code = answer["additionalInfo"]["authCode"]
        .as_str()
        .expect("an auth code")
        .to_owned();
    let runtime = client.runtime();
    let token_endpoint = &doku::token_b2b2c::ENDPOINT;
    let early = rt::customer::CustomerSession::start(runtime, token_endpoint, &code).await;
    assert!(early.is_err(), "the code buys nothing before the customer approves");
    approve(answer["redirectUrl"].as_str().expect("the consent page")).await;
    let session = rt::customer::CustomerSession::start(runtime, token_endpoint, &code)
        .await
        .expect("the customer token");
    let customer = session.authorization_customer().await.expect("header");

    let infos = inquire(&client, &customer).await.expect("the balance");
    assert_eq!(infos, json!([{ "amount": { "value": "50000.00", "currency": "IDR" } }]));

    let too_much = pay(&client, "INV-WORLD-1", "60000.00", &customer).await;
    assert_eq!(too_much, Err(payment::Code::InsufficientFunds));
    assert_eq!(wallet(&sandbox).as_deref(), Some("50000.00"));
    assert_eq!(
        pay(&client, "INV-WORLD-2", "20000.00", &customer).await,
        Ok(payment::Code::Successful)
    );
    assert_eq!(wallet(&sandbox).as_deref(), Some("30000.00"));

    let refund = rt::from_json::<doku::direct_debit_refund::Request>(json!({
        "originalPartnerReferenceNo": "INV-WORLD-2",
        "partnerRefundNo": "REF-WORLD-2",
        "refundAmount": { "value": "20000.00", "currency": "IDR" },
        "additionalInfo": { "channel": "DIRECT_DEBIT_BRI_SNAP" }
    }))
    .expect("valid refund");
    let refund_headers = rt::from_json::<doku::direct_debit_refund::Headers>(json!({ "X-DEVICE-ID": "95221" }));
    let refunded = client
        .direct_debit_refund(&refund, &refund_headers.expect("valid headers"))
        .await
        .expect("refunded");
    assert_eq!(
        refunded.into_answered().map(|r| r.code),
        Some(doku::direct_debit_refund::Code::Successful)
    );
    assert_eq!(wallet(&sandbox).as_deref(), Some("50000.00"));

    let bare = customer.trim_start_matches("Bearer ");
    let unbinding = rt::from_json::<doku::direct_debit_account_unbinding::Request>(json!({
        "tokenId": bare,
        "additionalInfo": { "channel": "DIRECT_DEBIT_BRI_SNAP" }
    }))
    .expect("valid unbinding");
    let headers = rt::from_json::<doku::direct_debit_account_unbinding::Headers>(json!({}));
    let unbound = client
        .direct_debit_account_unbinding(&unbinding, &headers.expect("valid headers"))
        .await
        .expect("unbound");
    assert_eq!(unbound.code, doku::direct_debit_account_unbinding::Code::Successful);
    assert_eq!(
        inquire(&client, &customer).await,
        Err(balance::Code::InvalidCustomerToken)
    );
    let after = pay(&client, "INV-WORLD-3", "1.00", &customer).await;
    assert_eq!(after, Err(payment::Code::InvalidCustomerToken));
}
