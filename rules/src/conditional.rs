//! Rules that tie fields together: "give `originalPartnerReferenceNo` or `originalReferenceNo`", "with
//! channel `DIRECT_DEBIT_ALLO_SNAP`, `additionalInfo.remarks` is required", "with a jump-app channel, every
//! `urlParam[].type` is `PAY_RETURN`".
//!
//! A rule names values by wire path, pre-split into segments (`["urlParam", "[]", "type"]`), so checking a
//! valid body splits and formats nothing. The same [`check_rules`] runs on generated request types (through
//! their derived [`Document`] impls) and on raw JSON in the sandbox, so the two cannot disagree.

use std::borrow::Cow;
use std::fmt;

use crate::Problem;

/// The segment of a wire path that stands for "every item of the list".
pub const EACH_ITEM: &str = "[]";

/// A value found at a path while a rule is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// A string (or an enum's wire spelling).
    Text(&'a str),
    /// Any other present value: a number, a boolean, an object, a list.
    Other,
}

/// Something whose values can be looked up by wire path: a generated request type, or JSON.
pub trait Document {
    /// Calls `found` once for every present value at `path`; `[]` segments visit every list item, and
    /// `items` holds the positions taken so far (for reporting `urlParam[2].type`). Absent and `null`
    /// values are not visited.
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>));
}

impl<T: Document + ?Sized> Document for &T {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        (**self).visit(path, items, found)
    }
}

impl<T: Document> Document for Option<T> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        if let Some(value) = self {
            value.visit(path, items, found);
        }
    }
}

impl<T: Document> Document for Vec<T> {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        visit_items(self, path, items, found);
    }
}

impl Document for String {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        if path.is_empty() {
            found(items, Found::Text(self));
        }
    }
}

impl Document for bool {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        if path.is_empty() {
            found(items, Found::Other);
        }
    }
}

impl Document for i64 {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        if path.is_empty() {
            found(items, Found::Other);
        }
    }
}

#[cfg(feature = "json")]
impl Document for serde_json::Value {
    fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
        use serde_json::Value;
        match (self, path.split_first()) {
            (Value::Null, _) => {}
            (Value::String(text), None) => found(items, Found::Text(text)),
            (_, None) => found(items, Found::Other),
            (Value::Array(list), Some(_)) => visit_items(list, path, items, found),
            (Value::Object(map), Some((name, rest))) => {
                if let Some(value) = map.get(name.as_ref()) {
                    value.visit(rest, items, found);
                }
            }
            _ => {}
        }
    }
}

/// Visits the items of a list for a path that starts with `[]`; a bare path finds the list itself.
pub fn visit_items<T: Document, S: AsRef<str>>(
    list: &[T],
    path: &[S],
    items: &mut Vec<usize>,
    found: &mut dyn FnMut(&[usize], Found<'_>),
) {
    match path.split_first() {
        None => found(items, Found::Other),
        Some((first, rest)) if first.as_ref() == EACH_ITEM => {
            for (i, item) in list.iter().enumerate() {
                items.push(i);
                item.visit(rest, items, found);
                items.pop();
            }
        }
        Some(_) => {}
    }
}

/// Text of a rule: `'static` in generated code, owned when the rule is read from specs at run time.
pub type Text = Cow<'static, str>;

/// A list of a rule: a `'static` slice in generated code, a vector when read from specs at run time.
pub type List<T> = Cow<'static, [T]>;

/// A wire path split into segments: `urlParam[].type` is `["urlParam", "[]", "type"]` ([`path`]).
pub type Path = List<Text>;

/// A condition on one value: it is one of `is`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// Wire path segments of the value (outside any list).
    pub field: Path,
    /// The values that make the rule apply.
    pub is: List<Text>,
}

