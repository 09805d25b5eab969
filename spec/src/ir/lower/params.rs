//! Path parameters: the `{name}` placeholders of an endpoint's path and aliases, the `params` that fill them, and
//! the body a method allows. A param is a required string that is never empty, because its value becomes one
//! whole path segment (percent-encoded by the client, matched segment by segment by the sandbox); each
//! placeholder has its param and each param its placeholder, in the path and in every alias.

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Field, FieldType, method_has_body, samples};
use crate::yaml::raw::{self, FieldSpec};

impl Lowering {
    /// The endpoint's path parameters, checked against the placeholders of its path and aliases, and against
    /// what else the endpoint is (a GET has no body fields; envelopes, notifications and settled calls take no
    /// params yet).
    pub(super) fn params(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<Field> {
        let params = self.param_fields(src, spec);
        let named: Vec<&str> = spec
            .params
            .0
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| is_param_name(n))
            .collect();
        self.placeholders_of(src, "path", &spec.path, &named);
        for (i, alias) in spec.aliases.iter().enumerate() {
            self.placeholders_of(src, &join("aliases", &i.to_string()), alias, &named);
        }
        self.body_allowed(src, spec);
        self.params_allowed(src, spec);
        params
    }

    /// The `params` fields: strings (string rules only), required, never empty, named like a field, and not
    /// named like a top-level request field (the sandbox reads both by name).
    fn param_fields(&mut self, src: Src, spec: &raw::EndpointFile) -> Vec<Field> {
        let mut out = Vec::new();
        for (name, field) in &spec.params.0 {
            let path = join("params", name);
            if !is_param_name(name) {
                let msg =
                    format!("path parameter `{name}` must be a snake_case or camelCase name (letters, digits, `_`)");
                self.push(src.at(src.positions.key(&path, 0), &path, msg));
                continue;
            }
            if let Some(field) = self.param_field(src, &path, name, field) {
                out.push(field);
            }
            if spec.request.0.iter().any(|(wire, _)| wire == name) {
                let msg = format!(
                    "`{name}` is a request field too; the sandbox reads a path parameter like a top-level request \
                     field of its name, so the two must differ"
                );
                self.push(src.at(src.positions.key(&path, 0), &path, msg));
            }
        }
        self.duplicates(src, "params", &out);
        self.type_names(src, "params", "Params", &out);
        out
    }

    /// One path parameter, or `None` when it is not a string.
    fn param_field(&mut self, src: Src, path: &str, name: &str, spec: &FieldSpec) -> Option<Field> {
        if let Some(ty) = spec.ty.as_deref().filter(|t| *t != "string") {
            let msg = format!(
                "a path parameter is a string, not `{ty}`: a path carries text, so write a number as a string with \
                 a `pattern` or `charset: digits`"
            );
            self.push(src.value(&join(path, "type"), msg));
            return None;
        }
        self.misplaced_keys(src, path, "string", spec);
        if src.positions.has_key(&join(path, "required")) && !spec.required {
            let msg = "a path parameter is always required (the path has no form without it); remove `required`";
            self.push(src.value(&join(path, "required"), msg.into()));
        }
        let rule = self.str_rule(src, path, spec);
        if samples::str_problem(&rule, "").is_none() {
            let d = src.at(
                src.positions.key(path, 0),
                path,
                format!("path parameter `{name}` allows the empty string, which is no path segment"),
            );
            self.push(with_help(d, Some("give it `min_length: 1` (or a `length`)".into())));
        }
        let ty = FieldType::Str(rule);
        self.example(src, path, spec, Some(&ty));
        Some(Field {
            wire: name.to_owned(),
            type_name: name.to_upper_camel_case(),
            rust: name.to_snake_case(),
            ty,
            required: true,
            sensitive: spec.sensitive,
            doc: spec.doc.clone(),
            note: spec.note.clone(),
            example: spec.example.clone(),
        })
    }

    /// The placeholders of one route (the path or an alias, at `at`) are well formed and are exactly the params.
    fn placeholders_of(&mut self, src: Src, at: &str, route: &str, params: &[&str]) {
        let names = match placeholders(route) {
            Ok(names) => names,
            Err(problem) => {
                self.push(src.value(at, format!("path `{route}`: {problem}")));
                return;
            }
        };
        for name in names.iter().filter(|n| !params.contains(n)) {
            let d = src.value(
                at,
                format!("placeholder `{{{name}}}` of `{route}` has no entry in `params`"),
            );
            self.push(with_help(d, did_you_mean(name, params.iter().copied())));
        }
        for name in params.iter().filter(|n| !names.contains(n)) {
            self.push(src.value(
                at,
                format!("path `{route}` has no placeholder `{{{name}}}` for its param"),
            ));
        }
    }

