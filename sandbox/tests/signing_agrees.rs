//! The sandbox's signer and the runtime's are separate implementations (ARCHITECTURE.md, decision 5); here both
//! sign the SAME inputs, for each of the three SNAP recipes and DANA's envelope recipe, and must agree with each
//! other and with `openssl`, which computes every hash, HMAC, RSA signature and base64 on its own.
//!
//! Each side reads its recipe from where it lives (the sandbox from the IR, the runtime from the generated client's
//! statics) and minifies with its own code; the strings to sign are spelled out here by hand from the standard
//! (snap-standard §2), so a bug in either assembly fails even if the other shares it. SHA256withRSA is RSASSA-PKCS1
//! v1.5, deterministic, so RSA signatures compare byte for byte.

mod common;

use common::openssl::{openssl, openssl_base64, openssl_hmac_sha512, openssl_sha256_hex};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use snapbi_runtime::envelope::Framing as _;
use snapbi_runtime::keys::{PrivateKey, PublicKey};
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_runtime::signature::{Sign as _, SignInput, SigningKey, VerifyingKey};
use snapbi_sandbox::keys::{ClientKey, ProviderKey};
use snapbi_sandbox::signing::{self, Message, Signer, Verifier};
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_PUBLIC_KEY_PEM, DEMO_CLIENT_SECRET};
use snapbi_spec::ir::{Api, AuthKind};

const TS: &str = "2020-12-17T10:55:00+07:00";
const PATH: &str = "/bi-snap-va/v1/transfer-va/create-va?channel=x";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE2MDgxOTc0MDB9.c2lnbmF0dXJl";

/// The DOKU sample body of snap-standard §2.4 as a person would write it, and minified by hand.
const PRETTY: &str = r#"
{
    "partnerServiceId" : "  088899",
    "customerNo": "12345678901234567890",
    "virtualAccountNo": "  08889912345678901234567890",
	"virtualAccountName": "Jokul  Doe",
    "note": "caf\u00e9 \"q r\" a\/b \\ 日本 \\"  ,
    "totalAmount": {
        "value": "12345678.00",
        "currency": "IDR"
    },
    "n": [ 1.0 , 1e5, -0 ]
}
"#;
const MINIFIED: &str = r#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul  Doe","note":"caf\u00e9 \"q r\" a\/b \\ 日本 \\","totalAmount":{"value":"12345678.00","currency":"IDR"},"n":[1.0,1e5,-0]}"#;

// ---------------------------------------------------------------------------------------------
// openssl

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "snapbi-signing-agrees-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl_rsa_sha256(private_pem: &str, data: &str) -> String {
    let dir = TempDir::new();
    let key = dir.0.join("key.pem");
    std::fs::write(&key, private_pem).unwrap_or_else(|e| panic!("cannot write {}: {e}", key.display()));
    let key = key.to_str().unwrap_or_else(|| panic!("non-UTF-8 temp path"));
    openssl_base64(&openssl(&["dgst", "-sha256", "-sign", key, "-binary"], data.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// the two sides

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The runtime's minified body and the sandbox's, each by its own code; both must be the hand-minified one.
fn minified_both_ways(raw: &str) -> (Vec<u8>, Vec<u8>) {
    let runtime = ok(snapbi_runtime::minify::minify(raw.as_bytes())).into_owned();
    let sandbox = snapbi_sandbox::minify::minify(raw.as_bytes())
        .unwrap_or_else(|| panic!("the sandbox finds {raw:?} not JSON"))
        .into_owned();
    (runtime, sandbox)
}

/// One recipe on both sides: the IR's (the sandbox reads it) and the generated client's (the runtime signs with it).
struct Both<'a> {
    ir: &'a snapbi_spec::ir::Recipe,
    runtime: &'static snapbi_runtime::signature::Recipe,
}

/// What one signature is made of, each side's minified body included.
struct Case<'a> {
    method: &'a str,
    path: &'a str,
    token: Option<&'a str>,
    runtime_body: &'a [u8],
    sandbox_body: &'a [u8],
}

