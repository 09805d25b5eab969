//! Names: what counts as a snake_case id, an UpperCamelCase type, a header name, a route; and the Rust type
//! names the generator will derive from a set of fields, which must not clash within one module.

use std::collections::BTreeMap;

use super::{Lowering, Src, join};
use crate::ir::{Field, FieldType};

/// Names every endpoint module defines itself; a field type may not take them.
const RESERVED_TYPE_NAMES: [&str; 8] = [
    "Request",
    "RequestBuilder",
    "Response",
    "Code",
    "Headers",
    "HeadersBuilder",
    "Params",
    "ParamsBuilder",
];

impl Lowering {
    /// The Rust type names the emitter will use in one module; clashes are errors.
    pub(super) fn type_names(&mut self, src: Src, path: &str, prefix: &str, fields: &[Field]) {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        collect_type_names(path, prefix, fields, &mut names, &mut |name, first, second| {
            let msg = format!("the Rust type name `{name}` is needed by both `{first}` and `{second}`");
            self.diagnostics.push(src.value(second, msg));
        });
        for reserved in RESERVED_TYPE_NAMES {
            if let Some(owner) = names.get(reserved).filter(|_| prefix.is_empty()) {
                let msg = format!("the Rust type name `{reserved}` of this field is reserved for the endpoint itself");
                self.push(src.value(owner, msg));
            }
        }
    }
}

/// Walks fields the way the emitter names types, reporting a name wanted by two spec paths.
fn collect_type_names(
    path: &str,
    prefix: &str,
    fields: &[Field],
    names: &mut BTreeMap<String, String>,
    clash: &mut dyn FnMut(&str, &str, &str),
) {
    for f in fields {
        let p = join(path, &f.wire);
        let name = format!("{prefix}{}", f.type_name);
        let mut ty = &f.ty;
        let mut field_path = p.clone();
        if let FieldType::List { items, .. } = ty {
            ty = items;
            field_path = join(&p, "items");
        }
        // Only value lists, patterns and objects become types of their own (with a builder).
        let needs_name = match ty {
            FieldType::Str(rule) => !rule.enum_values.is_empty() || rule.pattern.is_some(),
            FieldType::Object(_) => true,
            _ => false,
        };
        if needs_name {
            for wanted in [name.clone(), format!("{name}Builder")] {
                if let Some(first) = names.get(&wanted) {
                    clash(&wanted, first, &p);
                } else {
                    names.insert(wanted, p.clone());
                }
            }
        }
        if let FieldType::Object(inner) = ty {
            collect_type_names(&join(&field_path, "fields"), &name, inner, names, clash);
        }
    }
}

pub(super) fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn is_upper_camel(s: &str) -> bool {
    !s.is_empty() && s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(super) fn is_utc_offset(s: &str) -> bool {
    let b = s.as_bytes();
    // `Z` is UTC written the way DOKU's non-SNAP headers want it (`2020-08-11T08:45:42Z`).
    s == "Z"
        || (b.len() == 6
            && (b[0] == b'+' || b[0] == b'-')
            && b[3] == b':'
            && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()))
}

/// Whether `path` can be a route: absolute, without spaces.
pub(super) fn is_route(path: &str) -> bool {
    path.starts_with('/') && !path.contains(char::is_whitespace)
}

/// `an object`, `a string`.
pub(super) fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}
