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
//!
//! An admitted call is served like a SNAP one, from the same spec data: an endpoint with a `record` creates,
//! updates, deletes or reads it in the books (DANA's shops and divisions, `operations::records`), and its answer
//! holds the record's fields under the response's names; any other success holds what the request gives and what
//! the endpoint's `answers` say the provider fills in. A refused record call is answered with the endpoint's
//! `record_codes` (an unknown record, a key another record has). A forced scenario code that is not a success
//! changes nothing; a forced success runs the call and replaces its success code.
//!
//! Each step is marked on the call's journal trail in the envelope's own order ([`Check::ENVELOPED`]), with the body
//! as received and the client named in the head, and the verdict comes from the answer's outcome: every answer is
//! HTTP 200, refusals included.

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use snapbi_runtime::timestamp::SnapTimestamp;
use snapbi_spec::ir::{CustomerAct, Endpoint, Envelope, HeaderSource, Operation, Outcome, Recipe, TokenPlace};
use time::OffsetDateTime;

use crate::answer::{Answer, Clock};
use crate::answers;
use crate::credentials::Client;
use crate::framing;
use crate::journal::{Check, Trail};
use crate::keys::ProviderKey;
use crate::operations::customers::{bare_token, customer_of_token, one_time_resource};
use crate::operations::{RecordCall, Refusal as RecordRefusal, answered_facts, echoed, kind_of, operate};
use crate::sandbox::Inner;
use crate::scenarios::SCENARIO_HEADER;
use crate::shape;
use crate::signing::{self, Message, Signer};

use crate::validate;
use crate::world::{Customer, CustomerStatus};

