//! Byte-exact checks of SNAP signatures against an independent implementation: the `openssl`
//! CLI computes every hash, HMAC, RSA signature and base64 here, and the strings to sign are
//! spelled out by hand from the standard (snap-standard.md §2), so a bug shared by our
//! string-to-sign builder and our crypto calls cannot cancel itself out.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use snapbi_runtime::keys::{PrivateKey, PublicKey};
use snapbi_runtime::minify::minify;
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_runtime::signature::{
    SNAP_ASYMMETRIC, SNAP_SYMMETRIC, SNAP_TOKEN, Sign, SignError, SignInput, SignatureError, SigningKey, VerifyingKey,
    body_sha256_hex, sign_asymmetric, sign_symmetric, sign_token, verify_asymmetric, verify_symmetric, verify_token,
};

/// The DOKU sample body from snap-standard.md §2.4, already minified.
const DOKU_BODY: &str = r#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}"#;
const DOKU_SHA256: &str = "3274fab8dac896837b106a16da2a974e7e65142dcecb4b768ef0294102838977";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The same DOKU body as a person would write it.
const DOKU_PRETTY: &str = r#"
{
    "partnerServiceId" : "  088899",
    "customerNo": "12345678901234567890",
    "virtualAccountNo": "  08889912345678901234567890",
	"virtualAccountName": "Jokul Doe",
    "virtualAccountEmail": "jokul@email.com",
    "virtualAccountPhone": "6281828384858",
    "trxId": "abcdefgh1234",
    "totalAmount": {
        "value": "12345678.00",
        "currency": "IDR"
    }
}
"#;

const TS: &str = "2020-12-17T10:55:00+07:00";
const PATH: &str = "/bi-snap-va/v1/transfer-va/create-va";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE2MDgxOTc0MDB9.c2lnbmF0dXJl";
const SECRET: &str = "a2b3c4d5-test-client-secret";
const CLIENT_ID: &str = "BRN-0201-1660000000000";

/// `(raw body as sent, its minified form written by hand)`.
fn bodies() -> Vec<(String, String)> {
    vec![
        (String::new(), String::new()),
        (" \n ".to_owned(), String::new()),
        (DOKU_PRETTY.to_owned(), DOKU_BODY.to_owned()),
        (
            "{ \"name\" : \"Jōkul Døe 日本 ☕\", \"note\": \"caf\\u00e9 \\\"q\\\" a\\/b\" }".to_owned(),
            "{\"name\":\"Jōkul Døe 日本 ☕\",\"note\":\"caf\\u00e9 \\\"q\\\" a\\/b\"}".to_owned(),
        ),
        (
            "{\"amount\": {\"value\": \"  10000.00 \"}, \"n\": [1.0, 1e5, -0]}".to_owned(),
            "{\"amount\":{\"value\":\"  10000.00 \"},\"n\":[1.0,1e5,-0]}".to_owned(),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// openssl plumbing

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "snapbi-signing-vectors-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        if let Err(e) = builder.create(&path) {
            panic!("cannot create temp dir {}: {e}", path.display());
        }
        TempDir(path)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.file(name);
        if let Err(e) = std::fs::write(&path, contents) {
            panic!("cannot write {}: {e}", path.display());
        }
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `openssl args…` with `stdin`, returning stdout; any failure fails the test loudly,
/// including a missing binary, so these checks can never pass vacuously.
fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = match Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!(
            "these tests need the `openssl` command-line tool as an independent reference \
             implementation, but it could not be started ({e}); install it (e.g. \
             `apt-get install openssl`) and make sure it is on PATH"
        ),
    };
    if let Some(mut input) = child.stdin.take()
        && let Err(e) = input.write_all(stdin)
    {
        panic!("writing to openssl {args:?} failed: {e}");
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => panic!("waiting for openssl {args:?} failed: {e}"),
    };
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn path_str(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 temp path {}", path.display()))
}

fn read_string(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn openssl_base64(raw: &[u8]) -> String {
    String::from_utf8_lossy(&openssl(&["base64", "-A"], raw))
        .trim()
        .to_owned()
}

fn openssl_sha256_hex(data: &[u8]) -> String {
    let out = String::from_utf8_lossy(&openssl(&["dgst", "-sha256", "-hex"], data)).into_owned();
    // Output is `SHA2-256(stdin)= <hex>` (the prefix differs between versions).
    out.split_whitespace().last().unwrap_or_default().to_owned()
}

fn openssl_hmac_sha512_b64(key: &str, data: &[u8]) -> String {
    openssl_base64(&openssl(&["dgst", "-sha512", "-hmac", key, "-binary"], data))
}

fn openssl_rsa_sha256_b64(private_pem: &str, data: &[u8]) -> String {
    let dir = TempDir::new();
    let key = dir.write("key.pem", private_pem.as_bytes());
    openssl_base64(&openssl(&["dgst", "-sha256", "-sign", path_str(&key), "-binary"], data))
}

/// Whether openssl accepts `signature_b64` over `data` for the public key.
fn openssl_rsa_verify(public_pem: &str, data: &[u8], signature_b64: &str) -> bool {
    let dir = TempDir::new();
    let key = dir.write("pub.pem", public_pem.as_bytes());
    let raw = openssl(&["base64", "-d", "-A"], signature_b64.as_bytes());
    let sig = dir.write("sig.bin", &raw);
    let status = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            path_str(&key),
            "-signature",
            path_str(&sig),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut input) = child.stdin.take() {
                input.write_all(data)?;
            }
            child.wait()
        });
    match status {
        Ok(status) => status.success(),
        Err(e) => panic!("running openssl dgst -verify failed: {e}"),
    }
}

