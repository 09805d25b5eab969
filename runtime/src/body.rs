//! The JSON body of a request, written straight into the buffer that is hashed and sent.
//!
//! serde_json decides for every byte of every string whether it needs an escape, with a table lookup and a
//! branch per byte. Request bodies are almost entirely short strings that need no escape (field names,
//! references, amounts, codes, URLs), so this writer first asks whether a string needs one at all, eight
//! bytes at a time, and then copies it whole. For the DANA payment that is a fifth fewer instructions
//! than serde_json and about 10 % less time (BENCHMARKS.md, "Request preparation").
//!
//! The output is serde_json's compact form, byte for byte: numbers and strings with escapes are written by
//! serde_json itself, and whatever else serde_json has rules of its own for (enum variants with data, maps
//! with non-string keys) is reported as [`Unsupported`], so that the caller serializes the whole body with
//! serde_json instead. Tests compare both writers on a payment-shaped body and on arbitrary JSON.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

/// Writes `value` as compact JSON into `out`; `Err` when it holds something this writer leaves to
/// serde_json (then `out` holds a partial body, to be cleared).
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Unsupported> {
    value.serialize(Writer(out))
}

/// Something the fast writer does not write; serde_json serializes the body instead.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// A JSON string: copied whole between quotes when nothing in it needs an escape, else written by serde_json.
#[inline]
fn write_str(out: &mut Vec<u8>, text: &str) -> Result<(), Unsupported> {
    if needs_escape(text.as_bytes()) {
        return write_escaped(out, text);
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
    Ok(())
}

/// A string with something to escape: serde_json's escapes, kept out of line so the usual path stays short.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut Vec<u8>, text: &str) -> Result<(), Unsupported> {
    serde_json::to_writer(out, text).map_err(|_| Unsupported)
}

/// Whether JSON needs an escape for any byte: a control character, a quote or a backslash (exactly the
/// bytes serde_json escapes). Eight bytes are tested at once, as one word; most strings of a body are
/// 3 to 60 bytes, where a per-byte loop costs several instructions per byte.
fn needs_escape(bytes: &[u8]) -> bool {
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // Whole words, then the last eight bytes, which may overlap the last whole word (testing a byte twice
        // does not change the answer).
        _ if bytes.len() >= 8 => {
            let (words, _) = bytes.as_chunks::<8>();
            words.iter().any(|word| word_needs_escape(*word))
                || bytes.last_chunk::<8>().is_some_and(|last| word_needs_escape(*last))
        }
        // 4 to 7 bytes: the first four and the last four, overlapping.
        (Some(first), Some(last)) => {
            let mut word = [0; 8];
            word[..4].copy_from_slice(first);
            word[4..].copy_from_slice(last);
            word_needs_escape(word)
        }
        _ => bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\'),
    }
}

/// Whether any of the eight bytes is below 0x20, a quote or a backslash, without looking at them one by one:
/// `(x - 0x01…01 * n) & !x & 0x80…80` is not zero exactly when some byte of `x` is below `n` (for `n` up
/// to 0x80), and a byte equals `c` when the same byte of `x ^ (0x01…01 * c)` is below 1.
fn word_needs_escape(bytes: [u8; 8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH_BITS;
    let x = u64::from_le_bytes(bytes);
    let control = below(x, 0x20);
    let quote = below(x ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(x ^ (ONES * u64::from(b'\\')), 1);
    (control | quote | backslash) != 0
}

/// Hands a value to serde_json's own serializer on the same buffer: numbers and byte strings are written
/// by it, so they are formatted exactly as serde_json formats them.
fn by_serde_json(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut serde_json::Serializer<&mut Vec<u8>>) -> serde_json::Result<()>,
) -> Result<(), Unsupported> {
    write(&mut serde_json::Serializer::new(out)).map_err(|_| Unsupported)
}

/// The serializer of one value.
struct Writer<'a>(&'a mut Vec<u8>);

/// An array or object being written: `first` until its first element, to place the commas.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, bracket: u8) -> Self {
        out.push(bracket);
        Compound { out, first: true }
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }
}

