//! DOKU's non-SNAP API (`specs/doku_nonsnap`) through the generated `snapbi::doku_nonsnap::Client` against the
//! in-process sandbox: Checkout answers `SUCCESS` with a payment page and Indodana's generate order PENDING, in
//! DOKU's own JSON; the sandbox refuses a bad signature and a body field in DOKU's shapes, which the client reads
//! into typed codes.

use std::path::Path;

use serde_json::{Value, json};
use snapbi::doku_nonsnap::{self, checkout_payment as checkout, paylater_indodana_generate_order as generate};
use snapbi::rt;
use snapbi_sandbox::{Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};

async fn sandbox() -> (String, SandboxHandle) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("doku_nonsnap")
        .expect("doku_nonsnap")
        .credentials(Credentials::demo())
        .build()
        .expect("sandbox");
    sandbox.spawn_on_loopback().await.expect("loopback")
}

fn client(base: &str, secret: &str) -> doku_nonsnap::Client {
    let config = rt::Config::new(DEMO_CLIENT_ID).base_url(base).client_secret(secret);
    doku_nonsnap::Client::new(config).expect("client")
}

/// DOKU's sample request [doku-indodana], as JSON.
fn sample() -> Value {
    let address = json!({
        "first_name": "andreas", "last_name": "dharmawan", "address": "Jalan Teknologi Indonesia No. 25",
        "city": "Jakarta", "postal_code": "12960", "phone": "081513114262", "country_code": "IDN"
    });
    json!({
        "order": {
            "invoice_number": "MINV20201231468",
            "line_items": [{
                "name": "Ayam", "price": 50000, "quantity": 2, "id": "1002", "category": "ELECTRONIC",
                "url": "https://merchant.com/product_1002", "image_url": "https://merchant.com/product_1002/image",
                "type": "handphone"
            }],
            "amount": 100000,
            "callback_url": "https://merchant.com/return-url",
            "callback_url_cancel": "https://merchant.com/cancel-url"
        },
        "peer_to_peer_info": { "expired_time": 60, "merchant_unique_reference": "60123" },
        "customer": { "first_name": "andreas", "last_name": "dharmawan", "phone": "081939815480", "email": "andreas@email.com" },
        "billing_address": address.clone(),
        "shipping_address": address,
        "additional_info": { "override_notification_url": "https://another.example.com/payments/notifications" }
    })
}

/// A JSON value sent as it is, to reach the sandbox with what the typed builder would refuse.
struct Raw(Value);

impl rt::WriteJson for Raw {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&serde_json::to_vec(&self.0).unwrap_or_default());
    }
}

async fn send(
    client: &doku_nonsnap::Client,
    body: Value,
) -> Result<rt::Reply<generate::Response, generate::Code>, rt::Error<generate::Code>> {
    client.runtime().call(&generate::ENDPOINT, &Raw(body), &[]).await
}

#[test]
fn doku_s_sample_request_passes_the_generated_validators() {
    let request: Result<generate::Request, _> = rt::from_json(sample());
    assert!(request.is_ok(), "{request:?}");
}

