//! Generates the SNAP client from the workspace's `specs/` into `OUT_DIR/api.rs`.
//!
//! Spec problems are printed as `cargo::error=specs/…yaml:LINE:COL: …` lines (never a panic), and every
//! spec file is tracked so that editing YAML regenerates the client.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let specs = manifest.join("../specs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("api.rs");
    println!("cargo::rerun-if-changed={}", specs.display());
    match snapbi_codegen::generate(&specs, Path::new("specs"), &snapbi_codegen::Options::default()) {
        Ok(generated) => {
            for file in &generated.files {
                println!("cargo::rerun-if-changed={}", file.display());
            }
            if let Err(e) = std::fs::write(&out, generated.code) {
                println!("cargo::error=cannot write {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for d in diagnostics {
                for line in d.to_string().lines() {
                    println!("cargo::error={line}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
