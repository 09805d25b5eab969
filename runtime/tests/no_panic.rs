//! Bounded fuzzing with proptest (runs in CI): the parsers that face untrusted input — minify, response
//! codes, timestamps, the inbound verifier — never panic, whatever bytes arrive, and minify keeps its
//! promise on valid JSON (same bytes when already minified; idempotent; string contents untouched).

use proptest::prelude::*;
use snapbi_runtime::ResponseCode;
use snapbi_runtime::minify::minify;
use snapbi_runtime::timestamp::SnapTimestamp;

/// JSON-ish text: mostly valid tokens, spaces, escapes and non-ASCII, sometimes broken.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(":".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("\n\t".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("-0.5e3".to_owned()),
        Just("\"a b\\\"\\u00e9 é\"".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        "[a-z0-9 ]{0,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("SNAPBI_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512), ..ProptestConfig::default() })]

    #[test]
    fn minify_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = minify(&bytes);
    }

    #[test]
    fn minify_never_panics_on_jsonish_text(text in jsonish()) {
        if let Ok(once) = minify(text.as_bytes()) {
            let twice = minify(&once).expect("minified output is valid");
            prop_assert_eq!(&*once, &*twice, "minify is idempotent");
            let parsed: Result<serde_json::Value, _> = serde_json::from_slice(text.as_bytes());
            if let Ok(value) = parsed {
                let reparsed: serde_json::Value = serde_json::from_slice(&once).expect("still JSON");
                prop_assert_eq!(value, reparsed, "minify changes no value");
            }
        }
    }

    #[test]
    fn valid_json_is_minified_to_serde_json_compact_form(value in any_json()) {
        let compact = serde_json::to_vec(&value).expect("json");
        let pretty = serde_json::to_vec_pretty(&value).expect("json");
        prop_assert_eq!(&*minify(&pretty).expect("valid"), &compact[..]);
        prop_assert!(matches!(minify(&compact).expect("valid"), std::borrow::Cow::Borrowed(_)), "no copy when already minified");
    }

    #[test]
    fn response_codes_never_panic(text in "\\PC{0,12}") {
        let code = ResponseCode::parse(&text);
        let _ = (code.http_status(), code.service_code(), code.case_code(), ResponseCode::try_parse(&text));
        prop_assert_eq!(code.as_str(), text.as_str(), "the raw text is kept");
    }

    #[test]
    fn timestamps_never_panic(text in "[0-9T:+.Z -]{0,32}") {
        let _ = SnapTimestamp::parse(&text);
        let _ = snapbi_rules::is_snap_datetime(&text);
    }
}

/// Arbitrary JSON values with awkward strings.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i32>().prop_map(serde_json::Value::from),
        "\\PC{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-z ]{0,5}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
