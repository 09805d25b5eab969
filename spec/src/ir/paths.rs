//! Flat views of nested fields: one [`FieldPath`] per value a body can hold, keyed by its wire path.
//!
//! Validators report problems at wire paths (`amount.value`, `urlParam[0].url`); tables of a request's
//! fields (`snapbi list`, docs) want the same paths with the rules that apply there. [`flatten`] walks the
//! fields depth first, in wire order, through shared types, inline objects and list items (written `[]`:
//! `urlParam[].url`), so every nested rule shows up on a row of its own.

use serde::Serialize;

use super::{Api, Charset, Field, FieldType, Format, ObjectType};

/// One value reachable from a set of fields, with the rules that apply to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldPath {
    /// Wire path from the body root: `partnerReferenceNo`, `amount.value`, `urlParam[].url`.
    pub wire_path: String,
    /// Spec spelling of the value's type: `string`, `decimal`, `datetime`, `integer`, `boolean`, `json`,
    /// `object`, `list`, or `enum` for a string with allowed values.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name of the shared type (`Amount`) when the value is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_type: Option<String>,
    /// Must be present whenever the body is sent: the field and every object above it are required
    /// (list items count as present when their list is).
    pub required: bool,
    /// Fewest characters (an exact `length` sets both bounds).
    pub min_length: Option<u32>,
    /// Most characters.
    pub max_length: Option<u32>,
    /// Allowed values, for enums.
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// Allowed characters, spec spelling (`digits`, `alphanumeric`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<&'static str>,
    /// Known format, spec spelling (`ipv4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Anchored regex the value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Most digits before the point, for decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integer_digits: Option<u32>,
    /// Exact digits after the point, for decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction_digits: Option<u32>,
    /// Smallest value, for integers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest value, for integers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Fewest items, for lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Most items, for lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// The value is secret (redacted from logs).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// The field's documentation (list item rows carry their list's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

impl FieldPath {
    /// The rules of this value in short words, e.g. `["length 1..64"]`, `["(16,2)"]`,
    /// `["one of app, pc, mweb"]`; empty when nothing beyond the type applies.
    pub fn constraints(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(range) = range(self.min_length, self.max_length) {
            out.push(format!("length {range}"));
        }
        if !self.enum_values.is_empty() {
            out.push(format!("one of {}", self.enum_values.join(", ")));
        }
        if let Some(charset) = self.charset {
            out.push(charset.to_owned());
        }
        if let Some(format) = self.format {
            out.push(format.to_owned());
        }
        if let Some(pattern) = &self.pattern {
            out.push(format!("matches {pattern}"));
        }
        if let (Some(int), Some(frac)) = (self.integer_digits, self.fraction_digits) {
            out.push(format!("({int},{frac})"));
        }
        if let Some(range) = range(self.min, self.max) {
            out.push(format!("value {range}"));
        }
        if let Some(range) = range(self.min_items, self.max_items) {
            out.push(format!("items {range}"));
        }
        out
    }
}

/// `1..64`, `..512`, `1..`, `3` (exact), or None without bounds.
fn range<T: PartialEq + std::fmt::Display>(min: Option<T>, max: Option<T>) -> Option<String> {
    match (min, max) {
        (None, None) => None,
        (Some(min), Some(max)) if min == max => Some(min.to_string()),
        (min, max) => Some(format!(
            "{}..{}",
            min.map(|m| m.to_string()).unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default()
        )),
    }
}

/// Every value reachable from `fields`, depth first in wire order: each field, then what is inside it
/// (fields of shared types and inline objects, list items as `name[]`).
///
/// A list of objects has no row of its own for the item (`urlParam` is followed by `urlParam[].url`); a
/// list of scalars has one (`tags[]`). A shared type that contains itself is expanded once per path.
pub fn flatten(api: &Api, fields: &[Field]) -> Vec<FieldPath> {
    flatten_with(&api.types, fields)
}

