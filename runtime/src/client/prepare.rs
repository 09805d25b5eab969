//! A request made ready to send: its path with the parameters filled in and the body's exact bytes, signed now,
//! with the headers the provider profile names (or framed in the provider's envelope), and the caller's headers
//! after them.

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

use super::idempotency::CallIds;
use super::{Client, Outgoing};
use crate::endpoint::{AuthKind, EndpointInfo, Enveloped, HeaderSource};
use crate::envelope::{Envelope, Framing};
use crate::path::fill_path;
use crate::secret::AccessToken;
use crate::signature::{SignError, SignInput};

/// A signed request, ready to send. `Debug` redacts the header values, which carry the signature and token.
///
/// Header names and values that the client's configuration or the caller already hold (client id,
/// CHANNEL-ID, the caller's headers) are borrowed for `'a`, so preparing a request copies none of them.
pub struct Prepared<'a> {
    /// HTTP method.
    pub method: &'static str,
    /// Full URL.
    pub url: String,
    /// Headers in sending order (Content-Type when there is a body, the profile's, then the caller's).
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The body: exactly the bytes that were hashed and signed; empty for a bodiless endpoint (a `GET`).
    pub body: Vec<u8>,
}

impl Prepared<'_> {
    /// The same request owning all its headers, to keep beyond the client or the caller's headers.
    pub fn into_owned(self) -> Prepared<'static> {
        Prepared {
            method: self.method,
            url: self.url,
            headers: self
                .headers
                .into_iter()
                .map(|(name, value)| (Cow::Owned(name.into_owned()), Cow::Owned(value.into_owned())))
                .collect(),
            body: self.body,
        }
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_ref()).collect();
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

type Header<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The values made once per request for the profile's headers.
struct Stamps {
    timestamp: String,
    signature: String,
    external_id: String,
    /// The call's request id when the profile sends a `request_id` header (DOKU's non-SNAP `Request-Id`), else empty.
    request_id: String,
}

