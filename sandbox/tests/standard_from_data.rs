//! The sandbox answers from the standard's data (`specs/common/standard.yaml`, lowered into `Api::standard`), never
//! from copies of it: each test changes that data in memory, builds a sandbox with it and checks the answers follow
//! the change, where a sandbox holding its own literals would still answer as the shipped data says.

mod common;

use common::*;
use serde_json::json;
use snapbi_sandbox::notify::{PaymentFacts, notification_body};
use snapbi_sandbox::{Sandbox, SandboxError};
use snapbi_spec::ir::{Action, Api, Case, Endpoint, HeaderSource, Operation, Situation, Transition};

/// Answers `situation` with `(http, case)` instead of the shipped case.
fn set_case(api: &mut Api, situation: Situation, http: u16, case: &str) {
    // The message follows the case, as lowering takes it from the code table.
    let message = api
        .codes
        .case(http, case)
        .map(|c| c.message.clone())
        .unwrap_or_default();
    let cases = api.standard.cases.to_mut();
    let entry = cases
        .iter_mut()
        .find(|(s, _)| *s == situation)
        .expect("every situation has a case");
    entry.1 = Case {
        http,
        case: case.to_owned().into(),
        message,
    };
}

/// DOKU's payment notification endpoint.
fn notify(api: &mut Api) -> &mut Endpoint {
    let found = api
        .endpoints
        .iter_mut()
        .find(|e| e.info.id == "doku.direct_debit.notify");
    found.expect("DOKU's payment notification")
}

/// The transition of `action` in the transaction-status table.
fn transition(api: &mut Api, action: Action) -> &mut Transition {
    let transitions = api.standard.transaction_status.transitions.to_mut();
    let entry = transitions
        .iter_mut()
        .find(|(a, _)| *a == action)
        .expect("the shipped table has it");
    &mut entry.1
}

/// Gives the status value `code` another name.
fn rename_status(api: &mut Api, code: &str, name: &str) {
    let values = api.standard.transaction_status.values.to_mut();
    let value = values.iter_mut().find(|v| v.code == code).expect("a shipped value");
    value.name = name.to_owned().into();
}

fn status_of(reply: &Reply) -> (&str, &str) {
    let text = |name: &str| reply.body[name].as_str().unwrap_or_default();
    (text("latestTransactionStatus"), text("transactionStatusDesc"))
}

#[tokio::test]
async fn a_missing_field_gets_the_case_the_data_gives_it() {
    let mut api = api();
    // Shipped: 400xx02 Invalid Mandatory Field. Here: the invalid-format case.
    set_case(&mut api, Situation::MissingField, 400, "01");
    let run = start_api(api, "doku", |b| b).await;

    let body = serde_json::to_vec(&run.payment_body(&unique("INV"), "10000.00")).unwrap_or_default();
    let mut headers = run.headers_for(PAYMENT, &body).await;
    remove_header(&mut headers, "X-TIMESTAMP");
    run.send_to(PAYMENT, &headers, body)
        .await
        .expect("4005401", "Invalid Field Format X-TIMESTAMP");

    let mut body = run.payment_body(&unique("INV"), "10000.00");
    body.as_object_mut().map(|b| b.remove("partnerReferenceNo"));
    run.call(PAYMENT, &body)
        .await
        .expect("4005401", "Invalid Field Format partnerReferenceNo");
}

/// Sets the standard's length of headers filled from `source`.
fn set_header_limit(api: &mut Api, source: HeaderSource, max: u32) {
    let limits = api.standard.header_max_length.to_mut();
    let entry = limits.iter_mut().find(|(s, _)| *s == source).expect("a shipped limit");
    entry.1 = max;
}

#[tokio::test]
async fn header_lengths_are_the_data_s() {
    let mut short_external_ids = api();
    // Shipped: X-EXTERNAL-ID String(36); the tests' ids are longer than 8.
    set_header_limit(&mut short_external_ids, HeaderSource::ExternalId, 8);
    let run = start_api(short_external_ids, "doku", |b| b).await;
    let reply = run.call(PAYMENT, &run.payment_body(&unique("INV"), "10000.00")).await;
    reply.expect("4005401", "Invalid Field Format X-EXTERNAL-ID");

    // The client ids the sandbox accepts are held to the client-id headers' length.
    let mut short_client_ids = api();
    set_header_limit(&mut short_client_ids, HeaderSource::ClientId, 8);
    let built = Sandbox::builder().api(short_client_ids).build();
    assert!(
        matches!(&built, Err(SandboxError::Credentials { reason, .. }) if reason.contains("at most 8")),
        "{built:?}"
    );
}

#[tokio::test]
async fn a_token_lives_as_long_as_the_data_says() {
    let mut api = api();
    api.standard.token_lifetime_seconds = 42;
    let run = start_api(api, "doku", |b| b).await;
    let body = br#"{"grantType":"client_credentials"}"#.to_vec();
    let headers = signed_headers(run.api(), run.endpoint(TOKEN), &body, None, &now());
    let reply = run.send_to(TOKEN, &headers, body).await;
    reply.expect("2007300", "Successful");
    assert_eq!(reply.body["expiresIn"], 42);
}

