//! Where every key and value of a YAML file sits, by spec path.
//!
//! serde_yaml locates syntax and type errors itself, but checks that run after deserialization (min > max,
//! unknown shared type, name clashes) need the position of the offending value too. A second pass over the
//! file's YAML events with yaml-rust2's marked parser records them, keyed by dotted path
//! (`request.amount.max_length`, `codes.3`). The same pass keeps the top-level scalars (an endpoint's `id`, a
//! provider's `name`), so that a file serde_yaml could not load still tells what it defines, and the prose
//! (every `doc`, `summary` and `note`), whose citations are checked against `sources.yaml` wherever it stands.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a spec file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl Pos {
    /// The first character of a file.
    pub const START: Pos = Pos { line: 1, col: 1 };
}

/// A prose value (`doc`, `summary`, `note`) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prose {
    /// Its spec path (`request.amount.doc`).
    pub path: String,
    /// Where its value starts.
    pub pos: Pos,
    /// The text.
    pub text: String,
}

/// The keys whose values are prose a reader sees (rendered in docs), so that their citations are checked.
const PROSE_KEYS: [&str; 3] = ["doc", "summary", "note"];

/// Positions of keys and values, by dotted path; a path seen twice (a duplicate key) keeps both.
#[derive(Debug, Default)]
pub struct Positions {
    values: HashMap<String, Vec<Pos>>,
    keys: HashMap<String, Vec<Pos>>,
    /// Scalar values of top-level keys.
    top: HashMap<String, String>,
    /// Prose values, in file order.
    prose: Vec<Prose>,
    /// The event parser stopped before the end of the file.
    partial: bool,
}

impl Positions {
    /// Indexes `source`. A file serde_yaml accepted always indexes; on a scanner error the index is partial.
    pub fn index(source: &str) -> Self {
        let mut recorder = Recorder::default();
        let mut parser = Parser::new_from_str(source);
        // A syntax error was already reported by serde_yaml; keep what was indexed before it.
        recorder.positions.partial = parser.load(&mut recorder, false).is_err();
        recorder.positions
    }

    /// Whether the index stops before the end of the file (a syntax error), so that it may lack keys.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Whether the file has a key at `path`.
    pub fn has_key(&self, path: &str) -> bool {
        self.keys.contains_key(path)
    }

    /// Every prose value of the file, in file order.
    pub fn prose(&self) -> &[Prose] {
        &self.prose
    }

    /// The scalar value of the top-level key `key` (`id: acme.pay` → `acme.pay`).
    pub fn top_scalar(&self, key: &str) -> Option<&str> {
        self.top.get(key).map(String::as_str)
    }

    /// The keys directly under `path` (`types` → the type names), in no particular order.
    pub fn keys_under<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.keys.keys().filter_map(move |k| {
            let rest = k.strip_prefix(path)?.strip_prefix('.')?;
            (!rest.contains('.')).then_some(rest)
        })
    }

    /// Position of the value at `path` (its first occurrence), or of the nearest ancestor that has one.
    pub fn value(&self, path: &str) -> Pos {
        self.first(&self.values, path)
    }

    /// Position of the key that names `path` (its `nth` occurrence, for duplicates), else of its value.
    pub fn key(&self, path: &str, nth: usize) -> Pos {
        match self.keys.get(path).and_then(|all| all.get(nth)) {
            Some(pos) => *pos,
            None => self.value(path),
        }
    }

    fn first(&self, map: &HashMap<String, Vec<Pos>>, path: &str) -> Pos {
        let mut path = path;
        loop {
            if let Some(pos) = map.get(path).and_then(|all| all.first()) {
                return *pos;
            }
            match path.rfind('.') {
                Some(cut) => path = &path[..cut],
                // No position at all: the event parser refused text serde_yaml accepted (a tab after
                // `key:`, say). The file's start is still a real place to point at, unlike 0:0.
                None => return map.get("").and_then(|all| all.first()).copied().unwrap_or(Pos::START),
            }
        }
    }
}

