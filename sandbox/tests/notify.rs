//! Notification delivery over loopback: an axum receiver on 127.0.0.1:0 plays the merchant.
//!
//! The signature is checked with the client runtime's own verifier, the body with the generated validator
//! of the notify endpoint, and the retries run DOKU's real schedule compressed 100 000 times
//! (1800 s → 18 ms).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::{Value, json};
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_runtime::signature::verify_symmetric;
use snapbi_runtime::timestamp::SnapTimestamp;
use snapbi_sandbox::notify::{Delivery, Notifier, NotifySigner, PaymentFacts, Schedule, notification_body};
use snapbi_spec::ir::{Api, AuthKind, Direction, Provider};

const NOTIFY_ID: &str = "doku.direct_debit.notify";
const CLIENT_ID: &str = "BRN-0201-1700000000000";
const SECRET: &str = "notify-secret-do-not-print";
const TOKEN: &str = "merchant-issued-token-do-not-print";
/// DOKU's schedule (1800, 21600, 43200 s) becomes 18, 216 and 432 ms.
const COMPRESSION: u32 = 100_000;
const IDLE: Duration = Duration::from_secs(20);

fn api() -> Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_spec::load(&specs, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

fn doku(api: &Api) -> &Provider {
    api.provider("doku").expect("the doku provider is in the specs")
}

fn signer() -> NotifySigner {
    NotifySigner::new(CLIENT_ID, ClientSecret::from(SECRET), AccessToken::from(TOKEN))
}

fn facts() -> PaymentFacts {
    PaymentFacts {
        partner_reference_no: "INV-0001".into(),
        reference_no: "2020102900000000000001".into(),
        external_id: Some("20230926103436".into()),
        amount_value: Some("10000.00".into()),
        currency: "IDR".into(),
        latest_transaction_status: "00".into(),
        merchant_id: None,
        created: "2024-07-10T11:57:58+07:00".into(),
        finished: "2024-07-10T11:58:30+07:00".into(),
    }
}

/// Runs the generated validator of the notify endpoint's request body.
fn validate(body: &Value) -> Result<(), String> {
    let entry = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == NOTIFY_ID)
        .unwrap_or_else(|| panic!("{NOTIFY_ID} is not in the generated client"));
    (entry.validate_body)(body.clone()).map_err(|e| e.to_string())
}

/// One request the merchant received.
struct Hit {
    path_and_query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Hit {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }
}

/// The merchant: answers the n-th request with `script[n]` (the last entry repeats), after `delay`.
struct Merchant {
    script: Vec<u16>,
    delay: Duration,
    hits: Mutex<Vec<Hit>>,
}

impl Merchant {
    fn hits(&self) -> std::sync::MutexGuard<'_, Vec<Hit>> {
        self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn receive(
    State(merchant): State<Arc<Merchant>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let n = {
        let mut hits = merchant.hits();
        hits.push(Hit {
            path_and_query: uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            headers,
            body,
        });
        hits.len() - 1
    };
    tokio::time::sleep(merchant.delay).await;
    let status = merchant
        .script
        .get(n)
        .or(merchant.script.last())
        .copied()
        .unwrap_or(200);
    let ack = match status {
        200..=299 => json!({"responseCode": "2005600", "responseMessage": "Successful"}),
        _ => json!({"responseCode": "5005601", "responseMessage": "Internal Server Error"}),
    };
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(ack),
    )
}

/// Starts a merchant on a free loopback port; returns its base URL.
async fn merchant(script: Vec<u16>, delay: Duration) -> (String, Arc<Merchant>) {
    let merchant = Arc::new(Merchant {
        script,
        delay,
        hits: Mutex::new(Vec::new()),
    });
    let app = Router::new().fallback(receive).with_state(Arc::clone(&merchant));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), merchant)
}

fn compressed(api: &Api) -> Schedule {
    Schedule::from_provider(doku(api)).compressed(COMPRESSION)
}

