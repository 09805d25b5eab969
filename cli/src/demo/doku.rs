//! `snapbi demo` (and `--provider doku`): a SNAP payment's life at DOKU.
//!
//! It starts the sandbox in-process on a free loopback port (demo credentials), a merchant next to it (the token
//! endpoint DOKU asks before it notifies, `rt::inbound::TokenIssuer`, and the notification endpoint, the runtime's
//! verifier behind the axum extractor, which accepts only tokens that issuer gave out), and runs the generated client
//! through a payment's life: B2B token → DANA payment → the customer pays → the signed notification
//! arrives and is verified → status shows it paid → partial refund → status shows the refund. Each step
//! prints one line with the response code, message, amounts and statuses of the answer it received (nothing
//! printed is typed in here); any unexpected answer ends it with exit 1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::routing::post;
use snapbi::doku::direct_debit_status as status;
use snapbi::doku::{self, direct_debit_notify as notify, direct_debit_payment, direct_debit_refund as refund};
use snapbi::rt::inbound::axum::Notification;
use snapbi::rt::inbound::{InboundKey, TokenIssuer, Verifier};
use snapbi::{rt, types};
use snapbi_sandbox::{
    DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, DEMO_PROVIDER_PUBLIC_KEY_PEM, Sandbox,
};

use super::{line, serve, start_sandbox};
use crate::error::print;

/// The merchant's notification endpoint path (what the sandbox posts to, and what is signed).
const NOTIFY_PATH: &str = "/merchant/notifications";

/// What the merchant's notification endpoint received, and what it answered.
#[derive(Clone)]
struct Merchant {
    issuer: TokenIssuer,
    verifier: Verifier,
    received: Arc<Mutex<Vec<Received>>>,
}

/// One verified notification and the merchant's answer to it.
#[derive(Clone)]
struct Received {
    body: rt::serde_json::Value,
    answered: String,
}

/// The merchant's token endpoint: a token for the provider whose request verifies with its public key.
async fn token(State(merchant): State<Merchant>, headers: HeaderMap) -> (axum::http::StatusCode, String) {
    let now = rt::timestamp::SnapTimestamp::now().to_offset_datetime();
    let (status, body) = merchant.issuer.issue(&headers, now);
    let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::UNAUTHORIZED);
    (status, body)
}

impl FromRef<Merchant> for Verifier {
    fn from_ref(merchant: &Merchant) -> Verifier {
        merchant.verifier.clone()
    }
}

/// The merchant's notification endpoint: keeps the verified notification and the code it answers with.
async fn notified(
    State(merchant): State<Merchant>,
    Notification(payment, _): Notification<notify::Request>,
) -> (axum::http::StatusCode, String) {
    let (status, answer) = merchant.verifier.acknowledge();
    let received = Received {
        body: rt::serde_json::to_value(&payment).unwrap_or_default(),
        answered: response_code(answer.as_bytes()),
    };
    merchant
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(received);
    let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    (status, answer)
}

/// The responseCode of a SNAP body.
fn response_code(body: &[u8]) -> String {
    let body: rt::serde_json::Value = rt::serde_json::from_slice(body).unwrap_or_default();
    body["responseCode"].as_str().unwrap_or_default().to_owned()
}

/// The provider's responseMessage, else the message the spec publishes for the code.
fn message(answered: Option<&str>, published: Option<&str>) -> String {
    answered.or(published).unwrap_or_default().to_owned()
}

/// `value currency` of an answer's amount, or what the answer lacked.
fn amount(amount: Option<&types::received::Amount>, field: &str) -> String {
    match amount.and_then(|a| a.value.as_deref().map(|v| (v, a.currency.as_deref()))) {
        Some((value, currency)) => format!("{value} {}", currency.unwrap_or_default()),
        None => format!("no {field} in the answer"),
    }
}

/// `latestTransactionStatus 00 (Success)`.
fn transaction_status(latest: Option<&str>) -> String {
    let latest = latest.unwrap_or_default();
    // The name the standard's data gives the value (`standard.yaml`), as compiled into the client.
    let value = snapbi::STANDARD.transaction_status.value(latest);
    let meaning = value.map_or("unknown", |v| &*v.name);
    format!("latestTransactionStatus {latest} ({meaning})")
}

