//! Calls framed in an envelope (DANA's Open API): `{"request":{"head":…,"body":…},"signature":"…"}`, answered
//! with HTTP 200 and `{"response":{"head":…,"body":{"resultInfo":…}}}` as the envelope names them.
//!
//! Checked in the provider's order before anything is answered: the body is JSON with a signed member and a
//! signature, every head member the envelope names is present and well-formed (constants, the endpoint's
//! `function`, a request time within the window), the client id and client secret are the client's, the
//! signature verifies over the request member's bytes exactly as received, and the caller's head members and
//! the body follow the spec. A refusal is one of the envelope's `refusals` (DANA: PARAM_ILLEGAL,
//! INVALID_CLIENT, INVALID_SIGNATURE), which its endpoints declare, with the reason in `X-Sandbox-Reason`. Every answer is signed over its
//! response member with the sandbox's provider key, as DANA signs its own.

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use snapbi_runtime::timestamp::SnapTimestamp;
use snapbi_spec::ir::{Endpoint, Envelope, HeaderSource, Outcome, Recipe};
use time::OffsetDateTime;

use crate::answer::{Answer, Clock};
use crate::credentials::Client;
use crate::framing;
use crate::keys::ProviderKey;
use crate::sandbox::Inner;
use crate::scenarios::SCENARIO_HEADER;
use crate::signing::{self, Message, Signer};
use crate::validate;

/// One enveloped call of `endpoint`.
pub(crate) async fn handle(inner: &Inner, endpoint: &Endpoint, clock: &Clock, parts: &Parts, body: Body) -> Response {
    let Some(framing) = inner.api.envelope_of(endpoint) else {
        // The lowering checks that the envelope exists; this only keeps the handler total.
        let mut response = Response::new(Body::empty());
        *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
        return response;
    };
    let call = Enveloped {
        inner,
        endpoint,
        framing,
    };
    let answer = match call.admit(body).await {
        Ok(head) => call.process(parts, head),
        Err(Refusal { code, reason }) => Framed::plain(inner, endpoint, framing, code, Some(reason)),
    };
    answer.into_response(clock)
}

struct Enveloped<'a> {
    inner: &'a Inner,
    endpoint: &'a Endpoint,
    framing: &'a Envelope,
}

/// An answer in the envelope: the result code, the response head and the body members beside `resultInfo`.
struct Framed<'a> {
    endpoint: &'a Endpoint,
    framing: &'a Envelope,
    /// The key the answer is signed with (the sandbox's provider key).
    signature: Option<&'a ProviderKey>,
    code: &'a str,
    head: Map<String, Value>,
    body: Map<String, Value>,
    reason: Option<String>,
}

impl<'a> Framed<'a> {
    fn plain(
        inner: &'a Inner,
        endpoint: &'a Endpoint,
        framing: &'a Envelope,
        code: &'a str,
        reason: Option<String>,
    ) -> Self {
        Framed {
            endpoint,
            framing,
            signature: inner.provider_key.as_ref(),
            code,
            head: Map::new(),
            body: Map::new(),
            reason,
        }
    }

    fn into_response(self, clock: &Clock) -> Response {
        // Every code answered is declared (refusals by the lowering's check, scenarios by the sandbox's).
        let declared = self.endpoint.codes.iter().find(|c| c.code == self.code);
        let message = declared.map_or("", |c| c.message.as_str());
        let status = declared.and_then(|c| c.status.as_deref()).unwrap_or_default();
        let f = self.framing;
        let mut result = Map::from_iter([(f.result_status.to_string(), Value::from(status))]);
        // The code's numeric id where the provider published it (DANA's SDK models require `resultCodeId`); an
        // unpublished id is left out, never made up.
        if let (Some(member), Some(id)) = (&f.result_code_id, declared.and_then(|c| c.id.as_deref())) {
            result.insert(member.to_string(), Value::from(id));
        }
        result.insert(f.result_code.to_string(), Value::from(self.code));
        result.insert(f.result_message.to_string(), Value::from(message));
        let mut body = Map::from_iter([(f.result.to_string(), Value::Object(result))]);
        body.extend(self.body.into_iter().filter(|(name, _)| name != &f.result));
        let response = Map::from_iter([
            (f.head_member.to_string(), Value::Object(self.head)),
            (f.body_member.to_string(), Value::Object(body)),
        ]);
        // The response member is serialized once; those bytes are signed and sent.
        let member = serde_json::to_vec(&response).unwrap_or_default();
        let signature = self
            .signature
            .map(|key| sign(&f.signature, key, &member))
            .unwrap_or_default();
        let framed = framing::frame(&f.response_member, &member, &f.signature_member, &signature);
        let answer = Answer {
            status: 200,
            body: Map::from_iter([(f.response_member.to_string(), Value::Object(response))]),
            reason: self.reason.map(String::into_boxed_str),
            headers: Box::default(),
            serialized: Some(Box::new(Bytes::from(framed))),
        };
        answer.into_response(clock)
    }
}

