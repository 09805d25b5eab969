//! Field schemas, wherever they appear (request, response, shared types, list items, caller headers): wire
//! names, types and the keys each type allows; and the Rust names two fields must not share. String rules
//! have their own file (`strings`).

use std::collections::HashMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::names::is_header_name;
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Field, FieldType, ObjectType, paths, samples};
use crate::yaml::raw::{FieldSpec, OrderedMap};

/// Primitive type names a field may use.
pub const PRIMITIVES: [&str; 8] = [
    "string", "decimal", "datetime", "integer", "boolean", "object", "list", "json",
];

impl Lowering {
    /// The fields of one mapping at `path`; `types` are the shared type names.
    pub(super) fn fields(
        &mut self,
        src: Src,
        path: &str,
        specs: &OrderedMap<FieldSpec>,
        types: &[String],
    ) -> Vec<Field> {
        let mut out = Vec::new();
        for (wire, spec) in &specs.0 {
            if let Some(field) = self.field(src, &join(path, wire), wire, spec, types) {
                out.push(field);
            }
        }
        self.duplicates(src, path, &out);
        out
    }

    /// One field, or `None` (counted in `dropped_fields`) when it cannot be lowered.
    fn field(&mut self, src: Src, path: &str, wire: &str, spec: &FieldSpec, types: &[String]) -> Option<Field> {
        let field = self.try_field(src, path, wire, spec, types);
        if field.is_none() {
            self.dropped_fields += 1;
        }
        field
    }

