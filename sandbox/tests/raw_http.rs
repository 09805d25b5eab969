//! Every rejection, over raw HTTP: headers built and signed here with the runtime's signing functions
//! (no generated client), each answer checked for its exact code, message and HTTP status.

mod common;

use common::*;
use serde_json::{Value, json};
use snapbi_spec::ir::HeaderSource;
use std::time::Duration;

/// A DANA payment with one header removed: `400xx02 Invalid Mandatory Field <header>`.
async fn without_header(header: &str) -> Reply {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    remove_header(&mut headers, header);
    run.send_to(PAYMENT, &headers, body).await
}

macro_rules! missing_header_tests {
    ($($test:ident: $header:literal => $code:literal $message:literal;)*) => {$(
        #[tokio::test]
        async fn $test() {
            without_header($header).await.expect($code, $message);
        }
    )*};
}

missing_header_tests! {
    missing_x_timestamp: "X-TIMESTAMP" => "4005402" "Invalid Mandatory Field X-TIMESTAMP";
    missing_x_signature: "X-SIGNATURE" => "4005402" "Invalid Mandatory Field X-SIGNATURE";
    missing_x_partner_id: "X-PARTNER-ID" => "4005402" "Invalid Mandatory Field X-PARTNER-ID";
    missing_x_external_id: "X-EXTERNAL-ID" => "4005402" "Invalid Mandatory Field X-EXTERNAL-ID";
    missing_channel_id: "CHANNEL-ID" => "4005402" "Invalid Mandatory Field CHANNEL-ID";
    missing_authorization: "Authorization" => "4015403" "Token Not Found (B2B)";
}

/// A caller header the spec requires: X-DEVICE-ID of a refund (a payment's is optional, since DOKU's Python SDK
/// sends none on a bound-account payment).
#[tokio::test]
async fn missing_x_device_id() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.refund_body(&unique("INV"), &unique("RF"), "1.00")).unwrap_or_default();
    let mut headers = run.headers_for(REFUND, &body).await;
    remove_header(&mut headers, "X-DEVICE-ID");
    run.send_to(REFUND, &headers, body)
        .await
        .expect("4005802", "Invalid Mandatory Field X-DEVICE-ID");
}

/// A token request with one header removed.
async fn token_without(header: &str) -> Reply {
    let run = start(|b| b).await;
    let endpoint = run.endpoint(TOKEN);
    let body = br#"{"grantType":"client_credentials"}"#.to_vec();
    let mut headers = signed_headers(run.api(), endpoint, &body, None, &now());
    remove_header(&mut headers, header);
    run.send_to(TOKEN, &headers, body).await
}

#[tokio::test]
async fn token_request_missing_x_client_key() {
    token_without("X-CLIENT-KEY")
        .await
        .expect("4007302", "Invalid Mandatory Field X-CLIENT-KEY");
}

#[tokio::test]
async fn token_request_missing_x_timestamp() {
    token_without("X-TIMESTAMP")
        .await
        .expect("4007302", "Invalid Mandatory Field X-TIMESTAMP");
}

#[tokio::test]
async fn token_request_missing_x_signature() {
    token_without("X-SIGNATURE")
        .await
        .expect("4007302", "Invalid Mandatory Field X-SIGNATURE");
}

/// Every header of every served endpoint, driven by the IR: a new endpoint or header is covered here.
#[tokio::test]
async fn every_mandatory_header_of_every_endpoint() {
    let run = start(|b| b).await;
    let ids: Vec<String> = run.sandbox.endpoints().map(str::to_owned).collect();
    for id in ids {
        let endpoint = run.endpoint(&id).clone();
        let provider = run.api().provider(&endpoint.info.provider).cloned().expect("provider");
        let body = serde_json::to_vec(&sample(run.api(), &id)).unwrap_or_default();
        let service = &endpoint.refusal_service_code;
        let runtime = provider
            .headers_for(endpoint.info.auth)
            .iter()
            .map(|(n, s)| (n.clone(), s.clone()));
        let caller = endpoint
            .headers
            .iter()
            .filter(|f| f.required)
            .map(|f| (f.wire.clone(), HeaderSource::Value("".into())));
        for (name, source) in runtime.chain(caller) {
            let mut headers = run.headers_for(&id, &body).await;
            remove_header(&mut headers, &name);
            let reply = run.send_to(&id, &headers, body.clone()).await;
            match source {
                HeaderSource::BearerToken => reply.expect(&format!("401{service}03"), "Token Not Found (B2B)"),
                _ => reply.expect(&format!("400{service}02"), &format!("Invalid Mandatory Field {name}")),
            }
        }
    }
}

