//! Rules across request fields (`rules:` of an endpoint) as JSON Schema beside the body's fields, each described
//! in words: `one_of` as `anyOf` of the alternatives being present, a `when` condition as `if` (the value present
//! and one of the listed ones, which is when `snapbi_rules::check_rules` applies the rule) with what it adds as
//! `then`: members required, a narrowed value list (`enum`) or narrowed lengths.

use serde_json::{Map, Value, json};
use snapbi_rules::{Path, Rule, When};

use crate::schema::at_path;

/// One `allOf` entry per rule, in spec order.
pub(crate) fn constraints(rules: &[Rule]) -> Vec<Value> {
    rules.iter().map(constraint).collect()
}

fn constraint(rule: &Rule) -> Value {
    let mut schema = match rule {
        Rule::OneOf { fields } => json!({ "anyOf": fields.iter().map(present).collect::<Vec<_>>() }),
        Rule::Require { when, fields } => {
            let then = fields.iter().map(present).collect::<Vec<_>>();
            json!({ "if": condition(when), "then": { "allOf": then } })
        }
        Rule::Allow { when, field, values } => {
            let then = at_path(field, json!({ "enum": values }), false);
            json!({ "if": condition(when), "then": then })
        }
        Rule::Limit {
            when,
            field,
            min_length,
            max_length,
        } => {
            let mut limits = Map::new();
            if let Some(min) = min_length {
                limits.insert("minLength".into(), (*min).into());
            }
            if let Some(max) = max_length {
                limits.insert("maxLength".into(), (*max).into());
            }
            json!({ "if": condition(when), "then": at_path(field, Value::Object(limits), false) })
        }
    };
    schema["description"] = rule.to_string().into();
    schema
}

/// The value at `when.field` is present and one of `when.is`.
fn condition(when: &When) -> Value {
    at_path(&when.field, json!({ "enum": when.is }), true)
}

/// The member at `path` is present (and so is every object on the way to it).
fn present(path: &Path) -> Value {
    at_path(path, json!({}), true)
}
