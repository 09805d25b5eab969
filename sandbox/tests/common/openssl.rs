//! `openssl`, the independent implementation the signing tests hold the sandbox's signer to.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// `openssl args…` fed `stdin`, its stdout. A missing binary fails the test: it can never pass vacuously.
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
            .unwrap_or_else(|e| panic!("writing to openssl {args:?}: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for openssl {args:?}: {e}"));
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

pub fn openssl_base64(raw: &[u8]) -> String {
    String::from_utf8_lossy(&openssl(&["base64", "-A"], raw))
        .trim()
        .to_owned()
}

pub fn openssl_sha256_hex(data: &[u8]) -> String {
    let out = String::from_utf8_lossy(&openssl(&["dgst", "-sha256", "-hex"], data)).into_owned();
    out.rsplit(' ').next().unwrap_or_default().trim().to_owned()
}

pub fn openssl_hmac_sha512(key: &str, data: &str) -> String {
    openssl_base64(&openssl(&["dgst", "-sha512", "-hmac", key, "-binary"], data.as_bytes()))
}
