//! The generated client against a small provider stand-in on 127.0.0.1: the token is fetched once with a
//! verified RSA signature, every call is HMAC-signed over exactly the bytes sent, the caller's headers
//! arrive, and answers decode into typed replies or typed errors that keep status, code and raw body.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use snapbi::dana;
use snapbi::doku::{self, direct_debit_payment, direct_debit_status};
use snapbi::{rt, types};

const CLIENT_ID: &str = "BRN-0001-1700000000001";
const SECRET: &str = "loopback-secret";
const TOKEN: &str = "tok-0123456789";

/// What the stand-in saw.
#[derive(Default)]
struct Seen {
    token_requests: usize,
    /// partnerReferenceNo of the payments it committed.
    committed: Vec<String>,
    status_queries: usize,
    customer_grants: Vec<String>,
    /// `expiresIn` of the B2B tokens it issues (default 900 s).
    token_lifetime: Option<u64>,
    bodies: Vec<Vec<u8>>,
    headers: Vec<HeaderMap>,
}

struct Provider {
    public_key: rt::keys::PublicKey,
    seen: Mutex<Seen>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn answer(status: u16, body: &str) -> (StatusCode, String) {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_owned(),
    )
}

async fn token(State(p): State<Arc<Provider>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let (issued, lifetime) = {
        let mut seen = p.seen.lock().expect("lock");
        seen.token_requests += 1;
        (seen.token_requests, seen.token_lifetime.unwrap_or(900))
    };
    let verified = rt::signature::verify_token(
        header(&headers, "X-CLIENT-KEY"),
        header(&headers, "X-TIMESTAMP"),
        header(&headers, "X-SIGNATURE"),
        &p.public_key,
    );
    if verified.is_err() || body.as_ref() != br#"{"grantType":"client_credentials"}"# {
        return answer(
            401,
            r#"{"responseCode":"4017300","responseMessage":"Unauthorized. Invalid Signature"}"#,
        );
    }
    let ok = format!(
        r#"{{"responseCode":"2007300","responseMessage":"Successful","accessToken":"{TOKEN}-{issued}","tokenType":"Bearer","expiresIn":"{lifetime}"}}"#
    );
    answer(200, &ok)
}

