//! Validated value types that generated request fields use: a value that exists has passed its rules.
//!
//! Each type has a private inner value, one check shared by `new`, `TryFrom`, `FromStr` and
//! `Deserialize`, and a transparent serialized form. Limits are const generics, so one runtime type serves
//! every field (`Text<1, 64>` is "1 to 64 characters") and the generated code stays one line per field.
//!
//! String values are held as [`CompactString`], which keeps up to 24 bytes inline (most SNAP field values:
//! references, amounts, codes, names) instead of in a heap allocation of their own. Building a request
//! then allocates and frees one buffer per long value only, not one per field.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use snapbi_rules::conditional::visit_items;
use snapbi_rules::{Charset, Document, Format, Found, Problem};

use crate::json::{WriteJson, write_str};
use crate::validate::{Checker, FromRaw, InvalidValue, Loose};

/// `Text` kind: any characters.
pub const ANY: u8 = 0;
/// `Text` kind: digits only.
pub const DIGITS: u8 = 1;
/// `Text` kind: ASCII letters and digits only.
pub const ALPHANUMERIC: u8 = 2;
/// `Text` kind: an IPv4 address.
pub const IPV4: u8 = 3;

/// Unbounded maximum length for [`Text`].
pub const UNBOUNDED: u32 = u32::MAX;

/// A string of `MIN..=MAX` characters of the given `KIND` ([`ANY`], [`DIGITS`], [`ALPHANUMERIC`], [`IPV4`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const MIN: u32, const MAX: u32, const KIND: u8 = ANY>(CompactString);

impl<const MIN: u32, const MAX: u32, const KIND: u8> Text<MIN, MAX, KIND> {
    /// Checks `value` against the limits.
    pub fn new(value: impl Into<CompactString>) -> Result<Self, InvalidValue> {
        let value = value.into();
        Self::rule().check(&value).map_err(InvalidValue)?;
        Ok(Text(value))
    }

    fn rule() -> snapbi_rules::StrRule<'static> {
        snapbi_rules::StrRule {
            min_length: (MIN > 0).then_some(MIN),
            max_length: (MAX != UNBOUNDED).then_some(MAX),
            charset: match KIND {
                DIGITS => Some(Charset::Digits),
                ALPHANUMERIC => Some(Charset::Alphanumeric),
                _ => None,
            },
            format: (KIND == IPV4).then_some(Format::Ipv4),
            enum_values: &[],
        }
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned value.
    pub fn into_inner(self) -> String {
        self.0.into_string()
    }
}

/// A string without rules (any length, any characters), as generated code names it.
pub type FreeText = Text<0, UNBOUNDED>;

/// A decimal written as a string, at most `INT` digits before the point and exactly `FRAC` after it
/// (SNAP amounts: `Decimal<16, 2>`, e.g. `"10000.00"`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal<const INT: u32, const FRAC: u32>(CompactString);