#[tokio::test]
async fn an_order_is_answered_pending_with_a_payment_page() {
    let (base, _handle) = sandbox().await;
    let request: generate::Request = rt::from_json(sample()).expect("valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .paylater_indodana_generate_order(&request)
        .await
        .expect("the order is created");
    assert_eq!((reply.status, reply.code.clone()), (200, generate::Code::Pending));
    assert_eq!(reply.code.outcome(), rt::Outcome::Pending);
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["order"]["invoice_number"], "MINV20201231468", "{answer}");
    assert_eq!(
        answer["peer_to_peer_info"]["merchant_unique_reference"], "60123",
        "{answer}"
    );
    assert!(
        answer["payment"]["url"].as_str().is_some_and(|u| !u.is_empty()),
        "{answer}"
    );
    assert!(
        answer.get("responseCode").is_none(),
        "DOKU's own JSON, not a SNAP body: {answer}"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_as_doku_refuses_it() {
    let (base, _handle) = sandbox().await;
    let refused = send(&client(&base, "not-the-secret"), sample()).await;
    match refused {
        Err(rt::Error::Api {
            status,
            code,
            message,
            raw_body,
        }) => {
            assert_eq!((status, code.clone()), (400, generate::Code::InvalidSignature));
            assert_eq!(code.outcome(), rt::Outcome::Auth);
            assert_eq!(message.as_deref(), Some("Invalid Header Signature"));
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
        }
        other => panic!("a bad signature must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_body_field_is_refused_naming_it() {
    let (base, _handle) = sandbox().await;
    let mut body = sample();
    if let Some(customer) = body.get_mut("customer").and_then(Value::as_object_mut) {
        customer.remove("email");
    }
    match send(&client(&base, DEMO_CLIENT_SECRET), body).await {
        Err(rt::Error::Api {
            status, code, message, ..
        }) => {
            assert_eq!(status, 400);
            assert_eq!(message.as_deref(), Some("Invalid Mandatory Field customer.email"));
            // Not a code DOKU publishes: the client keeps it, with the outcome of its HTTP status.
            assert!(matches!(code, generate::Code::Unknown(_)), "{code:?}");
            assert_eq!(code.outcome(), rt::Outcome::Failed);
        }
        other => panic!("a missing field must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_client_is_refused_before_the_signature() {
    let (base, _handle) = sandbox().await;
    let config = rt::Config::new("MCH-unknown")
        .base_url(&base)
        .client_secret(DEMO_CLIENT_SECRET);
    let stranger = doku_nonsnap::Client::new(config).expect("client");
    match send(&stranger, sample()).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, generate::Code::InvalidClientId),
        other => panic!("an unknown client must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_order_is_a_business_failure_with_doku_s_status() {
    let (base, _handle) = sandbox().await;
    let scenario = [("X-Sandbox-Scenario".to_owned(), "FAILED".to_owned())];
    let answer = client(&base, DEMO_CLIENT_SECRET)
        .runtime()
        .call::<_, generate::Response, generate::Code>(&generate::ENDPOINT, &Raw(sample()), &scenario)
        .await;
    match answer {
        Err(rt::Error::Api {
            status, code, raw_body, ..
        }) => {
            // HTTP 200, but the order failed: the outcome is the status field's, not the HTTP status's.
            assert_eq!((status, code.clone()), (200, generate::Code::Failed));
            assert_eq!(code.outcome(), rt::Outcome::Failed);
            let body: Value = serde_json::from_slice(&raw_body).expect("JSON");
            assert_eq!(body["payment"]["status"], "FAILED", "{body}");
        }
        other => panic!("a FAILED order must be an error: {other:?}"),
    }
}

#[tokio::test]
async fn a_checkout_page_is_created_with_doku_s_message() {
    let (base, _handle) = sandbox().await;
    // DOKU's minimal request [doku-checkout].
    let sent = json!({ "order": { "amount": 20000, "invoice_number": "INV-20210231-0001" }, "payment": { "payment_due_date": 60 } });
    let request: checkout::Request = rt::from_json(sent).expect("DOKU's sample is valid");
    let reply = client(&base, DEMO_CLIENT_SECRET)
        .checkout_payment(&request)
        .await
        .expect("a page");
    assert_eq!((reply.status, reply.code.clone()), (200, checkout::Code::Success));
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    assert_eq!(answer["message"], json!(["SUCCESS"]), "{answer}");
    assert_eq!(
        answer["response"]["order"]["invoice_number"], "INV-20210231-0001",
        "{answer}"
    );
    assert!(
        answer["response"]["payment"]["url"]
            .as_str()
            .is_some_and(|u| !u.is_empty()),
        "{answer}"
    );
}

#[test]
fn checkout_limits_are_doku_s() {
    let too_long = json!({ "order": { "amount": 20000, "invoice_number": "I".repeat(65) } });
    let refused = rt::from_json::<checkout::Request>(too_long)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("order.invoice_number"), "{refused}");
    let too_much = json!({ "order": { "amount": 1_000_000_000_000_i64, "invoice_number": "INV-1" } });
    let refused = rt::from_json::<checkout::Request>(too_much)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("order.amount"), "{refused}");
}

/// A header of a raw answer, as text.
fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn the_sandbox_signs_its_answer_as_doku_documents_and_openssl_agrees() {
    use snapbi_tests::nonsnap::{openssl_base64, openssl_hmac_sha256};
    let (base, _handle) = sandbox().await;
    let client = client(&base, DEMO_CLIENT_SECRET);
    let body = serde_json::to_vec(&sample()).unwrap_or_default();
    let prepared = client
        .runtime()
        .prepare(&generate::ENDPOINT, body, None, &[])
        .expect("signed");
    let request_id = prepared.header("Request-Id").unwrap_or_default().to_owned();
    let mut request = reqwest::Client::new().post(&prepared.url);
    for (name, value) in &prepared.headers {
        request = request.header(name.as_ref(), value.as_ref());
    }
    let answer = request.body(prepared.body.clone()).send().await.expect("answered");
    assert_eq!(answer.status(), 200);
    let headers = answer.headers().clone();
    let raw = answer.bytes().await.expect("body");
    assert_eq!(header(&headers, "Client-Id"), DEMO_CLIENT_ID);
    assert_eq!(header(&headers, "Request-Id"), request_id);
    let timestamp = header(&headers, "Response-Timestamp");
    assert!(timestamp.ends_with('Z') && timestamp.len() == 20, "{timestamp}");
    // DOKU's response components [doku-nonsnap-response-signature], spelled out here, hashed and keyed by openssl.
    let digest = openssl_base64(&snapbi_tests::openssl(&["dgst", "-sha256", "-binary"], &raw));
    let text = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{request_id}\nResponse-Timestamp:{timestamp}\n\
         Request-Target:/indodana-peer-to-peer/v2/generate-order\nDigest:{digest}"
    );
    let expected = format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &text));
    assert_eq!(header(&headers, "Signature"), expected);
}

/// A DOKU stand-in answering one fixed 200: `signature` in its Signature header, after Client-Id and Request-Id.
async fn stand_in(signature: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::HeaderMap;
    let answer = move |headers: HeaderMap| async move {
        let request_id = header_of(&headers, "Request-Id");
        let answer_headers = [
            ("Client-Id", header_of(&headers, "Client-Id")),
            ("Request-Id", request_id),
            ("Response-Timestamp", "2021-07-07T08:45:42Z".to_owned()),
            ("Signature", signature.to_owned()),
        ];
        let mut response = axum::response::Response::new(axum::body::Body::from(
            r#"{"order":{"amount":100000,"invoice_number":"MINV20201231468"},"payment":{"status":"PENDING","url":"https://pay.example"}}"#,
        ));
        for (name, value) in answer_headers {
            if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    };
    let app = axum::Router::new().route(&generate::ENDPOINT.path, axum::routing::post(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, server)
}

fn header_of(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_answer_whose_signature_does_not_verify_is_not_trusted() {
    let (base, server) = stand_in("HMACSHA256=OvIRJs/jH8BIcGsktr4d8nnYtxY6E0Uzdm9d1GVgv5s=").await;
    let request: generate::Request = rt::from_json(sample()).expect("valid");
    let answer = client(&base, DEMO_CLIENT_SECRET)
        .paylater_indodana_generate_order(&request)
        .await;
    server.abort();
    match answer {
        Err(rt::Error::UnverifiedAnswer { status, raw_body }) => {
            assert_eq!(status, 200);
            assert!(!raw_body.is_empty(), "the raw answer is kept");
        }
        other => panic!("a PENDING whose signature does not verify must not be believed: {other:?}"),
    }
    // Nor is one whose Signature lacks the scheme's text.
    let (base, server) = stand_in("not-hmac").await;
    let answer = client(&base, DEMO_CLIENT_SECRET)
        .paylater_indodana_generate_order(&request)
        .await;
    server.abort();
    assert!(matches!(answer, Err(rt::Error::UnverifiedAnswer { .. })), "{answer:?}");
}

#[test]
fn a_pretty_printed_notification_verifies_over_its_bytes_as_sent() {
    use snapbi::rt::inbound::{InboundKey, Verifier};
    use snapbi_tests::nonsnap::{openssl_base64, openssl_hmac_sha256};
    // DOKU sends its non-SNAP notifications pretty-printed and digests them as sent [katon-doku-walk]; the body is
    // DOKU's Akulaku paylater sample's shape.
    let body = b"{\n  \"order\": {\"invoice_number\": \"INV-20210707-0001\", \"amount\": 90000},\n  \"transaction\": {\"status\": \"SUCCESS\", \"date\": \"2021-07-07T08:48:42Z\"}\n}";
    let path = "/payments/notifications";
    let timestamp = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let request_id = "479b663f-5c9d-400d-8e80-3e548a8f7639";
    let digest = openssl_base64(&snapbi_tests::openssl(&["dgst", "-sha256", "-binary"], body));
    let text = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{request_id}\nRequest-Timestamp:{timestamp}\nRequest-Target:{path}\nDigest:{digest}"
    );
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in [
        ("Client-Id", DEMO_CLIENT_ID.to_owned()),
        ("Request-Id", request_id.to_owned()),
        ("Request-Timestamp", timestamp),
        (
            "Signature",
            format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &text)),
        ),
    ] {
        headers.insert(name, value.parse().expect("header"));
    }
    // The verifier reads the profile's headers and recipe for the endpoint's auth kind (DOKU's non-SNAP one).
    let verifier = Verifier::new(
        &doku_nonsnap::PROFILE,
        &generate::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    );
    let verified = verifier.verify(path, &headers, body);
    assert!(verified.is_ok(), "{:?}", verified.err());
    // The same bytes under another path, or one byte changed, are not DOKU's.
    assert!(verifier.verify("/other", &headers, body).is_err());
    let mut changed = body.to_vec();
    changed[4] = b'\t';
    assert!(verifier.verify(path, &headers, &changed).is_err());
}
