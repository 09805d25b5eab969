//! Parameters: an endpoint's path parameters, the headers its provider's profile fills for its auth kind, and its
//! own caller headers, each with the limits snapbi holds it to. A header that carries a credential (a B2B token,
//! a secret key, a signature) is a security scheme instead (`security`), so it is not listed here; OpenAPI ignores
//! an `Authorization` parameter anyway.
//!
//! The same sources fill an envelope's head members (DANA's `clientId`, `reqTime`…), so `source` also serves
//! `envelope`.

use serde_json::{Map, Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::{Endpoint, Field, HeaderSource, Provider, TimestampForm};

use crate::schema::{self, description};

/// The parameters of `e`: path parameters, then (unless the endpoint is framed in an envelope, whose head carries
/// them) the profile's headers in profile order, then the endpoint's own headers in spec order.
pub(crate) fn parameters(api: &Api, provider: &Provider, e: &Endpoint) -> Vec<Value> {
    let mut out: Vec<Value> = e.params.iter().map(|f| parameter(api, f, "path")).collect();
    if e.info.envelope.is_some() {
        return out;
    }
    for (name, source) in provider.headers_for(e.info.auth) {
        if credential(source).is_none() {
            let required = !provider.optional_headers.contains(name);
            let limit = provider.header_limit(&api.standard, source);
            let mut schema = self::source(provider, source, limit);
            let mut parameter = json!({ "name": name, "in": "header", "required": required });
            if let Some(doc) = schema.remove("description") {
                parameter["description"] = doc;
            }
            parameter["schema"] = Value::Object(schema);
            out.push(parameter);
        }
    }
    out.extend(e.headers.iter().map(|f| parameter(api, f, "header")));
    out
}

/// A field as a parameter `in` the path or a header: its schema, doc and whether it must be given (a path
/// parameter always must).
fn parameter(api: &Api, f: &Field, place: &str) -> Value {
    let mut schema = match schema::field(api, f) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    schema.remove("description");
    let mut parameter = json!({ "name": f.wire, "in": place, "required": f.required || place == "path" });
    if let Some(doc) = description(f) {
        parameter["description"] = doc.into();
    }
    parameter["schema"] = Value::Object(schema);
    parameter
}

/// The kinds of credential a header can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    /// `Bearer <B2B access token>`.
    Bearer,
    /// HTTP Basic with the client secret as the user name.
    Basic,
    /// The request's signature, alone or inside a template (`HMACSHA256={signature}`).
    Signature,
}

/// The credential a header filled by `source` carries, if any.
pub(crate) fn credential(source: &HeaderSource) -> Option<Credential> {
    match source {
        HeaderSource::BearerToken => Some(Credential::Bearer),
        HeaderSource::BasicSecret => Some(Credential::Basic),
        s if s.is(&HeaderSource::Signature) => Some(Credential::Signature),
        _ => None,
    }
}

