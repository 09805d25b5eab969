//! Loading a specs directory: every YAML file, deserialized into [`raw`] types, with positions kept.
//!
//! A file's role follows from its name: `codes.yaml` holds the code tables, `standard.yaml` the standard's other
//! facts, `types.yaml` shared types, `sources.yaml` the documents the prose cites, `provider.yaml` a provider
//! profile, and every other `*.yaml` file one endpoint. Every mistake of a file is reported, not only the first one serde_yaml stops at (`recover`).

pub mod positions;
pub mod raw;
mod recover;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, closest};
pub use positions::{Pos, Positions};

/// One deserialized file, with what is needed to point into it.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The file as shown in diagnostics.
    pub file: PathBuf,
    /// Its content.
    pub value: T,
    /// Where each of its values stands.
    pub positions: Positions,
}

impl<T> Loaded<T> {
    /// A diagnostic pointing at the value at `path` in this file.
    pub fn error(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.error_at(self.positions.value(path), path, message)
    }

    /// A diagnostic pointing at an explicit position in this file.
    pub fn error_at(&self, pos: Pos, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line: pos.line,
            col: pos.col,
            path: path.to_owned(),
            message: message.into(),
            help: None,
        }
    }
}

/// Every file of a specs directory, by role.
#[derive(Debug, Default)]
pub struct SpecSet {
    /// `codes.yaml` files (exactly one is expected).
    pub codes: Vec<Loaded<raw::CodesFile>>,
    /// `standard.yaml` files (exactly one is expected).
    pub standard: Vec<Loaded<raw::StandardFile>>,
    /// `types.yaml` files.
    pub types: Vec<Loaded<raw::TypesFile>>,
    /// `sources.yaml` files.
    pub sources: Vec<Loaded<raw::SourcesFile>>,
    /// `provider.yaml` files.
    pub providers: Vec<Loaded<raw::ProviderFile>>,
    /// Endpoint files.
    pub endpoints: Vec<Loaded<raw::EndpointFile>>,
    /// Every file read, as real paths (for rebuild tracking), sorted.
    pub files: Vec<PathBuf>,
    /// How the specs directory itself is shown in diagnostics.
    pub display_root: PathBuf,
    /// The files (as shown) of the last layer read ([`load_layers`]): a user's own, over the shipped ones.
    pub top: Vec<PathBuf>,
    /// What the files that did not load would have defined.
    pub unloaded: Unloaded,
}

impl SpecSet {
    /// An empty set whose directory is shown as `display_root`.
    fn shown_as(display_root: &Path) -> SpecSet {
        SpecSet {
            display_root: display_root.to_owned(),
            ..SpecSet::default()
        }
    }
}

/// What the files that did not load would have defined, as far as their text tells, so that lowering stays
/// silent about references to it: each of those files has its own diagnostics, and one mistake is one error.
#[derive(Debug, Default)]
pub struct Unloaded {
    /// A `codes.yaml` did not load: any code may be missing from the tables.
    pub codes: bool,
    /// A `standard.yaml` did not load.
    pub standard: bool,
    /// A `sources.yaml` did not load: any citation key may be missing.
    pub sources: bool,
    /// Shared type names of `types.yaml` files that did not load.
    pub types: Names,
    /// Names of `provider.yaml` files that did not load.
    pub providers: Names,
    /// Ids of endpoint files that did not load.
    pub endpoints: Names,
}

impl Unloaded {
    /// Every file loaded.
    pub fn is_empty(&self) -> bool {
        !self.codes
            && !self.standard
            && !self.sources
            && self.types.is_empty()
            && self.providers.is_empty()
            && self.endpoints.is_empty()
    }

    fn add(&mut self, role: Role, positions: Option<&Positions>) {
        let top = |key| positions.and_then(|p| p.top_scalar(key)).map(str::to_owned);
        match (role, positions) {
            (Role::Codes, _) => self.codes = true,
            (Role::Standard, _) => self.standard = true,
            (Role::Sources, _) => self.sources = true,
            (Role::Types, Some(p)) => {
                self.types.known.extend(p.keys_under("types").map(str::to_owned));
                // A syntax error may hide the types after it.
                self.types.any |= p.is_partial();
            }
            (Role::Types, None) => self.types.any = true,
            (Role::Provider, _) => self.providers.add(top("name")),
            (Role::Endpoint, _) => self.endpoints.add(top("id")),
        }
    }
}

