//! Checking raw values into validated ones, collecting every violation with its wire path.
//!
//! Generated builders hold raw values ([`Loose`]: whatever the caller or a JSON body supplied) and turn
//! them into validated types through [`FromRaw`], reporting into one [`Checker`]. `build()` therefore
//! returns *every* problem at once (`amount.value`, `urlParam[0].url`, …), never just the first.

use std::fmt;

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;
use snapbi_rules::{Document, Problem, Rule};

/// One broken rule and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Wire path of the offending value, e.g. `urlParam[0].url` or a header name.
    pub path: String,
    /// What is wrong.
    pub kind: ViolationKind,
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViolationKind {
    /// A required value is absent (or null).
    Missing,
    /// The JSON value has the wrong type.
    WrongType {
        /// What the field needs, e.g. `a string`.
        expected: &'static str,
        /// What was there, e.g. `a number`.
        found: &'static str,
    },
    /// The value breaks a rule of the spec.
    Rule(Problem),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "body" } else { &self.path };
        match &self.kind {
            ViolationKind::Missing => write!(f, "{path}: is required"),
            ViolationKind::WrongType { expected, found } => write!(f, "{path}: expected {expected}, found {found}"),
            ViolationKind::Rule(problem) => write!(f, "{path}: {problem}"),
        }
    }
}

/// Every violation found while building a request, in field order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    violations: Vec<Violation>,
}

impl BuildError {
    /// The violations, in field order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The wire paths of the violations.
    pub fn paths(&self) -> Vec<&str> {
        self.violations.iter().map(|v| v.path.as_str()).collect()
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} invalid field(s)", self.violations.len())?;
        for v in &self.violations {
            write!(f, "\n  {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// A value that failed the rules of its type, for `TryFrom` on validated types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value: {0}")]
pub struct InvalidValue(pub Problem);

impl InvalidValue {
    /// A value that is none of `allowed` (a value list's `FromStr`): written once here rather than in each
    /// `WireEnum` expansion, where collecting the list instantiated the iterator code once per enum.
    pub fn not_allowed(allowed: &[&str]) -> InvalidValue {
        InvalidValue(Problem::NotAllowed {
            allowed: allowed.iter().map(|v| (*v).to_owned()).collect(),
        })
    }
}

/// Collects violations while raw values are checked; tracks the current wire path.
///
/// The path is kept as a stack of segments and only rendered into a string when a violation is reported,
/// so checking a valid request costs no formatting and no allocation for paths.
// Only the derives' builders drive a checker (reached as `__private::Checker`).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Checker {
    path: PathStack,
    violations: Vec<Violation>,
}

/// One step of a wire path: a field name or a list position.
#[derive(Debug, Clone, Copy)]
enum Segment {
    Field(&'static str),
    Index(usize),
}

/// The segments of the current wire path, outermost first. SNAP bodies nest a few levels
/// (`additionalInfo.lineItems[0].price` is four), so the first [`PathStack::INLINE`] segments live in the
/// stack itself and a build allocates nothing for its path; deeper ones continue in `deeper`.
#[derive(Debug)]
struct PathStack {
    inline: [Segment; PathStack::INLINE],
    len: usize,
    deeper: Vec<Segment>,
}

impl PathStack {
    const INLINE: usize = 8;

    fn push(&mut self, segment: Segment) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = segment,
            None => self.deeper.push(segment),
        }
        self.len += 1;
    }

    fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
        if self.len >= Self::INLINE {
            self.deeper.pop();
        }
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.inline[..self.len.min(Self::INLINE)].iter().chain(&self.deeper)
    }
}

impl Default for PathStack {
    fn default() -> Self {
        PathStack {
            inline: [Segment::Index(0); Self::INLINE],
            len: 0,
            deeper: Vec::new(),
        }
    }
}

impl Checker {
    /// Runs `check` and returns its value if nothing was reported, else every violation.
    pub fn run<T>(check: impl FnOnce(&mut Checker) -> Option<T>) -> Result<T, BuildError> {
        let mut checker = Checker::default();
        let value = check(&mut checker);
        checker.finish(value)
    }

