//! Where a value the caller does not write comes from: a header, or a member of an envelope's head.

use crate::{List, Text};

/// Where a runtime-filled header's (or envelope head member's) value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderSource {
    /// The configured client id (X-PARTNER-ID, X-CLIENT-KEY).
    ClientId,
    /// A fresh id, unique per call (X-EXTERNAL-ID).
    ExternalId,
    /// The configured CHANNEL-ID, else the provider's default.
    ChannelId,
    /// The X-TIMESTAMP of this call.
    Timestamp,
    /// The signature of this call.
    Signature,
    /// `Bearer <token>`.
    BearerToken,
    /// The endpoint's operation name in its envelope (DANA Open API `function`; envelope heads only).
    Function,
    /// The configured client secret (envelope heads only: DANA's Open API sends it in the signed head).
    ClientSecret,
    /// A fresh id per request (DOKU's `Request-Id`, at most 128 characters; a UUID v4), signed as `{request_id}`.
    RequestId,
    /// A constant.
    Value(Text),
    /// Text around one source, e.g. `"HMACSHA256={signature}"`: the pieces in order, each a [`HeaderSource::Value`]
    /// (the text) or the one keyword source. Lowering lets through exactly one keyword piece and no nesting.
    Template(List<HeaderSource>),
}

impl HeaderSource {
    /// A `'static` constant (what generated statics hold).
    pub const fn value(text: &'static str) -> HeaderSource {
        HeaderSource::Value(std::borrow::Cow::Borrowed(text))
    }

    /// The source keywords a spec may use for a header.
    pub const KEYWORDS: [(&'static str, HeaderSource); 7] = [
        ("client_id", HeaderSource::ClientId),
        ("external_id", HeaderSource::ExternalId),
        ("channel_id", HeaderSource::ChannelId),
        ("timestamp", HeaderSource::Timestamp),
        ("signature", HeaderSource::Signature),
        ("bearer_token", HeaderSource::BearerToken),
        ("request_id", HeaderSource::RequestId),
    ];

    /// The source that fills this value: a template's keyword piece, else the source itself.
    pub fn filled_by(&self) -> &HeaderSource {
        match self {
            HeaderSource::Template(pieces) => pieces
                .iter()
                .find(|piece| !matches!(piece, HeaderSource::Value(_)))
                .unwrap_or(self),
            source => source,
        }
    }

    /// Whether this value is filled by `source`, directly or inside a template.
    pub fn is(&self, source: &HeaderSource) -> bool {
        self.filled_by() == source
    }

    /// The further keywords an envelope's head may use.
    pub const HEAD_KEYWORDS: [(&'static str, HeaderSource); 2] = [
        ("function", HeaderSource::Function),
        ("client_secret", HeaderSource::ClientSecret),
    ];
}
