//! DANA's world over raw HTTP, driven by its specs and never by a forced scenario:
//!
//! - its OAuth page (`consent_page` of dana/provider.yaml) at `/v1.0/get-auth-code`: the browser picks the customer
//!   `seamlessData` names, approving redirects with `authCode` and `state`, apply token buys a token for that customer
//!   and the balance inquiry reads their wallet; rejecting redirects with the state and no code; an unknown partnerId
//!   or a missing redirectUrl is a 400 page;
//! - the pay page of a widget payment (`webRedirectUrl`): the customer apply OTT's token (or query user profile's OTT
//!   resource) stands for is picked, Pay
//!   debits their wallet, records them as the payer and notifies; a wallet holding too little or a frozen customer is
//!   refused on the page and the payment stays unpaid; Cancel and Let it expire close it and notify; Pay with nobody
//!   picked still pays;
//! - the transaction history list answers the bound customer's payments and refunds from the ledger, narrowed and
//!   paged as asked; an unknown token is `4011202`; the payer survives a restart on the state file.

mod common;

use common::*;
use serde_json::{Value, json};
use snapbi_sandbox::DEMO_CLIENT_ID;

const PHONE: &str = "6281100000021";
const OTHER: &str = "6281100000022";
const PAYMENT: &str = "dana.widget.payment";
const HISTORY: &str = "dana.widget.transaction_history_list";