/// Names defined by files that did not load (or, in lowering, that failed there).
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// The names read from those files.
    pub known: Vec<String>,
    /// Some file's name could not be read (its text breaks before it): any name may be among them.
    pub any: bool,
}

impl Names {
    /// No name, known or not.
    pub fn is_empty(&self) -> bool {
        !self.any && self.known.is_empty()
    }

    /// Whether `name` may be one of these.
    pub fn may_hold(&self, name: &str) -> bool {
        self.any || self.known.iter().any(|n| n == name)
    }

    /// Adds one file's name, or that a file's name is unknown.
    pub fn add(&mut self, name: Option<String>) {
        match name {
            Some(name) => self.known.push(name),
            None => self.any = true,
        }
    }
}

/// Where one layer of specs comes from.
#[derive(Debug, Clone, Copy)]
pub enum Layer<'a> {
    /// Every `*.yaml` under a directory, shown in diagnostics as `shown/<path below root>`.
    Dir {
        /// The directory.
        root: &'a Path,
        /// How diagnostics name it.
        shown: &'a Path,
    },
    /// Files held in memory (a binary's embedded specs): `(path below the specs directory, YAML text)`,
    /// shown as `shown/<path>`. None is tracked for rebuilds.
    Files {
        /// The files.
        files: &'a [(&'a str, &'a str)],
        /// How diagnostics name their directory.
        shown: &'a Path,
    },
}

/// Reads every `*.yaml` under `root` (sorted, so output is deterministic). Files are shown in
/// diagnostics as `display_root` joined with their path below `root`.
pub fn load_dir(root: &Path, display_root: &Path) -> (SpecSet, Vec<Diagnostic>) {
    load_layers(&[Layer::Dir {
        root,
        shown: display_root,
    }])
}

/// Reads specs held in memory; see [`Layer::Files`].
pub fn load_files(files: &[(&str, &str)], display_root: &Path) -> (SpecSet, Vec<Diagnostic>) {
    load_layers(&[Layer::Files {
        files,
        shown: display_root,
    }])
}

/// Reads layers of specs as one set: a file of a later layer replaces the one at the same path below its
/// directory in an earlier layer (a user's `dana/types.yaml` replaces the shipped one; a user's endpoint
/// beside the shipped ones adds to them). The set is shown as the last layer; [`SpecSet::top`] lists the
/// files the last layer gave.
pub fn load_layers(layers: &[Layer<'_>]) -> (SpecSet, Vec<Diagnostic>) {
    let mut sources: std::collections::BTreeMap<String, (usize, Source<'_>)> = Default::default();
    let mut diagnostics = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        match layer_sources(layer) {
            Ok(found) => sources.extend(found.into_iter().map(|(path, source)| (path, (index, source)))),
            Err(d) => diagnostics.push(d),
        }
    }
    let sources: Vec<(usize, Source<'_>)> = sources.into_values().collect();
    let parsed = parse_all(&sources, |(_, source)| source.parse());
    let shown = layers.last().map_or(Path::new(""), Layer::shown);
    let (mut set, more) = assemble(shown, parsed);
    diagnostics.extend(more);
    let last = layers.len().saturating_sub(1);
    for (index, source) in &sources {
        if let Source::Disk { real, .. } = source {
            set.files.push(real.clone());
        }
        if *index == last {
            set.top.push(source.shown().to_owned());
        }
    }
    set.files.sort();
    (set, diagnostics)
}

impl Layer<'_> {
    fn shown(&self) -> &Path {
        match self {
            Layer::Dir { shown, .. } | Layer::Files { shown, .. } => shown,
        }
    }
}

/// One file to read: on disk, or in memory.
enum Source<'a> {
    Disk { real: PathBuf, shown: PathBuf },
    Memory { text: &'a str, shown: PathBuf },
}

impl Source<'_> {
    fn shown(&self) -> &Path {
        match self {
            Source::Disk { shown, .. } | Source::Memory { shown, .. } => shown,
        }
    }

    /// The file in its role, with every mistake found in it.
    fn parse(&self) -> (AnyFile, Vec<Diagnostic>) {
        let (shown, role) = (self.shown(), Role::of(self.shown()));
        match self {
            Source::Memory { text, .. } => parse_file(shown, role, text),
            Source::Disk { real, .. } => match std::fs::read_to_string(real) {
                Ok(text) => parse_file(shown, role, &text),
                Err(e) => {
                    let d = io_error(shown, &format!("cannot read the file: {e}"));
                    (AnyFile::Unloaded(role, None), vec![d])
                }
            },
        }
    }
}

