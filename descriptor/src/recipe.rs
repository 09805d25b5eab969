//! Signature recipes: which parts make the string to sign, and the algorithm applied to it.

use crate::{Algorithm, List, Text};

/// A signature scheme as data: the parts concatenated, in order and without implicit separators, into the
/// string to sign, and the algorithm applied to it. Signatures are standard (padded) base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// Algorithm applied to the string to sign.
    pub algorithm: Algorithm,
    /// The parts of the string to sign.
    pub parts: List<Part>,
}

/// One piece of a string to sign (a `{placeholder}` of the spec's template, or the text between them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Fixed text, typically a separator such as `:` or `|`.
    Literal(Text),
    /// `{method}`: the upper-case HTTP method, e.g. `POST`.
    Method,
    /// `{path}`: the relative endpoint path as requested, e.g. `/v1.0/transfer-va/create-va`.
    Path,
    /// `{token}`: the bare access token (no `Bearer ` prefix).
    Token,
    /// `{body_sha256}`: lower-case hex SHA-256 of the minified body.
    BodySha256,
    /// `{timestamp}`: the exact X-TIMESTAMP value.
    Timestamp,
    /// `{client_id}`: the client id (X-CLIENT-KEY / X-PARTNER-ID).
    ClientId,
    /// `{body}`: the signed bytes themselves, verbatim (an envelope's request member, exactly as sent).
    Body,
}

impl Part {
    /// Fixed `'static` text (what generated statics hold).
    pub const fn literal(text: &'static str) -> Part {
        Part::Literal(std::borrow::Cow::Borrowed(text))
    }

    /// Every placeholder with its spelling in a spec's template.
    pub const PLACEHOLDERS: [(&'static str, Part); 7] = [
        ("method", Part::Method),
        ("path", Part::Path),
        ("token", Part::Token),
        ("body_sha256", Part::BodySha256),
        ("timestamp", Part::Timestamp),
        ("client_id", Part::ClientId),
        ("body", Part::Body),
    ];
}
