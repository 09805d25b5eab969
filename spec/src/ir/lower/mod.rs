//! Lowering: raw spec files → checked [`Api`], collecting every problem as a located [`Diagnostic`].
//!
//! One pass per spec area, one file each, run in the order [`lower()`] shows: the cited sources first (every
//! file's prose names them), the code tables (endpoints name their codes), then shared types (fields name them), endpoints and providers file by file, and last the
//! checks that need several files or the shared types resolved (`references`, `rules`, `answers`, `status`).
//! Each check reports at the offending value (or key) and keeps going, so a maintainer sees all problems of a
//! spec set at once. A mistake is reported once, where it is: what did not load or lower is remembered
//! (`Failed`), and a later check stays silent about references to it (an unknown type gets no type-dependent
//! checks either). Nothing here panics on bad input.

mod answers;
mod codes;
mod customer_history;
mod customers;
mod endpoint_codes;
mod endpoints;
mod envelopes;
mod fields;
mod idempotency;
mod names;
mod params;
mod providers;
mod record_names;
mod record_parents;
mod record_picks;
mod records;
mod references;
mod results;
mod retries;
mod rules;
mod signatures;
mod sources;
mod standard;
mod status;
mod strings;
mod types;

use std::collections::HashMap;
use std::path::Path;

use super::*;
use crate::diagnostic::Diagnostic;
use crate::yaml::raw;
use crate::yaml::{Loaded, Names, Pos, Positions, SpecSet};

pub use fields::PRIMITIVES;

/// Lowers a loaded spec set, or returns every diagnostic found. A set with files that did not load is never
/// lowered to an [`Api`] (references to what they define are not checked); the diagnostics then may be only
/// those of the other files, since loading reported the files' own.
pub fn lower(set: &SpecSet) -> Result<Api, Vec<Diagnostic>> {
    let mut cx = Lowering {
        failed: Failed::unloaded(set),
        ..Lowering::default()
    };
    let sources = cx.sources(set);
    cx.citations(set, &sources);
    let mut codes = cx.code_tables(set);
    cx.provider_service_codes(set, &mut codes);
    let standard = cx.standard(set, &codes);
    let types = cx.shared_types(set);
    let endpoints = cx.endpoints(set, &codes, &types);
    let providers = cx.providers(set);
    cx.cross_references(set, &providers, &endpoints);
    cx.result_framing(set, &providers, &types, &endpoints);
    cx.rule_paths(set, &types, &endpoints);
    cx.answer_paths(set, &types, &endpoints);
    cx.record_paths(set, &types, &endpoints);
    cx.record_pick_paths(set, &types, &endpoints);
    cx.paid_fields(set, &types, &endpoints);
    cx.customer_paths(set, &types, &endpoints, &standard);
    let mut diagnostics = cx.diagnostics;
    if diagnostics.is_empty() && set.unloaded.is_empty() {
        let mut api = Api {
            codes,
            standard,
            types,
            providers,
            endpoints,
            sources,
        };
        api.link_citations();
        Ok(api)
    } else {
        diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        Err(diagnostics)
    }
}

/// A file and its positions, for reporting.
#[derive(Clone, Copy)]
struct Src<'a> {
    file: &'a Path,
    positions: &'a Positions,
}

impl<'a> Src<'a> {
    fn of<T>(loaded: &'a Loaded<T>) -> Self {
        Src {
            file: &loaded.file,
            positions: &loaded.positions,
        }
    }

    /// A diagnostic at an explicit position (a key's, usually).
    fn at(&self, pos: Pos, path: &str, message: String) -> Diagnostic {
        Diagnostic {
            file: self.file.to_owned(),
            line: pos.line,
            col: pos.col,
            path: path.to_owned(),
            message,
            help: None,
        }
    }

    /// A diagnostic at the value of `path` (or its nearest located ancestor).
    fn value(&self, path: &str, message: String) -> Diagnostic {
        self.at(self.positions.value(path), path, message)
    }
}

/// `parent.child`, or `child` at the top.
fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

fn with_help(mut d: Diagnostic, help: Option<String>) -> Diagnostic {
    d.help = help;
    d
}

/// The state every pass shares: what was reported so far, and what a later pass needs of an earlier one.
#[derive(Default)]
struct Lowering {
    diagnostics: Vec<Diagnostic>,
    /// Per endpoint id, the spec position of each lowered cross-field rule (malformed ones are dropped), so
    /// that path diagnostics point at the right `rules.N`.
    rule_indices: HashMap<String, Vec<usize>>,
    failed: Failed,
    /// Fields left out so far because they did not lower, so that a pass can tell whether a set of fields is
    /// whole before it reports a path into them as unknown.
    dropped_fields: usize,
}

/// What did not load or did not lower, so that later passes stay silent about references to it: each of
/// those has its own diagnostic already.
#[derive(Default)]
struct Failed {
    /// A code table file did not load: any code may be missing from the tables.
    code_tables: bool,
    /// Case codes (HTTP status, case) reported and left out of the table.
    cases: Vec<(u16, String)>,
    /// Provider service codes (provider, code) reported and left out.
    provider_services: Vec<(String, String)>,
    /// Shared types that did not load, or lost a field that did not lower.
    types: Names,
    /// Providers that did not load.
    providers: Names,
    /// Endpoints that did not load or did not lower.
    endpoints: Names,
    /// Sources declared with a mistake (reported), whose citations are not.
    sources: Vec<String>,
}

impl Failed {
    fn unloaded(set: &SpecSet) -> Self {
        Failed {
            code_tables: set.unloaded.codes,
            types: set.unloaded.types.clone(),
            providers: set.unloaded.providers.clone(),
            endpoints: set.unloaded.endpoints.clone(),
            ..Failed::default()
        }
    }

    /// Whether a code of this HTTP status and case may be missing from the case table because of a mistake.
    fn case(&self, http: u16, case: &str) -> bool {
        self.code_tables || self.cases.iter().any(|(h, c)| *h == http && c == case)
    }

    /// Whether a service code may be missing from the tables because of a mistake.
    fn service(&self, provider: &str, code: &str) -> bool {
        self.code_tables || self.provider_services.iter().any(|(p, c)| p == provider && c == code)
    }

    /// Whether some endpoint of `provider` did not load or lower.
    fn endpoint_of(&self, provider: &str) -> bool {
        let of_provider = |id: &String| id.split('.').next() == Some(provider);
        self.endpoints.any || self.endpoints.known.iter().any(of_provider)
    }
}

impl Lowering {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
}

/// The file an endpoint was lowered from; passes after `endpoints` report into it.
fn file_of<'s>(set: &'s SpecSet, endpoint: &Endpoint) -> Option<&'s Loaded<raw::EndpointFile>> {
    set.endpoints.iter().find(|f| f.value.id == endpoint.info.id)
}

/// Each endpoint file that lowered, with its endpoint, in file order.
fn lowered<'a>(
    set: &'a SpecSet,
    endpoints: &'a [Endpoint],
) -> impl Iterator<Item = (&'a Loaded<raw::EndpointFile>, &'a Endpoint)> {
    set.endpoints
        .iter()
        .filter_map(|f| endpoints.iter().find(|e| e.info.id == f.value.id).map(|e| (f, e)))
}
