//! The example's client, generated from its own specs, calls the sandbox serving the same specs.

use std::path::Path;

use own_provider::{balance, nusantara, rt};
use snapbi_sandbox::{Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox};

#[tokio::test]
async fn the_own_provider_s_balance_inquiry_is_answered_by_the_sandbox() -> Result<(), Box<dyn std::error::Error>> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let api = snapbi_spec::load_standing(&specs, Path::new("specs"))
        .map_err(|d| snapbi_spec::diagnostic::render_all(&d))?
        .api;
    let sandbox = Sandbox::builder()
        .api(api)
        .provider("nusantara")?
        .credentials(Credentials::demo())
        .build()?;
    let (base_url, _server) = sandbox.spawn_on_loopback().await?;
    let client = nusantara::Client::new(
        rt::Config::new(DEMO_CLIENT_ID)
            .base_url(base_url)
            .client_secret(DEMO_CLIENT_SECRET)
            .private_key(rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM)?),
    )?;
    let reply = balance(&client, "1234567890").await?;
    assert_eq!(reply.code.to_string(), "2001100 Successful");
    // A malformed account number never leaves the client: the generated builder refuses it.
    let refused = balance(&client, "12-34").await.expect_err("not digits");
    assert!(refused.to_string().contains("accountNo"), "{refused}");
    Ok(())
}
