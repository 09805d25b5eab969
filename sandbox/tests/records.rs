//! Records over real HTTP with the generated client: DOKU virtual accounts created, reported, updated and
//! deleted through the sandbox's record ledger (`operation: create | update | delete | status` with
//! `record: virtual_account`), and DANA's transfer-to-bank status (service code `00`, DANA's own) answering
//! from the payment ledger, including a lost transfer answer settled through it.

mod common;

use common::*;
use serde_json::{Value, json};
use snapbi::dana::{
    self, disbursement_transfer_to_bank as transfer, disbursement_transfer_to_bank_status as transfer_status,
};
use snapbi::doku::{self, va_create, va_delete, va_status, va_update};
use snapbi::rt;
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Fault, FaultKind};

fn config(base: &str) -> rt::Config {
    rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(private_key())
}

fn create_body(customer_no: &str, trx_id: &str) -> va_create::Request {
    let body = with(
        va(customer_no),
        json!({
            "virtualAccountName": "Toru Yamashita",
            "trxId": trx_id,
            "totalAmount": {"value": "150000.00", "currency": "IDR"},
            "virtualAccountTrxType": "C",
            "expiredDate": "2030-07-11T11:57:58+07:00",
            "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA", "virtualAccountConfig": {"reusableStatus": false}},
        }),
    );
    rt::from_json(body).expect("a valid create VA")
}

fn update_body(customer_no: &str, trx_id: &str, status: &str) -> va_update::Request {
    let body = with(
        va(customer_no),
        json!({
            "virtualAccountName": "Toru Y.",
            "trxId": trx_id,
            "totalAmount": {"value": "175000.00", "currency": "IDR"},
            "virtualAccountTrxType": "C",
            "expiredDate": "2030-08-11T11:57:58+07:00",
            "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA", "virtualAccountConfig": {"status": status}},
        }),
    );
    rt::from_json(body).expect("a valid update VA")
}

fn status_body(customer_no: &str) -> va_status::Request {
    rt::from_json(va(customer_no)).expect("a valid VA status")
}

fn delete_body(customer_no: &str, trx_id: &str) -> va_delete::Request {
    let body = with(
        va(customer_no),
        json!({"trxId": trx_id, "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA"}}),
    );
    rt::from_json(body).expect("a valid delete VA")
}

/// The raw JSON of a reply.
fn raw<R, C>(reply: &rt::Reply<R, C>) -> Value {
    serde_json::from_slice(&reply.raw_body).expect("a JSON answer")
}