/// Registers DANA customers with IDR balances (`None`: frozen, with a balance of 100000.00).
async fn register(run: &Running, customers: &[(&str, Option<&str>)]) {
    let list: Vec<Value> = customers
        .iter()
        .map(|(phone, balance)| {
            let status = if balance.is_some() { "active" } else { "frozen" };
            let value = balance.unwrap_or("100000.00");
            json!({ "provider": "dana", "phoneNo": phone, "status": status,
                    "balance": { "value": value, "currency": "IDR" } })
        })
        .collect();
    let reply = run
        .send(
            "POST",
            "/_sandbox/customers",
            &[],
            serde_json::to_vec(&list).unwrap_or_default(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn form() -> [(String, String); 1] {
    [(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )]
}

/// `POST path` with a form body: the status, the Location (never followed) and the page.
async fn post_form(run: &Running, path: &str, body: &str) -> (u16, Option<String>, String) {
    let reply = run.send("POST", path, &form(), body.as_bytes().to_vec()).await;
    let location = reply
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    (reply.status, location, String::from_utf8_lossy(&reply.raw).into_owned())
}

/// The OAuth URL as DANA's SDK builds it (`Util.generate_oauth_url`), for `phone` in `seamlessData` when given.
fn oauth_path(partner_id: &str, redirect: Option<&str>, phone: Option<&str>) -> String {
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let mut path = format!(
        "/v1.0/get-auth-code?partnerId={partner_id}&scopes=CASHIER,AGREEMENT_PAY,QUERY_BALANCE&externalId=e-1\
         &channelId=95221&timestamp={}&state=st-42&isSnapBI=true",
        enc("2030-05-01T10:00:00+07:00")
    );
    if let Some(redirect) = redirect {
        path.push_str(&format!("&redirectUrl={}", enc(redirect)));
    }
    if let Some(phone) = phone {
        path.push_str(&format!(
            "&seamlessData={}",
            enc(&json!({ "mobile": phone }).to_string())
        ));
    }
    path
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The customer token apply token buys with `code`.
async fn apply_token(run: &Running, code: &str) -> String {
    let apply = json!({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}});
    let reply = run.call("dana.widget.apply_token", &apply).await;
    reply.expect("2007400", "Successful");
    reply.body["accessToken"].as_str().unwrap_or_default().to_owned()
}

/// Binds `phone` on the OAuth page: its customer token.
async fn bound(run: &Running, phone: &str) -> String {
    let path = oauth_path(DEMO_CLIENT_ID, Some("https://merchant.example/back"), None);
    let (status, location, page) = post_form(run, &path, &format!("decision=approve&phoneNo={phone}")).await;
    assert_eq!(status, 303, "{page}");
    let code = location.and_then(|l| param(&l, "authCode")).unwrap_or_default();
    apply_token(run, &code).await
}

/// A widget payment of `amount` IDR: its pay page's path (the `webRedirectUrl` without the host).
async fn widget_payment(run: &Running, reference: &str, amount: &str) -> String {
    let mut body = sample(run.api(), PAYMENT);
    body["partnerReferenceNo"] = json!(reference);
    body["amount"] = json!({ "value": amount, "currency": "IDR" });
    let reply = run.call(PAYMENT, &body).await;
    reply.expect("2005400", "Successful");
    let url = reply.body["webRedirectUrl"].as_str().unwrap_or_default();
    url.trim_start_matches(&run.base).to_owned()
}

/// The one-time token apply OTT issues for the customer `token` stands for.
async fn ott(run: &Running, token: &str) -> String {
    let body = sample(run.api(), "dana.widget.apply_ott");
    let reply = run.with_customer("dana.widget.apply_ott", &body, token).await;
    reply.expect("2004900", "Successful");
    reply.body["userResources"][0]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The payment as the ledger shows it.
fn payment(run: &Running, reference: &str) -> Value {
    let ledger = serde_json::to_value(run.sandbox.ledger()).unwrap_or_default();
    let found = ledger.as_array().and_then(|all| {
        all.iter()
            .find(|p| p["partnerReferenceNo"] == json!(reference))
            .cloned()
    });
    found.unwrap_or(Value::Null)
}

async fn wallet(run: &Running, phone: &str) -> Value {
    let reply = run
        .send("GET", &format!("/_sandbox/customers/dana/{phone}"), &[], Vec::new())
        .await;
    reply.body["customer"]["balance"]["value"].clone()
}

#[tokio::test]
async fn dana_s_oauth_page_binds_the_customer_the_browser_approves() {
    let run = start_provider("dana", |b| b).await;
    register(&run, &[(PHONE, Some("75000.00")), (OTHER, Some("1.00"))]).await;
    let path = oauth_path(DEMO_CLIENT_ID, Some("https://merchant.example/back?x=1"), Some(OTHER));
    let (status, page) = run.get_text(&path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("<option value=\"{OTHER}\" selected")), "{page}");
    assert!(page.contains(&format!("<option value=\"{PHONE}\">")), "{page}");

    // The customer picks PHONE over the hint and approves: back to the merchant with the code and the state.
    let (status, location, page) = post_form(&run, &path, &format!("decision=approve&phoneNo={PHONE}")).await;
    assert_eq!(status, 303, "{page}");
    let location = location.unwrap_or_default();
    assert!(
        location.starts_with("https://merchant.example/back?x=1&authCode="),
        "{location}"
    );
    assert_eq!(param(&location, "state").as_deref(), Some("st-42"));
    let code = param(&location, "authCode").unwrap_or_default();
    let token = apply_token(&run, &code).await;
    let again = json!({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}});
    run.call("dana.widget.apply_token", &again)
        .await
        .expect("4017400", "Unauthorized. Auth Code Used");
    let inquiry = sample(run.api(), "dana.widget.balance_inquiry");
    let reply = run.with_customer("dana.widget.balance_inquiry", &inquiry, &token).await;
    reply.expect("2001100", "Successful");
    assert_eq!(
        reply.body["accountInfos"],
        json!([{ "amount": { "value": "75000.00", "currency": "IDR" } }])
    );

    // Rejecting sends the state back and no code.
    let (status, location, _) = post_form(&run, &path, "decision=reject").await;
    assert_eq!(status, 303);
    let location = location.unwrap_or_default();
    assert_eq!(location, "https://merchant.example/back?x=1&state=st-42");

    // What the page cannot serve is a page saying why.
    let unknown = oauth_path("nobody", Some("https://merchant.example/back"), None);
    let (status, page) = run.get_text(&unknown).await;
    assert_eq!(status, 400);
    assert!(page.contains("is no client of this sandbox"), "{page}");
    let (status, page) = run.get_text(&oauth_path(DEMO_CLIENT_ID, None, None)).await;
    assert_eq!(status, 400);
    assert!(page.contains("redirectUrl"), "{page}");
    let (status, _, page) = post_form(&run, &path, "decision=approve&phoneNo=620").await;
    assert_eq!(status, 400, "{page}");
}

#[tokio::test]
async fn the_pay_page_pays_from_the_wallet_of_the_customer_its_ott_names() {
    let (notify_url, inbox, _issuer, _server) = doku_merchant("/notify", "{}").await;
    let run = start_provider("dana", move |b| b.notify_url(notify_url)).await;
    register(&run, &[(PHONE, Some("50000.00")), (OTHER, None)]).await;
    let token = bound(&run, PHONE).await;
    let ott = ott(&run, &token).await;
    let page = widget_payment(&run, "WGT-PAGE-1", "20000.00").await;

    the_page_picks(&run, &page, &ott, PHONE).await;
    let (status, _, shown) = post_form(&run, &page, &format!("action=pay&payer={PHONE}")).await;
    assert_eq!(status, 303, "{shown}");
    assert_eq!(wallet(&run, PHONE).await, json!("30000.00"));
    let paid = payment(&run, "WGT-PAGE-1");
    assert_eq!(paid["latestTransactionStatus"], json!("00"));
    assert_eq!(paid["payer"], json!(PHONE));
    let (_, shown) = run.get_text(&page).await;
    assert!(
        shown.contains(&format!("<span id=\"paid-by\">{PHONE}</span>")),
        "{shown}"
    );
    wait_for(|| received(&inbox).len() == 1).await;

    // More than the wallet holds: refused on the page, nothing moves.
    let page = widget_payment(&run, "WGT-PAGE-2", "40000.00").await;
    let (status, _, shown) = post_form(&run, &page, &format!("action=pay&payer={PHONE}")).await;
    assert_eq!(status, 403, "{shown}");
    assert!(shown.contains("less than 40000.00 IDR"), "{shown}");
    assert_eq!(payment(&run, "WGT-PAGE-2")["latestTransactionStatus"], json!("01"));
    assert_eq!(wallet(&run, PHONE).await, json!("30000.00"));
    // A frozen customer: DANA's Do Not Honor, its code and message on the page.
    let (status, _, shown) = post_form(&run, &page, &format!("action=pay&payer={OTHER}")).await;
    assert_eq!(status, 403, "{shown}");
    assert!(shown.contains("<span id=\"code\">4035405</span>"), "{shown}");
    assert!(shown.contains("Do Not Honor"), "{shown}");
    assert_eq!(payment(&run, "WGT-PAGE-2")["payer"], Value::Null);
    assert_eq!(received(&inbox).len(), 1, "no notification for a refused payment");
}

#[tokio::test]
async fn cancel_and_expire_close_the_payment_and_pay_with_nobody_picked_still_pays() {
    let (notify_url, inbox, _issuer, _server) = doku_merchant("/notify", "{}").await;
    let run = start_provider("dana", move |b| b.notify_url(notify_url)).await;
    let cancelled = widget_payment(&run, "WGT-CANCEL", "1000.00").await;
    let expired = widget_payment(&run, "WGT-EXPIRE", "1000.00").await;
    let paid = widget_payment(&run, "WGT-ANYHOW", "1000.00").await;
    for (page, action) in [(&cancelled, "cancel"), (&expired, "expire")] {
        let (status, _, shown) = post_form(&run, page, &format!("action={action}")).await;
        assert_eq!(status, 303, "{action}: {shown}");
    }
    assert_eq!(payment(&run, "WGT-CANCEL")["latestTransactionStatus"], json!("05"));
    assert_eq!(payment(&run, "WGT-EXPIRE")["latestTransactionStatus"], json!("05"));
    let (status, _, shown) = post_form(&run, &expired, "action=pay").await;
    assert_eq!(status, 409, "a closed payment is not paid: {shown}");
    let (status, _, shown) = post_form(&run, &paid, "action=refund").await;
    assert_eq!(
        (status, shown.as_str()),
        (400, "unknown action \"refund\": pay, cancel or expire")
    );
    let (status, _, shown) = post_form(&run, &paid, "action=pay&payer=").await;
    assert_eq!(status, 303, "{shown}");
    let anyhow = payment(&run, "WGT-ANYHOW");
    assert_eq!(
        (anyhow["latestTransactionStatus"].clone(), anyhow["payer"].clone()),
        (json!("00"), Value::Null)
    );
    // Each change is the finish notify of the new state.
    wait_for(|| received(&inbox).len() == 3).await;
    let statuses: Vec<Value> = received(&inbox)
        .iter()
        .map(|(_, body)| serde_json::from_slice::<Value>(body).unwrap_or_default()["latestTransactionStatus"].clone())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == json!("05")).count(),
        2,
        "{statuses:?}"
    );
    assert!(statuses.contains(&json!("00")), "{statuses:?}");
}

