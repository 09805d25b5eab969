//! Signature recipes (a provider's `signatures` per auth kind, an envelope's `signature`): the algorithm and
//! the string to sign, split into literal text and the placeholders the runtime fills.

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Algorithm, AuthKind, Part, Recipe};
use crate::yaml::raw::{self, OrderedMap};

impl Lowering {
    pub(super) fn signatures(&mut self, src: Src, specs: &OrderedMap<raw::SignatureSpec>) -> Vec<(AuthKind, Recipe)> {
        let mut out = Vec::new();
        for (kind, spec) in &specs.0 {
            let path = join("signatures", kind);
            let kind = self.auth_key(src, &path, kind);
            if let (Some(kind), Some(recipe)) = (kind, self.recipe(src, &path, spec)) {
                out.push((kind, recipe));
            }
        }
        out
    }

    /// A signature recipe: its algorithm and its string to sign, split into parts.
    pub(super) fn recipe(&mut self, src: Src, path: &str, spec: &raw::SignatureSpec) -> Option<Recipe> {
        let algorithm = Algorithm::parse(&spec.algorithm);
        if algorithm.is_none() {
            let (other, known) = (&spec.algorithm, Algorithm::ALL.map(|(name, _)| name));
            let d = src.value(
                &join(path, "algorithm"),
                format!("unknown algorithm `{other}`, expected {}", known.join(" or ")),
            );
            self.push(with_help(d, did_you_mean(other, known)));
        }
        let parts = self.recipe_parts(src, &join(path, "string_to_sign"), &spec.string_to_sign);
        Some(Recipe {
            algorithm: algorithm?,
            parts: parts?.into(),
        })
    }

    /// `{method}:{path}` → placeholder, literal, placeholder; the first bad placeholder stops the template.
    fn recipe_parts(&mut self, src: Src, path: &str, template: &str) -> Option<Vec<Part>> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned().into()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.push(src.value(path, "unclosed `{` in string_to_sign".into()));
                return None;
            };
            parts.push(self.placeholder(src, path, &rest[open + 1..open + close])?);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned().into()));
        }
        Some(parts)
    }

    fn placeholder(&mut self, src: Src, path: &str, name: &str) -> Option<Part> {
        let found = Part::PLACEHOLDERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, part)| part.clone());
        if found.is_none() {
            let known = Part::PLACEHOLDERS.map(|(n, _)| n);
            let d = src.value(
                path,
                format!("unknown placeholder `{{{name}}}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(name, known)));
        }
        found
    }
}
