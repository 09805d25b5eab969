//! The inbound side (SPI): checking a request the provider sends to the merchant — a payment
//! notification — before anything in it is believed, and answering it.
//!
//! [`Verifier::verify`] works on the raw body as received (the signature covers those bytes, minified for SNAP's
//! `{body_sha256}`, as received for DOKU's `{body_digest}`; never a re-serialization) and checks, in order: the headers the provider profile says it signs with,
//! the timestamp against a skew window, the signature with a constant-time comparison, and that the
//! X-EXTERNAL-ID was not seen before from that partner on that day ([`ReplayStore`]). Each failure maps to
//! the SNAP answer the provider expects ([`Rejection::response`]); [`acknowledge`] builds the success
//! answer.

#[cfg(feature = "axum")]
pub mod axum;
mod token;

pub use token::TokenIssuer;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::endpoint::{EndpointInfo, HeaderSource, Provider};
use crate::keys::PublicKey;
use crate::minify::minify;
use crate::retry::Standard;
use crate::secret::{AccessToken, ClientSecret};
use crate::signature::{Algorithm, Part, Sign, SignInput, VerifyingKey};
use crate::validate::{BuildError, FromRaw};
use snapbi_descriptor::Situation;

/// A received body as it came, and minified.
#[derive(Clone, Copy)]
struct Bodies<'b> {
    raw: &'b [u8],
    minified: &'b [u8],
}

/// Remembers which X-EXTERNAL-IDs a partner already used, so a replayed request is refused.
pub trait ReplayStore: Send + Sync {
    /// Records `external_id` for `partner` on `day` (`YYYY-MM-DD`); false when it was already there.
    fn first_use(&self, partner: &str, day: &str, external_id: &str) -> bool;
}

/// The default [`ReplayStore`]: in memory, keeping the current and the previous day (SNAP ids are unique
/// per day, and a request near midnight may carry either date).
#[derive(Default)]
pub struct MemoryReplayStore {
    seen: Mutex<HashMap<String, HashSet<(String, String)>>>,
}

impl ReplayStore for MemoryReplayStore {
    fn first_use(&self, partner: &str, day: &str, external_id: &str) -> bool {
        // A poisoned lock only means another thread panicked mid-insert; the set is still usable.
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.contains_key(day) {
            let mut days: Vec<String> = seen.keys().cloned().collect();
            days.sort();
            for old in days.iter().rev().skip(1) {
                seen.remove(old);
            }
        }
        seen.entry(day.to_owned())
            .or_default()
            .insert((partner.to_owned(), external_id.to_owned()))
    }
}

/// The key that checks the provider's signatures.
#[derive(Clone, Debug)]
pub enum InboundKey {
    /// The shared client secret (HMAC-SHA512).
    Secret(ClientSecret),
    /// The provider's RSA public key (SHA256withRSA).
    PublicKey(PublicKey),
}

/// Why an inbound request was refused. Secrets never appear in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// A header the provider always signs with is missing.
    #[error("missing header {0}")]
    MissingHeader(String),
    /// A header is present but malformed.
    #[error("invalid header {0}")]
    InvalidHeader(String),
    /// The timestamp is outside the accepted window.
    #[error("timestamp outside the accepted window of {0:?}")]
    Stale(Duration),
    /// The signature does not verify (or the token was refused).
    #[error("invalid signature")]
    BadSignature,
    /// The body is not JSON.
    #[error("the body is not JSON: {0}")]
    BadBody(String),
    /// The X-EXTERNAL-ID was already used by this partner today.
    #[error("X-EXTERNAL-ID already used today")]
    Replayed,
    /// The payload breaks the spec of the notification.
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
}

impl Rejection {
    /// The SNAP answer for this rejection, HTTP status and body, for `service_code` (e.g. `56`): the case the
    /// standard answers its situation with (`standard.yaml` `cases`), with the detail in its message.
    pub fn response(&self, service_code: &str, standard: &Standard) -> (u16, String) {
        let (situation, detail) = match self {
            Rejection::MissingHeader(name) => (Situation::MissingField, name.as_str()),
            Rejection::InvalidHeader(name) => (Situation::InvalidField, name.as_str()),
            Rejection::Stale(_) => (Situation::Unauthorized, "Stale Timestamp"),
            Rejection::BadSignature => (Situation::Unauthorized, "Invalid Signature"),
            Rejection::BadBody(_) => (Situation::BadRequest, ""),
            Rejection::Replayed => (Situation::Conflict, ""),
            Rejection::InvalidPayload(path) => (Situation::InvalidField, path.as_str()),
        };
        answer(standard, situation, service_code, detail)
    }
}