    /// `value`, checked with this checker, if nothing was reported; else every violation.
    ///
    /// Generated `build()` methods check with a checker of their own and end here rather than going
    /// through [`Checker::run`]: a closure would carry the whole builder, a copy of a few hundred bytes.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, BuildError> {
        match value {
            Some(value) if self.violations.is_empty() => Ok(value),
            _ => Err(BuildError {
                violations: self.violations,
            }),
        }
    }

    /// Checks a required field: absent is a violation.
    pub fn required<T: FromRaw>(&mut self, wire: &'static str, raw: Option<T::Raw>) -> Option<T> {
        self.at(wire, |c| match raw {
            Some(raw) => T::from_raw(raw, c),
            None => {
                c.report(ViolationKind::Missing);
                None
            }
        })
    }

    /// Checks an optional field: absent is fine (`Some(None)`); a bad value gives `None`.
    pub fn optional<T: FromRaw>(&mut self, wire: &'static str, raw: Option<T::Raw>) -> Option<Option<T>> {
        match raw {
            Some(raw) => self.at(wire, |c| T::from_raw(raw, c)).map(Some),
            None => Some(None),
        }
    }

    /// Reports a violation at the current path.
    pub fn report(&mut self, kind: ViolationKind) {
        let path = self.rendered_path();
        self.violations.push(Violation { path, kind });
    }

    /// Checks cross-field `rules` on a value whose fields are all valid, reporting each broken one at its
    /// wire path below the current one; `true` when all hold.
    pub fn rules_hold<D: Document + ?Sized>(&mut self, value: &D, rules: &[Rule]) -> bool {
        let before = self.violations.len();
        let (base, violations) = (&self.path, &mut self.violations);
        snapbi_rules::check_rules(value, rules, &mut |path, problem| {
            // Only a broken rule renders the path it sits under.
            let base = rendered(base);
            let path = match (base.is_empty(), path.is_empty()) {
                (true, _) => path,
                (false, true) => base,
                (false, false) => format!("{base}.{path}"),
            };
            violations.push(Violation {
                path,
                kind: ViolationKind::Rule(problem),
            });
        });
        self.violations.len() == before
    }

    /// Runs `f` with the field `wire` appended to the path.
    pub fn at<R>(&mut self, wire: &'static str, f: impl FnOnce(&mut Checker) -> R) -> R {
        self.within(Segment::Field(wire), f)
    }

    /// Runs `f` with the list position `index` appended to the path.
    pub fn at_index<R>(&mut self, index: usize, f: impl FnOnce(&mut Checker) -> R) -> R {
        self.within(Segment::Index(index), f)
    }

    fn within<R>(&mut self, segment: Segment, f: impl FnOnce(&mut Checker) -> R) -> R {
        self.path.push(segment);
        let result = f(self);
        self.path.pop();
        result
    }

    /// The current wire path: `urlParam[0].url`.
    fn rendered_path(&self) -> String {
        rendered(&self.path)
    }

    /// Unwraps a raw value, reporting a type mismatch.
    pub fn take<T>(&mut self, raw: Loose<T>, expected: &'static str) -> Option<T> {
        match raw.0 {
            Ok(value) => Some(value),
            Err(found) => {
                self.report(ViolationKind::WrongType { expected, found });
                None
            }
        }
    }

    /// Applies a rule check to a present value, reporting its problem.
    pub fn rule<T>(&mut self, checked: Result<T, InvalidValue>) -> Option<T> {
        checked
            .map_err(|InvalidValue(problem)| self.report(ViolationKind::Rule(problem)))
            .ok()
    }
}