/// A history query over 2000-2100 for `token`, with `extra` over the sample's additionalInfo.
async fn history(run: &Running, token: &str, page: (&str, &str), info: Value) -> Reply {
    let mut body = sample(run.api(), HISTORY);
    body["fromDateTime"] = json!("2000-01-01T00:00:00+07:00");
    body["toDateTime"] = json!("2100-01-01T00:00:00Z");
    body["pageSize"] = json!(page.0);
    body["pageNumber"] = json!(page.1);
    body["additionalInfo"] = info;
    run.with_customer(HISTORY, &body, token).await
}

#[tokio::test]
async fn the_history_lists_the_customer_s_payments_and_refunds_from_the_ledger() {
    let run = start_provider("dana", |b| b).await;
    register(&run, &[(PHONE, Some("50000.00")), (OTHER, Some("50000.00"))]).await;
    let token = bound(&run, PHONE).await;
    for (reference, payer) in [("WGT-H-1", PHONE), ("WGT-H-2", PHONE), ("WGT-H-OTHER", OTHER)] {
        let page = widget_payment(&run, reference, "10000.00").await;
        let (status, _, shown) = post_form(&run, &page, &format!("action=pay&payer={payer}")).await;
        assert_eq!(status, 303, "{shown}");
    }
    widget_payment(&run, "WGT-H-UNPAID", "10000.00").await;
    let mut refund = sample(run.api(), "dana.widget.refund_order");
    refund["originalPartnerReferenceNo"] = json!("WGT-H-1");
    refund.as_object_mut().map(|r| r.remove("originalReferenceNo"));
    refund["partnerRefundNo"] = json!("RF-H-1");
    refund["refundAmount"] = json!({ "value": "2500.00", "currency": "IDR" });
    run.call("dana.widget.refund_order", &refund)
        .await
        .expect("2005800", "Successful");
    assert_eq!(wallet(&run, PHONE).await, json!("32500.00"));

    let all = history(&run, &token, ("10", "1"), json!({})).await;
    all.expect("2001200", "Successful");
    let items = all.body["detailData"].as_array().cloned().unwrap_or_default();
    let mut kinds: Vec<String> = items
        .iter()
        .map(|i| format!("{} {} {}", i["type"], i["status"], i["amount"]["value"]))
        .collect();
    kinds.sort();
    // WGT-H-2 paid, WGT-H-1 refunded (04, which no name of DANA's filter stands for) and its refund; not the other
    // customer's payment, nor the unpaid one (nobody's wallet paid it).
    assert_eq!(
        kinds,
        [
            r#""PAYMENT" "SUCCESS" "10000.00""#,
            r#""PAYMENT" null "10000.00""#,
            r#""REFUND" null "2500.00""#,
        ],
        "{}",
        all.body
    );
    assert!(
        items
            .iter()
            .all(|i| i["dateTime"].as_str().is_some_and(|t| t.len() >= 25))
    );
    assert!(items.iter().all(|i| i.get("remark").is_none()), "nothing made up");

    let refunds = history(&run, &token, ("10", "1"), json!({ "types": ["REFUND"] })).await;
    assert_eq!(refunds.body["detailData"].as_array().map(Vec::len), Some(1));
    let succeeded = history(&run, &token, ("10", "1"), json!({ "statuses": ["SUCCESS"] })).await;
    assert_eq!(succeeded.body["detailData"].as_array().map(Vec::len), Some(1));
    let first = history(&run, &token, ("2", "1"), json!({})).await;
    let second = history(&run, &token, ("2", "2"), json!({})).await;
    assert_eq!(first.body["detailData"].as_array().map(Vec::len), Some(2));
    assert_eq!(second.body["detailData"].as_array().map(Vec::len), Some(1));
    assert!(
        !first.body["detailData"]
            .as_array()
            .is_some_and(|f| f.contains(&second.body["detailData"][0]))
    );
    let mut before = sample(run.api(), HISTORY);
    before["fromDateTime"] = json!("2000-01-01T00:00:00Z");
    before["toDateTime"] = json!("2001-01-01T00:00:00Z");
    let none = run.with_customer(HISTORY, &before, &token).await;
    none.expect("2001200", "Successful");
    assert_eq!(none.body["detailData"], json!([]));

    history(&run, "not-a-token-of-ours", ("10", "1"), json!({}))
        .await
        .expect("4011202", "Invalid Customer Token");
}

