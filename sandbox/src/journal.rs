//! The request journal: every call the sandbox answered on its provider endpoints (not its `/_sandbox/*` admin
//! and UI routes), newest last, at most a fixed number of them, for the dashboard (`dashboard`) and
//! `GET /_sandbox/journal`.
//!
//! A call is kept once it is answered, as it was: its request's method, path and headers (one buffer), what `call` learned
//! while admitting it (a [`Trail`]: the checks it reached in the order `call` runs them, the client it found, the
//! body it read and, for a refused signature, what the sandbox expected: `signature_diagnosis`), and the answer.
//! Nothing is formatted, redacted or parsed on the request path: the [`Entry`] a page shows is made from the kept
//! call when it is first read, and kept with it. The journal's one lock is held only to push a call or to clone
//! the list (each behind an `Arc`), so a page being rendered never holds back a call.
//!
//! Each entry bumps the journal's counter in `changes` (a counter, nothing formatted), which wakes the dashboard's
//! live pages.
//!
//! Nothing secret is kept: `Authorization…` (SNAP's `Authorization-Customer` too), `Proxy-Authorization` and `Cookie`
//! values are replaced by their scheme and a marker, the values of body members and caller headers the endpoint's
//! spec marks sensitive and of the standard's credential members (`accessToken`, `refreshToken`, `authCode`, …) are
//! redacted, and any client secret that turns up in a header or the body is cut out. Bodies are kept
//! up to [`BODY_CAP`] bytes, so memory stays bounded by the capacity whatever the calls carry.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use snapbi_spec::ir::{Envelope, Provider};
use time::OffsetDateTime;

use snapbi_runtime::secret::redacted_text;

use crate::answer::REASON_HEADER;
use crate::changes::Topic;
use crate::sandbox::Inner;
use crate::signature_diagnosis::SignatureDiagnosis;
use crate::store;

/// Most calls a journal keeps, whatever the sandbox's store capacity: each entry may hold a body of
/// [`BODY_CAP`] bytes, so this bounds the journal near 20 MB in the worst case and far less with SNAP's bodies.
pub(crate) const MAX_ENTRIES: usize = 1_000;

/// Most bytes of a request body kept in an entry (SNAP bodies are a few KiB); the rest is marked as cut off.
pub(crate) const BODY_CAP: usize = 16 * 1024;

/// Most headers kept per entry, and most bytes kept of each value: a huge or odd header cannot grow the journal.
const HEADER_COUNT_CAP: usize = 64;
const HEADER_VALUE_CAP: usize = 1024;
thread_local! {
    /// The buffer the last entry forgotten on this thread left for the next one ([`Journal::spare`]).
    static SPARE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest buffer an entry hands on to the next one: SNAP calls need a few KiB; one grown past this by an
/// outsized call is freed instead.
const SPARE_CAP: usize = 64 * 1024;

/// What stands in for a value the journal does not keep.
pub(crate) const REDACTED: &str = "‹redacted›";

/// The steps `call` admits a call by, in its order, then the business step. A refusal names the step that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Check {
    /// A served endpoint at this method and path.
    Route,
    /// `X-Sandbox-Scenario` names a code the endpoint declares.
    Scenario,
    /// Every mandatory header is there.
    MandatoryHeaders,
    /// Header formats, lengths and rules.
    HeaderFormats,
    /// X-TIMESTAMP within the window.
    TimestampWindow,
    /// The client is one of the sandbox's.
    Client,
    /// The B2B token, where the endpoint takes one.
    Token,
    /// The body is within the size limit.
    BodySize,
    /// The body is JSON (or empty).
    BodyJson,
    /// The signature verifies.
    Signature,
    /// A body is there where the endpoint takes one.
    BodyPresent,
    /// The path parameters' rules.
    PathParameters,
    /// The body's field rules.
    FieldRules,
    /// The operation itself (its answer: served, or a business refusal such as a forced code).
    Operation,
    /// An envelope's framing: a JSON body with its signed member and signature, the member holding head and body.
    Envelope,
    /// An envelope's head members: present, constants as declared, the endpoint's function, a request time within
    /// the window.
    EnvelopeHead,
    /// The endpoint's own head members of an envelope (DANA's customer `accessToken`).
    CallerHead,
}