/// A path stack as a wire path: `urlParam[0].url`.
fn rendered(path: &PathStack) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    for segment in path.segments() {
        match segment {
            Segment::Field(name) if out.is_empty() => out.push_str(name),
            Segment::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Segment::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// Converts a raw value into a validated one, reporting problems into the checker.
pub trait FromRaw: Sized {
    /// What builders and JSON bodies hold before checking.
    type Raw;
    /// Checks `raw`; `None` means something was reported.
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self>;
}

/// Checks a JSON body against the rules of `T` (a generated request type), reporting every violation.
pub fn from_json<T: FromRaw>(body: Value) -> Result<T, BuildError>
where
    T::Raw: DeserializeOwned,
{
    let raw = T::Raw::deserialize(body);
    Checker::run(|c| match raw {
        Ok(raw) => T::from_raw(raw, c),
        Err(e) => {
            c.report(ViolationKind::WrongType {
                expected: "an object",
                found: if e.is_data() { "another type" } else { "invalid JSON" },
            });
            None
        }
    })
}

/// A raw value as supplied: the expected type, or a note of what JSON type was found instead.
///
/// Deserializing never fails, so a JSON body with a number where a string belongs still yields a builder,
/// and the mismatch becomes one violation among the others.
// Only the derives' builders hold raw values (reached as `__private::Loose`).
#[doc(hidden)]
#[derive(Clone)]
pub struct Loose<T>(Result<T, &'static str>);

impl<T> Loose<T> {
    /// A value of the right type.
    pub fn ok(value: T) -> Self {
        Loose(Ok(value))
    }
}

impl<T: DeserializeOwned> Loose<T> {
    /// Reads `value` as `T`, remembering its JSON type if it does not fit.
    pub fn from_value(value: Value) -> Self {
        let found = json_kind(&value);
        Loose(T::deserialize(value).map_err(|_| found))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Loose::from_value)
    }
}

/// How a JSON value is described in violations.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl FromRaw for String {
    type Raw = Loose<String>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        checker.take(raw, "a string")
    }
}

impl FromRaw for bool {
    type Raw = Loose<bool>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        checker.take(raw, "a boolean")
    }
}

impl FromRaw for Value {
    type Raw = Value;
    fn from_raw(raw: Self::Raw, _: &mut Checker) -> Option<Self> {
        Some(raw)
    }
}

impl<T: FromRaw> FromRaw for Vec<T> {
    type Raw = Loose<Vec<T::Raw>>;
    fn from_raw(raw: Self::Raw, checker: &mut Checker) -> Option<Self> {
        let items = checker.take(raw, "a list")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.into_iter().enumerate() {
            match checker.at_index(i, |c| T::from_raw(item, c)) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_missing_and_wrong_type_are_all_reported_with_paths() {
        let result = Checker::run(|c| {
            let a: Option<String> = c.required("a", None);
            let b: Option<String> = c.required("b", Some(Loose::from_value(json!(5))));
            let list: Option<Vec<String>> = c.required("list", Some(Loose::from_value(json!(["x", 1]))));
            Some((a?, b?, list?))
        });
        let err = result.unwrap_err();
        assert_eq!(err.paths(), ["a", "b", "list[1]"]);
        assert_eq!(err.violations()[1].to_string(), "b: expected a string, found a number");
    }

    #[test]
    fn paths_deeper_than_the_inline_stack_render_and_unwind() {
        // Ten levels (beyond the inline eight), a violation at the bottom, then one back at level three.
        fn nest(c: &mut Checker, level: usize) {
            if level == 10 {
                c.report(ViolationKind::Missing);
                return;
            }
            c.at_index(level, |c| nest(c, level + 1));
            if level == 3 {
                c.report(ViolationKind::Missing);
            }
        }
        let err = Checker::run(|c| {
            c.at("top", |c| nest(c, 0));
            c.report(ViolationKind::Missing);
            None::<()>
        })
        .unwrap_err();
        assert_eq!(err.paths(), ["top[0][1][2][3][4][5][6][7][8][9]", "top[0][1][2]", ""]);
    }

    #[test]
    fn optional_absent_is_fine() {
        let got = Checker::run(|c| c.optional::<String>("x", None));
        assert_eq!(got, Ok(None));
    }
}