impl Case<'_> {
    fn message(&self) -> Message<'_> {
        Message {
            method: self.method,
            path: self.path,
            token: self.token,
            minified_body: self.sandbox_body,
            timestamp: TS,
            client_id: DEMO_CLIENT_ID,
            raw_body: self.sandbox_body,
            request_id: "",
        }
    }

    fn runtime_input<'t>(&'t self, token: Option<&'t AccessToken>) -> SignInput<'t> {
        SignInput {
            method: self.method,
            path: self.path,
            token,
            minified_body: self.runtime_body,
            timestamp: TS,
            client_id: DEMO_CLIENT_ID,
            request_id: "",
        }
    }
}

/// Signs `case` with both sides, checks both strings to sign against `expected`, both signatures against
/// `openssl`, and that each side verifies the other's signature.
fn agree(recipe: &Both<'_>, case: &Case<'_>, expected: &str) {
    let token = case.token.map(AccessToken::from);
    let input = case.runtime_input(token.as_ref());
    assert_eq!(signing::string_to_sign(recipe.ir, &case.message()), expected, "sandbox");
    assert_eq!(ok(recipe.runtime.string_to_sign(&input)), expected, "runtime");

    let secret = ClientSecret::from(DEMO_CLIENT_SECRET);
    let runtime_private = ok(PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM));
    let runtime_public = ok(PublicKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM));
    let sandbox_private = ok(ProviderKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM));
    let sandbox_public = ok(ClientKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM));
    let (by_openssl, runtime_key, sandbox_key, runtime_check, sandbox_check) = match recipe.ir.algorithm {
        snapbi_spec::ir::Algorithm::HmacSha512 => (
            openssl_hmac_sha512(DEMO_CLIENT_SECRET, expected),
            SigningKey::Hmac(&secret),
            Signer::Secret(DEMO_CLIENT_SECRET),
            VerifyingKey::Hmac(&secret),
            Verifier::Secret(DEMO_CLIENT_SECRET),
        ),
        // The shipped recipes do not use HMAC-SHA256 (DOKU's non-SNAP scheme): tests/tests/nonsnap_signing.rs
        // pins it to openssl.
        snapbi_spec::ir::Algorithm::HmacSha256 => panic!("no shipped recipe signs with HMAC-SHA256"),
        snapbi_spec::ir::Algorithm::RsaSha256 => (
            openssl_rsa_sha256(DEMO_CLIENT_PRIVATE_KEY_PEM, expected),
            SigningKey::Rsa(&runtime_private),
            Signer::Rsa(&sandbox_private),
            VerifyingKey::Rsa(&runtime_public),
            Verifier::Rsa(&sandbox_public),
        ),
    };
    let by_runtime = ok(recipe.runtime.sign(&input, &runtime_key));
    let by_sandbox = ok(signing::sign(recipe.ir, &case.message(), sandbox_key));
    assert_eq!(by_runtime, by_openssl, "runtime against openssl");
    assert_eq!(by_sandbox, by_openssl, "sandbox against openssl");
    assert!(signing::verify(recipe.ir, &case.message(), &by_runtime, sandbox_check));
    assert_eq!(recipe.runtime.verify(&input, &by_sandbox, &runtime_check), Ok(()));
}

fn api() -> Api {
    common::api()
}

fn snap_recipe<'a>(api: &'a Api, auth: AuthKind) -> Both<'a> {
    let ir = api.provider("doku").and_then(|p| p.signature_for(auth));
    let runtime = snapbi::doku::PROFILE.signature_for(auth);
    match (ir, runtime) {
        (Some(ir), Some(runtime)) => Both { ir, runtime },
        _ => panic!("DOKU has a {} recipe on both sides", auth.as_str()),
    }
}

// ---------------------------------------------------------------------------------------------
// the cases

