//! `sources.yaml`: the documents the prose cites, and every citation checked against them wherever it is
//! written, so that a reader can open each source a spec names (see `ir::citations`).

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Source, citations, is_key};
use crate::yaml::{Positions, SpecSet};

impl Lowering {
    /// The sources of every `sources.yaml`, in file order; a key declared twice is reported at its second
    /// declaration.
    pub(super) fn sources(&mut self, set: &SpecSet) -> Vec<Source> {
        let mut sources: Vec<Source> = Vec::new();
        for file in &set.sources {
            let src = Src::of(file);
            let entries = &file.value.sources.0;
            for (i, (key, spec)) in entries.iter().enumerate() {
                let path = join("sources", key);
                // A key given twice in one file is reported at its second place.
                let nth = entries[..i].iter().filter(|(k, _)| k == key).count();
                if let Some(msg) = key_mistake(key, &sources) {
                    self.push(src.at(src.positions.key(&path, nth), &path, msg));
                    continue;
                }
                if !spec.url.starts_with("https://") && !spec.url.starts_with("http://") {
                    let msg = format!("source `{key}` needs a URL a reader can open (`https://…`)");
                    self.push(src.value(&join(&path, "url"), msg));
                    // Its citations are not reported again.
                    self.failed.sources.push(key.clone());
                    continue;
                }
                sources.push(Source {
                    key: key.clone(),
                    title: spec.title.trim().to_owned(),
                    url: spec.url.clone(),
                });
            }
        }
        sources
    }

    /// Every citation in every file's prose names a declared source. Silent when a `sources.yaml` did not load
    /// (its keys are unknown, and loading reported it).
    pub(super) fn citations(&mut self, set: &SpecSet, sources: &[Source]) {
        if set.unloaded.sources {
            return;
        }
        let files = (set.codes.iter().map(|f| (&*f.file, &f.positions)))
            .chain(set.standard.iter().map(|f| (&*f.file, &f.positions)))
            .chain(set.sources.iter().map(|f| (&*f.file, &f.positions)))
            .chain(set.types.iter().map(|f| (&*f.file, &f.positions)))
            .chain(set.providers.iter().map(|f| (&*f.file, &f.positions)))
            .chain(set.endpoints.iter().map(|f| (&*f.file, &f.positions)));
        for (file, positions) in files {
            self.file_citations(Src { file, positions }, positions, sources);
        }
    }

    fn file_citations(&mut self, src: Src, positions: &Positions, sources: &[Source]) {
        for prose in positions.prose() {
            for c in citations(&prose.text) {
                if sources.iter().any(|s| s.key == c.key) || self.failed.sources.iter().any(|k| k == c.key) {
                    continue;
                }
                let cited = &prose.text[c.span.clone()];
                let msg = format!(
                    "{cited} cites no declared source: declare `{}` in a sources.yaml",
                    c.key
                );
                let help = did_you_mean(c.key, sources.iter().map(|s| s.key.as_str()));
                self.push(with_help(src.at(prose.pos, &prose.path, msg), help));
            }
        }
    }
}

/// Why `key` cannot be declared after `sources`, if it cannot.
fn key_mistake(key: &str, sources: &[Source]) -> Option<String> {
    if !is_key(key) {
        return Some(format!(
            "source key `{key}` must be a letter then letters, digits or `-`"
        ));
    }
    sources
        .iter()
        .any(|s| s.key == key)
        .then(|| format!("source `{key}` is declared twice"))
}
