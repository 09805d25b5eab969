//! `snapbi sandbox`: run the local SNAP provider simulator (`snapbi-sandbox`) over the specs until Ctrl-C.
//!
//! Without credential flags it accepts the built-in demo client and prints its id, secret and key files, so
//! a client or a curl script can be pointed at it at once. The secret of credentials given on the command
//! line is never printed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use snapbi_runtime::secret::ClientSecret;
use snapbi_sandbox::{Credentials, Customer, Sandbox};

use crate::error::{Error, Outcome, Status, print};
use crate::input::Specs;

/// Options of `snapbi sandbox`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Serve this provider only (repeatable; default: every provider of the specs).
    #[arg(long, value_name = "NAME")]
    provider: Vec<String>,
    /// Client id to accept instead of the demo client (with --client-secret and --client-public-key).
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// That client's secret: the key of symmetric signatures (SNAP's HMAC-SHA512, DOKU non-SNAP's HMAC-SHA256), and
    /// the secret key a Stripe-style provider takes as the HTTP Basic user name (WooshPay's `sk_test_…`).
    #[arg(long, value_name = "S")]
    client_secret: Option<String>,
    /// That client's RSA public key (PEM file), for token and asymmetric signatures.
    #[arg(long, value_name = "PEM_FILE")]
    client_public_key: Option<PathBuf>,
    /// That client's webhook secret: the key of the notifications of a provider that signs them with the secret of the
    /// merchant's webhook endpoint (WooshPay's `whsec_…`). Without it, such a provider is not served (the sandbox says
    /// so at start; choose others with --provider).
    #[arg(long, value_name = "S", requires = "client_id")]
    webhook_secret: Option<String>,
    /// Where payment notifications go (a payment's, a paid record's) when the payment or record names no notify URL.
    #[arg(long, value_name = "URL")]
    notify_url: Option<String>,
    /// Complete jump-app payments by themselves this many milliseconds after they are created (default:
    /// never; complete them with POST /_sandbox/payments/{partnerReferenceNo}/complete).
    #[arg(long, value_name = "MS")]
    auto_complete_ms: Option<u64>,
    /// Simulated customers to start with: a YAML or JSON list of `{provider, phoneNo, balance: {value, currency},
    /// status: active|frozen}` (more can be added with POST /_sandbox/customers).
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    /// Keep the world (payments and refunds, records, remembered answers, used X-EXTERNAL-IDs, issued tokens and
    /// codes, simulated customers and their wallets, notifications with their attempts) in this SQLite file, read back at start and written as it changes,
    /// so a restart carries on where the sandbox stopped (default: memory only). Made when it does not exist.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// Serves until Ctrl-C.
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let api = specs.load()?.api;
    let (credentials, shown) = credentials(args)?;
    let mut builder = Sandbox::builder().api(api).credentials(credentials);
    for name in &args.provider {
        builder = builder.provider(name).map_err(|e| Error::Input(e.to_string()))?;
    }
    if let Some(url) = &args.notify_url {
        builder = builder.notify_url(url.clone());
    }
    if let Some(ms) = args.auto_complete_ms {
        builder = builder.auto_complete(Duration::from_millis(ms));
    }
    if let Some(path) = &args.state {
        builder = builder.state(path.clone());
    }
    let sandbox = builder.build().map_err(|e| Error::Input(e.to_string()))?;
    if let Some(file) = &args.customers {
        let customers = read_customers(file)?;
        sandbox
            .add_customers(customers)
            .map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Input(format!("cannot start the async runtime: {e}")))?;
    let shown = format!("{shown}{}", state_line(args.state.as_deref()));
    runtime.block_on(serve(sandbox, args.addr, &shown))?;
    Ok(Status::Pass)
}

async fn serve(sandbox: Sandbox, addr: SocketAddr, shown: &str) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Input(format!("cannot read the listening address: {e}")))?;
    let ctrl_c = interrupted();
    print(&banner(&format!("http://{local}"), &sandbox, shown))?;
    sandbox
        .serve_with_shutdown(listener, ctrl_c)
        .await
        .map_err(|e| Error::Input(format!("the sandbox stopped: {e}")))?;
    print("stopped\n")
}

/// Resolves on Ctrl-C (SIGINT). On Unix the handler is installed here, before the banner says the sandbox is up: the
/// future of `tokio::signal::ctrl_c` installs it only when first polled, and a Ctrl-C in between (a script's or a
/// test's SIGINT right after the banner) killed the process instead of stopping it. If the signal cannot be watched,
/// the sandbox runs until the process is killed.
fn interrupted() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let watched = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    async move {
        #[cfg(unix)]
        let caught = match watched {
            Ok(mut signal) => signal.recv().await.is_some(),
            Err(_) => false,
        };
        #[cfg(not(unix))]
        let caught = tokio::signal::ctrl_c().await.is_ok();
        if !caught {
            std::future::pending::<()>().await;
        }
    }
}

/// The customers of a seed file, or where it is wrong (`file:line:col: …`).
fn read_customers(file: &std::path::Path) -> Result<Vec<Customer>, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Input(format!("cannot read customers file {}: {e}", file.display())))?;
    serde_yaml::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map_or_else(String::new, |l| format!(":{}:{}", l.line(), l.column()));
        Error::Input(format!("{}{at}: {e}", file.display()))
    })
}