impl<const INT: u32, const FRAC: u32> Decimal<INT, FRAC> {
    /// Checks `value`.
    pub fn new(value: impl Into<CompactString>) -> Result<Self, InvalidValue> {
        let value = value.into();
        snapbi_rules::check_decimal(&value, INT, FRAC).map_err(InvalidValue)?;
        Ok(Decimal(value))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A SNAP body datetime, exactly `YYYY-MM-DDTHH:mm:ss±HH:MM`.
///
/// Always 25 ASCII bytes, so it is kept as a fixed array: one byte more than [`CompactString`] holds
/// inline, which would allocate (and free) a buffer for every datetime field of every request.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SnapDateTime([u8; 25]);

impl SnapDateTime {
    /// Checks `value`.
    pub fn new(value: impl AsRef<str>) -> Result<Self, InvalidValue> {
        let value = value.as_ref();
        snapbi_rules::check_datetime(value).map_err(InvalidValue)?;
        // A checked datetime is 25 bytes; the fallback keeps the conversion panic-free.
        let bytes = value
            .as_bytes()
            .try_into()
            .map_err(|_| InvalidValue(Problem::DateTime))?;
        Ok(SnapDateTime(bytes))
    }

    /// `instant` in WIB (+07:00), truncated to whole seconds: what a datetime field's setter takes
    /// (`validUpTo`, `transactionDate`). Years outside 0000–9999 are clamped, as [`SnapTimestamp::at`] does.
    ///
    /// ```
    /// use snapbi_runtime::SnapDateTime;
    /// use snapbi_runtime::time::{Duration, macros::datetime};
    ///
    /// let paid_at = datetime!(2024-07-10 04:57:58.25 UTC);
    /// assert_eq!(SnapDateTime::at(paid_at).as_str(), "2024-07-10T11:57:58+07:00");
    /// let valid_up_to = SnapDateTime::at(paid_at + Duration::hours(1)); // e.g. `.valid_up_to(valid_up_to)`
    /// assert_eq!(valid_up_to.as_str(), "2024-07-10T12:57:58+07:00");
    /// ```
    ///
    /// [`SnapTimestamp::at`]: crate::timestamp::SnapTimestamp::at
    pub fn at(instant: time::OffsetDateTime) -> Self {
        let text = crate::timestamp::SnapTimestamp::at(instant);
        // A whole-second timestamp in +07:00 is a SNAP datetime; the fallback keeps this panic-free.
        SnapDateTime::new(text.as_str()).unwrap_or(SnapDateTime(*b"0000-01-01T00:00:00+07:00"))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        // Only the ASCII bytes of a checked datetime are stored: never the empty fallback.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl From<time::OffsetDateTime> for SnapDateTime {
    /// [`SnapDateTime::at`].
    fn from(instant: time::OffsetDateTime) -> Self {
        SnapDateTime::at(instant)
    }
}

/// What a builder holds for a datetime field: the value checked when it was set, `None` when it is not a
/// SNAP datetime (then `build()` reports it with its path, like any other violation). It is checked that
/// early because holding the text until `build()` would allocate: see [`SnapDateTime`].
#[derive(Clone, Copy, Debug)]
pub struct RawDateTime(Option<SnapDateTime>);

impl<'de> Deserialize<'de> for RawDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = CompactString::deserialize(deserializer)?;
        Ok(RawDateTime(SnapDateTime::new(text).ok()))
    }
}

impl FromRaw for SnapDateTime {
    type Raw = Loose<RawDateTime>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        let RawDateTime(checked) = checker.take(raw, "a string")?;
        checker.rule(checked.ok_or(InvalidValue(Problem::DateTime)))
    }
}

/// An integer in `MIN..=MAX`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    /// Checks `value`.
    pub fn new(value: i64) -> Result<Self, InvalidValue> {
        let (min, max) = ((MIN != i64::MIN).then_some(MIN), (MAX != i64::MAX).then_some(MAX));
        snapbi_rules::check_integer(value, min, max).map_err(InvalidValue)?;
        Ok(Int(value))
    }

    /// The value.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<const MIN: i64, const MAX: i64> FromRaw for Int<MIN, MAX> {
    type Raw = Loose<i64>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        let value = checker.take(raw, "an integer")?;
        checker.rule(Self::new(value))
    }
}

impl<const MIN: i64, const MAX: i64> Document for Int<MIN, MAX> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        self.0.visit(path, items, found)
    }
}

impl<const MIN: i64, const MAX: i64> Serialize for Int<MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<const MIN: i64, const MAX: i64> WriteJson for Int<MIN, MAX> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.0.write_json(out);
    }
}

