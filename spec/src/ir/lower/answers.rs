//! `answers:` of an endpoint: response fields the provider fills itself, each either `issued` (a string only
//! the provider can make), copied `from` a request field at the same list depth, a `value` the provider
//! documents answering with, or the `page` where the customer pays the record a create makes. The shape is checked
//! per endpoint; the paths once shared types are known.

use super::{Lowering, Src, file_of, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AnswerSource, Answered, Direction, Endpoint, ObjectType, paths};
use crate::yaml::SpecSet;
use crate::yaml::raw;

/// What is wrong with an answer: the key to point at, the message and a hint.
type Problem = (&'static str, String, Option<String>);

impl Lowering {
    /// Each answer names its field and exactly one source; paths are checked in `answer_paths`.
    pub(super) fn answers(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<Answered> {
        let mut out = Vec::new();
        for (i, answer) in spec.answers.iter().enumerate() {
            let path = format!("answers.{i}");
            let source = match (answer.issued, &answer.from, &answer.value, answer.page, answer.record) {
                (Some(true), None, None, None, None) => AnswerSource::Issued,
                (None, Some(from), None, None, None) => AnswerSource::Request(from.clone()),
                (None, None, Some(value), None, None) => AnswerSource::Value(value.clone()),
                (None, None, None, Some(true), None) if self.pays_a_record(src, spec, &path) => AnswerSource::Page,
                (None, None, None, None, Some(true)) if self.notifies_a_record(src, spec, &path) => {
                    AnswerSource::Record
                }
                (None, None, None, Some(true), None) | (None, None, None, None, Some(true)) => continue,
                _ => {
                    let msg = "an answer is `issued: true`, `from: <request wire path>`, `value: <documented value>`, \
                               `page: true` or `record: true`, one of them";
                    self.push(src.value(&path, msg.into()));
                    continue;
                }
            };
            let mut prefix = answer.prefix.clone().unwrap_or_default();
            if !prefix.is_empty() && source != AnswerSource::Issued {
                let msg = "a `prefix` starts a value the provider issues: it goes with `issued: true`";
                self.push(src.value(&join(&path, "prefix"), msg.into()));
                // Kept without it, so the answers after it keep their places for the checks of their paths.
                prefix.clear();
            }
            out.push(Answered {
                field: answer.field.clone(),
                source,
                prefix,
            });
        }
        out
    }

    /// A `record` answer goes in the notification the provider sends about a record (an inbound `notify` endpoint
    /// with a `record`): the record is what the notification is about.
    fn notifies_a_record(&mut self, src: Src, spec: &raw::EndpointFile, path: &str) -> bool {
        let notifies = spec.operation.as_deref() == Some("notify") && spec.record.is_some();
        if !notifies {
            let msg = "`record: true` is the record a notification is about: it goes with `operation: notify` and a \
                       `record`";
            self.push(src.value(&join(path, "record"), msg.into()));
        }
        notifies
    }

    /// A `page` answer goes with a create that makes a record: the page is where its customer pays it.
    fn pays_a_record(&mut self, src: Src, spec: &raw::EndpointFile, path: &str) -> bool {
        let creates = spec.operation.as_deref() == Some("create") && spec.record.is_some();
        if !creates {
            let msg = "a `page` is where the customer pays the record a create makes: it goes with `operation: create` \
                       and a `record`";
            self.push(src.value(&join(path, "page"), msg.into()));
        }
        creates
    }

    /// Every answer fills a response field (an issued value, a string) from a request field at the same list
    /// depth: `userResources[].value` from `userResources[]`, one item per request item (one list level at most).
    pub(super) fn answer_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.answers.is_empty()) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            let src = Src::of(file);
            // Paths into fields that lost one to a problem may name it: they are not checked.
            if !self.whole(types, &endpoint.response) || !self.whole(types, &endpoint.request) {
                continue;
            }
            // What the provider fills in is its answer, or, in a request it sends (a notification), that request.
            let (filled, noun) = match endpoint.direction {
                Direction::Inbound => (&endpoint.request, "request"),
                Direction::Outbound => (&endpoint.response, "response"),
            };
            let responses = paths::flatten_with(types, filled);
            let requests = paths::flatten_with(types, &endpoint.request);
            for (i, answer) in endpoint.answers.iter().enumerate() {
                let at = format!("answers.{i}");
                let Some(target) = responses.iter().find(|r| r.wire_path == answer.field) else {
                    let d = src.value(&join(&at, "field"), format!("`{}` is not a {noun} field", answer.field));
                    let known = responses.iter().map(|r| r.wire_path.as_str());
                    self.push(with_help(d, did_you_mean(&answer.field, known)));
                    continue;
                };
                if let Some((key, msg, help)) = answer_problem(answer, target, &requests) {
                    self.push(with_help(src.value(&join(&at, key), msg), help));
                }
            }
        }
    }
}

/// What is wrong with an answer whose response field `target` exists, if anything.
fn answer_problem(answer: &Answered, target: &paths::FieldPath, requests: &[paths::FieldPath]) -> Option<Problem> {
    let lists = answer.field.matches("[]").count();
    match &answer.source {
        _ if lists > 1 => Some(("field", "answers fill lists one level deep".to_owned(), None)),
        AnswerSource::Issued if target.kind != "string" => Some((
            "issued",
            format!("an issued value is a string; `{}` is {}", answer.field, target.kind),
            None,
        )),
        AnswerSource::Issued if !fits(&answer.prefix, target) => Some((
            "prefix",
            format!(
                "`{}` leaves no room in `{}`, which is at most {} characters, for the value issued after it",
                answer.prefix,
                answer.field,
                target.max_length.unwrap_or_default()
            ),
            None,
        )),
        AnswerSource::Issued => None,
        AnswerSource::Page if target.kind != "string" || lists > 0 => Some((
            "page",
            format!(
                "a page is a URL, a string outside lists; `{}` is {}",
                answer.field, target.kind
            ),
            None,
        )),
        AnswerSource::Page => None,
        AnswerSource::Record if !matches!(target.kind, "json" | "object") || lists > 0 => Some((
            "record",
            format!(
                "a record is a JSON object, outside lists; `{}` is {}",
                answer.field, target.kind
            ),
            None,
        )),
        AnswerSource::Record => None,
        AnswerSource::Value(_) if target.kind != "string" && target.kind != "enum" => Some((
            "value",
            format!("a documented value is a string; `{}` is {}", answer.field, target.kind),
            None,
        )),
        AnswerSource::Value(value) if target.kind == "enum" && !target.enum_values.contains(value) => Some((
            "value",
            format!("`{value}` is not one of `{}`'s values", answer.field),
            None,
        )),
        AnswerSource::Value(_) => None,
        AnswerSource::Request(from) => match requests.iter().any(|r| &r.wire_path == from) {
            false => Some((
                "from",
                format!("`{from}` is not a request field"),
                did_you_mean(from, requests.iter().map(|r| r.wire_path.as_str())),
            )),
            true if from.matches("[]").count() != lists => Some((
                "from",
                format!(
                    "`{from}` and `{}` must be inside the same number of lists",
                    answer.field
                ),
                None,
            )),
            true => None,
        },
    }
}

/// Whether an issued value with `prefix` can be given `target`: at least one character of its own after the prefix.
fn fits(prefix: &str, target: &paths::FieldPath) -> bool {
    target
        .max_length
        .is_none_or(|max| prefix.chars().count() < max as usize)
}
