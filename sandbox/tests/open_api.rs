//! DANA's query user profile, framed in DANA's Open API envelope, from the typed client to the sandbox over
//! loopback: success with a typed body, and the provider's refusals as typed result codes (a malformed field,
//! a bad signature, a wrong client secret, a business failure). The request member is signed byte for byte:
//! the bytes hashed are the bytes sent, checked here independently of the runtime's signer.

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{Value, json};
use snapbi::dana::{self, widget_query_user_profile as profile};
use snapbi::rt::{self, Outcome};
use snapbi_sandbox::{
    DEMO_CLIENT_ID, DEMO_CLIENT_PUBLIC_KEY_PEM, DEMO_CLIENT_SECRET, DEMO_PROVIDER_PRIVATE_KEY_PEM,
    DEMO_PROVIDER_PUBLIC_KEY_PEM,
};

fn config(base: &str) -> rt::Config {
    rt::Config::new(DEMO_CLIENT_ID)
        .base_url(base)
        .client_secret(DEMO_CLIENT_SECRET)
        .private_key(private_key())
}

fn request(resources: &[&str]) -> profile::Request {
    rt::from_json(json!({ "userResources": resources })).expect("valid request")
}

/// A head with a token the sandbox never issued: enough for the refusals that come before the customer is looked up.
fn head() -> profile::Headers {
    head_with("customer-token-1")
}

fn head_with(token: &str) -> profile::Headers {
    rt::from_json(json!({ "accessToken": token })).expect("valid head")
}

/// A head with the customer token of a customer bound at the sandbox (registered, then bought with an auth code).
async fn bound_head(run: &Running) -> profile::Headers {
    run.register_customers();
    let token = run.customer_token("dana").await.expect("a customer token");
    head_with(&token)
}

/// `response.body.resultInfo` of a raw answer.
fn result_info(raw: &[u8]) -> Value {
    let answer: Value = serde_json::from_slice(raw).expect("JSON answer");
    answer["response"]["body"]["resultInfo"].clone()
}

#[tokio::test]
async fn query_user_profile_succeeds_with_a_typed_body() {
    let run = start_provider("dana", |b| b).await;
    let client = dana::Client::new(config(&run.base)).expect("client");
    let reply = client
        .widget_query_user_profile(&request(&["BALANCE", "OTT"]), &bound_head(&run).await)
        .await
        .expect("query user profile");
    assert_eq!((reply.status, reply.code.clone()), (200, profile::Code::Success));
    assert_eq!(reply.code.outcome(), Outcome::Success);
    let info = reply.body.result_info.as_ref().expect("resultInfo");
    assert_eq!(
        (info.result_status.as_deref(), info.result_code.as_deref()),
        (Some("S"), Some("SUCCESS"))
    );
    // Only the OTT, which the sandbox issues: it answers no resource it has no documented form for.
    let resources = reply.body.user_resource_infos.as_deref().unwrap_or_default();
    assert_eq!(resources.len(), 1, "{resources:?}");
    assert_eq!(resources[0].resource_type.as_deref(), Some("OTT"));
    assert!(
        resources[0].value.as_deref().is_some_and(|v| !v.is_empty()),
        "an issued token"
    );
    // SUCCESS's published id, which DANA's SDK models require (`resultCodeId`).
    assert_eq!(result_info(&reply.raw_body)["resultCodeId"], "00000000");
    // The answer echoes the head, never the client secret.
    let answer: Value = serde_json::from_slice(&reply.raw_body).expect("JSON");
    let echoed = &answer["response"]["head"];
    assert_eq!(echoed["function"], "dana.member.query.queryUserProfile");
    assert_eq!(echoed["clientId"], DEMO_CLIENT_ID);
    assert!(echoed.get("clientSecret").is_none(), "{echoed}");
}