#[tokio::test]
async fn bad_timestamp_format() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    set_header(&mut headers, "X-TIMESTAMP", "2024-07-10 11:57:58");
    let reply = run.send_to(PAYMENT, &headers, body).await;
    reply.expect("4005401", "Invalid Field Format X-TIMESTAMP");
    assert!(reply.reason().contains("X-TIMESTAMP"), "{}", reply.reason());
}

#[tokio::test]
async fn skewed_timestamp() {
    let run = start(|b| b.timestamp_window(Duration::from_secs(60))).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let endpoint = run.endpoint(PAYMENT);
    let token = run.token().await;
    // Signed correctly, but an hour in the past.
    let old = snapbi::rt::timestamp::SnapTimestamp::at(time::OffsetDateTime::now_utc() - time::Duration::HOUR);
    let headers = signed_headers(run.api(), endpoint, &body, Some(&token), old.as_str());
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4015400", "Unauthorized. Invalid Timestamp");
}

#[tokio::test]
async fn wrong_signature() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    // Signed over a different body than the one sent.
    let other = run.headers_for(PAYMENT, b"{}").await;
    let signature = other.iter().find(|(n, _)| n == "X-SIGNATURE").map(|(_, v)| v.clone());
    set_header(&mut headers, "X-SIGNATURE", &signature.unwrap_or_default());
    run.send_to(PAYMENT, &headers, body.clone())
        .await
        .expect("4015400", "Unauthorized. Invalid Signature");
    set_header(&mut headers, "X-SIGNATURE", "not base64 at all");
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4015400", "Unauthorized. Invalid Signature");
}

#[tokio::test]
async fn signature_is_over_the_raw_body_minified() {
    let run = start(|b| b).await;
    let compact = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let value: Value = serde_json::from_slice(&compact).unwrap_or_default();
    let pretty = serde_json::to_vec_pretty(&value).unwrap_or_default();
    // The runtime signs the minified form; the sandbox must hash the pretty bytes it received the same way.
    let headers = run.headers_for(PAYMENT, &pretty).await;
    run.send_to(PAYMENT, &headers, pretty)
        .await
        .expect("2005400", "Successful");
}

#[tokio::test]
async fn token_request_with_wrong_signature() {
    let run = start(|b| b).await;
    let endpoint = run.endpoint(TOKEN);
    let body = br#"{"grantType":"client_credentials"}"#.to_vec();
    let mut headers = signed_headers(run.api(), endpoint, &body, None, &now());
    // Signed for another timestamp.
    let other = signed_headers(run.api(), endpoint, &body, None, "2020-01-01T00:00:00+07:00");
    let signature = other.iter().find(|(n, _)| n == "X-SIGNATURE").map(|(_, v)| v.clone());
    set_header(&mut headers, "X-SIGNATURE", &signature.unwrap_or_default());
    run.send_to(TOKEN, &headers, body)
        .await
        .expect("4017300", "Unauthorized. Invalid Signature");
}

#[tokio::test]
async fn unknown_client() {
    let run = start(|b| b).await;
    let body = br#"{"grantType":"client_credentials"}"#.to_vec();
    let mut headers = signed_headers(run.api(), run.endpoint(TOKEN), &body, None, &now());
    set_header(&mut headers, "X-CLIENT-KEY", "BRN-9999-NOBODY");
    run.send_to(TOKEN, &headers, body)
        .await
        .expect("4017300", "Unauthorized. Unknown Client");
}

