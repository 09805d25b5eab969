//! `snapbi openapi`: the specs as an OpenAPI 3.1 document (`snapbi-openapi`), for Swagger UI, Postman and other
//! generators: every field rule a JSON Schema keyword, headers as parameters, credentials as security schemes, each
//! declared code a response with its example.

use std::path::PathBuf;

use crate::error::{Error, Outcome, Status, print};
use crate::input::Specs;

/// Options of `snapbi openapi`.
#[derive(clap::Args)]
pub struct Args {
    /// Only this provider's endpoints (and the shared types they use).
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Write the document to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Prints (or writes) the document as pretty JSON; an unknown provider is bad input (exit 2).
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let api = specs.load()?.api;
    let document = snapbi_openapi::document(&api, args.provider.as_deref()).map_err(|e| Error::Input(e.to_string()))?;
    let text = serde_json::to_string_pretty(&document).map_err(|e| Error::Input(format!("cannot write JSON: {e}")))?;
    let text = text + "\n";
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))?
        }
        None => print(&text)?,
    }
    Ok(Status::Pass)
}