/// Numbers go to serde_json: integers and floats are formatted exactly as there.
macro_rules! numbers_by_serde_json {
    ($($method:ident($ty:ty),)*) => {
        $(fn $method(self, value: $ty) -> Result<(), Unsupported> {
            by_serde_json(self.0, |s| ser::Serializer::$method(s, value))
        })*
    };
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    numbers_by_serde_json! {
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    }

    fn serialize_bool(self, value: bool) -> Result<(), Unsupported> {
        self.0.extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<(), Unsupported> {
        write_str(self.0, value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<(), Unsupported> {
        write_str(self.0, value)
    }

    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        write_str(self.0, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(Compound::open(self.0, b'['))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(Compound::open(self.0, b'{'))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(Compound::open(self.0, b'{'))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.comma();
        value.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unsupported> {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.comma();
        key.serialize(StrKey(self.out))?;
        self.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unsupported> {
        self.out.push(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        self.comma();
        write_str(self.out, key)?;
        self.out.push(b':');
        value.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unsupported> {
        self.out.push(b'}');
        Ok(())
    }
}

/// A map key: only a string is written here (serde_json turns numbers and booleans into strings, which is
/// left to it).
struct StrKey<'a>(&'a mut Vec<u8>);

/// Every key that is not a string: left to serde_json.
macro_rules! not_a_str_key {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Unsupported> {
            Err(Unsupported)
        })*
    };
}

impl ser::Serializer for StrKey<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Impossible<(), Unsupported>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_str(self, value: &str) -> Result<(), Unsupported> {
        write_str(self.0, value)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    not_a_str_key! {
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
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// The fast writer's bytes, or serde_json's when it leaves the value to serde_json (as `body_bytes` does).
    fn body(value: &(impl Serialize + ?Sized)) -> Vec<u8> {
        let mut out = Vec::new();
        if write(value, &mut out).is_err() {
            out.clear();
            out = serde_json::to_vec(value).unwrap_or_default();
        }
        out
    }

    fn written(value: &(impl Serialize + ?Sized)) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write(value, &mut out).ok().map(|()| out)
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Payment<'a> {
        partner_reference_no: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        remarks: Option<&'a str>,
        amount: Amount<'a>,
        items: Vec<Item>,
        kind: Kind,
        deep_link: bool,
        count: i64,
        extra: Value,
    }

    #[derive(serde::Serialize)]
    struct Amount<'a> {
        value: &'a str,
        currency: &'a str,
    }

    #[derive(serde::Serialize)]
    struct Item {
        name: String,
        quantity: u32,
        price: Option<f64>,
    }

    #[derive(serde::Serialize)]
    enum Kind {
        #[serde(rename = "PAY_RETURN")]
        PayReturn,
    }

    #[test]
    fn a_payment_is_written_by_the_fast_path_exactly_as_serde_json_writes_it() {
        let payment = Payment {
            partner_reference_no: "INV-20240710-000123",
            remarks: None,
            amount: Amount {
                value: "150000.00",
                currency: "IDR",
            },
            items: vec![
                Item {
                    name: "Kopi susu".into(),
                    quantity: 2,
                    price: Some(12.5),
                },
                Item {
                    name: "Teh \"manis\"\n\\ é ✓".into(),
                    quantity: 1,
                    price: None,
                },
            ],
            kind: Kind::PayReturn,
            deep_link: true,
            count: -42,
            extra: json!({"a": [1, 2.5, null, true, "x\u{1}"], "b": {}, "c": [], "d": u64::MAX, "e": 1e300}),
        };
        let fast = written(&payment);
        assert_eq!(fast, serde_json::to_vec(&payment).ok());
    }

    #[test]
    fn what_the_fast_path_leaves_to_serde_json_comes_out_the_same() {
        #[derive(serde::Serialize)]
        enum WithData {
            Newtype(u8),
            Tuple(u8, u8),
            Struct { a: u8 },
        }
        let mut integer_keys = std::collections::BTreeMap::new();
        integer_keys.insert(1, "one");
        assert!(written(&WithData::Newtype(1)).is_none());
        assert!(written(&integer_keys).is_none());
        for value in [
            serde_json::to_vec(&WithData::Newtype(1)),
            serde_json::to_vec(&WithData::Tuple(1, 2)),
            serde_json::to_vec(&WithData::Struct { a: 1 }),
            serde_json::to_vec(&integer_keys),
        ] {
            assert!(value.is_ok());
        }
        assert_eq!(body(&WithData::Tuple(1, 2)), br#"{"Tuple":[1,2]}"#);
        assert_eq!(body(&WithData::Struct { a: 1 }), br#"{"Struct":{"a":1}}"#);
        assert_eq!(body(&integer_keys), br#"{"1":"one"}"#);
        assert_eq!(body(&(1u8, 'x', ())), br#"[1,"x",null]"#);
    }

    #[test]
    fn exactly_controls_quotes_and_backslashes_need_an_escape() {
        // Every byte at every position of strings of every length up to 20 (short, word-sized, overlapping).
        for len in 1..=20 {
            for at in 0..len {
                for byte in 0..=u8::MAX {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(needs_escape(&text), expected, "{byte:#04x} at {at} of {len}");
                }
            }
        }
        // Bytes with the high bit set (UTF-8 beyond ASCII) next to the tested ones do not confuse the words.
        assert!(!needs_escape("ééééé ✓ ünïcödé".as_bytes()));
        assert!(needs_escape("ééé\u{1}éé".as_bytes()));
        assert!(!needs_escape(b""));
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[ -~]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_is_written_as_serde_json_writes_it(value in json()) {
            prop_assert_eq!(written(&value), serde_json::to_vec(&value).ok());
        }

        #[test]
        fn any_string_is_written_as_serde_json_writes_it(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_vec(&text).ok());
        }
    }
}
