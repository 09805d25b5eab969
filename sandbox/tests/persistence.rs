//! `SandboxBuilder::state` (`snapbi sandbox --state FILE`): a sandbox started again on the same state file carries on
//! where the first one stopped, over HTTP on loopback: the payment's status, its refunds, the record, the used
//! X-EXTERNAL-ID, the remembered answer and the notifications with their attempts; and a file that is not a state
//! file is refused with its path.

mod common;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use common::*;
use serde_json::{Value, json};
use snapbi_sandbox::{Sandbox, SandboxError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CREATE_VA: &str = "doku.va.create";
const VA_STATUS: &str = "doku.va.status";
const WAIT: Duration = Duration::from_secs(10);

/// A merchant on loopback that acknowledges every notification; its notify URL.
async fn merchant() -> String {
    merchant_answering(StatusCode::OK).await
}

/// A merchant on loopback that refuses every notification (500), so the sandbox schedules a retry; its notify URL.
async fn refusing_merchant() -> String {
    merchant_answering(StatusCode::INTERNAL_SERVER_ERROR).await
}

/// A merchant on loopback answering every notification with `status`; its notify URL.
async fn merchant_answering(status: StatusCode) -> String {
    let app = Router::new().route("/notify", post(move || async move { status }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}/notify", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A DOKU sandbox on `path`, notifying `notify_url` with a fixed token (no merchant token endpoint to ask).
async fn start_on(path: &Path, notify_url: &str) -> Running {
    let (path, url) = (path.to_owned(), notify_url.to_owned());
    start(move |b| b.state(path).notify_url(url).notify_token("merchant-token")).await
}

fn va_body(customer_no: &str) -> Value {
    with(
        va(customer_no),
        json!({
            "virtualAccountName": "Toru Yamashita",
            "trxId": "TRX-PERSIST-1",
            "totalAmount": {"value": "150000.00", "currency": "IDR"},
            "virtualAccountTrxType": "C",
            "expiredDate": "2030-07-11T11:57:58+07:00",
            "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA", "virtualAccountConfig": {"reusableStatus": false}},
        }),
    )
}

/// What the first sandbox did, to hold the second one to.
struct Before {
    reference: String,
    payment: Reply,
    payment_body: Value,
    status: Reply,
    /// A status call whose X-EXTERNAL-ID was used, sent again as it was.
    used_headers: Vec<(String, String)>,
    used_body: Vec<u8>,
}

/// Pays, refunds part, creates a VA, uses an X-EXTERNAL-ID and waits for the payment notification.
async fn first_life(run: &Running) -> Before {
    let reference = unique("INV");
    let payment_body = run.payment_body(&reference, "10000.00");
    let payment = run.call(PAYMENT, &payment_body).await;
    payment.expect("2005400", "Successful");
    run.sandbox.complete_payment(&reference).expect("complete");
    let refund = run
        .call(REFUND, &run.refund_body(&reference, &unique("RF"), "2500.00"))
        .await;
    refund.expect("2005800", "Successful");
    run.call(CREATE_VA, &va_body("00000777"))
        .await
        .expect("2002700", "Successful");

    let used_body = serde_json::to_vec(&run.status_body(&reference)).expect("json");
    let used_headers = run.headers_for(STATUS, &used_body).await;
    let status = run.send_to(STATUS, &used_headers, used_body.clone()).await;
    status.expect("2005500", "Successful");
    assert!(
        run.sandbox.wait_for_notifications(WAIT).await,
        "the notification is delivered"
    );
    Before {
        reference,
        payment,
        payment_body,
        status,
        used_headers,
        used_body,
    }
}

#[tokio::test]
async fn a_sandbox_started_again_on_its_state_file_carries_on_where_it_stopped() {
    let path = state_file("restart");
    let merchant = merchant().await;
    let first = start_on(&path, &merchant).await;
    let before = first_life(&first).await;
    let ledger = first.sandbox.ledger();
    let records = first.sandbox.records();
    let notifications = first.sandbox.notifications();
    assert_eq!(notifications.len(), 1, "{notifications:?}");
    assert!(notifications[0].acknowledged);
    first.stop().await;

    let second = start_on(&path, &merchant).await;
    assert_eq!(
        second.sandbox.ledger(),
        ledger,
        "payments with their refunds and statuses"
    );
    assert_eq!(second.sandbox.records(), records);
    assert_eq!(
        second.sandbox.notifications(),
        notifications,
        "notifications with their attempts"
    );

    // The status query answers as before; the same X-EXTERNAL-ID is still used today.
    let status = second.call(STATUS, &second.status_body(&before.reference)).await;
    status.expect("2005500", "Successful");
    for field in [
        "latestTransactionStatus",
        "originalReferenceNo",
        "amount",
        "refundHistory",
    ] {
        assert_eq!(status.body.get(field), before.status.body.get(field), "{field}");
    }
    let again = second
        .send_to(STATUS, &before.used_headers, before.used_body.clone())
        .await;
    assert_eq!(
        again.status, 409,
        "X-EXTERNAL-ID used before the restart: {}",
        again.body
    );

    // The payment sent again is still a replay: the first answer, byte for byte, and no second payment.
    let replay = second.call(PAYMENT, &before.payment_body).await;
    assert_eq!(replay.raw, before.payment.raw, "{}", replay.reason());
    assert_eq!(second.sandbox.ledger().len(), 1);

    // 7 500.00 is left to refund: more is refused, exactly that is taken.
    let too_much = second
        .call(REFUND, &second.refund_body(&before.reference, &unique("RF"), "7500.01"))
        .await;
    assert!(!too_much.code().starts_with("200"), "{}", too_much.body);
    let rest = second
        .call(REFUND, &second.refund_body(&before.reference, &unique("RF"), "7500.00"))
        .await;
    rest.expect("2005800", "Successful");

    // The VA is found, and cannot be created twice.
    let va = second.call(VA_STATUS, &va("00000777")).await;
    va.expect("2002600", "Successful");
    assert_eq!(va.body["virtualAccountData"]["trxId"], "TRX-PERSIST-1", "{}", va.body);
    let twice = second
        .call(CREATE_VA, &with(va_body("00000777"), json!({"trxId": "TRX-PERSIST-2"})))
        .await;
    assert!(!twice.code().starts_with("200"), "{}", twice.body);

    // Resend works on a notification of the first life, and numbers a new attempt after its first.
    second
        .sandbox
        .resend_notification(notifications[0].notification)
        .expect("kept for resending");
    assert!(second.sandbox.wait_for_notifications(WAIT).await);
    let attempts = second.sandbox.notifications();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!((attempts[1].attempt, attempts[1].resent), (2, true));

    // A new payment gets a reference of its own, not one of the first life's.
    let new = second.call(PAYMENT, &second.payment_body(&unique("INV"), "1.00")).await;
    new.expect("2005400", "Successful");
    assert_ne!(new.body["referenceNo"], before.payment.body["referenceNo"]);
    second.stop().await;

    // What the second life did is there for a third.
    let third = start_on(&path, &merchant).await;
    let ledger = third.sandbox.ledger();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0].refunds.len(), 2);
    assert_eq!(third.sandbox.notifications().len(), 2);
}