impl<const MIN: i64, const MAX: i64> fmt::Debug for Int<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The string-backed validated types share every trait impl; written once here.
macro_rules! string_value_impls {
    ($ty:ident $(< $(const $p:ident : $pt:ty),* >)?) => {
        impl<$($(const $p: $pt),*)?> Deref for $ty<$($($p),*)?> {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }
        impl<$($(const $p: $pt),*)?> AsRef<str> for $ty<$($($p),*)?> {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl<$($(const $p: $pt),*)?> fmt::Debug for $ty<$($($p),*)?> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
        impl<$($(const $p: $pt),*)?> fmt::Display for $ty<$($($p),*)?> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl<$($(const $p: $pt),*)?> TryFrom<String> for $ty<$($($p),*)?> {
            type Error = InvalidValue;
            fn try_from(value: String) -> Result<Self, InvalidValue> {
                Self::new(value)
            }
        }
        impl<$($(const $p: $pt),*)?> TryFrom<&str> for $ty<$($($p),*)?> {
            type Error = InvalidValue;
            fn try_from(value: &str) -> Result<Self, InvalidValue> {
                Self::new(value)
            }
        }
        impl<$($(const $p: $pt),*)?> FromStr for $ty<$($($p),*)?> {
            type Err = InvalidValue;
            fn from_str(value: &str) -> Result<Self, InvalidValue> {
                Self::new(value)
            }
        }
        impl<$($(const $p: $pt),*)?> Serialize for $ty<$($($p),*)?> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<$($(const $p: $pt),*)?> WriteJson for $ty<$($($p),*)?> {
            fn write_json(&self, out: &mut Vec<u8>) {
                write_str(out, self.as_str());
            }
        }
        impl<'de, $($(const $p: $pt),*)?> Deserialize<'de> for $ty<$($($p),*)?> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(CompactString::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
        impl<$($(const $p: $pt),*)?> Document for $ty<$($($p),*)?> {
            fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
                if path.is_empty() {
                    found(items, Found::Text(self.as_str()));
                }
            }
        }
    };
}

/// Text and decimals: the builder holds the text as given and checks it in `build()`.
macro_rules! compact_from_raw {
    ($ty:ident < $(const $p:ident : $pt:ty),* >) => {
        impl<$(const $p: $pt),*> FromRaw for $ty<$($p),*> {
            type Raw = Loose<CompactString>;
            fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
                let value = checker.take(raw, "a string")?;
                checker.rule(Self::new(value))
            }
        }
    };
}

string_value_impls!(Text<const MIN: u32, const MAX: u32, const KIND: u8>);
string_value_impls!(Decimal<const INT: u32, const FRAC: u32>);
string_value_impls!(SnapDateTime);
compact_from_raw!(Text<const MIN: u32, const MAX: u32, const KIND: u8>);
compact_from_raw!(Decimal<const INT: u32, const FRAC: u32>);

/// A field marked `sensitive` in the spec: serialized as is, but never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The value; call sites that read a secret say so.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: WriteJson> WriteJson for Sensitive<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.0.write_json(out);
    }
}

impl<T: Document> Document for Sensitive<T> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        self.0.visit(path, items, found)
    }
}

impl<T: FromRaw> FromRaw for Sensitive<T> {
    type Raw = T::Raw;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        T::from_raw(raw, checker).map(Sensitive)
    }
}

/// A pattern a generated newtype must match (one compiled pattern per field, built on first use).
pub trait PatternRule {
    /// Anchored regular expression.
    const PATTERN: &'static str;
    /// Fewest characters.
    const MIN: u32 = 0;
    /// Most characters.
    const MAX: u32 = UNBOUNDED;
    /// The compiled pattern (`None` only if it failed to compile, which the generator rules out).
    fn pattern() -> Option<&'static Pattern>;
}

/// A compiled field pattern.
///
/// The usual SNAP pattern is one ASCII character class repeated between anchors (`^[A-Z]{3}$` for a
/// currency, `^[0-9]{8}$`): such a pattern is checked as a set of bytes and a length, a few instructions
/// per byte, instead of through the regex engine's search (about 450 instructions for `IDR`, on every
/// payment). Any other pattern is matched by `regex`.
#[derive(Debug)]
pub struct Pattern(Compiled);

