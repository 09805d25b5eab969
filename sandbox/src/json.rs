//! Request bodies read into JSON: serde_json's [`Value`], each object made at its final size.
//!
//! serde_json's own reading grows every object as its members arrive (the member list and its hash index are
//! reallocated and rehashed two or three times for an object of a few members), and a call's body holds several
//! objects. Here an object's members are gathered on the stack first and the map is made once, at their count.
//! The value is the same: members in the order received, a repeated member's last value in its first place.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use smallvec::SmallVec;

/// `raw` as JSON, as `serde_json::from_slice::<Value>` reads it (trailing whitespace allowed, nothing else after).
pub(crate) fn from_slice(raw: &[u8]) -> serde_json::Result<Value> {
    let mut reader = serde_json::Deserializer::from_slice(raw);
    let value = Exact.deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// Reads one JSON value, objects at their size.
#[derive(Clone, Copy)]
struct Exact;

impl<'de> DeserializeSeed<'de> for Exact {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Value, D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Exact {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // What serde_json does: JSON text cannot spell a non-finite number, so this is never null in practice.
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut list = Vec::with_capacity(items.size_hint().unwrap_or(0));
        while let Some(item) = items.next_element_seed(self)? {
            list.push(item);
        }
        Ok(Value::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let mut read: SmallVec<[(String, Value); 8]> = SmallVec::new();
        while let Some(name) = members.next_key::<String>()? {
            read.push((name, members.next_value_seed(self)?));
        }
        let mut object = Map::with_capacity(read.len());
        object.extend(read);
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let texts = [
            r#"{"b":1,"a":[true,null,-2,3.5,"x\u00e9"],"c":{"d":{}},"b":2}"#,
            r#"  [ {"k" : "v"} , 18446744073709551615 , -9223372036854775808 ]  "#,
            r#""just text""#,
            r#"{"one":1,"two":2,"three":3,"four":4,"five":5,"six":6,"seven":7,"eight":8,"nine":9,"ten":10}"#,
        ];
        for text in texts {
            let ours = from_slice(text.as_bytes()).expect("JSON");
            let theirs: Value = serde_json::from_slice(text.as_bytes()).expect("JSON");
            assert_eq!(ours, theirs, "{text}");
            // The same member order too (preserve_order), which `==` does not compare.
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in ["", "{", r#"{"a":1} x"#, "[1,]", r#"{"a" 1}"#, "nul"] {
            let ours = from_slice(text.as_bytes()).map_err(|e| e.to_string());
            let theirs = serde_json::from_slice::<Value>(text.as_bytes()).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text:?}");
            assert!(ours.is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_deep_body_is_refused_not_overflowed() {
        let deep = "[".repeat(10_000);
        let error = from_slice(deep.as_bytes()).expect_err("too deep");
        assert!(error.to_string().contains("recursion limit"), "{error}");
    }
}
