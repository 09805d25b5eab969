//! Words the specs, the generator and the runtime share, defined once: what a response code means for the
//! caller, how an endpoint is authenticated, and which algorithm signs it.

use std::fmt;

/// What a response code means for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The operation succeeded.
    Success,
    /// Still processing (`202xx00`): ask the status endpoint, do not repeat the call with new references.
    Pending,
    /// A final failure: the request was refused.
    Failed,
    /// Transient: the provider failed or throttled; the same request may be retried.
    Retry,
    /// Credentials, token or signature problem.
    Auth,
}

impl Outcome {
    /// Every outcome with its spec spelling.
    pub const ALL: [(&'static str, Outcome); 5] = [
        ("success", Outcome::Success),
        ("pending", Outcome::Pending),
        ("failed", Outcome::Failed),
        ("retry", Outcome::Retry),
        ("auth", Outcome::Auth),
    ];

    /// Lower-case name, as in the specs.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Pending => "pending",
            Outcome::Failed => "failed",
            Outcome::Retry => "retry",
            Outcome::Auth => "auth",
        }
    }

    /// Parses the spec spelling.
    pub fn parse(s: &str) -> Option<Outcome> {
        Self::ALL.iter().find(|(name, _)| *name == s).map(|(_, o)| *o)
    }

    /// A best guess from the HTTP status alone, for codes no table knows.
    pub fn from_http_status(status: u16) -> Outcome {
        match status {
            202 => Outcome::Pending,
            200..=299 => Outcome::Success,
            401 => Outcome::Auth,
            429 | 500..=599 => Outcome::Retry,
            _ => Outcome::Failed,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an endpoint is authenticated and signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuthKind {
    /// The access-token call: RSA over `clientId|timestamp`.
    Token,
    /// HMAC-SHA512 over the request, with the B2B token.
    Symmetric,
    /// RSA over the request, without a token.
    Asymmetric,
    /// Not signed: the credential travels in a header as it is (a Stripe-style secret key as the HTTP Basic user
    /// name, WooshPay's).
    Unsigned,
}

impl AuthKind {
    /// Every kind with its spec spelling.
    pub const ALL: [(&'static str, AuthKind); 4] = [
        ("token", AuthKind::Token),
        ("symmetric", AuthKind::Symmetric),
        ("asymmetric", AuthKind::Asymmetric),
        ("unsigned", AuthKind::Unsigned),
    ];

    /// Lower-case name, as in the specs.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::Token => "token",
            AuthKind::Symmetric => "symmetric",
            AuthKind::Asymmetric => "asymmetric",
            AuthKind::Unsigned => "unsigned",
        }
    }

    /// Parses the spec spelling.
    pub fn parse(s: &str) -> Option<AuthKind> {
        Self::ALL.iter().find(|(name, _)| *name == s).map(|(_, k)| *k)
    }
}

/// A signing algorithm of a signature recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA512 keyed with the client secret (SNAP "symmetric").
    HmacSha512,
    /// HMAC-SHA256 keyed with the client secret (DOKU's non-SNAP `Signature: HMACSHA256=…`).
    HmacSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, i.e. SHA256withRSA (SNAP "asymmetric").
    RsaSha256,
}

impl Algorithm {
    /// Every algorithm with its spec spelling.
    pub const ALL: [(&'static str, Algorithm); 3] = [
        ("hmac-sha512", Algorithm::HmacSha512),
        ("hmac-sha256", Algorithm::HmacSha256),
        ("rsa-sha256", Algorithm::RsaSha256),
    ];

    /// The spec spelling (`hmac-sha512`).
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, a)| *a == self).map_or("", |(name, _)| *name)
    }

    /// Parses the spec spelling.
    pub fn parse(s: &str) -> Option<Algorithm> {
        Self::ALL.iter().find(|(name, _)| *name == s).map(|(_, a)| *a)
    }

    /// Whether the algorithm is keyed with the client secret (HMAC) rather than an RSA key.
    pub fn uses_secret(self) -> bool {
        matches!(self, Algorithm::HmacSha512 | Algorithm::HmacSha256)
    }
}
