//! The dashboard's routes over plain HTTP (the browser tests, `tests/browser`, drive the same pages in Chromium):
//! resending a notification through the JSON route (one more attempt, no retries, numbered after the others); the
//! events stream naming what changed; the form twins arming, refusing with the reason and disarming; a page's
//! fragment and its no-JavaScript fallback; a call's page linking to the record it names; no secret on the new pages.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use common::*;
use serde_json::{Value, json};
use snapbi_sandbox::DEMO_CLIENT_SECRET as SECRET;
use snapbi_sandbox::Sandbox;

const WAIT: Duration = Duration::from_secs(10);

/// A merchant that acknowledges the first notification it receives and refuses (500) the ones after; its notify
/// URL and how many it received.
async fn merchant_acknowledging_once() -> (String, Arc<Mutex<usize>>) {
    let count = Arc::new(Mutex::new(0));
    let receive = |State(count): State<Arc<Mutex<usize>>>| async move {
        let mut count = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *count += 1;
        match *count {
            1 => StatusCode::OK,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    };
    let app = Router::new()
        .route("/notify", post(receive))
        .with_state(Arc::clone(&count));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, count)
}

async fn get(run: &Running, path: &str) -> (u16, String) {
    run.get_text(path).await
}

/// Posts a form; the status and the `Location` it answers.
async fn post_form(run: &Running, path: &str, form: &str) -> (u16, String, String) {
    // Not following the redirect: the answer itself is what is checked.
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = http
        .post(format!("{}{path}", run.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_resend_is_one_more_attempt_without_retries() {
    let (url, received) = merchant_acknowledging_once().await;
    // Retries compressed to nothing: a resend that retried would show more attempts at once.
    let run = start(|b| {
        b.notify_url(url)
            .notify_token("merchant-token")
            .notification_speedup(100_000)
    })
    .await;
    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "10.00"))
        .await
        .expect("2005400", "Successful");
    run.sandbox.complete_payment(&reference).expect("paid");
    assert!(run.sandbox.wait_for_notifications(WAIT).await);

    let unknown = run
        .send("POST", "/_sandbox/notifications/99/resend", &[], Vec::new())
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let resent = run
        .send("POST", "/_sandbox/notifications/1/resend", &[], Vec::new())
        .await;
    assert_eq!((resent.status, &resent.body), (202, &json!({ "resent": 1 })));
    assert!(run.sandbox.wait_for_notifications(WAIT).await);

    let listed = run.send("GET", "/_sandbox/notifications", &[], Vec::new()).await;
    let attempts: Vec<(Value, Value, Value, Value)> = listed.body["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| {
            (
                d["notification"].clone(),
                d["attempt"].clone(),
                d["status"].clone(),
                d["resent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (json!(1), json!(1), json!(200), json!(false)),
            (json!(1), json!(2), json!(500), json!(true))
        ],
        "the refused resend is not retried"
    );
    assert_eq!(*received.lock().unwrap_or_else(std::sync::PoisonError::into_inner), 2);
    let (_, page) = get(&run, "/_sandbox/ui/notifications").await;
    assert!(page.contains("HTTP 500") && page.contains("resent by hand"), "{page}");
    assert!(
        !page.contains("merchant-token"),
        "a notification's headers are not shown"
    );
}

#[tokio::test]
async fn the_events_stream_names_what_changed() {
    let run = start(|b| b).await;
    let mut events = run
        .http
        .get(format!("{}/_sandbox/ui/events", run.base))
        .send()
        .await
        .expect("the stream opens");
    assert_eq!(
        events.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    run.send("GET", "/nowhere", &[], Vec::new()).await;
    assert!(next_event(&mut events).await.contains("data: journal"));
    run.sandbox.clear_faults();
    assert!(next_event(&mut events).await.contains("data: armed"));
}

#[tokio::test]
async fn the_events_stream_ends_when_the_sandbox_stops() {
    let sandbox = Sandbox::builder()
        .api(api())
        .provider("doku")
        .expect("doku")
        .build()
        .expect("sandbox");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("bound");
    let mut events = reqwest::Client::new()
        .get(format!("{base}/_sandbox/ui/events"))
        .send()
        .await
        .expect("the stream opens");
    handle.stop().await;
    // Before, the stream (and its connection, holding the sandbox) lived on after the sandbox stopped.
    let ended = tokio::time::timeout(WAIT, async { while let Ok(Some(_)) = events.chunk().await {} }).await;
    assert!(ended.is_ok(), "the events stream ended when the sandbox stopped");
}

/// The next `change` event of the stream (keep-alive comments passed over).
async fn next_event(events: &mut reqwest::Response) -> String {
    loop {
        let chunk = tokio::time::timeout(WAIT, events.chunk())
            .await
            .expect("an event in time");
        let text = String::from_utf8(chunk.expect("chunk").expect("open").to_vec()).expect("UTF-8");
        if text.contains("event: change") {
            return text;
        }
    }
}

#[tokio::test]
async fn the_forms_arm_refuse_with_the_reason_and_disarm() {
    let run = start(|b| b).await;
    let form = format!("endpoint={PAYMENT}&code=4035402&times=2");
    let (status, location, _) = post_form(&run, "/_sandbox/ui/scenarios", &form).await;
    assert_eq!((status, location.as_str()), (303, "/_sandbox/ui/armed"));
    let armed = run.sandbox.armed_scenarios();
    assert_eq!(
        (armed[0].endpoint.as_str(), armed[0].what.code.as_str(), armed[0].times),
        (PAYMENT, "4035402", 2)
    );

    let form = format!("endpoint={PAYMENT}&kind=delay&ms=5&times=1");
    assert_eq!(post_form(&run, "/_sandbox/ui/faults", &form).await.0, 303);
    assert_eq!(run.sandbox.armed_faults()[0].what.ms, 5);

    for (path, form, why) in [
        (
            "/_sandbox/ui/scenarios",
            format!("endpoint={PAYMENT}&code=4035403"),
            "not declared",
        ),
        (
            "/_sandbox/ui/scenarios",
            format!("endpoint={PAYMENT}&code=4035402&times=many"),
            "not a number",
        ),
        (
            "/_sandbox/ui/scenarios",
            "endpoint=nope&code=4035402".to_owned(),
            "serves no endpoint",
        ),
        (
            "/_sandbox/ui/faults",
            format!("endpoint={PAYMENT}&kind=explode"),
            "none of delay",
        ),
        ("/_sandbox/ui/faults", "kind=delay".to_owned(), "`endpoint` is missing"),
    ] {
        let (status, _, page) = post_form(&run, path, &form).await;
        assert_eq!(status, 400, "{form}");
        assert!(page.contains(why), "{form}: {page}");
    }
    assert_eq!(
        (run.sandbox.armed_scenarios().len(), run.sandbox.armed_faults().len()),
        (1, 1)
    );

    assert_eq!(post_form(&run, "/_sandbox/ui/scenarios/clear", "").await.0, 303);
    assert_eq!(post_form(&run, "/_sandbox/ui/faults/clear", "").await.0, 303);
    assert!(run.sandbox.armed_scenarios().is_empty() && run.sandbox.armed_faults().is_empty());
}

/// Posts `body` to `path` as a browser would from a page of `origin`; the status and the answer.
async fn post_from(run: &Running, origin: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let response = run
        .http
        .post(format!("{}{path}", run.base))
        .header("Origin", origin)
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Any web page open in a tester's browser can post a form to the sandbox on loopback (cross-site request forgery):
/// from another origin, the dashboard's forms and the admin endpoints change nothing; from the sandbox's own pages
/// they do.
#[tokio::test]
async fn a_form_posted_from_another_page_s_origin_changes_nothing() {
    let run = start(|b| b).await;
    let form = format!("endpoint={PAYMENT}&code=4035402&times=1");
    // The admin endpoints read JSON from any body, so a text/plain form reaches them too.
    let json = format!(r#"{{"endpoint":"{PAYMENT}","code":"4035402","times":1}}"#);
    let customer = r#"{"provider":"doku","phoneNo":"6281234567890","balance":{"value":"1.00","currency":"IDR"}}"#;
    let forged = [
        ("https://evil.example", "/_sandbox/ui/scenarios", FORM, form.as_str()),
        (
            "https://evil.example",
            "/_sandbox/scenarios",
            "text/plain",
            json.as_str(),
        ),
        ("null", "/_sandbox/customers", "text/plain", customer),
    ];
    for (origin, path, content_type, body) in forged {
        let (status, answer) = post_from(&run, origin, path, content_type, body).await;
        assert_eq!(status, 403, "{path}: {answer}");
        assert!(
            answer.contains(&format!("origin \\\"{origin}\\\"")) && answer.contains("cross-site request forgery"),
            "{answer}"
        );
    }
    assert!(run.sandbox.armed_scenarios().is_empty());
    assert!(run.get_text("/_sandbox/customers").await.1.contains("[]"));

    let (status, answer) = post_from(&run, &run.base, "/_sandbox/ui/scenarios", FORM, &form).await;
    assert_eq!(status, 303, "{answer}");
    assert_eq!(run.sandbox.armed_scenarios().len(), 1);
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn a_page_is_live_without_javascript_too_and_its_fragment_is_its_content() {
    let run = start(|b| b).await;
    for path in [
        "/_sandbox/ui",
        "/_sandbox/ui/ledger",
        "/_sandbox/ui/notifications",
        "/_sandbox/ui/armed",
    ] {
        let (status, page) = get(&run, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>"),
            "{path}"
        );
        assert!(page.contains("new EventSource(\"/_sandbox/ui/events\")"), "{path}");
        assert!(page.contains("<nav>"), "{path}");
        let (_, paused) = get(&run, &format!("{path}?live=0")).await;
        assert!(
            !paused.contains("http-equiv") && !paused.contains("EventSource"),
            "{path}"
        );
        let (_, fragment) = get(&run, &format!("{path}?fragment=1")).await;
        assert!(
            !fragment.contains("<html") && !fragment.contains("<nav>"),
            "{path}: {fragment}"
        );
    }
    let (_, fragment) = get(&run, "/_sandbox/ui/ledger?fragment=1").await;
    assert!(fragment.contains("No payment yet."), "{fragment}");
}

#[tokio::test]
async fn a_call_links_to_the_record_it_names_and_no_secret_is_shown() {
    let run = start_provider("dana", |b| b).await;
    let holder = json!({ "customerNumber": "6281100000001", "customerName": format!("leaked {SECRET}") });
    let added = run
        .send(
            "POST",
            "/_sandbox/records/dana/customer",
            &[],
            holder.to_string().into_bytes(),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let inquiry = "dana.disbursement.dana_account_inquiry";
    let mut body = sample(run.api(), inquiry);
    body["customerNumber"] = json!("6281100000001");
    body["amount"] = json!({ "value": "10000.00", "currency": "IDR" });
    run.call(inquiry, &body).await.expect("2003700", "Successful");

    let (_, journal) = get(&run, "/_sandbox/journal").await;
    let journal: Value = serde_json::from_str(&journal).expect("JSON");
    let n = journal["entries"][0]["n"].as_u64().expect("n");
    let (_, page) = get(&run, &format!("/_sandbox/ui/calls/{n}")).await;
    let anchor = format!("record-{}-dana-customer-6281100000001", snapbi_sandbox::DEMO_CLIENT_ID);
    assert!(
        page.contains(&format!("href=\"/_sandbox/ui/ledger#{anchor}\"")),
        "{page}"
    );
    let (_, ledger) = get(&run, "/_sandbox/ui/ledger").await;
    assert!(ledger.contains(&format!("id=\"{anchor}\"")), "{ledger}");
    assert!(ledger.contains("leaked ‹redacted›"));
    assert!(!ledger.contains(SECRET) && !page.contains(SECRET));
}