/// The merchant's answer in its provider's terms: for a provider answering its own JSON (`results`), the HTTP
/// status alone, which is all it reads (DOKU's non-SNAP notification wants a 2xx, and sends again otherwise);
/// else the SNAP body.
pub fn in_provider_terms(provider: &Provider, (status, body): (u16, String)) -> (u16, String) {
    match provider.results {
        Some(_) => (status, String::new()),
        None => (status, body),
    }
}

/// The success answer to an inbound request: HTTP 200 and the standard's success case (`200<service>00
/// Successful`).
pub fn acknowledge(service_code: &str, standard: &Standard) -> (u16, String) {
    answer(standard, Situation::Successful, service_code, "")
}

/// The answer the standard gives `situation`. Lowered specs name a case for every situation; a hand-made
/// [`Standard`] without one gets a bare HTTP 500 rather than a code nobody declared.
fn answer(standard: &Standard, situation: Situation, service_code: &str, detail: &str) -> (u16, String) {
    match standard.case(situation) {
        Some(case) => (
            case.http,
            snap_body(&case.code_for(service_code), &case.message_with(detail)),
        ),
        None => (500, String::new()),
    }
}

fn snap_body(code: &str, message: &str) -> String {
    serde_json::json!({ "responseCode": code, "responseMessage": message }).to_string()
}

/// A request that passed every check.
pub struct Verified<'a> {
    /// The partner (X-PARTNER-ID) that sent it.
    pub partner: String,
    /// Its X-EXTERNAL-ID.
    pub external_id: String,
    /// The raw body, exactly as received.
    pub body: &'a [u8],
}

impl std::fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("partner", &self.partner)
            .field("external_id", &self.external_id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Verified<'_> {
    /// The body decoded into a generated notification type, with every field rule of the spec checked.
    pub fn payload<T: FromRaw>(&self) -> Result<T, Rejection>
    where
        T::Raw: DeserializeOwned,
    {
        let json: serde_json::Value =
            serde_json::from_slice(self.body).map_err(|e| Rejection::BadBody(e.to_string()))?;
        crate::validate::from_json::<T>(json).map_err(|e: BuildError| {
            Rejection::InvalidPayload(e.violations().first().map(|v| v.path.clone()).unwrap_or_default())
        })
    }
}

/// Checks inbound requests of one endpoint (a notification) against its provider's profile.
#[derive(Clone)]
pub struct Verifier {
    provider: &'static Provider,
    endpoint: &'static EndpointInfo,
    key: InboundKey,
    skew: Duration,
    replay: Arc<dyn ReplayStore>,
    accept_token: Arc<dyn Fn(&AccessToken) -> bool + Send + Sync>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("provider", &self.provider.name)
            .field("endpoint", &self.endpoint.id)
            .field("key", &self.key)
            .field("skew", &self.skew)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `endpoint` (an inbound endpoint of `provider`) with `key`; a 5-minute timestamp
    /// window, an in-memory replay store, and any non-empty Bearer token accepted (see [`Self::accept_token`]).
    pub fn new(provider: &'static Provider, endpoint: &'static EndpointInfo, key: InboundKey) -> Self {
        Verifier {
            provider,
            endpoint,
            key,
            skew: Duration::from_secs(300),
            replay: Arc::new(MemoryReplayStore::default()),
            accept_token: Arc::new(|token: &AccessToken| !token.is_empty()),
        }
    }

    /// The answer to a request refused with `rejection`, as the standard words it for this endpoint's service (a
    /// provider answering its own JSON: the standard's HTTP status alone, [`in_provider_terms`]).
    pub fn reject(&self, rejection: &Rejection) -> (u16, String) {
        let answer = rejection.response(&self.endpoint.service_code, self.provider.standard);
        in_provider_terms(self.provider, answer)
    }

    /// The success answer for this endpoint's service (`200<service>00`; a provider answering its own JSON:
    /// HTTP 200 alone).
    pub fn acknowledge(&self) -> (u16, String) {
        let answer = acknowledge(&self.endpoint.service_code, self.provider.standard);
        in_provider_terms(self.provider, answer)
    }