impl<'a> Enveloped<'a> {
    fn refuse(&self, code: &'a str, reason: impl Into<String>) -> Refusal<'a> {
        Refusal {
            code,
            reason: reason.into(),
        }
    }

    /// Everything checked before the call is served; the request's head on success.
    async fn admit(&self, body: Body) -> Result<Head, Refusal<'a>> {
        let limit = self.inner.options.body_limit;
        let raw = axum::body::to_bytes(body, limit).await.map_err(|_| {
            self.refuse(
                &self.framing.refusals.malformed,
                format!("the body is larger than {limit} bytes"),
            )
        })?;
        let framing = self.framing;
        let Some((member, signature)) =
            framing::signed_member(&raw, &framing.request_member, &framing.signature_member)
        else {
            let why = format!(
                "the body must be a JSON object with `{}` and `{}`",
                framing.request_member, framing.signature_member
            );
            return Err(self.refuse(&self.framing.refusals.malformed, why));
        };
        let Some((head, body)) = framing::head_and_body(member, &framing.head_member, &framing.body_member) else {
            let why = format!(
                "`{}` must hold `{}` and `{}`",
                framing.request_member, framing.head_member, framing.body_member
            );
            return Err(self.refuse(&self.framing.refusals.malformed, why));
        };
        let head = self.head(&head)?;
        let client = self.client(&head)?;
        self.signature(client, member, &signature)?;
        self.caller_head(&head.values)?;
        self.fields(&body)?;
        Ok(head)
    }