#[derive(Debug)]
enum Compiled {
    /// `^[class]{min,max}$` with an ASCII-only class: bit `b` of `bytes` is set when byte `b` is in it.
    Class {
        bytes: u128,
        min: u32,
        max: Option<u32>,
    },
    Regex(regex::Regex),
}

impl Pattern {
    /// Compiles `pattern`; `None` if it is not a valid regular expression.
    pub fn new(pattern: &str) -> Option<Pattern> {
        let regex = regex::Regex::new(pattern).ok()?;
        let compiled = match regex_syntax::parse(pattern).ok().and_then(|hir| class_repetition(&hir)) {
            Some((bytes, min, max)) => Compiled::Class { bytes, min, max },
            None => Compiled::Regex(regex),
        };
        Some(Pattern(compiled))
    }

    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            // Every matched character is ASCII, so characters and bytes count alike; a non-ASCII byte is in
            // no class and fails the match whatever the length said.
            Compiled::Class { bytes, min, max } => {
                let len = text.len();
                len >= *min as usize
                    && max.is_none_or(|max| len <= max as usize)
                    && text.bytes().all(|b| b < 128 && bytes & (1 << b) != 0)
            }
            Compiled::Regex(regex) => regex.is_match(text),
        }
    }
}

/// The byte set and repetition bounds of a pattern that is exactly `^[class]$` or `^[class]{min,max}$`
/// (also `*`, `+`, `?`) with a class of ASCII characters only; `None` for any other pattern.
fn class_repetition(hir: &regex_syntax::hir::Hir) -> Option<(u128, u32, Option<u32>)> {
    use regex_syntax::hir::{Class, HirKind, Look};
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [start, body, end] = parts.as_slice() else {
        return None;
    };
    if *start.kind() != HirKind::Look(Look::Start) || *end.kind() != HirKind::Look(Look::End) {
        return None;
    }
    let (class, min, max) = match body.kind() {
        HirKind::Repetition(repetition) => (&*repetition.sub, repetition.min, repetition.max),
        _ => (body, 1, Some(1)),
    };
    let HirKind::Class(Class::Unicode(class)) = class.kind() else {
        return None;
    };
    let mut bytes = 0u128;
    for range in class.ranges() {
        let (first, last) = (u32::from(range.start()), u32::from(range.end()));
        if last >= 128 {
            return None;
        }
        bytes |= (first..=last).fold(0, |set, b| set | 1 << b);
    }
    Some((bytes, min, max))
}

/// A string matching the pattern of `R`.
pub struct Matching<R: PatternRule>(CompactString, std::marker::PhantomData<R>);

impl<R: PatternRule> Matching<R> {
    /// Checks `value`.
    pub fn new(value: impl Into<CompactString>) -> Result<Self, InvalidValue> {
        let value = value.into();
        let (min, max) = ((R::MIN > 0).then_some(R::MIN), (R::MAX != UNBOUNDED).then_some(R::MAX));
        snapbi_rules::check_length(&value, min, max).map_err(InvalidValue)?;
        if !R::pattern().is_some_and(|pattern| pattern.is_match(&value)) {
            return Err(InvalidValue(Problem::Pattern(R::PATTERN.to_owned())));
        }
        Ok(Matching(value, std::marker::PhantomData))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<R: PatternRule> Clone for Matching<R> {
    fn clone(&self) -> Self {
        Matching(self.0.clone(), std::marker::PhantomData)
    }
}

impl<R: PatternRule> fmt::Debug for Matching<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<R: PatternRule> Serialize for Matching<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<R: PatternRule> WriteJson for Matching<R> {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, &self.0);
    }
}

impl<R: PatternRule> Document for Matching<R> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        if path.is_empty() {
            found(items, Found::Text(&self.0));
        }
    }
}

