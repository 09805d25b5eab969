//! SNAP timestamps: produces `X-TIMESTAMP` values and parses the forms providers send
//! (SNAP standard §1, §4.1, §6.1).
//!
//! Outgoing values are always `YYYY-MM-DDTHH:mm:ss+07:00` (25 characters, no millis) because
//! DANA rejects anything else and every other provider accepts it. They are computed from UTC
//! with a fixed +07:00 offset rather than the host's local zone, so a server running in UTC
//! still produces Jakarta time. Incoming values keep their exact text, because signatures are
//! computed over the header value as received.

use std::fmt;
use std::str::FromStr;

use time::macros::{datetime, offset};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::endpoint::TimestampStyle;

/// Length of the strict SNAP date-time form `YYYY-MM-DDTHH:mm:ss+07:00`.
pub const SNAP_DATETIME_LEN: usize = 25;

/// Western Indonesia Time (WIB), the offset SNAP timestamps are sent in.
pub const SNAP_OFFSET: UtcOffset = offset!(+7);

/// An `X-TIMESTAMP` value together with the instant it denotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnapTimestamp {
    text: String,
    instant: OffsetDateTime,
}

/// Why a string is not a SNAP timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid SNAP timestamp {input:?}: {reason}; expected YYYY-MM-DDTHH:mm:ss+07:00, \
     optionally with .SSS millis, any ±HH:MM offset or Z"
)]
pub struct TimestampError {
    /// The rejected text, cut to 40 characters so a huge header cannot flood the logs.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl SnapTimestamp {
    /// The current instant in +07:00, e.g. `2020-12-17T10:55:00+07:00`.
    pub fn now() -> Self {
        Self::at(OffsetDateTime::now_utc())
    }

    /// `instant` converted to +07:00 and truncated to whole seconds.
    ///
    /// The SNAP form has exactly four year digits, so instants outside years 0000–9999 (in
    /// +07:00) are clamped to that range instead of producing a malformed header; no real
    /// clock gets there.
    pub fn at(instant: OffsetDateTime) -> Self {
        const MIN: OffsetDateTime = datetime!(0000-01-01 00:00:00 +07:00);
        const MAX: OffsetDateTime = datetime!(9999-12-31 23:59:59 +07:00);
        let instant = if instant < MIN {
            MIN
        } else if instant > MAX {
            MAX
        } else {
            // In range, so the conversion cannot overflow; `MAX` is only a formal fallback.
            instant.checked_to_offset(SNAP_OFFSET).unwrap_or(MAX)
        }
        .truncate_to_second();
        // One formatter for every timestamp the runtime writes: the provider styles' (here WIB, whole seconds).
        const WIB: TimestampStyle = TimestampStyle {
            form: crate::endpoint::TimestampForm::Iso8601,
            offset: "+07:00",
            fraction_digits: 0,
        };
        let text = WIB.format(instant);
        Self { text, instant }
    }

    /// Parses a received timestamp, keeping its exact text for signature checks.
    ///
    /// Accepts `YYYY-MM-DDTHH:mm:ss` optionally followed by `.SSS` (exactly three digits, as
    /// the standard's pattern says), then `Z` or a `±HH:MM` offset. The date and time must
    /// exist on the calendar.
    ///
    /// # Errors
    ///
    /// [`TimestampError`] naming what is wrong.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let instant = parse_parts(s.as_bytes()).map_err(|reason| TimestampError {
            input: s.chars().take(40).collect(),
            reason,
        })?;
        Ok(Self {
            text: s.to_owned(),
            instant,
        })
    }

    /// The text as sent or received, for the `X-TIMESTAMP` header and the string to sign.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant, in the offset the text was written in.
    pub fn to_offset_datetime(&self) -> OffsetDateTime {
        self.instant
    }
}

impl fmt::Display for SnapTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for SnapTimestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for SnapTimestamp {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Whether `s` is exactly `YYYY-MM-DDTHH:mm:ss±HH:MM` (25 characters) naming a real calendar
/// date and time, the form of SNAP body fields such as `validUpTo` and `transactionDate`.
///
/// Stricter than [`SnapTimestamp::parse`]: no millis and no `Z`. The rule lives in `snapbi-rules`, so the
/// validators, the sandbox and this function agree.
pub fn is_snap_datetime(s: &str) -> bool {
    snapbi_rules::is_snap_datetime(s)
}

/// Hand-written instead of a `time` format description so that the accepted forms are
/// exactly the SNAP ones and each rejection gets a specific reason.
fn parse_parts(s: &[u8]) -> Result<OffsetDateTime, &'static str> {
    const SHAPE: &str = "wrong shape";
    if s.len() < 20 {
        return Err("too short");
    }
    let year = digits(s, 0, 4)?;
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    let hour = digits(s, 11, 2)?;
    let minute = digits(s, 14, 2)?;
    let second = digits(s, 17, 2)?;
    if s[4] != b'-' || s[7] != b'-' || s[13] != b':' || s[16] != b':' {
        return Err(SHAPE);
    }
    if s[10] != b'T' {
        return Err("date and time must be separated by an upper-case 'T'");
    }

    let mut rest = &s[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        millis = digits(fraction, 0, 3).map_err(|_| "milliseconds must be exactly 3 digits")?;
        rest = &fraction[3..];
    }

