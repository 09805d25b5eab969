//! `<provider>/provider.yaml`: name, base URLs, timestamp style, and the header sets the runtime fills per
//! auth kind (where each header value comes from). Signatures, records and envelopes are areas of their own.

use super::names::{is_header_name, is_snake, is_utc_offset};
use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AuthKind, ConsentPage, HeaderSource, NotificationKey, PhoneHint, Provider, TimestampForm};
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
        let timestamp_form = self.profile(src, spec);
        let headers = self.header_sets(src, &spec.headers);
        let signatures = self.signatures(src, &spec.signatures);
        self.signed_ids_are_sent(src, &headers, &signatures);
        let notification_retry_schedule = self.retry_schedule(src, spec);
        let records = self.records(src, &spec.records);
        let envelopes = self.envelopes(src, &spec.envelopes);
        let header_max_length = self.header_limits(src, &spec.header_max_length);
        self.optional_headers(src, &spec.optional_headers, &headers);
        let (results, refusals) = self.results(src, spec.results.as_ref());
        let idempotency = self.idempotency(src, spec, &headers);
        let answer_signatures = self.answer_signatures(src, &spec.answer_signatures);
        let notification_key = self.notification_key(src, spec.notification_key.as_deref());
        let consent_page = spec.consent_page.as_ref().map(|page| self.consent_page(src, page));
        (self.diagnostics.len() == before).then(|| Provider {
            name: spec.name.clone(),
            title: spec.title.clone().unwrap_or_else(|| spec.name.clone()),
            doc: spec.doc.clone(),
            base_urls: spec.base_urls.0.clone(),
            timestamp_form,
            // Unix seconds count from UTC: what the sandbox's other times of this provider are written in.
            timestamp_offset: spec.timestamp.offset.clone().unwrap_or_else(|| "Z".to_owned()),
            timestamp_fraction_digits: spec.timestamp.fraction_digits.unwrap_or(0),
            token_endpoint: spec.token_endpoint.clone(),
            channel_id: spec.channel_id.clone(),
            headers,
            signatures,
            notification_retry_schedule,
            records,
            envelopes,
            header_max_length,
            optional_headers: spec.optional_headers.clone(),
            idempotency,
            results,
            refusals,
            answer_signatures,
            notification_key,
            consent_page,
        })
    }

    /// `consent_page`: a path of its own and query parameter names, no two the same (the code and the echoed values
    /// go back together).
    fn consent_page(&mut self, src: Src, spec: &raw::ConsentPageSpec) -> ConsentPage {
        if !spec.path.starts_with('/') || spec.path.contains(['?', '#', '{']) {
            let msg = format!(
                "`{}` must be a path starting with `/`, without a query or placeholders",
                spec.path
            );
            self.push(src.value("consent_page.path", msg));
        }
        let mut seen: Vec<(&str, String)> = Vec::new();
        let named = [
            ("consent_page.client".to_owned(), spec.client.as_str()),
            ("consent_page.redirect".to_owned(), spec.redirect.as_str()),
            ("consent_page.code_param".to_owned(), spec.code_param.as_str()),
        ];
        let echoed = spec
            .echo
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("consent_page.echo.{i}"), e.as_str()));
        let phone = spec
            .phone
            .iter()
            .map(|p| ("consent_page.phone.param".to_owned(), p.param.as_str()));
        for (at, name) in named.into_iter().chain(echoed).chain(phone) {
            if name.trim().is_empty() {
                self.push(src.value(&at, "name a query parameter".into()));
            } else if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                let msg = format!("`{name}` is named already at `{first}`: each query parameter means one thing");
                self.push(src.value(&at, msg));
            } else {
                seen.push((name, at));
            }
        }
        ConsentPage {
            path: spec.path.clone(),
            client: spec.client.clone(),
            redirect: spec.redirect.clone(),
            code_param: spec.code_param.clone(),
            echo: spec.echo.clone(),
            phone: spec.phone.as_ref().map(|p| PhoneHint {
                param: p.param.clone(),
                member: p.member.clone(),
            }),
        }
    }

    /// `notification_key`: `client_secret` or `webhook_secret`.
    fn notification_key(&mut self, src: Src, given: Option<&str>) -> NotificationKey {
        match given {
            None | Some("client_secret") => NotificationKey::ClientSecret,
            Some("webhook_secret") => NotificationKey::WebhookSecret,
            Some(other) => {
                let d = src.value(
                    "notification_key",
                    format!("`{other}` is not a notification key: `client_secret` or `webhook_secret`"),
                );
                let help = did_you_mean(other, ["client_secret", "webhook_secret"]);
                self.push(with_help(d, help));
                NotificationKey::ClientSecret
            }
        }
    }

    /// The provider's name, base URLs and timestamp style; the form of its timestamps (ISO 8601 when it is wrong:
    /// the provider is not built then).
    fn profile(&mut self, src: Src, spec: &raw::ProviderFile) -> TimestampForm {
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
        self.timestamp_style(src, &spec.timestamp).unwrap_or_default()
    }

    /// The form of the provider's timestamps: ISO 8601 with an offset and at most 9 fraction digits, or Unix seconds
    /// with neither.
    fn timestamp_style(&mut self, src: Src, spec: &raw::TimestampSpec) -> Option<TimestampForm> {
        let form = match spec.form.as_deref() {
            None => TimestampForm::Iso8601,
            Some(other) => {
                let Some((_, form)) = TimestampForm::ALL.iter().find(|(name, _)| *name == other) else {
                    let known = TimestampForm::ALL.map(|(name, _)| name);
                    let msg = format!("unknown timestamp form `{other}`, expected {}", known.join(" or "));
                    let d = src.value("timestamp.form", msg);
                    self.push(with_help(d, did_you_mean(other, known)));
                    return None;
                };
                *form
            }
        };
        match (form, &spec.offset) {
            (TimestampForm::Iso8601, None) => {
                let msg = "an ISO 8601 timestamp needs its `offset` (\"+07:00\", or \"Z\" for UTC)";
                self.push(src.value("timestamp", msg.into()));
            }
            (TimestampForm::Iso8601, Some(offset)) if !is_utc_offset(offset) => {
                let msg = format!("timestamp offset `{offset}` must look like +07:00 (or be \"Z\" for UTC)");
                self.push(src.value("timestamp.offset", msg));
            }
            (TimestampForm::UnixSeconds, Some(_)) => {
                let msg = "Unix seconds count from UTC and have no offset: leave `offset` out";
                self.push(src.value("timestamp.offset", msg.into()));
            }
            _ => {}
        }
        match (form, spec.fraction_digits) {
            (TimestampForm::Iso8601, Some(digits)) if digits > 9 => {
                self.push(src.value("timestamp.fraction_digits", "at most 9 fraction digits".into()));
            }
            (TimestampForm::UnixSeconds, Some(_)) => {
                let msg = "Unix seconds are whole: leave `fraction_digits` out";
                self.push(src.value("timestamp.fraction_digits", msg.into()));
            }
            _ => {}
        }
        Some(form)
    }

    /// `optional_headers` name headers of the provider's sets, none of them a credential: a call without its
    /// signature, token or HTTP Basic would be taken as authenticated.
    fn optional_headers(&mut self, src: Src, names: &[String], sets: &HeaderSets) {
        let all = || sets.iter().flat_map(|(_, set)| set.iter());
        for (i, name) in names.iter().enumerate() {
            let path = join("optional_headers", &i.to_string());
            let sources: Vec<&HeaderSource> = all().filter(|(n, _)| n == name).map(|(_, s)| s).collect();
            if sources.is_empty() {
                let d = src.value(&path, format!("`{name}` is not a header of the provider's `headers`"));
                self.push(with_help(d, did_you_mean(name, all().map(|(n, _)| n.as_str()))));
                continue;
            }
            const CREDENTIALS: [HeaderSource; 3] = [
                HeaderSource::Signature,
                HeaderSource::BearerToken,
                HeaderSource::BasicSecret,
            ];
            if sources.iter().any(|s| CREDENTIALS.iter().any(|c| s.is(c))) {
                let msg = format!("`{name}` carries a credential: a call without it is refused, it is never optional");
                self.push(src.value(&path, msg));
            }
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
                if kind == AuthKind::Unsigned && source.as_ref().is_some_and(|s| s.is(&HeaderSource::Signature)) {
                    let msg = "nothing signs an `unsigned` call: it has no `signature` to send";
                    self.push(src.value(&p, msg.into()));
                    continue;
                }
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

    /// A header value written as text around sources, e.g. `"HMACSHA256={signature}"` or WooshPay's
    /// `"t={timestamp},v1={signature}"`: the texts and sources in order, as the pieces of a
    /// [`HeaderSource::Template`]. Each source fills one place, and text stands between any two of them: a received
    /// value is read apart at that text.
    fn header_template<'k>(
        &mut self,
        src: Src,
        path: &str,
        template: &str,
        keywords: impl Iterator<Item = &'k (&'static str, HeaderSource)> + Clone,
    ) -> Option<HeaderSource> {
        let Some(split) = template_pieces(template) else {
            let msg = format!("`{template}` has an unmatched brace: a header template is text around `{{source}}`s");
            self.push(src.value(path, msg));
            return None;
        };
        let mut pieces: Vec<HeaderSource> = Vec::new();
        for piece in split {
            let source = match piece {
                Piece::Text(text) => HeaderSource::Value(text.to_owned().into()),
                Piece::Source(name) => self.keyword(src, path, name, keywords.clone())?,
            };
            if let Some(problem) = template_problem(&pieces, &source) {
                self.push(src.value(path, format!("`{template}` {problem}")));
                return None;
            }
            pieces.push(source);
        }
        Some(HeaderSource::Template(pieces.into()))
    }
}

/// A piece of a header template as written.
enum Piece<'t> {
    Text(&'t str),
    Source(&'t str),
}

/// `t={timestamp},v1={signature}` → text `t=`, source `timestamp`, text `,v1=`, source `signature`; `None` for a
/// brace without its pair (or inside a pair).
fn template_pieces(template: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if !rest[open..].starts_with('{') {
            return None;
        }
        let close = open + 1 + rest[open + 1..].find(['{', '}'])?;
        if !rest[close..].starts_with('}') {
            return None;
        }
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        pieces.push(Piece::Source(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Some(pieces)
}

/// What keeps `next` from following `pieces` in a template: a source named twice, or two sources with no text
/// between them.
fn template_problem(pieces: &[HeaderSource], next: &HeaderSource) -> Option<&'static str> {
    if matches!(next, HeaderSource::Value(_)) {
        return None;
    }
    if pieces.contains(next) {
        return Some("names a source twice: each source fills one place");
    }
    match pieces.last() {
        Some(HeaderSource::Value(_)) | None => None,
        Some(_) => Some("has two sources with no text between them: a received value could not be read apart"),
    }
}
