//! What the provider answers that the request does not hold, as the endpoint's `answers` say: a value the
//! provider issues (DANA's one-time token), or the request's value in another place (one `userResources` item
//! per resource asked for). The spec names each field and its source; nothing here knows an endpoint.
//!
//! A list is as long as the request list its first `from` answer copies; later answers of the same list fill
//! the same items (the lowering allows one list level). An issued value is opaque and fresh, as a provider's
//! would be: it stands for something the provider makes up itself, never for a value the caller or the
//! provider's rules would give. It fits its response field's length (DANA's shop id is at most 21 characters),
//! and one issued before (a record's id, issued when it was created) is answered again, not replaced.

use serde_json::{Map, Value};
use snapbi_spec::ir::{AnswerSource, Answered, Api, Field, FieldType};

/// Fills `facts` (the answer's top-level fields) by `answers`, reading `request`; `issue` makes an issued value
/// for the response field at the wire path it is given.
pub(crate) fn fill(
    answers: &[Answered],
    request: &Value,
    facts: &mut Map<String, Value>,
    issue: &mut dyn FnMut(&str) -> String,
) {
    let mut started: Vec<&str> = Vec::new();
    for answer in answers {
        match answer.field.split_once("[]") {
            None if answer.source == AnswerSource::Issued && lookup(facts, &answer.field).is_some() => {}
            None => {
                let mut issue = || prefixed(&answer.prefix, issue(&answer.field));
                if let Some(value) = source(&answer.source, request, None, &mut issue) {
                    set(facts, &answer.field, value);
                }
            }
            Some((list, rest)) => {
                let items = items(facts, list, &answer.source, request, !started.contains(&list));
                started.push(list);
                let mut issue = || prefixed(&answer.prefix, issue(&answer.field));
                for (i, item) in items.iter_mut().enumerate() {
                    if let Some(value) = source(&answer.source, request, Some(i), &mut issue) {
                        place(item, rest.trim_start_matches('.'), value);
                    }
                }
            }
        }
    }
}

/// The items of the answer's list `list`: made anew (one empty object per request item the source copies)
/// the first time an answer names the list, as built so far afterwards.
fn items<'f>(
    facts: &'f mut Map<String, Value>,
    list: &str,
    source: &AnswerSource,
    request: &Value,
    first: bool,
) -> &'f mut Vec<Value> {
    if first || !facts.get(list).is_some_and(Value::is_array) {
        let count = match source {
            AnswerSource::Request(from) => from
                .split_once("[]")
                .and_then(|(path, _)| at(request, path))
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            AnswerSource::Issued | AnswerSource::Page | AnswerSource::Record => 0,
            // A documented value in a list is its one item (DOKU's `message: ["SUCCESS"]`).
            AnswerSource::Value(_) => 1,
        };
        let fresh = vec![Value::Object(Map::new()); count];
        set(facts, list, Value::Array(fresh));
    }
    match lookup_mut(facts, list) {
        Some(Value::Array(items)) => items,
        _ => unreachable!("the list was just set"),
    }
}

/// The value `source` gives, for item `index` of a list answer.
fn source(
    source: &AnswerSource,
    request: &Value,
    index: Option<usize>,
    issue: &mut dyn FnMut() -> String,
) -> Option<Value> {
    match source {
        AnswerSource::Issued => Some(Value::String(issue())),
        AnswerSource::Value(value) => Some(Value::String(value.clone())),
        // A page is the record's (written when it is created), and a notification's record is the paid record (see
        // `record_payments`): nothing to make up here.
        AnswerSource::Page | AnswerSource::Record => None,
        AnswerSource::Request(from) => match (from.split_once("[]"), index) {
            (Some((list, rest)), Some(i)) => {
                let item = at(request, list)?.get(i)?;
                let rest = rest.trim_start_matches('.');
                if rest.is_empty() {
                    Some(item.clone())
                } else {
                    at(item, rest).cloned()
                }
            }
            _ => at(request, from).cloned(),
        },
    }
}

/// An issued value starting with the provider's `prefix` (WooshPay's `pi_`): the prefix takes the place of the fresh
/// value's first characters, so the value keeps the length its field allows (the lowering leaves room for one).
fn prefixed(prefix: &str, fresh: String) -> String {
    if prefix.is_empty() {
        return fresh;
    }
    let keep = fresh.chars().count().saturating_sub(prefix.chars().count()).max(1);
    let tail: String = fresh.chars().take(keep).collect();
    format!("{prefix}{tail}")
}

/// A fresh opaque value for the response field at `path` of `response`: `fresh` hex digits, as many as the
/// field's length limits want (32 when they say nothing).
pub(crate) fn issued_value(api: &Api, response: &[Field], path: &str, fresh: &mut dyn FnMut() -> String) -> String {
    let (min, max) = match string_rule(api, response, path) {
        Some(rule) => (rule.min_length.unwrap_or(0), rule.max_length),
        None => (0, None),
    };
    let wanted = max.unwrap_or(32).max(min) as usize;
    let mut value = String::new();
    while value.len() < wanted {
        value.push_str(&fresh());
    }
    value.truncate(wanted);
    value
}