/// The merchant's side: its token and notification endpoints on a loopback port; returns its notification URL.
async fn serve_merchant(merchant: Merchant) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let app = Router::new()
        .route(&doku::merchant_token_b2b::ENDPOINT.path, post(token))
        .route(NOTIFY_PATH, post(notified))
        .with_state(merchant);
    let (base, server) = serve(app).await?;
    Ok((format!("{base}{NOTIFY_PATH}"), server))
}

/// The merchant's verifier accepts only tokens its issuer gave out. The sandbox signs its token requests with
/// its own (public, demo) provider key, as DOKU signs with DOKU's.
fn merchant() -> Result<Merchant, String> {
    let provider_key = rt::keys::PublicKey::from_pem(DEMO_PROVIDER_PUBLIC_KEY_PEM).map_err(|e| e.to_string())?;
    let issuer = TokenIssuer::new(&doku::PROFILE, &doku::merchant_token_b2b::ENDPOINT, provider_key);
    let issued = issuer.clone();
    let verifier = Verifier::new(
        &doku::PROFILE,
        &notify::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    )
    .accept_token(move |t| issued.accepts(t));
    Ok(Merchant {
        issuer,
        verifier,
        received: Arc::default(),
    })
}

fn client(base_url: &str) -> Result<doku::Client, String> {
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).map_err(|e| e.to_string())?;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key)
        .base_url(base_url);
    doku::Client::new(config).map_err(|e| e.to_string())
}

pub(super) async fn journey(api: snapbi_spec::Api) -> Result<(), String> {
    // The merchant side first, so the sandbox knows where to notify.
    let merchant = merchant()?;
    let (notify_url, merchant_server) = serve_merchant(merchant.clone()).await?;
    let (sandbox, base_url, handle) = start_sandbox(api, "doku", &notify_url).await?;
    print(&format!(
        "sandbox {base_url} · provider DOKU · demo client {DEMO_CLIENT_ID}\n"
    ))
    .map_err(|_| "stdout")?;
    let client = client(&base_url)?;
    let reference = format!("INV-DEMO-{}", std::process::id());

    b2b_token(&client).await?;
    let paid_external_id = pay(&client, &reference).await?;
    // The customer pays in the DANA app; the sandbox completes the payment and notifies the merchant.
    sandbox
        .complete_payment(&reference)
        .map_err(|e| format!("complete the payment: {e}"))?;
    sandbox.wait_for_notifications(Duration::from_secs(10)).await;
    notification(&merchant, &sandbox)?;
    let paid = status(&client, &reference).await?;
    refund(&client, &reference, &paid_external_id, &paid).await?;
    status(&client, &reference).await?;

    handle.abort();
    merchant_server.abort();
    Ok(())
}

async fn b2b_token(client: &doku::Client) -> Result<(), String> {
    let request = doku::token_b2b::Request::builder()
        .grant_type(doku::token_b2b::GrantType::ClientCredentials)
        .build()
        .map_err(|e| e.to_string())?;
    let token = client
        .token_b2b(&request)
        .await
        .map_err(|e| format!("B2B token: {e}"))?;
    // The lifetime as the answer gave it; an answer without one says so rather than showing a made-up number.
    let expires = token.body.expires_in.map_or_else(
        || "no expiresIn in the answer".to_owned(),
        |s| format!("expires in {s} s"),
    );
    let said = message(token.message.as_deref(), token.code.message());
    line("B2B token", token.code.code(), &format!("{said} — {expires}"))
}

/// The DANA payment; returns the X-EXTERNAL-ID the refund refers to.
async fn pay(client: &doku::Client, reference: &str) -> Result<String, String> {
    let payment = direct_debit_payment::Request::builder()
        .partner_reference_no(reference)
        .amount(types::Amount::builder().value("10000.00").currency("IDR"))
        .url_param([types::UrlParam::builder()
            .url("https://merchant.example/return")
            .r#type(types::UrlParamType::PayReturn)
            .is_deep_link(types::UrlParamIsDeepLink::N)])
        .additional_info(
            direct_debit_payment::AdditionalInfo::builder()
                .channel(direct_debit_payment::AdditionalInfoChannel::EmoneyDanaSnap)
                .order(direct_debit_payment::AdditionalInfoOrder::builder().order_title("Kopi susu x2")),
        )
        .build()
        .map_err(|e| e.to_string())?;
    let headers = direct_debit_payment::Headers::builder()
        .x_device_id("demo42")
        .build()
        .map_err(|e| e.to_string())?;
    let settled = client
        .direct_debit_payment(&payment, &headers)
        .await
        .map_err(|e| format!("DANA payment: {e}"))?;
    match &settled {
        rt::Settled::Answered(paid) => {
            let redirect = paid
                .body
                .web_redirect_url
                .as_deref()
                .unwrap_or("no webRedirectUrl in the answer");
            let said = message(paid.message.as_deref(), paid.code.message());
            line(
                "DANA payment",
                paid.code.code(),
                &format!("{said} — customer goes to {redirect}"),
            )?
        }
        rt::Settled::ConfirmedByStatus(status) => confirmed("DANA payment", status)?,
    }
    Ok(settled.external_id().to_owned())
}