#[tokio::test]
async fn token_grant_and_expiry() {
    let run = start(|b| b.token_lifetime(Duration::from_millis(300))).await;
    let token = run.fresh_token().await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let endpoint = run.endpoint(PAYMENT);
    let headers = signed_headers(run.api(), endpoint, &body, Some(&token), &now());
    run.send_to(PAYMENT, &headers, body.clone())
        .await
        .expect("2005400", "Successful");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let headers = signed_headers(run.api(), endpoint, &body, Some(&token), &now());
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4015401", "Invalid Token (B2B)");
}

#[tokio::test]
async fn token_answer_has_the_shape_dokus_sdks_parse() {
    let run = start(|b| b).await;
    let endpoint = run.endpoint(TOKEN);
    let body = br#"{"grantType":"client_credentials"}"#.to_vec();
    let headers = signed_headers(run.api(), endpoint, &body, None, &now());
    let reply = run.send_to(TOKEN, &headers, body).await;
    reply.expect("2007300", "Successful");
    assert_eq!(reply.body["tokenType"], "Bearer");
    // A JSON number, as DOKU answers and its SDKs parse it (specs/doku/token/b2b.yaml).
    assert_eq!(reply.body["expiresIn"], 900);
    assert!(reply.body["accessToken"].as_str().is_some_and(|t| t.len() >= 32));
    assert_eq!(
        reply.headers.get("x-client-key").and_then(|v| v.to_str().ok()),
        Some(snapbi_sandbox::DEMO_CLIENT_ID)
    );
    let timestamp = reply
        .headers
        .get("x-timestamp")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        snapbi::rt::timestamp::SnapTimestamp::parse(timestamp).is_ok(),
        "{timestamp}"
    );
}

#[tokio::test]
async fn unknown_token() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let headers = signed_headers(run.api(), run.endpoint(PAYMENT), &body, Some("made-up-token"), &now());
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4015401", "Invalid Token (B2B)");
}

#[tokio::test]
async fn reused_external_id() {
    let run = start(|b| b).await;
    let first = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let headers = run.headers_for(PAYMENT, &first).await;
    run.send_to(PAYMENT, &headers, first)
        .await
        .expect("2005400", "Successful");
    let second = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let external = headers
        .iter()
        .find(|(n, _)| n == "X-EXTERNAL-ID")
        .map(|(_, v)| v.clone());
    let mut headers = run.headers_for(PAYMENT, &second).await;
    set_header(&mut headers, "X-EXTERNAL-ID", &external.unwrap_or_default());
    run.send_to(PAYMENT, &headers, second)
        .await
        .expect("4095400", "Conflict");
}

#[tokio::test]
async fn over_long_field() {
    let run = start(|b| b).await;
    let body = run.payment_body(&"x".repeat(65), "10000.00");
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format partnerReferenceNo");
}

#[tokio::test]
async fn missing_nested_field() {
    let run = start(|b| b).await;
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    if let Some(amount) = body["amount"].as_object_mut() {
        amount.remove("value");
    }
    run.call(PAYMENT, &body)
        .await
        .expect("4005402", "Invalid Mandatory Field amount.value");
}

#[tokio::test]
async fn wrong_types_and_list_items() {
    let run = start(|b| b).await;
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body["amount"] = json!(10000);
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format amount");
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body["urlParam"][0]["url"] = json!("u".repeat(513));
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format urlParam[0].url");
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body["amount"]["value"] = json!("10000");
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format amount.value");
}

#[tokio::test]
async fn caller_header_rules() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    set_header(&mut headers, "X-DEVICE-ID", "not-alphanumeric!");
    run.send_to(PAYMENT, &headers, body.clone())
        .await
        .expect("4005401", "Invalid Field Format X-DEVICE-ID");
    let mut headers = run.headers_for(PAYMENT, &body).await;
    set_header(&mut headers, "X-IP-ADDRESS", "300.1.1.1");
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4005401", "Invalid Field Format X-IP-ADDRESS");
}

#[tokio::test]
async fn malformed_json() {
    let run = start(|b| b).await;
    for body in [&b"{\"partnerReferenceNo\": "[..], b"not json", b"", &[0xff, 0xfe][..]] {
        // Unparseable bodies cannot be signed; the empty body can (SNAP hashes it as "").
        let signed_over: &[u8] = if body.is_empty() { b"" } else { b"{}" };
        let headers = run.headers_for(PAYMENT, signed_over).await;
        run.send_to(PAYMENT, &headers, body.to_vec())
            .await
            .expect("4005400", "Bad Request");
    }
    let body = b"[1, 2]".to_vec();
    let headers = run.headers_for(PAYMENT, &body).await;
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4005400", "Bad Request");
}

