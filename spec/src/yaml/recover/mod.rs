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

mod tracked;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::de::DeserializeOwned;

use super::positions::Positions;
use super::{closest_field, yaml_error};
use crate::diagnostic::Diagnostic;
use tracked::{At, Tracked};

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
pub(super) enum Action {
    /// Leave the key and its value out.
    Skip,
    /// Read the key as this one.
    Rename(String),
}

/// The keys and values to leave out or rename on the next reading, learnt from the readings before.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) actions: HashMap<String, Action>,
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
pub(super) enum Failure {
    /// A key its mapping does not know, at the mapping's spec path.
    UnknownKey { map: String, key: String },
    /// Any other error, at the spec path of the innermost value that failed (`""`: the file itself).
    Value(String),
}

/// One reading: the plan it follows, and the first failure, where it happened.
pub(super) struct Round<'p> {
    pub(super) plan: &'p Plan,
    failure: RefCell<Option<Failure>>,
}

impl Round<'_> {
    /// Keeps the innermost failure: the first one recorded while the error travels outwards.
    pub(super) fn fail(&self, failure: Failure) {
        self.failure.borrow_mut().get_or_insert(failure);
    }
}

pub(super) fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use std::path::Path;

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
