//! `snapbi demo`: the end-to-end quickstart, with no credentials and no network beyond loopback.
//!
//! It starts the sandbox in-process on a free loopback port (demo credentials), a merchant next to it (the token
//! endpoint DOKU asks before it notifies, `rt::inbound::TokenIssuer`, and the notification endpoint, the runtime's
//! verifier behind the axum extractor, which accepts only tokens that issuer gave out), and runs the generated client
//! through a payment's life: B2B token → DANA payment → the customer pays → the signed notification
//! arrives and is verified → status shows it paid → partial refund → status shows the refund. Each step
//! prints one line with the response code and its meaning; any unexpected answer ends it with exit 1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::routing::post;
use snapbi_client::doku::direct_debit_status as status;
use snapbi_client::doku::{self, direct_debit_notify as notify, direct_debit_payment, direct_debit_refund as refund};
use snapbi_client::rt::inbound::axum::{Ack, Notification};
use snapbi_client::rt::inbound::{InboundKey, TokenIssuer, Verifier};
use snapbi_client::{rt, types};
use snapbi_sandbox::notify::status_description;
use snapbi_sandbox::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, DEMO_PROVIDER_PUBLIC_KEY_PEM, Sandbox,
};

use crate::error::{Error, Outcome, Status, print};
use crate::input::Specs;

/// The merchant's notification endpoint path (what the sandbox posts to, and what is signed).
const NOTIFY_PATH: &str = "/merchant/notifications";

/// Runs the quickstart.
pub fn run(specs: &Specs) -> Outcome {
    let api = specs.load()?.api;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Input(format!("cannot start the async runtime: {e}")))?;
    match runtime.block_on(journey(api)) {
        Ok(()) => Ok(Status::Pass),
        Err(step) => {
            print(&format!("✗ {step}\n"))?;
            Ok(Status::Fail)
        }
    }
}

