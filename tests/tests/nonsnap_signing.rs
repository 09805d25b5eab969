//! DOKU's non-SNAP signature scheme as spec data (issue #13): `hmac-sha256`, `{request_id}`, `{body_digest}`,
//! `{if_body}` … `{end_if}`, the `request_id` header source, the `"HMACSHA256={signature}"` header template and
//! UTC timestamps written with `Z`.
//!
//! The provider is the test fixture `fixtures/nonsnap` (not a shipped one), expanded here by `snap_api!` for the
//! runtime and loaded by the spec library for the sandbox, so both sides read the same YAML through their own code.
//! `openssl` computes every digest, HMAC and base64 on its own; the strings to sign are spelled out by hand from
//! DOKU's documentation (developers.doku.com, "Signature Component from Request Header" and "Signature from API
//! GET method").

use snapbi::rt;
use snapbi::rt::signature::{Sign as _, SignInput, SigningKey, VerifyingKey};
use snapbi_sandbox::signing::{self, Message, Signer, Verifier};
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET};
use snapbi_spec::ir::{Api, AuthKind, Recipe};
use snapbi_tests::nonsnap::{fixture_api, openssl_base64, openssl_hmac_sha256, sandbox};
use snapbi_tests::openssl;

mod api {
    snapbi_macros::snap_api!("fixtures/nonsnap");
}

/// A test secret (DOKU's pages do not publish one).
const SECRET: &str = "SK-hCJ42G28TA0MKG9LE2E5";

// DOKU's GET sample.
const CLIENT_ID: &str = "MCH-0001-10791114622547";
const REQUEST_ID: &str = "d895fb53-479c-4f77-a76a-ab81b40d77cb";
const TIMESTAMP: &str = "2020-08-11T08:45:42Z";
const GET_TARGET: &str = "/orders/v1/status/INV-123123-12313";

/// DOKU's `Digest`: `openssl dgst -sha256 -binary | base64`.
fn openssl_digest(body: &[u8]) -> String {
    openssl_base64(&openssl(&["dgst", "-sha256", "-binary"], body))
}

/// The fixture's recipe as the sandbox reads it (the IR) and as the runtime reads it (the generated PROFILE).
fn recipes(api: &Api) -> (&Recipe, &'static rt::signature::Recipe) {
    let ir = api.provider("acme").and_then(|p| p.signature_for(AuthKind::Symmetric));
    let runtime = api::acme::PROFILE.signature_for(AuthKind::Symmetric);
    match (ir, runtime) {
        (Some(ir), Some(runtime)) => (ir, runtime),
        _ => panic!("the fixture has its non-SNAP recipe on both sides"),
    }
}

/// Both signers over one request: each string to sign must be `expected`, each signature openssl's, and each
/// side must accept the other's signature.
fn agree(method: &str, target: &str, body: &[u8], expected: &str) {
    let api = fixture_api();
    let (ir, runtime) = recipes(&api);
    let input = SignInput {
        method,
        path: target,
        minified_body: body,
        timestamp: TIMESTAMP,
        client_id: CLIENT_ID,
        request_id: REQUEST_ID,
        ..SignInput::default()
    };
    let message = Message {
        method,
        path: target,
        minified_body: body,
        raw_body: body,
        timestamp: TIMESTAMP,
        client_id: CLIENT_ID,
        request_id: REQUEST_ID,
        ..Message::default()
    };
    assert_eq!(runtime.string_to_sign(&input).as_deref(), Ok(expected), "runtime");
    assert_eq!(signing::string_to_sign(ir, &message), expected, "sandbox");

    let secret = rt::secret::ClientSecret::from(SECRET);
    let by_openssl = openssl_hmac_sha256(SECRET, expected);
    let by_runtime = runtime.sign(&input, &SigningKey::Hmac(&secret));
    let by_sandbox = signing::sign(ir, &message, Signer::Secret(SECRET));
    assert_eq!(
        by_runtime.as_deref(),
        Ok(by_openssl.as_str()),
        "runtime against openssl"
    );
    assert_eq!(
        by_sandbox.as_deref(),
        Ok(by_openssl.as_str()),
        "sandbox against openssl"
    );
    assert!(signing::verify(ir, &message, &by_openssl, Verifier::Secret(SECRET)));
    assert_eq!(
        runtime.verify(&input, &by_openssl, &VerifyingKey::Hmac(&secret)),
        Ok(())
    );
    // A signature over anything else is refused by both.
    let tampered = openssl_hmac_sha256(SECRET, &expected.replace("Request-Id:d", "Request-Id:e"));
    assert!(!signing::verify(ir, &message, &tampered, Verifier::Secret(SECRET)));
    assert!(runtime.verify(&input, &tampered, &VerifyingKey::Hmac(&secret)).is_err());
}

