//! The request journal and its dashboard, over loopback: calls served and refused are recorded with their codes
//! and the check that refused them; a signature made with a wrong secret shows, on its page, the string to sign,
//! its SHA-256 and the expected HMAC as `openssl` computes them on its own; no secret, bearer or customer token or
//! one-time code is ever shown;
//! the journal keeps at most its capacity; what a call sent is HTML-escaped.

mod common;

use common::openssl::{openssl_hmac_sha512, openssl_sha256_hex};
use common::{PAYMENT, Running, remove_header, set_header, start, unique};
use serde_json::Value;
use snapbi::rt;
use snapbi_sandbox::DEMO_CLIENT_SECRET as SECRET;

async fn get(run: &Running, path: &str) -> (u16, String) {
    run.get_text(path).await
}

async fn journal(run: &Running) -> Vec<Value> {
    let (status, text) = get(run, "/_sandbox/journal").await;
    assert_eq!(status, 200);
    let json: Value = serde_json::from_str(&text).expect("JSON");
    json["entries"].as_array().cloned().expect("entries")
}

#[tokio::test]
async fn served_and_refused_calls_are_recorded_newest_first() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).expect("json");
    let headers = run.headers_for(PAYMENT, &body).await;
    run.send_to(PAYMENT, &headers, body.clone())
        .await
        .expect("2005400", "Successful");
    let mut missing = headers.clone();
    remove_header(&mut missing, "X-TIMESTAMP");
    run.send_to(PAYMENT, &missing, body).await;

    let entries = journal(&run).await;
    // The token call, the payment, the refusal; admin calls (this very GET) are not journaled.
    assert_eq!(entries.len(), 3, "{entries:#?}");
    let (refused, served, token) = (&entries[0], &entries[1], &entries[2]);
    assert_eq!(token["code"], "2007300");
    assert_eq!(served["code"], "2005400");
    assert_eq!(served["verdict"], "served");
    assert_eq!(served["status"], 200);
    assert_eq!(served["endpoint"], PAYMENT);
    assert_eq!(served["client"], snapbi_sandbox::DEMO_CLIENT_ID);
    assert!(served["refusedBy"].is_null());
    assert_eq!(refused["code"], "4005402");
    assert_eq!(refused["verdict"], "refused");
    assert_eq!(refused["refusedBy"], "mandatory_headers");
    assert!(refused["reason"].as_str().unwrap_or_default().contains("X-TIMESTAMP"));
    let steps = refused["checks"].as_array().expect("checks");
    let outcome = |check: &str| steps.iter().find(|s| s["check"] == check).map(|s| s["outcome"].clone());
    assert_eq!(outcome("scenario"), Some("passed".into()));
    assert_eq!(outcome("mandatory_headers"), Some("refused".into()));
    assert_eq!(outcome("signature"), Some("not_reached".into()));
    assert!(refused["body"].is_null(), "refused before its body was read");
    assert!(entries[0]["n"].as_u64() > entries[1]["n"].as_u64());

    let (status, page) = get(&run, "/_sandbox/ui").await;
    assert_eq!(status, 200);
    assert!(page.contains("http-equiv=\"refresh\""), "the list is live");
    assert!(page.contains("4005402") && page.contains("2005400"));
    let (status, _) = get(&run, "/_sandbox/ui/calls/999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_wrong_secret_shows_the_expected_string_hash_and_signature() {
    let run = start(|b| b).await;
    let endpoint = run.endpoint(PAYMENT).clone();
    let sent = run.send_wrongly_signed_payment().await;
    let string_to_sign = sent.expected_string_to_sign(&endpoint);
    let expected_hash = openssl_sha256_hex(string_to_sign.as_bytes());
    let expected_signature = openssl_hmac_sha512(SECRET, &string_to_sign);
    let shown = string_to_sign.replace(&sent.token, "‹B2B token›");

    let entries = journal(&run).await;
    let refused = &entries[0];
    assert_eq!(refused["refusedBy"], "signature");
    let diagnosis = &refused["signature"];
    assert_eq!(diagnosis["stringToSign"], shown.as_str());
    assert_eq!(diagnosis["stringToSignSha256"], expected_hash.as_str());
    assert_eq!(diagnosis["expected"], expected_signature.as_str());
    assert_eq!(diagnosis["received"][0], sent.signature.as_str());

    let n = refused["n"].as_u64().expect("n");
    let (status, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("<pre id=\"string-to-sign\">{shown}</pre>")),
        "{page}"
    );
    assert!(page.contains(&format!("<code id=\"string-to-sign-sha256\">{expected_hash}</code>")));
    assert!(page.contains(&format!("<code id=\"expected-signature\">{expected_signature}</code>")));
    assert!(page.contains(&format!("<code class=\"received\">{}</code>", sent.signature)));
    assert!(page.contains("signature: REFUSED"));

    let (_, json) = get(&run, "/_sandbox/journal").await;
    let (_, list) = get(&run, "/_sandbox/ui").await;
    for shown in [&json, &page, &list] {
        assert!(!shown.contains(SECRET), "the client secret is never shown");
        assert!(!shown.contains(&sent.token), "the bearer token is never shown");
    }
    assert!(json.contains("Bearer ‹redacted›"));
}