    /// The envelope's head members: present, constants as declared, the endpoint's function, a request
    /// time in the provider's format within the window.
    fn head(&self, head: &Value) -> Result<Head, Refusal<'a>> {
        let Value::Object(values) = head else {
            return Err(self.refuse(
                &self.framing.refusals.malformed,
                format!("`{}` must be an object", self.framing.head_member),
            ));
        };
        let mut found = Head {
            values: values.clone(),
            client_id: None,
            client_secret: None,
        };
        for (name, source) in self.framing.head.iter() {
            let path = format!("{}.{name}", self.framing.head_member);
            let Some(value) = values
                .get(name.as_ref())
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
            else {
                return Err(self.refuse(&self.framing.refusals.malformed, format!("{path} is missing")));
            };
            let max = self.framing.head_limit(name);
            if let Err(problem) = snapbi_rules::check_length(value, None, max) {
                return Err(self.refuse(&self.framing.refusals.malformed, format!("{path} {problem}")));
            }
            match source {
                HeaderSource::Value(expected) if value != expected => {
                    return Err(self.refuse(&self.framing.refusals.malformed, format!("{path} must be {expected:?}")));
                }
                HeaderSource::Function => {
                    let function = self.endpoint.info.envelope.as_ref().map_or("", |e| e.function.as_ref());
                    if value != function {
                        return Err(self.refuse(
                            &self.framing.refusals.malformed,
                            format!("{path} must be {function:?} here"),
                        ));
                    }
                }
                HeaderSource::Timestamp => self.request_time(&path, value)?,
                HeaderSource::ClientId => found.client_id = Some(value.to_owned()),
                HeaderSource::ClientSecret => found.client_secret = Some(value.to_owned()),
                _ => {}
            }
        }
        Ok(found)
    }

    fn request_time(&self, path: &str, value: &str) -> Result<(), Refusal<'a>> {
        let sent = SnapTimestamp::parse(value)
            .map_err(|e| self.refuse(&self.framing.refusals.malformed, format!("{path}: {e}")))?;
        let skew = (OffsetDateTime::now_utc() - sent.to_offset_datetime()).unsigned_abs();
        let window = self.inner.options.timestamp_window;
        if skew > window {
            let why = format!(
                "{path} is {}s away from the sandbox's clock; at most {}s allowed",
                skew.as_secs(),
                window.as_secs()
            );
            return Err(self.refuse(&self.framing.refusals.malformed, why));
        }
        Ok(())
    }

    /// The client named in the head, whose secret the head must carry.
    fn client(&self, head: &Head) -> Result<&'a Client, Refusal<'a>> {
        let client = head.client_id.as_deref().and_then(|id| self.inner.clients.get(id));
        let Some(client) = client else {
            return Err(self.refuse(
                &self.framing.refusals.client,
                "the client id is not one of the sandbox's clients",
            ));
        };
        // Compared as digests, so the comparison's time says nothing about the secret's characters.
        let sent = head.client_secret.as_deref().map(|s| Sha256::digest(s.as_bytes()));
        if self.framing.head.iter().any(|(_, s)| *s == HeaderSource::ClientSecret)
            && sent != Some(Sha256::digest(client.secret.expose().as_bytes()))
        {
            return Err(self.refuse(&self.framing.refusals.client, "the client secret is not this client's"));
        }
        Ok(client)
    }

    /// The signature over the request member's bytes, exactly as received.
    fn signature(&self, client: &Client, member: &[u8], signature: &str) -> Result<(), Refusal<'a>> {
        let recipe = &self.framing.signature;
        match signing::verify(
            recipe,
            &signed(member, &client.id),
            signature,
            client.verifier(recipe.algorithm),
        ) {
            true => Ok(()),
            false => {
                let why = format!(
                    "`{}` does not verify over the `{}` member as received",
                    self.framing.signature_member, self.framing.request_member
                );
                Err(self.refuse(&self.framing.refusals.signature, why))
            }
        }
    }

    /// The endpoint's own head members (`headers:` of its spec), e.g. the customer's `accessToken`.
    fn caller_head(&self, values: &Map<String, Value>) -> Result<(), Refusal<'a>> {
        let violations = validate::body(&self.inner.api, &self.endpoint.headers, &Value::Object(values.clone()));
        self.violations(&self.framing.head_member, violations)
    }

    fn fields(&self, body: &Value) -> Result<(), Refusal<'a>> {
        let violations = validate::request(&self.inner.api, self.endpoint, body);
        self.violations(&self.framing.body_member, violations)
    }

    fn violations(
        &self,
        member: &str,
        violations: Vec<snapbi_runtime::validate::Violation>,
    ) -> Result<(), Refusal<'a>> {
        if violations.is_empty() {
            return Ok(());
        }
        let all: Vec<String> = violations.iter().map(|v| format!("{member}.{v}")).collect();
        Err(self.refuse(&self.framing.refusals.malformed, all.join("; ")))
    }

    /// The answer of an admitted call: a forced scenario code, else success, reporting only its result.
    fn process(&self, parts: &Parts, head: Head) -> Framed<'a> {
        let id = self.endpoint.info.id.as_ref();
        let header = parts
            .headers
            .get(SCENARIO_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let forced = header.or_else(|| self.inner.scenarios.take(id));
        let success = self.endpoint.codes.iter().find(|c| c.outcome == Outcome::Success);
        let success = success.map_or("", |c| c.code.as_str());
        let code = match forced.as_deref() {
            Some(code) => match self.endpoint.codes.iter().find(|c| c.code == code) {
                Some(declared) => declared.code.as_str(),
                None => {
                    let why = format!("scenario {code:?} is not a result code {id} declares");
                    return Framed::plain(
                        self.inner,
                        self.endpoint,
                        self.framing,
                        &self.framing.refusals.malformed,
                        Some(why),
                    );
                }
            },
            None => success,
        };
        // A success reports only its result: what the provider would fill in (a customer's balance, a masked
        // phone number) is nobody's to make up, and the sandbox keeps no customer for it to read from.
        let body = Map::new();
        Framed {
            endpoint: self.endpoint,
            framing: self.framing,
            signature: self.inner.provider_key.as_ref(),
            code,
            head: self.response_head(&head),
            body,
            reason: forced.map(|_| "forced scenario".to_owned()),
        }
    }

    /// The request head's members the provider echoes: everything but secrets and the request time.
    fn response_head(&self, head: &Head) -> Map<String, Value> {
        let echoed = |name: &String| {
            self.framing
                .head
                .iter()
                .find(|(n, _)| n == name)
                .is_some_and(|(_, s)| !matches!(s, HeaderSource::ClientSecret | HeaderSource::Timestamp))
        };
        head.values
            .iter()
            .filter(|(n, _)| echoed(n))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect()
    }
}

/// What an envelope's recipe signs: the member (`{body}`) and the client id; nothing of the HTTP request.
fn signed<'m>(member: &'m [u8], client_id: &'m str) -> Message<'m> {
    Message {
        minified_body: member,
        client_id,
        ..Message::default()
    }
}

/// The provider's signature of `member` with the envelope's recipe, made with the sandbox's provider key. An HMAC
/// envelope would be keyed with the client's secret (DANA's is RSA): it gets no signature, as a failure does.
fn sign(recipe: &Recipe, key: &ProviderKey, member: &[u8]) -> String {
    signing::sign(recipe, &signed(member, ""), Signer::Rsa(key)).unwrap_or_default()
}

/// A refused call: the result code and why, for `X-Sandbox-Reason`.
struct Refusal<'a> {
    code: &'a str,
    reason: String,
}

/// The request's head, read.
struct Head {
    values: Map<String, Value>,
    client_id: Option<String>,
    client_secret: Option<String>,
}
