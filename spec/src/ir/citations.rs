//! Citations in the specs' prose: `[S4]` or `[S1 §2.1.5]` names a document declared in a `sources.yaml`.
//!
//! A reader must be able to open what a spec cites, so lowering refuses a citation of an undeclared key (at the
//! prose that holds it) and, once the [`Api`] is built, turns every citation into a Markdown link to the
//! document. Every back end then renders the same linked prose: rustdoc, `snapbi docs`, the CLI's text.
//!
//! A citation is a bracketed key (`[A-Za-z][A-Za-z0-9-]*`), optionally followed by a space and a locator (a
//! section, a file, a page: `[S4 url_param]`), outside code spans, and not already a link (`[x](…)`) or a link
//! definition (`[x]: …`). Other brackets (`[0-9]`, `[C, O, V]`, `` `[A-Z]` ``) are plain text.

use std::ops::Range;

use super::{Api, Field, FieldType};

/// A document the prose may cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The key written in the brackets (`S4`).
    pub key: String,
    /// What it is.
    pub title: String,
    /// Where a reader opens it.
    pub url: String,
}

/// One citation in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation<'t> {
    /// The bracketed text, brackets included.
    pub span: Range<usize>,
    /// The cited key.
    pub key: &'t str,
}

/// The citations of `text`, in order.
pub fn citations(text: &str) -> Vec<Citation<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut code_fence: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                code_fence = match code_fence {
                    None => Some(run),
                    Some(open) if open == run => None,
                    other => other,
                };
                i += run;
            }
            b'[' if code_fence.is_none() => match citation_at(text, i) {
                Some(c) => {
                    i = c.span.end;
                    found.push(c);
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    found
}

/// The citation whose `[` is at `start`, if the brackets hold one.
fn citation_at(text: &str, start: usize) -> Option<Citation<'_>> {
    let close = start + text[start..].find(']')?;
    let inside = &text[start + 1..close];
    let key = inside.split_once(' ').map_or(inside, |(key, _locator)| key);
    let after = text[close + 1..].chars().next();
    // `[x]: url` is a link definition only at the start of a line; `([doku-dana]: headers…)` cites.
    let line_start = text[..start]
        .rsplit('\n')
        .next()
        .is_some_and(|before| before.trim().is_empty());
    let defines = after == Some(':') && line_start;
    let cites = is_key(key) && !inside.contains(['[', '\n']) && after != Some('(') && !defines;
    cites.then_some(Citation {
        span: start..close + 1,
        key,
    })
}

/// Whether `key` can be a citation key: a letter, then letters, digits or `-`.
pub fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `text` with each citation of a known source made a link to it; unknown keys are left as they are (lowering
/// has reported them).
pub fn link(text: &str, sources: &[Source]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for c in citations(text) {
        if let Some(source) = sources.iter().find(|s| s.key == c.key) {
            out.push_str(&text[copied..c.span.end]);
            out.push('(');
            out.push_str(&source.url);
            out.push(')');
            copied = c.span.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

impl Api {
    /// Turns every citation in the prose into a link to its source.
    pub(crate) fn link_citations(&mut self) {
        let sources = std::mem::take(&mut self.sources);
        let link_text = |t: &mut String| *t = link(t, &sources);
        let link_opt = |t: &mut Option<String>| t.iter_mut().for_each(link_text);
        for p in &mut self.providers {
            link_opt(&mut p.doc);
            p.records.iter_mut().for_each(|r| link_opt(&mut r.doc));
            for e in &mut p.envelopes {
                if let Some(doc) = &mut e.doc {
                    *doc = link(doc, &sources).into();
                }
            }
        }
        for s in self.codes.provider_services.to_mut() {
            s.note = link(&s.note, &sources).into();
        }
        for t in &mut self.types {
            link_opt(&mut t.doc);
            link_fields(&mut t.fields, &sources);
        }
        for e in &mut self.endpoints {
            e.info.summary = link(&e.info.summary, &sources).into();
            link_opt(&mut e.doc);
            e.codes.iter_mut().for_each(|c| link_opt(&mut c.doc));
            for fields in [&mut e.headers, &mut e.params, &mut e.request, &mut e.response] {
                link_fields(fields, &sources);
            }
        }
        self.sources = sources;
    }
}

fn link_fields(fields: &mut [Field], sources: &[Source]) {
    for f in fields {
        for text in [&mut f.doc, &mut f.note].into_iter().flatten() {
            *text = link(text, sources);
        }
        let mut ty = &mut f.ty;
        while let FieldType::List { items, .. } = ty {
            ty = items;
        }
        if let FieldType::Object(inner) = ty {
            link_fields(inner, sources);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<&str> {
        citations(text).into_iter().map(|c| c.key).collect()
    }

    #[test]
    fn a_citation_is_a_bracketed_key_with_an_optional_section() {
        assert_eq!(
            keys("DANA's SDK [S4][S5], the standard [S1 §2.1.5]."),
            ["S4", "S5", "S1"]
        );
        assert_eq!(keys("see [facts] §4.5 and [doku-dana]"), ["facts", "doku-dana"]);
    }

    #[test]
    fn code_spans_links_and_other_brackets_are_not_citations() {
        assert!(keys("pattern `^[0-9]+$` or ``[A-Z]`` here").is_empty());
        assert!(keys("[`pay`](dana::pay) and [S4](https://x)\n  [S4]: https://x").is_empty());
        assert_eq!(keys("DOKU's page ([doku-dana]: headers)"), ["doku-dana"]);
        assert!(keys("[0-9], [C, O, V], [x.y], [] and [unclosed").is_empty());
        assert_eq!(keys("[S4 url_param] and [seed 001]"), ["S4", "seed"]);
    }

    #[test]
    fn known_citations_become_links_and_the_rest_is_untouched() {
        let sources = [Source {
            key: "S4".into(),
            title: "dana-python".into(),
            url: "https://github.com/dana-id/dana-python".into(),
        }];
        assert_eq!(
            link("limits [S4][S9], `[S4]` [S4 §2]", &sources),
            "limits [S4](https://github.com/dana-id/dana-python)[S9], `[S4]` [S4 §2](https://github.com/dana-id/dana-python)"
        );
    }
}