/// A rule across fields (a spec's `rules:`): the same value whether generated code holds it as a static or
/// the spec library read it from YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// At least one of these fields is present.
    OneOf {
        /// Paths of the alternatives.
        fields: List<Path>,
    },
    /// When the condition holds, these fields are present.
    Require {
        /// The condition.
        when: When,
        /// Paths that become required.
        fields: List<Path>,
    },
    /// When the condition holds, every value at `field` has `min_length..=max_length` characters.
    Limit {
        /// The condition.
        when: When,
        /// Path of the limited value (may pass through lists).
        field: Path,
        /// Fewest characters.
        min_length: Option<u32>,
        /// Most characters.
        max_length: Option<u32>,
    },
    /// When the condition holds, every value at `field` is one of `values`.
    Allow {
        /// The condition.
        when: When,
        /// Path of the narrowed value (may pass through lists).
        field: Path,
        /// The values still allowed.
        values: List<Text>,
    },
}

impl Rule {
    /// The rule's condition; none for `one_of`.
    pub fn when(&self) -> Option<&When> {
        match self {
            Rule::OneOf { .. } => None,
            Rule::Require { when, .. } | Rule::Limit { when, .. } | Rule::Allow { when, .. } => Some(when),
        }
    }
}

impl fmt::Display for Rule {
    /// The rule in words, for `snapbi list` and the reference docs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = |paths: &[Path]| paths.iter().map(|p| display(p, &[])).collect::<Vec<_>>().join(", ");
        let when = |w: &When| format!("when {}", condition(w));
        match self {
            Rule::OneOf { fields } => write!(f, "at least one of {} is present", joined(fields)),
            Rule::Require { when: w, fields } => write!(f, "{}: {} required", when(w), joined(fields)),
            Rule::Allow { when: w, field, values } => {
                write!(
                    f,
                    "{}: every {} is one of {}",
                    when(w),
                    display(field, &[]),
                    values.join(", ")
                )
            }
            Rule::Limit {
                when: w,
                field,
                min_length,
                max_length,
            } => {
                let min = min_length.map_or(String::new(), |m| m.to_string());
                let max = max_length.map_or(String::new(), |m| m.to_string());
                write!(f, "{}: {} has {min}..{max} characters", when(w), display(field, &[]))
            }
        }
    }
}

/// Checks `rules` on `doc`, calling `report` with the wire path and problem of every broken rule.
pub fn check_rules<D: Document + ?Sized>(doc: &D, rules: &[Rule], report: &mut dyn FnMut(String, Problem)) {
    for rule in rules {
        match rule {
            Rule::OneOf { fields } => {
                if !fields.iter().any(|f| present(doc, f)) {
                    let others = fields.iter().skip(1).map(|f| display(f, &[])).collect();
                    let first = fields.first().map(|f| display(f, &[])).unwrap_or_default();
                    report(first, Problem::MissingOneOf { others });
                }
            }
            Rule::Require { when, fields } => {
                if holds(doc, when) {
                    for field in fields.iter().filter(|f| !present(doc, f)) {
                        report(display(field, &[]), Problem::RequiredWhen(condition(when)));
                    }
                }
            }
            Rule::Limit {
                when,
                field,
                min_length,
                max_length,
            } => narrowed(doc, when, field, report, |text| {
                crate::check_length(text, *min_length, *max_length)
            }),
            Rule::Allow { when, field, values } => {
                narrowed(doc, when, field, report, |text| crate::check_enum(text, values))
            }
        }
    }
}

/// Under `when`, checks every string at `field` with `check`, reporting each failure at its position
/// (`urlParam[2].type`) together with the condition that made the check apply.
fn narrowed<D: Document + ?Sized>(
    doc: &D,
    when: &When,
    field: &[Text],
    report: &mut dyn FnMut(String, Problem),
    check: impl Fn(&str) -> Result<(), Problem>,
) {
    if !holds(doc, when) {
        return;
    }
    let mut broken = Vec::new();
    visit(doc, field, &mut |items, value| {
        if let Found::Text(text) = value
            && let Err(problem) = check(text)
        {
            broken.push((items.to_vec(), problem));
        }
    });
    for (items, problem) in broken {
        let problem = Problem::When {
            problem: Box::new(problem),
            condition: condition(when),
        };
        report(display(field, &items), problem);
    }
}

