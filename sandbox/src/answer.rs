//! SNAP answers: a response code for the endpoint's service code, its published message from the IR's case
//! table with `{field}` / `{reason}` filled in, the HTTP status equal to the code's first three digits, and
//! the standard's response headers.
//!
//! Every answer also carries `X-Sandbox-Reason` when the sandbox refused something, saying why in words
//! (which header, which limit, which rule), so a developer need not guess from `Bad Request` alone. It never
//! holds a secret: reasons name headers and fields, never their signed or secret values.

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value};
use snapbi_spec::ir::{Api, EndpointCode, OwnRefusal, Results, Situation, Text};
use time::{OffsetDateTime, UtcOffset};

/// Header explaining a refusal in words (sandbox-only, never sent by a real provider).
pub const REASON_HEADER: &str = "x-sandbox-reason";

/// What fills the placeholders of a case message.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fill<'a> {
    /// Replaces `{field}`: a header name or a wire path.
    pub(crate) field: Option<&'a str>,
    /// Replaces `{reason}`.
    pub(crate) reason: Option<&'a str>,
    /// `field` is a header's name, not a body field's path.
    pub(crate) header: bool,
}

impl<'a> Fill<'a> {
    pub(crate) fn field(field: &'a str) -> Self {
        Self {
            field: Some(field),
            ..Self::default()
        }
    }

    pub(crate) fn header(name: &'a str) -> Self {
        Self {
            field: Some(name),
            header: true,
            ..Self::default()
        }
    }

    pub(crate) fn reason(reason: &'a str) -> Self {
        Self {
            reason: Some(reason),
            ..Self::default()
        }
    }
}

/// A decided answer, not yet turned into HTTP.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    /// HTTP status (the first three digits of the code).
    pub(crate) status: u16,
    /// The JSON body, `responseCode` and `responseMessage` first.
    pub(crate) body: Map<String, Value>,
    /// Why the sandbox refused, for `X-Sandbox-Reason` (boxed: answers travel in `Result`s).
    pub(crate) reason: Option<Box<str>>,
    /// Extra response headers (X-CLIENT-KEY on token answers); a boxed slice, for the same reason.
    pub(crate) headers: Box<[(HeaderName, String)]>,
    /// `body` serialized, once it was (a remembered answer is serialized to be kept; the same bytes are
    /// sent). Every change of `body` clears it. Boxed: answers travel in `Result`s and should stay small.
    pub(crate) serialized: Option<Box<Bytes>>,
}

impl Answer {
    /// The answer to `situation` under `service`: the case the standard's data gives it (`standard.yaml`, `cases`).
    pub(crate) fn to(api: &Api, service: &str, situation: Situation, fill: Fill<'_>) -> Self {
        match api.standard.case(situation) {
            Some(case) => Self::snap(api, service, case.http, &case.case, fill),
            None => Self::unanswerable(format!("the standard's data gives no case for {situation:?}")),
        }
    }

    /// The answer to `situation` of a provider whose answers are its own JSON (`results.refusals` of its file):
    /// the first refusal for the situation whose reason and place (header or body) fit, its strings filled.
    pub(crate) fn own(refusals: &[OwnRefusal], situation: Situation, fill: Fill<'_>) -> Self {
        let fits = |r: &&OwnRefusal| {
            r.situation == situation
                && r.reason.as_deref().is_none_or(|reason| fill.reason == Some(reason))
                && r.header.is_none_or(|header| header == fill.header)
        };
        let Some(refusal) = refusals.iter().find(fits) else {
            return Self::unanswerable(format!("the provider's `results.refusals` give none for {situation:?}"));
        };
        let Value::Object(body) = fill_strings(refusal.body.clone(), fill) else {
            return Self::unanswerable("a refusal's body is not a JSON object".into());
        };
        Self {
            status: refusal.http,
            body,
            reason: None,
            headers: Box::default(),
            serialized: None,
        }
    }

    /// HTTP 200 with an empty body, for the facts of a successful call in a provider's own JSON.
    pub(crate) fn facts() -> Self {
        Self {
            status: 200,
            body: Map::new(),
            reason: None,
            headers: Box::default(),
            serialized: None,
        }
    }

