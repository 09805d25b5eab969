//! `snapbi demo --provider wooshpay`: a WooshPay PaymentIntent paid with DANA, in WooshPay's Stripe-style API.
//!
//! The merchant creates a PaymentIntent confirmed at once; WooshPay answers `requires_action` with DANA's page (the
//! sandbox's own); retrieving it says the same; the customer pays on that page; WooshPay's `payment_intent.succeeded`
//! event reaches the merchant, whose verifier checks it with the webhook endpoint's `whsec_` secret over the bytes
//! received and answers HTTP 200; retrieving the PaymentIntent then says `succeeded`.

use std::time::Duration;

use snapbi::rt;
use snapbi::rt::inbound::{InboundKey, Verifier};
use snapbi::wooshpay::{
    self, events_webhook as webhook, payment_intents_create as create, payment_intents_retrieve as retrieve,
};
use snapbi_sandbox::{DEMO_CLIENT_SECRET, DEMO_WEBHOOK_SECRET};

use super::status_merchant::Merchant;
use super::{line, start_sandbox};
use crate::error::print;

pub(super) async fn journey(api: snapbi_spec::Api) -> Result<(), String> {
    let merchant = Merchant::<webhook::Request>::new(Verifier::new(
        &wooshpay::PROFILE,
        &webhook::ENDPOINT,
        InboundKey::Secret(DEMO_WEBHOOK_SECRET.into()),
    ));
    let (webhook_url, merchant_server) = merchant.serve(&webhook::ENDPOINT.path).await?;
    let (sandbox, base_url, handle) = start_sandbox(api, "wooshpay", &webhook_url).await?;
    print(&format!(
        "sandbox {base_url} · provider WooshPay · demo secret key and webhook secret\n"
    ))
    .map_err(|_| "stdout")?;
    let config = rt::Config::new("merchant")
        .client_secret(DEMO_CLIENT_SECRET)
        .base_url(&base_url);
    let client = wooshpay::Client::new(config).map_err(|e| e.to_string())?;

    let id = created(&client).await?;
    retrieved(&client, &id).await?;
    // The customer pays on DANA's page: the sandbox's, as a tester would submit it.
    let payment = rt::serde_json::json!({ "id": id });
    sandbox
        .pay_record("wooshpay", "payment_intent", &payment)
        .map_err(|e| format!("pay the PaymentIntent: {e}"))?;
    sandbox.wait_for_notifications(Duration::from_secs(10)).await;
    notified_line(&merchant)?;
    retrieved(&client, &id).await?;

    handle.abort();
    merchant_server.abort();
    Ok(())
}

/// A PaymentIntent of IDR 20,000 paid with DANA, confirmed at once; its id.
async fn created(client: &wooshpay::Client) -> Result<String, String> {
    let request = create::Request::builder()
        .amount(20000)
        .currency("IDR")
        .confirm(true)
        .payment_method_data(create::PaymentMethodData::builder().r#type(create::PaymentMethodDataType::Dana))
        .return_url("https://merchant.example/orders/done")
        .build()
        .map_err(|e| e.to_string())?;
    let answer = client
        .payment_intents_create(&request)
        .await
        .map_err(|e| format!("create: {e}"))?;
    let id = answer.body.id.clone().ok_or("no id in the answer")?;
    let page = answer
        .body
        .next_action
        .as_ref()
        .and_then(|n| n.dana_handle_redirect.as_ref());
    let page = page
        .and_then(|d| d.url.as_deref())
        .unwrap_or("no next_action.dana_handle_redirect.url in the answer");
    line(
        "PaymentIntent",
        answer.code.code(),
        &format!("{id} — customer goes to {page}"),
    )?;
    Ok(id)
}

/// Retrieves the PaymentIntent: its status and amount, as answered.
async fn retrieved(client: &wooshpay::Client, id: &str) -> Result<(), String> {
    let params = retrieve::Params::builder().id(id).build().map_err(|e| e.to_string())?;
    let now = client
        .payment_intents_retrieve(&params)
        .await
        .map_err(|e| format!("retrieve: {e}"))?;
    let amount = now.body.amount.as_ref().map_or_else(
        || "no amount in the answer".to_owned(),
        |a| format!("{a} {}", now.body.currency.as_deref().unwrap_or("")),
    );
    let outcome = format!("{:?}", now.code.outcome()).to_lowercase();
    line("retrieve", now.code.code(), &format!("{outcome} · {amount}"))
}

/// The first event the merchant verified, and what it answered.
fn notified_line(merchant: &Merchant<webhook::Request>) -> Result<(), String> {
    let Some((event, answered)) = merchant.first() else {
        return Err("no verified event arrived".into());
    };
    let event = rt::serde_json::to_value(&event).unwrap_or_default();
    let object = &event["data"]["object"];
    let text = format!(
        "signature verified (whsec_), {} · {} {} · {}",
        event["type"].as_str().unwrap_or("no type"),
        object["amount"],
        object["currency"].as_str().unwrap_or(""),
        object["status"].as_str().unwrap_or("no status"),
    );
    line("event", &format!("HTTP {answered}"), &text)
}
