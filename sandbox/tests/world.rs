//! The world of simulated customers over raw HTTP, driven by DOKU's specs (`customer:` in its direct-debit endpoint
//! files) and never by a forced scenario: a registered customer binds through the consent page, the approved code
//! buys a customer token, the balance is the wallet's, a bound-account payment above it is refused with DOKU's
//! insufficient-funds code and one within it debits the wallet, a refund credits it back, an unbinding revokes the
//! token; a rejected consent gives no code, and a frozen or unknown customer is refused with the endpoint's own codes.
//! DANA's widget reads and unbinds the wallet of a customer bound on its OAuth page (the admin API's auth code).
//! With a state file, a wallet and its binding survive a restart.

mod common;

use common::*;
use serde_json::{Value, json};

const BINDING: &str = "doku.direct_debit.account_binding";
const CARD: &str = "doku.direct_debit.card_registration";
const B2B2C: &str = "doku.token.b2b2c";
const BALANCE: &str = "doku.direct_debit.balance_inquiry";
const UNBINDING: &str = "doku.direct_debit.account_unbinding";
const PHONE: &str = "62813941306101";

/// Registers DOKU customers through the admin API, as a tester would.
async fn register(run: &Running, customers: Value) -> Reply {
    let body = serde_json::to_vec(&customers).unwrap_or_default();
    run.send("POST", "/_sandbox/customers", &[], body).await
}

/// A DOKU customer with `phone`, `balance` (IDR, none when `None`) and `status`.
fn customer(phone: &str, balance: Option<&str>, status: &str) -> Value {
    let mut customer = json!({ "provider": "doku", "phoneNo": phone, "status": status });
    if let Some(value) = balance {
        customer["balance"] = json!({ "value": value, "currency": "IDR" });
    }
    customer
}

/// The wallet's balance as the admin API shows it.
async fn wallet(run: &Running, phone: &str) -> Value {
    let reply = run
        .send("GET", &format!("/_sandbox/customers/doku/{phone}"), &[], Vec::new())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["customer"]["balance"].clone()
}

/// A binding of `phone` at `endpoint` (account binding or card registration): the answer.
async fn bind_at(run: &Running, endpoint: &str, phone: &str) -> Reply {
    let mut body = sample(run.api(), endpoint);
    body["phoneNo"] = json!(phone);
    run.call(endpoint, &body).await
}