    /// How far X-TIMESTAMP may be from now, either way.
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Where seen X-EXTERNAL-IDs are kept (a database, for several merchant instances).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = store;
        self
    }

    /// Which Bearer tokens are accepted, for providers that send one (DOKU sends the token it obtained
    /// from the merchant's own token endpoint).
    pub fn accept_token(mut self, check: impl Fn(&AccessToken) -> bool + Send + Sync + 'static) -> Self {
        self.accept_token = Arc::new(check);
        self
    }

    /// Checks a request received at `path` (the path of the merchant's own URL, which is what is signed).
    pub fn verify<'a>(&self, path: &str, headers: &HeaderMap, body: &'a [u8]) -> Result<Verified<'a>, Rejection> {
        self.verify_at(path, headers, body, OffsetDateTime::now_utc())
    }

    /// [`Self::verify`] with an explicit "now", for tests.
    pub fn verify_at<'a>(
        &self,
        path: &str,
        headers: &HeaderMap,
        body: &'a [u8],
        now: OffsetDateTime,
    ) -> Result<Verified<'a>, Rejection> {
        let signed = self.provider.headers_for(self.endpoint.auth);
        // Every value the profile's headers give `source`: one, or several for a name a list header repeats
        // (WooshPay's `v1`); none when no header carries it.
        let values = |source: HeaderSource| -> Result<(Vec<&str>, &str), Rejection> {
            let Some((name, filled)) = signed.iter().find(|(_, s)| s.is(&source)) else {
                return Ok((Vec::new(), ""));
            };
            let value = headers
                .get(*name)
                .ok_or_else(|| Rejection::MissingHeader((*name).to_owned()))?;
            let value = value
                .to_str()
                .map_err(|_| Rejection::InvalidHeader((*name).to_owned()))?;
            // `HMACSHA256=<signature>`, `t=<timestamp>,v1=<signature>`: the template's text must be there, and only
            // what it gives this source is the value.
            let values = template_values(filled, &source, value);
            match values.is_empty() {
                true => Err(Rejection::InvalidHeader((*name).to_owned())),
                false if values.iter().any(|v| v.is_empty()) => Err(Rejection::MissingHeader((*name).to_owned())),
                false => Ok((values, *name)),
            }
        };
        let header = |source: HeaderSource| -> Result<Option<&str>, Rejection> {
            match values(source)? {
                (found, _) if found.len() <= 1 => Ok(found.first().copied()),
                // Two timestamps (or ids) in one header: which one was signed cannot be told.
                (_, name) => Err(Rejection::InvalidHeader(name.to_owned())),
            }
        };
        // Every header the profile lists is mandatory, even those (CHANNEL-ID) the signature does not cover.
        for (name, _) in signed {
            if headers.get(*name).is_none_or(|v| v.is_empty()) {
                return Err(Rejection::MissingHeader((*name).to_owned()));
            }
        }
        let timestamp_text = header(HeaderSource::Timestamp)?.unwrap_or_default();
        let (signatures, _) = values(HeaderSource::Signature)?;
        let partner = header(HeaderSource::ClientId)?.unwrap_or_default().to_owned();
        let external_id = header(HeaderSource::ExternalId)?.unwrap_or_default().to_owned();
        let request_id = header(HeaderSource::RequestId)?.unwrap_or_default();
        let token = match header(HeaderSource::BearerToken)? {
            Some(value) => Some(AccessToken::from_authorization_header(value).ok_or(Rejection::BadSignature)?),
            None => None,
        };
        // In the provider's form: SNAP's ISO 8601, WooshPay's Unix seconds.
        let timestamp = (self.provider.timestamp)
            .parse(timestamp_text)
            .ok_or_else(|| Rejection::InvalidHeader(self.name_of(HeaderSource::Timestamp)))?;
        let offset = (now - timestamp).unsigned_abs();
        if offset > self.skew {
            return Err(Rejection::Stale(self.skew));
        }
        if token.as_ref().is_some_and(|t| !(self.accept_token)(t)) {
            return Err(Rejection::BadSignature);
        }
        let minified = minify(body).map_err(|e| Rejection::BadBody(e.to_string()))?;
        let signed_by = Signed {
            token: token.as_ref(),
            timestamp: timestamp_text,
            client_id: &partner,
            request_id,
        };
        let bodies = Bodies {
            raw: body,
            minified: &minified,
        };
        // Any one of the signatures given verifying is enough (WooshPay: "each signature is prefixed by v1").
        let verified = signatures
            .iter()
            .any(|signature| self.check_signature(path, &signed_by, bodies, signature).is_ok());
        if !verified {
            return Err(Rejection::BadSignature);
        }
        // Only a genuine request may use up an id; a forged one must not block the real one. The day is the
        // timestamp's own date (SNAP's X-TIMESTAMP starts with it).
        let day = timestamp_text.get(..10).unwrap_or_default();
        if !external_id.is_empty() && !self.replay.first_use(&partner, day, &external_id) {
            return Err(Rejection::Replayed);
        }
        Ok(Verified {
            partner,
            external_id,
            body,
        })
    }

    fn check_signature(
        &self,
        path: &str,
        signed: &Signed<'_>,
        bodies: Bodies<'_>,
        signature: &str,
    ) -> Result<(), Rejection> {
        let recipe = self
            .provider
            .signature_for(self.endpoint.auth)
            .ok_or(Rejection::BadSignature)?;
        // SNAP's `{body_sha256}` is over the minified body; DOKU's `{body_digest}` over the bytes as sent (DOKU sends
        // its non-SNAP notifications pretty-printed: a digest of the minified form would not match), and WooshPay's
        // `{body}` is "the actual JSON payload", the bytes as received.
        let minified_body = match recipe.parts.iter().any(|p| matches!(p, Part::BodyDigest | Part::Body)) {
            true => bodies.raw,
            false => bodies.minified,
        };
        let key = match (&self.key, recipe.algorithm) {
            (InboundKey::Secret(secret), Algorithm::HmacSha512 | Algorithm::HmacSha256) => VerifyingKey::Hmac(secret),
            (InboundKey::PublicKey(key), Algorithm::RsaSha256) => VerifyingKey::Rsa(key),
            _ => return Err(Rejection::BadSignature),
        };
        let input = SignInput {
            method: &self.endpoint.method,
            path,
            token: signed.token,
            minified_body,
            timestamp: signed.timestamp,
            client_id: signed.client_id,
            request_id: signed.request_id,
        };
        recipe
            .verify(&input, signature, &key)
            .map_err(|_| Rejection::BadSignature)
    }

    fn name_of(&self, source: HeaderSource) -> String {
        let signed = self.provider.headers_for(self.endpoint.auth);
        signed
            .iter()
            .find(|(_, s)| s.is(&source))
            .map(|(n, _)| (*n).to_owned())
            .unwrap_or_default()
    }
}

