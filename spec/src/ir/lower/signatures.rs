//! Signature recipes (a provider's `signatures` per auth kind, an envelope's `signature`): the algorithm and
//! the string to sign, split into literal text and the placeholders the runtime fills. Templates may span lines
//! (YAML `|-`); `{if_body}` … `{end_if}` marks what is signed only when the request has a body.

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Algorithm, AuthKind, Encoding, HeaderSource, Part, Recipe, SignedAnswer};
use crate::yaml::raw::{self, OrderedMap};

impl Lowering {
    pub(super) fn signatures(&mut self, src: Src, specs: &OrderedMap<raw::SignatureSpec>) -> Vec<(AuthKind, Recipe)> {
        let mut out = Vec::new();
        for (kind, spec) in &specs.0 {
            let path = join("signatures", kind);
            let kind = self.auth_key(src, &path, kind);
            if kind == Some(AuthKind::Unsigned) {
                let msg = "`unsigned` calls carry no signature: drop this recipe (or sign them under another kind)";
                self.push(src.at(src.positions.key(&path, 0), &path, msg.into()));
                continue;
            }
            if let (Some(kind), Some(recipe)) = (kind, self.recipe(src, &path, spec)) {
                out.push((kind, recipe));
            }
        }
        out
    }

    /// `answer_signatures`: per auth kind, the headers an answer carries (from the request's client id and request
    /// id, the answer's timestamp, the signature) and the recipe over them.
    pub(super) fn answer_signatures(
        &mut self,
        src: Src,
        specs: &OrderedMap<raw::SignedAnswerSpec>,
    ) -> Vec<(AuthKind, SignedAnswer)> {
        let mut out = Vec::new();
        for (kind, spec) in &specs.0 {
            let path = join("answer_signatures", kind);
            let kind = self.auth_key(src, &path, kind);
            let headers = self.answer_headers(src, &path, &spec.headers);
            let recipe = raw::SignatureSpec {
                algorithm: spec.algorithm.clone(),
                string_to_sign: spec.string_to_sign.clone(),
                encoding: spec.encoding.clone(),
            };
            let recipe = self.recipe(src, &path, &recipe);
            if let Some(recipe) = &recipe
                && recipe.parts.iter().any(|p| matches!(p, Part::Token | Part::Body))
            {
                let msg = "an answer is signed over the request's ids and path, its own time and body: \
                           `{token}` and `{body}` have no value there";
                self.push(src.value(&join(&path, "string_to_sign"), msg.into()));
                continue;
            }
            if let (Some(kind), Some(headers), Some(recipe)) = (kind, headers, recipe) {
                out.push((
                    kind,
                    SignedAnswer {
                        headers: headers.into(),
                        recipe,
                    },
                ));
            }
        }
        out
    }

    /// The headers of a signed answer: sources among `client_id`, `request_id`, `timestamp` and `signature`
    /// (or text around one), the signature among them.
    fn answer_headers(
        &mut self,
        src: Src,
        path: &str,
        headers: &OrderedMap<raw::HeaderSourceSpec>,
    ) -> Option<Vec<(crate::ir::Text, HeaderSource)>> {
        const ANSWERED: [HeaderSource; 4] = [
            HeaderSource::ClientId,
            HeaderSource::RequestId,
            HeaderSource::Timestamp,
            HeaderSource::Signature,
        ];
        let keywords = HeaderSource::KEYWORDS.iter().filter(|(_, s)| ANSWERED.contains(s));
        let mut out = Vec::new();
        for (name, source) in &headers.0 {
            let at = join(&join(path, "headers"), name);
            if let Some(source) = self.header_source(src, &at, source, keywords.clone()) {
                out.push((name.clone().into(), source));
            }
        }
        if !out.iter().any(|(_, s)| s.is(&HeaderSource::Signature)) {
            let msg = "name the header that carries the answer's `signature`";
            self.push(src.value(&join(path, "headers"), msg.into()));
            return None;
        }
        (out.len() == headers.0.len()).then_some(out)
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
        let encoding = self.encoding(src, path, spec.encoding.as_deref());
        Some(Recipe {
            algorithm: algorithm?,
            parts: parts?.into(),
            encoding: encoding?,
        })
    }

    /// How a recipe's signature is written: `base64` unless it says `hex`.
    fn encoding(&mut self, src: Src, path: &str, encoding: Option<&str>) -> Option<Encoding> {
        let Some(name) = encoding else {
            return Some(Encoding::Base64);
        };
        let found = Encoding::ALL.iter().find(|(n, _)| *n == name).map(|(_, e)| *e);
        if found.is_none() {
            let known = Encoding::ALL.map(|(n, _)| n);
            let msg = format!("unknown encoding `{name}`, expected {}", known.join(" or "));
            let d = src.value(&join(path, "encoding"), msg);
            self.push(with_help(d, did_you_mean(name, known)));
        }
        found
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
        self.if_body_closed(src, path, &parts).then_some(parts)
    }

    /// Each `{if_body}` is closed by an `{end_if}` before the next one opens, and holds something to sign.
    fn if_body_closed(&mut self, src: Src, path: &str, parts: &[Part]) -> bool {
        let mut open: Option<usize> = None;
        let mut problem = None;
        for (at, part) in parts.iter().enumerate() {
            match (part, open) {
                (Part::IfBody, None) => open = Some(at),
                (Part::IfBody, Some(_)) => {
                    problem = Some("`{if_body}` inside `{if_body}`: close the first with `{end_if}`")
                }
                (Part::EndIf, None) => problem = Some("`{end_if}` without an `{if_body}` before it"),
                (Part::EndIf, Some(start)) if start + 1 == at => problem = Some("`{if_body}{end_if}` holds nothing"),
                (Part::EndIf, Some(_)) => open = None,
                _ => {}
            }
            if problem.is_some() {
                break;
            }
        }
        if problem.is_none() && open.is_some() {
            problem = Some("`{if_body}` is never closed: end the part signed only with a body by `{end_if}`");
        }
        if let Some(problem) = problem {
            self.push(src.value(path, problem.into()));
        }
        problem.is_none()
    }

    /// A recipe signs the request id only where one is sent: `{request_id}` needs a header of its auth kind filled
    /// from `request_id`, or the receiver could never rebuild the string to sign.
    pub(super) fn signed_ids_are_sent(
        &mut self,
        src: Src,
        headers: &[(AuthKind, Vec<(String, HeaderSource)>)],
        signatures: &[(AuthKind, Recipe)],
    ) {
        for (kind, recipe) in signatures {
            let sent = headers
                .iter()
                .filter(|(k, _)| k == kind)
                .flat_map(|(_, set)| set)
                .any(|(_, source)| source.is(&HeaderSource::RequestId));
            if recipe.parts.contains(&Part::RequestId) && !sent {
                let path = join(&join("signatures", kind.as_str()), "string_to_sign");
                let msg = format!(
                    "`{{request_id}}` signs the request id, but `headers.{}` sends none: add a header with source `request_id`",
                    kind.as_str()
                );
                self.push(src.value(&path, msg));
            }
        }
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
