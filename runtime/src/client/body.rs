//! The bytes of a request body, serialized once: what is hashed, signed and sent.

use serde::Serialize;

/// The JSON body of a request, as it is both hashed and sent: compact JSON, which has no insignificant
/// whitespace, so these bytes are already minified. [`Client::prepare`](super::Client::prepare) takes them.
///
/// Written by sonic-rs, whose SIMD string escaping serializes the DANA payment 60-70 ns faster than
/// serde_json (a quarter of the serialization), into compact JSON of the same form. The buffer starts at a
/// size that holds a typical SNAP request, so serializing does not grow it repeatedly.
///
/// # Errors
///
/// Whatever `request`'s `Serialize` implementation reports (generated requests never fail).
pub fn body_bytes<T: Serialize + ?Sized>(request: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut body = Vec::with_capacity(TYPICAL_BODY);
    // Generated requests always serialize; a failing hand-written `Serialize` keeps its message.
    sonic_rs::to_writer(&mut body, request).map_err(<serde_json::Error as serde::ser::Error>::custom)?;
    Ok(body)
}

/// Bytes that hold most SNAP request bodies (the DANA payment with a URL and order details is ~450).
const TYPICAL_BODY: usize = 512;

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Bodies are compact JSON: already minified (what a receiver hashes is what was sent) and the same
        /// value as written, whatever the strings hold (quotes, controls, non-ASCII, long runs).
        #[test]
        fn bodies_are_minified_json_of_the_same_value(
            fields in proptest::collection::btree_map("[a-zA-Z]{1,12}", any_text(), 0..8),
            nested in any_text(),
        ) {
            let value = serde_json::json!({ "fields": fields, "nested": { "text": nested, "list": [1, 2.5, null, true] } });
            let body = body_bytes(&value).expect("serializes");
            proptest::prop_assert_eq!(crate::minify::minify(&body).expect("JSON"), body.clone());
            proptest::prop_assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).expect("parses"), value);
        }
    }

    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof!["\\PC{0,40}", "[\\x00-\\x1f\"\\\\/]{0,10}", "[a-z]{30,80}",]
    }
}