impl Check {
    /// The steps of a SNAP call (or a provider's own JSON), in order.
    pub(crate) const ALL: [Check; 14] = [
        Check::Route,
        Check::Scenario,
        Check::MandatoryHeaders,
        Check::HeaderFormats,
        Check::TimestampWindow,
        Check::Client,
        Check::Token,
        Check::BodySize,
        Check::BodyJson,
        Check::Signature,
        Check::BodyPresent,
        Check::PathParameters,
        Check::FieldRules,
        Check::Operation,
    ];

    /// The steps of a call in an envelope (DANA's Open API), in the order `enveloped` runs them: the signature
    /// covers the signed member as received, so it is checked before the member's values.
    pub(crate) const ENVELOPED: [Check; 10] = [
        Check::Route,
        Check::BodySize,
        Check::Envelope,
        Check::EnvelopeHead,
        Check::Client,
        Check::Signature,
        Check::CallerHead,
        Check::FieldRules,
        Check::Scenario,
        Check::Operation,
    ];

    /// The step in words, for the dashboard.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Check::Route => "route (method and path)",
            Check::Scenario => "X-Sandbox-Scenario",
            Check::MandatoryHeaders => "mandatory headers",
            Check::HeaderFormats => "header formats",
            Check::TimestampWindow => "X-TIMESTAMP window",
            Check::Client => "client",
            Check::Token => "B2B token",
            Check::BodySize => "body size",
            Check::BodyJson => "body is JSON",
            Check::Signature => "signature",
            Check::BodyPresent => "body present",
            Check::PathParameters => "path parameters",
            Check::FieldRules => "field rules",
            Check::Operation => "operation",
            Check::Envelope => "envelope (signed member, head and body)",
            Check::EnvelopeHead => "envelope head (members, function, request time)",
            Check::CallerHead => "the endpoint's head members",
        }
    }
}

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Passed,
    Refused,
    NotReached,
}

/// One step of a call and how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Step {
    pub(crate) check: Check,
    pub(crate) outcome: Outcome,
}

/// Served (a 2xx answer) or refused (by a check, or by the operation's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    Served,
    Refused,
}

/// What `call` learned while admitting a call, for its journal entry. `call` moves `reached` forward before each
/// step, so when a step refuses, `reached` names it.
#[derive(Debug, Default)]
pub(crate) struct Trail {
    /// The step being run (or the last one run).
    pub(crate) reached: Option<Check>,
    /// The client id: the one presented, then the one found.
    pub(crate) client: Option<String>,
    /// The body as read (the body-size step reads it).
    pub(crate) body: Option<Bytes>,
    /// The body's size as received (the journal keeps [`BODY_CAP`] bytes of it); set when the call is recorded.
    pub(crate) body_bytes: usize,
    /// What the sandbox expected of a refused signature.
    pub(crate) signature: Option<Box<SignatureDiagnosis>>,
    /// Whether the steps were recorded one by one (a call that was not routed was not).
    pub(crate) traced: bool,
    /// The steps of the call's framing, in order ([`Check::ALL`], [`Check::ENVELOPED`]).
    pub(crate) order: &'static [Check],
    /// Whether the call was refused, where the HTTP status does not tell (an envelope answers every call with 200);
    /// none: a 2xx answer is served.
    pub(crate) refused: Option<bool>,
}

impl Trail {
    /// A trail whose steps `call` will record, in SNAP's order.
    pub(crate) fn traced() -> Self {
        Self {
            traced: true,
            order: &Check::ALL,
            ..Self::default()
        }
    }

    /// A trail whose steps `enveloped` will record, in an envelope's order.
    pub(crate) fn enveloped() -> Self {
        Self {
            traced: true,
            order: &Check::ENVELOPED,
            ..Self::default()
        }
    }

    /// The call is at `check`.
    pub(crate) fn at(&mut self, check: Check) {
        self.reached = Some(check);
    }
}

