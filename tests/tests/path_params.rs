//! Path parameters and bodiless GETs, client ↔ sandbox on loopback, through the non-SNAP test provider
//! (`fixtures/nonsnap`: `acme.status` is `GET /v1/orders/{invoice_number}`, `acme.cancel` is
//! `POST /v1/orders/{invoice_number}/cancel` with a body). The generated client fills the path, each value
//! percent-encoded as one segment, and signs exactly the path it sends; the sandbox, reading the same YAML, routes
//! the templated path, checks the signature over the path as received, decodes the values and checks them by their
//! params' rules. Signatures are checked against `openssl` over DOKU's lines written out here.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use snapbi::rt;
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET};
use snapbi_spec::ir::samples::{chars_of_len, limited_fields, sample_object, str_of_len};
use snapbi_tests::nonsnap::{fixture_api, openssl_hmac_sha256, sandbox};

mod api {
    snapbi_macros::snap_api!("fixtures/nonsnap");
}

use api::acme::{cancel, status};

fn config(base: &str) -> rt::Config {
    rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("demo key"))
}

fn client(base: &str) -> api::acme::Client {
    api::acme::Client::new(config(base)).expect("the client is configured")
}

fn status_params(invoice_number: &str) -> status::Params {
    status::Params::builder()
        .invoice_number(invoice_number)
        .build()
        .expect("valid params")
}

#[tokio::test]
async fn a_get_with_a_path_parameter_is_answered_about_its_value() {
    let (base, _sandbox) = sandbox().await;
    let reply = client(&base).status(&status_params("INV-1")).await.expect("answered");
    assert_eq!(reply.code, status::Code::Successful);
    assert_eq!(reply.body.invoice_number.as_deref(), Some("INV-1"));
    assert!(reply.body.reference_no.is_some_and(|r| !r.is_empty()));
}

/// Whatever a value holds (a `/`, a space, a `%`, something that looks encoded already, non-ASCII), the sandbox
/// decodes the one segment the client sent back to it, and answers it.
#[tokio::test]
async fn values_come_back_as_they_were_given_through_percent_encoding() {
    let (base, _sandbox) = sandbox().await;
    let client = client(&base);
    for value in [
        "INV/2024/01",
        "INV 1",
        "100%",
        "%2F",
        "café-発注",
        "a+b?c#d&e=f",
        "~._-",
    ] {
        let reply = client.status(&status_params(value)).await.expect("answered");
        assert_eq!(reply.code, status::Code::Successful, "{value:?}");
        assert_eq!(reply.body.invoice_number.as_deref(), Some(value));
    }
    // A POST with a parameter and a body: both arrive.
    let params = cancel::Params::builder()
        .invoice_number("INV/7 é")
        .build()
        .expect("valid params");
    let request = cancel::Request::builder()
        .reason("duplicate")
        .build()
        .expect("valid request");
    let reply = client.cancel(&params, &request).await.expect("answered");
    assert_eq!(reply.code, cancel::Code::Successful);
    assert_eq!(reply.body.invoice_number.as_deref(), Some("INV/7 é"));
    assert_eq!(reply.body.reason.as_deref(), Some("duplicate"));
}

/// The prepared GET goes to the encoded path, carries no body and no Content-Type, and its signature is openssl's
/// over DOKU's lines with that path as `Request-Target` and no `Digest` line; the sandbox accepts it.
#[tokio::test]
async fn the_path_signed_is_the_path_sent() {
    let (base, _sandbox) = sandbox().await;
    let runtime = rt::Client::new(&api::acme::PROFILE, config(&base)).expect("client");
    let pairs = rt::param_pairs(&status_params("INV/1 é"));
    let prepared = runtime
        .prepare_at(&status::ENDPOINT, &pairs, Vec::new(), None, &[])
        .expect("prepared");
    let path = "/v1/orders/INV%2F1%20%C3%A9";
    assert_eq!(prepared.url, format!("{base}{path}"));
    assert!(prepared.body.is_empty());
    assert_eq!(prepared.header("Content-Type"), None);
    let lines = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{}\nRequest-Timestamp:{}\nRequest-Target:{path}",
        prepared.header("Request-Id").unwrap_or_default(),
        prepared.header("Request-Timestamp").unwrap_or_default(),
    );
    let expected = format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &lines));
    assert_eq!(prepared.header("Signature"), Some(expected.as_str()));

    let http = reqwest::Client::builder().no_proxy().build().expect("http client");
    let mut request = http.get(&prepared.url);
    for (name, value) in &prepared.headers {
        request = request.header(name.as_ref(), value.as_ref());
    }
    let answer = request.send().await.expect("the sandbox answers");
    assert_eq!(answer.status().as_u16(), 200, "{:?}", answer.text().await);
}

