//! `snapbi-rules`: the single definition of what a valid SNAP field value is, and of the small vocabulary
//! that specs and generated code share ([`Outcome`], [`AuthKind`], [`Algorithm`]).
//!
//! The generator (checking spec examples and enum values, building sample values), the runtime (validating
//! request fields) and the sandbox (validating bodies at run time) all call these functions, so the three
//! can never disagree about a length, a charset or a datetime. Lengths count Unicode scalar values
//! (characters), as the SNAP tables do. No dependencies (serde_json only with the `json` feature): this
//! crate is small and built everywhere.

#![forbid(unsafe_code)]

pub mod conditional;
mod vocabulary;

pub use conditional::{Condition, Document, Found, List, Path, Rule, Text, When, check_rules};
pub use vocabulary::{Algorithm, AuthKind, Outcome};

use std::fmt;

/// Allowed characters of a string field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charset {
    /// `0-9` only.
    Digits,
    /// ASCII letters and digits only.
    Alphanumeric,
}

/// A well-known string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Dotted-quad IPv4 address, e.g. `10.0.0.1`.
    Ipv4,
}

/// Why a value breaks its field's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Fewer characters than allowed.
    TooShort {
        /// The minimum.
        min: u32,
        /// The value's length in characters.
        len: usize,
    },
    /// More characters than allowed.
    TooLong {
        /// The maximum.
        max: u32,
        /// The value's length in characters.
        len: usize,
    },
    /// A character outside the charset.
    Charset(Charset),
    /// Not in the format.
    Format(Format),
    /// Not one of the allowed values.
    NotAllowed {
        /// The allowed values.
        allowed: Vec<String>,
    },
    /// Does not match the field's pattern.
    Pattern(String),
    /// Not a decimal with the given digits.
    Decimal {
        /// Most digits before the point.
        integer_digits: u32,
        /// Exact digits after the point.
        fraction_digits: u32,
    },
    /// Not a SNAP datetime.
    DateTime,
    /// An integer outside its range.
    OutOfRange {
        /// Smallest allowed.
        min: Option<i64>,
        /// Largest allowed.
        max: Option<i64>,
    },
    /// A list with too few items.
    TooFewItems {
        /// The minimum.
        min: u32,
        /// Items present.
        len: usize,
    },
    /// A list with too many items.
    TooManyItems {
        /// The maximum.
        max: u32,
        /// Items present.
        len: usize,
    },
    /// Neither this field nor any of its alternatives is present.
    MissingOneOf {
        /// Wire paths of the alternatives.
        others: Vec<String>,
    },
    /// Absent although a condition makes it required.
    RequiredWhen(Condition),
    /// Breaks a rule that a condition adds (a per-channel length, a narrowed set of values).
    When {
        /// The broken rule.
        problem: Box<Problem>,
        /// Why it applies.
        condition: Condition,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::TooShort { min, len } => write!(f, "is {len} characters, at least {min} required"),
            Problem::TooLong { max, len } => write!(f, "is {len} characters, at most {max} allowed"),
            Problem::Charset(Charset::Digits) => f.write_str("must contain digits only"),
            Problem::Charset(Charset::Alphanumeric) => f.write_str("must contain ASCII letters and digits only"),
            Problem::Format(Format::Ipv4) => f.write_str("must be an IPv4 address like 10.0.0.1"),
            Problem::NotAllowed { allowed } => write!(f, "must be one of: {}", allowed.join(", ")),
            Problem::Pattern(p) => write!(f, "must match {p}"),
            Problem::Decimal {
                integer_digits,
                fraction_digits,
            } => write!(
                f,
                "must be a decimal with 1 to {integer_digits} digits before the point and exactly {fraction_digits} after it, e.g. {}",
                decimal_example(*fraction_digits)
            ),
            Problem::DateTime => f.write_str("must be a datetime like 2024-07-10T11:57:58+07:00"),
            Problem::OutOfRange { min, max } => match (min, max) {
                (Some(lo), Some(hi)) => write!(f, "must be between {lo} and {hi}"),
                (Some(lo), None) => write!(f, "must be at least {lo}"),
                (None, Some(hi)) => write!(f, "must be at most {hi}"),
                (None, None) => f.write_str("is out of range"),
            },
            Problem::TooFewItems { min, len } => write!(f, "has {len} items, at least {min} required"),
            Problem::TooManyItems { max, len } => write!(f, "has {len} items, at most {max} allowed"),
            Problem::MissingOneOf { others } => write!(f, "give this or {}", others.join(" or ")),
            Problem::RequiredWhen(condition) => write!(f, "is required when {condition}"),
            Problem::When { problem, condition } => write!(f, "{problem} when {condition}"),
        }
    }
}

fn decimal_example(fraction_digits: u32) -> String {
    if fraction_digits == 0 {
        "10000".to_owned()
    } else {
        format!("10000.{}", "0".repeat(fraction_digits as usize))
    }
}