#[tokio::test]
async fn a_secret_sent_anywhere_is_cut_out() {
    let run = start(|b| b).await;
    let body = format!(r#"{{"leak":"{SECRET}"}}"#).into_bytes();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    set_header(&mut headers, "X-Debug", SECRET);
    run.send_to(PAYMENT, &headers, body).await;
    let (_, json) = get(&run, "/_sandbox/journal").await;
    assert!(!json.contains(SECRET), "{json}");
    let n = journal(&run).await[0]["n"].as_u64().expect("n");
    let (_, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
    assert!(!page.contains(SECRET));
}

/// Customer tokens and one-time codes are credentials too: the `Authorization-Customer` header, the standard's
/// credential members (`authCode`, `accessToken`, …) in a body, on a routed call and on one no endpoint serves.
#[tokio::test]
async fn tokens_in_headers_and_bodies_are_redacted() {
    const CODE: &str = "auth-code-4f1c9a";
    const TOKEN: &str = "customer-token-77e0b2";
    let run = start(|b| b).await;
    let body = format!(r#"{{"authCode":"{CODE}","additionalInfo":{{"accessToken":"{TOKEN}"}}}}"#).into_bytes();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    set_header(&mut headers, "Authorization-Customer", &format!("Bearer {TOKEN}"));
    run.send_to(PAYMENT, &headers, body.clone()).await;
    run.send("POST", "/nowhere", &headers, body).await;

    let entries = journal(&run).await;
    let (_, json) = get(&run, "/_sandbox/journal").await;
    assert!(!json.contains(CODE) && !json.contains(TOKEN), "{json}");
    let routed = &entries[1];
    let kept = routed["body"].as_str().expect("the body is kept");
    let kept: Value = serde_json::from_str(kept).expect("still JSON");
    assert_eq!(kept["authCode"], "<redacted>", "{kept}");
    assert_eq!(kept["additionalInfo"]["accessToken"], "<redacted>", "{kept}");
    let customer = routed["headers"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h[0] == "authorization-customer"))
        .map(|h| h[1].clone());
    assert_eq!(customer, Some("Bearer ‹redacted›".into()));
    for entry in &entries[..2] {
        let n = entry["n"].as_u64().expect("n");
        let (_, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
        assert!(!page.contains(CODE) && !page.contains(TOKEN), "{page}");
    }
}

#[tokio::test]
async fn the_journal_keeps_at_most_its_capacity() {
    let run = start(|b| b.capacity(3)).await;
    for i in 0..5 {
        run.send("GET", &format!("/nowhere/{i}"), &[], Vec::new()).await;
    }
    let entries = journal(&run).await;
    let paths: Vec<&str> = entries.iter().filter_map(|e| e["path"].as_str()).collect();
    assert_eq!(paths, ["/nowhere/4", "/nowhere/3", "/nowhere/2"]);
    assert_eq!(entries[0]["code"], "4040002");
    assert_eq!(entries[0]["refusedBy"], "route");
    let (status, _) = get(&run, "/_sandbox/journal/1").await;
    assert_eq!(status, 404, "forgotten");
}

#[tokio::test]
async fn what_a_call_sent_is_escaped_and_odd_bytes_do_no_harm() {
    let run = start(|b| b).await;
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body["additionalInfo"] = serde_json::json!({ "note": "<script>alert(1)</script>" });
    run.call(PAYMENT, &body).await;
    let odd = vec![0xff, 0xfe, b'<', 0x00];
    let mut headers = run.headers_for(PAYMENT, &odd).await;
    // The runtime does not sign what is not JSON; any signature gets the call to the body's check.
    set_header(&mut headers, "X-SIGNATURE", "c2lnbmF0dXJl");
    run.send_to(PAYMENT, &headers, odd).await;

    let entries = journal(&run).await;
    let (odd, scripted) = (&entries[0], &entries[1]);
    assert_eq!(odd["refusedBy"], "body_json");
    assert_eq!(odd["body"], "\u{FFFD}\u{FFFD}<\u{0}");
    for entry in [scripted, odd] {
        let n = entry["n"].as_u64().expect("n");
        let (status, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
        assert_eq!(status, 200);
        assert!(!page.contains("<script>"), "{page}");
    }
    let n = scripted["n"].as_u64().expect("n");
    let (_, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// A call in DANA's Open API envelope is journaled with the envelope's steps in its order, and refused by the
/// step that refused it although every envelope answer is HTTP 200; its body is kept with the customer's
/// `accessToken` and the client secret in the signed head redacted.
#[tokio::test]
async fn an_enveloped_call_shows_the_envelopes_checks() {
    use snapbi::dana::{self, widget_query_user_profile as profile};
    let run = common::start_provider("dana", |b| b).await;
    run.register_customers();
    let token = run.customer_token("dana").await.expect("a bound customer's token");
    let config = |key| {
        rt::Config::new(snapbi_sandbox::DEMO_CLIENT_ID)
            .base_url(&run.base)
            .client_secret(SECRET)
            .private_key(key)
    };
    let request: profile::Request = rt::from_json(serde_json::json!({ "userResources": ["OTT"] })).expect("valid");
    let head: profile::Headers = rt::from_json(serde_json::json!({ "accessToken": token })).expect("valid");
    let client = dana::Client::new(config(common::private_key())).expect("client");
    client.widget_query_user_profile(&request, &head).await.expect("served");
    // Signed with a real key that is not this client's.
    let stranger = rt::keys::PrivateKey::from_pem(snapbi_sandbox::DEMO_PROVIDER_PRIVATE_KEY_PEM).expect("key");
    let forged = dana::Client::new(config(stranger)).expect("client");
    assert!(forged.widget_query_user_profile(&request, &head).await.is_err());

    let entries = journal(&run).await;
    let (refused, served) = (&entries[0], &entries[1]);
    let steps = |entry: &Value| -> Vec<(String, String)> {
        let steps = entry["checks"].as_array().cloned().unwrap_or_default();
        steps
            .iter()
            .map(|s| {
                (
                    s["check"].as_str().unwrap_or_default().to_owned(),
                    s["outcome"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let names: Vec<String> = steps(served).into_iter().map(|(check, _)| check).collect();
    assert_eq!(
        names,
        [
            "route",
            "body_size",
            "envelope",
            "envelope_head",
            "client",
            "signature",
            "caller_head",
            "field_rules",
            "scenario",
            "operation"
        ]
    );
    assert!(steps(served).iter().all(|(_, outcome)| outcome == "passed"));
    assert_eq!(
        (served["verdict"].clone(), served["code"].clone()),
        ("served".into(), "SUCCESS".into())
    );
    assert_eq!(served["client"], snapbi_sandbox::DEMO_CLIENT_ID);

    assert_eq!(refused["status"], 200, "an envelope answers every call with 200");
    assert_eq!(refused["verdict"], "refused");
    assert_eq!(refused["code"], "INVALID_SIGNATURE");
    assert_eq!(refused["refusedBy"], "signature");
    let outcome = |check: &str| steps(refused).into_iter().find(|(c, _)| c == check).map(|(_, o)| o);
    assert_eq!(outcome("client").as_deref(), Some("passed"));
    assert_eq!(outcome("signature").as_deref(), Some("refused"));
    assert_eq!(outcome("field_rules").as_deref(), Some("not_reached"));

    let (_, json) = get(&run, "/_sandbox/journal").await;
    assert!(!json.contains(&token) && !json.contains(SECRET), "{json}");
    let body = served["body"].as_str().expect("the body is kept");
    assert!(body.contains("\"accessToken\":\"<redacted>\""), "{body}");
    let n = refused["n"].as_u64().expect("n");
    let (_, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
    assert!(page.contains("envelope head") && !page.contains(&token), "{page}");
}