/// One answered call.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    /// Its number, from 1, in the order calls were answered.
    pub(crate) n: u64,
    /// When it was answered, in the provider's timestamp style.
    pub(crate) at: String,
    /// How long answering took, in microseconds.
    pub(crate) took_us: u64,
    pub(crate) method: String,
    /// The path as requested, with its query.
    pub(crate) path: String,
    /// The served endpoint's id, when one was routed.
    pub(crate) endpoint: Option<String>,
    /// The client id, as presented or as found.
    pub(crate) client: Option<String>,
    /// The request headers as received, secrets redacted.
    pub(crate) headers: Vec<(String, String)>,
    /// The request body as text (bytes that are not UTF-8 shown as U+FFFD), up to [`BODY_CAP`] bytes.
    pub(crate) body: Option<String>,
    /// The body's size in bytes, as received.
    pub(crate) body_bytes: usize,
    /// Whether `body` was cut at [`BODY_CAP`].
    pub(crate) body_truncated: bool,
    /// The answer's HTTP status.
    pub(crate) status: u16,
    /// The answer's response code (SNAP's `responseCode`, or at the provider's own code place).
    pub(crate) code: Option<String>,
    pub(crate) verdict: Verdict,
    /// Why the sandbox refused (`X-Sandbox-Reason`).
    pub(crate) reason: Option<String>,
    /// Every step in order with how it went; empty when the steps were not traced.
    pub(crate) checks: Vec<Step>,
    /// The step that refused the call.
    pub(crate) refused_by: Option<Check>,
    /// What the sandbox expected of a refused signature.
    pub(crate) signature: Option<Box<SignatureDiagnosis>>,
}

/// The last calls answered, at most `capacity` of them.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: Mutex<Entries>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Entries {
    list: VecDeque<Arc<Kept>>,
    /// The number the next entry gets.
    next: u64,
}

/// A call as it was answered, kept as received until the journal is read: the request path formats, parses and
/// redacts nothing, and an [`Entry`] is made of it once, when first read.
#[derive(Debug)]
struct Kept {
    n: u64,
    /// When it was answered (written in the provider's timestamp style when shown).
    at: OffsetDateTime,
    took_us: u64,
    /// The request's method, path and headers.
    head: Head,
    /// The served endpoint, an index into the API's endpoints.
    endpoint: Option<usize>,
    trail: Trail,
    status: u16,
    reason: Option<HeaderValue>,
    shown: OnceLock<Arc<Entry>>,
}

impl Journal {
    /// A journal of at most `capacity` calls (at least one, at most [`MAX_ENTRIES`]).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(Entries {
                list: VecDeque::new(),
                next: 1,
            }),
            capacity: capacity.clamp(1, MAX_ENTRIES),
        }
    }

    /// Adds `kept` (its number is given here), forgetting the oldest beyond the capacity. The forgotten one is
    /// dropped after the lock is released.
    fn push(&self, mut kept: Kept) {
        let forgotten = {
            let mut entries = store::lock(&self.entries);
            kept.n = entries.next;
            entries.next += 1;
            entries.list.push_back(Arc::new(kept));
            (entries.list.len() > self.capacity)
                .then(|| entries.list.pop_front())
                .flatten()
        };
        // Its buffer is the next entry's on this thread, unless a reader still holds it or an outsized call grew it.
        let text = forgotten
            .and_then(|kept| Arc::try_unwrap(kept).ok())
            .map(|kept| kept.head.text);
        if let Some(text) = text.filter(|text| text.capacity() <= SPARE_CAP) {
            SPARE.with_borrow_mut(|spare| *spare = text);
        }
    }

    /// A buffer for the next entry: the one the last entry forgotten on this thread left ([`Journal::push`]), else a
    /// new one. At the capacity an entry so reuses the memory of one it replaced (allocated and freed never, where
    /// freeing it cold, a thousand calls after it was written, was a tenth of the journal's cost), and no lock is
    /// taken for it.
    fn spare(&self) -> Vec<u8> {
        SPARE.with_borrow_mut(std::mem::take)
    }

    #[cfg(test)]
    fn get_kept(&self, n: u64) -> Option<Arc<Kept>> {
        let entries = store::lock(&self.entries);
        entries.list.iter().find(|k| k.n == n).cloned()
    }

    /// Every entry, newest first, as `inner`'s journal shows it.
    pub(crate) fn newest_first(&self, inner: &Inner) -> Vec<Arc<Entry>> {
        let kept: Vec<Arc<Kept>> = store::lock(&self.entries).list.iter().rev().cloned().collect();
        kept.iter().map(|k| shown(inner, k)).collect()
    }

    /// The entry numbered `n`, while it is kept.
    pub(crate) fn get(&self, inner: &Inner, n: u64) -> Option<Arc<Entry>> {
        let kept = {
            let entries = store::lock(&self.entries);
            let first = entries.list.front()?.n;
            let index = usize::try_from(n.checked_sub(first)?).ok()?;
            entries.list.get(index).cloned()?
        };
        Some(shown(inner, &kept))
    }
}