/// One throwaway RSA-2048 key in every PEM encoding, made by openssl at test time.
struct KeyPems {
    pkcs8: String,
    pkcs1: String,
    spki: String,
    pkcs1_public: String,
}

impl KeyPems {
    fn generate() -> Self {
        let dir = TempDir::new();
        let pkcs8 = dir.file("pkcs8.pem");
        let pkcs1 = dir.file("pkcs1.pem");
        let spki = dir.file("spki.pem");
        let pkcs1_public = dir.file("pkcs1_pub.pem");
        openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                path_str(&pkcs8),
            ],
            b"",
        );
        openssl(
            &["rsa", "-in", path_str(&pkcs8), "-traditional", "-out", path_str(&pkcs1)],
            b"",
        );
        openssl(
            &["pkey", "-in", path_str(&pkcs8), "-pubout", "-out", path_str(&spki)],
            b"",
        );
        openssl(
            &[
                "rsa",
                "-in",
                path_str(&pkcs8),
                "-RSAPublicKey_out",
                "-out",
                path_str(&pkcs1_public),
            ],
            b"",
        );
        let pems = KeyPems {
            pkcs8: read_string(&pkcs8),
            pkcs1: read_string(&pkcs1),
            spki: read_string(&spki),
            pkcs1_public: read_string(&pkcs1_public),
        };
        // Guard against an openssl that silently wrote another encoding.
        assert!(pems.pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pems.pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert!(pems.spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(pems.pkcs1_public.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        pems
    }

    fn private(&self) -> PrivateKey {
        PrivateKey::from_pem(&self.pkcs8).unwrap_or_else(|e| panic!("PKCS#8: {e}"))
    }

    fn public(&self) -> PublicKey {
        PublicKey::from_pem(&self.spki).unwrap_or_else(|e| panic!("SPKI: {e}"))
    }
}

fn key() -> &'static KeyPems {
    static KEY: OnceLock<KeyPems> = OnceLock::new();
    KEY.get_or_init(KeyPems::generate)
}

fn other_key() -> &'static KeyPems {
    static KEY: OnceLock<KeyPems> = OnceLock::new();
    KEY.get_or_init(KeyPems::generate)
}

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------------
// body hashes

#[test]
fn doku_body_hash_vector() {
    let minified = ok(minify(DOKU_BODY.as_bytes()));
    assert_eq!(&*minified, DOKU_BODY.as_bytes());
    assert_eq!(body_sha256_hex(&minified), DOKU_SHA256);
    assert_eq!(openssl_sha256_hex(DOKU_BODY.as_bytes()), DOKU_SHA256);
}

#[test]
fn pretty_printed_doku_body_gives_the_same_hash() {
    let minified = ok(minify(DOKU_PRETTY.as_bytes()));
    assert_eq!(String::from_utf8_lossy(&minified), DOKU_BODY);
    assert_eq!(body_sha256_hex(&minified), DOKU_SHA256);
}

#[test]
fn empty_body_hash() {
    assert_eq!(body_sha256_hex(&ok(minify(b""))), EMPTY_SHA256);
    assert_eq!(openssl_sha256_hex(b""), EMPTY_SHA256);
}

