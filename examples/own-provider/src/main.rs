//! Asks Bank Nusantara for a balance. Against the sandbox, from the repository root:
//!
//! ```sh
//! cargo run -p snapbi-cli -- sandbox --specs examples/own-provider/specs --provider nusantara
//! cargo run --manifest-path examples/own-provider/Cargo.toml -- 1234567890
//! ```
//!
//! Credentials come from `SNAPBI_CLIENT_ID`, `SNAPBI_CLIENT_SECRET` and `SNAPBI_PRIVATE_KEY` (a PEM file); the
//! sandbox prints its demo ones when it starts. The base URL is the provider file's `sandbox` one
//! (`http://127.0.0.1:8080`) unless `SNAPBI_BASE_URL` names another.

use own_provider::{balance, nusantara, rt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let account = std::env::args().nth(1).ok_or("usage: own-provider ACCOUNT_NO")?;
    let variable = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let key = std::fs::read_to_string(variable("SNAPBI_PRIVATE_KEY")?)?;
    let config = rt::Config::new(variable("SNAPBI_CLIENT_ID")?);
    let config = match std::env::var("SNAPBI_BASE_URL") {
        Ok(url) => config.base_url(url),
        Err(_) => config.environment("sandbox"),
    };
    let config = config
        .client_secret(variable("SNAPBI_CLIENT_SECRET")?)
        .private_key(rt::keys::PrivateKey::from_pem(&key)?);
    let client = nusantara::Client::new(config)?;
    let reply = balance(&client, &account).await?;
    println!("{} {:?}", reply.code, reply.body);
    Ok(())
}