#[tokio::test]
async fn a_refund_the_transition_table_does_not_allow_is_refused() {
    let mut api = api();
    // Only a refunded payment may be refunded again; a paid one (`00`) may not.
    transition(&mut api, Action::Refund)
        .from
        .to_mut()
        .retain(|from| from != "00");
    let run = start_api(api, "doku", |b| b).await;
    let reference = run.paid_payment("10000.00").await;

    let refund = run
        .call(REFUND, &run.refund_body(&reference, &unique("RF"), "1.00"))
        .await;
    refund.expect("4045800", "Invalid Transaction Status");
    assert!(refund.reason().contains("00 (Success)"), "{}", refund.reason());
    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status_of(&status), ("00", "Success"));
    assert!(run.sandbox.ledger().iter().all(|p| p.refunds.is_empty()));
}

#[tokio::test]
async fn an_endpoint_s_own_case_wins_over_the_standard_s_there_only() {
    let mut api = api();
    // Shipped: a refund above what is left is 404xx13 Invalid Amount. Here DOKU's refund answers it with its
    // Inconsistent Request case (declared there), as an endpoint's `cases` say where a provider documents another.
    let inconsistent = api.codes.case(404, "18").map(|c| c.message.clone()).unwrap_or_default();
    let refund = api
        .endpoints
        .iter_mut()
        .find(|e| e.info.id == REFUND)
        .expect("DOKU's refund");
    refund.cases.push((
        Situation::InvalidAmount,
        Case {
            http: 404,
            case: "18".to_owned().into(),
            message: inconsistent,
        },
    ));
    let run = start_api(api, "doku", |b| b).await;
    let reference = run.paid_payment("10000.00").await;

    let above = run.refund_body(&reference, &unique("RF"), "20000.00");
    run.call(REFUND, &above).await.expect("4045818", "Inconsistent Request");
    // Other situations keep the standard's case.
    let mut missing = run.refund_body(&reference, &unique("RF"), "1.00");
    missing.as_object_mut().map(|b| b.remove("partnerRefundNo"));
    run.call(REFUND, &missing)
        .await
        .expect("4005802", "Invalid Mandatory Field partnerRefundNo");
}

#[tokio::test]
async fn a_payment_starts_moves_and_is_named_as_the_data_says() {
    let mut api = api();
    // Payments start pending (`03`), are paid from there, and a paid one is called `Settled`; the successful case's
    // published message is `Done`.
    api.standard.transaction_status.initial = "03".into();
    transition(&mut api, Action::Pay).from = vec!["03".into()].into();
    rename_status(&mut api, "00", "Settled");
    let successful = api
        .codes
        .cases
        .to_mut()
        .iter_mut()
        .find(|c| c.http == 200 && c.case == "00");
    successful.expect("the success case").message = "Done".into();
    let run = start_api(api, "doku", |b| b).await;

    let reference = unique("INV");
    let paid = run.call(PAYMENT, &run.payment_body(&reference, "10000.00")).await;
    paid.expect("2005400", "Done");
    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status_of(&status), ("03", "Pending"));

    run.sandbox.complete_payment(&reference).expect("paid from 03");
    let status = run.call(STATUS, &run.status_body(&reference)).await;
    assert_eq!(status_of(&status), ("00", "Settled"));
    // The payment's own answer, as the status repeats it.
    assert_eq!(status.body["originalResponseCode"], "2005400");
    assert_eq!(status.body["originalResponseMessage"], "Done");
    assert_eq!(run.sandbox.transaction_status_name("00"), Some("Settled"));
    assert_eq!(run.sandbox.ledger()[0].latest_transaction_status, "00");
}

#[test]
fn data_the_sandbox_cannot_answer_from_is_refused_when_built() {
    let build = |api: Api| Sandbox::builder().api(api).build();
    let refused = |built: Result<Sandbox, SandboxError>, what: &str| match built {
        Err(SandboxError::Standard(why)) => assert!(why.contains(what), "{why}"),
        other => panic!("expected a refusal naming {what}, got {other:?}"),
    };

    let mut no_conflict = api();
    no_conflict
        .standard
        .cases
        .to_mut()
        .retain(|(s, _)| *s != Situation::Conflict);
    refused(build(no_conflict), "conflict");

    let mut unlisted_start = api();
    unlisted_start.standard.transaction_status.initial = "99".into();
    refused(build(unlisted_start), "initial");

    let mut unlisted_target = api();
    transition(&mut unlisted_target, Action::Cancel).to = "99".into();
    refused(build(unlisted_target), "99");

    let mut no_lifetime = api();
    no_lifetime.standard.token_lifetime_seconds = 0;
    refused(build(no_lifetime.clone()), "lifetime");
    // The builder's own lifetime (for tests) needs none from the data.
    let own = Sandbox::builder()
        .api(no_lifetime)
        .token_lifetime(std::time::Duration::from_secs(1))
        .build();
    assert!(own.is_ok(), "{:?}", own.err());
}

#[test]
fn the_payment_notification_is_found_by_its_operation_and_named_by_the_data() {
    let mut api = api();
    rename_status(&mut api, "00", "Settled");
    // Another service code: still the payment notification, which `operation: notify` without `record` makes it.
    notify(&mut api).info.service_code = "99".into();
    let facts = PaymentFacts {
        partner_reference_no: "INV-1".into(),
        reference_no: "R-1".into(),
        latest_transaction_status: "00".into(),
        ..PaymentFacts::default()
    };
    let body = notification_body(&api, "doku", &facts);
    assert_eq!(body["originalPartnerReferenceNo"], "INV-1");
    assert_eq!(body["transactionStatusDesc"], "Settled");

    // The shipped service code but another operation: no payment notification at all.
    let endpoint = notify(&mut api);
    endpoint.info.service_code = "56".into();
    endpoint.operation = Operation::Other;
    assert_eq!(notification_body(&api, "doku", &facts), json!({}));
}
