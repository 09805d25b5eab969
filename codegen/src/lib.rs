//! `snapbi-codegen`: YAML SNAP specs → checked IR → Rust code, with every spec problem located.
//!
//! The pipeline is `spec::load_dir` (serde_yaml, positions kept) → `ir::lower::lower` (all checks, all
//! diagnostics at once) → `emit` (quote) → `render` (prettyplease). build.rs, the `snap_api!` macro and the
//! CLI are thin front ends over [`load`] and [`generate`].

pub mod diagnostic;
pub mod emit;
pub mod ir;
pub mod render;
pub mod spec;

use std::path::{Path, PathBuf};

pub use diagnostic::Diagnostic;
pub use emit::Options;
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
pub fn load(root: &Path, display_root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let (set, mut diagnostics) = spec::load_dir(root, display_root);
    match ir::lower::lower(&set) {
        Ok(api) if diagnostics.is_empty() => Ok(Loaded { api, files: set.files }),
        Ok(_) => Err(diagnostics),
        Err(more) => {
            diagnostics.extend(more);
            Err(diagnostics)
        }
    }
}

/// Generated Rust source and the files it came from.
#[derive(Debug)]
pub struct Generated {
    /// The rendered code.
    pub code: String,
    /// Every spec file read (real paths), for rebuild tracking.
    pub files: Vec<PathBuf>,
}

/// Loads, checks, emits and renders the specs under `root` in one go (what build.rs and `snapbi gen` do).
pub fn generate(root: &Path, display_root: &Path, options: &Options) -> Result<Generated, Vec<Diagnostic>> {
    let loaded = load(root, display_root)?;
    let tokens = emit::api(&loaded.api, options);
    let shown: Vec<String> = loaded
        .files
        .iter()
        .map(|f| {
            display_root
                .join(f.strip_prefix(root).unwrap_or(f))
                .display()
                .to_string()
                .replace('\\', "/")
        })
        .collect();
    let code = render::render(tokens, &shown).map_err(|message| {
        vec![Diagnostic {
            file: display_root.to_owned(),
            line: 1,
            col: 1,
            path: String::new(),
            message,
            help: None,
        }]
    })?;
    Ok(Generated {
        code,
        files: loaded.files,
    })
}
