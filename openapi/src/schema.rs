//! Fields as JSON Schema (OpenAPI 3.1's dialect is JSON Schema 2020-12): every rule of a field is a keyword, so a
//! validator or a generator reading the document holds values to what snapbi's validators hold them to.

use serde_json::{Map, Value, json};
use snapbi_rules::conditional::EACH_ITEM;
use snapbi_spec::Api;
use snapbi_spec::ir::samples::{sample_object, str_problem};
use snapbi_spec::ir::{Charset, Endpoint, Field, FieldType, Format, ObjectType, StrRule};

use crate::rules;

/// `YYYY-MM-DDTHH:mm:ss` with the month, day, hour, minute and second in range (only the days of each month are
/// left to `format: date-time`), unanchored: the start of a SNAP datetime and of a provider's timestamp.
pub(crate) const DATE_AND_TIME: &str =
    "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]";

/// A SNAP datetime, exactly `YYYY-MM-DDTHH:mm:ss±HH:MM` (`snapbi_rules::is_snap_datetime`: offsets up to 14 hours).
/// Every such value is an RFC 3339 date-time, which is why its schema says `format: date-time` as well.
fn snap_datetime() -> String {
    format!("^{DATE_AND_TIME}[+-](0[0-9]|1[0-4]):[0-5][0-9]$")
}

/// `{"$ref": "#/components/schemas/<name>"}`.
pub(crate) fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The name of an endpoint's request body schema: `<endpoint id>.Request`.
pub(crate) fn request_name(e: &Endpoint) -> String {
    format!("{}.Request", e.info.id)
}

/// The name of an endpoint's response body schema: `<endpoint id>.Response`.
pub(crate) fn response_name(e: &Endpoint) -> String {
    format!("{}.Response", e.info.id)
}

/// A shared type: its fields as an object, described by its doc.
pub(crate) fn shared_type(api: &Api, ty: &ObjectType) -> Value {
    let mut schema = object(api, &ty.fields);
    if let Some(doc) = &ty.doc {
        schema.insert("description".into(), doc.trim().into());
    }
    Value::Object(schema)
}

/// An endpoint's request body: its fields, its rules across fields, and a valid sample as the example (every
/// field with a value its rules allow: the spec's example where it has one).
pub(crate) fn request(api: &Api, e: &Endpoint) -> Value {
    let mut schema = object(api, &e.request);
    let constraints = rules::constraints(&e.rules);
    if !constraints.is_empty() {
        schema.insert("allOf".into(), Value::Array(constraints));
    }
    schema.insert("examples".into(), json!([sample_object(api, &e.request)]));
    Value::Object(schema)
}

/// An endpoint's response body: its fields. Whatever code an answer carries, its body is this object (a refusal
/// holds only some of its members); `responses` adds what each HTTP status narrows.
pub(crate) fn response(api: &Api, e: &Endpoint) -> Value {
    Value::Object(object(api, &e.response))
}

/// An object of `fields`: `properties` in wire order and the required ones in `required`. An optional member may
/// also be `null`: snapbi reads `null` as absent, in answers (the runtime's decoding) and in requests (the
/// sandbox's validator), so a provider that writes `null` for "none" is within the specs.
pub(crate) fn object(api: &Api, fields: &[Field]) -> Map<String, Value> {
    let member = |f: &Field| match f.required {
        true => field(api, f),
        false => nullable(field(api, f)),
    };
    let properties: Map<String, Value> = fields.iter().map(|f| (f.wire.clone(), member(f))).collect();
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.wire.as_str()).collect();
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    schema
}

/// One field: its type's keywords, its doc (and note) as the description, its example.
pub(crate) fn field(api: &Api, f: &Field) -> Value {
    let mut schema = of_type(api, &f.ty);
    if let Some(description) = description(f) {
        schema.insert("description".into(), description.into());
    }
    if let Some(example) = f.example.as_deref().and_then(|text| example(&f.ty, text)) {
        match schema.get_mut("items") {
            // A list's example is one of its items (as `ir::samples` reads it).
            Some(Value::Object(items)) => {
                items.insert("examples".into(), json!([example]));
            }
            _ => {
                schema.insert("examples".into(), json!([example]));
            }
        }
    }
    Value::Object(schema)
}

