//! The inbound verifier against notifications signed like DOKU signs them: the genuine one is accepted
//! and decoded into the generated type; a changed body byte, a changed signature, a stale or future
//! timestamp, a replayed X-EXTERNAL-ID, each missing header and a wrong key are refused with the SNAP
//! answer the provider expects; a merchant handler built with the axum extractor does the same over HTTP.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use snapbi::doku::{self, direct_debit_notify as notify};
use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Rejection, Verifier};
use time::OffsetDateTime;

const SECRET: &str = "merchant-shared-secret";
const TOKEN: &str = "token-the-merchant-issued-to-doku";
const PATH: &str = "/payments/notifications";

fn body() -> Vec<u8> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let endpoint = api.endpoint(&notify::ENDPOINT.id).expect("the notify spec");
    let sample = snapbi_spec::ir::samples::sample_object(&api, &endpoint.request);
    // Pretty-printed on purpose: the signature covers the minified form of whatever bytes arrive.
    serde_json::to_vec_pretty(&sample).expect("json")
}

fn timestamp(at: OffsetDateTime) -> String {
    doku::PROFILE.timestamp.format(at)
}

fn signed(body: &[u8], at: OffsetDateTime, external_id: &str) -> HeaderMap {
    let ts = timestamp(at);
    let token = rt::secret::AccessToken::from(TOKEN);
    let secret = rt::secret::ClientSecret::from(SECRET);
    let signature = rt::signature::sign_symmetric("POST", PATH, &token, body, &ts, &secret).expect("sign");
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("Content-Type", "application/json".to_owned()),
        ("X-TIMESTAMP", ts),
        ("X-SIGNATURE", signature),
        ("X-PARTNER-ID", "BRN-0001".to_owned()),
        ("X-EXTERNAL-ID", external_id.to_owned()),
        ("CHANNEL-ID", "H2H".to_owned()),
        ("Authorization", format!("Bearer {TOKEN}")),
    ] {
        headers.insert(
            HeaderName::from_static(leak_lower(name)),
            HeaderValue::from_str(&value).expect("header"),
        );
    }
    headers
}

fn leak_lower(name: &str) -> &'static str {
    Box::leak(name.to_ascii_lowercase().into_boxed_str())
}

fn verifier() -> Verifier {
    Verifier::new(&doku::PROFILE, &notify::ENDPOINT, InboundKey::Secret(SECRET.into()))
}

#[test]
fn the_genuine_notification_is_accepted_and_decoded() {
    let body = body();
    let verifier = verifier();
    let verified = verifier
        .verify(PATH, &signed(&body, OffsetDateTime::now_utc(), "1001"), &body)
        .expect("genuine");
    assert_eq!(verified.partner, "BRN-0001");
    verified
        .payload::<notify::Request>()
        .expect("the body passes the generated validators");
    assert_eq!(
        verifier.acknowledge().1,
        r#"{"responseCode":"2005600","responseMessage":"Successful"}"#
    );
}

#[test]
fn tampering_staleness_replay_and_wrong_keys_are_refused() {
    let body = body();
    let now = OffsetDateTime::now_utc();
    let verifier = verifier();

    let mut changed = body.clone();
    let at = changed.iter().position(|b| *b == b'"').expect("a string") + 1;
    changed[at] ^= 0x01;
    assert_eq!(
        verifier.verify(PATH, &signed(&body, now, "2001"), &changed).err(),
        Some(Rejection::BadSignature)
    );

    let mut headers = signed(&body, now, "2002");
    headers.insert("x-signature", HeaderValue::from_static("AAAA"));
    assert_eq!(
        verifier.verify(PATH, &headers, &body).err(),
        Some(Rejection::BadSignature)
    );

    for skew in [-600i64, 600] {
        let headers = signed(&body, now + time::Duration::seconds(skew), "2003");
        assert_eq!(
            verifier.verify(PATH, &headers, &body).err(),
            Some(Rejection::Stale(Duration::from_secs(300)))
        );
    }

    let headers = signed(&body, now, "2004");
    assert!(verifier.verify(PATH, &headers, &body).is_ok());
    assert_eq!(verifier.verify(PATH, &headers, &body).err(), Some(Rejection::Replayed));

    assert_eq!(
        verifier
            .verify("/another/path", &signed(&body, now, "2005"), &body)
            .err(),
        Some(Rejection::BadSignature)
    );

    let wrong = Verifier::new(
        &doku::PROFILE,
        &notify::ENDPOINT,
        InboundKey::Secret("not-the-secret".into()),
    );
    assert_eq!(
        wrong.verify(PATH, &signed(&body, now, "2006"), &body).err(),
        Some(Rejection::BadSignature)
    );

    let picky = verifier.clone().accept_token(|t| t.expose() == "only-this-one");
    assert_eq!(
        picky.verify(PATH, &signed(&body, now, "2007"), &body).err(),
        Some(Rejection::BadSignature)
    );
}

