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

#[cfg(test)]
mod tests {
    use super::*;

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
