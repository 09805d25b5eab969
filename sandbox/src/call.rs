//! One SNAP call, checked in the standard's order before anything is committed: route, mandatory headers,
//! header formats, timestamp window, client, B2B token, body size, signature, body JSON, field rules (the path
//! parameters' first, then the body's).
//!
//! Each step either passes what the next steps need or stops with the standard's answer for the
//! endpoint's service code, by situation (a missing field, an invalid token, …), the case each situation is
//! answered with coming from `common/standard.yaml`: `400xx02 Invalid Mandatory Field X-TIMESTAMP`, `400xx01 Invalid
//! Field Format X-TIMESTAMP`, `401xx00 Unauthorized. Invalid Timestamp`, `401xx03 Token Not Found (B2B)`,
//! `401xx01 Invalid Token (B2B)`, `401xx00 Unauthorized. Invalid Signature`, `400xx00 Bad Request`,
//! `400xx01 Invalid Field Format {field}`, `400xx02 Invalid Mandatory Field {field}` with the shipped data.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::response::Response;
use base64::Engine as _;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use smallvec::SmallVec;
use snapbi_rules::Problem;
use snapbi_runtime::secret::AccessToken;
use snapbi_runtime::timestamp::SnapTimestamp;
use snapbi_runtime::validate::{Violation, ViolationKind};
use snapbi_spec::ir::{Endpoint, HeaderSource, Provider, Situation, TimestampForm};
use std::time::Instant;
use time::OffsetDateTime;

use crate::answer::{Answer, Clock, Fill};
use crate::credentials::Client;
use crate::journal::{self, Answered, Check, Trail};
use crate::operations;
use crate::sandbox::{Inner, Served};
use crate::scenarios::SCENARIO_HEADER;
use crate::signature_diagnosis::SignatureDiagnosis;
use crate::tokens::TokenKind;
use crate::{Sandbox, signing, validate};

/// The fallback handler: every request that is not an admin endpoint is a SNAP call.
pub(crate) async fn handle(State(sandbox): State<Sandbox>, request: Request) -> Response {
    let inner = &sandbox.inner;
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let mut answered = Answered {
        endpoint: None,
        started,
        trail: Trail::default(),
    };
    let Some((served, params)) = route(inner, &parts) else {
        let response = unrouted(inner, &parts);
        return journal::record(inner, answered, parts, response).await;
    };
    let endpoint = inner.endpoint(served);
    let Some(provider) = inner.api.provider(&endpoint.info.provider) else {
        let response = unrouted(inner, &parts);
        return journal::record(inner, answered, parts, response).await;
    };
    answered.endpoint = Some(served.index);
    let clock = inner.clock(&provider.name);
    if endpoint.info.envelope.is_some() {
        answered.trail = Trail::enveloped();
        let response = crate::enveloped::handle(inner, endpoint, clock, &parts, body, &mut answered.trail).await;
        return journal::record(inner, answered, parts, response).await;
    }
    let call = Call {
        inner,
        served,
        endpoint,
        provider,
        clock,
        parts: &parts,
        params: &params,
    };
    answered.trail = Trail::traced();
    let response = match call.admit(body, &mut answered.trail).await {
        Ok(admitted) => {
            answered.trail.at(Check::Operation);
            operations::process(inner, &call, admitted).await
        }
        Err(answer) => answer.into_response(clock),
    };
    let response = crate::signed_answers::sign(inner, endpoint, provider, clock, &parts, response).await;
    journal::record(inner, answered, parts, response).await
}

/// The served endpoint for this method and path (the path alone: a query is signed but not routed), with the raw
/// values of its path's placeholders.
fn route<'a>(inner: &'a Inner, parts: &'a Parts) -> Option<(&'a Served, Params<'a>)> {
    inner
        .routes
        .at(parts.uri.path())
        .map(|matched| (&inner.served[matched.served], matched.params))
        .find(|(served, _)| inner.endpoint(served).info.method == parts.method.as_str())
}