/// A money-moving step whose answer was lost, as the status endpoint confirmed it.
fn confirmed(step: &str, by: &rt::StatusConfirmation<status::Response, status::Code>) -> Result<(), String> {
    let state = transaction_status(by.body.latest_transaction_status.as_deref());
    let amount = amount(by.body.trans_amount.as_ref(), "transAmount");
    let text = format!("answer lost; confirmed by {}: {state} · {amount}", status::ENDPOINT.id);
    line(step, by.code.code(), &text)
}

/// The first verified notification, as the merchant received and answered it and as the sandbox saw the answer.
fn notification(merchant: &Merchant, sandbox: &Sandbox) -> Result<(), String> {
    let received = merchant.received.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(first) = received.first() else {
        return Err("no verified notification arrived".into());
    };
    let state = transaction_status(first.body["latestTransactionStatus"].as_str());
    let value = &first.body["amount"];
    let amount = format!(
        "{} {}",
        value["value"].as_str().unwrap_or("no amount"),
        value["currency"].as_str().unwrap_or_default()
    );
    let delivered = sandbox.notifications().into_iter().find(|d| d.acknowledged);
    let seen = delivered.and_then(|d| d.status).map_or_else(
        || "no acknowledged delivery".to_owned(),
        |http| format!("acknowledged, HTTP {http}"),
    );
    let text = format!("signature verified, {state} · {amount} · {seen}");
    line("notification", &first.answered, &text)
}

/// The payment's status; returns the amount the answer gave.
async fn status(client: &doku::Client, reference: &str) -> Result<Option<types::received::Amount>, String> {
    let query = status::Request::builder()
        .original_partner_reference_no(reference)
        .service_code(&*direct_debit_payment::ENDPOINT.service_code)
        .additional_info(status::AdditionalInfo::builder().channel(status::AdditionalInfoChannel::EmoneyDanaSnap))
        .build()
        .map_err(|e| e.to_string())?;
    let now = client
        .direct_debit_status(&query)
        .await
        .map_err(|e| format!("status: {e}"))?;
    let state = transaction_status(now.body.latest_transaction_status.as_deref());
    let amount_text = amount(now.body.trans_amount.as_ref(), "transAmount");
    line("status", now.code.code(), &format!("{state} · {amount_text}"))?;
    Ok(now.body.trans_amount)
}

async fn refund(
    client: &doku::Client,
    reference: &str,
    paid_external_id: &str,
    paid: &Option<types::received::Amount>,
) -> Result<(), String> {
    let request = refund::Request::builder()
        .original_partner_reference_no(reference)
        .original_external_id(paid_external_id)
        .partner_refund_no(format!("RF-{reference}"))
        .refund_amount(types::Amount::builder().value("4000.00").currency("IDR"))
        .reason("Customer returned one item")
        .additional_info(types::DokuChannelInfo::builder().channel(types::DokuChannelInfoChannel::EmoneyDanaSnap))
        .build()
        .map_err(|e| e.to_string())?;
    let headers = refund::Headers::builder()
        .x_device_id("demo42")
        .build()
        .map_err(|e| e.to_string())?;
    let settled = client
        .direct_debit_refund(&request, &headers)
        .await
        .map_err(|e| format!("refund: {e}"))?;
    let refunded = match settled {
        rt::Settled::Answered(refunded) => refunded,
        rt::Settled::ConfirmedByStatus(status) => return confirmed("partial refund", &status),
    };
    let said = message(refunded.message.as_deref(), refunded.code.message());
    let back = amount(refunded.body.refund_amount.as_ref(), "refundAmount");
    let of = amount(paid.as_ref(), "transAmount");
    line(
        "partial refund",
        refunded.code.code(),
        &format!("{said} — {back} of {of}"),
    )
}