/// A layer's files by their path below its directory (`/`-separated).
fn layer_sources<'a>(layer: &Layer<'a>) -> Result<Vec<(String, Source<'a>)>, Diagnostic> {
    match *layer {
        Layer::Dir { root, shown } => {
            let mut files = Vec::new();
            collect_yaml(root, &mut files)
                .map_err(|e| io_error(shown, &format!("cannot read the specs directory: {e}")))?;
            Ok(files
                .into_iter()
                .map(|real| {
                    let relative = real.strip_prefix(root).unwrap_or(&real).to_owned();
                    let key = relative.display().to_string().replace('\\', "/");
                    (
                        key,
                        Source::Disk {
                            shown: shown.join(&relative),
                            real,
                        },
                    )
                })
                .collect())
        }
        Layer::Files { files, shown } => Ok(files
            .iter()
            .map(|(path, text)| {
                (
                    path.to_string(),
                    Source::Memory {
                        text,
                        shown: shown.join(path),
                    },
                )
            })
            .collect()),
    }
}

/// `parse` on every item, on every core, in order (deterministic output whatever the threads do).
fn parse_all<T: Sync>(
    items: &[T],
    parse: impl Fn(&T) -> (AnyFile, Vec<Diagnostic>) + Sync,
) -> Vec<(AnyFile, Vec<Diagnostic>)> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let chunk = items.len().div_ceil(workers).max(1);
    let parse = &parse;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(parse).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// The set of parsed files, each in its role, and every mistake found in them.
fn assemble(display_root: &Path, parsed: Vec<(AnyFile, Vec<Diagnostic>)>) -> (SpecSet, Vec<Diagnostic>) {
    let mut set = SpecSet::shown_as(display_root);
    let mut diagnostics = Vec::new();
    for (file, mistakes) in parsed {
        match file {
            AnyFile::Codes(f) => set.codes.push(f),
            AnyFile::Sources(f) => set.sources.push(f),
            AnyFile::Standard(f) => set.standard.push(f),
            AnyFile::Types(f) => set.types.push(f),
            AnyFile::Provider(f) => set.providers.push(f),
            AnyFile::Endpoint(f) => set.endpoints.push(f),
            AnyFile::Unloaded(role, positions) => set.unloaded.add(role, positions.as_ref()),
        }
        diagnostics.extend(mistakes);
    }
    (set, diagnostics)
}

/// A file's role, from its name.
#[derive(Clone, Copy, Debug)]
enum Role {
    Codes,
    Standard,
    Sources,
    Types,
    Provider,
    Endpoint,
}

/// One file of any role (short-lived: one per file while loading, so the size difference is harmless).
#[allow(clippy::large_enum_variant)]
enum AnyFile {
    Codes(Loaded<raw::CodesFile>),
    Standard(Loaded<raw::StandardFile>),
    Sources(Loaded<raw::SourcesFile>),
    Types(Loaded<raw::TypesFile>),
    Provider(Loaded<raw::ProviderFile>),
    Endpoint(Loaded<raw::EndpointFile>),
    /// A file that did not load, with where its keys stand when its text could be read.
    Unloaded(Role, Option<Positions>),
}

