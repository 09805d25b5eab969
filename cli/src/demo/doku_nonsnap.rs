//! `snapbi demo --provider doku_nonsnap`: a DOKU Checkout order's life, in DOKU's non-SNAP API.
//!
//! The merchant creates a Checkout payment page for an order; check status reports it PENDING; the customer pays it
//! at BCA by virtual account (the sandbox's admin pays the order, as DOKU learns of a payment); DOKU's signed
//! notification reaches the merchant, whose verifier checks it over the bytes received and answers HTTP 200; check
//! status then reports SUCCESS with the channel that took it.

use std::time::Duration;

use snapbi::doku_nonsnap::orders_check_status as check_status;
use snapbi::doku_nonsnap::{self, checkout_payment as checkout, notification_payment as notification};
use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Verifier};
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

use super::status_merchant::Merchant;
use super::{line, start_sandbox};
use crate::error::print;

pub(super) async fn journey(api: snapbi_spec::Api) -> Result<(), String> {
    let merchant = Merchant::<notification::Request>::new(Verifier::new(
        &doku_nonsnap::PROFILE,
        &notification::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    ));
    let (notify_url, merchant_server) = merchant.serve(&notification::ENDPOINT.path).await?;
    let (sandbox, base_url, handle) = start_sandbox(api, "doku_nonsnap", &notify_url).await?;
    print(&format!(
        "sandbox {base_url} · provider DOKU (non-SNAP) · demo client {DEMO_CLIENT_ID}\n"
    ))
    .map_err(|_| "stdout")?;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .client_secret(DEMO_CLIENT_SECRET)
        .base_url(&base_url);
    let client = doku_nonsnap::Client::new(config).map_err(|e| e.to_string())?;
    let invoice = format!("INV-DEMO-{}", std::process::id());

    page(&client, &invoice).await?;
    status(&client, &invoice).await?;
    // The customer pays at BCA by virtual account; DOKU learns of it and notifies the merchant.
    let payment = rt::serde_json::json!({
        "order": { "invoice_number": invoice },
        "service": { "id": "VIRTUAL_ACCOUNT" },
        "acquirer": { "id": "BCA" },
        "channel": { "id": "VIRTUAL_ACCOUNT_BCA" },
    });
    sandbox
        .pay_record("doku_nonsnap", "order", &payment)
        .map_err(|e| format!("pay the order: {e}"))?;
    sandbox.wait_for_notifications(Duration::from_secs(10)).await;
    notified_line(&merchant)?;
    status(&client, &invoice).await?;

    handle.abort();
    merchant_server.abort();
    Ok(())
}

/// The Checkout payment page for `invoice`.
async fn page(client: &doku_nonsnap::Client, invoice: &str) -> Result<(), String> {
    let request = checkout::Request::builder()
        .order(checkout::Order::builder().amount(20000).invoice_number(invoice))
        .payment(checkout::Payment::builder().payment_due_date(60))
        .build()
        .map_err(|e| e.to_string())?;
    let created = client
        .checkout_payment(&request)
        .await
        .map_err(|e| format!("Checkout: {e}"))?;
    let page = created.body.response.as_ref().and_then(|r| r.payment.as_ref());
    let url = page
        .and_then(|p| p.url.as_deref())
        .unwrap_or("no payment.url in the answer");
    line(
        "payment page",
        created.code.code(),
        &format!("invoice {invoice} — customer goes to {url}"),
    )
}

/// Check status of `invoice`: the transaction's status, the order's amount and the channel, as answered.
async fn status(client: &doku_nonsnap::Client, invoice: &str) -> Result<(), String> {
    let params = check_status::Params::builder()
        .invoice_number(invoice)
        .build()
        .map_err(|e| e.to_string())?;
    let now = client
        .orders_check_status(&params)
        .await
        .map_err(|e| format!("check status: {e}"))?;
    let amount = now.body.order.as_ref().and_then(|o| o.amount.as_ref());
    let amount = amount.map_or_else(|| "no order.amount in the answer".to_owned(), |a| format!("amount {a}"));
    let channel = now.body.channel.as_ref().and_then(|c| c.id.as_deref());
    let channel = channel.map_or_else(|| "no channel yet".to_owned(), |c| format!("channel {c}"));
    let outcome = format!("{:?}", now.code.outcome()).to_lowercase();
    line(
        "check status",
        now.code.code(),
        &format!("{outcome} · {amount} · {channel}"),
    )
}

/// The first notification the merchant verified, and what it answered.
fn notified_line(merchant: &Merchant<notification::Request>) -> Result<(), String> {
    let Some((paid, answered)) = merchant.first() else {
        return Err("no verified notification arrived".into());
    };
    let paid = rt::serde_json::to_value(&paid).unwrap_or_default();
    let state = paid["transaction"]["status"]
        .as_str()
        .unwrap_or("no transaction.status");
    let channel = paid["channel"]["id"].as_str().unwrap_or("no channel.id");
    let text = format!(
        "signature verified, transaction {state} · amount {} · {channel}",
        paid["order"]["amount"]
    );
    line("notification", &format!("HTTP {answered}"), &text)
}
