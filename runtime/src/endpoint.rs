//! Static descriptions of providers and endpoints, emitted by the generator from the specs.
//!
//! These are plain `'static` data: the generated code declares one [`Provider`] per `provider.yaml` and one
//! [`EndpointInfo`] per endpoint file, and the [`crate::Client`] interprets them. Provider quirks (header
//! names, where values come from, signature recipes, timestamp style) are data here, never `if provider`.

use std::time::SystemTime;

use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use crate::envelope::Envelope;
use crate::signature::Recipe;
use crate::validate::BuildError;

pub use snapbi_rules::AuthKind;

pub use snapbi_descriptor::{EndpointInfo, Enveloped, HeaderSource, TimestampForm};

/// How a provider writes X-TIMESTAMP (and any other time a header of its carries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampStyle {
    /// ISO 8601 with the offset and fraction digits below, or whole Unix seconds (WooshPay's `t=`).
    pub form: TimestampForm,
    /// UTC offset as `±HH:MM` (ISO 8601).
    pub offset: &'static str,
    /// Digits after the seconds.
    pub fraction_digits: u8,
}

impl TimestampStyle {
    /// The current instant in this style, e.g. `2024-07-10T11:57:58+07:00`.
    pub fn now(&self) -> String {
        self.at(SystemTime::now())
    }

    /// `instant` in this style (the client reads the clock once per request and also makes the X-EXTERNAL-ID
    /// from it).
    pub fn at(&self, instant: SystemTime) -> String {
        if self.fraction_digits > 0 {
            return self.format(OffsetDateTime::from(instant));
        }
        // Whole-second timestamps change once a second: reuse the last one formatted on this thread, keyed by
        // the Unix second, so a request in the same second converts no date.
        thread_local! {
            static LAST: std::cell::RefCell<(i64, TimestampStyle, String)> = const {
                let style = TimestampStyle { form: TimestampForm::Iso8601, offset: "", fraction_digits: 0 };
                std::cell::RefCell::new((i64::MIN, style, String::new()))
            };
        }
        let second = unix_second(instant);
        LAST.with_borrow_mut(|(last, style, text)| {
            if *last != second || style != self {
                *text = self.format(OffsetDateTime::from(instant));
                (*last, *style) = (second, *self);
            }
            text.clone()
        })
    }

    /// `instant` in this style. An offset the generator let through always parses; if it somehow does
    /// not, UTC is used rather than the host's local zone.
    pub fn format(&self, instant: OffsetDateTime) -> String {
        if self.form == TimestampForm::UnixSeconds {
            return instant.unix_timestamp().to_string();
        }
        let offset = parse_offset(self.offset).unwrap_or(UtcOffset::UTC);
        let local = instant.to_offset(offset);
        let (year, month, day) = local.to_calendar_date();
        let (hour, minute, second, nanos) = local.to_hms_nano();
        let mut text = format!(
            "{year:04}-{:02}-{day:02}T{hour:02}:{minute:02}:{second:02}",
            u8::from(month)
        );
        if self.fraction_digits > 0 {
            let digits = format!("{nanos:09}");
            text.push('.');
            text.push_str(&digits[..usize::from(self.fraction_digits.min(9))]);
        }
        text.push_str(if offset == UtcOffset::UTC && self.offset == "Z" {
            "Z"
        } else {
            self.offset
        });
        text
    }

    /// The instant a received timestamp of this style names, `None` when it is not one: ISO 8601 as
    /// [`SnapTimestamp::parse`](crate::timestamp::SnapTimestamp::parse) reads it (any offset, optional millis), Unix
    /// seconds as decimal digits only (no sign, at most 12: a clock before year 33658).
    pub fn parse(&self, text: &str) -> Option<OffsetDateTime> {
        match self.form {
            TimestampForm::Iso8601 => crate::timestamp::SnapTimestamp::parse(text)
                .ok()
                .map(|t| t.to_offset_datetime()),
            TimestampForm::UnixSeconds => {
                let digits = !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit());
                let seconds: i64 = text.parse().ok().filter(|_| digits)?;
                OffsetDateTime::from_unix_timestamp(seconds).ok()
            }
        }
    }
}

/// Whole seconds since the Unix epoch, negative before it (rounded down, as `OffsetDateTime` does).
fn unix_second(instant: SystemTime) -> i64 {
    match instant.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            if before.subsec_nanos() > 0 { -whole - 1 } else { -whole }
        }
    }
}