#[tokio::test]
async fn refusals_arrive_as_typed_result_codes() {
    let run = start_provider("dana", |b| b).await;
    let client = dana::Client::new(config(&run.base)).expect("client");

    // Validation: a resource outside the enum cannot be built by the typed client, so it is sent as raw JSON
    // through the runtime (the generated validators are bypassed on purpose).
    let runtime = rt::Client::new(&dana::PROFILE, config(&run.base)).expect("runtime client");
    let bad = json!({ "userResources": ["EVERYTHING"] });
    let head_pairs = rt::header_pairs(&head());
    match runtime
        .call::<Value, Value, profile::Code>(&profile::ENDPOINT, &bad, &head_pairs)
        .await
    {
        Err(rt::Error::Api {
            status: 200,
            code,
            raw_body,
            ..
        }) => {
            assert_eq!(code, profile::Code::ParamIllegal);
            assert_eq!(result_info(&raw_body)["resultStatus"], "F");
            // PARAM_ILLEGAL's id is not published: it is left out rather than made up.
            assert!(result_info(&raw_body).get("resultCodeId").is_none());
        }
        other => panic!("an unknown resource must be refused: {other:?}"),
    }

    // Signature: the same call signed with a key the sandbox does not know for this client.
    // (The sandbox's own provider key: a real key pair, just not this client's.)
    let stranger = rt::keys::PrivateKey::from_pem(DEMO_PROVIDER_PRIVATE_KEY_PEM).expect("key");
    let forged = dana::Client::new(config(&run.base).private_key(stranger)).expect("client");
    match forged.widget_query_user_profile(&request(&["BALANCE"]), &head()).await {
        Err(rt::Error::Api { code, .. }) => {
            assert_eq!(code, profile::Code::InvalidSignature);
            assert_eq!(code.outcome(), Outcome::Auth);
        }
        other => panic!("a foreign signature must be refused: {other:?}"),
    }

    // Client secret: DANA's Open API authenticates the merchant by the secret in the signed head.
    let wrong = dana::Client::new(config(&run.base).client_secret("not-the-secret")).expect("client");
    match wrong.widget_query_user_profile(&request(&["BALANCE"]), &head()).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, profile::Code::InvalidClient),
        other => panic!("a wrong client secret must be refused: {other:?}"),
    }

    // Head limits: DANA's clientId is at most 36 characters (checked before the client is looked up).
    let long_id = "C".repeat(37);
    let config = rt::Config::new(long_id)
        .base_url(&run.base)
        .client_secret(DEMO_CLIENT_SECRET);
    let long = dana::Client::new(config.private_key(private_key())).expect("client");
    match long.widget_query_user_profile(&request(&["BALANCE"]), &head()).await {
        Err(rt::Error::Api { code, .. }) => assert_eq!(code, profile::Code::ParamIllegal),
        other => panic!("a 37-character clientId must be refused: {other:?}"),
    }

    // Business failure: a resource outside the merchant's scope.
    run.sandbox
        .arm_scenario(&profile::ENDPOINT.id, "RESOURCE_NOT_DEFINED", 1)
        .expect("declared result code");
    match client.widget_query_user_profile(&request(&["USER_KYC"]), &head()).await {
        Err(rt::Error::Api { code, message, .. }) => {
            assert_eq!(code, profile::Code::ResourceNotDefined);
            assert_eq!(message.as_deref(), Some("resource not defined"));
        }
        other => panic!("the armed business failure must answer: {other:?}"),
    }
    // Undeclared codes cannot be armed.
    assert!(run.sandbox.arm_scenario(&profile::ENDPOINT.id, "2001100", 1).is_err());
}

/// The profile is a bound customer's: a token the sandbox never issued, or one an unbinding revoked, is DANA's
/// INVALID_ACCESS_TOKEN (an `auth` outcome), and nothing is read.
#[tokio::test]
async fn a_customer_token_nobody_bound_is_dana_s_invalid_access_token() {
    let run = start_provider("dana", |b| b).await;
    let client = dana::Client::new(config(&run.base)).expect("client");
    match client.widget_query_user_profile(&request(&["BALANCE"]), &head()).await {
        Err(rt::Error::Api {
            status: 200,
            code,
            raw_body,
            ..
        }) => {
            assert_eq!(code, profile::Code::InvalidAccessToken);
            assert_eq!(code.outcome(), Outcome::Auth);
            let info = result_info(&raw_body);
            assert_eq!(
                (info["resultStatus"].as_str(), info["resultCode"].as_str()),
                (Some("F"), Some("INVALID_ACCESS_TOKEN"))
            );
            assert!(
                serde_json::from_slice::<Value>(&raw_body).expect("JSON")["response"]["body"]["userResourceInfos"]
                    .is_null()
            );
        }
        other => panic!("an unknown customer token must be refused: {other:?}"),
    }
    // The same call with a bound customer's token is served.
    let head = bound_head(&run).await;
    let reply = client
        .widget_query_user_profile(&request(&["BALANCE"]), &head)
        .await
        .expect("served");
    assert_eq!(reply.code, profile::Code::Success);
}