#[test]
fn the_body_has_the_specs_fields_in_order_and_passes_the_generated_validator() {
    let api = api();
    let endpoint = snapbi_sandbox::notify::notify_endpoint(&api, "doku").expect("doku has a notify endpoint");
    assert_eq!(endpoint.info.id, NOTIFY_ID);
    assert_eq!(endpoint.direction, Direction::Inbound);

    let body = notification_body(&api, "doku", &facts());
    validate(&body).unwrap_or_else(|e| panic!("{body} rejected: {e}"));
    let keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    // Spec order; merchantId (None), subMerchantId, externalStoreId and additionalInfo have no fact.
    assert_eq!(
        keys,
        [
            "originalPartnerReferenceNo",
            "originalReferenceNo",
            "originalExternalId",
            "amount",
            "latestTransactionStatus",
            "transactionStatusDesc",
            "createdTime",
            "finishedTime",
        ]
    );
    let declared: Vec<&str> = endpoint.request.iter().map(|f| f.wire.as_str()).collect();
    assert!(keys.iter().all(|k| declared.contains(k)));
    assert_eq!(
        serde_json::to_string(&body["amount"]).ok().as_deref(),
        Some(r#"{"value":"10000.00","currency":"IDR"}"#)
    );
    assert_eq!(body["transactionStatusDesc"], "Success");

    // A closed payment with a merchant id and no external id.
    let closed = PaymentFacts {
        latest_transaction_status: "05".into(),
        merchant_id: Some("M-1".into()),
        external_id: None,
        ..facts()
    };
    let body = notification_body(&api, "doku", &closed);
    validate(&body).unwrap_or_else(|e| panic!("{body} rejected: {e}"));
    assert_eq!(body["merchantId"], "M-1");
    assert_eq!(body["transactionStatusDesc"], "Cancelled");
    assert!(body.get("originalExternalId").is_none());

    // A payment made without an amount is notified without one, never with a made-up amount.
    let unpriced = PaymentFacts {
        amount_value: None,
        currency: String::new(),
        ..facts()
    };
    let body = notification_body(&api, "doku", &unpriced);
    assert!(body.get("amount").is_none(), "{body}");
    assert_eq!(body["originalPartnerReferenceNo"], facts().partner_reference_no);

    // Broken facts are caught by the same validator the merchant's side uses.
    let broken = PaymentFacts {
        partner_reference_no: "x".repeat(65),
        ..facts()
    };
    let e = validate(&notification_body(&api, "doku", &broken)).expect_err("65 characters are too many");
    assert!(e.contains("originalPartnerReferenceNo"), "{e}");

    // A provider without a notify endpoint gets an empty body rather than a panic.
    assert_eq!(notification_body(&api, "nobody", &facts()), json!({}));
}

#[test]
fn the_schedule_is_the_providers_and_compresses() {
    let api = api();
    let schedule = Schedule::from_provider(doku(&api));
    assert_eq!(
        schedule.delays,
        [1800, 21600, 43200].map(Duration::from_secs).to_vec(),
        "DOKU retries at +30 min, +6 h and +12 h after the original (snap-standard §5.2)"
    );
    assert_eq!(schedule.attempts(), 4);
    assert_eq!(
        schedule.compressed(COMPRESSION).delays,
        [18, 216, 432].map(Duration::from_millis).to_vec()
    );
    assert_eq!(Schedule::immediate_for_tests(3).delays, vec![Duration::ZERO; 3]);
    let dana = api.provider("dana").expect("dana in the specs");
    assert_eq!(
        Schedule::from_provider(dana).delays,
        [2, 10, 60, 120, 360, 900]
            .map(|minutes| Duration::from_secs(minutes * 60))
            .to_vec(),
        "DANA resends a finish notify at t + 2, 10, 60, 120, 360 and 900 minutes (DANA's page, seed 002)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_verifies_with_the_runtimes_verifier_over_the_raw_body_and_the_urls_path() {
    let api = api();
    let provider = doku(&api);
    let (base, merchant) = merchant(vec![200], Duration::ZERO).await;
    let notifier = Notifier::new(provider, compressed(&api), signer());
    let body = notification_body(&api, "doku", &facts());
    notifier.deliver(format!("{base}/payments/notifications"), body.clone());
    notifier.deliver(format!("{base}/hooks/doku?shop=7&v=2"), body.clone());
    assert!(notifier.wait_idle(IDLE).await, "deliveries did not finish");

    let hits = merchant.hits();
    assert_eq!(hits.len(), 2);
    let mut paths: Vec<&str> = hits.iter().map(|h| h.path_and_query.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/hooks/doku?shop=7&v=2", "/payments/notifications"]);
    for hit in hits.iter() {
        // What a merchant does: token from Authorization, its own path, the raw body as received.
        let token = AccessToken::from_authorization_header(hit.header("Authorization")).expect("a Bearer token");
        assert_eq!(token.expose(), TOKEN);
        let verified = verify_symmetric(
            "POST",
            &hit.path_and_query,
            &token,
            &hit.body,
            hit.header("X-TIMESTAMP"),
            hit.header("X-SIGNATURE"),
            &ClientSecret::from(SECRET),
        );
        assert_eq!(verified, Ok(()), "signature over {}", hit.path_and_query);
        let wrong_secret = verify_symmetric(
            "POST",
            &hit.path_and_query,
            &token,
            &hit.body,
            hit.header("X-TIMESTAMP"),
            hit.header("X-SIGNATURE"),
            &ClientSecret::from("another-secret"),
        );
        assert!(wrong_secret.is_err());
        let spec_path = verify_symmetric(
            "POST",
            "/v1.0/debit/notify",
            &token,
            &hit.body,
            hit.header("X-TIMESTAMP"),
            hit.header("X-SIGNATURE"),
            &ClientSecret::from(SECRET),
        );
        assert!(spec_path.is_err(), "the URL's own path is signed, not the spec's");

        // The body: exactly the serialized value, valid for the generated validator.
        let received: Value = serde_json::from_slice(&hit.body).expect("JSON body");
        assert_eq!(
            hit.body.as_ref(),
            serde_json::to_vec(&body).expect("serializes").as_slice()
        );
        validate(&received).unwrap_or_else(|e| panic!("{received} rejected: {e}"));

        // Every header of the provider's symmetric set, from its source.
        assert_eq!(hit.header("Content-Type"), "application/json");
        for (name, _) in provider.headers_for(AuthKind::Symmetric) {
            assert!(hit.headers.contains_key(name.as_str()), "missing {name}");
        }
        assert_eq!(hit.header("X-PARTNER-ID"), CLIENT_ID);
        assert_eq!(Some(hit.header("CHANNEL-ID")), provider.channel_id.as_deref());
        let external_id = hit.header("X-EXTERNAL-ID");
        assert!(external_id.len() <= 36 && external_id.bytes().all(|b| b.is_ascii_digit()));
        let timestamp = hit.header("X-TIMESTAMP");
        assert!(SnapTimestamp::parse(timestamp).is_ok(), "{timestamp}");
        assert!(timestamp.len() == 25 && timestamp.ends_with("+07:00"), "{timestamp}");
    }
    assert_ne!(hits[0].header("X-EXTERNAL-ID"), hits[1].header("X-EXTERNAL-ID"));

    let deliveries = notifier.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert!(
        deliveries
            .iter()
            .all(|d| d.attempt == 1 && d.status == Some(200) && d.acknowledged)
    );
    assert!(deliveries.iter().all(|d| d.error.is_none() && d.at.ends_with("+07:00")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_failures_then_an_ack_make_exactly_three_attempts_on_the_schedule() {
    let api = api();
    let (base, merchant) = merchant(vec![500, 500, 200], Duration::ZERO).await;
    let schedule = compressed(&api);
    let notifier = Notifier::new(doku(&api), schedule.clone(), signer());
    let url = format!("{base}/notify");
    notifier.deliver(url.clone(), notification_body(&api, "doku", &facts()));
    assert!(notifier.wait_idle(IDLE).await, "delivery did not finish");
    // Past the last schedule point: nothing more arrives once acknowledged.
    tokio::time::sleep(schedule.delays[2]).await;

    let deliveries = notifier.deliveries();
    let summary: Vec<(u32, Option<u16>, bool)> = deliveries
        .iter()
        .map(|d| (d.attempt, d.status, d.acknowledged))
        .collect();
    assert_eq!(
        summary,
        [(1, Some(500), false), (2, Some(500), false), (3, Some(200), true)]
    );
    assert!(deliveries.iter().all(|d| d.url == url && d.error.is_none()));

    let hits = merchant.hits();
    assert_eq!(hits.len(), 3);
    // Retries are timed from the FIRST attempt's start: +18 ms and +216 ms. Measured on the attempts' own start
    // times (the merchant's arrival times also hold the first request's delay on a loaded machine, which made a
    // punctual retry look early). Generous tolerance: at least most of the offset, at most the offset plus two
    // seconds of scheduling noise.
    let started = |d: &snapbi_sandbox::notify::Delivery| {
        snapbi_runtime::timestamp::SnapTimestamp::parse(&d.at)
            .expect("an RFC 3339 start")
            .to_offset_datetime()
    };
    let since_first: Vec<Duration> = deliveries
        .iter()
        .map(|d| (started(d) - started(&deliveries[0])).unsigned_abs())
        .collect();
    for (i, offset) in schedule.delays[..2].iter().enumerate() {
        let seen = since_first[i + 1];
        assert!(
            seen >= offset.mul_f64(0.5),
            "retry {} came {seen:?} after the first, before {offset:?}",
            i + 1
        );
        assert!(
            seen <= *offset + Duration::from_secs(2),
            "retry {} came {seen:?} after the first",
            i + 1
        );
    }
    assert!(since_first[1] < since_first[2]);
    // The same bytes every time, with a fresh X-EXTERNAL-ID (and signature) per attempt.
    assert!(hits.iter().all(|h| h.body == hits[0].body));
    let mut ids: Vec<&str> = hits.iter().map(|h| h.header("X-EXTERNAL-ID")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_that_never_acknowledges_gets_one_attempt_per_schedule_point_then_no_more() {
    let api = api();
    let (base, merchant) = merchant(vec![503], Duration::ZERO).await;
    let schedule = compressed(&api);
    let notifier = Notifier::new(doku(&api), schedule.clone(), signer());
    notifier.deliver(format!("{base}/notify"), notification_body(&api, "doku", &facts()));
    assert!(notifier.wait_idle(IDLE).await, "delivery did not finish");
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(merchant.hits().len(), 1 + schedule.delays.len());
    let deliveries = notifier.deliveries();
    let attempts: Vec<u32> = deliveries.iter().map(|d| d.attempt).collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
    assert!(deliveries.iter().all(|d| d.status == Some(503) && !d.acknowledged));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_invalid_urls_are_recorded_as_errors() {
    let api = api();
    // A port that was free a moment ago: nothing listens there now.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.local_addr().expect("local address")
    };
    let notifier = Notifier::new(doku(&api), Schedule::immediate_for_tests(2), signer())
        .with_attempt_timeout(Duration::from_secs(2));
    let body = notification_body(&api, "doku", &facts());
    notifier.deliver(format!("http://{closed}/notify"), body.clone());
    assert!(notifier.wait_idle(IDLE).await, "delivery did not finish");
    let deliveries = notifier.deliveries();
    assert_eq!(deliveries.len(), 3);
    for d in &deliveries {
        assert_eq!((d.status, d.acknowledged), (None, false), "{d:?}");
        assert!(d.error.as_deref().is_some_and(|e| !e.is_empty()), "{d:?}");
    }

    notifier.deliver("not a url".into(), body.clone());
    notifier.deliver("ftp://127.0.0.1/notify".into(), body);
    assert!(notifier.wait_idle(IDLE).await);
    let rest: Vec<Delivery> = notifier.deliveries().split_off(3);
    assert_eq!(rest.len(), 2, "a bad URL is one failed attempt, not retried");
    assert!(
        rest.iter()
            .all(|d| d.attempt == 1 && d.status.is_none() && d.error.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_slower_than_the_attempt_timeout_counts_as_unacknowledged() {
    let api = api();
    let (base, merchant) = merchant(vec![200], Duration::from_secs(5)).await;
    let notifier = Notifier::new(doku(&api), Schedule::immediate_for_tests(1), signer())
        .with_attempt_timeout(Duration::from_millis(100));
    notifier.deliver(format!("{base}/slow"), notification_body(&api, "doku", &facts()));
    assert!(notifier.wait_idle(IDLE).await, "delivery did not finish");
    let deliveries = notifier.deliveries();
    assert_eq!(deliveries.len(), 2);
    for d in &deliveries {
        assert!(!d.acknowledged && d.status.is_none());
        assert!(
            d.error.as_deref().is_some_and(|e| e.contains("no answer within")),
            "{d:?}"
        );
    }
    assert_eq!(merchant.hits().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_idle_reports_a_delivery_still_waiting_for_its_next_retry() {
    let api = api();
    let (base, _merchant) = merchant(vec![500], Duration::ZERO).await;
    let schedule = Schedule {
        delays: vec![Duration::from_secs(60)],
    };
    let notifier = Notifier::new(doku(&api), schedule, signer());
    let clone = notifier.clone();
    clone.deliver(format!("{base}/notify"), notification_body(&api, "doku", &facts()));
    assert!(!notifier.wait_idle(Duration::from_millis(300)).await);
    // Clones share the record: the first attempt is there, the retry is not due yet.
    let deliveries = notifier.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].status, Some(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notifier_dropped_stops_retrying() {
    let api = api();
    let (base, merchant) = merchant(vec![500], Duration::ZERO).await;
    let schedule = Schedule {
        delays: vec![Duration::from_millis(100); 50],
    };
    let notifier = Notifier::new(doku(&api), schedule, signer());
    notifier.deliver(format!("{base}/notify"), notification_body(&api, "doku", &facts()));
    for _ in 0..100 {
        if merchant.hits().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        merchant.hits().len() >= 2,
        "the merchant refuses, and the notifier retries"
    );
    // The sandbox owning it is gone: before, its deliveries went on for the whole schedule (DOKU's: a day).
    drop(notifier);
    let at_drop = merchant.hits().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        merchant.hits().len() <= at_drop + 1,
        "an attempt under way at the drop may land, no retry after it: {} then {}",
        at_drop,
        merchant.hits().len()
    );
}

#[test]
fn debug_output_never_shows_the_secret_or_the_token() {
    let api = api();
    let signer = signer().with_channel_id("DD001");
    let notifier = Notifier::new(doku(&api), Schedule::from_provider(doku(&api)), signer.clone());
    for text in [
        format!("{signer:?}"),
        format!("{signer:#?}"),
        format!("{notifier:?}"),
        format!("{notifier:#?}"),
    ] {
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        assert!(text.contains("<redacted>") && text.contains(CLIENT_ID), "{text}");
    }
    assert!(format!("{signer:?}").contains("DD001"));
}