/// Length limits in characters; `None` means unbounded.
pub fn check_length(value: &str, min: Option<u32>, max: Option<u32>) -> Result<(), Problem> {
    // A UTF-8 character takes 1 to 4 bytes, so when the byte length alone shows the value within both
    // limits the characters need not be counted (the usual case: limits are far from typical values).
    let bytes = value.len();
    let short_enough = max.is_none_or(|max| bytes <= max as usize);
    let long_enough = min.is_none_or(|min| bytes / 4 >= min as usize);
    if short_enough && long_enough {
        return Ok(());
    }
    let len = value.chars().count();
    if let Some(min) = min.filter(|m| len < *m as usize) {
        return Err(Problem::TooShort { min, len });
    }
    if let Some(max) = max.filter(|m| len > *m as usize) {
        return Err(Problem::TooLong { max, len });
    }
    Ok(())
}

/// Every character in `charset`.
pub fn check_charset(value: &str, charset: Charset) -> Result<(), Problem> {
    let ok = match charset {
        Charset::Digits => value.bytes().all(|b| b.is_ascii_digit()),
        Charset::Alphanumeric => value.bytes().all(|b| b.is_ascii_alphanumeric()),
    };
    if ok { Ok(()) } else { Err(Problem::Charset(charset)) }
}

/// The value is in `format`.
pub fn check_format(value: &str, format: Format) -> Result<(), Problem> {
    let ok = match format {
        Format::Ipv4 => is_ipv4(value),
    };
    if ok { Ok(()) } else { Err(Problem::Format(format)) }
}

/// The value is one of `allowed` (exact, case-sensitive).
pub fn check_enum<S: AsRef<str>>(value: &str, allowed: &[S]) -> Result<(), Problem> {
    if allowed.is_empty() || allowed.iter().any(|a| a.as_ref() == value) {
        Ok(())
    } else {
        Err(Problem::NotAllowed {
            allowed: allowed.iter().map(|a| a.as_ref().to_owned()).collect(),
        })
    }
}

/// A string rule without a pattern (patterns are checked by the caller, who owns a compiled regex).
#[derive(Debug, Clone, Copy, Default)]
pub struct StrRule<'a> {
    /// Fewest characters.
    pub min_length: Option<u32>,
    /// Most characters.
    pub max_length: Option<u32>,
    /// Allowed characters.
    pub charset: Option<Charset>,
    /// Known format.
    pub format: Option<Format>,
    /// Allowed values (empty: any).
    pub enum_values: &'a [&'a str],
}

impl StrRule<'_> {
    /// Checks length, then charset, format and allowed values; the first problem wins.
    pub fn check(&self, value: &str) -> Result<(), Problem> {
        check_length(value, self.min_length, self.max_length)?;
        if let Some(charset) = self.charset {
            check_charset(value, charset)?;
        }
        if let Some(format) = self.format {
            check_format(value, format)?;
        }
        check_enum(value, self.enum_values)
    }
}

/// A decimal written as a string: 1..=`integer_digits` digits, then (if `fraction_digits` > 0) a point and
/// exactly `fraction_digits` digits. No sign, no exponent: SNAP amounts are `"10000.00"`.
pub fn check_decimal(value: &str, integer_digits: u32, fraction_digits: u32) -> Result<(), Problem> {
    let problem = || Problem::Decimal {
        integer_digits,
        fraction_digits,
    };
    let (int, frac) = match value.split_once('.') {
        Some((i, f)) if fraction_digits > 0 => (i, f),
        None if fraction_digits == 0 => (value, ""),
        _ => return Err(problem()),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = !int.is_empty() && int.len() <= integer_digits as usize && digits(int);
    let frac_ok = frac.len() == fraction_digits as usize && digits(frac);
    if int_ok && frac_ok { Ok(()) } else { Err(problem()) }
}

/// SNAP body datetime: exactly `YYYY-MM-DDTHH:mm:ss±HH:MM` (25 characters), a real calendar date and time.
pub fn check_datetime(value: &str) -> Result<(), Problem> {
    if is_snap_datetime(value) {
        Ok(())
    } else {
        Err(Problem::DateTime)
    }
}

/// An integer within an optional range.
pub fn check_integer(value: i64, min: Option<i64>, max: Option<i64>) -> Result<(), Problem> {
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        Err(Problem::OutOfRange { min, max })
    } else {
        Ok(())
    }
}

/// A list length within optional bounds.
pub fn check_items(len: usize, min: Option<u32>, max: Option<u32>) -> Result<(), Problem> {
    if let Some(min) = min.filter(|m| len < *m as usize) {
        return Err(Problem::TooFewItems { min, len });
    }
    if let Some(max) = max.filter(|m| len > *m as usize) {
        return Err(Problem::TooManyItems { max, len });
    }
    Ok(())
}