/// The code of a refusal, or a panic that says what came instead.
fn refused<R: std::fmt::Debug, C: rt::EndpointCode>(result: Result<rt::Reply<R, C>, rt::Error<C>>) -> C {
    match result {
        Err(rt::Error::Api { code, status, .. }) => {
            assert_eq!(status.to_string(), code.code()[..3], "HTTP status = first three digits");
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_virtual_account_is_created_reported_updated_and_deleted() {
    let run = start(|b| b).await;
    let client = doku::Client::new(config(&run.base)).expect("client");
    let (customer_no, trx_id) = ("00000000000000000042", "INV-VA-42");

    // Unknown before it is created: the record kind's not-found code, 404 + 26 + 12.
    let unknown = refused(client.va_status(&status_body(customer_no)).await);
    assert_eq!(unknown, va_status::Code::InvalidBillOrVirtualAccount);

    let created = client
        .va_create(&create_body(customer_no, trx_id))
        .await
        .expect("created");
    assert_eq!(created.code, va_create::Code::Successful);
    let data = &raw(&created)["virtualAccountData"];
    assert_eq!(data["virtualAccountNo"], format!("{PARTNER_SERVICE_ID}{customer_no}"));
    assert_eq!(data["trxId"], trx_id);
    assert_eq!(data["totalAmount"]["value"], "150000.00");

    let status = client.va_status(&status_body(customer_no)).await.expect("status");
    assert_eq!(status.code, va_status::Code::Successful);
    let data = &raw(&status)["virtualAccountData"];
    assert_eq!(data["trxId"], trx_id, "{data}");
    assert_eq!(data["customerNo"], customer_no);
    assert_eq!(data["additionalInfo"]["virtualAccountConfig"]["reusableStatus"], false);
    assert!(data.get("paymentFlagStatus").is_none(), "nobody paid the VA: {data}");
    let typed = status
        .body
        .virtual_account_data
        .as_ref()
        .expect("typed virtualAccountData");
    assert_eq!(
        typed.virtual_account_no.as_deref(),
        Some(&*format!("{PARTNER_SERVICE_ID}{customer_no}"))
    );

    let updated = client
        .va_update(&update_body(customer_no, trx_id, "INACTIVE"))
        .await
        .expect("updated");
    assert_eq!(updated.code, va_update::Code::Successful);
    let data = &raw(&updated)["virtualAccountData"];
    assert_eq!(data["virtualAccountName"], "Toru Y.");
    assert_eq!(data["totalAmount"]["value"], "175000.00");

    let status = client.va_status(&status_body(customer_no)).await.expect("status");
    let data = &raw(&status)["virtualAccountData"];
    assert_eq!(
        data["additionalInfo"]["virtualAccountConfig"]["status"], "INACTIVE",
        "{data}"
    );
    let records = run.sandbox.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].kind.as_str(), records[0].created_by.as_str()),
        ("virtual_account", "doku.va.create")
    );
    assert!(records[0].updated_time.is_some());
    assert_eq!(records[0].fields["expiredDate"], "2030-08-11T11:57:58+07:00");

    let deleted = client
        .va_delete(&delete_body(customer_no, trx_id))
        .await
        .expect("deleted");
    assert_eq!(deleted.code, va_delete::Code::Successful);
    assert_eq!(raw(&deleted)["virtualAccountData"]["trxId"], trx_id);
    assert!(run.sandbox.records().is_empty());

    let gone = refused(client.va_status(&status_body(customer_no)).await);
    assert_eq!(gone, va_status::Code::InvalidBillOrVirtualAccount);
    let again = refused(client.va_delete(&delete_body(customer_no, trx_id)).await);
    assert_eq!(again, va_delete::Code::InvalidBillOrVirtualAccount);
    let update_gone = refused(client.va_update(&update_body(customer_no, trx_id, "ACTIVE")).await);
    assert_eq!(update_gone, va_update::Code::InvalidBillOrVirtualAccount);

    // The same create again makes the VA again (the first answer is not replayed for a deleted VA).
    let recreated = client
        .va_create(&create_body(customer_no, trx_id))
        .await
        .expect("created again");
    assert_eq!(recreated.code, va_create::Code::Successful);
    assert_eq!(run.sandbox.records().len(), 1);
}

#[tokio::test]
async fn vas_are_told_apart_by_number_and_guarded_by_their_trx_id() {
    let run = start(|b| b).await;
    let client = doku::Client::new(config(&run.base)).expect("client");
    let (one, two) = ("00000000000000000101", "00000000000000000102");
    client
        .va_create(&create_body(one, "INV-VA-101"))
        .await
        .expect("first VA");

    // The same create (same trxId, same content) is answered with the first answer; the same number under
    // another trxId is a duplicate VA (409 + 27 + 01).
    let replay = client
        .va_create(&create_body(one, "INV-VA-101"))
        .await
        .expect("replayed");
    assert_eq!(replay.code, va_create::Code::Successful);
    let duplicate = refused(client.va_create(&create_body(one, "INV-VA-999")).await);
    assert_eq!(duplicate, va_create::Code::DuplicatePartnerReferenceNo);

    // A delete naming another trxId does not find the VA, and leaves it.
    let wrong = refused(client.va_delete(&delete_body(one, "INV-VA-999")).await);
    assert_eq!(wrong, va_delete::Code::InvalidBillOrVirtualAccount);
    assert!(client.va_status(&status_body(one)).await.is_ok());

    // Another number is another VA.
    assert_eq!(
        refused(client.va_status(&status_body(two)).await),
        va_status::Code::InvalidBillOrVirtualAccount
    );
    client
        .va_create(&create_body(two, "INV-VA-102"))
        .await
        .expect("second VA");
    let keys: Vec<Value> = run
        .sandbox
        .records()
        .into_iter()
        .map(|r| Value::Object(r.key))
        .collect();
    assert_eq!(keys, vec![va(one), va(two)]);

    // The admin ledger shows them too.
    let ledger = run.send("GET", "/_sandbox/ledger", &[], Vec::new()).await;
    assert_eq!(
        ledger.body["records"].as_array().map(Vec::len),
        Some(2),
        "{}",
        ledger.body
    );
}

