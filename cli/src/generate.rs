//! `snapbi gen`: print (or write) the Rust code generated from the specs.

use std::path::PathBuf;

use snapbi_codegen::Options;
use snapbi_codegen::render::render_api;

use crate::error::{Error, Outcome, Status, print};
use crate::input::Specs;

/// Options of `snapbi gen`.
#[derive(clap::Args)]
pub struct Args {
    /// Write the code to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Generates the code with default options; spec problems are diagnostics (exit 1).
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let loaded = specs.load()?;
    let code = render_api(&loaded.api, &Options::default(), &specs.files_shown(&loaded))
        .map_err(|e| Error::Input(format!("cannot render the generated code: {e}")))?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &code).map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))?
        }
        None => print(&code)?,
    }
    Ok(Status::Pass)
}