/// The customer's decision on the consent page: the status and where it sends the customer (never followed).
async fn decide(run: &Running, page: &str, decision: &str) -> (u16, Option<String>) {
    let form = [(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let path = page.trim_start_matches(&run.base);
    let reply = run
        .send("POST", path, &form, format!("decision={decision}").into_bytes())
        .await;
    let location = reply
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    (reply.status, location)
}

/// Exchanges an auth code at DOKU's B2B2C token endpoint.
async fn grant(run: &Running, code: &str) -> Reply {
    let body = json!({"grantType": "AUTHORIZATION_CODE", "authCode": code});
    run.call(B2B2C, &body).await
}

/// Binds `phone`, approves on the consent page and buys the customer token.
async fn bound_token(run: &Running, phone: &str) -> String {
    let bound = bind_at(run, BINDING, phone).await;
    bound.expect("2000700", "Successful");
    let page = bound.body["redirectUrl"].as_str().expect("a consent page");
    assert_eq!(decide(run, page, "approve").await.0, 303);
    let code = bound.body["additionalInfo"]["authCode"].as_str().expect("an authCode");
    let token = grant(run, code).await;
    token.expect("2007400", "Successful");
    token.body["accessToken"].as_str().expect("a customer token").to_owned()
}

/// A bound-account payment (BRI) of `amount` IDR.
fn bound_payment(run: &Running, reference: &str, amount: &str) -> Value {
    let mut body = run.payment_body(reference, amount);
    body["additionalInfo"]["channel"] = json!("DIRECT_DEBIT_BRI_SNAP");
    body["additionalInfo"]["successPaymentUrl"] = json!("https://merchant.example/paid");
    body["additionalInfo"]["failedPaymentUrl"] = json!("https://merchant.example/failed");
    body
}

async fn balance(run: &Running, token: &str) -> Reply {
    run.with_customer(BALANCE, &sample(run.api(), BALANCE), token).await
}

#[tokio::test]
async fn a_bound_wallet_pays_what_it_holds_gets_refunds_back_and_unbinding_revokes_the_token() {
    let run = start(|b| b).await;
    let registered = register(&run, customer(PHONE, Some("50000.00"), "active")).await;
    assert_eq!(registered.status, 200, "{}", registered.body);

    // Bind: the answer is the consent page, and its code buys nothing until the customer approves there.
    let bound = bind_at(&run, BINDING, PHONE).await;
    bound.expect("2000700", "Successful");
    let page = bound.body["redirectUrl"].as_str().expect("a consent page").to_owned();
    assert!(page.starts_with(&format!("{}/_sandbox/consent/", run.base)), "{page}");
    let code = bound.body["additionalInfo"]["authCode"]
        .as_str()
        .expect("an authCode")
        .to_owned();
    grant(&run, &code)
        .await
        .expect("4017400", "Unauthorized. Invalid Auth Code");
    let shown = run
        .http
        .get(&page)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(shown.contains(PHONE) && shown.contains("Approve"), "{shown}");
    // Approving sends the customer to the merchant's own success URL, as given: DOKU documents no parameters.
    let success_url = sample(run.api(), BINDING)["additionalInfo"]["successRegistrationUrl"].clone();
    assert_eq!(
        decide(&run, &page, "approve").await,
        (303, success_url.as_str().map(str::to_owned))
    );
    assert_eq!(decide(&run, &page, "reject").await.0, 409, "a consent is decided once");
    let token = grant(&run, &code).await;
    token.expect("2007400", "Successful");
    let token = token.body["accessToken"].as_str().expect("a customer token").to_owned();

    // The balance is the wallet's.
    let reply = balance(&run, &token).await;
    reply.expect("2001100", "Successful");
    assert_eq!(
        reply.body["accountInfos"],
        json!([{ "amount": { "value": "50000.00", "currency": "IDR" } }])
    );

    // More than the wallet holds: DOKU's insufficient-funds code, no scenario forced, nothing debited or recorded.
    let too_much = unique("INV");
    let reply = run
        .with_customer(PAYMENT, &bound_payment(&run, &too_much, "60000.00"), &token)
        .await;
    reply.expect("4035414", "Insufficient Funds");
    assert!(reply.reason().contains("50000.00"), "{}", reply.reason());
    assert!(run.sandbox.ledger().iter().all(|p| p.partner_reference_no != too_much));
    assert_eq!(wallet(&run, PHONE).await["value"], "50000.00");

    // Within it: paid at once from the wallet.
    let paid = unique("INV");
    let reply = run
        .with_customer(PAYMENT, &bound_payment(&run, &paid, "20000.00"), &token)
        .await;
    reply.expect("2005400", "Successful");
    assert_eq!(wallet(&run, PHONE).await["value"], "30000.00");
    let status = run.call(STATUS, &run.status_body(&paid)).await;
    status.expect("2005500", "Successful");
    assert_eq!(status.body["latestTransactionStatus"], "00");
    balance(&run, &token).await.expect("2001100", "Successful");

    // A refund goes back to the wallet it came from.
    let refund = run
        .call(REFUND, &run.refund_body(&paid, &unique("REF"), "20000.00"))
        .await;
    refund.expect("2005800", "Successful");
    assert_eq!(wallet(&run, PHONE).await["value"], "50000.00");
    let reply = balance(&run, &token).await;
    assert_eq!(reply.body["accountInfos"][0]["amount"]["value"], "50000.00");

    // Unbinding revokes the token: the balance, a payment and a second unbinding refuse it with DOKU's codes.
    let mut unbind = sample(run.api(), UNBINDING);
    unbind["tokenId"] = json!(token);
    run.call(UNBINDING, &unbind).await.expect("2000900", "Successful");
    let refused = balance(&run, &token).await;
    refused.expect("4011102", "Invalid Customer Token");
    assert!(refused.reason().contains("revoked"), "{}", refused.reason());
    let again = run
        .with_customer(PAYMENT, &bound_payment(&run, &unique("INV"), "1.00"), &token)
        .await;
    again.expect("4015402", "Invalid Customer Token");
    run.call(UNBINDING, &unbind)
        .await
        .expect("4010902", "Invalid Customer Token");
    assert_eq!(wallet(&run, PHONE).await["value"], "50000.00");
}

#[tokio::test]
async fn a_rejected_consent_gives_no_code_and_unknown_or_frozen_customers_are_refused() {
    let run = start(|b| b).await;
    let frozen = "6281100000002";
    let customers = json!([
        customer(PHONE, Some("10000.00"), "active"),
        customer(frozen, Some("10000.00"), "frozen")
    ]);
    assert_eq!(register(&run, customers).await.status, 200);

    // Rejecting sends the customer to the failure URL with nothing added, and the code is void.
    let bound = bind_at(&run, BINDING, PHONE).await;
    bound.expect("2000700", "Successful");
    let page = bound.body["redirectUrl"].as_str().unwrap_or_default();
    let failed_url = sample(run.api(), BINDING)["additionalInfo"]["failedRegistrationUrl"].clone();
    assert_eq!(
        decide(&run, page, "reject").await,
        (303, failed_url.as_str().map(str::to_owned))
    );
    let code = bound.body["additionalInfo"]["authCode"].as_str().unwrap_or_default();
    grant(&run, code)
        .await
        .expect("4017400", "Unauthorized. Invalid Auth Code");

    // No customer has the number: DOKU's code for it; a frozen one: DOKU's inactive-customer code.
    let unknown = bind_at(&run, BINDING, "6289999999999").await;
    unknown.expect("4040711", "Invalid Card/Account/Customer phoneNo/Virtual Account");
    bind_at(&run, BINDING, frozen)
        .await
        .expect("4030718", "Inactive Card/Account/Customer");
    // A card registration binds the same way; DOKU names no frozen code for it, but an unknown number is refused.
    let card = bind_at(&run, CARD, "6289999999999").await;
    card.expect("4040111", "Invalid Card/Account/Customer phoneNo/Virtual Account");

    // A customer frozen after binding: the balance and a payment refuse with each endpoint's own code.
    let token = bound_token(&run, PHONE).await;
    assert_eq!(
        register(&run, customer(PHONE, Some("10000.00"), "frozen")).await.status,
        200
    );
    balance(&run, &token)
        .await
        .expect("4031118", "Inactive Card/Account/Customer");
    let reply = run
        .with_customer(PAYMENT, &bound_payment(&run, &unique("INV"), "1.00"), &token)
        .await;
    reply.expect("4035405", "Do Not Honor");
    assert_eq!(wallet(&run, PHONE).await["value"], "10000.00");
}

#[tokio::test]
async fn nothing_is_made_up_for_a_wallet_without_a_balance_or_a_token_without_a_customer() {
    let run = start(|b| b).await;
    assert_eq!(register(&run, customer(PHONE, None, "active")).await.status, 200);
    let token = bound_token(&run, PHONE).await;
    let reply = balance(&run, &token).await;
    reply.expect("5001100", "General Error");
    assert!(reply.reason().contains("has no balance"), "{}", reply.reason());
    let payment = run
        .with_customer(PAYMENT, &bound_payment(&run, &unique("INV"), "1.00"), &token)
        .await;
    payment.expect("5005400", "General Error");

    // A bound-account payment needs the customer token; the B2B token is not one; a jump-app payment needs none.
    let bare = bound_payment(&run, &unique("INV"), "1.00");
    let b2b = run.token().await;
    run.with_customer(PAYMENT, &bare, &b2b)
        .await
        .expect("4015402", "Invalid Customer Token");
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "1.00"))
        .await
        .expect("2005400", "Successful");

    // The admin API refuses what it cannot keep, and says which provider has no customers.
    let bad = register(
        &run,
        json!({"provider": "doku", "phoneNo": PHONE, "balance": {"value": "ten", "currency": "IDR"}}),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let nowhere = register(&run, json!({"provider": "wooshpay", "phoneNo": PHONE})).await;
    assert_eq!(nowhere.status, 400, "{}", nowhere.body);
    assert!(
        nowhere.body["error"].as_str().unwrap_or_default().contains("wooshpay"),
        "{}",
        nowhere.body
    );
    let missing = run
        .send("GET", "/_sandbox/customers/doku/620000", &[], Vec::new())
        .await;
    assert_eq!(missing.status, 404);
    let all = run.send("GET", "/_sandbox/customers", &[], Vec::new()).await;
    assert_eq!(all.body["customers"].as_array().map(Vec::len), Some(1), "{}", all.body);
}

#[tokio::test]
async fn dana_s_widget_reads_and_unbinds_the_wallet_of_the_customer_its_oauth_page_bound() {
    let run = start_provider("dana", |b| b).await;
    let phone = "6281100000009";
    let dana = json!({ "provider": "dana", "phoneNo": phone, "balance": { "value": "75000.00", "currency": "IDR" } });
    assert_eq!(register(&run, dana).await.status, 200);
    // DANA's OAuth page is no API call: the admin API hands the code it would, for the customer who approved there.
    let issued = run
        .send(
            "POST",
            "/_sandbox/auth-codes",
            &[],
            json!({"provider": "dana", "phoneNo": phone}).to_string().into_bytes(),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let code = issued.body["authCode"].as_str().unwrap_or_default();
    let apply = json!({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}});
    let token = run.call("dana.widget.apply_token", &apply).await;
    token.expect("2007400", "Successful");
    let token = token.body["accessToken"].as_str().unwrap_or_default().to_owned();

    let inquiry = sample(run.api(), "dana.widget.balance_inquiry");
    let reply = run.with_customer("dana.widget.balance_inquiry", &inquiry, &token).await;
    reply.expect("2001100", "Successful");
    assert_eq!(
        reply.body["accountInfos"],
        json!([{ "amount": { "value": "75000.00", "currency": "IDR" } }])
    );

    let unbind = sample(run.api(), "dana.widget.account_unbinding");
    run.with_customer("dana.widget.account_unbinding", &unbind, &token)
        .await
        .expect("2000900", "Successful");
    run.with_customer("dana.widget.balance_inquiry", &inquiry, &token)
        .await
        .expect("4011102", "Invalid Customer Token");
    // A code for nobody registered is refused by the admin API; one for no customer buys a token the wallet refuses.
    let nobody = json!({"provider": "dana", "phoneNo": "620"}).to_string().into_bytes();
    assert_eq!(run.send("POST", "/_sandbox/auth-codes", &[], nobody).await.status, 404);
    let anonymous = run.sandbox.issue_auth_code(None).map(|(_, c)| c).unwrap_or_default();
    let apply = json!({"grantType": "AUTHORIZATION_CODE", "authCode": anonymous, "additionalInfo": {}});
    let token = run.call("dana.widget.apply_token", &apply).await.body["accessToken"].clone();
    let refused = run
        .with_customer(
            "dana.widget.balance_inquiry",
            &inquiry,
            token.as_str().unwrap_or_default(),
        )
        .await;
    refused.expect("4011102", "Invalid Customer Token");
    assert!(
        refused.reason().contains("no simulated customer"),
        "{}",
        refused.reason()
    );
}

/// With a state file (`--state`), the world outlives the sandbox: a wallet a payment debited is read back as it was
/// left, and the customer token its binding bought still stands for that customer.
#[tokio::test]
async fn a_wallet_and_its_binding_survive_a_restart_on_the_state_file() {
    let path = state_file("world");
    let token = {
        let state = path.clone();
        let run = start(move |b| b.state(state)).await;
        let registered = register(&run, customer(PHONE, Some("50000.00"), "active")).await;
        assert_eq!(registered.status, 200, "{}", registered.body);
        let token = bound_token(&run, PHONE).await;
        let paid = unique("INV");
        let reply = run
            .with_customer(PAYMENT, &bound_payment(&run, &paid, "20000.00"), &token)
            .await;
        reply.expect("2005400", "Successful");
        run.stop().await;
        token
    };
    let state = path.clone();
    let run = start(move |b| b.state(state)).await;
    assert_eq!(
        wallet(&run, PHONE).await,
        json!({"value": "30000.00", "currency": "IDR"})
    );
    let reply = balance(&run, &token).await;
    reply.expect("2001100", "Successful");
    assert_eq!(
        reply.body["accountInfos"],
        json!([{ "amount": { "value": "30000.00", "currency": "IDR" } }])
    );
    remove_state_file(&path);
}
