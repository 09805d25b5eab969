//! Signature recipes: which parts make the string to sign, and the algorithm applied to it.

use crate::{Algorithm, List, Text};

/// A signature scheme as data: the parts concatenated, in order and without implicit separators, into the
/// string to sign, the algorithm applied to it, and how the signature's bytes are written ([`Encoding`]: standard
/// padded base64 unless the provider writes hex, as WooshPay's webhooks do).
///
/// The parts between [`Part::IfBody`] and the next [`Part::EndIf`] are left out when the request has no body
/// (DOKU's non-SNAP GET requests sign without their `Digest:` line). Lowering only lets through templates where
/// each `{if_body}` is closed by an `{end_if}` before the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// Algorithm applied to the string to sign.
    pub algorithm: Algorithm,
    /// The parts of the string to sign.
    pub parts: List<Part>,
    /// How the signature's bytes are written in the header.
    pub encoding: Encoding,
}

/// How a signature's bytes are written as text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Standard base64 with padding (SNAP's `X-SIGNATURE`, DOKU's `HMACSHA256=…`).
    #[default]
    Base64,
    /// Lower-case hexadecimal (WooshPay's `v1=…` of `Wooshpay-Signature`); upper-case is read too.
    Hex,
}

impl Encoding {
    /// Every encoding with its spelling in a spec's recipe (`encoding: hex`).
    pub const ALL: [(&'static str, Encoding); 2] = [("base64", Encoding::Base64), ("hex", Encoding::Hex)];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
        }
    }
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
    /// `{request_id}`: the value of this request's `request_id` header (DOKU's `Request-Id`).
    RequestId,
    /// `{body_digest}`: standard base64 of the SHA-256 of the exact body bytes sent (DOKU's `Digest`).
    BodyDigest,
    /// `{if_body}`: what follows, up to [`Part::EndIf`], is signed only when the request has a body.
    IfBody,
    /// `{end_if}`: closes [`Part::IfBody`].
    EndIf,
}

impl Part {
    /// Fixed `'static` text (what generated statics hold).
    pub const fn literal(text: &'static str) -> Part {
        Part::Literal(std::borrow::Cow::Borrowed(text))
    }

    /// Every placeholder with its spelling in a spec's template.
    pub const PLACEHOLDERS: [(&'static str, Part); 11] = [
        ("method", Part::Method),
        ("path", Part::Path),
        ("token", Part::Token),
        ("body_sha256", Part::BodySha256),
        ("timestamp", Part::Timestamp),
        ("client_id", Part::ClientId),
        ("body", Part::Body),
        ("request_id", Part::RequestId),
        ("body_digest", Part::BodyDigest),
        ("if_body", Part::IfBody),
        ("end_if", Part::EndIf),
    ];
}

/// How a provider signs its answers to one auth kind's calls (`answer_signatures:` of a provider file): the
/// headers the answer carries, each with where its value comes from, and the recipe over them. DOKU's non-SNAP
/// answers carry `Client-Id` and `Request-Id` (the request's), `Response-Timestamp` and
/// `Signature: HMACSHA256=…` over the request's lines with `Response-Timestamp` in place of `Request-Timestamp`
/// and the answer's body as the `Digest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAnswer {
    /// Header name → source: `client_id` and `request_id` are the request's, `timestamp` the answer's own time,
    /// `signature` (or a template around it) the signature.
    pub headers: List<(Text, crate::HeaderSource)>,
    /// The recipe: `{path}` is the request's path, `{timestamp}` the answer's, the body the answer's.
    pub recipe: Recipe,
}
