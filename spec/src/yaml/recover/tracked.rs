//! The layer over serde_yaml's deserializer that a [`super::read`] goes through: it knows the spec path of each
//! value (for the plan and for locating a failure) and leaves out or renames the keys the plan names. Anything
//! else passes through unchanged, so serde_yaml's messages and positions stay what they were.

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Action, Failure, Round, join};

/// Where a value stands: its spec path, and the reading it belongs to.
#[derive(Clone, Copy)]
pub(super) struct At<'a, 'p> {
    path: &'a str,
    round: &'a Round<'p>,
}

impl<'a, 'p> At<'a, 'p> {
    pub(super) fn root(round: &'a Round<'p>) -> Self {
        At { path: "", round }
    }
}

/// serde_yaml's deserializer, knowing the spec path of the value it reads.
pub(super) struct Tracked<'a, 'p, D> {
    pub(super) inner: D,
    pub(super) at: At<'a, 'p>,
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