#[test]
fn every_missing_header_is_named() {
    let body = body();
    let verifier = verifier();
    for name in [
        "X-TIMESTAMP",
        "X-SIGNATURE",
        "X-PARTNER-ID",
        "X-EXTERNAL-ID",
        "CHANNEL-ID",
        "Authorization",
    ] {
        let mut headers = signed(&body, OffsetDateTime::now_utc(), "3001");
        headers.remove(name);
        // CHANNEL-ID is not covered by the signature, but it is mandatory all the same.
        let rejection = verifier.verify(PATH, &headers, &body).expect_err(name);
        assert_eq!(rejection, Rejection::MissingHeader(name.into()), "{name}");
        let (status, answer) = verifier.reject(&rejection);
        assert_eq!(status, 400);
        assert!(answer.contains("4005602") && answer.contains(name), "{answer}");
    }
}

/// A merchant's notification endpoint in a few lines, with the runtime's axum extractor.
mod merchant {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::routing::post;
    use snapbi::rt::inbound::Verifier;
    use snapbi::rt::inbound::axum::{Ack, Notification};

    use super::notify;

    #[derive(Clone)]
    pub struct App {
        pub verifier: Verifier,
        pub received: Arc<Mutex<Vec<String>>>,
    }

    impl axum::extract::FromRef<App> for Verifier {
        fn from_ref(app: &App) -> Verifier {
            app.verifier.clone()
        }
    }

    async fn notified(State(app): State<App>, Notification(payment, _sender): Notification<notify::Request>) -> Ack {
        let reference = serde_json::to_value(&payment)
            .ok()
            .and_then(|v| v["originalPartnerReferenceNo"].as_str().map(str::to_owned));
        app.received.lock().expect("lock").push(reference.unwrap_or_default());
        Ack(&snapbi::doku::PROFILE, &notify::ENDPOINT)
    }

    pub fn router(app: App) -> Router {
        Router::new().route(super::PATH, post(notified)).with_state(app)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_handler_built_with_the_extractor_answers_the_provider() {
    let app = merchant::App {
        verifier: verifier(),
        received: Default::default(),
    };
    let received = app.received.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}{PATH}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, merchant::router(app)).await;
    });
    let http = reqwest::Client::new();
    let body = body();
    let post = |headers: HeaderMap, body: Vec<u8>| {
        let request = http.post(&url).headers(headers).body(body);
        async move {
            let response = request.send().await.expect("the merchant answers");
            let status = response.status().as_u16();
            let json: serde_json::Value = response.json().await.expect("a SNAP body");
            (status, json["responseCode"].as_str().unwrap_or_default().to_owned())
        }
    };
    let now = OffsetDateTime::now_utc();
    let genuine = signed(&body, now, "4001");
    assert_eq!(post(genuine.clone(), body.clone()).await, (200, "2005600".into()));
    assert_eq!(post(genuine, body.clone()).await, (409, "4095600".into()), "a replay");
    let mut tampered = body.clone();
    let inside_a_string = tampered.iter().position(|b| *b == b'"').expect("a string") + 1;
    tampered[inside_a_string] ^= 0x01;
    assert_eq!(
        post(signed(&body, now, "4002"), tampered).await,
        (401, "4015600".into())
    );
    let mut missing = signed(&body, now, "4003");
    missing.remove("X-TIMESTAMP");
    assert_eq!(post(missing, body.clone()).await, (400, "4005602".into()));
    let stale = signed(&body, now - time::Duration::minutes(30), "4004");
    assert_eq!(post(stale, body.clone()).await, (401, "4015600".into()));
    assert_eq!(
        received.lock().expect("lock").len(),
        1,
        "only the genuine notification reached the handler"
    );
    server.abort();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: std::env::var("SNAPBI_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256), ..Default::default() })]

    /// Bounded fuzzing: whatever headers and body arrive, the verifier answers and never panics.
    #[test]
    fn the_verifier_never_panics(
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        values in proptest::collection::vec("\\PC{0,40}", 7),
        keep in proptest::collection::vec(proptest::prelude::any::<bool>(), 7),
    ) {
        let mut headers = HeaderMap::new();
        let names = ["x-timestamp", "x-signature", "x-partner-id", "x-external-id", "channel-id", "authorization", "content-type"];
        for ((name, value), keep) in names.iter().zip(&values).zip(&keep) {
            if let (true, Ok(value)) = (keep, HeaderValue::from_str(value)) {
                headers.insert(*name, value);
            }
        }
        let _ = verifier().verify(PATH, &headers, &body);
    }
}

