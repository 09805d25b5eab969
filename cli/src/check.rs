//! `snapbi check`: load and check every spec file, reporting all problems at once.

use crate::error::{Outcome, Status, print};
use crate::input::Specs;

/// Prints a one-line summary when the specs are valid; otherwise every diagnostic, exit 1.
pub fn run(specs: &Specs) -> Outcome {
    let api = specs.load()?.api;
    print(&format!(
        "ok: {} endpoints, {} providers, {} shared types\n",
        api.endpoints.len(),
        api.providers.len(),
        api.types.len()
    ))?;
    Ok(Status::Pass)
}