#[tokio::test]
async fn huge_body() {
    let run = start(|b| b).await;
    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body["padding"] = Value::String("x".repeat(snapbi_sandbox::DEFAULT_BODY_LIMIT));
    let reply = run.call(PAYMENT, &body).await;
    reply.expect("4005400", "Bad Request");
    assert!(reply.reason().contains("larger than"), "{}", reply.reason());
    // A megabyte, and deep nesting, neither of which may crash the sandbox.
    let headers = run.headers_for(PAYMENT, b"{}").await;
    run.send_to(PAYMENT, &headers, vec![b'['; 1 << 20])
        .await
        .expect("4005400", "Bad Request");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes();
    let headers = run.headers_for(PAYMENT, &deep).await;
    run.send_to(PAYMENT, &headers, deep)
        .await
        .expect("4005400", "Bad Request");
}

#[tokio::test]
async fn unknown_path_and_wrong_method() {
    let run = start(|b| b).await;
    let reply = run.send("POST", "/no/such/endpoint", &[], b"{}".to_vec()).await;
    reply.expect("4040002", "Invalid Routing");
    let path = run.endpoint(PAYMENT).info.path.clone();
    let reply = run.send("GET", &path, &[], Vec::new()).await;
    reply.expect("4055400", "Requested Function Is Not Supported");
}

#[tokio::test]
async fn undeclared_scenario_is_refused_clearly() {
    let run = start(|b| b).await;
    let body = serde_json::to_vec(&run.status_body("INV-x")).unwrap_or_default();
    let mut headers = run.headers_for(STATUS, &body).await;
    set_header(&mut headers, "X-Sandbox-Scenario", "4035414");
    let reply = run.send_to(STATUS, &headers, body).await;
    reply.expect("4005500", "Bad Request");
    let reason = reply.body["additionalInfo"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("4035414") && reason.contains("2005500"), "{reason}");
}

#[tokio::test]
async fn idempotent_replay_answers_the_same() {
    let run = start(|b| b).await;
    let body = run.payment_body(&unique("INV"), "10000.00");
    let first = run.call(PAYMENT, &body).await;
    first.expect("2005400", "Successful");
    let again = run.call(PAYMENT, &body).await;
    assert_eq!(again.raw, first.raw, "same request, same answer");
    assert_eq!(run.sandbox.ledger().len(), 1);
}

#[tokio::test]
async fn inconsistent_replay() {
    let run = start(|b| b).await;
    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "10000.00"))
        .await
        .expect("2005400", "Successful");
    run.call(PAYMENT, &run.payment_body(&reference, "20000.00"))
        .await
        .expect("4045418", "Inconsistent Request");
}

#[tokio::test]
async fn refund_above_what_was_paid() {
    let run = start(|b| b).await;
    let reference = run.paid_payment("10000.00").await;
    run.call(REFUND, &run.refund_body(&reference, &unique("REF"), "6000.00"))
        .await
        .expect("2005800", "Successful");
    run.call(REFUND, &run.refund_body(&reference, &unique("REF"), "4000.01"))
        .await
        .expect("4045813", "Invalid Amount");
    run.call(REFUND, &run.refund_body(&reference, &unique("REF"), "4000.00"))
        .await
        .expect("2005800", "Successful");
}

#[tokio::test]
async fn refund_of_an_unknown_or_unpaid_payment() {
    let run = start(|b| b).await;
    run.call(REFUND, &run.refund_body("INV-NOBODY", &unique("REF"), "1.00"))
        .await
        .expect("4045801", "Transaction Not Found");
    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "10.00"))
        .await
        .expect("2005400", "Successful");
    run.call(REFUND, &run.refund_body(&reference, &unique("REF"), "1.00"))
        .await
        .expect("4045800", "Invalid Transaction Status");
}

