//! The standard's credential members (`credential_members` of `standard.yaml`) are redacted from every raw body
//! any endpoint shows, whatever its own fields mark `sensitive`.

use snapbi::rt::{self, EndpointCode};
use snapbi::{dana, doku};

fn keys_hold_every_credential_member(keys: &[&str]) {
    assert!(!snapbi::STANDARD.credential_members.is_empty());
    for member in snapbi::STANDARD.credential_members.iter() {
        assert!(keys.contains(&member.as_ref()), "{member} missing from {keys:?}");
    }
}

#[test]
fn every_endpoint_redacts_the_standard_s_credentials() {
    keys_hold_every_credential_member(doku::direct_debit_payment::Code::SENSITIVE_KEYS);
    keys_hold_every_credential_member(doku::token_b2b::Code::SENSITIVE_KEYS);
    keys_hold_every_credential_member(dana::payment_gateway_create_order::Code::SENSITIVE_KEYS);
}

#[test]
fn a_refusal_echoing_a_token_never_prints_it() {
    let raw = br#"{"responseCode":"4015400","responseMessage":"Unauthorized","accessToken":"tok-leaked"}"#;
    let error: rt::Error<doku::direct_debit_payment::Code> = rt::Error::Api {
        status: 401,
        code: doku::direct_debit_payment::Code::from("4015400"),
        message: Some("Unauthorized".into()),
        raw_body: raw.to_vec(),
    };
    let shown = format!("{error:?}");
    assert!(
        !shown.contains("tok-leaked") && shown.contains(r#"\"accessToken\":\"<redacted>\""#),
        "{shown}"
    );
}