/// The accepted client, and how to show it at start-up (never the secret of a client given by flags).
fn credentials(args: &Args) -> Result<(Credentials, String), Error> {
    match (&args.client_id, &args.client_secret, &args.client_public_key) {
        (None, None, None) => {
            let dir = snapbi_sandbox::DEMO_KEYS_DIR;
            let shown = format!(
                "demo client (public demo credentials, for this sandbox only):\n  \
                 client id:     {}\n  client secret: {} (WooshPay's secret key too)\n  \
                 webhook secret: {} (WooshPay's webhook events)\n  \
                 private key:   {dir}/client-private.pem\n  \
                 public key:    {dir}/client-public.pem\n",
                snapbi_sandbox::DEMO_CLIENT_ID,
                snapbi_sandbox::DEMO_CLIENT_SECRET,
                snapbi_sandbox::DEMO_WEBHOOK_SECRET,
            );
            Ok((Credentials::demo(), shown))
        }
        (Some(id), Some(secret), Some(key)) => {
            let pem = std::fs::read_to_string(key)
                .map_err(|e| Error::Input(format!("cannot read public key file {}: {e}", key.display())))?;
            let shown = format!("client {id} (secret from --client-secret, key {})\n", key.display());
            let credentials = Credentials {
                client_id: id.clone(),
                client_secret: ClientSecret::from(secret.as_str()),
                client_public_key_pem: pem,
                webhook_secret: args.webhook_secret.as_deref().map(ClientSecret::from),
            };
            Ok((credentials, shown))
        }
        _ => Err(Error::Input(
            "--client-id, --client-secret and --client-public-key go together (or none, for the demo client)".into(),
        )),
    }
}

/// Where the world is kept, for the banner.
fn state_line(state: Option<&std::path::Path>) -> String {
    match state {
        Some(path) => format!(
            "state: {} (read back at start, written as it changes)\n",
            path.display()
        ),
        None => "state: memory only (--state FILE keeps it across restarts)\n".to_owned(),
    }
}

/// What is printed at start-up: where it listens, what it serves, who may call, and how to drive it.
fn banner(base: &str, sandbox: &Sandbox, clients: &str) -> String {
    let mut text = format!("snapbi sandbox listening on {base}\nendpoints:\n");
    for id in sandbox.endpoints() {
        if let Some(e) = sandbox.api().endpoint(id) {
            text.push_str(&format!("  {:<6} {base}{}  ({id})\n", e.info.method, e.info.path));
            for alias in &e.aliases {
                text.push_str(&format!("         {base}{alias}  (alias)\n"));
            }
        }
    }
    text.push_str(clients);
    text.push_str(&format!(
        "dashboard: {base}/_sandbox/ui (calls, ledger, notifications with Resend, scenarios and faults; live)\n\
         admin: {base}/_sandbox (ledger, notifications, scenarios, faults, completing payments)\n\
         force a declared code: header X-Sandbox-Scenario: <code>\n\
         Ctrl-C stops it.\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(flags: &[&str]) -> Args {
        let argv = std::iter::once("sandbox").chain(flags.iter().copied());
        match Cli::try_parse_from(argv) {
            Ok(cli) => cli.args,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn demo_credentials_are_shown_and_partial_flags_refused() {
        let (creds, shown) = credentials(&args(&[])).unwrap_or_else(|_| panic!("demo credentials"));
        assert_eq!(creds.client_id, snapbi_sandbox::DEMO_CLIENT_ID);
        assert!(shown.contains(snapbi_sandbox::DEMO_CLIENT_SECRET) && shown.contains("client-private.pem"));
        assert!(credentials(&args(&["--client-id", "x"])).is_err());
    }

    #[test]
    fn given_secrets_are_never_shown() {
        let key = std::env::temp_dir().join(format!("snapbi-cli-sandbox-{}.pem", std::process::id()));
        std::fs::write(&key, snapbi_sandbox::DEMO_CLIENT_PUBLIC_KEY_PEM).unwrap_or_default();
        let flags = [
            "--client-id",
            "BRN-1",
            "--client-secret",
            "s3cr3t-value",
            "--client-public-key",
        ];
        let mut all: Vec<&str> = flags.to_vec();
        let path = key.display().to_string();
        all.push(&path);
        let result = credentials(&args(&all));
        let _ = std::fs::remove_file(&key);
        let (creds, shown) = result.unwrap_or_else(|_| panic!("given credentials"));
        assert_eq!(creds.client_id, "BRN-1");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
    }

    #[test]
    fn a_customers_file_is_read_or_its_mistake_located() {
        let file = std::env::temp_dir().join(format!("snapbi-cli-customers-{}.yaml", std::process::id()));
        let good =
            "- provider: doku\n  phoneNo: \"62813941306101\"\n  balance: { value: \"50000.00\", currency: IDR }\n";
        std::fs::write(&file, good).unwrap_or_default();
        let read = read_customers(&file).unwrap_or_else(|_| Vec::new());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].balance.as_ref().map(|b| b.value.as_str()), Some("50000.00"));
        std::fs::write(&file, "- provider: doku\n  phoneNo: \"6281\"\n  balanse: 1\n").unwrap_or_default();
        let wrong = match read_customers(&file) {
            Err(Error::Input(message)) => message,
            _ => String::new(),
        };
        let _ = std::fs::remove_file(&file);
        assert!(wrong.contains(":3:3:") && wrong.contains("balanse"), "{wrong}");
    }

    #[test]
    fn banner_lists_endpoints_and_admin() {
        let specs = Specs::new(None);
        let api = specs.load().unwrap_or_else(|_| panic!("specs load")).api;
        let sandbox = Sandbox::builder().api(api).build().unwrap_or_else(|e| panic!("{e}"));
        let text = banner("http://127.0.0.1:1", &sandbox, "demo\n");
        assert!(
            text.contains("http://127.0.0.1:1/authorization/v1/access-token/b2b"),
            "{text}"
        );
        assert!(
            text.contains("/_sandbox") && text.contains("X-Sandbox-Scenario") && text.contains("/_sandbox/ui"),
            "{text}"
        );
    }
}
