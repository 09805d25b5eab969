//! The dashboard in a real headless Chromium (WebDriver through chromedriver, see `chromium`), against a sandbox and
//! a merchant on loopback:
//!
//! - a tester opens a payment's pay page, clicks Pay, and the dashboard shows the payment paid (reached from the
//!   call that created it) and its notification delivered to the merchant;
//! - a call signed with a wrong secret shows, on its page, the string to sign the sandbox expected, its hash and
//!   HMAC as `openssl` computes them, and the signature received;
//! - Resend on the notifications page delivers the notification again, signed afresh: the merchant sees a second
//!   delivery and the page a second attempt;
//! - a page changes live (server-sent events) without being reloaded;
//! - scenarios and faults are armed and disarmed with the page's forms.
//!
//! Without chromedriver the tests fail, naming `.ci/browser-deps`. With `SNAPBI_SCREENSHOTS=<dir>` they write the
//! README's screenshots there.

#[path = "../common/mod.rs"]
mod common;

mod chromium;

use std::time::Duration;

use axum::http::HeaderMap;
use chromium::Browser;
use common::openssl::{openssl_hmac_sha512, openssl_sha256_hex};
use common::{Inbox, PAYMENT, Running, doku_merchant, received, start, unique};
use fantoccini::Locator;
use serde_json::{Value, json};
use snapbi::rt;
use snapbi::rt::inbound::TokenIssuer;
use snapbi_sandbox::DEMO_CLIENT_SECRET;

/// One browser at a time: the machine's cores are shared, and Chromium is heavy.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const WAIT: Duration = Duration::from_secs(15);

/// A merchant on loopback that acknowledges every notification, with the token endpoint DOKU asks first; its
/// notify URL, its inbox and the issuer of its tokens.
async fn merchant() -> (String, Inbox, TokenIssuer) {
    let (url, inbox, issuer, _server) = doku_merchant(
        "/merchant/notify",
        r#"{"responseCode":"2005600","responseMessage":"Successful"}"#,
    )
    .await;
    (url, inbox, issuer)
}