impl Role {
    /// The role of the file at `path`, from its name.
    fn of(path: &Path) -> Role {
        match path.file_name().and_then(|n| n.to_str()).unwrap_or_default() {
            "codes.yaml" => Role::Codes,
            "standard.yaml" => Role::Standard,
            "sources.yaml" => Role::Sources,
            "types.yaml" => Role::Types,
            "provider.yaml" => Role::Provider,
            _ => Role::Endpoint,
        }
    }
}

/// One file's text, in its role, with every mistake found in it.
fn parse_file(shown: &Path, role: Role, source: &str) -> (AnyFile, Vec<Diagnostic>) {
    let (file, diagnostics) = match role {
        Role::Codes => in_role(parse(shown, source), AnyFile::Codes),
        Role::Standard => in_role(parse(shown, source), AnyFile::Standard),
        Role::Sources => in_role(parse(shown, source), AnyFile::Sources),
        Role::Types => in_role(parse(shown, source), AnyFile::Types),
        Role::Provider => in_role(parse(shown, source), AnyFile::Provider),
        Role::Endpoint => in_role(parse(shown, source), AnyFile::Endpoint),
    };
    // Indexing again costs little, and only for a file with a mistake that stops it from loading.
    let file = file.unwrap_or_else(|| AnyFile::Unloaded(role, Some(Positions::index(source))));
    (file, diagnostics)
}

fn in_role<T>(
    (loaded, diagnostics): (Option<Loaded<T>>, Vec<Diagnostic>),
    role: fn(Loaded<T>) -> AnyFile,
) -> (Option<AnyFile>, Vec<Diagnostic>) {
    (loaded.map(role), diagnostics)
}

/// Deserializes one file, reporting every mistake as a located diagnostic. The file is `None` when a mistake
/// left its content incomplete (a value of the wrong type); an unknown key is reported and left out.
pub fn parse<T: DeserializeOwned>(file: &Path, source: &str) -> (Option<Loaded<T>>, Vec<Diagnostic>) {
    let positions = Positions::index(source);
    let read = recover::read::<T>(file, source, &positions);
    let loaded = read.value.map(|value| Loaded {
        file: file.to_owned(),
        value,
        positions,
    });
    (loaded, read.diagnostics)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

fn io_error(file: &Path, message: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line: 1,
        col: 1,
        path: String::new(),
        message: message.to_owned(),
        help: None,
    }
}

/// serde_yaml writes `path: message at line L column C`; split that into our located form.
fn yaml_error(file: &Path, error: &serde_yaml::Error) -> Diagnostic {
    let (line, col) = error.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    // The position is reported separately; drop serde_yaml's own "at line L column C" from the text.
    let located = regex::Regex::new(r" at line \d+ column \d+").ok();
    let text = error.to_string();
    let text = located.map(|re| re.replace_all(&text, "").into_owned()).unwrap_or(text);
    let (path, message) = match text.split_once(": ") {
        Some((p, m)) if !p.contains(' ') => (p.to_owned(), m.to_owned()),
        _ => (String::new(), text),
    };
    let help = unknown_field_hint(&message);
    Diagnostic {
        file: file.to_owned(),
        line,
        col,
        path,
        message,
        help,
    }
}

/// For "unknown field `maxlength`, expected one of `max_length`, …", suggests the closest key.
fn unknown_field_hint(message: &str) -> Option<String> {
    let (unknown, _) = unknown_field(message)?;
    if unknown.contains(' ') {
        // `{ doc: one, two }`: the comma ended the value and YAML read the rest as a key.
        return Some(
            "a `,` or `: ` inside an unquoted value in `{ … }` ends that value; put the text in quotes".into(),
        );
    }
    closest_field(message).map(|known| format!("did you mean `{known}`?"))
}

/// The known key closest to the unknown one of an "unknown field" message, as `did you mean` picks it.
fn closest_field(message: &str) -> Option<&str> {
    let (unknown, expected) = unknown_field(message)?;
    let known = expected.split('`').skip(1).step_by(2);
    closest(unknown, known)
}

/// "…unknown field `maxlength`, expected one of `max_length`, …" → the unknown key and the expected keys.
fn unknown_field(message: &str) -> Option<(&str, &str)> {
    let (_, rest) = message.split_once("unknown field `")?;
    rest.split_once('`')
}
