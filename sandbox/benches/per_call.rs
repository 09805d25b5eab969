//! What one signed payment costs the sandbox itself, in-process: no socket, no HTTP parsing, no client. The
//! sandbox's [`Router`](axum::Router) is driven with tower's `oneshot` on one thread, so the figures are the
//! handler's own (every check, the signature, the fields, the ledger, the idempotency store, the journal) and
//! hardly move with other work on the machine, unlike requests per second.
//!
//! Run: `cargo bench -p snapbi-sandbox --bench per_call`. It fills the ledger to its bound first (so each payment
//! also evicts the oldest one, as in a long run), then measures `SNAPBI_BENCH_CALLS` payments (default 20,000) and
//! prints, per payment: heap allocations, bytes allocated, and the median and mean time. The requests are built and
//! signed outside the measured part.

use std::alloc::System;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::http::Request;
use snapbi::rt;
use snapbi::rt::secret::{AccessToken, ClientSecret};
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tower::ServiceExt;

/// The system allocator, counting what it is asked for.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

mod common;

use common::{PAYMENT_PATH, TOKEN_PATH, payment_body};

fn main() {
    common::run_on(&mut tokio::runtime::Builder::new_current_thread(), run());
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let calls: usize = std::env::var("SNAPBI_BENCH_CALLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(20_000);
    let sandbox = Sandbox::builder().api(common::api()?).provider("doku")?.build()?;
    let app = sandbox.router();
    let token = AccessToken::from(token(&app).await?);

    // Up to the bound, and a little past it, unmeasured.
    for i in 0..snapbi_sandbox::DEFAULT_CAPACITY + 1_000 {
        let status = call(&app, payment(&token, 0, i)).await?;
        if status != 200 {
            return Err(format!("a warm-up payment was answered HTTP {status}").into());
        }
    }
    let mut took = Vec::with_capacity(calls);
    let (mut allocations, mut bytes) = (0, 0);
    for i in 0..calls {
        let request = payment(&token, 1, i);
        let region = Region::new(GLOBAL);
        let started = Instant::now();
        let status = call(&app, request).await?;
        took.push(started.elapsed());
        let change = region.change();
        allocations += change.allocations + change.reallocations;
        bytes += change.bytes_allocated + change.bytes_reallocated.max(0).unsigned_abs();
        if status != 200 {
            return Err(format!("payment {i} was answered HTTP {status}").into());
        }
    }
    took.sort_unstable();
    let mean = took.iter().sum::<Duration>() / u32::try_from(calls).unwrap_or(u32::MAX);
    let n = calls;
    println!("one signed DOKU payment, in-process (no socket), {calls} payments at the ledger's bound");
    println!("  heap allocations per payment: {:.1}", allocations as f64 / n as f64);
    println!("  bytes allocated per payment:  {}", bytes / n);
    println!("  time per payment: median {:.1?}, mean {mean:.1?}", took[calls / 2]);
    Ok(())
}

/// Sends `request` through the sandbox and reads the whole answer: its HTTP status.
async fn call(app: &axum::Router, request: Request<Body>) -> Result<u16, Box<dyn std::error::Error>> {
    let response = app.clone().oneshot(request).await?;
    let status = response.status().as_u16();
    to_bytes(response.into_body(), usize::MAX).await?;
    Ok(status)
}

/// A B2B token, through a signed token request.
async fn token(app: &axum::Router) -> Result<String, Box<dyn std::error::Error>> {
    let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM)?;
    let timestamp = rt::timestamp::SnapTimestamp::now();
    let signature = rt::signature::sign_token(DEMO_CLIENT_ID, timestamp.as_str(), &key)?;
    let request = Request::post(TOKEN_PATH)
        .header("Content-Type", "application/json")
        .header("X-CLIENT-KEY", DEMO_CLIENT_ID)
        .header("X-TIMESTAMP", timestamp.as_str())
        .header("X-SIGNATURE", signature)
        .body(Body::from(r#"{"grantType":"client_credentials"}"#))?;
    let response = app.clone().oneshot(request).await?;
    let body = to_bytes(response.into_body(), usize::MAX).await?;
    let answer: serde_json::Value = serde_json::from_slice(&body)?;
    Ok(answer["accessToken"].as_str().ok_or("no accessToken")?.to_owned())
}

/// A signed payment request with a partnerReferenceNo and X-EXTERNAL-ID unique to `(turn, i)`: the same body and
/// headers as the throughput benchmark's.
fn payment(token: &AccessToken, turn: usize, i: usize) -> Request<Body> {
    let body = payment_body("CALL", turn, i as u64);
    let timestamp = rt::timestamp::SnapTimestamp::now();
    let secret = ClientSecret::from(DEMO_CLIENT_SECRET);
    let signature = rt::signature::sign_symmetric(
        "POST",
        PAYMENT_PATH,
        token,
        body.as_bytes(),
        timestamp.as_str(),
        &secret,
    )
    .unwrap_or_default();
    Request::post(PAYMENT_PATH)
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("X-TIMESTAMP", timestamp.as_str())
        .header("X-SIGNATURE", signature)
        .header("X-PARTNER-ID", DEMO_CLIENT_ID)
        .header("X-EXTERNAL-ID", format!("{turn:06}{i:012}"))
        .header("CHANNEL-ID", "H2H")
        .header("X-DEVICE-ID", "95221")
        .body(Body::from(body))
        .unwrap_or_default()
}
