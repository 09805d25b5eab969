//! Answers in the provider's shapes: what the sandbox knows (a token's lifetime, an echoed X-EXTERNAL-ID, a
//! payment's amount) is written into a response field the way the endpoint's response spec declares it.
//!
//! Providers' SDKs parse answers with their own models, and those models are stricter than the standard: DOKU's
//! Python SDK computes `expiresIn - 10` (a JSON string breaks it), DANA's response models cap
//! `originalExternalId` at 32 characters although DANA's own SDK sends 36-character X-EXTERNAL-IDs. The response
//! spec records what the provider's software accepts, so the sandbox follows it:
//!
//! - a fact is converted to the field's JSON type where the conversion loses nothing (`"60"` → `60` for an
//!   integer field, `60` → `"60"` for a string field, `"true"` → `true` for a boolean);
//! - a fact that still breaks the field's rules (too long, outside its values) is left out when the field is
//!   optional — never cut short or replaced, which would make up a value the provider never gave — and kept when
//!   it is required, so that the property test over every endpoint's answers reports it.

use serde_json::{Map, Value};
use snapbi_spec::ir::{Api, Field, FieldType};

use crate::validate;

/// `fact` as the response field `field` declares it, or `None` when an optional field cannot hold it.
pub(crate) fn fact(api: &Api, field: &Field, fact: Value) -> Option<Value> {
    let value = convert(&field.ty, fact);
    if field.required || fits(api, field, &value) {
        Some(value)
    } else {
        None
    }
}

/// What the free-form (`json`) parts of a value become in [`declared`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FreeForm {
    /// Kept whole: a record's own fields, which the provider holds as given.
    Keep,
    /// Left out: a request's, which nothing says the provider repeats (DOKU's Python SDK refuses a payment answer
    /// that carries the request's `additionalInfo`).
    Drop,
}

/// What of `value` a field of type `ty` declares: an object keeps its declared members (`None` when it holds none
/// of them), a list its items so cut, a free-form value as `free_form` says; `null` is nothing. A value of another
/// JSON type than declared is kept as it is, for the validator to report.
pub(crate) fn declared(api: &Api, ty: &FieldType, value: &Value, free_form: FreeForm) -> Option<Value> {
    let fields = match (ty, value) {
        (_, Value::Null) => return None,
        (FieldType::Json, _) if free_form == FreeForm::Drop => return None,
        (FieldType::Object(fields), Value::Object(_)) => fields.as_slice(),
        (FieldType::Named(name), Value::Object(_)) => api.shared_type(name)?.fields.as_slice(),
        (FieldType::List { items, .. }, Value::Array(list)) => {
            let kept = list.iter().filter_map(|item| declared(api, items, item, free_form));
            return Some(Value::Array(kept.collect()));
        }
        _ => return Some(value.clone()),
    };
    let kept: Map<String, Value> = fields
        .iter()
        .filter_map(|f| Some((f.wire.clone(), declared(api, &f.ty, value.get(&f.wire)?, free_form)?)))
        .collect();
    (!kept.is_empty()).then_some(Value::Object(kept))
}

/// `value` in the JSON type `ty` wants, when it converts without loss; otherwise unchanged.
fn convert(ty: &FieldType, value: Value) -> Value {
    match (ty, value) {
        (FieldType::Integer { .. }, Value::String(s)) => match s.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s),
        },
        (FieldType::Str(_) | FieldType::Decimal { .. } | FieldType::DateTime, Value::Number(n)) => {
            Value::String(n.to_string())
        }
        (FieldType::Bool, Value::String(s)) => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        (_, value) => value,
    }
}

/// Whether `value` breaks none of `field`'s rules (the request validator, applied to the one field).
fn fits(api: &Api, field: &Field, value: &Value) -> bool {
    value.is_null() || validate::field(api, field, value).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use snapbi_spec::ir::StrRule;

    fn field(ty: FieldType, required: bool) -> Field {
        Field {
            wire: "f".into(),
            rust: "f".into(),
            type_name: "F".into(),
            ty,
            required,
            sensitive: false,
            doc: None,
            note: None,
            example: None,
        }
    }

    /// No shared types are needed by fields of scalar types.
    fn api() -> Api {
        Api::default()
    }

    #[test]
    fn facts_take_the_declared_json_type() {
        let api = api();
        let integer = field(FieldType::Integer { min: None, max: None }, true);
        assert_eq!(fact(&api, &integer, json!("900")), Some(json!(900)));
        assert_eq!(fact(&api, &integer, json!(900)), Some(json!(900)));
        let text = field(FieldType::Str(StrRule::default()), true);
        assert_eq!(fact(&api, &text, json!(900)), Some(json!("900")));
        assert_eq!(
            fact(&api, &field(FieldType::Bool, true), json!("true")),
            Some(json!(true))
        );
        // Nothing is guessed: a string that is not a number stays a string.
        assert_eq!(fact(&api, &integer, json!("soon")), Some(json!("soon")));
        assert_eq!(
            fact(&api, &field(FieldType::Json, true), json!("900")),
            Some(json!("900"))
        );
    }

    #[test]
    fn an_optional_field_that_cannot_hold_the_fact_is_left_out_never_cut() {
        let api = api();
        let capped = StrRule {
            max_length: Some(32),
            ..StrRule::default()
        };
        let id36 = "sdk".to_owned() + &"a".repeat(33);
        assert_eq!(
            fact(&api, &field(FieldType::Str(capped.clone()), false), json!(id36)),
            None
        );
        let id32 = "a".repeat(32);
        assert_eq!(
            fact(&api, &field(FieldType::Str(capped.clone()), false), json!(id32)),
            Some(json!(id32))
        );
        // A required field keeps it, so that the answers' property test sees the spec and the sandbox disagree.
        assert_eq!(
            fact(&api, &field(FieldType::Str(capped), true), json!(id36)),
            Some(json!(id36))
        );
    }
}
