//! Wrappers that keep credentials out of logs: their `Debug` is redacted and they have no
//! `Display`, so a secret only leaves the wrapper through an explicit `expose()` call.
//!
//! They deliberately do not implement `PartialEq`: comparing secrets with `==` is not
//! constant-time, and signature checks compare MACs instead (see `signature`).

use std::fmt;

macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Returns the secret itself; every call site is a place where it can leak, so keep
            /// the result short-lived and never log it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Whether the value is empty, e.g. because an environment variable was unset.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_string! {
    /// The client secret issued at registration; the key of the symmetric HMAC-SHA512
    /// signature (SNAP standard §2.2).
    ClientSecret
}

secret_string! {
    /// A bare B2B access token (no `Bearer ` prefix), as returned by the access-token call and
    /// used both in the `Authorization` header and in the symmetric string to sign.
    AccessToken
}

impl AccessToken {
    /// Extracts the bare token from an `Authorization` header value such as `Bearer abc`.
    ///
    /// The scheme is matched case-insensitively (RFC 9110 §11.1). Returns `None` for any other
    /// scheme or an empty token, so an inbound request without a usable token is rejected
    /// instead of being verified against an empty string.
    pub fn from_authorization_header(value: &str) -> Option<Self> {
        let value = value.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim_start();
        if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() {
            Some(Self::from(token))
        } else {
            None
        }
    }
}

/// A raw body as text for logs: invalid UTF-8 is shown lossily, and the value of every member named in `keys`
/// is replaced by `"<redacted>"`, at any depth. A generated endpoint's keys are its fields marked `sensitive`
/// and the standard's credential members (`credential_members` of `standard.yaml`: `accessToken`, …). It works on the text, so a body that
/// is not valid JSON (truncated, an HTML error page) is shown as received and still redacted.
pub fn redacted_text(raw: &[u8], keys: &[&str]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let from_quote = &rest[start..];
        let string_end = string_len(from_quote);
        // The member name without its quotes; an unclosed string (a body cut short) has no closing quote, and its
        // last character may be several bytes long.
        let quoted = &from_quote[1..string_end];
        let name = quoted.strip_suffix('"').unwrap_or(quoted);
        let after = &from_quote[string_end..];
        let gap = after.len() - after.trim_start().len();
        let is_secret_member = after[gap..].starts_with(':') && keys.contains(&name);
        out.push_str(&from_quote[..string_end]);
        rest = after;
        if is_secret_member {
            let colon = &after[gap + 1..];
            let ws = colon.len() - colon.trim_start().len();
            out.push_str(&after[..gap + 1 + ws]);
            let value = &colon[ws..];
            out.push_str("\"<redacted>\"");
            rest = &value[value_len(value)..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of the JSON string at the start of `text` (which starts with `"`), quotes included; the
/// rest of the text when it is not closed.
fn string_len(text: &str) -> usize {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The length of the JSON value at the start of `text`: a string, an object or array (balanced, strings
/// skipped), or a bare token up to the next `,`, `}`, `]` or whitespace.
fn value_len(text: &str) -> usize {
    if text.starts_with('"') {
        return string_len(text);
    }
    if text.starts_with(['{', '[']) {
        let mut depth = 0usize;
        let mut i = 0;
        while i < text.len() {
            match text.as_bytes()[i] {
                b'"' => {
                    i += string_len(&text[i..]);
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        return text.len();
    }
    text.find([',', '}', ']', ' ', '\n', '\r', '\t']).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_cut_inside_a_character_is_shown_not_panicked_on() {
        assert_eq!(super::redacted_text("{\"é".as_bytes(), &["accessToken"]), "{\"é");
        assert_eq!(super::redacted_text(b"\"", &["accessToken"]), "\"");
        assert_eq!(
            super::redacted_text("{\"accessToken\":\"é".as_bytes(), &["accessToken"]),
            "{\"accessToken\":\"<redacted>\""
        );
    }

    use super::*;

    #[test]
    fn redacted_text_hides_secret_members_at_any_depth_and_keeps_the_rest() {
        let raw = br#"{"responseCode":"4017300","accessToken":"tok-\"abc","nested":{"value" : "ott-1","n":[{"value":{"a":"}"}}]},"note":"value","refreshToken":12}"#;
        let shown = redacted_text(raw, &["value", "accessToken", "refreshToken"]);
        assert_eq!(
            shown,
            r#"{"responseCode":"4017300","accessToken":"<redacted>","nested":{"value" : "<redacted>","n":[{"value":"<redacted>"}]},"note":"value","refreshToken":"<redacted>"}"#
        );
        for secret in ["tok-", "ott-1", "12"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        // Not JSON, not UTF-8, cut short: shown lossily, still redacted.
        let cut = b"<html>\xff oops \"accessToken\": \"tok-zz";
        assert_eq!(
            redacted_text(cut, &["accessToken"]),
            "<html>\u{fffd} oops \"accessToken\": \"<redacted>\""
        );
    }

    #[test]
    fn debug_is_redacted() {
        let secret = ClientSecret::from("s3cr3t-value");
        let token = AccessToken::from(String::from("tok-abc123"));
        assert_eq!(format!("{secret:?}"), "ClientSecret(<redacted>)");
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        assert_eq!(
            format!("{:#?}", Some(&secret)),
            "Some(\n    ClientSecret(<redacted>),\n)"
        );
        assert!(!format!("{secret:?}{token:?}").contains("s3cr3t"));
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(ClientSecret::from("abc").expose(), "abc");
        assert!(ClientSecret::from("").is_empty());
        assert!(!AccessToken::from("x").is_empty());
    }

    #[test]
    fn bearer_header_parsing() {
        let t = AccessToken::from_authorization_header("Bearer abc.def");
        assert_eq!(t.as_ref().map(AccessToken::expose), Some("abc.def"));
        let t = AccessToken::from_authorization_header("bearer   xyz ");
        assert_eq!(t.as_ref().map(AccessToken::expose), Some("xyz"));
        assert!(AccessToken::from_authorization_header("Bearer ").is_none());
        assert!(AccessToken::from_authorization_header("Basic abc").is_none());
        assert!(AccessToken::from_authorization_header("abc").is_none());
    }
}
