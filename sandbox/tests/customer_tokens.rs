//! Customer (B2B2C) tokens over raw HTTP: a binding's answer carries an auth code, good once the customer approved
//! on the consent page (`world.rs` walks the world of customers itself), the B2B2C token endpoint takes it
//! once (`401xx00 Unauthorized. Auth Code Used` the second time, `Invalid Auth Code` for one it never issued), its
//! answer carries the token's expiry time and a refresh token that is good for one more grant, a customer token is
//! not a B2B token, and `POST /_sandbox/auth-codes` gives DANA's apply token the code DANA's OAuth page would.

mod common;

use common::*;
use serde_json::{Value, json};

const BINDING: &str = "doku.direct_debit.account_binding";
const B2B2C: &str = "doku.token.b2b2c";

/// A DOKU account binding of the sample's customer (registered first), answered and approved on its consent page:
/// its `additionalInfo.authCode`.
async fn bind(run: &Running) -> String {
    let phone = sample(run.api(), BINDING)["phoneNo"].clone();
    let customer = json!({"provider": "doku", "phoneNo": phone});
    let registered = run
        .send("POST", "/_sandbox/customers", &[], customer.to_string().into_bytes())
        .await;
    assert_eq!(registered.status, 200, "{}", registered.body);
    let reply = run.call(BINDING, &sample(run.api(), BINDING)).await;
    reply.expect("2000700", "Successful");
    let info = &reply.body["additionalInfo"];
    // Only what the answer declares comes back: the customer id, and the new code; not the request's channel.
    assert_eq!(
        info["custIdMerchant"],
        sample(run.api(), BINDING)["additionalInfo"]["custIdMerchant"]
    );
    assert_eq!(info.get("channel"), None, "{info}");
    let page = reply.body["redirectUrl"].as_str().expect("the consent page");
    let approved = run
        .send(
            "POST",
            page.trim_start_matches(&run.base),
            &form(),
            b"decision=approve".to_vec(),
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    info["authCode"].as_str().expect("an authCode").to_owned()
}

/// The headers of a form post.
fn form() -> Vec<(String, String)> {
    vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())]
}

/// Exchanges a grant at the B2B2C token endpoint, as DOKU's SDKs spell it.
async fn grant(run: &Running, body: Value) -> Reply {
    run.call(B2B2C, &body).await
}

#[tokio::test]
async fn a_binding_s_auth_code_buys_one_customer_token() {
    let run = start(|b| b).await;
    let code = bind(&run).await;
    let first = grant(&run, json!({"grantType": "authorization_code", "authCode": code})).await;
    first.expect("2007400", "Successful");
    assert_eq!(first.body["tokenType"], "Bearer");
    assert!(first.body["accessToken"].as_str().is_some_and(|t| t.len() == 64));
    let expiry = first.body["accessTokenExpiryTime"].as_str().expect("expiry time");
    assert!(snapbi_rules::is_snap_datetime(expiry), "{expiry}");
    // DOKU's answer has no expiresIn: its Python SDK refuses an answer with one.
    assert_eq!(first.body.get("expiresIn"), None);

    grant(&run, json!({"grantType": "AUTHORIZATION_CODE", "authCode": code}))
        .await
        .expect("4017400", "Unauthorized. Auth Code Used");
    grant(
        &run,
        json!({"grantType": "AUTHORIZATION_CODE", "authCode": "never-issued"}),
    )
    .await
    .expect("4017400", "Unauthorized. Invalid Auth Code");

    // A customer token is not a B2B token.
    let customer = first.body["accessToken"].as_str().unwrap_or_default();
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10.00")).unwrap_or_default();
    let headers = signed_headers(run.api(), run.endpoint(PAYMENT), &body, Some(customer), &now());
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4015401", "Invalid Token (B2B)");
}

#[tokio::test]
async fn a_refresh_token_is_good_for_one_more_grant() {
    let run = start(|b| b).await;
    let code = bind(&run).await;
    let first = grant(&run, json!({"grantType": "AUTHORIZATION_CODE", "authCode": code})).await;
    first.expect("2007400", "Successful");
    let refresh = first.body["refreshToken"].as_str().expect("a refresh token").to_owned();
    assert!(first.body["refreshTokenExpiryTime"].as_str().is_some());

    let renewed = grant(&run, json!({"grantType": "REFRESH_TOKEN", "refreshToken": refresh})).await;
    renewed.expect("2007400", "Successful");
    assert_ne!(renewed.body["accessToken"], first.body["accessToken"]);
    assert_ne!(renewed.body["refreshToken"], first.body["refreshToken"]);
    grant(&run, json!({"grantType": "REFRESH_TOKEN", "refreshToken": refresh}))
        .await
        .expect("4017400", "Unauthorized. Refresh Token Used");
    // An auth code is not a refresh token.
    let code = bind(&run).await;
    grant(&run, json!({"grantType": "REFRESH_TOKEN", "refreshToken": code}))
        .await
        .expect("4017400", "Unauthorized. Invalid Refresh Token");
}

#[tokio::test]
async fn the_admin_api_issues_the_auth_code_dana_s_oauth_page_would() {
    let run = start_provider("dana", |b| b).await;
    let issued = run.send("POST", "/_sandbox/auth-codes", &[], b"{}".to_vec()).await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.body["clientId"], snapbi_sandbox::DEMO_CLIENT_ID);
    assert_eq!(issued.body["expiresInSeconds"], 600);
    let code = issued.body["authCode"].as_str().expect("an authCode").to_owned();

    let apply = |code: &str| json!({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}});
    let token = run.call("dana.widget.apply_token", &apply(&code)).await;
    token.expect("2007400", "Successful");
    assert!(token.body["accessToken"].as_str().is_some());
    run.call("dana.widget.apply_token", &apply(&code))
        .await
        .expect("4017400", "Unauthorized. Auth Code Used");

    let unknown = run
        .send(
            "POST",
            "/_sandbox/auth-codes",
            &[],
            br#"{"clientId":"nobody"}"#.to_vec(),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

#[tokio::test]
async fn answers_echo_only_what_they_declare() {
    let run = start(|b| b).await;
    // DOKU's payment answer declares additionalInfo free-form: the request's is not echoed into it (DOKU's Python
    // SDK refuses a bound-account payment answer that has one).
    let reply = run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00")).await;
    reply.expect("2005400", "Successful");
    assert_eq!(reply.body.get("additionalInfo"), None, "{}", reply.body);
    assert!(reply.body["webRedirectUrl"].as_str().is_some());
}