/// The member names whose values are secret in `endpoint`'s bodies, sorted: the last wire name of each request or
/// response field the spec marks `sensitive`, at any depth, of each caller head member so marked where an envelope
/// carries them in the body (DANA's `accessToken`), and the standard's credential members (`accessToken`, …). Logs,
/// errors' `Debug` and the sandbox's journal redact their values.
pub fn sensitive_keys(api: &Api, endpoint: &super::Endpoint) -> Vec<String> {
    let head: &[Field] = match endpoint.info.envelope {
        Some(_) => &endpoint.headers,
        None => &[],
    };
    let rows = [&endpoint.request[..], &endpoint.response[..], head]
        .into_iter()
        .flat_map(|fields| flatten(api, fields));
    let mut keys: Vec<String> = rows
        .filter(|row| row.sensitive)
        .filter_map(|row| {
            let last = row.wire_path.rsplit('.').next()?;
            Some(last.trim_end_matches("[]").to_owned())
        })
        .chain(api.standard.credential_members.iter().map(|m| m.to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// [`flatten`] with the shared types given directly (while an [`Api`] is still being built).
pub fn flatten_with(types: &[ObjectType], fields: &[Field]) -> Vec<FieldPath> {
    let mut walk = Walk {
        types,
        out: Vec::new(),
        expanding: Vec::new(),
    };
    walk.fields(fields, "", true);
    walk.out
}

struct Walk<'a> {
    types: &'a [ObjectType],
    out: Vec<FieldPath>,
    /// Shared types being expanded on the current path, to stop on recursive types.
    expanding: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn fields(&mut self, fields: &'a [Field], prefix: &str, required: bool) {
        for field in fields {
            let path = if prefix.is_empty() {
                field.wire.clone()
            } else {
                format!("{prefix}.{}", field.wire)
            };
            let required = required && field.required;
            let mut row = row(&path, &field.ty, required);
            row.sensitive = field.sensitive;
            row.doc = field.doc.clone();
            self.out.push(row);
            self.inside(&field.ty, &path, required, field);
        }
    }

    /// What lies inside a value of type `ty` at `path`.
    fn inside(&mut self, ty: &'a FieldType, path: &str, required: bool, field: &Field) {
        match ty {
            FieldType::Named(name) => {
                let Some(shared) = self.types.iter().find(|t| t.name == *name) else {
                    return;
                };
                if self.expanding.contains(&name.as_str()) {
                    return;
                }
                self.expanding.push(name);
                self.fields(&shared.fields, path, required);
                self.expanding.pop();
            }
            FieldType::Object(fields) => self.fields(fields, path, required),
            FieldType::List { items, .. } => {
                let item_path = format!("{path}[]");
                if !matches!(**items, FieldType::Named(_) | FieldType::Object(_)) {
                    let mut row = row(&item_path, items, required);
                    row.sensitive = field.sensitive;
                    row.doc = field.doc.clone();
                    self.out.push(row);
                }
                self.inside(items, &item_path, required, field);
            }
            _ => {}
        }
    }
}

/// The row of a value of type `ty`, without documentation.
fn row(path: &str, ty: &FieldType, required: bool) -> FieldPath {
    let mut row = FieldPath {
        wire_path: path.to_owned(),
        kind: kind(ty),
        required,
        ..FieldPath::default()
    };
    match ty {
        FieldType::Str(rule) => {
            row.min_length = rule.min_length;
            row.max_length = rule.max_length;
            row.enum_values = rule.enum_values.clone();
            row.charset = rule.charset.map(|c| match c {
                Charset::Digits => "digits",
                Charset::Alphanumeric => "alphanumeric",
            });
            row.format = rule.format.map(|f| match f {
                Format::Ipv4 => "ipv4",
            });
            row.pattern = rule.pattern.clone();
        }
        FieldType::Decimal {
            integer_digits,
            fraction_digits,
        } => {
            row.integer_digits = Some(*integer_digits);
            row.fraction_digits = Some(*fraction_digits);
        }
        FieldType::Integer { min, max } => (row.min, row.max) = (*min, *max),
        FieldType::Named(name) => row.shared_type = Some(name.clone()),
        FieldType::List {
            items,
            min_items,
            max_items,
        } => {
            (row.min_items, row.max_items) = (*min_items, *max_items);
            if let FieldType::Named(name) = &**items {
                row.shared_type = Some(name.clone());
            }
        }
        FieldType::DateTime | FieldType::Bool | FieldType::Json | FieldType::Object(_) => {}
    }
    row
}

/// Spec spelling of a type; `enum` for strings with allowed values.
fn kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Str(rule) if !rule.enum_values.is_empty() => "enum",
        FieldType::Str(_) => "string",
        FieldType::Decimal { .. } => "decimal",
        FieldType::DateTime => "datetime",
        FieldType::Integer { .. } => "integer",
        FieldType::Bool => "boolean",
        FieldType::Json => "json",
        FieldType::Named(_) | FieldType::Object(_) => "object",
        FieldType::List { .. } => "list",
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ObjectType, StrRule};
    use super::*;

    fn field(wire: &str, ty: FieldType, required: bool) -> Field {
        Field {
            wire: wire.into(),
            rust: wire.into(),
            type_name: wire.into(),
            ty,
            required,
            sensitive: false,
            doc: Some(format!("{wire} doc")),
            note: None,
            example: None,
        }
    }

    fn string(min: Option<u32>, max: Option<u32>) -> FieldType {
        FieldType::Str(StrRule {
            min_length: min,
            max_length: max,
            ..StrRule::default()
        })
    }

    fn api() -> Api {
        let url_param = ObjectType {
            name: "UrlParam".into(),
            doc: None,
            fields: vec![
                field("url", string(None, Some(512)), true),
                field(
                    "type",
                    FieldType::Str(StrRule {
                        enum_values: vec!["PAY_RETURN".into(), "PAY_NOTIFY".into()],
                        ..StrRule::default()
                    }),
                    true,
                ),
            ],
        };
        let amount = ObjectType {
            name: "Amount".into(),
            doc: None,
            fields: vec![
                field(
                    "value",
                    FieldType::Decimal {
                        integer_digits: 16,
                        fraction_digits: 2,
                    },
                    true,
                ),
                field("currency", string(Some(3), Some(3)), true),
            ],
        };
        // Node { children: [Node] } must not recurse forever.
        let node = ObjectType {
            name: "Node".into(),
            doc: None,
            fields: vec![field(
                "children",
                FieldType::List {
                    items: Box::new(FieldType::Named("Node".into())),
                    min_items: None,
                    max_items: None,
                },
                false,
            )],
        };
        Api {
            types: vec![url_param, amount, node],
            ..Api::default()
        }
    }

    fn paths(rows: &[FieldPath]) -> Vec<&str> {
        rows.iter().map(|r| r.wire_path.as_str()).collect()
    }

    #[test]
    fn nested_fields_get_wire_paths_in_wire_order() {
        let api = api();
        let fields = vec![
            field("partnerReferenceNo", string(Some(1), Some(64)), true),
            field("amount", FieldType::Named("Amount".into()), true),
            field(
                "urlParam",
                FieldType::List {
                    items: Box::new(FieldType::Named("UrlParam".into())),
                    min_items: Some(1),
                    max_items: None,
                },
                true,
            ),
            field(
                "additionalInfo",
                FieldType::Object(vec![field(
                    "order",
                    FieldType::Object(vec![field("orderTitle", string(None, None), true)]),
                    false,
                )]),
                true,
            ),
            field(
                "tags",
                FieldType::List {
                    items: Box::new(string(None, Some(8))),
                    min_items: None,
                    max_items: Some(3),
                },
                false,
            ),
        ];
        let rows = flatten(&api, &fields);
        assert_eq!(
            paths(&rows),
            [
                "partnerReferenceNo",
                "amount",
                "amount.value",
                "amount.currency",
                "urlParam",
                "urlParam[].url",
                "urlParam[].type",
                "additionalInfo",
                "additionalInfo.order",
                "additionalInfo.order.orderTitle",
                "tags",
                "tags[]",
            ]
        );
        let by_path = |p: &str| rows.iter().find(|r| r.wire_path == p).cloned().unwrap_or_default();
        let url = by_path("urlParam[].url");
        assert_eq!((url.kind, url.required, url.max_length), ("string", true, Some(512)));
        assert_eq!(by_path("urlParam[].type").kind, "enum");
        assert_eq!(by_path("urlParam[].type").enum_values, ["PAY_RETURN", "PAY_NOTIFY"]);
        let list = by_path("urlParam");
        assert_eq!(
            (list.kind, list.shared_type.as_deref(), list.min_items),
            ("list", Some("UrlParam"), Some(1))
        );
        let value = by_path("amount.value");
        assert_eq!(
            (value.kind, value.integer_digits, value.fraction_digits),
            ("decimal", Some(16), Some(2))
        );
        assert_eq!(by_path("amount").shared_type.as_deref(), Some("Amount"));
        // Required all the way down: orderTitle is required inside an optional `order`.
        assert!(!by_path("additionalInfo.order.orderTitle").required);
        assert!(by_path("additionalInfo").required);
        let tag = by_path("tags[]");
        assert_eq!((tag.kind, tag.max_length, tag.required), ("string", Some(8), false));
        assert_eq!(tag.doc.as_deref(), Some("tags doc"));
    }

    #[test]
    fn recursive_shared_types_expand_once() {
        let api = api();
        let rows = flatten(&api, &[field("root", FieldType::Named("Node".into()), true)]);
        assert_eq!(paths(&rows), ["root", "root.children"]);
    }

    #[test]
    fn constraints_read_like_the_spec() {
        let api = api();
        let rows = flatten(&api, &[field("amount", FieldType::Named("Amount".into()), true)]);
        assert_eq!(rows[1].constraints(), ["(16,2)"]);
        assert_eq!(rows[2].constraints(), ["length 3"]);
        let row = FieldPath {
            min_length: Some(1),
            max_length: Some(64),
            charset: Some("digits"),
            ..FieldPath::default()
        };
        assert_eq!(row.constraints(), ["length 1..64", "digits"]);
        let open = FieldPath {
            max_length: Some(512),
            ..FieldPath::default()
        };
        assert_eq!(open.constraints(), ["length ..512"]);
    }

    #[test]
    fn rows_serialize_with_spec_spellings() {
        let api = api();
        let rows = flatten(&api, &[field("amount", FieldType::Named("Amount".into()), false)]);
        let json = serde_json::to_value(&rows[1]).unwrap_or_default();
        assert_eq!(json["wire_path"], "amount.value");
        assert_eq!(json["type"], "decimal");
        assert_eq!(json["required"], false);
        assert!(json["max_length"].is_null() && json.get("enum").is_none());
    }
}
