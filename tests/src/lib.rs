//! `snapbi-tests`: the workspace's integration tests (in `tests/`), and the few helpers they share.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use snapbi_runtime::keys::PrivateKey;

/// A fresh RSA-2048 key made by the `openssl` command (an implementation independent of ours), for tests.
pub fn throwaway_rsa_key() -> PrivateKey {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("snapbi-test-key-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("key.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&path)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let pem = std::fs::read_to_string(&path);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(made, "the openssl command is needed to make a throwaway test key");
    PrivateKey::from_pem(&pem.expect("key file")).expect("a PKCS#8 RSA key")
}

/// `openssl args…` fed `stdin`, its stdout: an implementation independent of ours, for signature vectors. A
/// missing binary fails the test: it can never pass vacuously.
pub fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("these tests need the `openssl` command-line tool on PATH ({e})"));
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin)
            .unwrap_or_else(|e| panic!("writing to openssl: {e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The test provider of DOKU's non-SNAP scheme (`tests/fixtures/nonsnap`, not a shipped one): HMAC-SHA256 over
/// newline-joined lines, no B2B token, and the endpoints with path parameters and a bodiless GET. Tests expand it
/// with `snap_api!("fixtures/nonsnap")` for the runtime and load it here for the sandbox, so both sides read the
/// same YAML through their own code.
pub mod nonsnap {
    use std::path::Path;

    use snapbi_spec::ir::Api;

    /// Where the fixture is.
    pub const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nonsnap");

    /// The fixture as the sandbox reads it.
    pub fn fixture_api() -> Api {
        match snapbi_spec::load(Path::new(FIXTURE), Path::new("fixtures/nonsnap")) {
            Ok(loaded) => loaded.api,
            Err(diagnostics) => panic!("the fixture does not load: {diagnostics:?}"),
        }
    }

    /// A sandbox on loopback serving the fixture's provider, with the demo credentials: its base URL, and the
    /// handle that stops it when dropped.
    pub async fn sandbox() -> (String, snapbi_sandbox::SandboxHandle) {
        let sandbox = snapbi_sandbox::Sandbox::builder()
            .api(fixture_api())
            .provider("acme")
            .expect("the fixture's provider")
            .build()
            .expect("sandbox builds");
        sandbox.spawn_on_loopback().await.expect("bind loopback")
    }

    /// Standard base64 of `raw`, by `openssl base64 -A`.
    pub fn openssl_base64(raw: &[u8]) -> String {
        String::from_utf8_lossy(&super::openssl(&["base64", "-A"], raw))
            .trim()
            .to_owned()
    }

    /// `HMACSHA256` of DOKU's scheme: `openssl dgst -sha256 -hmac <secret> -binary | base64`.
    pub fn openssl_hmac_sha256(key: &str, text: &str) -> String {
        openssl_base64(&super::openssl(
            &["dgst", "-sha256", "-hmac", key, "-binary"],
            text.as_bytes(),
        ))
    }
}