impl Client {
    /// Everything that would be sent for `endpoint` with this body (from [`body_bytes`](super::body_bytes)),
    /// signed now: a dry run, and the first half of every call. `token` is the bare B2B token for endpoints
    /// whose headers carry one; `extra` are the caller's headers (see [`header_pairs`](crate::header_pairs)).
    ///
    /// # Errors
    ///
    /// A credential the signature needs is not configured, or the profile has no recipe (or no envelope) for
    /// the endpoint.
    pub fn prepare<'a>(
        &'a self,
        endpoint: &'static EndpointInfo,
        body: Vec<u8>,
        token: Option<&AccessToken>,
        extra: &'a [(String, String)],
    ) -> Result<Prepared<'a>, SignError> {
        self.prepare_at(endpoint, &[], body, token, extra)
    }

    /// [`Self::prepare`] for an endpoint whose path has parameters: `params` (name, value) fill its `{name}`
    /// placeholders ([`fill_path`]; see [`param_pairs`](crate::param_pairs)), and the path so filled is the one
    /// requested and signed. An empty `body` is a bodiless request (a `GET`): no Content-Type is sent.
    ///
    /// # Errors
    ///
    /// As [`Self::prepare`], and a placeholder without a usable value ([`SignError::PathParam`]).
    pub fn prepare_at<'a>(
        &'a self,
        endpoint: &'static EndpointInfo,
        params: &[(String, String)],
        body: Vec<u8>,
        token: Option<&AccessToken>,
        extra: &'a [(String, String)],
    ) -> Result<Prepared<'a>, SignError> {
        let outgoing = Outgoing {
            path: fill_path(&endpoint.path, params)?,
            body,
        };
        // One clock read serves both the X-TIMESTAMP and the X-EXTERNAL-ID: a read costs 20 to 50 ns on the
        // project's virtual machine, more than building a header.
        let now = SystemTime::now();
        self.prepare_with_id(endpoint, outgoing, token, extra, self.call_ids_at(endpoint, now), now)
    }

    /// [`Self::prepare`] with the call's ids (every request of a call keeps its X-EXTERNAL-ID and request id) and
    /// the instant of X-TIMESTAMP.
    pub(super) fn prepare_with_id<'a>(
        &'a self,
        endpoint: &'static EndpointInfo,
        outgoing: Outgoing,
        token: Option<&AccessToken>,
        extra: &'a [(String, String)],
        ids: CallIds,
        now: SystemTime,
    ) -> Result<Prepared<'a>, SignError> {
        let Outgoing { path, body } = outgoing;
        let CallIds {
            external_id,
            request_id,
        } = ids;
        if let Some(enveloped) = &endpoint.envelope {
            return self.prepare_enveloped(endpoint, enveloped, &body, extra, &external_id, now);
        }
        let timestamp = self.inner.provider.timestamp.at(now);
        let input = SignInput {
            method: &endpoint.method,
            path: &path,
            token,
            minified_body: &body,
            timestamp: &timestamp,
            request_id: &request_id,
            ..SignInput::default()
        };
        // An unsigned call (WooshPay's, authenticated by HTTP Basic) has no signature header to fill.
        let signed = self.inner.provider.headers_for(endpoint.auth);
        let signature = match signed.iter().any(|(_, source)| source.is(&HeaderSource::Signature)) {
            true => self.sign(endpoint, input)?,
            false => String::new(),
        };
        let stamps = Stamps {
            timestamp,
            signature,
            external_id,
            request_id,
        };
        let mut headers = self.profile_headers(endpoint.auth, token, stamps, extra.len(), !body.is_empty())?;
        headers.extend(
            extra
                .iter()
                .map(|(name, value)| (Cow::Borrowed(name.as_str()), Cow::Borrowed(value.as_str()))),
        );
        Ok(Prepared {
            method: &endpoint.method,
            url: concat(&[&self.inner.base_url, &path]),
            headers,
            body,
        })
    }

    /// Content-Type (when the request has a body: a `GET` has none) and the headers the profile names for `auth`,
    /// with room for `more`.
    fn profile_headers<'a>(
        &'a self,
        auth: AuthKind,
        token: Option<&AccessToken>,
        stamps: Stamps,
        more: usize,
        has_body: bool,
    ) -> Result<Vec<Header<'a>>, SignError> {
        let profile = self.inner.provider.headers_for(auth);
        let mut timestamp = Handout::new(stamps.timestamp, profile, HeaderSource::Timestamp);
        let mut signature = Handout::new(stamps.signature, profile, HeaderSource::Signature);
        let mut external_id = Handout::new(stamps.external_id, profile, HeaderSource::ExternalId);
        let mut request_id = Handout::new(stamps.request_id, profile, HeaderSource::RequestId);
        // `Basic <base64 of "<secret>:">`, made only for a profile that sends it.
        let basic = match profile.iter().any(|(_, source)| source.is(&HeaderSource::BasicSecret)) {
            true => Some(self.basic_credential()?),
            false => None,
        };
        let mut headers = Vec::with_capacity(1 + profile.len() + more);
        if has_body {
            headers.push(content_type());
        }
        for (name, source) in profile {
            let mut value_of = |source: &'a HeaderSource| -> Option<Cow<'a, str>> {
                Some(match source {
                    HeaderSource::ClientId => Cow::Borrowed(&self.inner.config.client_id),
                    HeaderSource::ExternalId => external_id.next().into(),
                    HeaderSource::RequestId => request_id.next().into(),
                    HeaderSource::ChannelId => self.channel_id(),
                    HeaderSource::Timestamp => timestamp.next().into(),
                    HeaderSource::Signature => signature.next().into(),
                    HeaderSource::BearerToken => {
                        concat(&["Bearer ", token.map(AccessToken::expose).unwrap_or_default()]).into()
                    }
                    HeaderSource::Value(v) => Cow::Borrowed(v.as_ref()),
                    HeaderSource::BasicSecret => basic.clone()?.into(),
                    // Envelope heads only (the lowering keeps them out of HTTP headers): never put the secret
                    // there. A template inside a template is refused by the lowering too.
                    HeaderSource::Function | HeaderSource::ClientSecret | HeaderSource::Template(_) => return None,
                })
            };
            let value = match source {
                // `"HMACSHA256={signature}"`: the pieces joined, the text as written and the one source filled.
                HeaderSource::Template(pieces) => {
                    let filled: Option<Vec<Cow<'a, str>>> = pieces.iter().map(&mut value_of).collect();
                    filled.map(|pieces| Cow::Owned(pieces.concat()))
                }
                source => value_of(source),
            };
            if let Some(value) = value {
                headers.push((Cow::Borrowed(*name), value));
            }
        }
        Ok(headers)
    }

    /// HTTP Basic with the client secret as the user name and an empty password (a Stripe-style secret key):
    /// `Basic ` and the standard base64 of `<secret>:`.
    fn basic_credential(&self) -> Result<String, SignError> {
        use base64::Engine as _;
        let secret = self.inner.config.client_secret.as_ref();
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or(SignError::MissingCredential("client secret"))?;
        let user_and_password = concat(&[secret.expose(), ":"]);
        Ok(concat(&[
            "Basic ",
            &base64::engine::general_purpose::STANDARD.encode(user_and_password),
        ]))
    }

    /// An enveloped request: the head filled from the envelope's sources (then the caller's head values), the
    /// request member serialized once and signed byte for byte, and framed with its signature.
    fn prepare_enveloped(
        &self,
        endpoint: &'static EndpointInfo,
        enveloped: &'static Enveloped,
        body: &[u8],
        extra: &[(String, String)],
        external_id: &str,
        now: SystemTime,
    ) -> Result<Prepared<'static>, SignError> {
        let envelope = self.envelope(enveloped)?;
        let timestamp = self.inner.provider.timestamp.at(now);
        let head = self.envelope_head(envelope, &enveloped.function, external_id, &timestamp)?;
        let callers = extra.iter().map(|(name, value)| (name.as_str(), value.as_str()));
        let member = envelope.request_member(head.iter().map(|(n, v)| (*n, v.as_ref())).chain(callers), body);
        // The envelope's recipe signs the member; its path is fixed (the lowering keeps `params` out of envelopes).
        let input = SignInput {
            method: &endpoint.method,
            path: &endpoint.path,
            minified_body: &member,
            timestamp: &timestamp,
            ..SignInput::default()
        };
        let signature = self.sign_with(&envelope.signature, input)?;
        Ok(Prepared {
            method: &endpoint.method,
            url: concat(&[&self.inner.base_url, &endpoint.path]),
            headers: vec![content_type()],
            body: envelope.frame(&member, &signature),
        })
    }

    /// The provider's envelope that `enveloped` names.
    pub(super) fn envelope(&self, enveloped: &'static Enveloped) -> Result<&'static Envelope, SignError> {
        let name: &'static str = &enveloped.envelope;
        self.inner.provider.envelope(name).ok_or(SignError::NoEnvelope(name))
    }

    /// The head values `envelope` names, in its order; `function` is the operation's name.
    fn envelope_head<'h>(
        &'h self,
        envelope: &'static Envelope,
        function: &'h str,
        external_id: &'h str,
        timestamp: &'h str,
    ) -> Result<Vec<(&'static str, Cow<'h, str>)>, SignError> {
        let config = &self.inner.config;
        let mut head = Vec::with_capacity(envelope.head.len());
        for (name, source) in envelope.head.iter() {
            let value = match source {
                HeaderSource::ClientId => Cow::Borrowed(config.client_id.as_str()),
                HeaderSource::ExternalId => Cow::Borrowed(external_id),
                HeaderSource::ChannelId => self.channel_id(),
                HeaderSource::Timestamp => Cow::Borrowed(timestamp),
                HeaderSource::Function => Cow::Borrowed(function),
                HeaderSource::ClientSecret => match &config.client_secret {
                    Some(secret) => Cow::Borrowed(secret.expose()),
                    None => return Err(SignError::MissingCredential("client secret")),
                },
                HeaderSource::Value(v) => Cow::Borrowed(v.as_ref()),
                // The lowering keeps these out of a head: the signature is its own member, no B2B token is sent
                // in one, and request ids, HTTP Basic and templates are for HTTP headers.
                HeaderSource::Signature
                | HeaderSource::BearerToken
                | HeaderSource::RequestId
                | HeaderSource::BasicSecret
                | HeaderSource::Template(_) => continue,
            };
            head.push((name.as_ref(), value));
        }
        Ok(head)
    }

    /// The configured CHANNEL-ID, else the provider's default, else empty.
    fn channel_id(&self) -> Cow<'_, str> {
        match (&self.inner.config.channel_id, self.inner.provider.channel_id) {
            (Some(configured), _) => Cow::Borrowed(configured.as_str()),
            (None, Some(default)) => Cow::Borrowed(default),
            (None, None) => Cow::Borrowed(""),
        }
    }
}

fn content_type<'a>() -> Header<'a> {
    (Cow::Borrowed("Content-Type"), Cow::Borrowed("application/json"))
}

/// A value made once per request (timestamp, signature, X-EXTERNAL-ID) for the headers that carry it: moved
/// into the last such header and copied into any before it, so the usual single use costs no copy.
struct Handout {
    value: Option<String>,
    left: usize,
}

impl Handout {
    fn new(value: String, headers: &[(&str, HeaderSource)], wanted: HeaderSource) -> Self {
        let left = headers.iter().filter(|(_, source)| source.is(&wanted)).count();
        Handout {
            value: Some(value),
            left,
        }
    }

    fn next(&mut self) -> String {
        self.left = self.left.saturating_sub(1);
        let value = if self.left == 0 {
            self.value.take()
        } else {
            self.value.clone()
        };
        value.unwrap_or_default()
    }
}

/// `parts` joined, allocated once at its final size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}