/// The signed header values of a received request, as the recipe reads them.
struct Signed<'a> {
    token: Option<&'a AccessToken>,
    timestamp: &'a str,
    client_id: &'a str,
    request_id: &'a str,
}

/// Every value `source` fills in a header made by `filled`: for a list of `name=` elements
/// ([`HeaderSource::elements`], WooshPay's `t=…,v1=…`) each element of its name, as received; else what
/// [`template_value`] reads, if anything.
pub(crate) fn template_values<'v>(filled: &HeaderSource, source: &HeaderSource, value: &'v str) -> Vec<&'v str> {
    match filled.elements() {
        Some(elements) => elements.values(source, value),
        None => template_value(filled, source, value).into_iter().collect(),
    }
}

/// What `source` fills of a header value made by `filled`: for a template (`"HMACSHA256={signature}"`,
/// `"t={timestamp},v1={signature}"`) the text its place holds once the template's own text is taken off, `None` when
/// that text is not there; else the whole value.
///
/// A template is read from the left: its text must come first, each source's value runs up to the first place the
/// text after it appears (to the end of the value when that text ends the template), and the value must end where
/// the template does.
pub(crate) fn template_value<'v>(filled: &HeaderSource, source: &HeaderSource, value: &'v str) -> Option<&'v str> {
    let HeaderSource::Template(pieces) = filled else {
        return Some(value);
    };
    let mut rest = value;
    let mut found = None;
    for (at, piece) in pieces.iter().enumerate() {
        if let HeaderSource::Value(text) = piece {
            rest = rest.strip_prefix(text.as_ref())?;
            continue;
        }
        let taken = match pieces.get(at + 1) {
            // The template's last text ends the value: the source holds everything before it.
            Some(HeaderSource::Value(last)) if at + 2 == pieces.len() => rest.strip_suffix(last.as_ref())?,
            Some(HeaderSource::Value(next)) => &rest[..rest.find(next.as_ref())?],
            _ => rest,
        };
        if piece == source {
            found = Some(taken);
        }
        rest = &rest[taken.len()..];
    }
    found.filter(|_| rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_store_refuses_a_second_use_and_forgets_old_days() {
        let store = MemoryReplayStore::default();
        assert!(store.first_use("p", "2024-07-10", "1"));
        assert!(!store.first_use("p", "2024-07-10", "1"));
        assert!(store.first_use("q", "2024-07-10", "1"), "ids are per partner");
        assert!(store.first_use("p", "2024-07-11", "1"), "and per day");
        assert!(store.first_use("p", "2024-07-12", "2"));
        let days = store.seen.lock().map(|s| s.len()).unwrap_or_default();
        assert!(days <= 2, "only the current and previous day are kept");
    }

    /// The cases the tests answer with, as `standard.yaml` gives them.
    fn standard() -> Standard {
        let case = |situation, http, case: &'static str, message: &'static str| {
            (
                situation,
                snapbi_descriptor::Case {
                    http,
                    case: case.into(),
                    message: message.into(),
                },
            )
        };
        Standard {
            cases: vec![
                case(Situation::Successful, 200, "00", "Successful"),
                case(Situation::MissingField, 400, "02", "Invalid Mandatory Field {field}"),
                case(Situation::Unauthorized, 401, "00", "Unauthorized. {reason}"),
                case(Situation::Conflict, 409, "00", "Conflict"),
            ]
            .into(),
            ..Standard::default()
        }
    }

    #[test]
    fn rejections_answer_with_the_standard_s_cases() {
        let standard = standard();
        let missing = Rejection::MissingHeader("X-TIMESTAMP".into()).response("56", &standard);
        assert_eq!(missing.0, 400);
        assert!(missing.1.contains("4005602") && missing.1.contains("Invalid Mandatory Field X-TIMESTAMP"));
        let unsigned = Rejection::BadSignature.response("56", &standard).1;
        assert!(unsigned.contains("4015600") && unsigned.contains("Unauthorized. Invalid Signature"));
        assert!(Rejection::Replayed.response("56", &standard).1.contains("4095600"));
        assert_eq!(
            acknowledge("56", &standard),
            (
                200,
                r#"{"responseCode":"2005600","responseMessage":"Successful"}"#.to_owned()
            )
        );
        // A situation the data gives no case for gets no made-up code.
        assert_eq!(
            Rejection::InvalidPayload("a".into()).response("56", &standard),
            (500, String::new())
        );
    }

    #[test]
    fn a_template_with_two_sources_gives_each_its_place() {
        let wooshpay = HeaderSource::Template(
            vec![
                HeaderSource::value("t="),
                HeaderSource::Timestamp,
                HeaderSource::value(",v1="),
                HeaderSource::Signature,
            ]
            .into(),
        );
        let value = "t=1492774577,v1=6fdfb9c3";
        assert_eq!(
            template_value(&wooshpay, &HeaderSource::Timestamp, value),
            Some("1492774577")
        );
        assert_eq!(
            template_value(&wooshpay, &HeaderSource::Signature, value),
            Some("6fdfb9c3")
        );
        assert_eq!(template_value(&wooshpay, &HeaderSource::ClientId, value), None);
        // The template's text must be there, in its order.
        for bad in ["v1=6fdfb9c3,t=1492774577", "t=1492774577", "1492774577,v1=6fdfb9c3"] {
            assert_eq!(
                template_value(&wooshpay, &HeaderSource::Signature, bad),
                None,
                "{bad:?}"
            );
        }
        // Read as the list of elements it is: other elements passed over, a repeated name giving each value.
        let received = "t=1492774577,v1=aa,v0=zz,v1=bb";
        assert_eq!(
            template_values(&wooshpay, &HeaderSource::Signature, received),
            ["aa", "bb"]
        );
        assert_eq!(
            template_values(&wooshpay, &HeaderSource::Timestamp, received),
            ["1492774577"]
        );
        // Text that ends a template ends the value.
        let doku = HeaderSource::Template(vec![HeaderSource::value("HMACSHA256="), HeaderSource::Signature].into());
        assert_eq!(
            template_value(&doku, &HeaderSource::Signature, "HMACSHA256=abc="),
            Some("abc=")
        );
        let braced = HeaderSource::Template(
            vec![
                HeaderSource::value("["),
                HeaderSource::Signature,
                HeaderSource::value("]"),
            ]
            .into(),
        );
        assert_eq!(template_value(&braced, &HeaderSource::Signature, "[a]b]"), Some("a]b"));
        assert_eq!(template_value(&braced, &HeaderSource::Signature, "[ab"), None);
    }
}