#[tokio::test]
async fn without_a_state_file_nothing_survives() {
    let merchant = merchant().await;
    let first = start(|b| b.notify_url(merchant.clone()).notify_token("t")).await;
    first_life(&first).await;
    drop(first);
    let second = start(|b| b).await;
    assert!(second.sandbox.ledger().is_empty() && second.sandbox.records().is_empty());
    assert!(second.sandbox.notifications().is_empty());
}

/// The error of building a sandbox on `path`.
fn build_error(path: &Path) -> String {
    match Sandbox::builder().api(api()).state(path).build() {
        Ok(_) => panic!("{} was taken for a state file", path.display()),
        Err(e @ SandboxError::State(_)) => e.to_string(),
        Err(e) => panic!("another error: {e}"),
    }
}

#[test]
fn a_file_that_is_not_a_state_file_is_refused_with_its_path() {
    let text = state_file("text");
    std::fs::write(&text, "payments:\n  - INV-1\n".repeat(20)).expect("write");
    let error = build_error(&text);
    assert!(error.contains(&text.display().to_string()), "{error}");
    assert!(
        error.contains("not a snapbi state file: it is not a SQLite database"),
        "{error}"
    );

    let other = state_file("other");
    let made = rusqlite::Connection::open(&other).and_then(|c| c.execute_batch("CREATE TABLE todo (item TEXT);"));
    made.expect("another program's database");
    let error = build_error(&other);
    assert!(error.contains("another program") && error.contains("todo"), "{error}");

    let missing = state_file("missing").with_file_name("no-such-dir").join("sandbox.db");
    let error = build_error(&missing);
    assert!(
        error.contains("cannot open it") && error.contains("no-such-dir"),
        "{error}"
    );
}