#[tokio::test]
async fn status_reports_initiated_paid_then_refunded() {
    let run = start(|b| b).await;
    let reference = unique("INV");
    let paid = run.call(PAYMENT, &run.payment_body(&reference, "10000.00")).await;
    paid.expect("2005400", "Successful");
    let redirect = paid.body["webRedirectUrl"].as_str().unwrap_or_default();
    assert!(
        redirect.starts_with(&run.base) && redirect.contains("/_sandbox/pay/"),
        "{redirect}"
    );

    let status = run.call(STATUS, &run.status_body(&reference)).await;
    status.expect("2005500", "Successful");
    assert_eq!(status.body["latestTransactionStatus"], "01");
    assert_eq!(status.body["transactionStatusDesc"], "Initiated");

    let page = run.http.get(redirect).send().await.expect("pay page");
    assert!(page.text().await.unwrap_or_default().contains(&reference));
    let completed = run
        .send(
            "POST",
            &format!("/_sandbox/payments/{reference}/complete"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(completed.status, 200, "{}", completed.body);

    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status.body["latestTransactionStatus"], "00");
    assert_eq!(
        status.body["transAmount"],
        json!({"value": "10000.00", "currency": "IDR"})
    );
    assert_eq!(status.body["originalReferenceNo"], paid.body["referenceNo"]);
    assert!(status.body["paidTime"].is_string());

    run.call(REFUND, &run.refund_body(&reference, &unique("REF"), "2500.00"))
        .await
        .expect("2005800", "Successful");
    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status.body["latestTransactionStatus"], "04");
    assert_eq!(status.body["transactionStatusDesc"], "Refunded");
    let ledger = run.send("GET", "/_sandbox/ledger", &[], Vec::new()).await;
    let payment = &ledger.body["payments"][0];
    assert_eq!(payment["refunded"]["value"], "2500.00");
    assert_eq!(payment["refunds"][0]["refundAmount"]["value"], "2500.00");
}

/// A payment made without an amount keeps none: the ledger, the status answer and a refund never see a made-up
/// `0`. The specs' payments all require an amount, so this sandbox serves one whose amount is optional.
#[tokio::test]
async fn a_payment_without_an_amount_gains_none() {
    let mut api = api();
    let amount = api
        .endpoints
        .iter_mut()
        .filter(|e| e.info.id == PAYMENT)
        .flat_map(|e| e.request.iter_mut())
        .find(|f| f.wire == "amount");
    amount.expect("the payment has an amount").required = false;
    let run = start(|b| b.api(api)).await;
    let reference = unique("INV");
    let mut body = run.payment_body(&reference, "1.00");
    body.as_object_mut().map(|b| b.remove("amount"));
    run.call(PAYMENT, &body).await.expect("2005400", "Successful");
    run.sandbox.complete_payment(&reference).expect("complete");

    let payment = &run.sandbox.ledger()[0];
    assert_eq!((&payment.amount, &payment.refunded), (&None, &None));
    let ledger = run.send("GET", "/_sandbox/ledger", &[], Vec::new()).await;
    let shown = ledger.body["payments"][0].as_object().cloned().unwrap_or_default();
    assert!(
        !shown.contains_key("amount") && !shown.contains_key("refunded"),
        "{shown:?}"
    );

    let status = run.call(STATUS, &run.status_body(&reference)).await;
    status.expect("2005500", "Successful");
    assert_eq!(status.body["latestTransactionStatus"], "00");
    for field in ["amount", "transAmount", "feeAmount"] {
        assert!(status.body.get(field).is_none(), "{field}: {}", status.body);
    }

    // Nothing was paid, so nothing can be refunded, whatever the refund names.
    let refund = run
        .call(REFUND, &run.refund_body(&reference, &unique("REF"), "1.00"))
        .await;
    refund.expect("4045813", "Invalid Amount");
    assert!(refund.reason().contains("no amount"), "{}", refund.reason());
}

#[tokio::test]
async fn status_of_an_unknown_payment() {
    let run = start(|b| b).await;
    run.call(STATUS, &run.status_body("INV-NOBODY"))
        .await
        .expect("4045501", "Transaction Not Found");
}