#[test]
fn the_merchant_issues_tokens_only_to_a_verified_provider_and_accepts_only_those() {
    use snapbi::rt::inbound::TokenIssuer;
    let doku_key = snapbi_tests::throwaway_rsa_key();
    let issuer = TokenIssuer::new(
        &doku::PROFILE,
        &doku::merchant_token_b2b::ENDPOINT,
        doku_key.public_key(),
    );
    let now = OffsetDateTime::now_utc();
    let request = |key: &rt::keys::PrivateKey, at: OffsetDateTime| {
        let ts = timestamp(at);
        let signature = rt::signature::sign_token("DOKU-CLIENT", &ts, key).expect("sign");
        let mut headers = HeaderMap::new();
        headers.insert("x-client-key", HeaderValue::from_static("DOKU-CLIENT"));
        headers.insert("x-timestamp", HeaderValue::from_str(&ts).expect("header"));
        headers.insert("x-signature", HeaderValue::from_str(&signature).expect("header"));
        headers
    };
    let (status, answer) = issuer.issue(&request(&doku_key, now), now);
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(answer["responseCode"], "2007300");
    let token = rt::secret::AccessToken::from(answer["accessToken"].as_str().expect("a token"));
    assert!(issuer.accepts(&token));
    assert!(!issuer.accepts(&rt::secret::AccessToken::from("made-up")));

    let impostor = snapbi_tests::throwaway_rsa_key();
    assert!(issuer.issue(&request(&impostor, now), now).1.contains("4017300"));
    assert!(
        issuer
            .issue(&request(&doku_key, now - time::Duration::minutes(20)), now)
            .1
            .contains("4017300")
    );
    let mut missing = request(&doku_key, now);
    missing.remove("x-timestamp");
    assert_eq!(issuer.issue(&missing, now).0, 400);

    // Notifications then carry the issued token; the verifier takes only tokens this issuer gave out.
    let check = issuer.clone();
    let verifier = verifier().accept_token(move |t| check.accepts(t));
    let body = body();
    assert_eq!(
        verifier.verify(PATH, &signed(&body, now, "5001"), &body).err(),
        Some(Rejection::BadSignature),
        "TOKEN was never issued"
    );
    let ts = timestamp(now);
    let signature = rt::signature::sign_symmetric("POST", PATH, &token, &body, &ts, &SECRET.into()).expect("sign");
    let mut headers = signed(&body, now, "5002");
    headers.insert("x-timestamp", HeaderValue::from_str(&ts).expect("header"));
    headers.insert("x-signature", HeaderValue::from_str(&signature).expect("header"));
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {}", token.expose())).expect("header"),
    );
    assert!(verifier.verify(PATH, &headers, &body).is_ok());
}

#[test]
fn a_doku_va_inquiry_from_the_bank_side_is_verified_and_answered_with_a_typed_response() {
    use snapbi::doku::va_inquiry as inquiry;
    use snapbi::types::VaBilingualText;
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let endpoint = api.endpoint(&inquiry::ENDPOINT.id).expect("the VA inquiry spec");
    let body = serde_json::to_vec(&snapbi_spec::ir::samples::sample_object(&api, &endpoint.request)).expect("json");
    let verifier = Verifier::new(&doku::PROFILE, &inquiry::ENDPOINT, InboundKey::Secret(SECRET.into()));
    let verified = verifier
        .verify(PATH, &signed(&body, OffsetDateTime::now_utc(), "6001"), &body)
        .expect("genuine");
    let question = verified.payload::<inquiry::Request>().expect("a valid inquiry");
    let asked = serde_json::to_value(&question).expect("json");

    let answer = inquiry::Response::builder()
        .response_code("2002400")
        .response_message("Successful")
        .virtual_account_data(
            inquiry::ResponseVirtualAccountData::builder()
                .inquiry_status(inquiry::ResponseVirtualAccountDataInquiryStatus::V00)
                .inquiry_reason(VaBilingualText::builder().english("Success").indonesia("Sukses"))
                .virtual_account_no(asked["virtualAccountNo"].as_str().unwrap_or_default())
                .virtual_account_name("Jokul Doe"),
        )
        .build()
        .expect("a valid answer");
    let sent = serde_json::to_value(&answer).expect("json");
    assert_eq!(sent["responseCode"], "2002400");
    assert_eq!(sent["virtualAccountData"]["inquiryStatus"], "00");
    assert_eq!(sent["virtualAccountData"]["inquiryReason"]["indonesia"], "Sukses");
    assert_eq!(
        sent["virtualAccountData"]["virtualAccountNo"],
        asked["virtualAccountNo"]
    );
}