    let offset = match rest {
        b"Z" => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2], 0, 2)?;
            let minutes = digits(&[*m1, *m2], 0, 2)?;
            if hours > 23 || minutes > 59 {
                return Err("offset out of range");
            }
            let (hours, minutes) = if *sign == b'-' {
                (-(hours as i8), -(minutes as i8))
            } else {
                (hours as i8, minutes as i8)
            };
            UtcOffset::from_hms(hours, minutes, 0).map_err(|_| "offset out of range")?
        }
        _ => return Err("expected a ±HH:MM offset or Z at the end"),
    };

    let month = Month::try_from(month as u8).map_err(|_| "no such month")?;
    let date = Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| "no such day in that month")?;
    let time = Time::from_hms_milli(hour as u8, minute as u8, second as u8, millis as u16)
        .map_err(|_| "no such time of day")?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Reads `len` ASCII digits at `at`.
fn digits(s: &[u8], at: usize, len: usize) -> Result<u32, &'static str> {
    let field = s.get(at..at + len).ok_or("too short")?;
    field.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            Ok(acc * 10 + u32::from(b - b'0'))
        } else {
            Err("expected a digit")
        }
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn parse(s: &str) -> SnapTimestamp {
        SnapTimestamp::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn at_formats_in_jakarta_time_without_millis() {
        let ts = SnapTimestamp::at(datetime!(2020-12-17 03:55:00.987 UTC));
        assert_eq!(ts.as_str(), "2020-12-17T10:55:00+07:00");
        assert_eq!(ts.as_str().len(), SNAP_DATETIME_LEN);
        let ts = SnapTimestamp::at(datetime!(2021-01-01 05:00:00 +09:00));
        assert_eq!(ts.as_str(), "2021-01-01T03:00:00+07:00");
        let ts = SnapTimestamp::at(datetime!(2023-12-31 20:30:00 -05:00));
        assert_eq!(ts.as_str(), "2024-01-01T08:30:00+07:00");
    }

    #[test]
    fn now_has_the_snap_shape() {
        let ts = SnapTimestamp::now();
        assert_eq!(ts.as_str().len(), SNAP_DATETIME_LEN);
        assert!(ts.as_str().ends_with("+07:00"));
        assert!(is_snap_datetime(ts.as_str()), "{ts}");
        assert_eq!(parse(ts.as_str()), ts);
    }

    #[test]
    fn out_of_range_instants_are_clamped() {
        let ts = SnapTimestamp::at(datetime!(9999-12-31 23:00:00 UTC));
        assert_eq!(ts.as_str(), "9999-12-31T23:59:59+07:00");
        let ts = SnapTimestamp::at(datetime!(-0001-06-01 00:00:00 UTC));
        assert_eq!(ts.as_str(), "0000-01-01T00:00:00+07:00");
    }

    #[test]
    fn parse_accepts_the_snap_forms_and_keeps_the_text() {
        let base = datetime!(2020-12-17 10:55:00 +07:00);
        for (text, instant) in [
            ("2020-12-17T10:55:00+07:00", base),
            ("2020-12-17T10:55:00.000+07:00", base),
            ("2020-12-17T03:55:00Z", base),
            ("2020-12-17T03:55:00.000Z", base),
            ("2020-12-17T05:25:00+01:30", base),
            ("2020-12-16T22:55:00-05:00", base),
            (
                "2020-12-17T10:55:00.123+07:00",
                base + time::Duration::milliseconds(123),
            ),
        ] {
            let ts = parse(text);
            assert_eq!(ts.as_str(), text);
            assert_eq!(ts.to_string(), text);
            assert_eq!(ts.to_offset_datetime(), instant, "{text}");
        }
        assert_eq!(
            parse("2020-12-16T22:55:00-05:00").to_offset_datetime().offset(),
            offset!(-5)
        );
        assert_eq!(
            "2020-12-17T03:55:00Z".parse::<SnapTimestamp>().map(|t| t.instant),
            Ok(base)
        );
    }

    #[test]
    fn parse_rejects_everything_else() {
        for text in [
            "",
            "2020-12-17",
            "2020-12-17T10:55:00",
            "2020-12-17 10:55:00+07:00",
            "2020-12-17t10:55:00+07:00",
            "2020-12-17T10:55:00+0700",
            "2020-12-17T10:55:00+07",
            "2020-12-17T10:55:00z",
            "2020-12-17T10:55:00.1+07:00",
            "2020-12-17T10:55:00.1234+07:00",
            "2020-12-17T10:55+07:00",
            "2020-13-17T10:55:00+07:00",
            "2021-02-29T10:55:00+07:00",
            "2020-12-17T24:00:00+07:00",
            "2020-12-17T10:60:00+07:00",
            "2020-12-17T10:55:60+07:00",
            "2020-12-17T10:55:00+24:00",
            "2020-12-17T10:55:00+07:60",
            "2020-12-17T10:55:00+07:00 ",
            "２０２０-12-17T10:55:00+07:00",
            "1608177300",
        ] {
            let result = SnapTimestamp::parse(text);
            assert!(result.is_err(), "{text:?} should be rejected, got {result:?}");
        }
        let e = SnapTimestamp::parse("2021-02-29T10:55:00+07:00").err();
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("no such day"), "{e}");
        let long = "x".repeat(1000);
        let e = SnapTimestamp::parse(&long).err().map(|e| e.input);
        assert_eq!(e.map(|i| i.len()), Some(40));
    }

    #[test]
    fn is_snap_datetime_is_strict() {
        assert!(is_snap_datetime("2024-02-29T23:59:59+07:00"));
        assert!(is_snap_datetime("2024-01-01T00:00:00-03:30"));
        assert!(is_snap_datetime("2024-01-01T00:00:00+00:00"));
        for text in [
            "2023-02-29T23:59:59+07:00",
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.000+07:00",
            "2024-01-01T00:00:00.000Z",
            "2024-01-01T00:00:00+07:00Z",
            "2024-01-01 00:00:00+07:00",
            "2024-1-01T00:00:00+07:00 ",
            "",
        ] {
            assert!(!is_snap_datetime(text), "{text:?}");
        }
    }
}
