//! The ledger's page, `/_sandbox/ui/ledger`: payments with their status and refunds, and records (virtual accounts
//! and the like) with their fields; and, for a call's page, the payments and records the call names.
//!
//! A call names a payment by its partnerReferenceNo (`partnerReferenceNo`, `originalPartnerReferenceNo`), by the
//! sandbox's referenceNo (`originalReferenceNo`) or by the X-EXTERNAL-ID that created it or one of its refunds, and a
//! record by every value of its key at the key's paths in the body: what the call and the ledger both hold, nothing
//! guessed. A key carried in the path (`/v1/orders/{invoice_number}`) is not looked at.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;

use super::{Tab, View, pretty_json, tab_page};
use crate::Sandbox;
use crate::journal::Entry;
use crate::ledger::{PaymentRecord, Record};
use crate::operations::{at_path, encode};

/// The payments, their refunds and the records.
pub(super) async fn page(State(sandbox): State<Sandbox>, uri: Uri) -> Response {
    let payments = sandbox.ledger();
    let records = sandbox.records();
    let body = html! {
        p.muted { "Oldest first · " a href="/_sandbox/ledger" { "JSON" } }
        h2 { "Payments (" (payments.len()) ")" }
        @if payments.is_empty() { p.muted { "No payment yet." } } @else { div.wide { (payments_table(&sandbox, &payments)) } }
        @let refunds = payments.iter().map(|p| p.refunds.len()).sum::<usize>();
        @if refunds > 0 {
            h2 { "Refunds (" (refunds) ")" }
            div.wide { (refunds_table(&payments)) }
        }
        h2 { "Records (" (records.len()) ")" }
        @if records.is_empty() { p.muted { "No record yet." } } @else { div.wide { (records_table(&sandbox, &records)) } }
    };
    tab_page(Tab::Ledger, View::of(&uri), body)
}

fn payments_table(sandbox: &Sandbox, payments: &[PaymentRecord]) -> Markup {
    html! {
        table #payments {
            tr {
                th { "partnerReferenceNo" } th { "referenceNo" } th { "client · endpoint" } th { "amount" }
                th { "status" } th { "created" } th { "paid" } th { "refunded" } th { "notify URL · pay page" }
            }
            @for payment in payments {
                tr id=(payment_anchor(payment)) {
                    td { code { (payment.partner_reference_no) } }
                    td { code { (payment.reference_no) } }
                    td { (payment.client_id) br; span.muted { (payment.endpoint) } }
                    td { (amount(payment.amount.as_ref())) }
                    td class="status" { (status(sandbox, payment)) }
                    td.time { (payment.created_time) }
                    td.time { (payment.paid_time.as_deref().unwrap_or("—")) }
                    td { (amount(payment.refunded.as_ref())) }
                    td.url {
                        (payment.notify_url.as_deref().unwrap_or("—")) br;
                        a href={ "/_sandbox/pay/" (encode(&payment.partner_reference_no)) } { "pay page" }
                    }
                }
            }
        }
    }
}

fn refunds_table(payments: &[PaymentRecord]) -> Markup {
    html! {
        table #refunds {
            tr { th { "payment" } th { "partnerRefundNo" } th { "refundNo" } th { "amount" } th { "time" } }
            @for payment in payments {
                @for refund in &payment.refunds {
                    tr {
                        td { a href={ "#" (payment_anchor(payment)) } { (payment.partner_reference_no) } }
                        td { code { (refund.partner_refund_no) } }
                        td { code { (refund.refund_no) } }
                        td { (amount(Some(&refund.refund_amount))) }
                        td { (refund.refund_time) }
                    }
                }
            }
        }
    }
}