/// The path parameters of a call as received: (name, segment still percent-encoded).
type Params<'a> = Vec<(&'a str, &'a str)>;

/// The function-not-supported answer (`405xx00`) for a known path with another method, the invalid-routing one
/// (`4040002`) for an unknown path, under the standard data's `unrouted_service_code`.
fn unrouted(inner: &Inner, parts: &Parts) -> Response {
    let same_path = inner.routes.at(parts.uri.path()).next();
    let (answer, clock) = match same_path.map(|matched| inner.endpoint(&inner.served[matched.served])) {
        Some(endpoint) => (
            Answer::to(
                &inner.api,
                &endpoint.refusal_service_code,
                Situation::FunctionNotSupported,
                Fill::default(),
            )
            .because(format!("{} answers {} only", endpoint.info.path, endpoint.info.method)),
            inner.clock(&endpoint.info.provider),
        ),
        None => (
            Answer::to(
                &inner.api,
                &inner.api.standard.unrouted_service_code,
                Situation::InvalidRouting,
                Fill::default(),
            )
            .because(format!("no endpoint is served at {}", parts.uri.path())),
            inner.clock(inner.clocks.keys().next().map_or("", String::as_str)),
        ),
    };
    answer.into_response(clock)
}

/// A call being checked.
pub(crate) struct Call<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) served: &'a Served,
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) provider: &'a Provider,
    pub(crate) clock: &'a Clock,
    pub(crate) parts: &'a Parts,
    /// The path parameters as received (percent-encoded), by the route's placeholders.
    pub(crate) params: &'a [(&'a str, &'a str)],
}

/// What a call that passed every check carries into the business step.
pub(crate) struct Admitted<'a> {
    pub(crate) client: &'a Client,
    /// A code forced with X-Sandbox-Scenario.
    pub(crate) scenario: Option<String>,
    /// X-EXTERNAL-ID, when the provider's header set has one.
    pub(crate) external_id: Option<&'a str>,
    /// The body as JSON, with the path parameters beside its top-level fields.
    pub(crate) body: Value,
}

/// A request body as received, and minified (SNAP hashes the minified form, DOKU's `Digest` the bytes received).
struct Received<'b> {
    raw: &'b [u8],
    minified: &'b [u8],
}