impl<R: PatternRule> FromRaw for Matching<R> {
    type Raw = Loose<CompactString>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        let value = checker.take(raw, "a string")?;
        checker.rule(Self::new(value))
    }
}

/// A list with `MIN..=MAX` items (`MAX` = [`UNBOUNDED`] for no limit); serialized as a plain JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<T, const MIN: u32, const MAX: u32>(Vec<T>);

impl<T, const MIN: u32, const MAX: u32> List<T, MIN, MAX> {
    /// The items.
    pub fn items(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MIN: u32, const MAX: u32> Deref for List<T, MIN, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Serialize, const MIN: u32, const MAX: u32> Serialize for List<T, MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: WriteJson, const MIN: u32, const MAX: u32> WriteJson for List<T, MIN, MAX> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.0.write_json(out);
    }
}

impl<T: Document, const MIN: u32, const MAX: u32> Document for List<T, MIN, MAX> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        visit_items(&self.0, path, items, found)
    }
}

impl<T: FromRaw, const MIN: u32, const MAX: u32> FromRaw for List<T, MIN, MAX> {
    type Raw = <Vec<T> as FromRaw>::Raw;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        let items = Vec::<T>::from_raw(raw, checker)?;
        let max = (MAX != UNBOUNDED).then_some(MAX);
        checker
            .rule(snapbi_rules::check_items(items.len(), Some(MIN), max).map_err(InvalidValue))
            .map(|()| List(items))
    }
}

/// Converts what a setter accepts into the raw value a builder holds for a `T` field: strings for text
/// fields, builders for objects, any iterable for lists, the enum itself for value lists.
pub trait IntoRaw<T: FromRaw> {
    /// The raw value.
    fn into_raw(self) -> T::Raw;
}

impl<S: Into<String>> IntoRaw<String> for S {
    fn into_raw(self) -> Loose<String> {
        Loose::ok(self.into())
    }
}

impl<S: Into<CompactString>, const MIN: u32, const MAX: u32, const KIND: u8> IntoRaw<Text<MIN, MAX, KIND>> for S {
    fn into_raw(self) -> Loose<CompactString> {
        Loose::ok(self.into())
    }
}

impl<S: Into<CompactString>, const INT: u32, const FRAC: u32> IntoRaw<Decimal<INT, FRAC>> for S {
    fn into_raw(self) -> Loose<CompactString> {
        Loose::ok(self.into())
    }
}

impl<S: AsRef<str>> IntoRaw<SnapDateTime> for S {
    fn into_raw(self) -> Loose<RawDateTime> {
        Loose::ok(RawDateTime(SnapDateTime::new(self).ok()))
    }
}

impl<S: Into<CompactString>, R: PatternRule> IntoRaw<Matching<R>> for S {
    fn into_raw(self) -> Loose<CompactString> {
        Loose::ok(self.into())
    }
}

impl<const MIN: i64, const MAX: i64> IntoRaw<Int<MIN, MAX>> for i64 {
    fn into_raw(self) -> Loose<i64> {
        Loose::ok(self)
    }
}

impl IntoRaw<bool> for bool {
    fn into_raw(self) -> Loose<bool> {
        Loose::ok(self)
    }
}

impl IntoRaw<serde_json::Value> for serde_json::Value {
    fn into_raw(self) -> serde_json::Value {
        self
    }
}

impl<T: FromRaw, I: IntoRaw<T>> IntoRaw<Sensitive<T>> for I {
    fn into_raw(self) -> T::Raw {
        IntoRaw::<T>::into_raw(self)
    }
}

impl<T: FromRaw, I> IntoRaw<Vec<T>> for I
where
    I: IntoIterator,
    I::Item: IntoRaw<T>,
{
    fn into_raw(self) -> Loose<Vec<T::Raw>> {
        Loose::ok(self.into_iter().map(IntoRaw::into_raw).collect())
    }
}

