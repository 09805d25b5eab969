//! Reading a file that keeps going after a mistake, so that one run reports every mistake of the file.
//!
//! serde_yaml stops at the first error, and `deny_unknown_fields` makes a misspelt key such an error: a typo
//! used to hide every other problem of its file until it was fixed. So a file is read through [`Tracked`], a
//! thin layer over serde_yaml's deserializer that knows the spec path of every value and can leave chosen keys
//! and values out. When reading fails, the mistake is reported (serde_yaml's own message and position, as
//! before), the key or value at fault is planned out, and the file is read again, until it loads or nothing
//! more can be learnt:
//!
//! - An unknown key is read as the key it resembles (`requird` as `required`, by the same did-you-mean as its
//!   hint) when that key is absent from its mapping, so that its value is still checked and no "missing field"
//!   follows; any other unknown key is left out. Either way the file still loads and lowers: its other checks
//!   (a `min_length` above its `max_length`) run in the same pass.
//! - Any other error (a value of the wrong type, a missing key) is reported, the value is left out and reading
//!   goes on to find the file's other mistakes; the file does not load then, since its content is incomplete.
//!   A "missing field" that only follows from a value left out is not reported: that mistake was.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::positions::Positions;
use super::{closest_field, yaml_error};
use crate::diagnostic::Diagnostic;

/// What a file read to, with every mistake found on the way.
pub struct Read<T> {
    /// The file's content, unless a mistake left it incomplete.
    pub value: Option<T>,
    /// Every mistake, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `source` as `T`, reporting every mistake (see the module doc). `positions` index the same source.
pub fn read<T: DeserializeOwned>(file: &Path, source: &str, positions: &Positions) -> Read<T> {
    let mut plan = Plan::default();
    let mut diagnostics = Vec::new();
    // Each round plans one more key or value out, so a file has at most as many rounds as it has values.
    for _ in 0..=source.len() {
        let round = Round {
            plan: &plan,
            failure: RefCell::new(None),
        };
        let tracked = Tracked {
            inner: serde_yaml::Deserializer::from_str(source),
            at: At::root(&round),
        };
        let error = match T::deserialize(tracked) {
            Ok(value) => {
                let value = plan.complete().then_some(value);
                return Read { value, diagnostics };
            }
            Err(error) => error,
        };
        let failure = round.failure.into_inner().unwrap_or(Failure::Value(String::new()));
        if !plan.follows_from_a_gap(&failure, &error) {
            diagnostics.push(yaml_error(file, &error));
        }
        if !plan.learn(failure, &error, positions) {
            break;
        }
    }
    Read {
        value: None,
        diagnostics,
    }
}

/// What to do with a key (by the spec path of its value) when the file is read again.
#[derive(Debug)]
enum Action {
    /// Leave the key and its value out.
    Skip,
    /// Read the key as this one.
    Rename(String),
}

/// The keys and values to leave out or rename on the next reading, learnt from the readings before.
#[derive(Default)]
struct Plan {
    actions: HashMap<String, Action>,
    /// Fields left out because their value was wrong: (spec path of the mapping, field name).
    gaps: HashSet<(String, String)>,
}

impl Plan {
    /// No value was left out, so what was read is all the file says (unknown keys aside).
    fn complete(&self) -> bool {
        self.gaps.is_empty()
    }

    /// A "missing field" caused by a value this plan left out: its mistake was reported already.
    fn follows_from_a_gap(&self, failure: &Failure, error: &serde_yaml::Error) -> bool {
        let Failure::Value(path) = failure else {
            return false;
        };
        let text = error.to_string();
        let missing = text
            .split_once("missing field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(field, _)| field);
        missing.is_some_and(|field| self.gaps.contains(&(path.clone(), field.to_owned())))
    }

    /// Plans the failure out; false when that cannot help (the whole file failed, or it was planned already).
    fn learn(&mut self, failure: Failure, error: &serde_yaml::Error, positions: &Positions) -> bool {
        match failure {
            Failure::UnknownKey { map, key } => {
                let path = join(&map, &key);
                let text = error.to_string();
                let action = match closest_field(&text) {
                    Some(known) if !positions.has_key(&join(&map, known)) => Action::Rename(known.to_owned()),
                    _ => Action::Skip,
                };
                self.actions.insert(path, action).is_none()
            }
            Failure::Value(path) if path.is_empty() => false,
            Failure::Value(path) => {
                let (map, key) = path.rsplit_once('.').unwrap_or(("", &path));
                self.gaps.insert((map.to_owned(), key.to_owned()));
                if let Some(Action::Rename(known)) = self.actions.get(&path) {
                    self.gaps.insert((map.to_owned(), known.clone()));
                }
                !matches!(self.actions.insert(path.clone(), Action::Skip), Some(Action::Skip))
            }
        }
    }
}

/// Why one reading stopped.
#[derive(Debug)]
enum Failure {
    /// A key its mapping does not know, at the mapping's spec path.
    UnknownKey { map: String, key: String },
    /// Any other error, at the spec path of the innermost value that failed (`""`: the file itself).
    Value(String),
}

/// One reading: the plan it follows, and the first failure, where it happened.
struct Round<'p> {
    plan: &'p Plan,
    failure: RefCell<Option<Failure>>,
}

impl Round<'_> {
    /// Keeps the innermost failure: the first one recorded while the error travels outwards.
    fn fail(&self, failure: Failure) {
        self.failure.borrow_mut().get_or_insert(failure);
    }
}