/// The sources a header value is filled by, each with the part of `value` it fills: for a template
/// (`"HMACSHA256={signature}"`, `"t={timestamp},v1={signature}"`) what each source's place holds once the template's
/// text is taken off, `None` when that text is missing. A source's value runs up to the first place the text after it
/// appears; the template's last text must end the value.
///
/// A template that is a list of `name=` elements (WooshPay's `t={timestamp},v1={signature}`) is read as a list: every
/// element of a name the template gives (a repeated name once per element), the others passed over; each name must be
/// there.
fn unwrap_template<'s, 'v>(source: &'s HeaderSource, value: &'v str) -> Option<Filled<'s, 'v>> {
    if let Some(elements) = source.elements() {
        let filled: Filled<'s, 'v> = elements
            .named
            .iter()
            .flat_map(|&(_, source)| elements.values(source, value).into_iter().map(move |v| (source, v)))
            .collect();
        let complete = elements.named.iter().all(|(_, s)| filled.iter().any(|(f, _)| f == s));
        return complete.then_some(filled);
    }
    let HeaderSource::Template(pieces) = source else {
        return Some(smallvec::smallvec![(source, value)]);
    };
    let mut rest = value;
    let mut filled = Filled::new();
    for (at, piece) in pieces.iter().enumerate() {
        match (piece, pieces.get(at + 1)) {
            (HeaderSource::Value(text), _) => rest = rest.strip_prefix(text.as_ref())?,
            (keyword, next) => {
                let end = match next {
                    None => rest.len(),
                    Some(HeaderSource::Value(last)) if at + 2 == pieces.len() => {
                        rest.strip_suffix(last.as_ref())?.len()
                    }
                    Some(HeaderSource::Value(text)) => rest.find(text.as_ref())?,
                    // The lowering puts text between any two sources.
                    Some(_) => return None,
                };
                filled.push((keyword, &rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some(filled)
}

/// The values a header fills, each with its source: one for most headers, on the stack since every header of every
/// call is read through [`unwrap_template`].
type Filled<'s, 'v> = SmallVec<[(&'s HeaderSource, &'v str); 2]>;

/// How a template header is written, for a refusal: `HMACSHA256={signature}`.
fn template_text(source: &HeaderSource) -> String {
    let HeaderSource::Template(pieces) = source else {
        return String::new();
    };
    let keyword = |piece: &HeaderSource| {
        HeaderSource::KEYWORDS
            .iter()
            .find(|(_, known)| known == piece)
            .map_or("source", |(name, _)| *name)
    };
    pieces
        .iter()
        .map(|piece| match piece {
            HeaderSource::Value(text) => text.to_string(),
            piece => format!("{{{}}}", keyword(piece)),
        })
        .collect()
}

/// The runtime-filled headers, as received.
#[derive(Default)]
struct Presented<'a> {
    client_id: Option<&'a str>,
    timestamp: Option<&'a str>,
    /// The instant `timestamp` names, read once.
    sent_at: Option<OffsetDateTime>,
    /// Every signature given (a list header may repeat its signature's name: any one verifying is enough); one for
    /// most providers, kept on the stack.
    signatures: SmallVec<[&'a str; 2]>,
    external_id: Option<&'a str>,
    request_id: Option<&'a str>,
    authorization: Option<&'a str>,
    /// The HTTP Basic credential, `Basic <base64>`.
    basic: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// The answer to `situation` for this endpoint's service code: the case the endpoint's `cases` give it, else
    /// the standard's.
    pub(crate) fn answer(&self, situation: Situation, fill: Fill<'_>) -> Answer {
        match self.provider.results {
            Some(_) => Answer::own(&self.provider.refusals, situation, fill),
            None => self.snap(&self.endpoint.info.service_code, situation, fill),
        }
    }

    /// The SNAP answer to `situation` under `service`, in the case the endpoint answers it with.
    fn snap(&self, service: &str, situation: Situation, fill: Fill<'_>) -> Answer {
        let api = &self.inner.api;
        match self.endpoint.cases.iter().find(|(s, _)| *s == situation) {
            Some((_, case)) => Answer::snap(api, service, case.http, &case.case, fill),
            None => Answer::to(api, service, situation, fill),
        }
    }

    /// The answer `{http}{service}{case}` for this endpoint's service code, for a case the specs give outside the
    /// standard's situations (a record kind's not-found case).
    pub(crate) fn answer_case(&self, http: u16, case: &str, fill: Fill<'_>) -> Answer {
        Answer::snap(&self.inner.api, &self.endpoint.info.service_code, http, case, fill)
    }

    /// A refusal before the call is served (a header, the signature, a body field), under the service code
    /// the provider refuses this endpoint with (DANA's consult pay: `00`).
    fn refuse(&self, situation: Situation, fill: Fill<'_>) -> Answer {
        match self.provider.results {
            Some(_) => Answer::own(&self.provider.refusals, situation, fill),
            None => self.snap(&self.endpoint.refusal_service_code, situation, fill),
        }
    }

    /// A header's text: None when absent or blank, Err when it is not visible ASCII.
    fn header(&self, name: &str) -> Option<Result<&'a str, ()>> {
        let value = self.parts.headers.get(name)?;
        match value.to_str() {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(Ok(text.trim())),
            Err(_) => Some(Err(())),
        }
    }

    fn runtime_headers(&self) -> &'a [(String, HeaderSource)] {
        self.provider.headers_for(self.endpoint.info.auth)
    }

    /// The checks in order; `trail` follows them for the journal (which step refused, the client, the body).
    async fn admit(&self, body: Body, trail: &mut Trail) -> Result<Admitted<'a>, Answer> {
        trail.at(Check::Scenario);
        let scenario = self.scenario()?;
        let caller = validate::headers(&self.inner.api, &self.endpoint.headers, &self.parts.headers);
        trail.at(Check::MandatoryHeaders);
        self.mandatory(&caller)?;
        trail.at(Check::HeaderFormats);
        let presented = self.formats(&caller)?;
        trail.client = presented.client_id.map(str::to_owned);
        trail.at(Check::TimestampWindow);
        self.timestamp_window(&presented)?;
        trail.at(Check::Client);
        let client = self.client(&presented)?;
        if trail.client.as_ref() != Some(&client.id) {
            trail.client = Some(client.id.clone());
        }
        trail.at(Check::Token);
        let token = self.token(&presented, client)?;
        trail.at(Check::BodySize);
        let raw = self.read(body).await?;
        trail.body = Some(raw.clone());
        // Parsed before the signature is checked, so a body that is not JSON is refused as such (400) and the
        // minified form is only ever taken of JSON.
        trail.at(Check::BodyJson);
        let parsed = self.parse(&raw)?;
        let body = Received {
            raw: &raw,
            minified: &crate::minify::strip(&raw),
        };
        trail.at(Check::Signature);
        self.signature(&presented, client, token.as_ref(), &body, trail)?;
        trail.at(Check::BodyPresent);
        let body = self.json(parsed)?;
        trail.at(Check::PathParameters);
        let params = self.params()?;
        trail.at(Check::FieldRules);
        self.fields(&body)?;
        let body = with_params(body, params);
        Ok(Admitted {
            client,
            scenario,
            external_id: presented.external_id,
            body,
        })
    }

    /// `X-Sandbox-Scenario`, which must name a code this endpoint declares.
    fn scenario(&self) -> Result<Option<String>, Answer> {
        let Some(value) = self.header(SCENARIO_HEADER) else {
            return Ok(None);
        };
        let code = value.unwrap_or_default();
        if self.endpoint.codes.iter().any(|c| c.code == code) {
            return Ok(Some(code.to_owned()));
        }
        let declared: Vec<&str> = self.endpoint.codes.iter().map(|c| c.code.as_str()).collect();
        let reason = format!(
            "X-Sandbox-Scenario {code:?} is not a code {} declares; declared: {}",
            self.endpoint.info.id,
            declared.join(", ")
        );
        Err(self.refuse(Situation::BadRequest, Fill::default()).explained(&reason))
    }

    /// Every runtime header of the provider's set (the token is checked later, as a token; the provider's
    /// `optional_headers` may be left out) and every required caller header must be present.
    fn mandatory(&self, caller: &[Violation]) -> Result<(), Answer> {
        // Credentials are checked as such: a missing token or HTTP Basic is a refused client, not a missing field.
        let missing_runtime = self
            .runtime_headers()
            .iter()
            .filter(|(_, source)| !matches!(source, HeaderSource::BearerToken | HeaderSource::BasicSecret))
            .filter(|(name, _)| !self.provider.optional_headers.contains(name))
            .map(|(name, _)| name.as_str())
            .find(|name| self.header(name).is_none());
        let missing_caller = caller
            .iter()
            .find(|v| v.kind == ViolationKind::Missing)
            .map(|v| v.path.as_str());
        match missing_runtime.or(missing_caller) {
            Some(name) => Err(self
                .refuse(Situation::MissingField, Fill::header(name))
                .because(format!("header {name} is missing"))),
            None => Ok(()),
        }
    }

    /// Header formats: readable text, a parseable X-TIMESTAMP, the lengths of `header_max_length` (the
    /// provider's, else the standard's in `standard.yaml`: the specs name only where a header's value comes
    /// from), constant values, and the caller headers' spec rules.
    fn formats(&self, caller: &[Violation]) -> Result<Presented<'a>, Answer> {
        let invalid = |name: &str, why: String| self.refuse(Situation::InvalidField, Fill::header(name)).because(why);
        let mut presented = Presented::default();
        for (name, source) in self.runtime_headers() {
            let value = match self.header(name) {
                None => continue,
                Some(Err(())) => return Err(invalid(name, format!("header {name} is not visible ASCII"))),
                Some(Ok(value)) => value,
            };
            if let Some(max) = self.provider.header_limit(&self.inner.api.standard, source)
                && let Err(problem) = snapbi_rules::check_length(value, None, Some(max))
            {
                return Err(invalid(name, format!("header {name} {problem}")));
            }
            // `HMACSHA256=<signature>`: the template's text must be there; what it surrounds is checked as its source.
            let Some(filled) = unwrap_template(source, value) else {
                return Err(invalid(
                    name,
                    format!("header {name} must be written {}", template_text(source)),
                ));
            };
            for (source, value) in filled {
                self.present(&mut presented, source, value)
                    .map_err(|why| invalid(name, format!("header {name}{why}")))?;
            }
        }
        match caller.iter().find(|v| v.kind != ViolationKind::Missing) {
            Some(v) => Err(invalid(&v.path, format!("header {v}"))),
            None => Ok(presented),
        }
    }

    /// Takes `value`, received for `source`, into `presented`; what is wrong with it otherwise (said after the
    /// header's name).
    fn present(&self, presented: &mut Presented<'a>, source: &HeaderSource, value: &'a str) -> Result<(), String> {
        match source {
            HeaderSource::Timestamp if presented.timestamp.is_some() => return Err(" gives two timestamps".into()),
            HeaderSource::Timestamp => {
                presented.sent_at = Some(received_time(self.provider, value)?);
                presented.timestamp = Some(value);
            }
            HeaderSource::Value(expected) if value != expected => return Err(format!(" must be {expected:?}")),
            HeaderSource::ClientId => presented.client_id = Some(value),
            HeaderSource::ExternalId => presented.external_id = Some(value),
            HeaderSource::RequestId => presented.request_id = Some(value),
            HeaderSource::Signature => presented.signatures.push(value),
            HeaderSource::BearerToken => presented.authorization = Some(value),
            HeaderSource::BasicSecret => presented.basic = Some(value),
            HeaderSource::ChannelId | HeaderSource::Value(_) => {}
            // Envelope heads only, and templates do not nest: the lowering keeps them out.
            HeaderSource::Function | HeaderSource::ClientSecret | HeaderSource::Template(_) => {}
        }
        Ok(())
    }

    /// X-TIMESTAMP within the configured window of the sandbox's clock.
    fn timestamp_window(&self, presented: &Presented<'_>) -> Result<(), Answer> {
        let Some(sent) = presented.sent_at else {
            return Ok(());
        };
        let skew = (OffsetDateTime::now_utc() - sent).unsigned_abs();
        let window = self.inner.options.timestamp_window;
        if skew <= window {
            return Ok(());
        }
        Err(self
            .refuse(Situation::Unauthorized, Fill::reason("Invalid Timestamp"))
            .because(format!(
                "X-TIMESTAMP is {}s away from the sandbox's clock; at most {}s allowed",
                skew.as_secs(),
                window.as_secs()
            )))
    }

    /// The calling client, named by the provider's client-id header (X-PARTNER-ID, X-CLIENT-KEY), or by the
    /// secret key of its HTTP Basic credential (WooshPay's).
    fn client(&self, presented: &Presented<'_>) -> Result<&'a Client, Answer> {
        let clients = &self.inner.clients;
        let sends_basic = self
            .runtime_headers()
            .iter()
            .any(|(_, s)| s.is(&HeaderSource::BasicSecret));
        let found = match (presented.client_id, sends_basic) {
            (_, true) => presented.basic.and_then(basic_user).and_then(|user| {
                // Compared in constant time, as a MAC would be: the user name is the secret itself.
                clients.values().find(|c| same_secret(c.secret.expose(), &user))
            }),
            (Some(id), false) => clients.get(id),
            // A provider whose header set names no client: only unambiguous with one client.
            (None, false) if clients.len() == 1 => clients.values().next(),
            (None, false) => None,
        };
        found.ok_or_else(|| {
            self.refuse(Situation::Unauthorized, Fill::reason("Unknown Client"))
                .because("the client id is not one of the sandbox's clients")
        })
    }

    /// The B2B token of calls whose header set carries `Authorization: Bearer <token>`.
    fn token(&self, presented: &Presented<'_>, client: &Client) -> Result<Option<AccessToken>, Answer> {
        let carries_token = self
            .runtime_headers()
            .iter()
            .any(|(_, source)| *source == HeaderSource::BearerToken);
        if !carries_token {
            return Ok(None);
        }
        let Some(header) = presented.authorization else {
            return Err(self
                .refuse(Situation::TokenNotFound, Fill::default())
                .because("no B2B token: send Authorization: Bearer <accessToken>"));
        };
        let invalid = |why: &str| self.refuse(Situation::InvalidToken, Fill::default()).because(why);
        let token = AccessToken::from_authorization_header(header)
            .ok_or_else(|| invalid("Authorization must be `Bearer <accessToken>`"))?;
        self.inner
            .tokens
            .check(token.expose(), &client.id, TokenKind::B2b)
            .map_err(|problem| invalid(problem.describe()))?;
        Ok(Some(token))
    }

    /// The body, at most the configured size.
    async fn read(&self, body: Body) -> Result<Bytes, Answer> {
        let limit = self.inner.options.body_limit;
        crate::body::whole(body, limit).await.ok_or_else(|| {
            self.refuse(Situation::BadRequest, Fill::default())
                .because(format!("the body is larger than {limit} bytes (or was cut off)"))
        })
    }

    /// X-SIGNATURE against the provider's recipe for this endpoint's auth kind.
    fn signature(
        &self,
        presented: &Presented<'_>,
        client: &Client,
        token: Option<&AccessToken>,
        body: &Received<'_>,
        trail: &mut Trail,
    ) -> Result<(), Answer> {
        let invalid = |why: &str| {
            self.refuse(Situation::Unauthorized, Fill::reason("Invalid Signature"))
                .because(why)
        };
        if presented.signatures.is_empty() {
            // A provider whose header set carries no signature has nothing to check.
            return Ok(());
        }
        let Some(recipe) = self.provider.signature_for(self.endpoint.info.auth) else {
            return Err(invalid("the provider has no signature recipe for this endpoint"));
        };
        let path = self.parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let input = signing::Message {
            method: self.parts.method.as_str(),
            path,
            token: token.map(AccessToken::expose),
            minified_body: body.minified,
            timestamp: presented.timestamp.unwrap_or_default(),
            client_id: presented.client_id.unwrap_or(&client.id),
            raw_body: body.raw,
            request_id: presented.request_id.unwrap_or_default(),
        };
        let verifier = client.verifier(recipe.algorithm);
        match (presented.signatures.iter()).any(|signature| signing::verify(recipe, &input, signature, verifier)) {
            true => Ok(()),
            false => {
                // What the sandbox expected, for the journal: only refused calls pay for it.
                let secret = client.secret.expose();
                let expected = SignatureDiagnosis::of(recipe, &input, secret, &presented.signatures);
                trail.signature = Some(Box::new(expected));
                Err(invalid(&format!(
                    "X-SIGNATURE does not match the {} recipe over {} {path}",
                    self.endpoint.info.auth.as_str(),
                    input.method
                )))
            }
        }
    }

    /// The body as JSON, `None` for no body (blank).
    fn parse(&self, raw: &[u8]) -> Result<Option<Value>, Answer> {
        if crate::minify::is_blank(raw) {
            return Ok(None);
        }
        crate::json::from_slice(raw).map(Some).map_err(|e| {
            self.refuse(Situation::BadRequest, Fill::default())
                .because(format!("the body is not JSON: {e}"))
        })
    }

    /// The body to check and act on: no body is `{}` for an endpoint without request fields.
    fn json(&self, parsed: Option<Value>) -> Result<Value, Answer> {
        match parsed {
            Some(body) => Ok(body),
            None if self.endpoint.request.is_empty() => Ok(Value::Object(Default::default())),
            None => Err(self
                .refuse(Situation::BadRequest, Fill::default())
                .because("the body is empty; this endpoint takes a JSON object")),
        }
    }

    /// The path parameters, decoded from their segments and checked by their params' rules like body fields.
    fn params(&self) -> Result<Value, Answer> {
        let mut decoded = Map::new();
        for &(name, raw) in self.params {
            let value = percent_decode_str(raw).decode_utf8().map_err(|_| {
                self.refuse(Situation::InvalidField, Fill::field(name))
                    .because(format!("path parameter {name} is not percent-encoded UTF-8"))
            })?;
            decoded.insert(name.to_owned(), Value::String(value.into_owned()));
        }
        let decoded = Value::Object(decoded);
        self.refuse_any(
            &validate::body(&self.inner.api, &self.endpoint.params, &decoded),
            &decoded,
        )?;
        Ok(decoded)
    }

    /// The spec's field rules; the first violation decides the answer.
    fn fields(&self, body: &Value) -> Result<(), Answer> {
        self.refuse_any(&validate::request(&self.inner.api, self.endpoint, body), body)
    }

    /// The refusal of `violations` of `values` (the body, or the path parameters), if any: the first violation decides
    /// the answer, and the reason lists them all.
    fn refuse_any(&self, violations: &[Violation], body: &Value) -> Result<(), Answer> {
        let Some(first) = violations.first() else {
            return Ok(());
        };
        let answer = match (&first.kind, first.path.as_str()) {
            (_, "") => self.refuse(Situation::BadRequest, Fill::default()),
            (ViolationKind::Missing, path) => self.refuse(Situation::MissingField, Fill::field(path)),
            // A field that a cross-field rule makes mandatory is missing, too.
            (ViolationKind::Rule(Problem::MissingOneOf { .. } | Problem::RequiredWhen(_)), path) => {
                self.refuse(Situation::MissingField, Fill::field(path))
            }
            // An empty string, for a provider that calls it missing rather than malformed.
            (_, path) if self.endpoint.empty_means_missing && is_empty_text(body, path) => {
                self.refuse(Situation::MissingField, Fill::field(path))
            }
            (_, path) => self.refuse(Situation::InvalidField, Fill::field(path)),
        };
        let all: Vec<String> = violations.iter().map(ToString::to_string).collect();
        Err(answer.because(all.join("; ")))
    }
}

/// The instant a received timestamp names, in the provider's form (ISO 8601 or Unix seconds); what is wrong with it
/// otherwise (said after the header's name).
fn received_time(provider: &Provider, text: &str) -> Result<OffsetDateTime, String> {
    match provider.timestamp_form {
        TimestampForm::Iso8601 => SnapTimestamp::parse(text)
            .map(|t| t.to_offset_datetime())
            .map_err(|e| format!(": {e}")),
        TimestampForm::UnixSeconds => text
            .parse::<i64>()
            .ok()
            .filter(|_| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
            .ok_or_else(|| " is not whole Unix seconds".to_owned()),
    }
}

/// The user name of an HTTP Basic credential (`Basic <base64 of user:password>`); the password is not read, as
/// a Stripe-style provider leaves it blank.
fn basic_user(credential: &str) -> Option<String> {
    let (scheme, encoded) = credential.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, _password) = decoded.split_once(':')?;
    Some(user.to_owned())
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(known: &str, given: &str) -> bool {
    let (known, given) = (known.as_bytes(), given.as_bytes());
    let differ = known.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    known.len() == given.len() && differ == 0
}

/// The body a call acts on: the request's fields with the path parameters beside them (the lowering keeps their
/// names apart), so operations read a param like a top-level request field (echoed, a record's key).
fn with_params(mut body: Value, params: Value) -> Value {
    if let (Value::Object(fields), Value::Object(params)) = (&mut body, params) {
        fields.extend(params);
    }
    body
}

/// Whether the value at a violation's wire path (`additionalInfo.fundType`, `items[0].name`) is the empty string.
fn is_empty_text(body: &Value, path: &str) -> bool {
    let mut here = body;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let Some(next) = here.get(name) else { return false };
        here = match index {
            Some(i) => match next.get(i) {
                Some(item) => item,
                None => return false,
            },
            None => next,
        };
    }
    here.as_str() == Some("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_read_apart_at_its_text() {
        let wooshpay = HeaderSource::Template(
            vec![
                HeaderSource::value("t="),
                HeaderSource::Timestamp,
                HeaderSource::value(",v1="),
                HeaderSource::Signature,
            ]
            .into(),
        );
        let filled = unwrap_template(&wooshpay, "t=1492774577,v1=6fdf");
        assert_eq!(
            filled.map(|f| f.to_vec()),
            Some(vec![
                (&HeaderSource::Timestamp, "1492774577"),
                (&HeaderSource::Signature, "6fdf")
            ])
        );
        assert_eq!(unwrap_template(&wooshpay, "t=1492774577"), None);
        let doku = HeaderSource::Template(vec![HeaderSource::value("HMACSHA256="), HeaderSource::Signature].into());
        assert_eq!(
            unwrap_template(&doku, "HMACSHA256=ab==").map(|f| f.to_vec()),
            Some(vec![(&HeaderSource::Signature, "ab==")])
        );
        assert_eq!(unwrap_template(&doku, "HMACSHA512=ab=="), None);
        let braced = HeaderSource::Template(
            vec![
                HeaderSource::value("<"),
                HeaderSource::ClientId,
                HeaderSource::value(":"),
                HeaderSource::Signature,
                HeaderSource::value(">"),
            ]
            .into(),
        );
        let filled = unwrap_template(&braced, "<c1:s:1>");
        assert_eq!(
            filled.map(|f| f.to_vec()),
            Some(vec![(&HeaderSource::ClientId, "c1"), (&HeaderSource::Signature, "s:1")])
        );
    }

    #[test]
    fn a_list_template_gives_every_element_of_its_names() {
        let wooshpay = HeaderSource::Template(
            vec![
                HeaderSource::value("t="),
                HeaderSource::Timestamp,
                HeaderSource::value(",v1="),
                HeaderSource::Signature,
            ]
            .into(),
        );
        let filled = unwrap_template(&wooshpay, "v0=x,t=1492774577,v1=aa,v1=bb");
        let expected = vec![
            (&HeaderSource::Timestamp, "1492774577"),
            (&HeaderSource::Signature, "aa"),
            (&HeaderSource::Signature, "bb"),
        ];
        assert_eq!(filled.map(|f| f.to_vec()), Some(expected));
        assert_eq!(unwrap_template(&wooshpay, "t=1492774577"), None, "no v1");
    }

    #[test]
    fn an_http_basic_credential_gives_its_user_name() {
        // `curl -u sk_test_abc:` sends base64 of `sk_test_abc:`.
        assert_eq!(basic_user("Basic c2tfdGVzdF9hYmM6").as_deref(), Some("sk_test_abc"));
        assert_eq!(basic_user("basic c2tfdGVzdF9hYmM6").as_deref(), Some("sk_test_abc"));
        for bad in [
            "Bearer c2tfdGVzdF9hYmM6",
            "Basic !!!",
            "Basic c2tfdGVzdF9hYmM=",
            "c2tfdGVzdF9hYmM6",
        ] {
            assert_eq!(basic_user(bad), None, "{bad:?}");
        }
        assert!(same_secret("sk_test_abc", "sk_test_abc"));
        assert!(!same_secret("sk_test_abc", "sk_test_abd"));
        assert!(!same_secret("sk_test_abc", "sk_test_ab"));
    }
}