    /// The same answer carrying `code` where its provider's own JSON reads it: the endpoint's `status_field`, else
    /// the first of the provider's code places.
    pub(crate) fn own_code(mut self, results: &Results, status_field: Option<&[Text]>, code: &str) -> Self {
        let mut body = Value::Object(std::mem::take(&mut self.body));
        if let Some(at) = status_field.or(results.code.first().map(|p| &**p)) {
            insert_at(&mut body, at, Value::String(code.to_owned()));
        }
        if let Value::Object(members) = body {
            self.body = members;
        }
        self.serialized = None;
        self
    }

    /// A refusal with a code the endpoint declares in its provider's own JSON: its HTTP status, the code at its
    /// place (`at`, else the first of the provider's code places) and its message at the message place of the same
    /// rank (DOKU: `error.code` with `error.message`, or `message[0]` alone).
    pub(crate) fn own_declared(results: &Results, declared: &EndpointCode) -> Self {
        let place = |at: &Vec<String>| {
            let at = at.iter().map(String::as_str);
            results.code.iter().position(|p| p.iter().map(|s| &**s).eq(at.clone()))
        };
        let rank = declared.at.as_ref().and_then(place).unwrap_or(0);
        let mut body = Value::Object(Map::new());
        if let Some(at) = results.code.get(rank) {
            insert_at(&mut body, at, Value::String(declared.code.clone()));
        }
        if let Some(at) = results.message.get(rank) {
            insert_at(&mut body, at, Value::String(declared.message.clone()));
        }
        let Value::Object(body) = body else {
            return Self::unanswerable("a provider's code place is not inside an object".into());
        };
        Self {
            status: declared.http,
            body,
            reason: None,
            headers: Box::default(),
            serialized: None,
        }
    }

    /// HTTP 500 with an empty body and the reason: the data gives no answer, and none is made up. The builder refuses
    /// such data (`SandboxError::Standard`), so only an API changed in a way it cannot see ends here.
    fn unanswerable(reason: String) -> Self {
        Self {
            status: 500,
            body: Map::new(),
            reason: Some(reason.into_boxed_str()),
            headers: Box::default(),
            serialized: None,
        }
    }

    /// The answer `{http}{service}{case}` with the case table's message.
    pub(crate) fn snap(api: &Api, service: &str, http: u16, case: &str, fill: Fill<'_>) -> Self {
        let mut body = Map::new();
        body.insert("responseCode".into(), Value::String(format!("{http}{service}{case}")));
        body.insert("responseMessage".into(), Value::String(message(api, http, case, fill)));
        Self {
            status: http,
            body,
            reason: None,
            headers: Box::default(),
            serialized: None,
        }
    }

    /// The same answer explaining itself in `X-Sandbox-Reason`.
    pub(crate) fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into().into_boxed_str());
        self
    }

    /// The same answer explaining itself in `X-Sandbox-Reason` and in `additionalInfo.reason`, for refusals
    /// that are about using the sandbox itself (an undeclared scenario code).
    pub(crate) fn explained(mut self, reason: &str) -> Self {
        let info = serde_json::json!({ "reason": reason });
        self.body.insert("additionalInfo".into(), info);
        self.serialized = None;
        self.because(reason)
    }

    /// Whether the code is a 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Replaces the response code (and its message) keeping the rest of the body: a forced 2xx scenario. A code that
    /// is not seven digits (the lowering lets none be declared) leaves the answer as it is.
    pub(crate) fn recode(mut self, api: &Api, code: &str) -> Self {
        let Some((http, case)) = split_code(code) else {
            return self.because(format!(
                "scenario code {code:?} is not seven digits; the answer is unchanged"
            ));
        };
        self.serialized = None;
        self.status = http;
        self.body.insert("responseCode".into(), Value::String(code.to_owned()));
        self.body.insert(
            "responseMessage".into(),
            Value::String(message(api, http, case, Fill::default())),
        );
        self
    }

    /// The body serialized (once).
    pub(crate) fn serialized(&mut self) -> Bytes {
        let body = &self.body;
        let bytes = self
            .serialized
            .get_or_insert_with(|| Box::new(Bytes::from(serde_json::to_vec(body).unwrap_or_default())));
        Bytes::clone(bytes)
    }

    /// The HTTP response: JSON body, Content-Type, X-TIMESTAMP in the provider's style, and the reason.
    pub(crate) fn into_response(mut self, clock: &Clock) -> Response {
        let bytes = self.serialized();
        let mut response = Response::new(Body::from(bytes));
        // Content-Type, X-TIMESTAMP and the few others, in one allocation.
        response.headers_mut().reserve(4 + self.headers.len());
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = clock.with_now(HeaderValue::from_str) {
            headers.insert(HeaderName::from_static("x-timestamp"), value);
        }
        if let Some(reason) = self.reason.as_deref().and_then(header_text) {
            headers.insert(HeaderName::from_static(REASON_HEADER), reason);
        }
        for (name, value) in self.headers.into_vec() {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// `4005401` → HTTP 400 and case `01`; the service digits are the endpoint's own. `None` for anything but seven digits: a code
/// that cannot be read gets no HTTP status or case made up for it.
pub(crate) fn split_code(code: &str) -> Option<(u16, &str)> {
    if code.len() != 7 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((code.get(..3)?.parse().ok()?, code.get(5..)?))
}

/// The case table's message of a seven-digit code, as published (`2005400` → `Successful`).
pub(crate) fn published_message<'a>(api: &'a Api, code: &str) -> Option<&'a str> {
    let (http, case) = split_code(code)?;
    api.codes.case(http, case).map(|c| &*c.message)
}