#[tokio::test]
async fn the_payer_of_a_page_payment_survives_a_restart() {
    let path = state_file("dana-world");
    let token = {
        let state = path.clone();
        let run = start_provider("dana", move |b| b.state(state)).await;
        register(&run, &[(PHONE, Some("50000.00"))]).await;
        let token = bound(&run, PHONE).await;
        let page = widget_payment(&run, "WGT-KEPT", "20000.00").await;
        let (status, _, shown) = post_form(&run, &page, &format!("action=pay&payer={PHONE}")).await;
        assert_eq!(status, 303, "{shown}");
        run.stop().await;
        token
    };
    let state = path.clone();
    let run = start_provider("dana", move |b| b.state(state)).await;
    assert_eq!(payment(&run, "WGT-KEPT")["payer"], json!(PHONE));
    let listed = history(&run, &token, ("10", "1"), json!({})).await;
    listed.expect("2001200", "Successful");
    assert_eq!(listed.body["detailData"][0]["amount"]["value"], json!("20000.00"));
    remove_state_file(&path);
}

/// The pay page opened with the one-time token `ott` appended, as DANA's SDK opens it, preselects `phone`'s customer.
async fn the_page_picks(run: &Running, page: &str, ott: &str, phone: &str) {
    let (status, shown) = run.get_text(&format!("{page}?ott={ott}")).await;
    assert_eq!(status, 200, "{shown}");
    assert!(
        shown.contains(&format!("<option value=\"{phone}\" selected")),
        "{shown}"
    );
}