#[test]
fn both_minify_as_the_standard_asks() {
    for (raw, by_hand) in [
        (PRETTY, MINIFIED),
        ("", ""),
        (" \n\t ", ""),
        (r#"{ "a" : [ { } , [ ] ] }"#, r#"{"a":[{},[]]}"#),
    ] {
        let (runtime, sandbox) = minified_both_ways(raw);
        assert_eq!(String::from_utf8_lossy(&runtime), by_hand);
        assert_eq!(String::from_utf8_lossy(&sandbox), by_hand);
    }
}

#[test]
fn token_recipe_client_id_bar_timestamp() {
    let api = api();
    let case = Case {
        method: "POST",
        path: "/authorization/v1/access-token/b2b",
        token: None,
        runtime_body: br#"{"grantType":"client_credentials"}"#,
        sandbox_body: br#"{"grantType":"client_credentials"}"#,
    };
    agree(
        &snap_recipe(&api, AuthKind::Token),
        &case,
        &format!("{DEMO_CLIENT_ID}|{TS}"),
    );
}

#[test]
fn symmetric_recipe_hmac_sha512() {
    let api = api();
    let (runtime_body, sandbox_body) = minified_both_ways(PRETTY);
    let case = Case {
        method: "POST",
        path: PATH,
        token: Some(TOKEN),
        runtime_body: &runtime_body,
        sandbox_body: &sandbox_body,
    };
    let hash = openssl_sha256_hex(MINIFIED.as_bytes());
    agree(
        &snap_recipe(&api, AuthKind::Symmetric),
        &case,
        &format!("POST:{PATH}:{TOKEN}:{hash}:{TS}"),
    );
    // No body hashes as the empty string.
    let empty = Case {
        method: "GET",
        runtime_body: b"",
        sandbox_body: b"",
        ..case
    };
    let hash = openssl_sha256_hex(b"");
    agree(
        &snap_recipe(&api, AuthKind::Symmetric),
        &empty,
        &format!("GET:{PATH}:{TOKEN}:{hash}:{TS}"),
    );
}

#[test]
fn asymmetric_recipe_sha256_with_rsa() {
    let api = api();
    let (runtime_body, sandbox_body) = minified_both_ways(PRETTY);
    let case = Case {
        method: "POST",
        path: PATH,
        token: None,
        runtime_body: &runtime_body,
        sandbox_body: &sandbox_body,
    };
    let hash = openssl_sha256_hex(MINIFIED.as_bytes());
    agree(
        &snap_recipe(&api, AuthKind::Asymmetric),
        &case,
        &format!("POST:{PATH}:{hash}:{TS}"),
    );
}

/// DANA's Open API: the request member signed as its bytes (`{body}`), framed by the runtime and found again by
/// the sandbox byte for byte; an answer framed by the sandbox and found again by the runtime.
#[test]
fn envelope_recipe_signs_the_member_as_framed() {
    let api = api();
    let envelope = snapbi::dana::PROFILE
        .envelope("open_api")
        .unwrap_or_else(|| panic!("DANA's profile has its open_api envelope"));
    let ir = api
        .provider("dana")
        .and_then(|p| p.envelopes.iter().find(|e| e.name == envelope.name))
        .map(|e| &e.signature);
    let recipe = Both {
        ir: ir.unwrap_or_else(|| panic!("DANA's open_api envelope is in the IR")),
        runtime: &envelope.signature,
    };
    let head = [("version", "2.0"), ("clientId", DEMO_CLIENT_ID), ("note", "a \"q\" é")];
    let member = envelope.request_member(head, br#"{"x": "  y "}"#);
    let text = String::from_utf8_lossy(&member).into_owned();
    assert_eq!(
        text,
        format!(
            r#"{{"head":{{"version":"2.0","clientId":"{DEMO_CLIENT_ID}","note":"a \"q\" é"}},"body":{{"x": "  y "}}}}"#
        )
    );
    let case = Case {
        method: "POST",
        path: "/dana/member/query/queryUserProfile.htm",
        token: None,
        runtime_body: &member,
        sandbox_body: &member,
    };
    agree(&recipe, &case, &text);

    // Framed by the runtime, read by the sandbox: the same bytes and signature.
    let framed = envelope.frame(&member, "c2ln");
    let found = snapbi_sandbox::framing::signed_member(&framed, &envelope.request_member, &envelope.signature_member);
    assert_eq!(found, Some((member.as_slice(), "c2ln".to_owned())));
    // Framed by the sandbox as an answer, read by the runtime.
    let answer = snapbi_sandbox::framing::frame(&envelope.response_member, &member, &envelope.signature_member, "c2ln");
    let found = snapbi_runtime::envelope::signed_member(&answer, &envelope.response_member, &envelope.signature_member);
    assert_eq!(found, Some((member.as_slice(), "c2ln".to_owned())));
    assert_eq!(
        answer,
        [br#"{"response":"#.as_slice(), &member, br#","signature":"c2ln"}"#].concat()
    );
}