impl<T: FromRaw, I, const MIN: u32, const MAX: u32> IntoRaw<List<T, MIN, MAX>> for I
where
    I: IntoIterator,
    I::Item: IntoRaw<T>,
{
    fn into_raw(self) -> Loose<Vec<T::Raw>> {
        Loose::ok(self.into_iter().map(IntoRaw::into_raw).collect())
    }
}

/// Declares the marker type of a patterned string field, with its pattern compiled once on first use.
/// Generated code calls it as `__private::pattern_rule!`.
#[doc(hidden)]
#[macro_export]
macro_rules! pattern_rule {
    ($name:ident, $pattern:literal, $min:literal, $max:literal) => {
        #[doc = concat!("Rule of strings matching `", $pattern, "`.")]
        #[derive(Clone, Copy, Debug)]
        pub struct $name;

        impl $crate::PatternRule for $name {
            const PATTERN: &'static str = $pattern;
            const MIN: u32 = $min;
            const MAX: u32 = $max;
            fn pattern() -> Option<&'static $crate::values::Pattern> {
                static PATTERN: ::std::sync::LazyLock<Option<$crate::values::Pattern>> =
                    ::std::sync::LazyLock::new(|| $crate::values::Pattern::new($pattern));
                PATTERN.as_ref()
            }
        }
    };
}