/// DANA signs its answers over the `response` member: a client given the provider's public key verifies
/// them, and refuses an answer whose signature is not the provider's (its content is not trusted).
#[tokio::test]
async fn answers_are_verified_with_the_providers_key() {
    let run = start_provider("dana", |b| b).await;
    let provider = rt::keys::PublicKey::from_pem(DEMO_PROVIDER_PUBLIC_KEY_PEM).expect("provider key");
    let verifying = dana::Client::new(config(&run.base).provider_public_key(provider)).expect("client");
    let head = bound_head(&run).await;
    let reply = verifying
        .widget_query_user_profile(&request(&["OTT"]), &head)
        .await
        .expect("a signed answer verifies");
    assert_eq!(reply.code, profile::Code::Success);

    // The same answer checked with a key that is not the provider's.
    let other = rt::keys::PublicKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM).expect("other key");
    let suspicious = dana::Client::new(config(&run.base).provider_public_key(other)).expect("client");
    match suspicious.widget_query_user_profile(&request(&["OTT"]), &head).await {
        Err(rt::Error::UnverifiedAnswer { status: 200, raw_body }) => {
            assert!(!raw_body.is_empty(), "the raw answer is kept");
        }
        other => panic!("an answer not signed by the configured key must be refused: {other:?}"),
    }
}

/// An endpoint naming an envelope its provider lacks (generated code never does: lowering checks the name) is
/// refused with a typed error when its request is prepared, not a panic.
#[test]
fn an_envelope_the_provider_lacks_is_a_typed_error() {
    static WITHOUT_ENVELOPES: rt::Provider = rt::Provider {
        envelopes: &[],
        ..dana::PROFILE
    };
    let client = rt::Client::new(&WITHOUT_ENVELOPES, config("http://127.0.0.1:9")).expect("client");
    let body = rt::body_bytes(&request(&["BALANCE"]));
    let refused = client.prepare(&profile::ENDPOINT, body, None, &[]).err();
    assert_eq!(refused, Some(rt::signature::SignError::NoEnvelope("open_api")));
}

/// The body the client sends: head filled from the envelope, the caller's head after it, the request
/// member's exact bytes signed (verified here with the public key, outside the runtime's signer), and a
/// re-serialization of the member with other separators does not verify (the bytes signed are the bytes sent).
#[test]
fn the_request_member_is_signed_byte_for_byte() {
    let client = rt::Client::new(&dana::PROFILE, config("http://127.0.0.1:9")).expect("client");
    let body = rt::body_bytes(&request(&["BALANCE"]));
    let pairs = rt::header_pairs(&head());
    let prepared = client
        .prepare(&profile::ENDPOINT, body, None, &pairs)
        .expect("prepared");
    assert_eq!(
        prepared.url,
        "http://127.0.0.1:9/dana/member/query/queryUserProfile.htm"
    );
    assert!(
        prepared.header("X-SIGNATURE").is_none(),
        "the signature travels in the body"
    );

    let sent: Value = serde_json::from_slice(&prepared.body).expect("JSON body");
    let head = &sent["request"]["head"];
    let names: Vec<&str> = head.as_object().expect("head").keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "version",
            "function",
            "clientId",
            "clientSecret",
            "reqTime",
            "reqMsgId",
            "reserve",
            "accessToken"
        ]
    );
    assert_eq!(head["function"], "dana.member.query.queryUserProfile");
    assert_eq!(head["clientSecret"], DEMO_CLIENT_SECRET);
    assert_eq!(head["reqTime"].as_str().map(str::len), Some(25));
    assert_eq!(sent["request"]["body"], json!({ "userResources": ["BALANCE"] }));
    assert!(
        !format!("{prepared:?}").contains(DEMO_CLIENT_SECRET),
        "Debug never shows the secret"
    );

    // The member as sent: the text between `"request":` and `,"signature"`.
    let text = std::str::from_utf8(&prepared.body).expect("UTF-8");
    let member = text
        .strip_prefix(r#"{"request":"#)
        .and_then(|rest| rest.split_once(r#","signature":"#))
        .map(|(member, _)| member)
        .expect("framed as {\"request\":…,\"signature\":…}");
    let signature = base64::engine::general_purpose::STANDARD
        .decode(sent["signature"].as_str().expect("signature"))
        .expect("base64");
    let public = rt::keys::PublicKey::from_pem(DEMO_CLIENT_PUBLIC_KEY_PEM).expect("public key");
    public
        .verify_sha256(member.as_bytes(), &signature)
        .expect("the signature covers the member's bytes as sent");
    let spaced = member.replace("\":", "\": ").replace(",\"", ", \"");
    assert!(
        public.verify_sha256(spaced.as_bytes(), &signature).is_err(),
        "a re-serialized member is other bytes"
    );
}
