//! `snapbi validate`: check a JSON request body against an endpoint's spec.
//!
//! The rules are read from the specs at run time (`--specs DIR`, else the shipped ones), so any spec set can
//! be validated without recompiling. The checks are the sandbox's, which agree with the generated builders'
//! violation for violation (`sandbox/tests/validator_agrees.rs`, `tests/tests/cross_rules.rs`).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use snapbi_spec::diagnostic::did_you_mean;
use snapbi_spec::ir::{Api, Endpoint};

use crate::error::{Error, Outcome, Status, print, print_json};
use crate::input::{self, Specs};

/// Options of `snapbi validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Endpoint id, e.g. doku.direct_debit.payment (see `snapbi list`).
    endpoint: String,
    /// JSON request body; stdin when absent or `-`.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Prints "valid" (exit 0) or every violation with its wire path (exit 1).
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let api = specs.load()?.api;
    let endpoint = find(&api, &args.endpoint)?;
    let source = args.body_file.as_deref().unwrap_or(Path::new("-"));
    let bytes = input::read(source, "body file")?;
    let shown = match source == Path::new("-") {
        true => "stdin".to_owned(),
        false => source.display().to_string(),
    };
    let body: Value =
        serde_json::from_slice(&bytes).map_err(|e| Error::Input(format!("malformed JSON in {shown}: {e}")))?;
    let violations = snapbi_sandbox::validate::request(&api, endpoint, &body);
    if args.json {
        let listed: Vec<Value> = violations
            .iter()
            .map(|v| json!({ "path": v.path, "message": v.to_string() }))
            .collect();
        print_json(&json!({ "endpoint": endpoint.info.id, "valid": violations.is_empty(), "violations": listed }))?;
    } else if violations.is_empty() {
        print("valid\n")?;
    } else {
        print(&violations.iter().map(|v| format!("{v}\n")).collect::<String>())?;
    }
    Ok(if violations.is_empty() {
        Status::Pass
    } else {
        Status::Fail
    })
}

/// The endpoint with this id, or an error naming the close ones (or all of them).
pub(crate) fn find<'a>(api: &'a Api, id: &str) -> Result<&'a Endpoint, Error> {
    if let Some(endpoint) = api.endpoint(id) {
        return Ok(endpoint);
    }
    let ids = api.endpoints.iter().map(|e| e.info.id.as_ref());
    let close: Vec<&str> = ids
        .clone()
        .filter(|known| known.contains(id) || did_you_mean(id, [*known]).is_some())
        .collect();
    let (label, listed) = match close.is_empty() {
        true => ("known endpoints", ids.collect::<Vec<_>>()),
        false => ("did you mean", close),
    };
    Err(Error::Input(format!(
        "unknown endpoint `{id}`; {label}: {}",
        listed.join(", ")
    )))
}