/// The entry of `kept`, made the first time it is read.
fn shown(inner: &Inner, kept: &Kept) -> Arc<Entry> {
    Arc::clone(kept.shown.get_or_init(|| Arc::new(entry(inner, kept))))
}

/// What the journal keeps of a call's bytes, in one buffer: the request's path, its headers (each
/// `name NUL value LF`; neither may hold NUL or LF), its body and the answer's body, each capped. No entry holds the
/// connection's read buffer or the request's body, to be freed long after, and an entry reuses the buffer of the
/// one it replaces ([`Journal::spare`]).
#[derive(Debug)]
struct Head {
    method: Method,
    text: Vec<u8>,
    path_end: usize,
    headers_end: usize,
    /// Where the request body ends (it starts at `headers_end`); none when no body was read.
    body_end: Option<usize>,
}

impl Head {
    /// The call's bytes written into `text` (emptied first): `body` is the request body read, `answer` the answer's.
    fn of(mut text: Vec<u8>, parts: &Parts, body: Option<&[u8]>, answer: &[u8]) -> Self {
        text.clear();
        text.extend_from_slice(parts.uri.path_and_query().map_or("/", |p| p.as_str()).as_bytes());
        let path_end = text.len();
        for (name, value) in parts.headers.iter().take(HEADER_COUNT_CAP) {
            text.extend_from_slice(name.as_str().as_bytes());
            text.push(0);
            text.extend_from_slice(&value.as_bytes()[..value.len().min(HEADER_VALUE_CAP + 1)]);
            text.push(b'\n');
        }
        let headers_end = text.len();
        let body_end = body.map(|body| {
            text.extend_from_slice(&body[..body.len().min(BODY_CAP)]);
            text.len()
        });
        text.extend_from_slice(&answer[..answer.len().min(BODY_CAP)]);
        Self {
            method: parts.method.clone(),
            text,
            path_end,
            headers_end,
            body_end,
        }
    }

    /// The path and query as received (always ASCII: the URI parser admits nothing else).
    fn path(&self) -> &str {
        std::str::from_utf8(&self.text[..self.path_end]).unwrap_or("/")
    }

    /// The headers kept: (lower-case name, value bytes).
    fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.text[self.path_end..self.headers_end]
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .filter_map(|line| {
                let at = line.iter().position(|&b| b == 0)?;
                Some((std::str::from_utf8(&line[..at]).ok()?, &line[at + 1..]))
            })
    }

    /// The request body kept, up to [`BODY_CAP`] bytes; none when none was read.
    fn body(&self) -> Option<&[u8]> {
        self.body_end.map(|end| &self.text[self.headers_end..end])
    }

    /// The answer's body kept, up to [`BODY_CAP`] bytes (its code is read from it).
    fn answer(&self) -> &[u8] {
        &self.text[self.body_end.unwrap_or(self.headers_end)..]
    }
}

/// What is known of a call when it is answered, beside its request's parts.
pub(crate) struct Answered {
    /// The served endpoint, an index into the API's endpoints; none when no endpoint was routed.
    pub(crate) endpoint: Option<usize>,
    /// When the sandbox began answering it.
    pub(crate) started: Instant,
    pub(crate) trail: Trail,
}