async fn payment(State(p): State<Arc<Provider>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let bearer = header(&headers, "Authorization")
        .strip_prefix("Bearer ")
        .unwrap_or_default();
    let verified = rt::signature::verify_symmetric(
        "POST",
        &direct_debit_payment::ENDPOINT.path,
        &rt::secret::AccessToken::from(bearer),
        &body,
        header(&headers, "X-TIMESTAMP"),
        header(&headers, "X-SIGNATURE"),
        &rt::secret::ClientSecret::from(SECRET),
    );
    {
        let mut seen = p.seen.lock().expect("lock");
        seen.bodies.push(body.to_vec());
        seen.headers.push(headers.clone());
    }
    if verified.is_err() {
        return answer(
            401,
            r#"{"responseCode":"4015400","responseMessage":"Unauthorized. Invalid Signature"}"#,
        );
    }
    let text = String::from_utf8_lossy(&body);
    let reference = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["partnerReferenceNo"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if reference.starts_with("INV-LOST") {
        // Committed, but the answer is lost.
        p.seen.lock().expect("lock").committed.push(reference);
        return answer(500, "<html>gateway timeout</html>");
    }
    if reference.starts_with("INV-NEVER") {
        let mut seen = p.seen.lock().expect("lock");
        let tries = seen
            .bodies
            .iter()
            .filter(|b| String::from_utf8_lossy(b).contains(&reference))
            .count();
        if tries == 1 {
            // The first attempt never reached the provider's ledger.
            return answer(503, r#"{"responseCode":"5035400","responseMessage":"unavailable"}"#);
        }
        seen.committed.push(reference);
    }
    if text.contains("INV-REVOKED") && bearer == format!("{TOKEN}-1") {
        return answer(
            401,
            r#"{"responseCode":"4015401","responseMessage":"Invalid Token (B2B)"}"#,
        );
    }
    if text.contains("INV-DUP") {
        return answer(
            404,
            r#"{"responseCode":"4045418","responseMessage":"Inconsistent Request"}"#,
        );
    }
    if text.contains("INV-ODD") {
        return answer(400, r#"{"responseCode":"4005499","responseMessage":"Something new"}"#);
    }
    if text.contains("INV-HTML") {
        return answer(502, "<html>bad gateway</html>");
    }
    answer(
        200,
        r#"{"responseCode":"2005400","responseMessage":"Successful","referenceNo":"REF-1","partnerReferenceNo":"INV-0001","webRedirectUrl":"https://pay.example/x","additionalInfo":{"x":1},"extra":"ignored"}"#,
    )
}

fn rsa_key() -> (rt::keys::PrivateKey, rt::keys::PublicKey) {
    let key = snapbi_tests::throwaway_rsa_key();
    let public = key.public_key();
    (key, public)
}

async fn status(State(p): State<Arc<Provider>>, body: Bytes) -> (StatusCode, String) {
    let asked = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["originalPartnerReferenceNo"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut seen = p.seen.lock().expect("lock");
    seen.status_queries += 1;
    let latest = if seen.committed.contains(&asked) { "00" } else { "07" };
    answer(
        200,
        &format!(r#"{{"responseCode":"2005500","responseMessage":"Successful","latestTransactionStatus":"{latest}"}}"#),
    )
}

/// The B2B2C token endpoint: an authorization code or a refresh token for customer tokens.
async fn customer_token(State(p): State<Arc<Provider>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let verified = rt::signature::verify_token(
        header(&headers, "X-CLIENT-KEY"),
        header(&headers, "X-TIMESTAMP"),
        header(&headers, "X-SIGNATURE"),
        &p.public_key,
    );
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let grant = (
        body["grantType"].as_str().unwrap_or_default(),
        body["authCode"].as_str(),
        body["refreshToken"].as_str(),
    );
    let mut seen = p.seen.lock().expect("lock");
    let n = seen.customer_grants.len() + 1;
    let known = matches!(
        grant,
        ("AUTHORIZATION_CODE", Some("code-ok"), _) | ("REFRESH_TOKEN", _, Some("refresh-1"))
    );
    let ok = known && verified.is_ok();
    if !ok {
        return answer(
            401,
            r#"{"responseCode":"4017400","responseMessage":"Unauthorized. Invalid Grant"}"#,
        );
    }
    seen.customer_grants.push(grant.0.to_owned());
    // The first customer token lives 2 s, the renewed one 15 minutes.
    let expires = if n == 1 { "2" } else { "900" };
    answer(
        200,
        &format!(
            r#"{{"responseCode":"2007400","accessToken":"cust-{n}","tokenType":"Bearer","expiresIn":"{expires}","refreshToken":"refresh-{n}"}}"#
        ),
    )
}

async fn serve(provider: Arc<Provider>) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route(&doku::token_b2b2c::ENDPOINT.path, post(customer_token))
        .route(&doku::direct_debit_status::ENDPOINT.path, post(status))
        .route(doku::PROFILE.token_endpoint.map_or("", |e| &e.path), post(token))
        .route(&direct_debit_payment::ENDPOINT.path, post(payment))
        .with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, server)
}

/// The provider stand-in on loopback, with the RSA key of the client it trusts.
struct StandIn {
    provider: Arc<Provider>,
    url: String,
    server: tokio::task::JoinHandle<()>,
    key: rt::keys::PrivateKey,
}

/// The client configuration the stand-in trusts: its client id, secret and RSA key, at its URL.
fn config(key: &rt::keys::PrivateKey, url: &str) -> rt::Config {
    rt::Config::new(CLIENT_ID)
        .client_secret(SECRET)
        .private_key(key.clone())
        .base_url(url)
}

async fn stand_in() -> StandIn {
    let (key, public_key) = rsa_key();
    let provider = Arc::new(Provider {
        public_key,
        seen: Mutex::default(),
    });
    let (url, server) = serve(provider.clone()).await;
    StandIn {
        provider,
        url,
        server,
        key,
    }
}

/// A retry policy with the default's shape but millisecond waits, so tests stay fast.
fn fast_retries() -> rt::RetryPolicy {
    let ms = std::time::Duration::from_millis;
    rt::RetryPolicy {
        budget: 4,
        first_wait: ms(5),
        max_wait: ms(20),
    }
}

fn payment_request(reference: &str) -> direct_debit_payment::Request {
    direct_debit_payment::Request::builder()
        .partner_reference_no(reference)
        .amount(types::Amount::builder().value("10000.00").currency("IDR"))
        .url_param([types::UrlParam::builder()
            .url("https://merchant.example/return")
            .r#type(types::UrlParamType::PayReturn)
            .is_deep_link(types::UrlParamIsDeepLink::N)])
        .valid_up_to("2024-07-10T11:57:58+07:00")
        .additional_info(
            direct_debit_payment::AdditionalInfo::builder()
                .channel(direct_debit_payment::AdditionalInfoChannel::EmoneyDanaSnap)
                .order(direct_debit_payment::AdditionalInfoOrder::builder().order_title("Kopi  susu é")),
        )
        .build()
        .expect("a valid request")
}

fn headers() -> direct_debit_payment::Headers {
    direct_debit_payment::Headers::builder()
        .x_device_id("device42")
        .x_ip_address("203.0.113.10")
        .build()
        .expect("headers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_signed_sent_and_decoded() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    let client = doku::Client::new(config(&key, &url)).expect("client");

    let request = payment_request("INV-0001");
    let reply = client
        .direct_debit_payment(&request, &headers())
        .await
        .expect("a successful payment")
        .into_answered()
        .expect("answered by the call itself");
    assert_eq!(reply.code, direct_debit_payment::Code::Successful);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.reference_no.as_deref(), Some("REF-1"));
    assert_eq!(reply.body.web_redirect_url.as_deref(), Some("https://pay.example/x"));

    // A clone shares the token: a second call does not ask for a new one.
    let again = client
        .clone()
        .direct_debit_payment(&payment_request("INV-0002"), &headers())
        .await
        .expect("second call");
    assert_eq!(
        again.answered().map(|reply| reply.code.outcome()),
        Some(rt::Outcome::Success)
    );

    let seen = provider.seen.lock().expect("lock");
    assert_eq!(seen.token_requests, 1, "one token for both calls");
    // The bytes sent are exactly the serialized request (spaces and non-ASCII inside strings kept).
    assert_eq!(seen.bodies[0], serde_json::to_vec(&request).expect("serialize"));
    assert!(String::from_utf8_lossy(&seen.bodies[0]).contains(r#""orderTitle":"Kopi  susu é""#));
    let h = &seen.headers[0];
    assert_eq!(header(h, "X-DEVICE-ID"), "device42");
    assert_eq!(header(h, "X-IP-ADDRESS"), "203.0.113.10");
    assert_eq!(header(h, "X-PARTNER-ID"), CLIENT_ID);
    assert_eq!(header(h, "CHANNEL-ID"), doku::PROFILE.channel_id.unwrap_or_default());
    assert_eq!(header(h, "X-TIMESTAMP").len(), 25);
    assert!(header(h, "X-TIMESTAMP").ends_with("+07:00"));
    let external = header(h, "X-EXTERNAL-ID");
    assert!(
        external.len() <= 36 && external.bytes().all(|b| b.is_ascii_digit()),
        "{external}"
    );
    assert_ne!(
        external,
        header(&seen.headers[1], "X-EXTERNAL-ID"),
        "a fresh X-EXTERNAL-ID per call"
    );
    drop(seen);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_typed_and_keep_the_raw_answer() {
    let StandIn {
        provider: _,
        url,
        server,
        key,
    } = stand_in().await;
    let client = doku::Client::new(config(&key, &url).retry_policy(fast_retries())).expect("client");

    match client
        .direct_debit_payment(&payment_request("INV-DUP"), &headers())
        .await
    {
        Err(rt::Error::Api {
            status,
            code,
            message,
            raw_body,
        }) => {
            assert_eq!((status, &code), (404, &direct_debit_payment::Code::InconsistentRequest));
            assert_eq!(
                code.outcome(),
                rt::Outcome::Failed,
                "404xx18 is a failure for direct-debit payments"
            );
            assert_eq!(message.as_deref(), Some("Inconsistent Request"));
            assert!(String::from_utf8_lossy(&raw_body).contains("4045418"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    match client
        .direct_debit_payment(&payment_request("INV-ODD"), &headers())
        .await
    {
        Err(rt::Error::Api {
            code: direct_debit_payment::Code::Unknown(raw),
            ..
        }) => assert_eq!(raw.as_str(), "4005499"),
        other => panic!("expected an unknown code, got {other:?}"),
    }
    // A gateway that never answers properly: the status endpoint never sees the payment, each resend fails
    // the same way, and once the budget is spent the outcome is reported as unknown, keeping the last answer.
    match client
        .direct_debit_payment(&payment_request("INV-HTML"), &headers())
        .await
    {
        Err(rt::Error::OutcomeUnknown { queries, last }) => match *last {
            rt::Error::InvalidBody { status, raw_body } => {
                assert_eq!(queries, 4);
                assert_eq!((status, raw_body.as_slice()), (502, &b"<html>bad gateway</html>"[..]))
            }
            other => panic!("expected an invalid body, got {other:?}"),
        },
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    // A wrong secret is caught by the provider's signature check.
    let (other_key, _) = rsa_key();
    let wrong = doku::Client::new(
        rt::Config::new(CLIENT_ID)
            .client_secret("nope")
            .private_key(other_key)
            .base_url(&url),
    )
    .expect("client");
    match wrong
        .direct_debit_payment(&payment_request("INV-0003"), &headers())
        .await
    {
        Err(rt::Error::Token { status: 401, code, .. }) => assert_eq!(code.as_str(), "4017300"),
        other => panic!("expected a token error, got {other:?}"),
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_refreshed_once_and_the_call_replayed_with_the_same_ids() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    let client = doku::Client::new(config(&key, &url)).expect("client");
    let reply = client
        .direct_debit_payment(&payment_request("INV-REVOKED"), &headers())
        .await
        .expect("replayed call")
        .into_answered()
        .expect("answered by the replay");
    assert_eq!(reply.code, direct_debit_payment::Code::Successful);
    let seen = provider.seen.lock().expect("lock");
    assert_eq!(seen.token_requests, 2, "one refresh");
    assert_eq!(seen.bodies.len(), 2, "one replay");
    assert_eq!(seen.bodies[0], seen.bodies[1], "the same body");
    assert_eq!(
        header(&seen.headers[0], "X-EXTERNAL-ID"),
        header(&seen.headers[1], "X-EXTERNAL-ID")
    );
    assert_eq!(header(&seen.headers[1], "Authorization"), format!("Bearer {TOKEN}-2"));
    drop(seen);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_calls_at_token_expiry_cause_exactly_one_token_request() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    // 61 s tokens: with the client's 60 s safety margin they are due for renewal after one second.
    provider.seen.lock().expect("lock").token_lifetime = Some(61);
    let client = doku::Client::new(config(&key, &url)).expect("client");
    client
        .direct_debit_payment(&payment_request("INV-FIRST-0000"), &headers())
        .await
        .expect("first payment");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    hundred_concurrent_payments(&client, "INV-EXP").await;
    let seen = provider.seen.lock().expect("lock");
    assert_eq!(
        seen.token_requests, 2,
        "the first token, then exactly one renewal for the hundred calls"
    );
    let renewed = seen
        .headers
        .iter()
        .filter(|h| header(h, "Authorization") == format!("Bearer {TOKEN}-2"))
        .count();
    assert_eq!(renewed, 100, "every call after expiry used the renewed token");
    drop(seen);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_calls_share_one_token_request() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    let client = doku::Client::new(config(&key, &url)).expect("client");
    hundred_concurrent_payments(&client, "INV").await;
    assert_eq!(provider.seen.lock().expect("lock").token_requests, 1);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_settled_by_status_never_by_a_second_payment() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    let client = doku::Client::new(config(&key, &url).retry_policy(fast_retries())).expect("client");

    // Committed but the answer lost: the status endpoint confirms it; no second payment is sent. What the
    // caller reads is the status endpoint's own answer, in its types, never a made-up payment answer.
    let lost = client
        .direct_debit_payment(&payment_request("INV-LOST-1"), &headers())
        .await
        .expect("confirmed");
    assert!(lost.answered().is_none(), "the payment's own answer was lost");
    let confirmation = lost.confirmed_by_status().expect("confirmed by the status endpoint");
    assert_eq!(confirmation.status, 200);
    assert_eq!(confirmation.code, direct_debit_status::Code::Successful);
    assert_eq!(confirmation.message.as_deref(), Some("Successful"));
    assert_eq!(confirmation.status_value, "00");
    assert_eq!(confirmation.body.latest_transaction_status.as_deref(), Some("00"));
    assert!(String::from_utf8_lossy(&confirmation.raw_body).contains(r#""responseCode":"2005500""#));
    // Never reached the ledger: the status endpoint says so, and the same request is sent once more.
    let never = client
        .direct_debit_payment(&payment_request("INV-NEVER-1"), &headers())
        .await
        .expect("sent again");
    assert!(never.confirmed_by_status().is_none());
    assert_eq!(
        never.answered().map(|reply| &reply.code),
        Some(&direct_debit_payment::Code::Successful)
    );

    let seen = provider.seen.lock().expect("lock");
    let sent_as = |reference: &str| -> Vec<&str> {
        seen.bodies
            .iter()
            .zip(&seen.headers)
            .filter(|(b, _)| String::from_utf8_lossy(b).contains(reference))
            .map(|(_, h)| header(h, "X-EXTERNAL-ID"))
            .collect()
    };
    assert_eq!(
        lost.external_id(),
        sent_as("INV-LOST-1")[0],
        "the payment's X-EXTERNAL-ID"
    );
    assert_eq!(
        never.external_id(),
        sent_as("INV-NEVER-1")[1],
        "the X-EXTERNAL-ID of the resend the provider committed"
    );
    let sent = |reference: &str| {
        seen.bodies
            .iter()
            .filter(|b| String::from_utf8_lossy(b).contains(reference))
            .count()
    };
    assert_eq!(sent("INV-LOST-1"), 1, "a lost answer is never paid twice");
    assert_eq!(
        sent("INV-NEVER-1"),
        2,
        "an unseen payment is sent again with the same references"
    );
    assert_eq!(seen.committed.iter().filter(|r| r.as_str() == "INV-LOST-1").count(), 1);
    assert_eq!(seen.committed.iter().filter(|r| r.as_str() == "INV-NEVER-1").count(), 1);
    assert_eq!(seen.status_queries, 2);
    drop(seen);
    server.abort();
}

#[test]
fn secrets_never_reach_debug_output() {
    let (key, _) = rsa_key();
    let config = rt::Config::new(CLIENT_ID).client_secret(SECRET).private_key(key);
    let client = doku::Client::new(config.clone().base_url("http://127.0.0.1:9")).expect("client");
    let printed = format!("{config:?} {client:?}");
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(
        !printed.contains("PRIVATE KEY") && !printed.contains("MII"),
        "{printed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_tokens_are_granted_then_renewed_once_with_the_refresh_token() {
    let StandIn {
        provider,
        url,
        server,
        key,
    } = stand_in().await;
    let client = rt::Client::new(&doku::PROFILE, config(&key, &url)).expect("client");
    let endpoint = &doku::token_b2b2c::ENDPOINT;
    assert!(
        rt::customer::CustomerSession::start(&client, endpoint, "code-wrong")
            .await
            .is_err(),
        "a refused code"
    );
    let session = rt::customer::CustomerSession::start(&client, endpoint, "code-ok")
        .await
        .expect("granted")
        .refresh_margin(std::time::Duration::from_secs(1));
    assert_eq!(session.access_token().await.expect("token").expose(), "cust-1");
    assert_eq!(session.authorization_customer().await.expect("header"), "Bearer cust-1");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let renewals: Vec<_> = (0..10)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.access_token().await.map(|t| t.expose().to_owned()) })
        })
        .collect();
    for renewal in renewals {
        assert_eq!(renewal.await.expect("task").expect("renewed"), "cust-2");
    }
    assert_eq!(
        provider.seen.lock().expect("lock").customer_grants,
        ["AUTHORIZATION_CODE", "REFRESH_TOKEN"],
        "one renewal for ten callers"
    );
    assert!(!format!("{session:?}").contains("cust-"), "no token in Debug");
    server.abort();
}

/// Collects everything tracing writes, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_debug_display_errors_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // Global, so traces from every thread are captured (those of the other tests in this binary too,
    // which only widens the check); a scoped subscriber misses callsites other threads cached first.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");

    let StandIn {
        provider: _,
        url,
        server,
        key,
    } = stand_in().await;
    let config = config(&key, &url);
    let client = doku::Client::new(config.clone()).expect("client");
    let mut printed = vec![format!("{config:?}"), format!("{client:?}"), format!("{key:?}")];
    let ok = client
        .direct_debit_payment(&payment_request("INV-0001"), &headers())
        .await;
    printed.push(format!("{ok:?}"));
    let api = client
        .direct_debit_payment(&payment_request("INV-DUP"), &headers())
        .await;
    printed.push(format!("{api:?}"));
    if let Err(e) = &api {
        printed.push(e.to_string());
    }
    // Without the secret its symmetric endpoints sign with, a DOKU client is refused when it is built.
    let no_secret = doku::Client::new(rt::Config::new(CLIENT_ID).private_key(key.clone()).base_url(&url))
        .expect_err("a DOKU client needs its client secret");
    printed.extend([format!("{no_secret:?}"), no_secret.to_string()]);
    let (other_key, _) = rsa_key();
    let refused = doku::Client::new(
        rt::Config::new(CLIENT_ID)
            .client_secret(SECRET)
            .private_key(other_key)
            .base_url(&url),
    )
    .expect("client")
    .direct_debit_payment(&payment_request("INV-0003"), &headers())
    .await;
    printed.push(format!("{refused:?}"));
    if let Err(e) = &refused {
        printed.push(e.to_string());
    }
    let token = rt::secret::AccessToken::from(format!("{TOKEN}-1"));
    let secret = rt::secret::ClientSecret::from(SECRET);
    let hmac = rt::signature::HmacKey::new(&secret).expect("key");
    printed.extend([format!("{token:?}"), format!("{secret:?}"), format!("{hmac:?}")]);
    server.abort();

    let traces = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(!traces.is_empty(), "the calls were traced");
    printed.push(traces);
    let key_text = format!("{:?}", key.public_key());
    for text in &printed {
        for secret in [SECRET, TOKEN, "PRIVATE KEY", "MII"] {
            assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
        }
        assert!(!key_text.contains("MII"), "the key's Debug holds no key material");
    }
}

/// A hundred payments at once on clones of `client`, each with its own reference; all must succeed.
async fn hundred_concurrent_payments(client: &doku::Client, prefix: &str) {
    let calls = (0..100).map(|i| {
        let (client, reference) = (client.clone(), format!("{prefix}-{i:04}"));
        tokio::spawn(async move {
            client
                .direct_debit_payment(&payment_request(&reference), &headers())
                .await
        })
    });
    for call in calls {
        call.await.expect("task").expect("payment");
    }
}

/// A client lacking a key its endpoints sign with is refused when it is built, naming the key and why; a key
/// no endpoint of the provider signs with may be left out.
#[test]
fn a_client_without_the_keys_its_endpoints_need_is_refused_when_built() {
    let (key, _) = rsa_key();
    let url = "http://127.0.0.1:9";
    let refusal = |config: rt::Config| doku::Client::new(config).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        refusal(rt::Config::new(CLIENT_ID).private_key(key.clone()).base_url(url)),
        Err(
            "doku needs `client_secret` (Config::client_secret): its symmetric endpoints are signed with \
             hmac-sha512"
                .to_owned()
        )
    );
    assert!(
        refusal(
            rt::Config::new(CLIENT_ID)
                .client_secret("")
                .private_key(key.clone())
                .base_url(url)
        )
        .is_err(),
        "an empty secret is no secret"
    );
    let no_key = refusal(rt::Config::new(CLIENT_ID).client_secret(SECRET).base_url(url));
    assert!(
        no_key
            .as_ref()
            .is_err_and(|e| e.starts_with("doku needs `private_key` (Config::private_key)")),
        "{no_key:?}"
    );
    assert_eq!(refusal(config(&key, url)), Ok(()));
    // DANA signs everything with RSA: no client secret is needed, the private key is.
    assert!(dana::Client::new(rt::Config::new(CLIENT_ID).private_key(key.clone()).base_url(url)).is_ok());
    let dana = dana::Client::new(rt::Config::new(CLIENT_ID).client_secret(SECRET).base_url(url));
    assert!(matches!(
        dana,
        Err(rt::ConfigError::MissingCredential {
            provider: "dana",
            credential: "private_key",
            ..
        })
    ));
    // The runtime client takes the profile's recipes: the same rule.
    assert!(
        rt::Client::new(
            &doku::PROFILE,
            rt::Config::new(CLIENT_ID).private_key(key).base_url(url)
        )
        .is_err()
    );
}
