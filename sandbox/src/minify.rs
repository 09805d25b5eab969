//! The minified body whose SHA-256 SNAP signs (snap-standard §2.4): the whitespace between JSON tokens goes, and
//! every other byte stays exactly as received (key order, string contents and escapes, number spellings), since a
//! re-serialization would change what the client hashed.
//!
//! The sandbox's own, not the runtime's `minify`: a minification bug shared by the client's signer and the
//! sandbox's verifier would cancel out (ARCHITECTURE.md, decision 5). It is simple on purpose: serde_json decides
//! whether the bytes are JSON, so all that is left is knowing whether a byte sits inside a string.

use std::borrow::Cow;

/// `raw` minified, or `None` when it is not one JSON value (or JSON nested deeper than serde_json reads). A blank
/// body minifies to the empty body, which SNAP hashes as `""`.
pub fn minify(raw: &[u8]) -> Option<Cow<'_, [u8]>> {
    if !is_blank(raw) {
        serde_json::from_str::<serde::de::IgnoredAny>(std::str::from_utf8(raw).ok()?).ok()?;
    }
    Some(strip(raw))
}

/// Whether `raw` holds only JSON whitespace (or nothing): the absent body.
pub(crate) fn is_blank(raw: &[u8]) -> bool {
    raw.iter().all(|b| is_space(*b))
}

/// `raw`, already known to be JSON, without the whitespace outside its strings. Borrowed when there is none, which
/// is the case for every compact body (serde_json's, the runtime's).
pub(crate) fn strip(raw: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut string = Strings::default();
    for (i, &b) in raw.iter().enumerate() {
        let keep = string.step(b) || !is_space(b);
        match (&mut out, keep) {
            (Some(out), true) => out.push(b),
            (None, false) => out = Some(raw[..i].to_vec()),
            _ => {}
        }
    }
    out.map_or(Cow::Borrowed(raw), Cow::Owned)
}

/// JSON's four whitespace bytes (RFC 8259 §2).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where a scan is with respect to strings: inside one, and right after a backslash in one.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Moves past `b`; true when `b` belongs to a string (its quotes included), so it is kept whatever it is.
    fn step(&mut self, b: u8) -> bool {
        let was_inside = self.inside;
        match (self.inside, self.escaped, b) {
            (true, true, _) => self.escaped = false,
            (true, false, b'\\') => self.escaped = true,
            (true, false, b'"') | (false, _, b'"') => self.inside = !self.inside,
            _ => {}
        }
        was_inside || self.inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(text: &str) -> String {
        let out = minify(text.as_bytes()).unwrap_or_else(|| panic!("{text:?} is JSON"));
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn whitespace_between_tokens_goes_and_nothing_else_changes() {
        let pretty = "{\r\n  \"a\" : [ 1.0 ,\n\t1e5, -0 ],\n  \"b\" : { \"c\" : null , \"d\" : true }\n}\n";
        assert_eq!(min(pretty), r#"{"a":[1.0,1e5,-0],"b":{"c":null,"d":true}}"#);
        let strings = r#"{ "z" : "  Jōkul  Døe 日本 ", "e": "caf\u00e9 \"q\" a\/b \\", "k": " " }"#;
        assert_eq!(
            min(strings),
            r#"{"z":"  Jōkul  Døe 日本 ","e":"caf\u00e9 \"q\" a\/b \\","k":" "}"#
        );
        assert_eq!(min(" \"x\" "), "\"x\"");
        assert_eq!(min(""), "");
        assert_eq!(min(" \n\t\r "), "");
    }

    #[test]
    fn compact_bodies_are_borrowed() {
        let body = br#"{"a":"  x ","b":[1,2.0]}"#;
        assert!(matches!(minify(body), Some(Cow::Borrowed(b)) if b == body));
        assert!(matches!(minify(b"{\"a\": 1}"), Some(Cow::Owned(_))));
    }

    #[test]
    fn what_is_not_json_has_no_minified_form() {
        for bad in [
            &b"{\"a\": "[..],
            b"not json",
            b"{\"a\":1} x",
            b"{\"a\":\"\xff\"}",
            b"\x0c{}",
        ] {
            assert!(minify(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