    fn try_field(&mut self, src: Src, path: &str, wire: &str, spec: &FieldSpec, types: &[String]) -> Option<Field> {
        if wire.is_empty() || !wire.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let msg = format!("field name `{wire}` must be ASCII letters, digits or `_`");
            self.push(src.at(src.positions.key(path, 0), path, msg));
            return None;
        }
        let ty = self.field_type(src, path, spec, types)?;
        let rust = wire.to_snake_case();
        if rust.starts_with(|c: char| c.is_ascii_digit()) {
            let msg = format!("field name `{wire}` cannot start with a digit");
            self.push(src.at(src.positions.key(path, 0), path, msg));
            return None;
        }
        Some(Field {
            wire: wire.to_owned(),
            type_name: wire.to_upper_camel_case(),
            rust,
            ty,
            required: spec.required,
            sensitive: spec.sensitive,
            doc: spec.doc.clone(),
            note: spec.note.clone(),
            example: spec.example.clone(),
        })
    }

    /// Caller-supplied headers: strings with string rules, named like HTTP headers.
    pub(super) fn headers(&mut self, src: Src, specs: &OrderedMap<FieldSpec>) -> Vec<Field> {
        let mut out = Vec::new();
        for (name, spec) in &specs.0 {
            let path = join("headers", name);
            if !is_header_name(name) {
                let msg = format!("`{name}` is not a valid header name");
                self.push(src.at(src.positions.key(&path, 0), &path, msg));
                continue;
            }
            if spec.ty.as_deref().is_some_and(|t| t != "string") {
                self.push(src.value(&join(&path, "type"), "headers are strings".into()));
                continue;
            }
            let rule = self.str_rule(src, &path, spec);
            out.push(Field {
                wire: name.clone(),
                type_name: name.to_upper_camel_case(),
                rust: name.to_snake_case(),
                ty: FieldType::Str(rule),
                required: spec.required,
                sensitive: spec.sensitive,
                doc: spec.doc.clone(),
                note: spec.note.clone(),
                example: spec.example.clone(),
            });
        }
        self.duplicates(src, "headers", &out);
        out
    }

    /// Duplicate wire names, and distinct wire names that become the same Rust name.
    pub(super) fn duplicates(&mut self, src: Src, path: &str, fields: &[Field]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in fields {
            let p = join(path, &f.wire);
            match seen.insert(&f.rust, &f.wire) {
                Some(first) if first == f.wire => {
                    let d = src.at(src.positions.key(&p, 1), &p, format!("duplicate field `{}`", f.wire));
                    let first_pos = src.positions.key(&p, 0);
                    let help = format!("first defined at line {}:{}", first_pos.line, first_pos.col);
                    self.push(with_help(d, Some(help)));
                }
                Some(first) => {
                    let msg = format!(
                        "fields `{first}` and `{}` both become the Rust name `{}`",
                        f.wire, f.rust
                    );
                    self.push(src.at(src.positions.key(&p, 0), &p, msg));
                }
                None => {}
            }
        }
    }

    fn field_type(&mut self, src: Src, path: &str, spec: &FieldSpec, types: &[String]) -> Option<FieldType> {
        let Some(ty) = spec.ty.as_deref() else {
            self.push(src.at(src.positions.key(path, 0), path, "field needs a `type`".into()));
            return None;
        };
        let ty_path = type_path(src, path, spec);
        // Which keys belong to an unknown type cannot be told: its one error is that it is unknown.
        if PRIMITIVES.contains(&ty) || types.iter().any(|t| t == ty) {
            self.misplaced_keys(src, path, ty, spec);
        }
        let lowered = match ty {
            "string" => Some(FieldType::Str(self.str_rule(src, path, spec))),
            "decimal" => self.decimal(src, path, spec),
            "datetime" => Some(FieldType::DateTime),
            "integer" => Some(self.integer(src, path, spec)),
            "boolean" => Some(FieldType::Bool),
            "json" => Some(FieldType::Json),
            "object" => self.object(src, path, &ty_path, spec, types),
            "list" => self.list(src, path, spec, types),
            named if types.iter().any(|t| t == named) => Some(FieldType::Named(named.to_owned())),
            // A type of a types.yaml that did not load is reported there.
            unknown if self.failed.types.may_hold(unknown) => None,
            unknown => {
                let known = PRIMITIVES.iter().copied().chain(types.iter().map(String::as_str));
                let d = src.value(&ty_path, format!("unknown type `{unknown}`"));
                self.push(with_help(d, did_you_mean(unknown, known)));
                None
            }
        };
        self.example(src, path, spec, lowered.as_ref());
        lowered
    }

    /// A string field's example must pass the field's own rules (it ends up in docs and tests).
    pub(super) fn example(&mut self, src: Src, path: &str, spec: &FieldSpec, lowered: Option<&FieldType>) {
        if let (Some(example), Some(FieldType::Str(rule))) = (&spec.example, lowered)
            && let Some(problem) = samples::str_problem(rule, example)
        {
            self.push(src.value(
                &join(path, "example"),
                format!("example `{example}` breaks the field's rules: {problem}"),
            ));
        }
    }

    fn integer(&mut self, src: Src, path: &str, spec: &FieldSpec) -> FieldType {
        if let (Some(min), Some(max)) = (spec.min, spec.max)
            && min > max
        {
            self.push(src.value(&join(path, "max"), format!("min {min} is greater than max {max}")));
        }
        FieldType::Integer {
            min: spec.min,
            max: spec.max,
        }
    }

    fn object(&mut self, src: Src, path: &str, ty_path: &str, spec: &FieldSpec, types: &[String]) -> Option<FieldType> {
        match &spec.fields {
            Some(fields) => Some(FieldType::Object(self.fields(
                src,
                &join(path, "fields"),
                fields,
                types,
            ))),
            None => {
                self.push(src.value(ty_path, "an object needs `fields`".into()));
                None
            }
        }
    }

    fn decimal(&mut self, src: Src, path: &str, spec: &FieldSpec) -> Option<FieldType> {
        match (spec.integer_digits, spec.fraction_digits) {
            (Some(integer_digits), Some(fraction_digits))
                if integer_digits > 0 && integer_digits + fraction_digits <= 38 =>
            {
                Some(FieldType::Decimal {
                    integer_digits,
                    fraction_digits,
                })
            }
            (Some(_), Some(_)) => {
                self.push(src.value(
                    &join(path, "integer_digits"),
                    "integer_digits must be 1..=38 in all".into(),
                ));
                None
            }
            _ => {
                self.push(src.value(path, "a decimal needs `integer_digits` and `fraction_digits`".into()));
                None
            }
        }
    }

    fn list(&mut self, src: Src, path: &str, spec: &FieldSpec, types: &[String]) -> Option<FieldType> {
        let Some(items) = &spec.items else {
            self.push(src.value(&join(path, "type"), "a list needs `items`".into()));
            return None;
        };
        if let (Some(min), Some(max)) = (spec.min_items, spec.max_items)
            && min > max
        {
            self.push(src.value(
                &join(path, "max_items"),
                format!("min_items {min} is greater than max_items {max}"),
            ));
        }
        let items = self.field_type(src, &join(path, "items"), items, types)?;
        if matches!(items, FieldType::List { .. }) {
            self.push(src.value(&join(path, "items"), "lists of lists are not supported".into()));
            return None;
        }
        Some(FieldType::List {
            items: Box::new(items),
            min_items: spec.min_items,
            max_items: spec.max_items,
        })
    }

    /// Keys that only make sense for another type (e.g. `max_length` on an integer).
    pub(super) fn misplaced_keys(&mut self, src: Src, path: &str, ty: &str, spec: &FieldSpec) {
        for (owner, keys) in keys_by_type(spec) {
            if owner == ty {
                continue;
            }
            for (key, present) in keys {
                if present {
                    let msg = format!("`{key}` applies only to `{owner}` fields, but this field is `{ty}`");
                    self.push(src.value(&join(path, key), msg));
                }
            }
        }
    }
}