fn is_ipv4(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Whether `value` is exactly `YYYY-MM-DDTHH:mm:ss±HH:MM` with a valid date, time and offset.
pub fn is_snap_datetime(value: &str) -> bool {
    datetime_numbers(value).is_some_and(|[year, month, day, hour, minute, second, off_h, off_m]| {
        (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60
            && off_h <= 14
            && off_m < 60
    })
}

/// Year, month, day, hour, minute, second and offset hours and minutes of a value shaped
/// `YYYY-MM-DDTHH:mm:ss±HH:MM`; `None` for any other shape.
fn datetime_numbers(value: &str) -> Option<[u32; 8]> {
    // Fixed positions in a fixed-size array rather than a dispatch on every byte's position: every request
    // with a datetime field runs this (420 instructions before, 180 now).
    let b = <&[u8; 25]>::try_from(value.as_bytes()).ok()?;
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && matches!(b[19], b'+' | b'-')
        && b[22] == b':';
    if !separators_ok {
        return None;
    }
    // Year, month, day, hour, minute, second, offset hours, offset minutes: where their digits are.
    const NUMBERS: [(usize, usize); 8] = [
        (0, 4),
        (5, 7),
        (8, 10),
        (11, 13),
        (14, 16),
        (17, 19),
        (20, 22),
        (23, 25),
    ];
    let mut numbers = [0u32; 8];
    for (number, (from, to)) in numbers.iter_mut().zip(NUMBERS) {
        *number = b[from..to].iter().try_fold(0u32, |n, &d| {
            let digit = d.wrapping_sub(b'0');
            (digit < 10).then_some(n * 10 + u32::from(digit))
        })?;
    }
    Some(numbers)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(check_length("ééé", None, Some(3)), Ok(()));
        assert_eq!(
            check_length("éééé", None, Some(3)),
            Err(Problem::TooLong { max: 3, len: 4 })
        );
        assert_eq!(
            check_length("", Some(1), None),
            Err(Problem::TooShort { min: 1, len: 0 })
        );
        // Four bytes, but two characters: enough for a minimum of 2, too few for 3.
        assert_eq!(check_length("éé", Some(2), Some(2)), Ok(()));
        assert_eq!(
            check_length("éé", Some(3), None),
            Err(Problem::TooShort { min: 3, len: 2 })
        );
        assert_eq!(check_length("abcdefgh", Some(2), Some(8)), Ok(()));
    }

    #[test]
    fn decimals_need_exact_fraction_digits() {
        assert!(check_decimal("10000.00", 16, 2).is_ok());
        assert!(check_decimal("1234567890123456.00", 16, 2).is_ok());
        assert!(check_decimal("12345678901234567.00", 16, 2).is_err());
        for bad in ["10000", "10000.0", "10000.000", "-1.00", "1e5", ".00", "1.0a", ""] {
            assert!(check_decimal(bad, 16, 2).is_err(), "{bad}");
        }
        assert!(check_decimal("42", 5, 0).is_ok());
    }

    #[test]
    fn datetimes_are_real_and_exactly_snap_shaped() {
        assert!(check_datetime("2024-07-10T11:57:58+07:00").is_ok());
        assert!(check_datetime("2024-02-29T00:00:00-03:30").is_ok());
        for bad in [
            "2023-02-29T00:00:00+07:00",
            "2024-13-01T00:00:00+07:00",
            "2024-07-10T24:00:00+07:00",
            "2024-07-10T11:57:58.000+07:00",
            "2024-07-10T11:57:58Z",
            "2024-07-10 11:57:58+07:00",
        ] {
            assert!(check_datetime(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv4_charset_enum_and_ranges() {
        assert!(check_format("192.168.0.1", Format::Ipv4).is_ok());
        for bad in ["256.1.1.1", "1.1.1", "01.1.1.1", "a.b.c.d", "1.1.1.1."] {
            assert!(check_format(bad, Format::Ipv4).is_err(), "{bad}");
        }
        assert!(check_charset("0123", Charset::Digits).is_ok());
        assert!(check_charset("01a", Charset::Digits).is_err());
        assert!(check_charset("aZ9", Charset::Alphanumeric).is_ok());
        assert!(check_charset("a-9", Charset::Alphanumeric).is_err());
        assert!(check_enum("app", &["app", "pc"]).is_ok());
        assert!(check_enum("APP", &["app", "pc"]).is_err());
        assert!(check_integer(5, Some(1), Some(5)).is_ok());
        assert!(check_integer(6, Some(1), Some(5)).is_err());
        assert!(check_items(2, Some(1), Some(1)).is_err());
    }

    #[test]
    fn str_rule_reports_the_first_problem() {
        let rule = StrRule {
            max_length: Some(5),
            charset: Some(Charset::Digits),
            ..StrRule::default()
        };
        assert_eq!(rule.check("123456"), Err(Problem::TooLong { max: 5, len: 6 }));
        assert_eq!(rule.check("12a"), Err(Problem::Charset(Charset::Digits)));
        assert_eq!(rule.check("123"), Ok(()));
    }
}