/// Waits (at most 5 s) until `done` holds.
async fn wait_for(done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done(), "waited 5 s");
}

/// Query user profile answers the OTT resource when asked for, and only it: a token that picks its customer on the
/// pay page, as apply OTT's does; asked for the balance alone it answers no resource.
#[tokio::test]
async fn query_user_profile_s_ott_names_its_customer_on_the_pay_page() {
    use snapbi::dana::{self, widget_query_user_profile as profile};
    use snapbi::rt;
    let run = start_provider("dana", |b| b).await;
    register(&run, &[(PHONE, Some("50000.00")), (OTHER, None)]).await;
    let token = bound(&run, PHONE).await;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(&run.base)
        .client_secret(snapbi_sandbox::DEMO_CLIENT_SECRET)
        .private_key(private_key());
    let client = dana::Client::new(config).expect("client");
    let head: profile::Headers = rt::from_json(json!({ "accessToken": token })).expect("valid head");
    let ask = |resources: &[&str]| -> profile::Request {
        rt::from_json(json!({ "userResources": resources })).expect("valid request")
    };

    let reply = client
        .widget_query_user_profile(&ask(&["BALANCE", "OTT"]), &head)
        .await
        .expect("served");
    let answered: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    let items = answered["response"]["body"]["userResourceInfos"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 1, "only the OTT: {answered}");
    assert_eq!(items[0]["resourceType"], json!("OTT"));
    let ott = items[0]["value"].as_str().expect("a token").to_owned();
    assert!(!ott.is_empty());

    let page = widget_payment(&run, "WGT-PROFILE-OTT", "10000.00").await;
    the_page_picks(&run, &page, &ott, PHONE).await;

    let reply = client
        .widget_query_user_profile(&ask(&["BALANCE"]), &head)
        .await
        .expect("served");
    let answered: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert!(
        answered["response"]["body"]["userResourceInfos"].is_null(),
        "no balance is made up: {answered}"
    );
}
