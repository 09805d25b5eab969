//! `<provider>/provider.yaml`: name, base URLs, timestamp style, and the header sets the runtime fills per
//! auth kind (where each header value comes from). Signatures, records and envelopes are areas of their own.

use super::names::{is_header_name, is_snake, is_utc_offset};
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AuthKind, HeaderSource, Provider};
use crate::yaml::raw::{self, OrderedMap};
use crate::yaml::{Loaded, SpecSet};

/// A provider's runtime-filled headers: per auth kind, header name → source.
type HeaderSets = Vec<(AuthKind, Vec<(String, HeaderSource)>)>;

impl Lowering {
    /// Every provider that lowers without a problem, by name.
    pub(super) fn providers(&mut self, set: &SpecSet) -> Vec<Provider> {
        let mut providers: Vec<Provider> = set.providers.iter().filter_map(|file| self.provider(file)).collect();
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        providers
    }

    fn provider(&mut self, file: &Loaded<raw::ProviderFile>) -> Option<Provider> {
        let src = Src::of(file);
        let spec = &file.value;
        let before = self.diagnostics.len();
        self.profile(src, spec);
        let headers = self.header_sets(src, &spec.headers);
        let signatures = self.signatures(src, &spec.signatures);
        self.signed_ids_are_sent(src, &headers, &signatures);
        if spec.notification_retry_schedule.windows(2).any(|w| w[0] >= w[1]) {
            let msg = "notification_retry_schedule must be increasing (seconds after the first attempt)";
            self.push(src.value("notification_retry_schedule", msg.into()));
        }
        let records = self.records(src, &spec.records);
        let envelopes = self.envelopes(src, &spec.envelopes);
        let header_max_length = self.header_limits(src, &spec.header_max_length);
        let (results, refusals) = self.results(src, spec.results.as_ref());
        let answer_signatures = self.answer_signatures(src, &spec.answer_signatures);
        (self.diagnostics.len() == before).then(|| Provider {
            name: spec.name.clone(),
            title: spec.title.clone().unwrap_or_else(|| spec.name.clone()),
            doc: spec.doc.clone(),
            base_urls: spec.base_urls.0.clone(),
            timestamp_offset: spec.timestamp.offset.clone(),
            timestamp_fraction_digits: spec.timestamp.fraction_digits,
            token_endpoint: spec.token_endpoint.clone(),
            channel_id: spec.channel_id.clone(),
            headers,
            signatures,
            notification_retry_schedule: spec.notification_retry_schedule.clone(),
            records,
            envelopes,
            header_max_length,
            results,
            refusals,
            answer_signatures,
        })
    }

    /// The provider's name, base URLs and timestamp style.
    fn profile(&mut self, src: Src, spec: &raw::ProviderFile) {
        if !is_snake(&spec.name) {
            self.push(src.value(
                "name",
                format!("provider name `{}` is not a snake_case identifier", spec.name),
            ));
        }
        if spec.base_urls.0.is_empty() {
            self.push(src.value("base_urls", "a provider needs at least one base URL".into()));
        }
        for (env, url) in &spec.base_urls.0 {
            // The endpoint's path is appended as is, so the base ends without `/`.
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.ends_with('/') {
                let p = join("base_urls", env);
                self.push(src.value(
                    &p,
                    format!("base URL `{url}` must start with https:// and not end with `/`"),
                ));
            }
        }
        if !is_utc_offset(&spec.timestamp.offset) {
            let msg = format!(
                "timestamp offset `{}` must look like +07:00 (or be \"Z\" for UTC)",
                spec.timestamp.offset
            );
            self.push(src.value("timestamp.offset", msg));
        }
        if spec.timestamp.fraction_digits > 9 {
            self.push(src.value("timestamp.fraction_digits", "at most 9 fraction digits".into()));
        }
    }

