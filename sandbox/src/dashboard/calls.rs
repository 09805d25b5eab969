//! The calls: the request journal over HTTP (`GET /_sandbox/journal`, JSON, newest first, and
//! `GET /_sandbox/journal/{n}`), and its pages: `/_sandbox/ui` (the calls, newest first) and `/_sandbox/ui/calls/{n}`
//! (one call: headers, body, the checks in order with the one that refused it, for a refused signature the string to
//! sign the sandbox expected next to what was received, and links to the payments and records of the ledger the call
//! names).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::{Tab, View, plain_page, tab_page};
use crate::Sandbox;
use crate::journal::{Entry, Outcome, Verdict};
use crate::signature_diagnosis::SignatureDiagnosis;

pub(super) async fn journal(State(sandbox): State<Sandbox>) -> Json<Value> {
    let entries = sandbox.inner.journal.newest_first(&sandbox.inner);
    let entries: Vec<&Entry> = entries.iter().map(|e| &**e).collect();
    Json(json!({ "entries": entries }))
}

pub(super) async fn journal_entry(State(sandbox): State<Sandbox>, Path(n): Path<u64>) -> Response {
    match sandbox.inner.journal.get(&sandbox.inner, n) {
        Some(entry) => Json(&*entry).into_response(),
        None => not_kept(n).into_response(),
    }
}

fn not_kept(n: u64) -> (StatusCode, Json<Value>) {
    let message = format!("call {n} is not in the journal (never made, or forgotten: it keeps the last calls)");
    (StatusCode::NOT_FOUND, Json(json!({ "error": message })))
}

/// The list of calls.
pub(super) async fn list_page(State(sandbox): State<Sandbox>, uri: Uri) -> Response {
    let entries = sandbox.inner.journal.newest_first(&sandbox.inner);
    let body = html! {
        p.muted { (entries.len()) " calls kept, newest first · " a href="/_sandbox/journal" { "JSON" } }
        table {
            tr { th { "#" } th { "time" } th { "method" } th { "path" } th { "endpoint" } th { "client" } th { "verdict" } th { "HTTP" } th { "code" } th { "refused by" } }
            @for entry in &entries {
                tr class=(verdict_class(entry.verdict)) {
                    td { a href={ "/_sandbox/ui/calls/" (entry.n) } { (entry.n) } }
                    td.time { (entry.at) }
                    td { (entry.method) }
                    td { code { (entry.path) } }
                    td { (entry.endpoint.as_deref().unwrap_or("—")) }
                    td { (entry.client.as_deref().unwrap_or("—")) }
                    td class=(verdict_class(entry.verdict)) { (verdict_text(entry.verdict)) }
                    td { (entry.status) }
                    td { (entry.code.as_deref().unwrap_or("—")) }
                    td { (entry.refused_by.map_or("", |c| c.describe())) }
                }
            }
        }
    };
    tab_page(Tab::Calls, View::of(&uri), body)
}

pub(super) async fn call_page(State(sandbox): State<Sandbox>, Path(n): Path<u64>) -> Response {
    let Some(entry) = sandbox.inner.journal.get(&sandbox.inner, n) else {
        let body =
            html! { p { "Call " (n) " is not in the journal (never made, or forgotten: it keeps the last calls)." } };
        return plain_page(StatusCode::NOT_FOUND, "Call not found", body);
    };
    let title = format!("Call {}: {} {}", entry.n, entry.method, entry.path);
    let named = super::ledger::named_by(&sandbox, &entry);
    plain_page(StatusCode::OK, &title, call(&entry, named))
}

/// One call's page.
fn call(entry: &Entry, named: Markup) -> Markup {
    html! {
        p { a href="/_sandbox/ui" { "← all calls" } " · " a href={ "/_sandbox/journal/" (entry.n) } { "JSON" } }
        table {
            tr { th { "time" } td { (entry.at) " (answered in " (entry.took_us) " µs)" } }
            tr { th { "endpoint" } td { (entry.endpoint.as_deref().unwrap_or("— (not routed)")) } }
            tr { th { "client" } td { (entry.client.as_deref().unwrap_or("—")) } }
            tr { th { "verdict" } td class=(verdict_class(entry.verdict)) { (verdict_text(entry.verdict)) } }
            tr { th { "answer" } td { "HTTP " (entry.status) " · code " (entry.code.as_deref().unwrap_or("—")) } }
            @if let Some(reason) = &entry.reason {
                tr { th { "why" } td { (reason) } }
            }
        }
        (named)
        @if let Some(signature) = &entry.signature {
            (signature_comparison(signature))
        }
        h2 { "Checks, in order" }
        @if entry.checks.is_empty() {
            p { "No checks were recorded for this call." }
        } @else {
            ol {
                @for step in &entry.checks {
                    li class=(outcome_class(step.outcome)) {
                        (step.check.describe()) ": " (outcome_text(step.outcome))
                        @if step.outcome == Outcome::Refused {
                            @if let Some(reason) = &entry.reason { " — " (reason) }
                        }
                    }
                }
            }
        }
        h2 { "Request headers" }
        table {
            @for (name, value) in &entry.headers {
                tr { th { (name) } td { code { (value) } } }
            }
        }
        h2 { "Request body" }
        @match &entry.body {
            None => p { "Not read: the call was refused before its body." },
            Some(body) => {
                @if entry.body_truncated {
                    p { "The first " (body.len()) " of " (entry.body_bytes) " bytes." }
                }
                pre { (pretty(body)) }
            }
        }
    }
}

/// The string to sign the sandbox built and what it expected, next to what the call sent.
fn signature_comparison(signature: &SignatureDiagnosis) -> Markup {
    html! {
        h2 { "Signature" }
        p { "Recipe " code { (signature.recipe) } " (" (signature.algorithm) ", " (signature.encoding) ")." }
        table {
            @for (part, value) in &signature.parts {
                tr { th { code { (part) } } td { code { (value) } } }
            }
        }
        table class="side" {
            tr { th { } th { "the sandbox expected" } th { "received" } }
            tr {
                th { "string to sign" }
                td { pre id="string-to-sign" { (signature.string_to_sign) } }
                td { "(not sent: compare with the string your client signed)" }
            }
            tr { th { "its SHA-256" } td { code id="string-to-sign-sha256" { (signature.string_to_sign_sha256) } } td { } }
            tr {
                th { "signature" }
                td {
                    @match &signature.expected {
                        Some(expected) => code id="expected-signature" { (expected) },
                        None => "(an RSA signature: only your private key makes it; check the string to sign)",
                    }
                }
                td { @for received in &signature.received { code class="received" { (received) } br; } }
            }
        }
        p { "The B2B token is shown masked; the hash and the expected signature are over the real string." }
    }
}

/// The body pretty-printed when it is JSON, as received otherwise.
fn pretty(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|json| serde_json::to_string_pretty(&json).ok())
        .unwrap_or_else(|| body.to_owned())
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Served => "served",
        Verdict::Refused => "refused",
    }
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Served => "ok",
        Verdict::Refused => "no",
    }
}

fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Refused => "REFUSED",
        Outcome::NotReached => "not reached",
    }
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "ok",
        Outcome::Refused => "no",
        Outcome::NotReached => "skip",
    }
}
