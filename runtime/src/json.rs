//! JSON in and out of generated types without a serde implementation instantiated per type.
//!
//! Request bodies are written by [`WriteJson`]: the `Object` derive writes each field's key as a
//! pre-quoted byte string and each value through the one shared, non-generic writer of its kind
//! ([`write_str`] for every string), so compiling a client costs one small function per request type instead
//! of a serde serializer per type and format. The output is the compact JSON serde_json writes for the same
//! value (same key order, same string escaping), byte for byte: what is signed is what is sent.
//!
//! Builders and responses are read from a JSON object through [`ObjectFields`], which takes each field's
//! value out of the parsed object by its wire name, instead of a derived serde visitor per type.

use compact_str::CompactString;
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error as _};
use serde_json::{Map, Value};

/// A value that writes itself as compact JSON (no insignificant whitespace), exactly as serde_json would
/// serialize it. Generated request types implement it through the `Object` derive; [`body_bytes`] calls it.
///
/// [`body_bytes`]: crate::body_bytes
pub trait WriteJson {
    /// Appends this value's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

impl WriteJson for str {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl WriteJson for CompactString {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl WriteJson for i64 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_i64(out, *self);
    }
}

impl WriteJson for Value {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_value(out, self);
    }
}

/// `None` is `null`, as serde writes it (an object's absent optional field is skipped by the derive instead).
impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_json(out);
        }
        out.push(b']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.as_slice().write_json(out);
    }
}