/// The case table's message for `(http, case)` with its placeholders filled.
fn message(api: &Api, http: u16, case: &str, fill: Fill<'_>) -> String {
    let template = api
        .codes
        .case(http, case)
        .map(|c| &*c.message)
        .unwrap_or("General Error");
    filled(template, fill)
}

/// A message template with `{field}` and `{reason}` filled.
fn filled(template: &str, fill: Fill<'_>) -> String {
    // Most messages have no placeholder (`Successful`): then the text is the template's, copied once.
    if !template.contains('{') {
        return template.to_owned();
    }
    template
        .replace("{field}", fill.field.unwrap_or("request"))
        .replace("{reason}", fill.reason.unwrap_or("Sandbox Scenario"))
}

/// Puts `value` at wire path `at` of `body`, making what is on the way: an object for a member name, a list for
/// an index (`error.code` → `{"error":{"code":…}}`, `message`, `0` → `{"message":[…]}`).
fn insert_at(body: &mut Value, at: &[Text], value: Value) {
    let Some((segment, rest)) = at.split_first() else {
        *body = value;
        return;
    };
    let slot = match segment.parse::<usize>() {
        Ok(index) => {
            if !body.is_array() {
                *body = Value::Array(Vec::new());
            }
            let Value::Array(items) = body else { return };
            if items.len() <= index {
                items.resize(index + 1, Value::Null);
            }
            &mut items[index]
        }
        Err(_) => {
            if !body.is_object() {
                *body = Value::Object(Map::new());
            }
            let Value::Object(members) = body else { return };
            members.entry(segment.to_string()).or_insert(Value::Null)
        }
    };
    insert_at(slot, rest, value);
}

/// Every string of `value` with `{field}` and `{reason}` filled.
fn fill_strings(value: Value, fill: Fill<'_>) -> Value {
    match value {
        Value::String(text) => Value::String(filled(&text, fill)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| fill_strings(v, fill)).collect()),
        Value::Object(members) => Value::Object(members.into_iter().map(|(k, v)| (k, fill_strings(v, fill))).collect()),
        other => other,
    }
}

/// A header value from free text: visible ASCII only (anything else becomes `?`), at most 300 characters.
fn header_text(text: &str) -> Option<HeaderValue> {
    let clean: String = text
        .chars()
        .take(300)
        .map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' })
        .collect();
    HeaderValue::from_str(&clean).ok()
}

/// The provider's clock style: SNAP timestamps `YYYY-MM-DDTHH:mm:ss±HH:MM` at its UTC offset.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    offset: UtcOffset,
    offset_text: String,
}

impl Clock {
    /// The clock of a provider whose X-TIMESTAMP offset is `offset_text` (`+07:00`); an offset that does
    /// not parse (the loader rules that out) falls back to UTC rather than the host's zone.
    pub(crate) fn new(offset_text: &str) -> Self {
        // The runtime's parser knows SNAP offsets; borrowing it avoids a second offset parser.
        let probe = format!("2000-01-01T00:00:00{offset_text}");
        match snapbi_runtime::timestamp::SnapTimestamp::parse(&probe) {
            Ok(ts) => Self {
                offset: ts.to_offset_datetime().offset(),
                offset_text: offset_text.to_owned(),
            },
            Err(_) => Self {
                offset: UtcOffset::UTC,
                offset_text: "+00:00".to_owned(),
            },
        }
    }