/// Where a value stands: its spec path, and the reading it belongs to.
#[derive(Clone, Copy)]
struct At<'a, 'p> {
    path: &'a str,
    round: &'a Round<'p>,
}

impl<'a, 'p> At<'a, 'p> {
    fn root(round: &'a Round<'p>) -> Self {
        At { path: "", round }
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// serde_yaml's deserializer, knowing the spec path of the value it reads.
struct Tracked<'a, 'p, D> {
    inner: D,
    at: At<'a, 'p>,
}

/// Forwards `deserialize_*` methods with the visitor wrapped, so that maps and sequences inside are tracked.
macro_rules! forward {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($($arg,)*)? Wrapped { inner: visitor, at: self.at })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tracked<'_, '_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any; deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32; deserialize_i64;
        deserialize_i128; deserialize_u8; deserialize_u16; deserialize_u32; deserialize_u64; deserialize_u128;
        deserialize_f32; deserialize_f64; deserialize_char; deserialize_str; deserialize_string;
        deserialize_bytes; deserialize_byte_buf; deserialize_option; deserialize_unit; deserialize_seq;
        deserialize_map; deserialize_identifier; deserialize_ignored_any;
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A seed read through [`Tracked`] at a spec path.
struct TrackedSeed<'a, 'p, S> {
    seed: S,
    at: At<'a, 'p>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for TrackedSeed<'_, '_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Tracked {
            inner: deserializer,
            at: self.at,
        })
    }
}

/// A visitor whose maps and sequences are tracked; everything else passes through unchanged.
struct Wrapped<'a, 'p, V> {
    inner: V,
    at: At<'a, 'p>,
}