/// The string rule of the response field at a wire path (`shopId`, `userResources[].value`).
fn string_rule<'a>(api: &'a Api, fields: &'a [Field], path: &str) -> Option<&'a snapbi_spec::ir::StrRule> {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    let field = fields.iter().find(|f| f.wire == head.trim_end_matches("[]"))?;
    let mut ty = &field.ty;
    while let FieldType::List { items, .. } = ty {
        ty = items;
    }
    match (ty, rest) {
        (FieldType::Str(rule), None) => Some(rule),
        (FieldType::Object(inner), Some(rest)) => string_rule(api, inner, rest),
        (FieldType::Named(name), Some(rest)) => string_rule(api, &api.shared_type(name)?.fields, rest),
        _ => None,
    }
}

fn lookup<'f>(facts: &'f Map<String, Value>, path: &str) -> Option<&'f Value> {
    let mut segments = path.split('.');
    let first = facts.get(segments.next()?)?;
    segments.try_fold(first, |v, key| v.get(key))
}

/// The value at a dotted path (`additionalInfo.deviceId`).
fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn lookup_mut<'f>(facts: &'f mut Map<String, Value>, path: &str) -> Option<&'f mut Value> {
    let mut segments = path.split('.');
    let first = facts.get_mut(segments.next()?)?;
    segments.try_fold(first, |v, key| v.get_mut(key))
}

/// Writes `from` over `into`, looking into objects both hold.
pub(crate) fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => merge_members(into, from),
        (into, from) => *into = from.clone(),
    }
}

/// Writes the members of `from` over those of `into`, looking into objects both hold.
pub(crate) fn merge_members(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (name, value) in from {
        match into.get_mut(name) {
            Some(slot) => merge(slot, value),
            None => {
                into.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Sets the value at a dotted path of the top-level fields, making the objects on the way (an object already
/// there is added to; any other value is replaced by one).
pub(crate) fn set(facts: &mut Map<String, Value>, path: &str, value: Value) {
    let (head, rest) = path.split_once('.').map_or((path, ""), |(h, r)| (h, r));
    if rest.is_empty() {
        facts.insert(head.to_owned(), value);
        return;
    }
    let slot = facts
        .entry(head.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    place(slot, rest, value);
}

/// Sets the value at a dotted path inside `target` (an object, or made one); the empty path replaces it.
fn place(target: &mut Value, path: &str, value: Value) {
    if path.is_empty() {
        *target = value;
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        set(map, path, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(field: &str, source: AnswerSource) -> Answered {
        Answered {
            field: field.into(),
            source,
            prefix: String::new(),
        }
    }

    #[test]
    fn one_item_per_request_item_with_an_issued_value_each() {
        let answers = [
            answer(
                "userResources[].resourceType",
                AnswerSource::Request("userResources[]".into()),
            ),
            answer("userResources[].value", AnswerSource::Issued),
        ];
        let request = json!({ "userResources": ["OTT", "BALANCE"] });
        // An echo of the request list under the same name is replaced, not merged into.
        let mut facts = Map::from_iter([("userResources".to_owned(), json!(["OTT", "BALANCE"]))]);
        let mut n = 0;
        fill(&answers, &request, &mut facts, &mut |_| {
            n += 1;
            format!("issued-{n}")
        });
        assert_eq!(
            facts["userResources"],
            json!([{ "resourceType": "OTT", "value": "issued-1" }, { "resourceType": "BALANCE", "value": "issued-2" }])
        );
    }

    #[test]
    fn scalars_come_from_the_request_or_are_issued_and_absent_values_stay_absent() {
        let answers = [
            answer(
                "additionalInfo.deviceId",
                AnswerSource::Request("additionalInfo.deviceId".into()),
            ),
            answer("ott", AnswerSource::Issued),
            answer("customerId", AnswerSource::Request("customerId".into())),
        ];
        let request = json!({ "additionalInfo": { "deviceId": "d-1" } });
        let mut facts = Map::new();
        fill(&answers, &request, &mut facts, &mut |_| "fresh".into());
        assert_eq!(
            Value::Object(facts),
            json!({ "additionalInfo": { "deviceId": "d-1" }, "ott": "fresh" })
        );
    }

    #[test]
    fn an_issued_value_starts_with_its_prefix_and_keeps_its_length() {
        let answers = [Answered {
            prefix: "pi_".into(),
            ..answer("id", AnswerSource::Issued)
        }];
        let mut facts = Map::new();
        fill(&answers, &json!({}), &mut facts, &mut |_| "0123456789".into());
        assert_eq!(facts["id"], "pi_0123456");
    }

    #[test]
    fn an_issued_value_the_answer_holds_already_is_kept() {
        let answers = [answer("shopId", AnswerSource::Issued)];
        let mut facts = Map::from_iter([("shopId".to_owned(), Value::from("issued-at-create"))]);
        fill(&answers, &json!({}), &mut facts, &mut |_| "another".into());
        assert_eq!(facts["shopId"], "issued-at-create");
    }
}
