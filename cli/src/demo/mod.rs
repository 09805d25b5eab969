//! `snapbi demo`: the end-to-end quickstart, with no credentials and no network beyond loopback.
//!
//! Each journey starts the sandbox in-process on a free loopback port (demo credentials) and a merchant beside it,
//! then runs the generated client through one provider's main flow, one printed line per answer with what that
//! answer said (nothing printed is typed in here); any unexpected answer ends it with exit 1.
//!
//! - `doku` (the default): DOKU's SNAP direct debit, a DANA payment's life ([`doku`]);
//! - `doku_nonsnap`: a DOKU Checkout order, from its payment page to DOKU's signed notification
//!   ([`doku_nonsnap`]);
//! - `wooshpay`: a WooshPay PaymentIntent paid with DANA, from its page to WooshPay's signed event ([`wooshpay`]).

mod doku;
mod doku_nonsnap;
mod status_merchant;
mod wooshpay;

use snapbi_sandbox::{Credentials, Sandbox, SandboxHandle};

use crate::error::{Error, Outcome, Status, print};
use crate::input::Specs;

/// The journeys, by provider.
const JOURNEYS: [&str; 3] = ["doku", "doku_nonsnap", "wooshpay"];

#[derive(clap::Args)]
pub struct Args {
    /// Whose main flow to run: `doku` (a SNAP payment, notification, status and refund), `doku_nonsnap` (a
    /// Checkout order, paid, notified and checked) or `wooshpay` (a DANA PaymentIntent, paid, its event verified).
    #[arg(long, default_value = "doku")]
    provider: String,
}

/// Runs the journey of `--provider`.
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    if !JOURNEYS.contains(&args.provider.as_str()) {
        return Err(Error::Input(format!(
            "no demo journey for provider `{}`; journeys: {}",
            args.provider,
            JOURNEYS.join(", ")
        )));
    }
    let api = specs.load()?.api;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Input(format!("cannot start the async runtime: {e}")))?;
    let journey = match args.provider.as_str() {
        "doku_nonsnap" => runtime.block_on(doku_nonsnap::journey(api)),
        "wooshpay" => runtime.block_on(wooshpay::journey(api)),
        _ => runtime.block_on(doku::journey(api)),
    };
    match journey {
        Ok(()) => Ok(Status::Pass),
        Err(step) => {
            print(&format!("✗ {step}\n"))?;
            Ok(Status::Fail)
        }
    }
}

/// One step's line: `✓ step  code  what the answer said`.
fn line(step: &str, code: &str, meaning: &str) -> Result<(), String> {
    print(&format!("✓ {step:<17} {code:<8} {meaning}\n")).map_err(|_| "stdout closed".to_owned())
}

/// The merchant's side, `app`, on a loopback port; returns `http://<address>` and its task.
async fn serve(app: axum::Router) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind loopback: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{address}"), server))
}

/// The sandbox of `provider` on a loopback port, with the demo credentials, notifying `notify_url`.
async fn start_sandbox(
    api: snapbi_spec::Api,
    provider: &str,
    notify_url: &str,
) -> Result<(Sandbox, String, SandboxHandle), String> {
    let sandbox = Sandbox::builder()
        .api(api)
        .provider(provider)
        .map_err(|e| e.to_string())?
        .credentials(Credentials::demo())
        .notify_url(notify_url)
        .build()
        .map_err(|e| e.to_string())?;
    let (base_url, handle) = sandbox
        .spawn_on_loopback()
        .await
        .map_err(|e| format!("start the sandbox: {e}"))?;
    Ok((sandbox, base_url, handle))
}