/// Free-form values (`additionalInfo` objects) are written by serde_json itself: one instantiation in the
/// runtime, and the reference the other writers here are tested against.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    // Cannot fail: writing into a `Vec` does not, and a `Value`'s keys are strings.
    let _ = serde_json::to_writer(out, value);
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a backslash, the
/// control characters U+0000–U+001F as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00XX` (lowercase hex); everything
/// else, `/` and non-ASCII included, as is.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `clean` is where the run of bytes not yet copied starts; runs are copied whole, not byte by byte.
    let (mut clean, mut i) = (0, 0);
    while i < bytes.len() {
        // Most strings have nothing to escape: skip eight bytes at a time while none needs it.
        if let Some(word) = bytes[i..].first_chunk::<8>()
            && !any_needs_escape(u64::from_le_bytes(*word))
        {
            i += 8;
            continue;
        }
        let byte = bytes[i];
        if needs_escape(byte) {
            out.extend_from_slice(&bytes[clean..i]);
            write_escape(out, byte);
            clean = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any of the eight bytes of `word` needs escaping (exact: no false positives or negatives for the
/// word as a whole). Bit tricks from "Bit Twiddling Hacks" (`hasless`, `haszero`).
fn any_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH;
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    (below(0x20) | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\')))) != 0
}

fn write_escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0A => b'n',
        0x0C => b'f',
        0x0D => b'r',
        _ => {
            let hex = [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xF)]];
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&hex);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Appends `value` in decimal.
fn write_i64(out: &mut Vec<u8>, value: i64) {
    // 20 digits hold `u64::MAX`, so every magnitude fits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[start..]);
}

/// Closes an object whose fields were written from `start` on, each as `,"key":value`: the first field's
/// comma becomes the `{` (so a field need not know whether one was written before it), or `{}` when
/// none was. The `Object` derive's `write_json` ends here.
#[doc(hidden)]
pub fn close_object(out: &mut Vec<u8>, start: usize) {
    match out.get_mut(start) {
        Some(first) => {
            *first = b'{';
            out.push(b'}');
        }
        None => out.extend_from_slice(b"{}"),
    }
}

/// The fields of a JSON object, taken out one by one by wire name: how the derives read a builder (from a
/// request body) and a response, with one generic function per field type instead of one serde visitor
/// per object type. Fields not taken are ignored.
#[doc(hidden)]
#[derive(Debug)]
pub struct ObjectFields {
    fields: Map<String, Value>,
    /// The first field that did not deserialize, reported by [`ObjectFields::finish`].
    error: Option<serde_json::Error>,
}

impl ObjectFields {
    /// Reads a JSON object; any other JSON value is refused (`expected an object`).
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ObjectFields, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(fields) => Ok(ObjectFields { fields, error: None }),
            _ => Err(D::Error::custom("expected an object")),
        }
    }

    /// The field `wire` as a `T`; absent and `null` are `None`. A value that does not deserialize is also
    /// `None`, and [`ObjectFields::finish`] reports it.
    pub fn take<T: DeserializeOwned>(&mut self, wire: &str) -> Option<T> {
        let value = self.fields.remove(wire)?;
        match Option::<T>::deserialize(value) {
            Ok(value) => value,
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// The field `wire` as a `T`, tolerantly: absent or of another type is `None` (responses are decoded,
    /// never refused; the raw body is kept alongside).
    pub fn lenient<T: DeserializeOwned>(&mut self, wire: &str) -> Option<T> {
        T::deserialize(self.fields.remove(wire)?).ok()
    }

    /// The first [`ObjectFields::take`] that failed, as the deserializer's error.
    pub fn finish<E: serde::de::Error>(self) -> Result<(), E> {
        match self.error {
            Some(e) => Err(E::custom(e)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T: WriteJson + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        value.write_json(&mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        for text in [
            "",
            "plain",
            "a\"b\\c/d",
            "\u{0}\u{1f}\u{7f}\t\n\r\u{8}\u{c}",
            "héllo ✓ 😀",
            "0123456789abcdef\"x",
        ] {
            assert_eq!(written(text), serde_json::to_string(text).expect("JSON"), "{text:?}");
        }
    }

    #[test]
    fn integers_lists_and_absent_values() {
        for n in [0, 7, -7, 10, 1_000_000, i64::MIN, i64::MAX] {
            assert_eq!(written(&n), n.to_string());
        }
        assert_eq!(written(&vec![true, false]), "[true,false]");
        assert_eq!(written(&Vec::<bool>::new()), "[]");
        assert_eq!(written(&None::<bool>), "null");
    }

    #[test]
    fn objects_close_with_or_without_fields() {
        let mut out = b"[".to_vec();
        close_object(&mut out, 1);
        out.extend_from_slice(b",");
        let start = out.len();
        out.extend_from_slice(b",\"a\":1,\"b\":2");
        close_object(&mut out, start);
        assert_eq!(out, b"[{},{\"a\":1,\"b\":2}");
    }

    #[test]
    fn object_fields_take_report_and_ignore() {
        let body = serde_json::json!({ "a": "x", "b": null, "c": 5, "unknown": 1 });
        let mut fields = ObjectFields::read(body).expect("object");
        assert_eq!(fields.take::<String>("a").as_deref(), Some("x"));
        assert_eq!(fields.take::<String>("b"), None);
        assert_eq!(fields.take::<String>("missing"), None);
        assert_eq!(fields.lenient::<String>("c"), None);
        assert!(fields.finish::<serde_json::Error>().is_ok());

        let mut fields = ObjectFields::read(serde_json::json!({ "c": 5 })).expect("object");
        assert_eq!(fields.take::<String>("c"), None);
        assert!(fields.finish::<serde_json::Error>().is_err());
        assert!(ObjectFields::read(serde_json::json!([1])).is_err());
    }

    proptest::proptest! {
        /// Any string, whatever it holds, is written as serde_json writes it.
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(text in any_text()) {
            proptest::prop_assert_eq!(written(text.as_str()), serde_json::to_string(&text).expect("JSON"));
        }
    }

    fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            "\\PC{0,40}",
            "[\\x00-\\x1f\"\\\\/]{0,10}",
            "[a-z\"\\\\\\x00-\\x1f\\x7f]{0,80}",
            ".{0,200}",
        ]
    }
}
