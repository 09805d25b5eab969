//! `snapbi-spec`: the spec library. It reads a specs directory (YAML), checks it and lowers it to the IR,
//! plain data that every back end reads: the generator (`snapbi-codegen`), the sandbox, the CLI and the tests.
//!
//! The pipeline is [`yaml::load_dir`] (serde_yaml, positions kept) → [`ir::lower::lower`] (all checks, all
//! diagnostics at once). [`load`] runs both. Nothing here knows Rust syntax: emitting code is the generator's job.

pub mod diagnostic;
pub mod ir;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use ir::Api;

/// A checked API and every file it was read from.
#[derive(Debug)]
pub struct Loaded {
    /// The checked API.
    pub api: Api,
    /// Every spec file read (real paths), for rebuild tracking.
    pub files: Vec<PathBuf>,
}

/// Loads and checks the specs under `root`; diagnostics show files as `display_root/<relative path>`.
///
/// `root` may also be one endpoint file: the specs directory above it (the nearest one holding
/// `common/codes.yaml`) is checked as a whole, and the API keeps that endpoint plus its provider's token
/// endpoint.
pub fn load(root: &Path, display_root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let (dir, display_dir, only) = match root.is_file() {
        true => {
            let dir = root.ancestors().skip(1).find(|d| d.join("common/codes.yaml").is_file());
            let Some(dir) = dir else {
                return Err(vec![Diagnostic {
                    file: display_root.to_owned(),
                    line: 1,
                    col: 1,
                    path: String::new(),
                    message: "no specs directory (one holding common/codes.yaml) above this file".into(),
                    help: None,
                }]);
            };
            let depth = root.strip_prefix(dir).map(|r| r.components().count()).unwrap_or(0);
            let display_dir = display_root.ancestors().nth(depth).unwrap_or(Path::new("")).to_owned();
            (dir.to_owned(), display_dir, Some(display_root.to_owned()))
        }
        false => (root.to_owned(), display_root.to_owned(), None),
    };
    let (set, diagnostics) = yaml::load_dir(&dir, &display_dir);
    let mut api = lower(&set, diagnostics)?;
    if let Some(only) = only {
        keep_only(&mut api, &only);
    }
    Ok(Loaded { api, files: set.files })
}

/// Checks specs held in memory (a binary's embedded files): `(path below the specs directory, YAML text)`
/// pairs; diagnostics show files as `display_root/<path>`.
pub fn load_files(files: &[(&str, &str)], display_root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let (set, diagnostics) = yaml::load_files(files, display_root);
    let api = lower(&set, diagnostics)?;
    Ok(Loaded { api, files: Vec::new() })
}

/// How diagnostics name the shipped specs when a user's specs stand on them.
pub const SHIPPED: &str = "<snapbi-specs>";

/// Loads a specs directory as its author means it. With a `common/codes.yaml` of its own it stands alone
/// ([`load`]). Without one it stands on the shipped specs (`snapbi-specs`): the SNAP code tables, the
/// standard, the shared types (`Amount`…) and the shipped providers are there to use without copying them, a
/// file at the same path replaces the shipped one (`dana/types.yaml`), and the API keeps only the directory's
/// own endpoints and what they need (status and token endpoints, the shared types they use).
pub fn load_standing(root: &Path, display_root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    if root.is_file() || root.join("common/codes.yaml").is_file() {
        return load(root, display_root);
    }
    let own = yaml::Layer::Dir {
        root,
        shown: display_root,
    };
    let (set, diagnostics) = with_shipped(|shipped| yaml::load_layers(&[shipped, own]));
    let mut api = lower(&set, diagnostics)?;
    let own: Vec<String> = api
        .endpoints
        .iter()
        .filter(|e| set.top.iter().any(|top| shown_as(top) == e.file))
        .map(|e| e.info.id.to_string())
        .collect();
    api.retain_endpoints(&own.iter().map(String::as_str).collect::<Vec<_>>());
    // Rebuilds track the user's files only: the shipped ones change only with the package's version.
    let files = set.files.into_iter().filter(|f| f.starts_with(root)).collect();
    Ok(Loaded { api, files })
}

/// Runs `f` with the shipped specs as a layer: embedded in the binary (feature `embed`).
#[cfg(feature = "embed")]
fn with_shipped<R>(f: impl FnOnce(yaml::Layer<'_>) -> R) -> R {
    let files: Vec<(&str, &str)> = snapbi_specs::FILES.iter().map(|f| (f.path, f.text)).collect();
    f(yaml::Layer::Files {
        files: &files,
        shown: Path::new(SHIPPED),
    })
}

/// Runs `f` with the shipped specs as a layer: the files on disk, so that a build script depends on
/// `snapbi-specs` without its contents (editing a spec does not rebuild the generator).
#[cfg(not(feature = "embed"))]
fn with_shipped<R>(f: impl FnOnce(yaml::Layer<'_>) -> R) -> R {
    f(yaml::Layer::Dir {
        root: Path::new(snapbi_specs::DIR),
        shown: Path::new(SHIPPED),
    })
}

/// A shown path as endpoints record their file (`/`-separated).
fn shown_as(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// Lowers a loaded set; `Err` with every diagnostic, the loader's and the lowering's, in file order.
fn lower(set: &yaml::SpecSet, mut diagnostics: Vec<Diagnostic>) -> Result<Api, Vec<Diagnostic>> {
    // A file that loaded with its unknown keys left out is lowered too, so both kinds of problems may point
    // into one file: they are listed together, in file order.
    match ir::lower::lower(set) {
        Ok(api) if diagnostics.is_empty() => return Ok(api),
        Ok(_) => {}
        Err(more) => diagnostics.extend(more),
    }
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    Err(diagnostics)
}

/// Keeps the endpoints defined in `file`, what they need, and the shared types they use.
fn keep_only(api: &mut Api, file: &Path) {
    let file = file.display().to_string().replace('\\', "/");
    let ids: Vec<String> = api
        .endpoints
        .iter()
        .filter(|e| e.file == file)
        .map(|e| e.info.id.to_string())
        .collect();
    api.retain_endpoints(&ids.iter().map(String::as_str).collect::<Vec<_>>());
}