fn parse_offset(offset: &str) -> Option<UtcOffset> {
    let b = offset.as_bytes();
    if offset == "Z" {
        return Some(UtcOffset::UTC);
    }
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign: i8 = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i8 = offset.get(1..3)?.parse().ok()?;
    let minutes: i8 = offset.get(4..6)?.parse().ok()?;
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

/// A provider profile (`provider.yaml`).
#[derive(Debug)]
pub struct Provider {
    /// Short name.
    pub name: &'static str,
    /// Display name.
    pub title: &'static str,
    /// (environment, base URL).
    pub base_urls: &'static [(&'static str, &'static str)],
    /// X-TIMESTAMP style.
    pub timestamp: TimestampStyle,
    /// The B2B token endpoint, when the provider uses tokens.
    pub token_endpoint: Option<&'static EndpointInfo>,
    /// The token endpoint's body, fixed by its spec (`{"grantType":"client_credentials"}`); empty without one.
    pub token_request: &'static [u8],
    /// Default CHANNEL-ID.
    pub channel_id: Option<&'static str>,
    /// Runtime-filled headers per auth kind.
    pub headers: &'static [(AuthKind, &'static [(&'static str, HeaderSource)])],
    /// Signature recipes per auth kind.
    pub signatures: &'static [(AuthKind, Recipe)],
    /// The SNAP standard's facts the client acts on (`specs/common/standard.yaml`): when to refresh the token,
    /// which status answers mean "never seen", a token's lifetime when the answer leaves it out.
    pub standard: &'static crate::retry::Standard,
    /// Message framings other than a bare SNAP body, which endpoints name in [`Enveloped::envelope`].
    pub envelopes: &'static [Envelope],
    /// How the provider's own JSON answers tell their code, when they are not SNAP bodies (DOKU non-SNAP).
    pub results: Option<&'static crate::Results>,
    /// How the provider signs its answers, per auth kind (DOKU's non-SNAP `Response-Timestamp` scheme).
    pub answer_signatures: &'static [(AuthKind, crate::SignedAnswer)],
    /// The header of the provider's idempotency key (DOKU's non-SNAP `Request-Id`, WooshPay's `Idempotency-Key`):
    /// a call keeps its key on every resend, and an answer lost is sent again under it.
    pub idempotency: Option<&'static crate::Idempotency>,
}

impl Provider {
    /// The headers the runtime fills for `auth`.
    pub fn headers_for(&self, auth: AuthKind) -> &'static [(&'static str, HeaderSource)] {
        self.headers
            .iter()
            .find(|(k, _)| *k == auth)
            .map(|(_, h)| *h)
            .unwrap_or(&[])
    }

    /// How the provider signs its answers to `auth` calls, if it does.
    pub fn answer_signature_for(&self, auth: AuthKind) -> Option<&'static crate::SignedAnswer> {
        self.answer_signatures.iter().find(|(k, _)| *k == auth).map(|(_, a)| a)
    }

    /// The signature recipe for `auth`.
    pub fn signature_for(&self, auth: AuthKind) -> Option<&Recipe> {
        self.signatures.iter().find(|(k, _)| *k == auth).map(|(_, r)| r)
    }

    /// The envelope called `name`, if the provider has one.
    pub fn envelope(&self, name: &str) -> Option<&Envelope> {
        self.envelopes.iter().find(|e| e.name == name)
    }

    /// The base URL of `environment`.
    pub fn base_url(&self, environment: &str) -> Option<&'static str> {
        self.base_urls
            .iter()
            .find(|(env, _)| *env == environment)
            .map(|(_, url)| *url)
    }
}

/// An endpoint with a validator of its JSON request body (the generated `ENDPOINTS` table).
#[derive(Debug)]
pub struct EndpointEntry {
    /// The endpoint.
    pub info: &'static EndpointInfo,
    /// Runs the generated validators of the request on a JSON body.
    pub validate_body: fn(Value) -> Result<(), BuildError>,
    /// Runs the generated validators of the caller-supplied headers on a JSON object of name → value.
    pub validate_headers: fn(Value) -> Result<(), BuildError>,
    /// Runs the generated validators of the path parameters on a JSON object of name → value (the decoded
    /// segments, for the sandbox and the CLI).
    pub validate_params: fn(Value) -> Result<(), BuildError>,
}

/// The (name, value) pairs of a generated `Headers` value: its serialized fields that are present strings.
pub fn header_pairs<H: serde::Serialize>(headers: &H) -> Vec<(String, String)> {
    // Generated headers serialize as a struct: its fields are collected directly, without building a JSON
    // object first (that costs a map and a copy of every name on each call). Anything that is not a struct
    // takes the general path, so the result is the same for every input.
    let mut pairs = Vec::new();
    match headers.serialize(StructFields { pairs: &mut pairs }) {
        Ok(()) => pairs,
        Err(_) => match serde_json::to_value(headers) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .filter_map(|(name, value)| match value {
                    Value::String(text) => Some((name, text)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// The (name, value) pairs of a generated `Params` value (an endpoint's path parameters), for
/// [`Client::call_at`](crate::Client::call_at): read like [`header_pairs`], since both are objects of string fields.
pub fn param_pairs<P: serde::Serialize>(params: &P) -> Vec<(String, String)> {
    header_pairs(params)
}

/// A serializer that accepts only a struct and keeps its string fields as (wire name, value) pairs.
struct StructFields<'a> {
    pairs: &'a mut Vec<(String, String)>,
}

impl serde::ser::SerializeStruct for StructFields<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        // The value's own serializer decides what it is; only strings become headers, as on the JSON path.
        if let Value::String(text) = serde_json::to_value(value)? {
            self.pairs.push((name.to_owned(), text));
        }
        Ok(())
    }

    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The methods of [`StructFields`] for everything but a struct: all refuse, sending the caller down the
/// general path.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Self::Error> {
            Err(serde::ser::Error::custom("not a struct"))
        })*
    };
}

