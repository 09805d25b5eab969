//! `snapbi-codegen`: the generator. The checked IR of `snapbi-spec` → Rust code: `emit` (quote) → `render`
//! (prettyplease). build.rs, the `snap_api!` macro and the CLI's `gen` are thin front ends over [`generate`].

pub mod emit;
pub mod render;

use std::path::{Path, PathBuf};

pub use emit::Options;
// The generator reads the IR of the spec library; `crate::ir` keeps the emitters' paths short.
pub(crate) use snapbi_spec::ir;
use snapbi_spec::load;
// In the signatures of `generate`: a build script needs only this crate to report what went wrong.
pub use snapbi_spec::{Diagnostic, diagnostic};

/// Generated Rust source and the files it came from.
#[derive(Debug)]
pub struct Generated {
    /// The rendered code.
    pub code: String,
    /// Every spec file read (real paths), for rebuild tracking.
    pub files: Vec<PathBuf>,
}

/// The generated API as tokens, and every file read (what the `snap_api!` macro expands).
pub fn generate_tokens(
    root: &Path,
    display_root: &Path,
    options: &Options,
) -> Result<(proc_macro2::TokenStream, Vec<PathBuf>), Vec<Diagnostic>> {
    let loaded = load(root, display_root)?;
    Ok((emit::api(&loaded.api, options), loaded.files))
}

/// Loads, checks, emits and renders the specs under `root` in one go (what build.rs and `snapbi gen` do).
pub fn generate(root: &Path, display_root: &Path, options: &Options) -> Result<Generated, Vec<Diagnostic>> {
    let loaded = load(root, display_root)?;
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
    let code = render::render_api(&loaded.api, options, &shown).map_err(|message| {
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