impl Lowering {
    /// The row of the wire path `path` in the flattened `fields` of one `side` (request or response); else says at `at`
    /// that it is not one, with the nearest known path as help.
    pub(super) fn field_row<'f>(
        &mut self,
        src: Src,
        at: &str,
        path: &str,
        side: &str,
        fields: &'f [paths::FieldPath],
    ) -> Option<&'f paths::FieldPath> {
        let found = fields.iter().find(|f| f.wire_path == path);
        if found.is_none() {
            let d = src.value(at, format!("`{path}` is not a {side} field"));
            let known = fields.iter().map(|f| f.wire_path.as_str());
            self.push(with_help(d, did_you_mean(path, known)));
        }
        found
    }

    /// Whether `fields` lost nothing to a problem: every shared type they reach lowered with all its fields.
    /// Paths into fields that are not whole are not reported as unknown: they may name what was lost.
    pub(super) fn whole(&self, types: &[ObjectType], fields: &[Field]) -> bool {
        !loses(&self.failed.types.known, types, fields, &mut Vec::new())
    }
}

/// Whether `fields` reach a type that lost a field (`failed`) or did not lower at all.
fn loses(failed: &[String], types: &[ObjectType], fields: &[Field], seen: &mut Vec<String>) -> bool {
    fields.iter().any(|f| type_loses(failed, types, &f.ty, seen))
}

fn type_loses(failed: &[String], types: &[ObjectType], ty: &FieldType, seen: &mut Vec<String>) -> bool {
    match ty {
        FieldType::Named(name) if failed.contains(name) => true,
        // A type already looked at (types may name each other in a cycle) adds nothing new.
        FieldType::Named(name) if seen.contains(name) => false,
        FieldType::Named(name) => {
            seen.push(name.clone());
            match types.iter().find(|t| &t.name == name) {
                Some(t) => loses(failed, types, &t.fields, seen),
                None => true,
            }
        }
        FieldType::Object(inner) => loses(failed, types, inner, seen),
        FieldType::List { items, .. } => type_loses(failed, types, items, seen),
        _ => false,
    }
}

/// The type-specific keys of a field schema, by the type they belong to, with whether each is given.
fn keys_by_type(spec: &FieldSpec) -> [(&'static str, Vec<(&'static str, bool)>); 5] {
    [
        (
            "string",
            vec![
                ("min_length", spec.min_length.is_some()),
                ("max_length", spec.max_length.is_some()),
                ("length", spec.length.is_some()),
                ("charset", spec.charset.is_some()),
                ("format", spec.format.is_some()),
                ("pattern", spec.pattern.is_some()),
                ("enum", spec.enum_values.is_some()),
            ],
        ),
        (
            "decimal",
            vec![
                ("integer_digits", spec.integer_digits.is_some()),
                ("fraction_digits", spec.fraction_digits.is_some()),
            ],
        ),
        (
            "integer",
            vec![("min", spec.min.is_some()), ("max", spec.max.is_some())],
        ),
        ("object", vec![("fields", spec.fields.is_some())]),
        (
            "list",
            vec![
                ("items", spec.items.is_some()),
                ("min_items", spec.min_items.is_some()),
                ("max_items", spec.max_items.is_some()),
            ],
        ),
    ]
}

/// Where to report a problem with a field's type: at `type:` when the field is a mapping, else at the bare
/// type name (`referenceNo: string`), which is the field's own value.
fn type_path(src: Src, path: &str, spec: &FieldSpec) -> String {
    let typed = join(path, "type");
    let mapping = spec.fields.is_some() || spec.items.is_some() || spec.doc.is_some() || spec.required;
    if mapping || src.positions.value(&typed) != src.positions.value(path) {
        typed
    } else {
        path.to_owned()
    }
}

/// The field at a dotted wire path (`amount.value`), through inline objects.
pub(super) fn request_field<'f>(fields: &'f [Field], path: &str) -> Option<&'f Field> {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    let field = fields.iter().find(|f| f.wire == head)?;
    match (rest, &field.ty) {
        (None, _) => Some(field),
        (Some(rest), FieldType::Object(inner)) => request_field(inner, rest),
        _ => None,
    }
}

/// Whether a dotted wire path (`amount.value`) names a field of `fields` (through inline objects).
pub(super) fn request_has_path(fields: &[Field], path: &str) -> bool {
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    fields.iter().any(|f| {
        f.wire == head
            && match (rest, &f.ty) {
                (None, _) => true,
                (Some(rest), FieldType::Object(inner)) => request_has_path(inner, rest),
                _ => false,
            }
    })
}