fn records_table(sandbox: &Sandbox, records: &[Record]) -> Markup {
    html! {
        table #records {
            tr { th { "provider" } th { "kind" } th { "key" } th { "client" } th { "created by" } th { "created" } th { "updated" } th { "fields" } }
            @for record in records {
                tr id=(record_anchor(record)) {
                    td { (record.provider) }
                    td { (record.kind) }
                    td { (record.key_text()) }
                    td { (record.client_id) }
                    td { (record.created_by) }
                    td { (record.created_time) }
                    td { (record.updated_time.as_deref().unwrap_or("—")) }
                    td {
                        details { summary { "fields" } pre { (pretty_json(sandbox, &record.fields)) } }
                        @if let Some(token) = &record.page {
                            a href={ "/_sandbox/pages/" (encode(token)) } { "pay page" }
                        }
                    }
                }
            }
        }
    }
}

/// The payments and records the call names, as the ledger holds them now; nothing when it names none.
pub(super) fn named_by(sandbox: &Sandbox, entry: &Entry) -> Markup {
    let Some(client) = entry.client.as_deref() else {
        return html! {};
    };
    let body: Value = entry
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    let external_id = entry
        .headers
        .iter()
        .find(|(name, _)| name == "x-external-id")
        .map(|(_, value)| value.as_str());
    let payments: Vec<PaymentRecord> = sandbox
        .ledger()
        .into_iter()
        .filter(|p| p.client_id == client && names_payment(&body, external_id, p))
        .collect();
    let records: Vec<Record> = sandbox
        .records()
        .into_iter()
        .filter(|r| r.client_id == client && names_record(&body, r))
        .collect();
    if payments.is_empty() && records.is_empty() {
        return html! {};
    }
    html! {
        h2 { "In the ledger" }
        p.muted { "What this call names, as the ledger holds it now." }
        ul #named {
            @for payment in &payments {
                li {
                    "payment " a href={ "/_sandbox/ui/ledger#" (payment_anchor(payment)) } { (payment.partner_reference_no) }
                    " · " (status(sandbox, payment))
                }
            }
            @for record in &records {
                li { (record.kind) " " a href={ "/_sandbox/ui/ledger#" (record_anchor(record)) } { (record.key_text()) } }
            }
        }
    }
}

/// Whether the call's body or X-EXTERNAL-ID names `payment`.
fn names_payment(body: &Value, external_id: Option<&str>, payment: &PaymentRecord) -> bool {
    let text = |path: &str| at_path(body, path).and_then(Value::as_str);
    let by_partner = ["partnerReferenceNo", "originalPartnerReferenceNo"]
        .into_iter()
        .any(|path| text(path) == Some(payment.partner_reference_no.as_str()));
    let by_reference = text("originalReferenceNo") == Some(payment.reference_no.as_str());
    let by_external_id = external_id.is_some_and(|id| {
        payment.external_id.as_deref() == Some(id)
            || payment.refunds.iter().any(|r| r.external_id.as_deref() == Some(id))
    });
    by_partner || by_reference || by_external_id
}

/// Whether the call's body holds every value of `record`'s key at its path.
fn names_record(body: &Value, record: &Record) -> bool {
    !record.key.is_empty()
        && record
            .key
            .iter()
            .all(|(path, value)| at_path(body, path) == Some(value))
}

/// `10000.00 IDR`, or a dash for none.
fn amount(money: Option<&crate::Money>) -> String {
    money.map_or_else(|| "—".to_owned(), |m| format!("{} {}", m.value, m.currency))
}

/// `00 Success`: the status code and the standard's name of it.
fn status(sandbox: &Sandbox, payment: &PaymentRecord) -> String {
    let code = payment.latest_transaction_status.code();
    match sandbox.transaction_status_name(code) {
        Some(name) => format!("{code} {name}"),
        None => code.to_owned(),
    }
}

/// The id of a payment's row: its client and partnerReferenceNo, percent-encoded so any value makes a valid one.
fn payment_anchor(payment: &PaymentRecord) -> String {
    format!(
        "payment-{}-{}",
        encode(&payment.client_id),
        encode(&payment.partner_reference_no)
    )
}

/// The id of a record's row: its client, provider, kind and key values.
fn record_anchor(record: &Record) -> String {
    let values: Vec<String> = record
        .key
        .values()
        .map(|v| encode(&v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    format!(
        "record-{}-{}-{}-{}",
        encode(&record.client_id),
        encode(&record.provider),
        encode(&record.kind),
        values.join("-")
    )
}