#[test]
fn body_hashes_match_openssl() {
    for (raw, minified) in bodies() {
        let ours = body_sha256_hex(&ok(minify(raw.as_bytes())));
        assert_eq!(ours, openssl_sha256_hex(minified.as_bytes()), "body {raw:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// signatures against openssl

#[test]
fn symmetric_signatures_match_openssl_hmac() {
    let secret = ClientSecret::from(SECRET);
    let token = AccessToken::from(TOKEN);
    for (raw, minified) in bodies() {
        let hash = openssl_sha256_hex(minified.as_bytes());
        let string_to_sign = format!("POST:{PATH}:{TOKEN}:{hash}:{TS}");
        let expected = openssl_hmac_sha512_b64(SECRET, string_to_sign.as_bytes());
        let ours = ok(sign_symmetric("POST", PATH, &token, raw.as_bytes(), TS, &secret));
        assert_eq!(ours, expected, "body {raw:?}");
        assert_eq!(
            verify_symmetric("POST", PATH, &token, raw.as_bytes(), TS, &expected, &secret),
            Ok(())
        );
    }
}

#[test]
fn asymmetric_signatures_match_openssl_rsa() {
    let pems = key();
    let pkcs8 = pems.private();
    let pkcs1 = PrivateKey::from_pem(&pems.pkcs1).unwrap_or_else(|e| panic!("PKCS#1: {e}"));
    let spki = pems.public();
    let pkcs1_public = PublicKey::from_pem(&pems.pkcs1_public).unwrap_or_else(|e| panic!("PKCS#1 pub: {e}"));
    for (raw, minified) in bodies() {
        let hash = openssl_sha256_hex(minified.as_bytes());
        let string_to_sign = format!("POST:{PATH}:{hash}:{TS}");
        let expected = openssl_rsa_sha256_b64(&pems.pkcs8, string_to_sign.as_bytes());
        // RSA-2048 signatures are 256 bytes, 344 base64 characters.
        assert_eq!(expected.len(), 344);
        for key in [&pkcs8, &pkcs1] {
            let ours = ok(sign_asymmetric("POST", PATH, raw.as_bytes(), TS, key));
            assert_eq!(ours, expected, "body {raw:?}");
        }
        for public in [&spki, &pkcs1_public] {
            assert_eq!(
                verify_asymmetric("POST", PATH, raw.as_bytes(), TS, &expected, public),
                Ok(())
            );
        }
        assert!(openssl_rsa_verify(&pems.spki, string_to_sign.as_bytes(), &expected));
    }
}

#[test]
fn token_signature_matches_openssl_rsa() {
    let pems = key();
    let string_to_sign = format!("{CLIENT_ID}|{TS}");
    let expected = openssl_rsa_sha256_b64(&pems.pkcs8, string_to_sign.as_bytes());
    let ours = ok(sign_token(CLIENT_ID, TS, &pems.private()));
    assert_eq!(ours, expected);
    assert_eq!(verify_token(CLIENT_ID, TS, &ours, &pems.public()), Ok(()));
    let recipe = SNAP_TOKEN;
    let input = SignInput {
        method: "",
        path: "",
        token: None,
        minified_body: b"",
        timestamp: TS,
        client_id: CLIENT_ID,
        request_id: "",
    };
    assert_eq!(recipe.string_to_sign(&input), Ok(string_to_sign));
}

#[test]
fn pkcs1_private_key_with_escaped_newlines_signs_identically() {
    let pems = key();
    let env_style = pems.pkcs1.trim().replace('\n', "\\n");
    let from_env = ok(PrivateKey::from_pem(&env_style));
    assert_eq!(
        ok(sign_token(CLIENT_ID, TS, &from_env)),
        ok(sign_token(CLIENT_ID, TS, &pems.private()))
    );
}

// ---------------------------------------------------------------------------------------------
// negative cases

#[test]
fn symmetric_verification_rejects_tampering() {
    let secret = ClientSecret::from(SECRET);
    let token = AccessToken::from(TOKEN);
    let body = DOKU_BODY.as_bytes();
    let sig = ok(sign_symmetric("POST", PATH, &token, body, TS, &secret));
    assert_eq!(verify_symmetric("POST", PATH, &token, body, TS, &sig, &secret), Ok(()));

    let mut changed = body.to_vec();
    // Flip one digit inside a string value, so the body stays valid JSON.
    let digit = DOKU_BODY.find("088899").map_or(0, |i| i + 2);
    changed[digit] ^= 1;
    let mismatch = Err(SignatureError::Mismatch);
    assert_eq!(
        verify_symmetric("POST", PATH, &token, &changed, TS, &sig, &secret),
        mismatch
    );
    let spaced = DOKU_BODY.replace("  088899", " 088899");
    assert_eq!(
        verify_symmetric("POST", PATH, &token, spaced.as_bytes(), TS, &sig, &secret),
        mismatch
    );
    assert_eq!(verify_symmetric("PUT", PATH, &token, body, TS, &sig, &secret), mismatch);
    assert_eq!(
        verify_symmetric("POST", "/v1.0/x", &token, body, TS, &sig, &secret),
        mismatch
    );
    let other_token = AccessToken::from("other");
    assert_eq!(
        verify_symmetric("POST", PATH, &other_token, body, TS, &sig, &secret),
        mismatch
    );
    let later = "2020-12-17T10:55:01+07:00";
    assert_eq!(
        verify_symmetric("POST", PATH, &token, body, later, &sig, &secret),
        mismatch
    );
    let wrong = ClientSecret::from("wrong-secret");
    assert_eq!(verify_symmetric("POST", PATH, &token, body, TS, &sig, &wrong), mismatch);
    assert_eq!(verify_symmetric("POST", PATH, &token, body, TS, "", &secret), mismatch);
    assert_eq!(
        verify_symmetric("POST", PATH, &token, body, TS, "%%%not-base64%%%", &secret),
        Err(SignatureError::InvalidBase64)
    );

    let mut flipped = sig.into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8_lossy(&flipped).into_owned();
    assert_eq!(
        verify_symmetric("POST", PATH, &token, body, TS, &flipped, &secret),
        mismatch
    );
}

#[test]
fn asymmetric_verification_rejects_tampering_and_wrong_keys() {
    let pems = key();
    let private = pems.private();
    let public = pems.public();
    let body = DOKU_PRETTY.as_bytes();
    let sig = ok(sign_asymmetric("POST", PATH, body, TS, &private));
    assert_eq!(verify_asymmetric("POST", PATH, body, TS, &sig, &public), Ok(()));

    let mismatch = Err(SignatureError::Mismatch);
    let changed = DOKU_PRETTY.replace("Jokul", "Jokui");
    assert_eq!(
        verify_asymmetric("POST", PATH, changed.as_bytes(), TS, &sig, &public),
        mismatch
    );
    let wrong_public = other_key().public();
    assert_eq!(verify_asymmetric("POST", PATH, body, TS, &sig, &wrong_public), mismatch);
    let from_wrong_key = ok(sign_asymmetric("POST", PATH, body, TS, &other_key().private()));
    assert_ne!(from_wrong_key, sig);
    assert_eq!(
        verify_asymmetric("POST", PATH, body, TS, &from_wrong_key, &public),
        mismatch
    );
    assert_eq!(
        verify_asymmetric("POST", PATH, body, TS, "not base64 at all!", &public),
        Err(SignatureError::InvalidBase64)
    );
    assert_eq!(
        verify_asymmetric("POST", PATH, body, TS, &sig[..100], &public),
        mismatch
    );
    assert_eq!(verify_asymmetric("POST", PATH, body, TS, "", &public), mismatch);
    assert_eq!(
        verify_token(CLIENT_ID, TS, &sig, &public),
        mismatch,
        "a transaction signature must not pass as a token signature"
    );
    assert!(!openssl_rsa_verify(
        &other_key().spki,
        format!("{CLIENT_ID}|{TS}").as_bytes(),
        &ok(sign_token(CLIENT_ID, TS, &private))
    ));
}

#[test]
fn malformed_bodies_and_inputs_are_errors_not_panics() {
    let secret = ClientSecret::from(SECRET);
    let token = AccessToken::from(TOKEN);
    let private = key().private();
    for body in [&b"{\"a\":"[..], b"{\"a\":1}x", b"\xff", b"{'a':1}"] {
        assert!(matches!(
            sign_symmetric("POST", PATH, &token, body, TS, &secret),
            Err(SignError::Body(_))
        ));
        assert!(matches!(
            sign_asymmetric("POST", PATH, body, TS, &private),
            Err(SignError::Body(_))
        ));
    }
    let bearer = AccessToken::from(format!("Bearer {TOKEN}"));
    assert_eq!(
        sign_symmetric("POST", PATH, &bearer, b"", TS, &secret),
        Err(SignError::BearerPrefix)
    );

    let public = key().public();
    let input = SignInput {
        method: "POST",
        path: PATH,
        token: None,
        minified_body: b"",
        timestamp: TS,
        client_id: "",
        request_id: "",
    };
    let result = SNAP_ASYMMETRIC.verify(&input, "AAAA", &VerifyingKey::Hmac(&secret));
    assert!(matches!(
        result,
        Err(SignatureError::Input(SignError::KeyMismatch { .. }))
    ));
    let result = SNAP_SYMMETRIC.sign(&input, &SigningKey::Hmac(&secret));
    assert_eq!(result, Err(SignError::MissingToken));
    let result = SNAP_SYMMETRIC.verify(&input, "AAAA", &VerifyingKey::Rsa(&public));
    assert_eq!(result, Err(SignatureError::Input(SignError::MissingToken)));
}