/// `schema` or `null`: the JSON type `null` beside the schema's own (and in its value list), or, for a schema that
/// is a reference, either of the two; a schema without a type (free JSON) allows `null` already.
fn nullable(mut schema: Value) -> Value {
    if schema.get("$ref").is_some() {
        let description = schema.as_object_mut().and_then(|s| s.remove("description"));
        let mut either = json!({ "anyOf": [schema, { "type": "null" }] });
        if let Some(description) = description {
            either["description"] = description;
        }
        return either;
    }
    if let Some(Value::String(ty)) = schema.get("type").cloned() {
        schema["type"] = json!([ty, "null"]);
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    schema
}

/// A field's doc, then the note on what the sources disagree about.
pub(crate) fn description(f: &Field) -> Option<String> {
    let parts: Vec<&str> = [&f.doc, &f.note].into_iter().flatten().map(|s| s.trim()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The keywords of a type.
pub(crate) fn of_type(api: &Api, ty: &FieldType) -> Map<String, Value> {
    let value = match ty {
        FieldType::Str(rule) => return string(rule),
        FieldType::Decimal {
            integer_digits,
            fraction_digits,
        } => json!({ "type": "string", "pattern": decimal(*integer_digits, *fraction_digits) }),
        FieldType::DateTime => json!({ "type": "string", "format": "date-time", "pattern": snap_datetime() }),
        FieldType::Integer { min, max } => {
            let mut schema = json!({ "type": "integer" });
            insert_some(&mut schema, "minimum", *min);
            insert_some(&mut schema, "maximum", *max);
            schema
        }
        FieldType::Bool => json!({ "type": "boolean" }),
        // Any JSON value: the empty schema.
        FieldType::Json => json!({}),
        FieldType::Named(name) => reference(name),
        FieldType::Object(fields) => return object(api, fields),
        FieldType::List {
            items,
            min_items,
            max_items,
        } => {
            let mut schema = json!({ "type": "array", "items": of_type(api, items) });
            insert_some(&mut schema, "minItems", *min_items);
            insert_some(&mut schema, "maxItems", *max_items);
            schema
        }
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A string rule: lengths, allowed characters (as a pattern), format, the rule's own pattern and its values.
/// A schema holds one `pattern`; a second one (a charset beside a pattern) goes into `allOf`.
pub(crate) fn string(rule: &StrRule) -> Map<String, Value> {
    let mut schema = Map::new();
    schema.insert("type".into(), "string".into());
    if let Some(min) = rule.min_length {
        schema.insert("minLength".into(), min.into());
    }
    if let Some(max) = rule.max_length {
        schema.insert("maxLength".into(), max.into());
    }
    let charset = rule.charset.map(|c| match c {
        Charset::Digits => "^[0-9]*$".to_owned(),
        Charset::Alphanumeric => "^[A-Za-z0-9]*$".to_owned(),
    });
    let mut patterns = charset.into_iter().chain(rule.pattern.clone());
    if let Some(first) = patterns.next() {
        schema.insert("pattern".into(), first.into());
    }
    let more: Vec<Value> = patterns.map(|p| json!({ "pattern": p })).collect();
    if !more.is_empty() {
        schema.insert("allOf".into(), Value::Array(more));
    }
    if let Some(Format::Ipv4) = rule.format {
        schema.insert("format".into(), "ipv4".into());
    }
    if !rule.enum_values.is_empty() {
        schema.insert("enum".into(), json!(rule.enum_values));
    }
    schema
}

/// A decimal written as a string (`snapbi_rules::check_decimal`): 1 to `integer_digits` digits, then a point and
/// exactly `fraction_digits` digits when there are any; no sign, no exponent.
pub(crate) fn decimal(integer_digits: u32, fraction_digits: u32) -> String {
    match fraction_digits {
        0 => format!("^[0-9]{{1,{integer_digits}}}$"),
        n => format!("^[0-9]{{1,{integer_digits}}}\\.[0-9]{{{n}}}$"),
    }
}

/// A spec example (always written as a string) as the JSON value it stands for, when it is one the field allows;
/// objects and free JSON have none.
pub(crate) fn example(ty: &FieldType, text: &str) -> Option<Value> {
    match ty {
        FieldType::Str(rule) => str_problem(rule, text).is_none().then(|| text.into()),
        FieldType::Decimal {
            integer_digits,
            fraction_digits,
        } => snapbi_rules::check_decimal(text, *integer_digits, *fraction_digits)
            .is_ok()
            .then(|| text.into()),
        FieldType::DateTime => snapbi_rules::is_snap_datetime(text).then(|| text.into()),
        FieldType::Integer { min, max } => {
            let n: i64 = text.parse().ok()?;
            snapbi_rules::check_integer(n, *min, *max).is_ok().then(|| n.into())
        }
        FieldType::Bool => text.parse::<bool>().ok().map(Value::Bool),
        FieldType::List { items, .. } => example(items, text),
        FieldType::Json | FieldType::Named(_) | FieldType::Object(_) => None,
    }
}

/// The schema that holds `leaf` at a wire path (`additionalInfo.channel`, `urlParam[].type`: segments, `[]` for
/// every item of a list), each object on the way requiring the next member when `required`.
pub(crate) fn at_path<S: AsRef<str>>(path: &[S], leaf: Value, required: bool) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return leaf;
    };
    let inner = at_path(rest, leaf, required);
    let first = first.as_ref();
    if first == EACH_ITEM {
        return json!({ "items": inner });
    }
    let mut schema = json!({ "properties": { first: inner } });
    if required {
        schema["required"] = json!([first]);
    }
    schema
}

/// Inserts `key: value` into a JSON object when there is a value.
fn insert_some<T: Into<Value>>(schema: &mut Value, key: &str, value: Option<T>) {
    if let (Some(value), Value::Object(map)) = (value, schema) {
        map.insert(key.into(), value.into());
    }
}