impl<'a> serde::Serializer for StructFields<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = serde::ser::Impossible<(), Self::Error>;
    type SerializeTuple = serde::ser::Impossible<(), Self::Error>;
    type SerializeTupleStruct = serde::ser::Impossible<(), Self::Error>;
    type SerializeTupleVariant = serde::ser::Impossible<(), Self::Error>;
    type SerializeMap = serde::ser::Impossible<(), Self::Error>;
    type SerializeStruct = StructFields<'a>;
    type SerializeStructVariant = serde::ser::Impossible<(), Self::Error>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Self::Error> {
        Ok(self)
    }

    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }

    fn serialize_some<T: serde::Serialize + ?Sized>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Self::Error> {
        Err(serde::ser::Error::custom("not a struct"))
    }

    not_a_struct! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn header_pairs_keep_the_present_string_fields() {
        #[derive(serde::Serialize)]
        struct Headers {
            #[serde(rename = "X-DEVICE-ID")]
            device: String,
            #[serde(rename = "X-IP-ADDRESS", skip_serializing_if = "Option::is_none")]
            ip: Option<String>,
            #[serde(rename = "X-COUNT")]
            count: u32,
        }
        let headers = Headers {
            device: "device42".into(),
            ip: None,
            count: 3,
        };
        assert_eq!(
            header_pairs(&headers),
            [("X-DEVICE-ID".to_owned(), "device42".to_owned())]
        );
        // Not a struct: the same pairs through the general path.
        let map = serde_json::json!({"X-DEVICE-ID": "device42", "X-COUNT": 3});
        assert_eq!(header_pairs(&map), [("X-DEVICE-ID".to_owned(), "device42".to_owned())]);
        assert!(header_pairs(&"text").is_empty());
    }

    #[test]
    fn timestamps_follow_the_provider_style() {
        let instant = datetime!(2020-12-17 03:55:00.123456 UTC);
        let wib = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+07:00",
            fraction_digits: 0,
        };
        assert_eq!(wib.format(instant), "2020-12-17T10:55:00+07:00");
        let millis = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+07:00",
            fraction_digits: 3,
        };
        assert_eq!(millis.format(instant), "2020-12-17T10:55:00.123+07:00");
        let utc = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+00:00",
            fraction_digits: 0,
        };
        assert_eq!(utc.format(instant), "2020-12-17T03:55:00+00:00");
    }

    #[test]
    fn unix_seconds_are_written_and_read_as_decimal_digits_only() {
        let unix = TimestampStyle {
            form: TimestampForm::UnixSeconds,
            offset: "Z",
            fraction_digits: 0,
        };
        // WooshPay's example header `t=1492774577`.
        let instant = datetime!(2017-04-21 11:36:17.9 UTC);
        assert_eq!(unix.format(instant), "1492774577");
        assert_eq!(unix.parse("1492774577"), Some(datetime!(2017-04-21 11:36:17 UTC)));
        for bad in ["", "-1", "+1", "1492774577.5", "2017-04-21T11:36:17Z", "1234567890123"] {
            assert_eq!(unix.parse(bad), None, "{bad:?}");
        }
        let iso = TimestampStyle {
            form: TimestampForm::Iso8601,
            ..unix
        };
        assert_eq!(
            iso.parse("2017-04-21T11:36:17Z"),
            Some(datetime!(2017-04-21 11:36:17 UTC))
        );
        assert_eq!(iso.parse("1492774577"), None);
    }

    #[test]
    fn timestamps_at_an_instant_match_the_formatter_across_seconds_and_styles() {
        let wib = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+07:00",
            fraction_digits: 0,
        };
        let utc = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+00:00",
            fraction_digits: 0,
        };
        let millis = TimestampStyle {
            form: TimestampForm::Iso8601,
            offset: "+07:00",
            fraction_digits: 3,
        };
        let base = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_608_177_300);
        // Within a second, across a second and back, style after style: the cache never shows a stale text.
        for offset_ms in [0i64, 999, 1_000, 0, -1, -1_000, -1_001] {
            let instant = if offset_ms >= 0 {
                base + std::time::Duration::from_millis(offset_ms.unsigned_abs())
            } else {
                base - std::time::Duration::from_millis(offset_ms.unsigned_abs())
            };
            for style in [wib, utc, millis] {
                assert_eq!(
                    style.at(instant),
                    style.format(OffsetDateTime::from(instant)),
                    "{offset_ms} {style:?}"
                );
            }
        }
        // Before the epoch the second is rounded down, as the formatter does.
        let before_epoch = std::time::UNIX_EPOCH - std::time::Duration::from_millis(1_500);
        assert_eq!(unix_second(before_epoch), -2);
        assert_eq!(wib.at(before_epoch), "1970-01-01T06:59:58+07:00");
    }
}
