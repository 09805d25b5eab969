//! The path a call is sent to: its endpoint's path with each `{name}` placeholder filled by its parameter's
//! value, percent-encoded as one path segment. The path filled here is the one requested and the one `{path}`
//! signs, so the provider checks the signature over exactly what it received.

use std::borrow::Cow;

use crate::signature::SignError;

/// `template` (an endpoint's path, `/orders/v1/status/{invoice_number}`) with each `{name}` replaced by the value
/// `params` gives for `name`, percent-encoded as one path segment ([`encode_segment`]). A path without
/// placeholders is returned as it is.
///
/// # Errors
///
/// [`SignError::PathParam`] for a placeholder without a value in `params`, and for a value that cannot be one
/// segment: an empty one, or `.` and `..`, which URLs resolve as steps to the same or the parent folder. (The
/// generated `Params` builders never give either: the specs require a non-empty value for every placeholder.)
pub fn fill_path<'t>(template: &'t str, params: &[(String, String)]) -> Result<Cow<'t, str>, SignError> {
    if !template.contains('{') {
        return Ok(Cow::Borrowed(template));
    }
    let mut path = String::with_capacity(template.len() + params.iter().map(|(_, v)| v.len() * 3).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            break;
        };
        path.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        path.push_str(&encode_segment(segment_value(name, params)?));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    Ok(Cow::Owned(path))
}

/// The value of parameter `name`, when it can be a path segment.
fn segment_value<'p>(name: &str, params: &'p [(String, String)]) -> Result<&'p str, SignError> {
    let problem = |problem: &'static str| SignError::PathParam {
        name: name.to_owned(),
        problem,
    };
    match params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()) {
        None => Err(problem("has no value")),
        Some("") => Err(problem("is empty, which is no path segment")),
        Some("." | "..") => Err(problem("is `.` or `..`, which a URL resolves as a step, not a segment")),
        Some(value) => Ok(value),
    }
}

/// `value` percent-encoded as one path segment: RFC 3986's unreserved characters (letters, digits, `-._~`) stay,
/// every other byte of its UTF-8 is written `%XX` (upper-case hex), `/` and `%` included, so the value can hold
/// anything and still be exactly one segment that decodes back to itself.
pub fn encode_segment(value: &str) -> Cow<'_, str> {
    if value.bytes().all(is_unreserved) {
        return Cow::Borrowed(value);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.extend([
                '%',
                char::from(HEX[usize::from(byte >> 4)]),
                char::from(HEX[usize::from(byte & 0xf)]),
            ]);
        }
    }
    Cow::Owned(out)
}

/// RFC 3986 §2.3: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn each_placeholder_is_filled_with_its_value_as_one_segment() {
        let filled = fill_path(
            "/v1/payment_intents/{id}/cancel/{reasonCode}",
            &params(&[("reasonCode", "dup"), ("id", "pi_3Mt-w.~9")]),
        );
        assert_eq!(filled.as_deref(), Ok("/v1/payment_intents/pi_3Mt-w.~9/cancel/dup"));
    }

    #[test]
    fn slashes_spaces_percent_signs_and_unicode_are_encoded() {
        let cases = [
            ("INV/2024/01", "INV%2F2024%2F01"),
            ("INV 1", "INV%201"),
            ("100%", "100%25"),
            ("%2F", "%252F"),
            ("café", "caf%C3%A9"),
            ("発注", "%E7%99%BA%E6%B3%A8"),
            ("a+b?c#d&e=f", "a%2Bb%3Fc%23d%26e%3Df"),
        ];
        for (value, encoded) in cases {
            let filled = fill_path("/orders/{no}", &params(&[("no", value)]));
            assert_eq!(
                filled.as_deref(),
                Ok(format!("/orders/{encoded}").as_str()),
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_path_without_placeholders_is_borrowed_as_it_is() {
        assert!(matches!(
            fill_path("/v1.0/debit/payment", &[]),
            Ok(Cow::Borrowed("/v1.0/debit/payment"))
        ));
    }

    #[test]
    fn a_value_that_cannot_be_a_segment_is_refused_with_its_name() {
        for (given, problem) in [
            (params(&[]), "has no value"),
            (params(&[("no", "")]), "is empty"),
            (params(&[("no", "..")]), "`.` or `..`"),
        ] {
            match fill_path("/orders/{no}", &given) {
                Err(SignError::PathParam { name, problem: said }) => {
                    assert_eq!(name, "no");
                    assert!(said.contains(problem), "{said}");
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    proptest::proptest! {
        /// Whatever the value, it becomes one segment of unreserved characters and `%XX`, and decoding it gives the
        /// value back.
        #[test]
        fn every_value_is_one_segment_that_decodes_to_itself(value in "\\PC{1,24}") {
            let encoded = encode_segment(&value);
            proptest::prop_assert!(encoded.bytes().all(|b| is_unreserved(b) || b == b'%' || b.is_ascii_hexdigit()));
            proptest::prop_assert_eq!(decode(&encoded), value);
        }
    }

    /// A decoder written for the test only.
    fn decode(segment: &str) -> String {
        let bytes = segment.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&segment[i + 1..i + 3], 16).expect("hex"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }
}