/// The partnerReferenceNo of every payment `run`'s ledger holds, oldest first.
fn ledger_references(run: &Running) -> Vec<String> {
    run.sandbox
        .ledger()
        .into_iter()
        .map(|p| p.partner_reference_no)
        .collect()
}

/// Two sandboxes on one file would each write their own changes and never see the other's: the second is refused
/// while the first lives, and takes the file once the first has stopped, though its client keeps its connection.
#[tokio::test]
async fn a_second_sandbox_on_a_state_file_in_use_is_refused_until_the_first_stops() {
    let path = state_file("in-use");
    let first = start(|b| b.state(path.clone())).await;
    let reference = unique("INV");
    let reply = first.call(PAYMENT, &first.payment_body(&reference, "1.00")).await;
    reply.expect("2005400", "Successful");
    let error = build_error(&path);
    let lock = format!("{}.lock", path.display());
    assert!(
        error.contains("in use by another sandbox") && error.contains(&lock),
        "{error}"
    );
    // The client's pool keeps its connection to the first sandbox open, and another client is in the middle of
    // sending a request it never finishes: stopping closes both from the server's side (the second after the drain).
    let client = first.http.clone();
    let address = first.base.trim_start_matches("http://").to_owned();
    let mut half_sent = tokio::net::TcpStream::connect(address).await.expect("connect");
    // One whole request first, so the connection is surely being served.
    let whole = "GET /_sandbox/ledger HTTP/1.1\r\nHost: sandbox\r\n\r\n";
    half_sent.write_all(whole.as_bytes()).await.expect("send");
    let mut answered = [0; 12];
    half_sent.read_exact(&mut answered).await.expect("an answer");
    assert_eq!(&answered, b"HTTP/1.1 200");
    let head = "POST /_sandbox/records/doku/virtual_account HTTP/1.1\r\nHost: sandbox\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    half_sent.write_all(head.as_bytes()).await.expect("send");
    // Time for the server to read that head and wait on the body (stopped before, it would close the connection as
    // idle, and the drain would not be tried).
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.stop().await;
    let second = start(|b| b.state(path.clone())).await;
    let kept = ledger_references(&second);
    assert_eq!(kept, [reference]);
    drop((client, half_sent));
    second.stop().await;
    remove_state_file(&path);
}

