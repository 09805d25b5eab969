//! `snapbi code`: explain a seven-digit SNAP response code with the code tables of the specs.

use serde_json::json;
use snapbi_runtime::{Explanation, ResponseCode};
use snapbi_spec::Api;
use snapbi_spec::ir;

use crate::error::{Error, Outcome, Status, print, print_json};
use crate::input::Specs;

/// Options of `snapbi code`.
#[derive(clap::Args)]
pub struct Args {
    /// Seven digits: HTTP status, service code, case code (e.g. 2005400).
    code: String,
    /// Print JSON instead of a line of text.
    #[arg(long)]
    json: bool,
}

/// Explains the code as far as the tables know it; a malformed code is an input error (exit 2).
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let code = ResponseCode::try_parse(&args.code).map_err(|e| Error::Input(e.to_string()))?;
    let api = specs.load()?.api;
    let explained = code.explain(&api.codes);
    match args.json {
        true => print_json(&to_json(&api, &code, &explained))?,
        false => print(&to_text(&api, &code, &explained))?,
    }
    Ok(Status::Pass)
}

/// Where the outcome came from: the case table, a per-service override of it, or the HTTP status alone.
fn outcome_source(explained: &Explanation) -> &'static str {
    match &explained.case {
        Some(case) if Some(case.outcome) != explained.outcome => "service override",
        Some(_) => "case table",
        None => "guessed from HTTP status",
    }
}

/// Endpoints of the specs that declare this exact code, with their outcome for it.
fn declared_by<'a>(api: &'a Api, code: &ResponseCode) -> Vec<(&'a str, &'a ir::EndpointCode)> {
    api.endpoints
        .iter()
        .flat_map(|e| e.codes.iter().map(move |c| (e.info.id.as_ref(), c)))
        .filter(|(_, c)| c.code == code.as_str())
        .collect()
}

fn to_json(api: &Api, code: &ResponseCode, explained: &Explanation) -> serde_json::Value {
    let declared: Vec<_> = declared_by(api, code)
        .into_iter()
        .map(|(id, c)| json!({ "endpoint": id, "outcome": c.outcome.as_str(), "doc": c.doc }))
        .collect();
    let providers: Vec<_> = explained
        .provider_services
        .iter()
        .map(|p| json!({ "provider": p.provider, "name": p.name, "note": p.note.trim() }))
        .collect();
    // Outside the SNAP table, the name is the providers' own when they agree on one.
    let own_name = match explained.provider_services.as_slice() {
        [first, rest @ ..] if rest.iter().all(|p| p.name == first.name) => Some(&*first.name),
        _ => None,
    };
    json!({
        "code": code.as_str(),
        "http_status": code.http_status(),
        "service_code": code.service_code(),
        "service_name": explained.service.map(|s| &*s.name).or(own_name),
        "service_in_snap_table": explained.service.is_some(),
        "service_used_by": providers,
        "case_code": code.case_code(),
        "case_name": explained.case.map(|c| &c.name),
        "message": explained.case.map(|c| &c.message),
        "outcome": explained.outcome.map(|o| o.as_str()),
        "outcome_source": outcome_source(explained),
        "declared_by": declared,
    })
}

fn to_text(api: &Api, code: &ResponseCode, explained: &Explanation) -> String {
    let http = code.http_status().unwrap_or_default();
    let service = code.service_code().unwrap_or_default();
    let case = code.case_code().unwrap_or_default();
    let outcome = explained.outcome.map_or("unknown", |o| o.as_str());
    let mut out = format!("{code}  HTTP {http:03} · service {service} ");
    match (explained.service, explained.provider_services.as_slice()) {
        (Some(s), _) => out += &s.name,
        (None, []) => out += "(not in the SNAP table)",
        (None, own) => {
            let used: Vec<String> = own.iter().map(|p| format!("{} for {}", p.provider, p.name)).collect();
            out += &format!("(not in the SNAP table; used by {})", used.join(", by "));
        }
    }
    match explained.case {
        Some(c) => {
            out += &format!(" · case {case} {} · outcome: {outcome}", c.message);
            if c.outcome.as_str() != outcome {
                out += &format!(" (for service {service}; {} otherwise)", c.outcome);
            }
        }
        None => {
            out += &format!(" · case {case} is not in the SNAP table; outcome guessed from HTTP {http:03}: {outcome}")
        }
    }
    out += "\n";
    for (id, c) in declared_by(api, code) {
        out += &format!("  declared by {id} (outcome: {})", c.outcome.as_str());
        // What the endpoint's spec says of the code, when it says more than the table.
        if let Some(doc) = c.doc.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            out += &format!(": {}", doc.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        out.push('\n');
    }
    out
}