/// A sandbox notifying the merchant, and a jump-app payment waiting to be paid: its partnerReferenceNo and the
/// pay page its answer points at.
async fn sandbox_with_payment(notify_url: &str) -> (Running, String, String) {
    let url = notify_url.to_owned();
    let run = start(|b| b.notify_url(url)).await;
    let reference = unique("INV");
    let created = run.call(PAYMENT, &run.payment_body(&reference, "25000.00")).await;
    created.expect("2005400", "Successful");
    let pay_page = created.body["webRedirectUrl"]
        .as_str()
        .expect("a jump-app payment answers webRedirectUrl")
        .to_owned();
    (run, reference, pay_page)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Whether a notification the merchant received is signed as DOKU signs: with a token the merchant issued and the
/// client secret, over this very body.
fn signed_by_the_sandbox(issuer: &TokenIssuer, headers: &HeaderMap, body: &[u8]) -> bool {
    let bearer = header(headers, "Authorization")
        .strip_prefix("Bearer ")
        .unwrap_or_default();
    let token = rt::secret::AccessToken::from(bearer);
    issuer.accepts(&token)
        && rt::signature::verify_symmetric(
            "POST",
            "/merchant/notify",
            &token,
            body,
            header(headers, "X-TIMESTAMP"),
            header(headers, "X-SIGNATURE"),
            &rt::secret::ClientSecret::from(DEMO_CLIENT_SECRET),
        )
        .is_ok()
}

#[tokio::test]
async fn paying_on_the_pay_page_shows_the_payment_paid_and_notified() {
    let _one = ONE_BROWSER.lock().await;
    let (notify_url, inbox, issuer) = merchant().await;
    let (run, reference, pay_page) = sandbox_with_payment(&notify_url).await;
    let browser = Browser::start().await;

    browser.open(&pay_page, "button#pay").await;
    assert!(browser.text("body").await.contains(&reference));
    assert_eq!(browser.text("#status").await, "01 Initiated");
    browser.screenshot("pay-page").await;
    browser.click("button#pay").await;
    browser.wait_for_text("00 Success").await;

    // From the call that created the payment to its row in the ledger.
    browser.open(&format!("{}/_sandbox/ui", run.base), "table").await;
    let create = browser.text("tr.ok td:nth-child(5)").await;
    assert_eq!(create, PAYMENT, "the newest served call is the payment");
    browser.click("tr.ok a").await;
    browser.click("ul#named a").await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/_sandbox/ui/ledger");
    let anchor = url.fragment().expect("the payment's row").to_owned();
    let row = browser.text(&format!("tr[id='{anchor}']")).await;
    assert!(
        row.contains(&reference) && row.contains("00 Success") && row.contains("25000.00 IDR"),
        "{row}"
    );
    browser
        .open(&format!("{}/_sandbox/ui/ledger", run.base), "#payments")
        .await;
    browser.screenshot("ledger").await;

    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    browser
        .open(&format!("{}/_sandbox/ui/notifications", run.base), "section.card")
        .await;
    let card = browser.text("section.card").await;
    assert!(
        card.contains("acknowledged") && !card.contains("not acknowledged"),
        "{card}"
    );
    assert!(card.contains(&notify_url), "{card}");
    assert_eq!(browser.text("table.attempts td.answer").await, "HTTP 200");
    let deliveries = received(&inbox);
    assert_eq!(deliveries.len(), 1);
    let (headers, body) = &deliveries[0];
    assert!(signed_by_the_sandbox(&issuer, headers, body));
    let notification: Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(notification["originalPartnerReferenceNo"], reference.as_str());
    assert_eq!(notification["latestTransactionStatus"], "00");
    browser.close().await;
}

#[tokio::test]
async fn resend_delivers_the_notification_again_as_a_second_attempt() {
    let _one = ONE_BROWSER.lock().await;
    let (notify_url, inbox, issuer) = merchant().await;
    let (run, reference, _) = sandbox_with_payment(&notify_url).await;
    run.sandbox.complete_payment(&reference).expect("paid");
    assert!(run.sandbox.wait_for_notifications(WAIT).await);
    let browser = Browser::start().await;

    browser
        .open(
            &format!("{}/_sandbox/ui/notifications", run.base),
            "button[name=resend]",
        )
        .await;
    assert_eq!(
        browser
            .client
            .find_all(Locator::Css("table.attempts tr"))
            .await
            .expect("rows")
            .len(),
        2
    );
    browser.click("button[name=resend]").await;
    // The second attempt comes in the background; the page shows it when it is recorded (live, or reloaded).
    let page = browser.wait_for_text("resent by hand").await;
    assert!(page.contains("HTTP 200"));
    let rows = browser
        .client
        .find_all(Locator::Css("table.attempts tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 3, "a heading and two attempts");
    assert!(rows[2].text().await.expect("text").starts_with("2 "));
    browser.screenshot("notifications").await;

    let deliveries = received(&inbox);
    assert_eq!(deliveries.len(), 2, "the merchant got it twice");
    let ((first_headers, first), (second_headers, second)) = (&deliveries[0], &deliveries[1]);
    assert_eq!(first, second, "the same body");
    assert!(signed_by_the_sandbox(&issuer, second_headers, second), "signed afresh");
    assert_ne!(
        header(first_headers, "X-EXTERNAL-ID"),
        header(second_headers, "X-EXTERNAL-ID"),
        "a new X-EXTERNAL-ID"
    );
    let attempts: Vec<(u64, u32, bool)> = run
        .sandbox
        .notifications()
        .iter()
        .map(|d| (d.notification, d.attempt, d.resent))
        .collect();
    assert_eq!(attempts, [(1, 1, false), (1, 2, true)]);
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_signature_shows_the_expected_string_to_sign_and_what_was_received() {
    let _one = ONE_BROWSER.lock().await;
    let run = start(|b| b).await;
    let endpoint = run.endpoint(PAYMENT).clone();
    let sent = run.send_wrongly_signed_payment().await;
    // What the sandbox should have expected, computed with openssl alone.
    let string_to_sign = sent.expected_string_to_sign(&endpoint);
    let browser = Browser::start().await;

    browser.open(&format!("{}/_sandbox/ui", run.base), "tr.no a").await;
    let row = browser.text("tr.no").await;
    assert!(row.contains("signature"), "refused by the signature: {row}");
    browser.screenshot("calls").await;
    browser.click("tr.no a").await;
    assert_eq!(
        browser.text("#string-to-sign").await,
        string_to_sign.replace(&sent.token, "‹B2B token›"),
        "the B2B token masked"
    );
    assert_eq!(
        browser.text("#string-to-sign-sha256").await,
        openssl_sha256_hex(string_to_sign.as_bytes())
    );
    assert_eq!(
        browser.text("#expected-signature").await,
        openssl_hmac_sha512(DEMO_CLIENT_SECRET, &string_to_sign)
    );
    assert_eq!(browser.text("code.received").await, sent.signature);
    assert!(browser.text("body").await.contains("signature: REFUSED"));
    let page = browser.client.source().await.expect("source");
    assert!(
        !page.contains(DEMO_CLIENT_SECRET) && !page.contains(&sent.token),
        "no secret on the page"
    );
    browser.screenshot("call-signature").await;
    browser.close().await;
}

#[tokio::test]
async fn a_live_page_changes_without_a_reload() {
    let _one = ONE_BROWSER.lock().await;
    let run = start(|b| b).await;
    let browser = Browser::start().await;
    browser
        .open(&format!("{}/_sandbox/ui/ledger", run.base), "#live-status")
        .await;
    assert!(browser.text("main").await.contains("No payment yet."));
    // The stream is open once the script says so and has swapped the content in once (what it does on opening);
    // then the page is marked: a reload would lose the mark.
    browser.wait_for_text("live · pause").await;
    let updates = "return document.getElementById('live').dataset.updates || null;";
    browser.wait_for(updates, json!("1")).await;
    browser.run("window.untouched = 42; return null;").await;

    let reference = unique("INV");
    run.call(PAYMENT, &run.payment_body(&reference, "7500.00"))
        .await
        .expect("2005400", "Successful");
    browser.wait_for_text(&reference).await;
    assert_eq!(browser.run("return window.untouched;").await, 42, "not reloaded");
    // Swapped in again, so by an event: the script fetches on opening only once.
    assert_ne!(browser.run(updates).await, json!("1"));
    assert!(browser.text("#payments").await.contains("01 Initiated"));
    browser.close().await;
}

#[tokio::test]
async fn scenarios_and_faults_are_armed_and_disarmed_with_the_forms() {
    let _one = ONE_BROWSER.lock().await;
    let run = start(|b| b).await;
    let browser = Browser::start().await;
    browser
        .open(&format!("{}/_sandbox/ui/armed", run.base), "#scenario-code")
        .await;

    browser
        .element("#scenario-endpoint")
        .await
        .select_by_value(PAYMENT)
        .await
        .expect("endpoint");
    browser
        .element("#scenario-code")
        .await
        .send_keys("4035402")
        .await
        .expect("type");
    browser.click("form[action='/_sandbox/ui/scenarios'] button").await;
    let armed = browser.text("#scenarios").await;
    assert!(armed.contains(PAYMENT) && armed.contains("4035402"), "{armed}");

    browser
        .element("#fault-endpoint")
        .await
        .select_by_value(PAYMENT)
        .await
        .expect("endpoint");
    browser
        .element("#fault-kind")
        .await
        .select_by_value("delay")
        .await
        .expect("kind");
    let times = browser
        .element("form[action='/_sandbox/ui/faults'] input[name=times]")
        .await;
    times.clear().await.expect("clear");
    times.send_keys("2").await.expect("type");
    browser.click("form[action='/_sandbox/ui/faults'] button").await;
    let faults = browser.text("#faults").await;
    assert!(faults.contains("delay") && faults.ends_with('2'), "{faults}");
    browser.screenshot("armed").await;

    // Armed for real: the next payment meets both, and the page, live, shows what is left.
    run.call(PAYMENT, &run.payment_body(&unique("INV"), "10.00"))
        .await
        .expect("4035402", "Exceeds Transaction Amount Limit");
    browser.wait_for_text("None armed.").await;
    assert!(browser.text("#faults").await.ends_with('1'), "one call left");

    browser.click("form[action='/_sandbox/ui/faults/clear'] button").await;
    browser.wait_until_gone("#faults").await;
    assert!(run.sandbox.armed_faults().is_empty() && run.sandbox.armed_scenarios().is_empty());

    // A code the endpoint does not declare is refused, with the reason on the page.
    browser
        .element("#scenario-code")
        .await
        .send_keys("4035403")
        .await
        .expect("type");
    browser.click("form[action='/_sandbox/ui/scenarios'] button").await;
    assert!(
        browser
            .wait_for_text("not declared")
            .await
            .contains("Scenario not armed")
    );
    browser.close().await;
}