#[test]
fn a_get_signs_without_the_digest_line() {
    let expected = format!(
        "Client-Id:{CLIENT_ID}\nRequest-Id:{REQUEST_ID}\nRequest-Timestamp:{TIMESTAMP}\nRequest-Target:{GET_TARGET}"
    );
    agree("GET", GET_TARGET, b"", &expected);
}

#[test]
fn a_post_signs_the_digest_of_its_body() {
    let body = br#"{"order":{"invoice_number":"INV-20210124-0001","amount":150000},"payment":{"payment_due_date":60}}"#;
    let digest = openssl_digest(body);
    assert_eq!(
        rt::signature::body_digest(body),
        digest,
        "the runtime's digest against openssl"
    );
    let target = "/checkout/v1/payment";
    let expected = format!(
        "Client-Id:{CLIENT_ID}\nRequest-Id:{REQUEST_ID}\nRequest-Timestamp:{TIMESTAMP}\nRequest-Target:{target}\nDigest:{digest}"
    );
    agree("POST", target, body, &expected);
}

/// The runtime's client fills the fixture's headers from the spec, and the sandbox (reading the same spec) accepts
/// what it sends and refuses it with a tampered signature.
#[tokio::test]
async fn the_client_sends_what_the_sandbox_accepts() {
    let (base, _handle) = sandbox().await;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base.as_str())
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("demo key"));
    let client = rt::Client::new(&api::acme::PROFILE, config).expect("the client is configured");
    let body = br#"{"partnerReferenceNo":"INV-1","amount":{"value":"10000.00","currency":"IDR"}}"#.to_vec();
    let first = client
        .prepare(&api::acme::pay::ENDPOINT, body.clone(), None, &[])
        .expect("prepared");
    let second = client
        .prepare(&api::acme::pay::ENDPOINT, body, None, &[])
        .expect("prepared");

    let timestamp = first.header("Request-Timestamp").unwrap_or_default();
    assert!(timestamp.ends_with('Z') && timestamp.len() == 20, "{timestamp}");
    assert!(rt::timestamp::SnapTimestamp::parse(timestamp).is_ok(), "{timestamp}");
    let signature = first.header("Signature").unwrap_or_default();
    assert!(signature.starts_with("HMACSHA256="), "{signature}");
    let request_id = first.header("Request-Id").unwrap_or_default();
    assert!(
        !request_id.is_empty() && request_id.chars().count() <= 128,
        "{request_id}"
    );
    assert_ne!(
        Some(request_id),
        second.header("Request-Id"),
        "a fresh Request-Id per request"
    );
    assert_eq!(first.header("Client-Id"), Some(DEMO_CLIENT_ID));

    // The signature is openssl's over DOKU's lines, built here from the headers sent.
    let expected = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{request_id}\nRequest-Timestamp:{timestamp}\nRequest-Target:{}\nDigest:{}",
        api::acme::pay::ENDPOINT.path,
        openssl_digest(&first.body)
    );
    assert_eq!(
        signature,
        format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &expected))
    );

    let accepted = send(&first, None).await;
    assert_eq!(accepted.0, 200, "{}", accepted.1);
    let tampered_signature = format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, "other text"));
    let refused = send(&second, Some(("Signature", &tampered_signature))).await;
    assert_eq!(refused.0, 401, "{}", refused.1);
    // The provider's own limit on Request-Id (128), checked before the signature.
    let long_id = "r".repeat(129);
    let refused = send(&second, Some(("Request-Id", &long_id))).await;
    assert_eq!(refused.0, 400, "{}", refused.1);
    assert!(refused.1.contains("Request-Id"), "{}", refused.1);
    // Without the template's text the header is not the fixture's Signature.
    let bare = signature.trim_start_matches("HMACSHA256=").to_owned();
    let refused = send(&second, Some(("Signature", &bare))).await;
    assert_eq!(refused.0, 400, "{}", refused.1);
}

/// Sends `prepared` (with one header replaced) and returns the status and body.
async fn send(prepared: &rt::Prepared<'_>, replace: Option<(&str, &str)>) -> (u16, String) {
    let http = reqwest::Client::builder().no_proxy().build().expect("http client");
    let mut request = http.post(&prepared.url).body(prepared.body.clone());
    for (name, value) in &prepared.headers {
        let value = match replace {
            Some((replaced, by)) if name.eq_ignore_ascii_case(replaced) => by,
            _ => value.as_ref(),
        };
        request = request.header(name.as_ref(), value);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}