/// Deserializes a response field tolerantly: a value of the wrong type becomes `None` instead of failing
/// the whole response (the raw body is kept alongside, so nothing is lost). The `Received` derive's fields
/// use it, as `__private::lenient`.
#[doc(hidden)]
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checks_length_and_kind() {
        assert!(Text::<1, 3>::new("abc").is_ok());
        assert!(Text::<1, 3>::new("abcd").is_err());
        assert!(Text::<1, 3>::new("").is_err());
        assert!(Text::<0, 2, DIGITS>::new("12").is_ok());
        assert!(Text::<0, 2, DIGITS>::new("1a").is_err());
        assert!(Text::<0, 15, IPV4>::new("10.0.0.1").is_ok());
        assert!("x".repeat(65).parse::<Text<1, 64>>().is_err());
    }

    #[test]
    fn deserialize_runs_the_same_check() {
        assert!(serde_json::from_str::<Decimal<16, 2>>("\"100.00\"").is_ok());
        assert!(serde_json::from_str::<Decimal<16, 2>>("\"100\"").is_err());
        assert!(serde_json::from_str::<SnapDateTime>("\"2024-07-10T11:57:58+07:00\"").is_ok());
    }

    #[test]
    fn patterns_of_one_repeated_class_match_as_the_regex_does() {
        let patterns = [
            "^[A-Z]{3}$",
            "^[0-9]{8}$",
            "^[a-zA-Z0-9_-]{2,5}$",
            "^[a-f]+$",
            "^[xyz]*$",
            "^[0-9]?$",
            "^[A-Z]$",
            "^[.]{1,3}$",
            // Not one class: matched by the regex engine.
            "^ {0,7}[0-9]{1,8}$",
            "^[-+]?[0-9]{1,2}([.][0-9]{1,4})?$",
            "^[à-é]{2}$",
            "[A-Z]{3}",
            "^(?i)[a-c]{2}$",
        ];
        let texts = [
            "",
            "I",
            "ID",
            "IDR",
            "IDRX",
            "idr",
            "ID1",
            "12345678",
            "1234567",
            "123456789",
            "1234567a",
            "a_-Z",
            "ab",
            "ab-cd",
            "abcdef",
            "xyzzy",
            "xyZ",
            "5",
            "55",
            ".",
            "...",
            "....",
            "ÀÉ",
            "àé",
            "IDR\n",
            "\nIDR",
            " 1234",
            "+1.5",
            "AB",
            "Ab",
            "ÿ",
            "ДЕН",
            "aIDRb",
        ];
        for source in patterns {
            let (Some(pattern), Ok(regex)) = (Pattern::new(source), regex::Regex::new(source)) else {
                panic!("{source} compiles");
            };
            for text in texts {
                assert_eq!(pattern.is_match(text), regex.is_match(text), "{source} on {text:?}");
            }
        }
        assert!(matches!(
            Pattern::new("^[A-Z]{3}$"),
            Some(Pattern(Compiled::Class { .. }))
        ));
        assert!(matches!(Pattern::new("^[à-é]{2}$"), Some(Pattern(Compiled::Regex(_)))));
        assert!(Pattern::new("^[A-Z").is_none());
    }

    proptest::proptest! {
        #[test]
        fn class_patterns_agree_with_the_regex_on_any_text(text in "[A-Za-z0-9 .é\n_-]{0,10}") {
            for source in ["^[A-Z]{3}$", "^[0-9]{8}$", "^[a-zA-Z0-9_-]{2,5}$", "^[a-f]+$", "^[. ]*$"] {
                let (Some(pattern), Ok(regex)) = (Pattern::new(source), regex::Regex::new(source)) else {
                    panic!("{source} compiles");
                };
                proptest::prop_assert_eq!(pattern.is_match(&text), regex.is_match(&text), "{} on {:?}", source, text);
            }
        }
    }

    #[test]
    fn a_setter_takes_an_instant_made_a_snap_datetime() {
        let check = |raw| Checker::run(|c| c.required::<SnapDateTime>("validUpTo", Some(raw)));
        let instant = time::macros::datetime!(2024-07-10 11:57:58.9 +07:00);
        let set = check(IntoRaw::<SnapDateTime>::into_raw(SnapDateTime::at(instant)));
        assert_eq!(set.map(|v| v.to_string()), Ok("2024-07-10T11:57:58+07:00".to_owned()));
        let utc = time::macros::datetime!(2024-07-10 20:00:00 UTC);
        assert_eq!(SnapDateTime::from(utc).as_str(), "2024-07-11T03:00:00+07:00");
    }

    #[test]
    fn datetimes_checked_when_set_are_reported_by_build_at_their_path() {
        let check = |raw| Checker::run(|c| c.required::<SnapDateTime>("validUpTo", Some(raw)));
        let valid = check(IntoRaw::<SnapDateTime>::into_raw("2024-07-10T11:57:58+07:00"));
        assert_eq!(valid.map(|v| v.to_string()), Ok("2024-07-10T11:57:58+07:00".to_owned()));
        for raw in [
            IntoRaw::<SnapDateTime>::into_raw("2024-07-10T11:57:58Z"),
            IntoRaw::<SnapDateTime>::into_raw(String::from("2024-02-30T11:57:58+07:00")),
            Loose::from_value(serde_json::json!("2024-07-10 11:57:58")),
        ] {
            let err = check(raw).err().map(|e| e.violations().to_vec());
            assert_eq!(
                err,
                Some(vec![crate::Violation {
                    path: "validUpTo".into(),
                    kind: crate::ViolationKind::Rule(Problem::DateTime),
                }])
            );
        }
        let wrong_type = check(Loose::from_value(serde_json::json!(20240710))).err();
        assert_eq!(wrong_type.map(|e| e.paths().join(",")), Some("validUpTo".to_owned()));
    }

    #[test]
    fn sensitive_is_redacted() {
        let s = Sensitive::new("s3cr3t".to_owned());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap_or_default(), "\"s3cr3t\"");
    }

    /// Test enum.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, crate::WireEnum)]
    enum Color {
        #[wire("red")]
        Red,
        #[wire("dark-blue")]
        DarkBlue,
    }

    #[test]
    fn wire_enums_round_trip() {
        assert_eq!("dark-blue".parse::<Color>(), Ok(Color::DarkBlue));
        assert!("Red".parse::<Color>().is_err());
        assert_eq!(serde_json::to_string(&Color::Red).unwrap_or_default(), "\"red\"");
    }
}