/// "`additionalInfo.channel` is `A` or `B`", for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// Wire path of the value the rule looks at.
    pub field: String,
    /// The values that make it apply.
    pub is: Vec<String>,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.field, self.is.join(" or "))
    }
}

fn condition(when: &When) -> Condition {
    Condition {
        field: display(&when.field, &[]),
        is: when.is.iter().map(|v| v.to_string()).collect(),
    }
}

fn holds<D: Document + ?Sized>(doc: &D, when: &When) -> bool {
    let mut hit = false;
    visit(doc, &when.field, &mut |_, value| {
        hit |= matches!(value, Found::Text(text) if when.is.iter().any(|v| v == text));
    });
    hit
}

fn present<D: Document + ?Sized>(doc: &D, path: &[Text]) -> bool {
    let mut hit = false;
    visit(doc, path, &mut |_, _| hit = true);
    hit
}

fn visit<D: Document + ?Sized>(doc: &D, path: &[Text], found: &mut dyn FnMut(&[usize], Found<'_>)) {
    // `items` only grows when the path crosses a list, so a valid body is checked without allocating.
    doc.visit(path, &mut Vec::new(), found);
}

/// `["urlParam", "[]", "type"]` with items `[2]` → `urlParam[2].type`; without items → `urlParam[].type`.
pub fn display<S: AsRef<str>>(path: &[S], items: &[usize]) -> String {
    let mut out = String::new();
    let mut items = items.iter();
    for segment in path {
        match segment.as_ref() {
            EACH_ITEM => match items.next() {
                Some(i) => out.push_str(&format!("[{i}]")),
                None => out.push_str(EACH_ITEM),
            },
            name => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
        }
    }
    out
}

/// `urlParam[].type` → the [`Path`] `["urlParam", "[]", "type"]`.
pub fn path(wire: &str) -> Path {
    split(wire).into_iter().map(Cow::Owned).collect::<Vec<_>>().into()
}

/// `urlParam[].type` → `["urlParam", "[]", "type"]`.
pub fn split(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut name = part;
        let mut lists = 0;
        while let Some(stripped) = name.strip_suffix(EACH_ITEM) {
            name = stripped;
            lists += 1;
        }
        out.push(name.to_owned());
        out.extend(std::iter::repeat_n(EACH_ITEM.to_owned(), lists));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny document: one field `channel`, a list `urls` of `type` strings, an optional `remarks`.
    struct Doc {
        channel: &'static str,
        urls: Vec<Url>,
        remarks: Option<String>,
    }
    struct Url {
        r#type: String,
    }
    impl Document for Url {
        fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
            match path.split_first().map(|(first, rest)| (first.as_ref(), rest)) {
                None => found(items, Found::Other),
                Some(("type", rest)) => self.r#type.visit(rest, items, found),
                Some(_) => {}
            }
        }
    }
    impl Document for Doc {
        fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], Found<'_>)) {
            match path.split_first().map(|(first, rest)| (first.as_ref(), rest)) {
                None => found(items, Found::Other),
                Some(("channel", [])) => found(items, Found::Text(self.channel)),
                Some(("urls", rest)) => self.urls.visit(rest, items, found),
                Some(("remarks", rest)) => self.remarks.visit(rest, items, found),
                Some(_) => {}
            }
        }
    }

    /// A `'static` path, as generated code writes one.
    macro_rules! path {
        ($($segment:literal),*) => { Cow::Borrowed(&[$(Cow::Borrowed($segment)),*]) };
    }

    const CHANNEL: Path = path!("channel");
    const RULES: &[Rule] = &[
        Rule::OneOf {
            fields: Cow::Borrowed(&[path!("remarks"), path!("urls")]),
        },
        Rule::Require {
            when: When {
                field: CHANNEL,
                is: path!("ALLO"),
            },
            fields: Cow::Borrowed(&[path!("remarks")]),
        },
        Rule::Allow {
            when: When {
                field: CHANNEL,
                is: path!("DANA", "SHOPEE"),
            },
            field: path!("urls", "[]", "type"),
            values: path!("PAY_RETURN"),
        },
        Rule::Limit {
            when: When {
                field: CHANNEL,
                is: path!("CIMB"),
            },
            field: path!("remarks"),
            min_length: None,
            max_length: Some(3),
        },
    ];

    fn problems(doc: &Doc) -> Vec<String> {
        let mut out = Vec::new();
        check_rules(doc, RULES, &mut |path, problem| out.push(format!("{path}: {problem}")));
        out
    }

    fn url(t: &str) -> Url {
        Url { r#type: t.to_owned() }
    }

    #[test]
    fn a_body_that_keeps_every_rule_has_no_problem() {
        let doc = Doc {
            channel: "DANA",
            urls: vec![url("PAY_RETURN")],
            remarks: None,
        };
        assert!(problems(&doc).is_empty());
    }

    #[test]
    fn a_rule_reads_as_the_spec_writes_it() {
        let words: Vec<String> = RULES.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "at least one of remarks, urls is present",
                "when channel is ALLO: remarks required",
                "when channel is DANA or SHOPEE: every urls[].type is one of PAY_RETURN",
                "when channel is CIMB: remarks has ..3 characters",
            ]
        );
        assert_eq!(path("urls[].type"), path!("urls", "[]", "type"));
    }

    #[test]
    fn one_of_needs_any_alternative() {
        let doc = Doc {
            channel: "OVO",
            urls: vec![],
            remarks: None,
        };
        // An empty list is present: the list itself is visited.
        assert!(problems(&doc).is_empty());
        let mut out = Vec::new();
        let none = &[Rule::OneOf {
            fields: Cow::Borrowed(&[path!("remarks"), path!("missing")]),
        }];
        check_rules(&doc, none, &mut |path, problem| out.push(format!("{path}: {problem}")));
        assert_eq!(out, ["remarks: give this or missing"]);
    }

    #[test]
    fn require_applies_only_under_its_condition() {
        let allo = Doc {
            channel: "ALLO",
            urls: vec![],
            remarks: None,
        };
        assert_eq!(problems(&allo), ["remarks: is required when channel is ALLO"]);
        let with_remarks = Doc {
            remarks: Some("x".into()),
            ..allo
        };
        assert!(problems(&with_remarks).is_empty());
    }

    #[test]
    fn allow_reports_every_offending_item_at_its_position() {
        let doc = Doc {
            channel: "SHOPEE",
            urls: vec![url("PAY_RETURN"), url("PAY_NOTIFY"), url("X")],
            remarks: None,
        };
        assert_eq!(
            problems(&doc),
            [
                "urls[1].type: must be one of: PAY_RETURN when channel is DANA or SHOPEE",
                "urls[2].type: must be one of: PAY_RETURN when channel is DANA or SHOPEE",
            ]
        );
        let other_channel = Doc { channel: "OVO", ..doc };
        assert!(problems(&other_channel).is_empty());
    }

    #[test]
    fn limit_narrows_the_length_under_its_condition_only() {
        let doc = Doc {
            channel: "CIMB",
            urls: vec![],
            remarks: Some("four".into()),
        };
        assert_eq!(
            problems(&doc),
            ["remarks: is 4 characters, at most 3 allowed when channel is CIMB"]
        );
        let short = Doc {
            remarks: Some("abc".into()),
            ..doc
        };
        assert!(problems(&short).is_empty());
        let other = Doc {
            channel: "OVO",
            urls: vec![],
            remarks: Some("four".into()),
        };
        assert!(problems(&other).is_empty());
    }

    #[test]
    fn paths_split_and_display_round_trip() {
        assert_eq!(split("urlParam[].type"), ["urlParam", "[]", "type"]);
        assert_eq!(split("a.b"), ["a", "b"]);
        assert_eq!(display(&split("urlParam[].type"), &[]), "urlParam[].type");
        assert_eq!(display(&split("urlParam[].type"), &[3]), "urlParam[3].type");
    }
}
