//! The pages where a customer pays a record, as a provider's hosted page would (DOKU Checkout's `payment.url`):
//! a create whose endpoint answers a `page` gets one, at `/_sandbox/pages/<token>`.
//!
//! `GET` shows the record and a form asking for what the payment must bring that the record does not hold: each
//! required request field of the kind's notifications (DOKU's `service.id`, `acquirer.id`, `channel.id`), under
//! its wire path, left empty (the sandbox fills in nothing). `POST` pays the
//! record with the fields given, exactly as `POST /_sandbox/records/{provider}/{kind}/pay` does (the record's key
//! names it), so its status reports it paid and its notification goes to the merchant.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value};
use snapbi_spec::ir::paths;

use crate::Sandbox;
use crate::admin::escape;
use crate::answers;
use crate::ledger::Record;
use crate::notify::record_notify_endpoints;
use crate::operations::at_path;
use crate::sandbox::SandboxError;

/// `GET /_sandbox/pages/{token}`: the record and the form that pays it.
pub(crate) async fn show(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    let Some(record) = record(&sandbox, &token) else {
        return page(StatusCode::NOT_FOUND, "No such page", "<p>No record has this page.</p>");
    };
    let mut inputs = String::new();
    for path in asked(&sandbox, &record) {
        inputs.push_str(&format!(
            "<p><label>{0} <input name=\"{0}\" required></label></p>",
            escape(&path)
        ));
    }
    let fields = serde_json::to_string_pretty(&record.fields).unwrap_or_default();
    let body = format!(
        "<p>{} · {} record of client {}</p><pre>{}</pre>\
         <form method=post>{inputs}<button>Pay</button></form>",
        escape(&record.provider),
        escape(&record.kind),
        escape(&record.client_id),
        escape(&fields),
    );
    page(StatusCode::OK, &format!("Pay {}", record.key_text()), &body)
}

/// `POST /_sandbox/pages/{token}`: pays the record with the form's fields (wire paths → values).
pub(crate) async fn pay(State(sandbox): State<Sandbox>, Path(token): Path<String>, form: Bytes) -> Response {
    let Some(record) = record(&sandbox, &token) else {
        return page(StatusCode::NOT_FOUND, "No such page", "<p>No record has this page.</p>");
    };
    let mut payment = Map::new();
    for (path, value) in form_urlencoded::parse(&form).filter(|(_, v)| !v.is_empty()) {
        answers::set(&mut payment, &path, Value::String(value.into_owned()));
    }
    // The record's key names it, as a provider's page knows what it shows.
    for (path, value) in &record.key {
        answers::set(&mut payment, path, value.clone());
    }
    let title = record.key_text();
    match sandbox.pay_record(&record.provider, &record.kind, &Value::Object(payment)) {
        Ok(_) => page(
            StatusCode::OK,
            &format!("Paid {title}"),
            "<p>Paid. The merchant is notified; its status reports it paid.</p>",
        ),
        Err(e) => {
            let status = match e {
                SandboxError::AlreadyPaid(_) => StatusCode::CONFLICT,
                SandboxError::RecordNotFound(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            page(
                status,
                &format!("Not paid: {title}"),
                &format!("<p>{}</p>", escape(&e.to_string())),
            )
        }
    }
}

fn record(sandbox: &Sandbox, token: &str) -> Option<Record> {
    sandbox.inner.books().record_with_page(token).cloned()
}

/// What a payment of `record` must bring that the record does not hold: the required leaf fields of its kind's
/// notifications, outside lists, in spec order, each once.
fn asked(sandbox: &Sandbox, record: &Record) -> Vec<String> {
    let api = &sandbox.inner.api;
    let mut out: Vec<String> = Vec::new();
    for endpoint in record_notify_endpoints(api, &record.provider, &record.kind) {
        for field in paths::flatten(api, &endpoint.request) {
            let leaf = !matches!(field.kind, "object" | "list" | "json");
            let held = at_path(&record.fields, &field.wire_path).is_some();
            let known = out.contains(&field.wire_path);
            // What the provider fills in itself (`answers`: WooshPay's event id and type) is not the customer's to give.
            let filled = endpoint
                .answers
                .iter()
                .any(|a| field.wire_path == a.field || field.wire_path.starts_with(&format!("{}.", a.field)));
            if field.required && leaf && !held && !known && !filled && !field.wire_path.contains("[]") {
                out.push(field.wire_path);
            }
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>snapbi sandbox: {0}</title><h1>{0}</h1>{body}",
        escape(title)
    );
    (status, Html(html)).into_response()
}