/// Forwards `visit_*` methods of one argument unchanged.
macro_rules! pass {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrapped<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass! {
        visit_bool(bool); visit_i8(i8); visit_i16(i16); visit_i32(i32); visit_i64(i64); visit_i128(i128);
        visit_u8(u8); visit_u16(u16); visit_u32(u32); visit_u64(u64); visit_u128(u128); visit_f32(f32);
        visit_f64(f64); visit_char(char); visit_str(&str); visit_borrowed_str(&'de str); visit_string(String);
        visit_bytes(&[u8]); visit_borrowed_bytes(&'de [u8]); visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Tracked {
            inner: deserializer,
            at: self.at,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Tracked {
            inner: deserializer,
            at: self.at,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(TrackedSeq {
            inner: seq,
            at: self.at,
            next: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(TrackedMap {
            inner: map,
            at: self.at,
            key: None,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        // No spec type is a serde enum; a YAML tag (`!x`) ends up here and is not looked into.
        self.inner.visit_enum(data)
    }
}

/// A sequence whose items know their index, and whose planned-out items are skipped.
struct TrackedSeq<'a, 'p, A> {
    inner: A,
    at: At<'a, 'p>,
    next: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for TrackedSeq<'_, '_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        let mut path = join(self.at.path, &self.next.to_string());
        while matches!(self.at.round.plan.actions.get(&path), Some(Action::Skip)) {
            if self.inner.next_element::<IgnoredAny>()?.is_none() {
                return Ok(None);
            }
            self.next += 1;
            path = join(self.at.path, &self.next.to_string());
        }
        self.next += 1;
        let at = At {
            path: &path,
            round: self.at.round,
        };
        let round = self.at.round;
        self.inner
            .next_element_seed(TrackedSeed { seed, at })
            .inspect_err(|_| round.fail(Failure::Value(path.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A mapping whose values know their key, and whose planned-out keys are skipped or renamed.
struct TrackedMap<'a, 'p, A> {
    inner: A,
    at: At<'a, 'p>,
    /// Spec path of the value about to be read (its key as written, even when renamed).
    key: Option<String>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TrackedMap<'_, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let mut seed = Some(seed);
        loop {
            let key = KeySeed {
                seed: &mut seed,
                at: self.at,
            };
            match self.inner.next_key_seed(key)? {
                None => return Ok(None),
                Some(KeyRead::Fed(value, path)) => {
                    self.key = Some(path);
                    return Ok(Some(value));
                }
                Some(KeyRead::Skipped) => {
                    self.inner.next_value::<IgnoredAny>()?;
                }
            }
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let path = self.key.take().unwrap_or_else(|| self.at.path.to_owned());
        let at = At {
            path: &path,
            round: self.at.round,
        };
        let round = self.at.round;
        self.inner
            .next_value_seed(TrackedSeed { seed, at })
            .inspect_err(|_| round.fail(Failure::Value(path.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// What reading one key gave: the caller's key (with the spec path of its value), or a key planned out.
enum KeyRead<T> {
    Fed(T, String),
    Skipped,
}

/// Reads a key as a string and decides, by the plan, whether the caller's seed sees it and under which name.
/// It runs inside serde_yaml's own key reading, so an unknown key is reported at the key, as serde_yaml does.
struct KeySeed<'s, 'a, 'p, K> {
    seed: &'s mut Option<K>,
    at: At<'a, 'p>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, '_, '_, K> {
    type Value = KeyRead<K::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for KeySeed<'_, '_, '_, K> {
    type Value = KeyRead<K::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        let path = join(self.at.path, key);
        let name = match self.at.round.plan.actions.get(&path) {
            Some(Action::Skip) => return Ok(KeyRead::Skipped),
            Some(Action::Rename(known)) => known.as_str(),
            None => key,
        };
        let Some(seed) = self.seed.take() else {
            return Err(E::custom("a key was read twice"));
        };
        match seed.deserialize(StrDeserializer::<E>::new(name)) {
            Ok(value) => Ok(KeyRead::Fed(value, path)),
            Err(error) => {
                self.at.round.fail(Failure::UnknownKey {
                    map: self.at.path.to_owned(),
                    key: key.to_owned(),
                });
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
        size: Option<u32>,
        #[serde(default)]
        parts: Vec<Part>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Part {
        colour: String,
    }

    fn read_item(source: &str) -> (Option<Item>, Vec<String>) {
        let read = read::<Item>(Path::new("f.yaml"), source, &Positions::index(source));
        (read.value, read.diagnostics.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn a_misspelt_key_is_read_as_the_key_it_resembles() {
        let (item, mistakes) = read_item("nmae: x\nsize: 3\n");
        let expected = Item {
            name: "x".into(),
            size: Some(3),
            parts: vec![],
        };
        assert_eq!(item, Some(expected));
        assert_eq!(mistakes.len(), 1, "{mistakes:?}");
        assert!(
            mistakes[0].starts_with("f.yaml:1:1: error: unknown field `nmae`"),
            "{mistakes:?}"
        );
        assert!(mistakes[0].ends_with("help: did you mean `name`?"), "{mistakes:?}");
    }

    #[test]
    fn an_unknown_key_whose_look_alike_is_there_is_left_out() {
        let (item, mistakes) = read_item("name: x\nnmae: y\nparts: [{ colour: red, shade: dark }]\n");
        assert_eq!(item.map(|i| (i.name, i.parts.len())), Some(("x".into(), 1)));
        assert_eq!(mistakes.len(), 2, "{mistakes:?}");
        assert!(mistakes[1].contains("parts[0]: unknown field `shade`"), "{mistakes:?}");
    }

    #[test]
    fn every_wrong_value_is_reported_and_the_file_does_not_load() {
        let (item, mistakes) = read_item("name: [x]\nsize: big\nparts: [{ colour: red, tone: dark }]\n");
        assert_eq!(item, None);
        // The name left out makes the item miss `name`: that follows from the first mistake, not reported.
        assert_eq!(mistakes.len(), 3, "{mistakes:?}");
        assert!(
            mistakes[0].contains("1:7: error: name: invalid type: sequence"),
            "{mistakes:?}"
        );
        assert!(
            mistakes[1].contains("2:7: error: size: invalid type: string \"big\""),
            "{mistakes:?}"
        );
        assert!(mistakes[2].contains("unknown field `tone`"), "{mistakes:?}");
    }

    #[test]
    fn a_key_really_missing_is_reported() {
        let (item, mistakes) = read_item("size: 3\n");
        assert_eq!(item, None);
        assert_eq!(mistakes, ["f.yaml:1:1: error: missing field `name`"]);
    }
}
