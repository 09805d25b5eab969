//! The notifications' page, `/_sandbox/ui/notifications`: each notification the sandbox sent, newest first, with its
//! body, every delivery attempt and the merchant's answer to it (HTTP status, or why there was none), and a Resend
//! button that posts to `/_sandbox/ui/notifications/{n}/resend` (the form twin of
//! `POST /_sandbox/notifications/{n}/resend`).
//!
//! The body is shown as sent; the headers are not (they carry the token and the signature).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;

use super::{Tab, View, plain_page, see_other, tab_page, without_secrets};
use crate::Sandbox;
use crate::notify::{Delivery, Sent};

/// Every notification with its attempts.
pub(super) async fn page(State(sandbox): State<Sandbox>, uri: Uri) -> Response {
    let mut attempts: BTreeMap<u64, Vec<Delivery>> = BTreeMap::new();
    for delivery in sandbox.notifications() {
        attempts.entry(delivery.notification).or_default().push(delivery);
    }
    let sent: BTreeMap<u64, Sent> = sandbox.sent_notifications().into_iter().map(|s| (s.n, s)).collect();
    let body = html! {
        p.muted {
            (attempts.len()) @if attempts.len() == 1 { " notification" } @else { " notifications" }
            ", newest first · " a href="/_sandbox/notifications" { "JSON" }
        }
        @if attempts.is_empty() { p.muted { "No notification sent yet." } }
        @for (n, tries) in attempts.iter_mut().rev() {
            (notification(&sandbox, *n, tries, sent.get(n)))
        }
    };
    tab_page(Tab::Notifications, View::of(&uri), body)
}

/// One notification: where it went, its body, its attempts in order, and Resend while its body is kept.
fn notification(sandbox: &Sandbox, n: u64, attempts: &mut [Delivery], sent: Option<&Sent>) -> Markup {
    attempts.sort_by_key(|d| d.attempt);
    let url = attempts.first().map_or("", |d| d.url.as_str());
    let acknowledged = attempts.iter().any(|d| d.acknowledged);
    html! {
        section.card id={ "notification-" (n) } {
            h2 {
                "Notification " (n) " "
                @if acknowledged { span.ok { "acknowledged" } } @else { span.no { "not acknowledged" } }
            }
            p { "to " code { (url) } }
            @if let Some(sent) = sent {
                details { summary { "body" } pre { (body_text(sandbox, sent)) } }
                form.inline method="post" action={ "/_sandbox/ui/notifications/" (n) "/resend" } {
                    button name="resend" { "Resend" }
                }
            } @else {
                p.muted { "Its body is not kept (forgotten, or never sent): it cannot be resent." }
            }
            table.attempts {
                tr { th { "attempt" } th { "at" } th { "answer" } th { "acknowledged" } th { } }
                @for attempt in attempts.iter() {
                    tr {
                        td { (attempt.attempt) }
                        td { (attempt.at) }
                        td.answer { (answer(attempt)) }
                        td class=(if attempt.acknowledged { "ok" } else { "no" }) { (if attempt.acknowledged { "yes" } else { "no" }) }
                        td.muted { (if attempt.resent { "resent by hand" } else { "" }) }
                    }
                }
            }
        }
    }
}

/// `HTTP 200`, or why there was no answer.
fn answer(delivery: &Delivery) -> String {
    match (delivery.status, &delivery.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    }
}

/// The body as sent, pretty-printed when it is JSON, secrets cut out.
fn body_text(sandbox: &Sandbox, sent: &Sent) -> String {
    match serde_json::from_slice::<Value>(&sent.body) {
        Ok(json) => super::pretty_json(sandbox, &json),
        Err(_) => without_secrets(sandbox, &String::from_utf8_lossy(&sent.body)),
    }
}

/// The Resend button: sends notification `n` again, then back to the page.
pub(super) async fn resend(State(sandbox): State<Sandbox>, Path(n): Path<u64>) -> Response {
    match sandbox.resend_notification(n) {
        Ok(()) => see_other(&format!("/_sandbox/ui/notifications#notification-{n}")),
        Err(e) => plain_page(
            StatusCode::NOT_FOUND,
            "Not resent",
            html! { p { (e.to_string()) } p { a href="/_sandbox/ui/notifications" { "← notifications" } } },
        ),
    }
}
