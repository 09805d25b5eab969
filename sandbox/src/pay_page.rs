//! The page a payment's `webRedirectUrl` points at (`/_sandbox/pay/{partnerReferenceNo}`), standing for the provider's
//! payment page: what the payment is, and three buttons, Pay (`#pay`), Cancel (`#cancel`) and Let it expire
//! (`#expire`), which post `action=pay|cancel|expire` to the same page (`operations::on_page`).
//!
//! When the payment's endpoint takes part in the world (`customer: act: pay`), the page also lists the provider's
//! customers to pick (`#payer`, `payer=<phone number>`): Pay then takes the amount from that customer's wallet and
//! remembers them as the payer. The one the URL's one-time token stands for (the act's `page_token`, DANA's `ott`) is
//! picked already; with nobody picked the payment is paid another way, as on a page with no customers. A wallet that
//! cannot pay is said on the page (`#message`) with the endpoint's code for it, and the payment stays unpaid.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::Sandbox;
use crate::ledger::PaymentRecord;
use crate::operations::{Choice, Refused, encode, wallet_use};
use crate::sandbox::SandboxError;
use crate::world::Customer;

/// `GET`: the payment, its customers to pick and the buttons.
pub(crate) async fn show(
    State(sandbox): State<Sandbox>,
    Path(partner_reference_no): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(payment) = payment(&sandbox, &partner_reference_no) else {
        return not_found(&partner_reference_no);
    };
    let picked = token_customer(&sandbox, &payment, query.as_deref());
    render(&sandbox, &payment, picked.as_deref(), None)
}

/// `POST` with `action=pay|cancel|expire` (none: pay) and `payer`: does it, then shows the page again (`303`), or the
/// page with why not.
pub(crate) async fn act(
    State(sandbox): State<Sandbox>,
    Path(partner_reference_no): Path<String>,
    form: Bytes,
) -> Response {
    let field = |name: &str| {
        form_urlencoded::parse(&form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let payer = field("payer").filter(|p| !p.is_empty());
    let choice = match field("action").as_deref() {
        None | Some("pay") => Choice::Pay(payer.clone()),
        Some("cancel") => Choice::Cancel,
        Some("expire") => Choice::Expire,
        Some(other) => {
            let why = format!("unknown action {other:?}: pay, cancel or expire");
            // Plain text: the value is the caller's, and is not to be read as HTML.
            return (StatusCode::BAD_REQUEST, why).into_response();
        }
    };
    match sandbox.settle_on_page(&partner_reference_no, &choice) {
        Ok(_) => {
            let page = format!("/_sandbox/pay/{}", encode(&partner_reference_no));
            (StatusCode::SEE_OTHER, [(LOCATION, page)]).into_response()
        }
        Err(refused) => {
            let Some(payment) = payment(&sandbox, &partner_reference_no) else {
                return not_found(&partner_reference_no);
            };
            let (status, message) = explain(&refused);
            let mut page = render(&sandbox, &payment, payer.as_deref(), Some(message));
            *page.status_mut() = status;
            page
        }
    }
}

/// The first payment named `partner_reference_no`, as it is now.
fn payment(sandbox: &Sandbox, partner_reference_no: &str) -> Option<PaymentRecord> {
    let ledger = sandbox.ledger();
    ledger
        .into_iter()
        .find(|p| p.partner_reference_no == partner_reference_no)
}

/// The phone number of the customer the URL's one-time token stands for, at the payment's provider.
fn token_customer(sandbox: &Sandbox, payment: &PaymentRecord, query: Option<&str>) -> Option<String> {
    let param = wallet_use(&sandbox.inner, payment)?.page_token.as_deref()?;
    let token = form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == param)?.1;
    let holder = sandbox.inner.world.one_time_token_holder(&token)?;
    (holder.provider == payment.provider).then_some(holder.phone_no)
}

/// The status and the words for a refusal.
fn explain(refused: &Refused) -> (StatusCode, Markup) {
    match refused {
        Refused::Payment(e @ SandboxError::PaymentNotFound(_)) => (StatusCode::NOT_FOUND, html! { (e.to_string()) }),
        Refused::Payment(e) => (StatusCode::CONFLICT, html! { (e.to_string()) }),
        Refused::Wallet { code, message, why } => {
            let words = html! {
                @if let Some(code) = code { span #code { (code) } " " }
                @if let Some(message) = message { (message) ": " }
                (why)
            };
            (StatusCode::FORBIDDEN, words)
        }
    }
}

fn render(sandbox: &Sandbox, payment: &PaymentRecord, picked: Option<&str>, message: Option<Markup>) -> Response {
    let code = payment.latest_transaction_status.code();
    let status = sandbox.transaction_status_name(code).unwrap_or(code);
    let customers: Vec<Customer> = match wallet_use(&sandbox.inner, payment) {
        Some(_) => sandbox.inner.world.of_provider(&payment.provider),
        None => Vec::new(),
    };
    let amount = payment.amount.as_ref();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            // No icon: else the browser asks for /favicon.ico, which the journal would show as a refused call.
            head { meta charset="utf-8"; link rel="icon" href="data:,"; title { "snapbi sandbox: pay" } style { (PAY_STYLE) } }
            body {
                h1 {
                    "Pay " (amount.map_or("(no amount)", |m| m.value.as_str()))
                    " " (amount.map_or("", |m| m.currency.as_str()))
                }
                p { "partnerReferenceNo " (payment.partner_reference_no) " · referenceNo " (payment.reference_no) }
                p { "status " span #status { (code) " " (status) } }
                @if let Some(payer) = &payment.payer { p { "paid by " span #paid-by { (payer) } } }
                @if let Some(message) = message { p #message .refused { (message) } }
                form method="post" {
                    @if !customers.is_empty() {
                        p {
                            label { "Customer "
                                select #payer name="payer" {
                                    option value="" { "nobody's wallet (paid another way)" }
                                    @for c in &customers {
                                        option value=(c.phone_no) selected[picked == Some(c.phone_no.as_str())] {
                                            (c.phone_no)
                                            @if let Some(b) = &c.balance { " · " (b.value) " " (b.currency) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button #pay name="action" value="pay" { "Pay" } " "
                    button #cancel .quiet name="action" value="cancel" { "Cancel" } " "
                    button #expire .quiet name="action" value="expire" { "Let it expire" }
                }
                p.muted { a href="/_sandbox/ui/ledger" { "the sandbox's dashboard" } }
            }
        }
    };
    Html(page.into_string()).into_response()
}

fn not_found(partner_reference_no: &str) -> Response {
    let body = serde_json::json!({ "error": format!("no payment {partner_reference_no:?}") });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

const PAY_STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;color:#1d2330}\
button{font:inherit;padding:.4em 2em;border:0;border-radius:4px;background:#3d6df2;color:#fff;cursor:pointer}\
button.quiet{background:#e4e7ee;color:#1d2330}.refused{color:#b3261e}.muted{color:#667;font-size:.9em}";