/// Records the answered call in the sandbox's journal and gives back its response, unchanged. What is shown of the
/// request's `parts` is made when the journal is read.
pub(crate) async fn record(inner: &Inner, answered: Answered, parts: Parts, response: Response) -> Response {
    // The sandbox's answers are whole in memory already: collecting them does not wait on anything.
    let (head, body) = response.into_parts();
    let bytes = crate::body::whole(body, usize::MAX).await.unwrap_or_default();
    let Answered {
        endpoint,
        started,
        mut trail,
    } = answered;
    // The bodies are copied into the entry's buffer (capped), so it holds neither of them alive.
    let body = trail.body.take();
    trail.body_bytes = body.as_ref().map_or(0, Bytes::len);
    let text = inner.journal.spare();
    inner.journal.push(Kept {
        n: 0,
        at: OffsetDateTime::now_utc(),
        took_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        head: Head::of(text, &parts, body.as_deref(), &bytes),
        endpoint,
        trail,
        status: head.status.as_u16(),
        reason: head.headers.get(REASON_HEADER).cloned(),
        shown: OnceLock::new(),
    });
    inner.changes.bump(Topic::Journal);
    Response::from_parts(head, Body::from(bytes))
}

/// The journal entry of a kept call: redacted, formatted, its answer's code read.
fn entry(inner: &Inner, kept: &Kept) -> Entry {
    let endpoint = kept.endpoint.and_then(|i| inner.api.endpoints.get(i));
    let provider = endpoint.and_then(|e| inner.api.provider(&e.info.provider));
    let sensitive = kept
        .endpoint
        .and_then(|i| inner.served.iter().find(|s| s.index == i))
        .map(|s| &s.sensitive_keys[..]);
    let code = match endpoint.and_then(|e| inner.api.envelope_of(e)) {
        Some(envelope) => enveloped_code(envelope, kept.head.answer()),
        None => response_code(provider, kept.head.answer()),
    };
    let (trail, status, head) = (&kept.trail, kept.status, &kept.head);
    let secrets: Vec<&str> = inner.clients.values().map(|c| c.secret.expose()).collect();
    // Without a routed endpoint, the standard's credential members are still secret wherever they turn up.
    let keys: Vec<&str> = match sensitive {
        Some(keys) => keys.iter().map(String::as_str).collect(),
        None => inner
            .api
            .standard
            .credential_members
            .iter()
            .map(|m| m.as_ref())
            .collect(),
    };
    let verdict = match trail.refused.unwrap_or(!(200..300).contains(&status)) {
        false => Verdict::Served,
        true => Verdict::Refused,
    };
    // A traced call knows its refusing step; one that was not routed was refused by its route.
    let refused_by = match (verdict, trail.traced, endpoint) {
        (Verdict::Refused, true, _) => trail.reached,
        (Verdict::Refused, false, None) => Some(Check::Route),
        _ => None,
    };
    let order = match trail.order {
        [] => &Check::ALL[..],
        order => order,
    };
    let checks = match trail.traced || endpoint.is_none() {
        true => checks(order, refused_by, trail.reached),
        false => Vec::new(),
    };
    let (body, body_bytes, body_truncated) = match head.body() {
        Some(bytes) => {
            let (text, truncated) = capped_text(bytes, BODY_CAP, &secrets);
            let truncated = truncated || trail.body_bytes > bytes.len();
            (
                Some(redacted_text(text.as_bytes(), &keys)),
                trail.body_bytes.max(bytes.len()),
                truncated,
            )
        }
        None => (None, 0, false),
    };
    Entry {
        n: kept.n,
        at: inner.clock(provider.map_or("", |p| p.name.as_str())).format(kept.at),
        took_us: kept.took_us,
        method: head.method.to_string(),
        path: head.path().to_owned(),
        endpoint: endpoint.map(|e| e.info.id.to_string()),
        client: trail.client.clone(),
        headers: headers(head, &secrets, &keys),
        body,
        body_bytes,
        body_truncated,
        status,
        code,
        verdict,
        reason: kept
            .reason
            .as_ref()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        checks,
        refused_by,
        signature: trail.signature.clone(),
    }
}