#[tokio::test]
async fn a_va_without_a_number_is_refused_as_the_sandbox_does_not_generate_numbers() {
    let run = start(|b| b).await;
    let mut body = sample(run.api(), "doku.va.create");
    let map = body.as_object_mut().expect("object");
    map.remove("customerNo");
    map.remove("virtualAccountNo");
    let reply = run.call("doku.va.create", &body).await;
    reply.expect("4002702", "Invalid Mandatory Field customerNo");
    assert!(reply.reason().contains("does not make up"), "{}", reply.reason());
    assert!(run.sandbox.records().is_empty());
}

fn transfer_request(reference: &str) -> transfer::Request {
    let mut body = sample(&api(), &transfer::ENDPOINT.id);
    body["partnerReferenceNo"] = json!(reference);
    rt::from_json(body).expect("a valid transfer to bank")
}

fn transfer_status_request(reference: &str) -> transfer_status::Request {
    rt::from_json(json!({"originalPartnerReferenceNo": reference, "serviceCode": "00"})).expect("a valid status")
}

#[tokio::test]
async fn dana_transfer_to_bank_status_answers_with_dana_s_service_code_00() {
    let run = start_provider("dana", |b| b).await;
    let client = dana::Client::new(config(&run.base)).expect("client");

    let unknown = refused(
        client
            .disbursement_transfer_to_bank_status(&transfer_status_request("WD-NOPE"))
            .await,
    );
    assert_eq!(unknown, transfer_status::Code::TransactionNotFound);
    assert_eq!(unknown.code(), "4040001");

    let sent = client
        .disbursement_transfer_to_bank(&transfer_request("WD-STATUS-1"))
        .await
        .expect("transferred")
        .into_answered()
        .expect("answered by the transfer itself");
    assert_eq!(sent.code, transfer::Code::Successful);
    let status = client
        .disbursement_transfer_to_bank_status(&transfer_status_request("WD-STATUS-1"))
        .await
        .expect("status");
    assert_eq!(status.code, transfer_status::Code::Successful);
    assert_eq!(status.code.code(), "2000000");
    assert_eq!(status.code.outcome(), rt::Outcome::Success);
    assert_eq!(status.body.latest_transaction_status.as_deref(), Some("00"));
    assert_eq!(status.body.service_code.as_deref(), Some("00"), "DANA's value, echoed");
    assert_eq!(status.body.original_reference_no, sent.body.reference_no);
    let amount = status.body.amount.as_ref().expect("the transfer's amount");
    assert_eq!(amount.value.as_deref(), Some("10000.00"));

    // The code explains itself through the generated table: DANA's own service, the standard's case.
    let explained = rt::ResponseCode::parse("4040001").explain(&snapbi::CODE_TABLE);
    assert_eq!(explained.service, None);
    assert_eq!(explained.provider_services.len(), 1);
    assert_eq!(explained.provider_services[0].provider, "dana");
    assert_eq!(explained.case.map(|c| &*c.name), Some("TransactionNotFound"));
}

#[tokio::test]
async fn a_lost_transfer_to_bank_answer_is_settled_through_the_status_not_sent_twice() {
    let run = start_provider("dana", |b| b).await;
    let client = dana::Client::new(config(&run.base).timeout(std::time::Duration::from_secs(5))).expect("client");
    let fault = Fault {
        kind: FaultKind::DropAfterCommit,
        ms: 0,
    };
    run.sandbox
        .arm_fault(&transfer::ENDPOINT.id, fault, 1)
        .expect("fault armed");
    let settled = client
        .disbursement_transfer_to_bank(&transfer_request("WD-LOST-1"))
        .await
        .expect("settled");
    // What is known of a lost answer is what the status endpoint said, in its own types.
    let confirmation = settled.confirmed_by_status().expect("confirmed by the status endpoint");
    assert_eq!(confirmation.status_value, "00");
    assert_eq!(confirmation.code, transfer_status::Code::Successful);
    assert_eq!(confirmation.body.latest_transaction_status.as_deref(), Some("00"));
    let amount = confirmation.body.amount.as_ref().and_then(|a| a.value.as_deref());
    assert_eq!(amount, Some("10000.00"), "the status endpoint's amount");
    let ledger = run.sandbox.ledger();
    assert_eq!(ledger.len(), 1, "one transfer, not two");
    assert_eq!(ledger[0].partner_reference_no, "WD-LOST-1");
}