/// The schema of a value filled by `source` (a header or an envelope's head member), at most `limit` characters
/// long, with a `description` saying where the value comes from (and the same as data: `x-snapbi-source`, the
/// spec's keyword, and for a timestamp `x-snapbi-timestamp`, its form).
pub(crate) fn source(provider: &Provider, source: &HeaderSource, limit: Option<u32>) -> Map<String, Value> {
    let mut schema = match source {
        HeaderSource::Timestamp => timestamp(provider),
        HeaderSource::Value(value) => json!({ "type": "string", "const": value }),
        HeaderSource::Template(pieces) => json!({ "type": "string", "pattern": template_pattern(pieces) }),
        HeaderSource::ChannelId => match &provider.channel_id {
            // The provider's default CHANNEL-ID, from its profile.
            Some(channel) => json!({ "type": "string", "examples": [channel] }),
            None => json!({ "type": "string" }),
        },
        _ => json!({ "type": "string" }),
    };
    if let Some(max) = limit {
        schema["maxLength"] = max.into();
    }
    schema["description"] = meaning(provider, source).into();
    // Where the value comes from, for a tool that fills it (openapi/check's signer): the spec's keyword, and for a
    // timestamp its form.
    if !matches!(source, HeaderSource::Value(_) | HeaderSource::Template(_)) {
        schema["x-snapbi-source"] = keyword_of(source).into();
    }
    if let HeaderSource::Timestamp = source {
        schema["x-snapbi-timestamp"] = json!({
            "form": provider.timestamp_form.as_str(),
            "offset": provider.timestamp_offset,
            "fraction_digits": provider.timestamp_fraction_digits,
        });
    }
    match schema {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// What a value filled by `source` is, in words.
fn meaning(provider: &Provider, source: &HeaderSource) -> String {
    match source {
        HeaderSource::ClientId => "The client id the provider issued to the merchant.".into(),
        HeaderSource::ExternalId => "A fresh id for every call, unique within the day.".into(),
        HeaderSource::ChannelId => match &provider.channel_id {
            Some(channel) => format!("The channel id; `{channel}` unless the merchant was given another."),
            None => "The channel id the provider gave the merchant.".into(),
        },
        HeaderSource::Timestamp => match provider.timestamp_form {
            TimestampForm::Iso8601 => format!(
                "The time of the call: ISO 8601 with offset `{}` and {} fraction digits.",
                provider.timestamp_offset, provider.timestamp_fraction_digits
            ),
            TimestampForm::UnixSeconds => "The time of the call, in seconds since the Unix epoch.".into(),
        },
        HeaderSource::Signature => "The request's signature.".into(),
        HeaderSource::BearerToken => "`Bearer <B2B access token>`.".into(),
        HeaderSource::Function => "The operation's name in the envelope (the endpoint's `function`).".into(),
        HeaderSource::ClientSecret => "The client secret the provider issued to the merchant.".into(),
        HeaderSource::RequestId => "A fresh id for every request (snapbi's client sends a UUID v4).".into(),
        HeaderSource::BasicSecret => "HTTP Basic: the client secret as the user name, an empty password.".into(),
        HeaderSource::Value(value) => format!("Always `{value}`."),
        HeaderSource::Template(_) => format!("Written `{}`.", template(source)),
    }
}

/// The timestamp in the provider's form: ISO 8601 with its offset and fraction digits (an RFC 3339 date-time), or
/// Unix seconds.
fn timestamp(provider: &Provider) -> Value {
    match provider.timestamp_form {
        TimestampForm::UnixSeconds => json!({ "type": "string", "pattern": "^[0-9]+$" }),
        TimestampForm::Iso8601 => {
            let fraction = match provider.timestamp_fraction_digits {
                0 => String::new(),
                n => format!("\\.[0-9]{{{n}}}"),
            };
            let offset = escape(&provider.timestamp_offset);
            let pattern = format!("^{}{fraction}{offset}$", schema::DATE_AND_TIME);
            json!({ "type": "string", "format": "date-time", "pattern": pattern })
        }
    }
}

/// A template's text as the spec writes it: `HMACSHA256={signature}`, `t={timestamp},v1={signature}`.
pub(crate) fn template(source: &HeaderSource) -> String {
    let pieces: &[HeaderSource] = match source {
        HeaderSource::Template(pieces) => pieces,
        one => std::slice::from_ref(one),
    };
    pieces
        .iter()
        .map(|piece| match piece {
            HeaderSource::Value(text) => text.to_string(),
            keyword => format!("{{{}}}", keyword_of(keyword)),
        })
        .collect()
}

/// The spec keyword of a source (`timestamp`, `signature`, `function`…).
fn keyword_of(source: &HeaderSource) -> &'static str {
    HeaderSource::KEYWORDS
        .iter()
        .chain(&HeaderSource::HEAD_KEYWORDS)
        .find(|(_, s)| s == source)
        .map_or("value", |(name, _)| *name)
}

/// A pattern for a template's values: its text as it is, each source a non-empty value.
fn template_pattern(pieces: &[HeaderSource]) -> String {
    let inner: String = pieces
        .iter()
        .map(|piece| match piece {
            HeaderSource::Value(text) => escape(text),
            _ => ".+".to_owned(),
        })
        .collect();
    format!("^{inner}$")
}

/// `text` matched literally in a pattern (ECMA-262 and Rust regex alike).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // ECMA-262's syntax characters: escaping any other is an error in its Unicode mode.
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