/// Every step of `order` with how it went: passed up to the refusing one, which refused, the rest not reached. A
/// served call passed every step up to `reached` (the operation, when the call was admitted).
fn checks(order: &[Check], refused_by: Option<Check>, reached: Option<Check>) -> Vec<Step> {
    let last = refused_by.or(reached).unwrap_or(Check::Route);
    let at = |check: Check| order.iter().position(|&c| c == check);
    let last = at(last).unwrap_or(0);
    order
        .iter()
        .enumerate()
        .map(|(i, &check)| {
            let outcome = match i.cmp(&last) {
                std::cmp::Ordering::Less => Outcome::Passed,
                std::cmp::Ordering::Equal if refused_by.is_some() => Outcome::Refused,
                std::cmp::Ordering::Equal => Outcome::Passed,
                std::cmp::Ordering::Greater => Outcome::NotReached,
            };
            Step { check, outcome }
        })
        .collect()
}

/// The result code of an answer in `envelope` (DANA: `response.body.resultInfo.resultCode`).
fn enveloped_code(envelope: &Envelope, body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    let code = json
        .get(envelope.response_member.as_ref())?
        .get(envelope.body_member.as_ref())?
        .get(envelope.result.as_ref())?
        .get(envelope.result_code.as_ref())?;
    code.as_str().map(str::to_owned)
}

/// The response code of an answer body: SNAP's `responseCode` (first in the sandbox's SNAP answers, so read
/// without parsing the body), else the first of the provider's own code places that holds a string.
fn response_code(provider: Option<&Provider>, body: &[u8]) -> Option<String> {
    const SNAP_START: &[u8] = br#"{"responseCode":""#;
    if let Some(rest) = body.strip_prefix(SNAP_START) {
        let end = rest.iter().position(|&b| b == b'"')?;
        return std::str::from_utf8(&rest[..end]).ok().map(str::to_owned);
    }
    let json: Value = serde_json::from_slice(body).ok()?;
    if let Some(code) = json.get("responseCode").and_then(Value::as_str) {
        return Some(code.to_owned());
    }
    let places = provider?.results.as_ref()?;
    places.code.iter().find_map(|place| {
        let mut here = &json;
        for segment in place.iter() {
            here = match segment.parse::<usize>() {
                Ok(index) => here.get(index)?,
                Err(_) => here.get(segment.as_ref())?,
            };
        }
        match here {
            Value::String(code) => Some(code.clone()),
            Value::Number(code) => Some(code.to_string()),
            _ => None,
        }
    })
}

/// The request headers as the journal keeps them: credentials redacted (every `Authorization…` header, SNAP's
/// `Authorization-Customer` included, and caller headers the spec marks sensitive), secrets cut out, sizes capped.
fn headers(head: &Head, secrets: &[&str], sensitive: &[&str]) -> Vec<(String, String)> {
    head.headers()
        .map(|(name, value)| {
            let name_is = |key: &&str| key.eq_ignore_ascii_case(name);
            let value = match name {
                n if n.starts_with("authorization") || n == "proxy-authorization" => credential(value),
                "cookie" => REDACTED.to_owned(),
                _ if sensitive.iter().any(name_is) => REDACTED.to_owned(),
                _ => capped_text(value, HEADER_VALUE_CAP, secrets).0,
            };
            (name.to_owned(), value)
        })
        .collect()
}

/// A credential header with its scheme kept and its value redacted: `Bearer ‹redacted›`.
fn credential(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    match text.trim().split_once(' ') {
        Some((scheme, _)) if scheme.len() <= 16 => format!("{scheme} {REDACTED}"),
        _ => REDACTED.to_owned(),
    }
}