/// What the parser is inside of while walking the event stream.
enum Frame {
    /// A mapping: the key of the entry being read, once it is known.
    Mapping { path: String, key: Option<String> },
    /// A sequence: the index of the next item.
    Sequence { path: String, next: usize },
}

#[derive(Default)]
struct Recorder {
    positions: Positions,
    stack: Vec<Frame>,
}

impl Recorder {
    fn child_path(parent: &str, segment: &str) -> String {
        if parent.is_empty() {
            segment.to_owned()
        } else {
            format!("{parent}.{segment}")
        }
    }

    /// Called for a node in value position; returns its path, or None if the node is a mapping key.
    fn place_node(&mut self, scalar: Option<&str>, pos: Pos) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { path, next }) => {
                let here = Self::child_path(path, &next.to_string());
                *next += 1;
                Some(here)
            }
            Some(Frame::Mapping { path, key }) => match key.take() {
                Some(k) => Some(Self::child_path(path, &k)),
                None => {
                    // This node is a key: remember it and where it stands.
                    let k = scalar.unwrap_or("?").to_owned();
                    let key_path = Self::child_path(path, &k);
                    self.positions.keys.entry(key_path).or_default().push(pos);
                    *key = Some(k);
                    None
                }
            },
        }
    }

    fn record(&mut self, path: &str, pos: Pos) {
        self.positions.values.entry(path.to_owned()).or_default().push(pos);
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = Pos {
            line: mark.line(),
            col: mark.col() + 1,
        };
        match event {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.place_node(Some(&value), pos) {
                    self.record(&path, pos);
                    let key = path.rsplit('.').next().unwrap_or_default();
                    if PROSE_KEYS.contains(&key) {
                        let text = value.clone();
                        self.positions.prose.push(Prose {
                            path: path.clone(),
                            pos,
                            text,
                        });
                    }
                    if self.stack.len() == 1 && !path.contains('.') {
                        self.positions.top.insert(path, value);
                    }
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.place_node(None, pos) {
                    self.record(&path, pos);
                }
            }
            Event::MappingStart(..) => {
                let path = self.place_node(None, pos).unwrap_or_default();
                self.record(&path, pos);
                self.stack.push(Frame::Mapping { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.place_node(None, pos).unwrap_or_default();
                self.record(&path, pos);
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_keys_are_located_by_path() {
        let src =
            "id: x\nrequest:\n  amount: { type: Amount, max_length: 12 }\ncodes:\n  - 2005400\n  - { code: 4005400 }\n";
        let p = Positions::index(src);
        assert_eq!(p.value("id"), Pos { line: 1, col: 5 });
        assert_eq!(p.value("request.amount.max_length"), Pos { line: 3, col: 39 });
        assert_eq!(p.key("request.amount", 0), Pos { line: 3, col: 3 });
        assert_eq!(p.value("codes.0"), Pos { line: 5, col: 5 });
        assert_eq!(p.value("codes.1.code"), Pos { line: 6, col: 13 });
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(p.value("request.amount.nope"), Pos { line: 3, col: 11 });
    }

    #[test]
    fn top_scalars_and_keys_survive_a_syntax_error() {
        let p = Positions::index("id: acme.pay\ntypes:\n  Amount: {}\n  Url: {}\nrequest:\n  a: [\n");
        assert!(p.is_partial());
        assert_eq!(p.top_scalar("id"), Some("acme.pay"));
        let mut types: Vec<&str> = p.keys_under("types").collect();
        types.sort();
        assert_eq!(types, ["Amount", "Url"]);
        assert!(p.has_key("request.a") && !p.has_key("request.b"));
    }

    #[test]
    fn duplicate_keys_keep_both_positions() {
        let p = Positions::index("request:\n  a: string\n  a: string\n");
        assert_eq!(p.key("request.a", 0), Pos { line: 2, col: 3 });
        assert_eq!(p.key("request.a", 1), Pos { line: 3, col: 3 });
    }
}