/// A notification whose retry is still waiting when its sandbox stops does not keep the state file from the next
/// sandbox: the delivery's task learns of the stop only when it next runs, and holds the file weakly meanwhile.
#[tokio::test]
async fn a_notification_waiting_to_be_retried_does_not_hold_the_state_file() {
    let path = state_file("retrying");
    let merchant = refusing_merchant().await;
    let first = start_on(&path, &merchant).await;
    let reference = unique("INV");
    let paid = first.call(PAYMENT, &first.payment_body(&reference, "1.00")).await;
    paid.expect("2005400", "Successful");
    first.sandbox.complete_payment(&reference).expect("complete");
    let deadline = std::time::Instant::now() + WAIT;
    while first.sandbox.notifications().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no attempt within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !first.sandbox.notifications()[0].acknowledged,
        "refused, so retried later"
    );
    first.stop().await;
    let second = start_on(&path, &merchant).await;
    assert_eq!(ledger_references(&second), [reference]);
    second.stop().await;
    remove_state_file(&path);
}

#[test]
fn a_row_that_is_not_what_its_kind_says_is_named() {
    let path = state_file("row");
    let built = Sandbox::builder().api(api()).state(&path).build();
    assert!(built.is_ok(), "a new file is made a state file");
    drop(built);
    let corrupt = rusqlite::Connection::open(&path).and_then(|c| {
        c.execute(
            "INSERT INTO rows (kind, key, value) VALUES ('payment', 'demo\u{1f}INV-9', '{\"amount\": 12}')",
            [],
        )
    });
    corrupt.expect("a corrupt row");
    let error = build_error(&path);
    assert!(error.contains("payment row `demo\u{1f}INV-9`"), "{error}");
}

#[tokio::test]
async fn one_time_codes_and_tokens_survive_a_restart_and_stay_one_time() {
    const B2B2C: &str = "doku.token.b2b2c";
    let path = state_file("codes");
    let first = start(|b| b.state(path.clone())).await;
    let (_, unused) = first.sandbox.issue_auth_code(None).expect("a code");
    let (_, used) = first.sandbox.issue_auth_code(None).expect("a code");
    let exchange = |code: &str| json!({"grantType": "AUTHORIZATION_CODE", "authCode": code});
    first
        .call(B2B2C, &exchange(&used))
        .await
        .expect("2007400", "Successful");
    let token = first.token().await;
    first.stop().await;

    let second = start(|b| b.state(path.clone())).await;
    second
        .call(B2B2C, &exchange(&used))
        .await
        .expect("4017400", "Unauthorized. Auth Code Used");
    second
        .call(B2B2C, &exchange(&unused))
        .await
        .expect("2007400", "Successful");
    second
        .call(B2B2C, &exchange(&unused))
        .await
        .expect("4017400", "Unauthorized. Auth Code Used");
    // The first life's B2B token is still good: a call signed with it is answered.
    let body = serde_json::to_vec(&second.status_body("INV-NONE")).expect("json");
    let headers = signed_headers(second.api(), second.endpoint(STATUS), &body, Some(&token), &now());
    let reply = second.send_to(STATUS, &headers, body).await;
    assert_ne!(reply.status, 401, "{}", reply.body);
}

#[tokio::test]
async fn a_smaller_capacity_keeps_the_newest_and_the_file_forgets_the_rest() {
    let path = state_file("capacity");
    let first = start(|b| b.state(path.clone())).await;
    let mut references = Vec::new();
    for _ in 0..3 {
        let reference = unique("INV");
        let reply = first.call(PAYMENT, &first.payment_body(&reference, "1.00")).await;
        reply.expect("2005400", "Successful");
        references.push(reference);
    }
    first.stop().await;

    let second = start(|b| b.state(path.clone()).capacity(2)).await;
    let kept = ledger_references(&second);
    assert_eq!(kept, references[1..], "the oldest is evicted, as it would have been");
    second.stop().await;
    let rows = rusqlite::Connection::open(&path).and_then(|c| {
        c.query_row("SELECT count(*) FROM rows WHERE kind = 'payment'", [], |row| {
            row.get::<_, i64>(0)
        })
    });
    assert_eq!(rows.ok(), Some(2), "and its row is deleted");
}