/// `bytes` as text (invalid UTF-8 as U+FFFD), cut at `cap` bytes (on a character boundary), with every secret
/// cut out; and whether it was cut.
pub(crate) fn capped_text(bytes: &[u8], cap: usize, secrets: &[&str]) -> (String, bool) {
    let truncated = bytes.len() > cap;
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(cap)]).into_owned();
    if truncated && text.ends_with('\u{FFFD}') {
        // The cut may have split a character: what is left of it says nothing.
        text.pop();
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    (text, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(path: &str) -> Kept {
        let (parts, ()) = axum::http::Request::post(path)
            .body(())
            .expect("a request")
            .into_parts();
        Kept {
            n: 0,
            at: OffsetDateTime::UNIX_EPOCH,
            took_us: 0,
            head: Head::of(Vec::new(), &parts, None, b""),
            endpoint: None,
            trail: Trail::default(),
            status: 200,
            reason: None,
            shown: OnceLock::new(),
        }
    }

    /// The kept calls' numbers and paths, newest first, and the one numbered `n`'s path.
    fn listed(journal: &Journal) -> Vec<(u64, String)> {
        let entries = store::lock(&journal.entries);
        entries
            .list
            .iter()
            .rev()
            .map(|k| (k.n, k.head.path().to_owned()))
            .collect()
    }

    #[test]
    fn keeps_the_newest_within_its_capacity() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.push(kept(path));
        }
        assert_eq!(listed(&journal), vec![(3, "/c".to_owned()), (2, "/b".to_owned())]);
    }

    #[test]
    fn bodies_beyond_the_cap_are_copied_down_to_it_into_one_buffer() {
        let (parts, ()) = axum::http::Request::post("/p?q=1")
            .header("X-A", "1")
            .body(())
            .expect("a request")
            .into_parts();
        let big = vec![b'x'; BODY_CAP + 10];
        let head = Head::of(Vec::new(), &parts, Some(&big), b"{}");
        assert_eq!(head.path(), "/p?q=1");
        assert_eq!(head.headers().collect::<Vec<_>>(), vec![("x-a", &b"1"[..])]);
        assert_eq!(head.body().map(<[u8]>::len), Some(BODY_CAP));
        assert_eq!(head.answer(), b"{}");
        let unread = Head::of(head.text, &parts, None, &big);
        assert_eq!((unread.body(), unread.answer().len()), (None, BODY_CAP));
    }

    #[test]
    fn at_its_capacity_the_journal_hands_the_forgotten_entry_s_buffer_on() {
        let journal = Journal::new(2);
        journal.spare();
        journal.push(kept("/a"));
        journal.push(kept("/b"));
        assert!(
            journal.spare().is_empty(),
            "not past the capacity: nothing forgotten, nothing handed on"
        );
        journal.push(kept("/c"));
        assert_eq!(
            journal.spare(),
            b"/a",
            "the forgotten entry's buffer, with what it held"
        );
        assert!(journal.spare().is_empty(), "handed on once");
        assert_eq!(listed(&journal), vec![(3, "/c".to_owned()), (2, "/b".to_owned())]);
        let held = journal.get_kept(2);
        journal.push(kept("/d"));
        assert!(
            journal.spare().is_empty(),
            "a reader holds /b: its buffer stays with it"
        );
        drop(held);
    }

    #[test]
    fn the_refusing_step_is_marked_and_later_ones_not_reached() {
        let steps = checks(&Check::ALL, Some(Check::Signature), Some(Check::Signature));
        let at = |check: Check| steps.iter().find(|s| s.check == check).map(|s| s.outcome);
        assert_eq!(at(Check::Token), Some(Outcome::Passed));
        assert_eq!(at(Check::Signature), Some(Outcome::Refused));
        assert_eq!(at(Check::FieldRules), Some(Outcome::NotReached));
        let served = checks(&Check::ALL, None, Some(Check::Operation));
        assert!(served.iter().all(|s| s.outcome == Outcome::Passed));
    }

    #[test]
    fn codes_are_read_from_snap_and_own_bodies() {
        assert_eq!(
            response_code(None, br#"{"responseCode":"2005400","responseMessage":"Successful"}"#).as_deref(),
            Some("2005400")
        );
        assert_eq!(
            response_code(None, br#"{ "responseCode" : "4017300" }"#).as_deref(),
            Some("4017300")
        );
        assert_eq!(response_code(None, b"\xff\xfe"), None);
    }

    #[test]
    fn credentials_and_secrets_are_not_kept() {
        assert_eq!(credential(b"Bearer abc.def"), format!("Bearer {REDACTED}"));
        assert_eq!(credential(b"opaque"), REDACTED);
        let (text, cut) = capped_text(b"key=s3cret&x=1", 64, &["s3cret"]);
        assert_eq!((text.as_str(), cut), ("key=‹redacted›&x=1", false));
        let (text, cut) = capped_text("ééé".as_bytes(), 3, &[]);
        assert_eq!((text.as_str(), cut), ("é", true), "no half character");
        let (text, _) = capped_text(b"\xff<", 8, &[]);
        assert_eq!(text, "\u{FFFD}<");
    }
}