/// What the merchant's notification endpoint received.
#[derive(Clone)]
struct Merchant {
    issuer: TokenIssuer,
    verifier: Verifier,
    received: Arc<Mutex<Vec<String>>>,
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

async fn notified(State(merchant): State<Merchant>, Notification(payment, _): Notification<notify::Request>) -> Ack {
    let body = rt::serde_json::to_value(&payment).unwrap_or_default();
    let status = body["latestTransactionStatus"].as_str().unwrap_or_default().to_owned();
    merchant.received.lock().unwrap_or_else(|p| p.into_inner()).push(status);
    Ack(notify::ENDPOINT.service_code)
}

fn line(step: &str, code: &str, meaning: &str) -> Result<(), String> {
    print(&format!("✓ {step:<17} {code:<8} {meaning}\n")).map_err(|_| "stdout closed".to_owned())
}

async fn journey(api: snapbi_codegen::Api) -> Result<(), String> {
    // The merchant side first, so the sandbox knows where to notify. The sandbox signs its token requests with its
    // own (public, demo) provider key, as DOKU signs with DOKU's.
    let provider_key = rt::keys::PublicKey::from_pem(DEMO_PROVIDER_PUBLIC_KEY_PEM).map_err(|e| e.to_string())?;
    let issuer = TokenIssuer::new(&doku::PROFILE, &doku::merchant_token_b2b::ENDPOINT, provider_key);
    let issued = issuer.clone();
    let verifier = Verifier::new(
        &doku::PROFILE,
        &notify::ENDPOINT,
        InboundKey::Secret(DEMO_CLIENT_SECRET.into()),
    )
    .accept_token(move |t| issued.accepts(t));
    let merchant = Merchant {
        issuer,
        verifier,
        received: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind loopback: {e}"))?;
    let notify_url = format!(
        "http://{}{NOTIFY_PATH}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let app = Router::new()
        .route(doku::merchant_token_b2b::ENDPOINT.path, post(token))
        .route(NOTIFY_PATH, post(notified))
        .with_state(merchant.clone());
    let merchant_server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let sandbox = Sandbox::builder()
        .api(api)
        .provider("doku")
        .map_err(|e| e.to_string())?
        .credentials(Credentials::demo())
        .notify_url(&notify_url)
        .build()
        .map_err(|e| e.to_string())?;
    let (base_url, handle) = sandbox
        .spawn_on_loopback()
        .await
        .map_err(|e| format!("start the sandbox: {e}"))?;
    print(&format!(
        "sandbox {base_url} · provider DOKU · demo client {DEMO_CLIENT_ID}\n"
    ))
    .map_err(|_| "stdout")?;

    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).map_err(|e| e.to_string())?;
    let config = rt::Config::new(DEMO_CLIENT_ID)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(key)
        .base_url(&base_url);
    let client = doku::Client::new(config).map_err(|e| e.to_string())?;
    let reference = format!("INV-DEMO-{}", std::process::id());

    let token = doku::token_b2b::Request::builder()
        .grant_type(doku::token_b2b::GrantType::ClientCredentials)
        .build();
    let token = client
        .token_b2b(&token.map_err(|e| e.to_string())?)
        .await
        .map_err(|e| format!("B2B token: {e}"))?;
    // The lifetime as the answer gave it; an answer without one says so rather than showing a made-up number.
    let expires = token.body.expires_in.map_or_else(
        || "no expiresIn in the answer".to_owned(),
        |s| format!("expires in {s} s"),
    );
    line(
        "B2B token",
        token.code.code(),
        &format!("{} — {expires}", token.code.message().unwrap_or("")),
    )?;

    let payment = direct_debit_payment::Request::builder()
        .partner_reference_no(&reference)
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
    let paid = client
        .direct_debit_payment(&payment, &headers)
        .await
        .map_err(|e| format!("DANA payment: {e}"))?
        .into_answered()
        .ok_or("DANA payment: the answer was lost (the status endpoint confirmed the payment)")?;
    let redirect = paid.body.web_redirect_url.unwrap_or_default();
    let paid_external_id = paid.external_id.clone();
    line(
        "DANA payment",
        paid.code.code(),
        &format!("{} — customer goes to {redirect}", paid.code.message().unwrap_or("")),
    )?;

    // The customer pays in the DANA app; the sandbox completes the payment and notifies the merchant.
    sandbox
        .complete_payment(&reference)
        .map_err(|e| format!("complete the payment: {e}"))?;
    sandbox.wait_for_notifications(Duration::from_secs(10)).await;
    let received = merchant.received.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match received.first() {
        Some(latest) => line(
            "notification",
            "2005600",
            &format!(
                "signature verified, latestTransactionStatus {latest} ({})",
                status_description(latest).unwrap_or("unknown")
            ),
        )?,
        None => return Err("no verified notification arrived".into()),
    }

    let query = |reference: &str| {
        status::Request::builder()
            .original_partner_reference_no(reference)
            .service_code("54")
            .additional_info(status::AdditionalInfo::builder().channel(status::AdditionalInfoChannel::EmoneyDanaSnap))
            .build()
    };
    let now = client
        .direct_debit_status(&query(&reference).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| format!("status: {e}"))?;
    let latest = now.body.latest_transaction_status.clone().unwrap_or_default();
    line(
        "status",
        now.code.code(),
        &format!(
            "latestTransactionStatus {latest} ({})",
            status_description(&latest).unwrap_or("unknown")
        ),
    )?;

    let refund_request = refund::Request::builder()
        .original_partner_reference_no(&reference)
        .original_external_id(&paid_external_id)
        .partner_refund_no(format!("RF-{reference}"))
        .refund_amount(types::Amount::builder().value("4000.00").currency("IDR"))
        .reason("Customer returned one item")
        .additional_info(types::DokuChannelInfo::builder().channel(types::DokuChannelInfoChannel::EmoneyDanaSnap))
        .build();
    let refund_headers = refund::Headers::builder()
        .x_device_id("demo42")
        .build()
        .map_err(|e| e.to_string())?;
    let refunded = client
        .direct_debit_refund(&refund_request.map_err(|e| e.to_string())?, &refund_headers)
        .await
        .map_err(|e| format!("refund: {e}"))?
        .into_answered()
        .ok_or("refund: the answer was lost (the status endpoint confirmed the refund)")?;
    line(
        "partial refund",
        refunded.code.code(),
        &format!("{} — 4000.00 of 10000.00 IDR", refunded.code.message().unwrap_or("")),
    )?;

    let after = client
        .direct_debit_status(&query(&reference).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| format!("status: {e}"))?;
    let latest = after.body.latest_transaction_status.clone().unwrap_or_default();
    line(
        "status",
        after.code.code(),
        &format!(
            "latestTransactionStatus {latest} ({})",
            status_description(&latest).unwrap_or("unknown")
        ),
    )?;

    handle.abort();
    merchant_server.abort();
    Ok(())
}
