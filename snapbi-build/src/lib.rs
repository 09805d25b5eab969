//! `snapbi-build`: generate a client from specs in a build script, the way `tonic-build` does from protos.
//!
//! ```no_run
//! // build.rs: `fn main()` of one statement
//! snapbi_build::generate("specs");
//! ```
//!
//! ```ignore
//! // src/lib.rs (or any module)
//! snapbi::include_client!();
//! ```
//!
//! A specs directory without a `common/` of its own stands on the specs snapbi ships: the SNAP code tables,
//! the standard and shared types such as `Amount` are used from there, not copied, and only the directory's
//! own endpoints are generated (with the types they use).
//!
//! A mistake in a spec fails the build with every diagnostic at its `file:line:col` (as `cargo::error`
//! lines), never a panic; every spec file is tracked, so editing YAML regenerates the code. [`Builder`]
//! takes options: the providers to generate, how diagnostics name the specs, the runtime path, the output
//! file.

#![forbid(unsafe_code)]

use std::fmt;
use std::path::{Path, PathBuf};

use snapbi_spec::{Diagnostic, diagnostic::render_all};

/// Generates the client for the specs under `specs` (relative to the crate's manifest, as build scripts run
/// there) into `OUT_DIR/snapbi.rs`, for [`snapbi::include_client!`]. Problems are printed for cargo, which
/// then fails the build.
///
/// [`snapbi::include_client!`]: https://docs.rs/snapbi/latest/snapbi/macro.include_client.html
pub fn generate(specs: impl AsRef<Path>) {
    Builder::new(specs).generate();
}

/// Options of a generation; [`generate`] runs one with the defaults.
#[derive(Debug, Clone)]
pub struct Builder {
    specs: PathBuf,
    shown_as: Option<PathBuf>,
    providers: Option<Vec<String>>,
    runtime: String,
    out_file: String,
}

impl Builder {
    /// Generation from the specs directory `specs` (or one endpoint file in it).
    pub fn new(specs: impl AsRef<Path>) -> Builder {
        Builder {
            specs: specs.as_ref().to_owned(),
            shown_as: None,
            providers: None,
            runtime: "::snapbi::rt".to_owned(),
            out_file: "snapbi.rs".to_owned(),
        }
    }

    /// How diagnostics name the specs directory (default: the path given to [`Builder::new`]).
    pub fn shown_as(mut self, path: impl AsRef<Path>) -> Builder {
        self.shown_as = Some(path.as_ref().to_owned());
        self
    }

    /// Generates only these providers' endpoints, and only the shared types they use (default: every
    /// provider of the specs). Every spec is still checked.
    pub fn providers<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Builder {
        self.providers = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The path the generated code reaches the runtime by (default `::snapbi::rt`, the facade's re-export).
    pub fn runtime(mut self, path: &str) -> Builder {
        path.clone_into(&mut self.runtime);
        self
    }

    /// The file written in `OUT_DIR` (default `snapbi.rs`).
    pub fn out_file(mut self, name: &str) -> Builder {
        name.clone_into(&mut self.out_file);
        self
    }

    /// Generates, printing cargo's rebuild directives; any problem is printed as `cargo::error` lines, which
    /// fail the build.
    pub fn generate(self) {
        if let Err(error) = self.try_generate() {
            for line in error.to_string().lines() {
                println!("cargo::error={line}");
            }
        }
    }

    /// Generates, printing cargo's rebuild directives, and returns the file written.
    pub fn try_generate(self) -> Result<PathBuf, Error> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or(Error::NotInBuildScript)?;
        let out = PathBuf::from(out_dir).join(&self.out_file);
        let shown = self.shown_as.clone().unwrap_or_else(|| self.specs.clone());
        // A file added to the directory changes the directory: track it as well as every file read.
        println!("cargo::rerun-if-changed={}", self.specs.display());
        let code = self.render(&shown)?;
        std::fs::write(&out, code).map_err(|source| Error::Write {
            path: out.clone(),
            source,
        })?;
        Ok(out)
    }

    /// Loads, checks, chooses and renders.
    fn render(&self, shown: &Path) -> Result<String, Error> {
        let runtime = syn::parse_str::<syn::Path>(&self.runtime)
            .map_err(|e| Error::Runtime(format!("`{}` is not a Rust path: {e}", self.runtime)))?;
        let mut loaded = snapbi_spec::load_standing(&self.specs, shown).map_err(Error::Specs)?;
        for file in &loaded.files {
            println!("cargo::rerun-if-changed={}", file.display());
        }
        if let Some(providers) = &self.providers {
            let unknown: Vec<&str> = providers
                .iter()
                .map(String::as_str)
                .filter(|p| loaded.api.provider(p).is_none())
                .collect();
            if !unknown.is_empty() {
                return Err(Error::UnknownProviders(unknown.iter().map(|p| p.to_string()).collect()));
            }
            loaded
                .api
                .retain_providers(&providers.iter().map(String::as_str).collect::<Vec<_>>());
        }
        let files: Vec<String> = loaded
            .files
            .iter()
            .map(|f| {
                shown
                    .join(f.strip_prefix(&self.specs).unwrap_or(f))
                    .display()
                    .to_string()
                    .replace('\\', "/")
            })
            .collect();
        let options = snapbi_codegen::Options { runtime };
        snapbi_codegen::render::render_api(&loaded.api, &options, &files).map_err(Error::Render)
    }
}

/// Why a generation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The specs have mistakes: every one, located.
    Specs(Vec<Diagnostic>),
    /// Providers asked for that the specs do not define.
    UnknownProviders(Vec<String>),
    /// The runtime path is not a Rust path.
    Runtime(String),
    /// The generated code could not be rendered (a generator bug: please report it).
    Render(String),
    /// The output file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set: this runs in a build script.
    NotInBuildScript,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Specs(diagnostics) => f.write_str(render_all(diagnostics).trim_end()),
            Error::UnknownProviders(names) => write!(f, "no provider.yaml defines {}", names.join(", ")),
            Error::Runtime(message) => f.write_str(message),
            Error::Render(message) => write!(f, "cannot render the generated code: {message}"),
            Error::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            Error::NotInBuildScript => f.write_str("OUT_DIR is not set: snapbi-build runs in a build script"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}
