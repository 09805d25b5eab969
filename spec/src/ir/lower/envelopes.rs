//! A provider's `envelopes` (DANA's Open API framing): member names, the head members the runtime fills
//! (the header sources plus `function` and `client_secret`), their length limits and the signature recipe
//! over the request member. That an endpoint's envelope exists is checked across files (`references`).

use super::names::is_snake;
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Envelope, HeaderSource, Part, Recipe, Refusals, Text};
use crate::yaml::raw::{self, OrderedMap};

impl Lowering {
    /// The provider's envelopes; one with a problem is reported and left out.
    pub(super) fn envelopes(&mut self, src: Src, specs: &OrderedMap<raw::EnvelopeSpec>) -> Vec<Envelope> {
        let mut out = Vec::new();
        for (i, (name, spec)) in specs.0.iter().enumerate() {
            let path = join("envelopes", name);
            let before = self.diagnostics.len();
            if !is_snake(name) || specs.0[..i].iter().any(|(n, _)| n == name) {
                let msg = format!("envelope `{name}` must be a snake_case name defined once");
                self.push(src.at(src.positions.key(&path, 0), &path, msg));
            }
            self.members(src, &path, spec);
            let head = self.head(src, &path, spec);
            self.head_max_length(src, &path, spec);
            let signature = self.recipe(src, &join(&path, "signature"), &spec.signature);
            if signature.as_ref().is_some_and(|r| r.parts.contains(&Part::RequestId)) {
                let at = join(&join(&path, "signature"), "string_to_sign");
                let msg = "`{request_id}` cannot be signed in an envelope: its head has no request id";
                self.push(src.value(&at, msg.into()));
            }
            if let (Some(signature), true) = (signature, self.diagnostics.len() == before) {
                out.push(envelope(name, spec, head, signature));
            }
        }
        out
    }

    /// Every member name is written into JSON as is, so it may not need escaping.
    fn members(&mut self, src: Src, path: &str, spec: &raw::EnvelopeSpec) {
        let members = [
            ("request_member", &spec.request_member),
            ("response_member", &spec.response_member),
            ("signature_member", &spec.signature_member),
            ("head_member", &spec.head_member),
            ("body_member", &spec.body_member),
            ("result", &spec.result),
            ("result_status", &spec.result_status),
            ("result_code", &spec.result_code),
            ("result_message", &spec.result_message),
        ];
        let optional = [("result_code_id", &spec.result_code_id)];
        let named = optional
            .into_iter()
            .filter_map(|(key, member)| Some((key, member.as_ref()?)));
        for (key, member) in members.into_iter().chain(named) {
            if member.is_empty() || member.contains(|c: char| c == '"' || c == '\\' || c.is_control()) {
                let msg = format!("`{member}` cannot be a JSON member name here: write it without quotes");
                self.push(src.value(&join(path, key), msg));
            }
        }
    }

    /// The head members and their sources; the signature cannot be one, since it signs the head.
    fn head(&mut self, src: Src, path: &str, spec: &raw::EnvelopeSpec) -> Vec<(String, HeaderSource)> {
        let mut head = Vec::new();
        for (member, source) in &spec.head.0 {
            let keywords = HeaderSource::KEYWORDS.iter().chain(&HeaderSource::HEAD_KEYWORDS);
            if let Some(source) = self.header_source(src, &join(&join(path, "head"), member), source, keywords) {
                head.push((member.clone(), source));
            }
        }
        if head.iter().any(|(_, s)| *s == HeaderSource::Signature) {
            let msg = "the signature is its own member (`signature_member`), not part of the signed head";
            self.push(src.value(&join(path, "head"), msg.into()));
        }
        // The runtime fills envelope heads with plain values: request ids, HTTP Basic and templates are for HTTP
        // headers.
        if head.iter().any(|(_, s)| {
            matches!(
                s,
                HeaderSource::RequestId | HeaderSource::BasicSecret | HeaderSource::Template(_)
            )
        }) {
            let msg = "`request_id`, `basic_secret` and header templates (`\"text{source}\"`) are for HTTP headers, not \
                       envelope heads";
            self.push(src.value(&join(path, "head"), msg.into()));
        }
        head
    }

    /// Each limit names a head member and allows at least one character.
    fn head_max_length(&mut self, src: Src, path: &str, spec: &raw::EnvelopeSpec) {
        for (member, max) in &spec.head_max_length.0 {
            let limit = join(&join(path, "head_max_length"), member);
            if !spec.head.0.iter().any(|(name, _)| name == member) {
                let d = src.at(
                    src.positions.key(&limit, 0),
                    &limit,
                    format!("`{member}` is not a head member"),
                );
                let help = did_you_mean(member, spec.head.0.iter().map(|(n, _)| n.as_str()));
                self.push(with_help(d, help));
            } else if *max == 0 {
                self.push(src.value(&limit, "a maximum length is at least 1".into()));
            }
        }
    }
}

fn envelope(name: &str, spec: &raw::EnvelopeSpec, head: Vec<(String, HeaderSource)>, signature: Recipe) -> Envelope {
    let text = |s: &String| -> Text { s.clone().into() };
    Envelope {
        name: name.to_owned().into(),
        doc: spec.doc.as_ref().map(text),
        request_member: text(&spec.request_member),
        response_member: text(&spec.response_member),
        signature_member: text(&spec.signature_member),
        head_member: text(&spec.head_member),
        body_member: text(&spec.body_member),
        head: head
            .into_iter()
            .map(|(member, source)| (member.into(), source))
            .collect(),
        head_max_length: spec
            .head_max_length
            .0
            .iter()
            .map(|(member, max)| (text(member), *max))
            .collect(),
        signature,
        result: text(&spec.result),
        result_status: text(&spec.result_status),
        result_code: text(&spec.result_code),
        result_message: text(&spec.result_message),
        result_code_id: spec.result_code_id.as_ref().map(text),
        refusals: Refusals {
            malformed: text(&spec.refusals.malformed),
            client: text(&spec.refusals.client),
            signature: text(&spec.refusals.signature),
        },
    }
}