/// One enveloped call of `endpoint`; `trail` follows its checks for the journal (which step refused, the client, the
/// body), and whether it was refused, since every answer is HTTP 200.
pub(crate) async fn handle(
    inner: &Inner,
    endpoint: &Endpoint,
    clock: &Clock,
    parts: &Parts,
    body: Body,
    trail: &mut Trail,
) -> Response {
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
    let answer = match call.admit(body, trail).await {
        Ok((head, request)) => call.process(parts, head, &request, trail),
        Err(Refusal { code, reason }) => Framed::plain(inner, endpoint, framing, code, Some(reason)),
    };
    // Served: a success, or a pending answer the merchant asks about later; anything else was refused.
    trail.refused = Some(!matches!(
        call.outcome_of(answer.code),
        Some(Outcome::Success | Outcome::Pending)
    ));
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

    /// Everything checked before the call is served, each step marked on `trail`; the request's head and body on
    /// success.
    async fn admit(&self, body: Body, trail: &mut Trail) -> Result<(Head, Value), Refusal<'a>> {
        let limit = self.inner.options.body_limit;
        trail.at(Check::BodySize);
        let raw = axum::body::to_bytes(body, limit).await.map_err(|_| {
            self.refuse(
                &self.framing.refusals.malformed,
                format!("the body is larger than {limit} bytes"),
            )
        })?;
        trail.body = Some(raw.clone());
        trail.at(Check::Envelope);
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
        trail.at(Check::EnvelopeHead);
        let head = self.head(&head)?;
        trail.at(Check::Client);
        trail.client.clone_from(&head.client_id);
        let client = self.client(&head)?;
        trail.at(Check::Signature);
        self.signature(client, member, &signature)?;
        trail.at(Check::CallerHead);
        self.caller_head(&head.values)?;
        trail.at(Check::FieldRules);
        self.fields(&body)?;
        Ok((head, body))
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

    /// The answer of an admitted call: a forced failure code, else what serving it gives (a forced success code
    /// replacing a success).
    fn process(&self, parts: &Parts, head: Head, request: &Value, trail: &mut Trail) -> Framed<'a> {
        let id = self.endpoint.info.id.as_ref();
        trail.at(Check::Scenario);
        let header = parts
            .headers
            .get(SCENARIO_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let forced = match header.or_else(|| self.inner.scenarios.take(id)) {
            None => None,
            Some(code) => match self.endpoint.codes.iter().find(|c| c.code == code) {
                Some(declared) => Some(declared),
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
        };
        trail.at(Check::Operation);
        let reply = match forced {
            Some(code) if code.outcome != Outcome::Success => Reply {
                code: &code.code,
                body: Map::new(),
                reason: Some("forced scenario; nothing was committed".into()),
            },
            _ => self.serve(head.client_id.as_deref().unwrap_or_default(), &head.values, request),
        };
        let succeeded = self.outcome_of(reply.code) == Some(Outcome::Success);
        let (code, reason) = match forced {
            Some(code) if succeeded => (code.code.as_str(), Some("forced scenario".to_owned())),
            _ => (reply.code, reply.reason),
        };
        Framed {
            endpoint: self.endpoint,
            framing: self.framing,
            signature: self.inner.provider_key.as_ref(),
            code,
            head: self.response_head(&head),
            body: reply.body,
            reason,
        }
    }

    /// The outcome of `code`, one of the endpoint's codes.
    fn outcome_of(&self, code: &str) -> Option<Outcome> {
        self.endpoint.codes.iter().find(|c| c.code == code).map(|c| c.outcome)
    }

    /// Serves the admitted call of `client`: refused when its customer token stands for no customer
    /// (`customer: identify`), its record operation when it names a record, else a success (with the customer's
    /// one-time token where it is asked for).
    fn serve(&self, client: &str, head: &Map<String, Value>, request: &Value) -> Reply<'a> {
        let api = &self.inner.api;
        let endpoint = self.endpoint;
        let customer = match self.identify(client, head) {
            Ok(customer) => customer,
            Err(refused) => return refused,
        };
        let success = endpoint.codes.iter().find(|c| c.outcome == Outcome::Success);
        let success = success.map_or("", |c| c.code.as_str());
        // What the customer's identity answers (a one-time token asked for as a resource), else nothing.
        let facts = customer.map_or_else(Map::new, |c| one_time_resource(self.inner, endpoint, request, &c));
        let record_operation = matches!(
            endpoint.operation,
            Operation::Create | Operation::Update | Operation::Delete | Operation::Status
        );
        let Some(kind) = kind_of(api, endpoint).filter(|_| record_operation) else {
            return Reply::success(success, self.answer_body(request, facts));
        };
        let call = RecordCall {
            endpoint,
            kind,
            client,
            body: request,
            now: self.inner.clock(&endpoint.info.provider).now(),
            idempotency: None,
            // An envelope's creates answer no page (lowering: a page goes with a record a tester pays), and its
            // caller values travel in its head, not in HTTP headers.
            base: None,
            headers: None,
            // An envelope's updates are served from any state (lowering: `record_from` has no code in an envelope).
            reports: None,
            // Nor does an envelope's create belong to another record (lowering: `record_of` has no code there).
            parent: None,
        };
        let mut issue = |field: &str| self.issue(field);
        let done = operate(&call, &mut self.inner.books(), &mut issue);
        match done {
            Ok(record) => {
                let facts = answered_facts(api, endpoint, &record, request);
                Reply::success(success, self.answer_body(request, facts))
            }
            Err(refusal) => Reply {
                code: self.refusal_code(&refusal),
                body: Map::new(),
                reason: Some(refusal.reason().to_owned()),
            },
        }
    }

    /// For an endpoint that tells its customer by the token in its head (`customer: identify`), the customer that token
    /// stands for, else the endpoint's code for a refused token (or, frozen, for a frozen customer, where it declares
    /// one).
    fn identify(&self, client: &str, head: &Map<String, Value>) -> Result<Option<Customer>, Reply<'a>> {
        let Some(world) = self
            .endpoint
            .customer
            .as_ref()
            .filter(|w| w.act == CustomerAct::Identify)
        else {
            return Ok(None);
        };
        let token = match &world.token {
            Some(TokenPlace::Header(member)) => head.get(member).and_then(Value::as_str).and_then(bare_token),
            Some(TokenPlace::Field(_)) | None => None,
        };
        let refuse = |code: &'a Option<String>, reason: String| Reply {
            code: code.as_deref().unwrap_or(&self.framing.refusals.malformed),
            body: Map::new(),
            reason: Some(reason),
        };
        let customer = customer_of_token(self.inner, token.as_deref(), client)
            .map_err(|why| refuse(&world.codes.invalid_token, why))?;
        if customer.status == CustomerStatus::Frozen && world.codes.frozen.is_some() {
            let why = format!("customer {} of {} is frozen", customer.phone_no, customer.provider);
            return Err(refuse(&world.codes.frozen, why));
        }
        Ok(Some(customer))
    }

    /// The answer's body members: the request's values the response echoes, `facts` over them (a record's), and
    /// what the endpoint's `answers` fill in, each in the JSON shape its response field declares.
    fn answer_body(&self, request: &Value, facts: Map<String, Value>) -> Map<String, Value> {
        let api = &self.inner.api;
        let mut all = echoed(api, &self.endpoint.response, request);
        all.extend(facts);
        answers::fill(&self.endpoint.answers, request, &mut all, &mut |field| {
            self.issue(field)
        });
        let mut body = Map::new();
        for field in &self.endpoint.response {
            if let Some(value) = all.remove(&field.wire).and_then(|v| shape::fact(api, field, v)) {
                body.insert(field.wire.clone(), value);
            }
        }
        body
    }

    /// A fresh value the provider issues for the response field at `field`.
    fn issue(&self, field: &str) -> String {
        answers::issued_value(&self.inner.api, &self.endpoint.response, field, &mut || {
            self.inner.issue_value()
        })
    }

    /// The endpoint's result code for a refused record call: its `record_codes` for an unknown or an existing
    /// record, the envelope's refusal of a malformed call for a request that lacks what names the record.
    fn refusal_code(&self, refusal: &RecordRefusal) -> &'a str {
        // Lowering gives every enveloped record endpoint the codes its operation meets.
        refusal
            .code_in(&self.endpoint.record_codes)
            .unwrap_or(&self.framing.refusals.malformed)
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

/// What serving a call gave: its result code, its body members beside the result, and why, for
/// `X-Sandbox-Reason`.
struct Reply<'a> {
    code: &'a str,
    body: Map<String, Value>,
    reason: Option<String>,
}

impl<'a> Reply<'a> {
    fn success(code: &'a str, body: Map<String, Value>) -> Self {
        Reply {
            code,
            body,
            reason: None,
        }
    }
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