    /// Now, as a SNAP timestamp.
    pub(crate) fn now(&self) -> String {
        self.with_now(str::to_owned)
    }

    /// `read` of now as a SNAP timestamp, without a copy of it.
    fn with_now<R>(&self, read: impl FnOnce(&str) -> R) -> R {
        // A call formats "now" several times (X-TIMESTAMP, record times, reference numbers) and the text
        // changes once a second: reuse the last one formatted on this thread.
        thread_local! {
            static LAST: std::cell::RefCell<(i64, String, String)> = const {
                std::cell::RefCell::new((i64::MIN, String::new(), String::new()))
            };
        }
        let now = OffsetDateTime::now_utc();
        LAST.with_borrow_mut(|(second, offset, text)| {
            if *second != now.unix_timestamp() || *offset != self.offset_text {
                *text = self.format(now);
                *second = now.unix_timestamp();
                offset.clone_from(&self.offset_text);
            }
            read(text)
        })
    }

    /// `instant` as a SNAP timestamp at this clock's offset.
    pub(crate) fn format(&self, instant: OffsetDateTime) -> String {
        self.format_fraction(instant, 0)
    }

    /// `instant` at this clock's offset, with `digits` digits (at most 9) of the second's fraction after the
    /// seconds: a provider's `timestamp.fraction_digits`, or 3 for the milliseconds of a delivery record.
    pub(crate) fn format_fraction(&self, instant: OffsetDateTime, digits: u8) -> String {
        let local = instant.to_offset(self.offset);
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            local.year(),
            u8::from(local.month()),
            local.day(),
            local.hour(),
            local.minute(),
            local.second(),
        );
        if digits > 0 {
            let nanos = format!("{:09}", local.nanosecond());
            text.push('.');
            text.push_str(nanos.get(..usize::from(digits.min(9))).unwrap_or_default());
        }
        text.push_str(&self.offset_text);
        text
    }

    /// `read` of today's date at this clock's offset, `YYYY-MM-DD` (X-EXTERNAL-ID is unique per day), without a copy
    /// of it.
    pub(crate) fn with_today<R>(&self, read: impl FnOnce(&str) -> R) -> R {
        self.with_now(|now| read(now.get(..10).unwrap_or_default()))
    }

    /// Digits of now, `YYYYMMDDHHmmss`, written after `out`: the prefix of generated reference numbers.
    pub(crate) fn push_digits(&self, out: &mut String) {
        self.with_now(|now| out.extend(now.chars().take(19).filter(char::is_ascii_digit)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn clock_formats_at_the_provider_offset() {
        let clock = Clock::new("+07:00");
        assert_eq!(
            clock.format(datetime!(2020-12-17 03:55:00.9 UTC)),
            "2020-12-17T10:55:00+07:00"
        );
        assert_eq!(
            clock.format_fraction(datetime!(2020-12-17 03:55:00.012_345 UTC), 3),
            "2020-12-17T10:55:00.012+07:00"
        );
        assert_eq!(
            clock.format_fraction(datetime!(2020-12-17 03:55:00.9 UTC), 12),
            "2020-12-17T10:55:00.900000000+07:00"
        );
        assert!(snapbi_rules::is_snap_datetime(&clock.now()));
        let mut digits = String::new();
        clock.push_digits(&mut digits);
        assert_eq!(digits.len(), 14);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            Clock::new("junk").format(datetime!(2020-12-17 03:55:00 UTC)),
            "2020-12-17T03:55:00+00:00"
        );
    }

    #[test]
    fn codes_split_and_reasons_are_header_safe() {
        assert_eq!(split_code("4045418"), Some((404, "18")));
        assert_eq!(split_code("x"), None);
        assert_eq!(split_code("40454180"), None);
        assert_eq!(split_code("404541x"), None);
        let value = header_text("bad\nvalue é").map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(value.as_deref(), Some("bad?value ?"));
    }
}