    /// An auth kind used as a key (`headers.token`, `signatures.symmetric`).
    pub(super) fn auth_key(&mut self, src: Src, path: &str, key: &str) -> Option<AuthKind> {
        let kind = AuthKind::parse(key);
        if kind.is_none() {
            let known = AuthKind::ALL.map(|(s, _)| s);
            let d = src.at(
                src.positions.key(path, 0),
                path,
                format!("unknown auth kind `{key}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(key, known)));
        }
        kind
    }

    fn header_sets(&mut self, src: Src, sets: &OrderedMap<OrderedMap<raw::HeaderSourceSpec>>) -> HeaderSets {
        let mut out = Vec::new();
        for (kind, headers) in &sets.0 {
            let path = join("headers", kind);
            let Some(kind) = self.auth_key(src, &path, kind) else {
                continue;
            };
            let mut lowered = Vec::new();
            for (name, source) in &headers.0 {
                let p = join(&path, name);
                if !is_header_name(name) {
                    let msg = format!("`{name}` is not a valid header name");
                    self.push(src.at(src.positions.key(&p, 0), &p, msg));
                }
                let source = self.header_source(src, &p, source, HeaderSource::KEYWORDS.iter());
                if let Some(source) = source {
                    lowered.push((name.clone(), source));
                }
            }
            out.push((kind, lowered));
        }
        out
    }

    /// Where a runtime-filled header (or head member) at `path` takes its value from, among `keywords`.
    pub(super) fn header_source<'k>(
        &mut self,
        src: Src,
        path: &str,
        source: &raw::HeaderSourceSpec,
        keywords: impl Iterator<Item = &'k (&'static str, HeaderSource)> + Clone,
    ) -> Option<HeaderSource> {
        let s = match source {
            raw::HeaderSourceSpec::Value(v) => return Some(HeaderSource::Value(v.clone().into())),
            raw::HeaderSourceSpec::Source(s) if s.contains(['{', '}']) => {
                return self.header_template(src, path, s, keywords);
            }
            raw::HeaderSourceSpec::Source(s) => s,
        };
        self.keyword(src, path, s, keywords)
    }

    /// The source keyword `s` among `keywords`, or a diagnostic at `path` naming the known ones.
    fn keyword<'k>(
        &mut self,
        src: Src,
        path: &str,
        s: &str,
        keywords: impl Iterator<Item = &'k (&'static str, HeaderSource)> + Clone,
    ) -> Option<HeaderSource> {
        let found = keywords.clone().find(|(k, _)| *k == s).map(|(_, h)| h.clone());
        if found.is_none() {
            let known: Vec<&str> = keywords.map(|(k, _)| *k).collect();
            let d = src.value(
                path,
                format!("unknown header source `{s}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(s, known)));
        }
        found
    }

    /// A header value written as text around one `{source}`, e.g. `"HMACSHA256={signature}"`: the text before,
    /// the source, the text after, as the pieces of a [`HeaderSource::Template`].
    fn header_template<'k>(
        &mut self,
        src: Src,
        path: &str,
        template: &str,
        keywords: impl Iterator<Item = &'k (&'static str, HeaderSource)> + Clone,
    ) -> Option<HeaderSource> {
        let (Some(open), Some(close)) = (template.find('{'), template.find('}')) else {
            let msg = format!("`{template}` has an unmatched brace: a header template is text around one `{{source}}`");
            self.push(src.value(path, msg));
            return None;
        };
        let (before, after) = (&template[..open], template.get(close + 1..).unwrap_or_default());
        if close < open || after.contains(['{', '}']) || before.contains('}') {
            let msg = format!("`{template}` is not text around one `{{source}}`: a header template fills one source");
            self.push(src.value(path, msg));
            return None;
        }
        let source = self.keyword(src, path, &template[open + 1..close], keywords)?;
        let pieces = [before, after].map(|text| HeaderSource::Value(text.to_owned().into()));
        let [before, after] = pieces;
        let pieces: Vec<HeaderSource> = [before, source, after]
            .into_iter()
            .filter(|piece| *piece != HeaderSource::Value("".into()))
            .collect();
        Some(HeaderSource::Template(pieces.into()))
    }
}