/// The sandbox checks the signature over the path exactly as it arrived, still percent-encoded: `INV%2D1` decodes
/// to `INV-1`, but a signature over `/v1/orders/INV-1` does not sign it, and a signed path sent elsewhere is refused.
#[tokio::test]
async fn the_sandbox_checks_the_signature_over_the_path_as_received() {
    let (base, _sandbox) = sandbox().await;
    let (status, body) = signed_get(&base, "/v1/orders/INV%2D1", "/v1/orders/INV%2D1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["invoice_number"], "INV-1");

    for (sent, signed) in [
        ("/v1/orders/INV%2D1", "/v1/orders/INV-1"),
        ("/v1/orders/INV-2", "/v1/orders/INV-1"),
    ] {
        let (status, body) = signed_get(&base, sent, signed).await;
        assert_eq!(status, 401, "{sent} signed as {signed}: {body}");
        assert_eq!(body["responseCode"], "4015500");
    }
}

/// A value longer than its param's `max_length` is refused by the generated builder with the param's name, and by
/// the sandbox (reached through the runtime, which does not validate) as a field of that name.
#[tokio::test]
async fn a_too_long_param_is_refused_naming_it() {
    let too_long = "I".repeat(65);
    let refused = status::Params::builder()
        .invoice_number(too_long.as_str())
        .build()
        .expect_err("65 characters, at most 64");
    assert_eq!(refused.paths(), ["invoice_number"]);

    let (base, _sandbox) = sandbox().await;
    let runtime = rt::Client::new(&api::acme::PROFILE, config(&base)).expect("client");
    let pairs = vec![("invoice_number".to_owned(), too_long)];
    let answer = runtime
        .call_at::<_, status::Response, status::Code>(&status::ENDPOINT, &pairs, &rt::NoBody, &[])
        .await;
    match answer {
        Err(rt::Error::Api {
            status, code, message, ..
        }) => {
            assert_eq!((status, code), (400, status::Code::InvalidFieldFormat));
            assert_eq!(message.as_deref(), Some("Invalid Field Format invoice_number"));
        }
        other => panic!("expected the sandbox's refusal, got {other:?}"),
    }
    // A segment that is not percent-encoded UTF-8 is refused the same way.
    let (status, body) = signed_get(&base, "/v1/orders/%FF", "/v1/orders/%FF").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["responseMessage"], "Invalid Field Format invoice_number");
}

/// The registry's param validators (what `tests/field_limits.rs` runs over the shipped specs' bodies and headers)
/// follow the fixture's params: a sample passes, a value at the limit passes, one character more is refused at the
/// param's name.
#[test]
fn the_registry_checks_every_param_limit() {
    let api = fixture_api();
    let mut checked = 0;
    for endpoint in api.endpoints.iter().filter(|e| !e.params.is_empty()) {
        let entry = api::ENDPOINTS
            .iter()
            .find(|e| e.info.id == endpoint.info.id)
            .expect("generated");
        let sample = sample_object(&api, &endpoint.params);
        assert_eq!((entry.validate_params)(sample.clone()), Ok(()), "{}", endpoint.info.id);
        for field in limited_fields(&api, &endpoint.params) {
            let max = field.rule.max_length.expect("a limited field");
            let with = |value: String| {
                let mut params = sample.clone();
                params[field.wire_path.as_str()] = Value::String(value);
                (entry.validate_params)(params)
            };
            assert_eq!(
                with(str_of_len(&field.rule, max).expect("a value at the limit")),
                Ok(())
            );
            let refused = with(chars_of_len(&field.rule, max + 1)).expect_err("one character over");
            assert_eq!(refused.paths(), [field.wire_path.as_str()]);
            checked += 1;
        }
    }
    assert_eq!(checked, 2, "acme.status and acme.cancel each have a limited param");
}

/// `.` and `..` pass the param's rules but cannot be a segment (a URL resolves them as steps): the client refuses to
/// send them rather than call another path.
#[tokio::test]
async fn a_value_that_cannot_be_a_segment_is_not_sent() {
    let answer = client("http://127.0.0.1:9").status(&status_params("..")).await;
    assert!(
        matches!(answer, Err(rt::Error::Signing(rt::signature::SignError::PathParam { ref name, .. })) if name == "invoice_number"),
        "{answer:?}"
    );
}

/// On the wire a GET has no body, no Content-Type and no Content-Length, and goes to the filled path.
#[tokio::test]
async fn a_get_carries_no_body_and_no_content_type() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = {
        let seen = seen.clone();
        axum::Router::new().fallback(move |request: axum::extract::Request| {
            let seen = seen.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 1 << 16).await.unwrap_or_default();
                seen.lock().expect("lock").push((parts, body));
                axum::Json(serde_json::json!({ "responseCode": "2005500", "responseMessage": "Successful" }))
            }
        })
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move { axum::serve(listener, recorder).await });

    let reply = client(&base).status(&status_params("INV 9")).await.expect("answered");
    assert_eq!(reply.code, status::Code::Successful);
    let seen = seen.lock().expect("lock");
    let (parts, body) = &seen[0];
    assert_eq!((parts.method.as_str(), parts.uri.path()), ("GET", "/v1/orders/INV%209"));
    assert!(body.is_empty());
    assert_eq!(parts.headers.get("content-type"), None);
    assert_eq!(parts.headers.get("content-length"), None);
    server.abort();
}

/// A path of a GET answers another method with the standard's "not supported" (405), like any known path.
#[tokio::test]
async fn another_method_at_a_templated_path_is_not_supported() {
    let (base, _sandbox) = sandbox().await;
    let http = reqwest::Client::builder().no_proxy().build().expect("http client");
    let answer = http
        .post(format!("{base}/v1/orders/INV-1"))
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 405);
}

/// A GET of `sent` on the sandbox, signed by hand (openssl) over DOKU's lines with `signed` as its target: the
/// status and the JSON answer.
async fn signed_get(base: &str, sent: &str, signed: &str) -> (u16, Value) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let request_id = format!(
        "path-params-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let timestamp = api::acme::PROFILE.timestamp.now();
    let lines = format!(
        "Client-Id:{DEMO_CLIENT_ID}\nRequest-Id:{request_id}\nRequest-Timestamp:{timestamp}\nRequest-Target:{signed}"
    );
    let signature = format!("HMACSHA256={}", openssl_hmac_sha256(DEMO_CLIENT_SECRET, &lines));
    let http = reqwest::Client::builder().no_proxy().build().expect("http client");
    let answer = http
        .get(format!("{base}{sent}"))
        .header("Client-Id", DEMO_CLIENT_ID)
        .header("Request-Id", request_id)
        .header("Request-Timestamp", timestamp)
        .header("Signature", signature)
        .send()
        .await
        .expect("the sandbox answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}