    /// A GET request has no body: its values travel in the path (and headers).
    fn body_allowed(&mut self, src: Src, spec: &raw::EndpointFile) {
        if !method_has_body(&spec.method) && !spec.request.0.is_empty() {
            let msg = format!(
                "a {} request has no body, so it has no `request` fields: give its values as `params` (query \
                 strings are not supported yet)",
                spec.method.to_ascii_uppercase()
            );
            self.push(src.value("request", msg));
        }
    }

    /// What takes no params (yet): an enveloped call (its path is the envelope's), an inbound call (served at the
    /// merchant's own URL) and a settled call (the status query does not carry path parameters over).
    fn params_allowed(&mut self, src: Src, spec: &raw::EndpointFile) {
        if spec.params.0.is_empty() {
            return;
        }
        let refusal = if spec.envelope.is_some() {
            Some("an endpoint in an `envelope` has a fixed path; it takes no `params`")
        } else if spec.direction.as_deref() == Some("inbound") {
            Some("an inbound endpoint is called at the merchant's own URL; it takes no `params`")
        } else if spec.status_query.is_some() {
            Some(
                "an endpoint with `params` cannot have a `status_query` yet: settling a lost answer does not carry path parameters",
            )
        } else {
            None
        };
        if let Some(msg) = refusal {
            self.push(src.value("params", msg.into()));
        }
    }
}

/// The parameter names a path's placeholders hold, in order, or why the path is malformed: a placeholder is
/// `{name}` with a snake_case or camelCase name, fills a whole segment (`/{name}/`), and appears once.
fn placeholders(route: &str) -> Result<Vec<&str>, String> {
    let mut names: Vec<&str> = Vec::new();
    for segment in route.split('/') {
        let Some(name) = placeholder(segment)? else { continue };
        if names.contains(&name) {
            return Err(format!("placeholder `{{{name}}}` appears twice"));
        }
        names.push(name);
    }
    Ok(names)
}

/// The name of the placeholder a path segment is, `None` for a literal segment, or why the segment is malformed.
fn placeholder(segment: &str) -> Result<Option<&str>, String> {
    if !segment.contains(['{', '}']) {
        return Ok(None);
    }
    let inner = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
    match inner {
        Some("") => Err("`{}` is an empty placeholder; name its parameter".into()),
        Some(name) if name.contains(['{', '}']) => {
            Err(format!("`{segment}` has nested braces: placeholders do not nest"))
        }
        Some(name) if !is_param_name(name) => Err(format!(
            "placeholder `{segment}` must be a snake_case or camelCase name (letters, digits, `_`)"
        )),
        Some(name) => Ok(Some(name)),
        None if segment.matches('{').count() != segment.matches('}').count() => {
            Err(format!("`{segment}` has an unmatched brace"))
        }
        None => Err(format!(
            "placeholder in `{segment}` must be a whole path segment (`/{{name}}/`): its value is sent as one segment"
        )),
    }
}

/// `invoice_number`, `paymentIntentId`: a letter, then letters, digits and `_`.
fn is_param_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_whole_named_segments() {
        assert_eq!(placeholders("/v1/orders/{invoice_number}"), Ok(vec!["invoice_number"]));
        assert_eq!(
            placeholders("/v1/pi/{id}/cancel/{reasonCode}"),
            Ok(vec!["id", "reasonCode"])
        );
        assert_eq!(placeholders("/v1/orders"), Ok(vec![]));
        for (bad, why) in [
            ("/v1/{}", "empty"),
            ("/v1/{a{b}}", "nest"),
            ("/v1/{a", "unmatched"),
            ("/v1/a}", "unmatched"),
            ("/v1/inv-{id}", "whole path segment"),
            ("/v1/{in-voice}", "snake_case or camelCase"),
            ("/v1/{1st}", "snake_case or camelCase"),
            ("/v1/{id}/{id}", "twice"),
        ] {
            let problem = placeholders(bad).expect_err(bad);
            assert!(problem.contains(why), "{bad}: {problem}");
        }
    }
}