#[test]
fn a_dana_finish_notify_signed_with_dana_s_key_verifies_through_the_spi_verifier() {
    use snapbi::dana::{self, payment_gateway_finish_notify as finish};
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let endpoint = api.endpoint(&finish::ENDPOINT.id).expect("the finish notify spec");
    let body = serde_json::to_vec(&snapbi_spec::ir::samples::sample_object(&api, &endpoint.request)).expect("json");
    let dana_key = snapbi_tests::throwaway_rsa_key();
    let now = OffsetDateTime::now_utc();
    let sign = |key: &rt::keys::PrivateKey, external_id: &str| {
        let ts = dana::PROFILE.timestamp.format(now);
        let signature = rt::signature::sign_asymmetric("POST", PATH, &body, &ts, key).expect("sign");
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-timestamp", ts),
            ("x-signature", signature),
            ("x-partner-id", "DANA-PARTNER".to_owned()),
            ("x-external-id", external_id.to_owned()),
            ("channel-id", "DANA".to_owned()),
        ] {
            headers.insert(name, HeaderValue::from_str(&value).expect("header"));
        }
        headers
    };
    let verifier = Verifier::new(
        &dana::PROFILE,
        &finish::ENDPOINT,
        InboundKey::PublicKey(dana_key.public_key()),
    );
    let verified = verifier
        .verify(PATH, &sign(&dana_key, "7001"), &body)
        .expect("DANA's genuine notification");
    verified
        .payload::<finish::Request>()
        .expect("the body passes the generated validators");
    let impostor = snapbi_tests::throwaway_rsa_key();
    assert_eq!(
        verifier.verify(PATH, &sign(&impostor, "7002"), &body).err(),
        Some(Rejection::BadSignature)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_signs_dana_notifications_with_its_provider_key_and_they_verify() {
    use snapbi::dana::{self, payment_gateway_create_order as create, payment_gateway_finish_notify as finish};
    use snapbi::rt::inbound::axum::{Ack, Notification};
    use snapbi_sandbox::{
        Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_PROVIDER_PUBLIC_KEY_PEM, Sandbox,
    };
    use std::sync::{Arc, Mutex};

    #[derive(Clone)]
    struct Merchant(Verifier, Arc<Mutex<Vec<String>>>);
    impl axum::extract::FromRef<Merchant> for Verifier {
        fn from_ref(m: &Merchant) -> Verifier {
            m.0.clone()
        }
    }
    async fn notified(
        axum::extract::State(m): axum::extract::State<Merchant>,
        Notification(payment, _): Notification<finish::Request>,
    ) -> Ack {
        let body = serde_json::to_value(&payment).unwrap_or_default();
        m.1.lock()
            .expect("lock")
            .push(body["latestTransactionStatus"].as_str().unwrap_or_default().to_owned());
        Ack(&dana::PROFILE, &finish::ENDPOINT)
    }

    let dana_public = rt::keys::PublicKey::from_pem(DEMO_PROVIDER_PUBLIC_KEY_PEM).expect("demo provider key");
    let merchant = Merchant(
        Verifier::new(&dana::PROFILE, &finish::ENDPOINT, InboundKey::PublicKey(dana_public)),
        Arc::default(),
    );
    let received = merchant.1.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let notify_url = format!("http://{}{PATH}", listener.local_addr().expect("address"));
    let app = axum::Router::new()
        .route(PATH, axum::routing::post(notified))
        .with_state(merchant);
    let receiver = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    let order =
        snapbi_spec::ir::samples::sample_object(&api, &api.endpoint(&create::ENDPOINT.id).expect("spec").request);
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("dana")
        .expect("dana")
        .credentials(Credentials::demo())
        .notify_url(&notify_url)
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("loopback");
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("demo key");
    let client = dana::Client::new(rt::Config::new(DEMO_CLIENT_ID).private_key(key).base_url(&base)).expect("client");
    let created = client
        .runtime()
        .call::<serde_json::Value, serde_json::Value, rt::ResponseCode>(&create::ENDPOINT, &order, &[])
        .await
        .expect("order created");
    assert_eq!(created.code.as_str(), "2005400");
    sandbox
        .complete_payment(order["partnerReferenceNo"].as_str().unwrap_or_default())
        .expect("paid");
    assert!(sandbox.wait_for_notifications(std::time::Duration::from_secs(10)).await);
    assert_eq!(*received.lock().expect("lock"), ["00"], "{:?}", sandbox.notifications());
    handle.abort();
    receiver.abort();
}
