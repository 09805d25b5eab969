//! Request bodies are what serde_json writes for the same request, byte for byte: the body written by the
//! `Object` derive's `WriteJson` (what is signed and sent) against `serde_json::to_vec` over the same value's
//! `Serialize`, on generated requests with any text (quotes, backslashes, control characters, non-ASCII),
//! optional fields present or absent, nested objects, lists, value lists and free-form JSON.

use proptest::prelude::*;
use snapbi::{dana, doku, rt, types};

/// The DOKU DANA payment of the request-preparation bench, with its text fields and optional parts varied.
fn payment(text: &[String; 4], remarks: Option<&str>, env: bool) -> Option<doku::direct_debit_payment::Request> {
    use doku::direct_debit_payment::{AdditionalInfo, AdditionalInfoChannel, AdditionalInfoOrder, PointOfInitiation};
    let mut info = AdditionalInfo::builder()
        .channel(AdditionalInfoChannel::EmoneyDanaSnap)
        .order(AdditionalInfoOrder::builder().order_title(text[2].as_str()));
    if let Some(remarks) = remarks {
        info = info.remarks(remarks);
    }
    if env {
        info = info.env_info(
            types::EnvInfo::builder()
                .source_platform(text[3].as_str())
                .terminal_type("SYSTEM"),
        );
    }
    doku::direct_debit_payment::Request::builder()
        .partner_reference_no(text[0].as_str())
        .amount(types::Amount::builder().value("150000.00").currency("IDR"))
        .url_param([types::UrlParam::builder()
            .url(format!("https://merchant.example/return?q={}", text[1]))
            .r#type(types::UrlParamType::PayReturn)
            .is_deep_link(types::UrlParamIsDeepLink::N)])
        .valid_up_to("2024-07-10T11:57:58+07:00")
        .point_of_initiation(PointOfInitiation::App)
        .additional_info(info)
        .build()
        .ok()
}

/// A DANA widget refund, whose `envInfo` is free-form JSON.
fn refund(reason: &str, env_info: rt::serde_json::Value) -> Option<dana::widget_refund_order::Request> {
    dana::widget_refund_order::Request::builder()
        .merchant_id("216620000000000000000")
        .original_partner_reference_no("INV-1")
        .partner_refund_no("REF-1")
        .refund_amount(types::Amount::builder().value("10.00").currency("IDR"))
        .reason(reason)
        .additional_info(dana::widget_refund_order::AdditionalInfo::builder().env_info(env_info))
        .build()
        .ok()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{1,30}",
        "[\\x00-\\x1f\"\\\\/]{1,10}",
        "[a-z0-9 é✓😀\"\\\\\\x00-\\x1f\\x7f]{1,30}"
    ]
}

proptest! {
    #[test]
    fn the_payment_body_is_serde_json_s_bytes(
        text in proptest::array::uniform4(text()),
        remarks in proptest::option::of("[a-zA-Z0-9 \"\\\\\\x00-\\x1f]{0,20}"),
        env in any::<bool>(),
    ) {
        let request = payment(&text, remarks.as_deref(), env);
        prop_assume!(request.is_some(), "a cross-field rule refused the combination");
        let request = request.expect("built");
        prop_assert_eq!(rt::body_bytes(&request), rt::serde_json::to_vec(&request).expect("serializes"));
    }

    #[test]
    fn free_form_json_is_written_as_serde_json_writes_it(
        reason in text(),
        keys in proptest::collection::btree_map(text(), text(), 0..4),
        number in any::<i64>(),
    ) {
        let env_info = rt::serde_json::json!({ "fields": keys, "n": number, "f": 2.5, "list": [null, true] });
        let request = refund(&reason, env_info).expect("valid refund");
        prop_assert_eq!(rt::body_bytes(&request), rt::serde_json::to_vec(&request).expect("serializes"));
    }
}

#[test]
fn absent_optional_fields_are_left_out() {
    let text = ["INV-1".to_owned(), "x".to_owned(), "Kopi".to_owned(), "IPG".to_owned()];
    let body = String::from_utf8(rt::body_bytes(&payment(&text, None, false).expect("valid"))).expect("UTF-8");
    assert!(body.starts_with(r#"{"partnerReferenceNo":"INV-1","amount":{"value":"150000.00","currency":"IDR"}"#));
    assert!(
        !body.contains("remarks") && !body.contains("envInfo") && !body.contains("null"),
        "{body}"
    );
}
