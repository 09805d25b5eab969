//! `snapbi list`: every endpoint with its caller headers and request fields, flattened to wire paths.

use serde_json::{Value, json};
use snapbi_spec::Api;
use snapbi_spec::ir::Endpoint;
use snapbi_spec::ir::paths::{FieldPath, flatten};

use crate::error::{Outcome, Status, print, print_json};
use crate::input::Specs;

/// Options of `snapbi list`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Prints one table (or JSON object) per endpoint, in id order.
pub fn run(specs: &Specs, args: &Args) -> Outcome {
    let api = specs.load()?.api;
    if args.json {
        let endpoints: Vec<Value> = api.endpoints.iter().map(|e| endpoint_json(&api, e)).collect();
        print_json(&Value::Array(endpoints))?;
    } else {
        let tables: Vec<String> = api.endpoints.iter().map(|e| endpoint_text(&api, e)).collect();
        print(&tables.join("\n"))?;
    }
    Ok(Status::Pass)
}

fn service_name<'a>(api: &'a Api, endpoint: &Endpoint) -> Option<&'a str> {
    api.codes
        .service_name_for(&endpoint.info.provider, &endpoint.info.service_code)
}

fn endpoint_json(api: &Api, e: &Endpoint) -> Value {
    let codes: Vec<Value> = e
        .codes
        .iter()
        .map(|c| json!({ "code": c.code, "name": c.name, "outcome": c.outcome.as_str() }))
        .collect();
    json!({
        "id": e.info.id,
        "provider": e.info.provider,
        "summary": e.info.summary,
        "method": e.info.method,
        "path": e.info.path,
        "aliases": e.aliases,
        "service_code": e.info.service_code,
        "service_name": service_name(api, e),
        "auth": e.info.auth.as_str(),
        "status_endpoint": e.status_endpoint,
        "envelope": e.info.envelope.as_ref().map(|v| json!({ "name": v.envelope, "function": v.function })),
        "headers": flatten(api, &e.headers),
        "params": flatten(api, &e.params),
        "request": flatten(api, &e.request),
        "response": flatten(api, &e.response),
        "rules": e.rules.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "codes": codes,
    })
}

fn endpoint_text(api: &Api, e: &Endpoint) -> String {
    let mut out = format!(
        "{}  {} {}\n  {}\n  provider {}",
        e.info.id, e.info.method, e.info.path, e.info.summary, e.info.provider
    );
    match &e.info.envelope {
        Some(v) => out += &format!(" · envelope {} · function {}", v.envelope, v.function),
        // Answers in the provider's own JSON: codes by name, no SNAP service code.
        None if e.info.service_code.is_empty() => out += " · its provider's own JSON",
        None => out += &format!(" · service {}", e.info.service_code),
    }
    if let Some(name) = service_name(api, e) {
        out += &format!(" {name}");
    }
    out += &format!(" · auth {}", e.info.auth.as_str());
    if let Some(status) = &e.status_endpoint {
        out += &format!(" · status {status}");
    }
    out += "\n";
    if !e.aliases.is_empty() {
        out += &format!("  also served at {}\n", e.aliases.join(", "));
    }
    let headers = flatten(api, &e.headers);
    if !headers.is_empty() {
        out += &table(
            if e.info.envelope.is_some() {
                "head member"
            } else {
                "header"
            },
            &headers,
        );
    }
    let params = flatten(api, &e.params);
    if !params.is_empty() {
        out += &table("path parameter", &params);
    }
    let request = flatten(api, &e.request);
    match request.is_empty() {
        true => out += "\n  (no request body)\n",
        false => out += &table("request field", &request),
    }
    for rule in &e.rules {
        out += &format!("  rule: {rule}\n");
    }
    out
}

/// A blank line, then one aligned row per value: wire path, type, required, rules.
fn table(title: &str, rows: &[FieldPath]) -> String {
    let header = [title, "type", "required", "rules"].map(String::from);
    let cells: Vec<[String; 4]> = std::iter::once(header)
        .chain(rows.iter().map(|row| {
            let mut rules = row.constraints();
            rules.extend(row.shared_type.clone());
            if row.sensitive {
                rules.push("sensitive".into());
            }
            [
                row.wire_path.clone(),
                row.kind.to_owned(),
                if row.required { "yes" } else { "no" }.to_owned(),
                rules.join(", "),
            ]
        }))
        .collect();
    let width = |i: usize| cells.iter().map(|c| c[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2)];
    let mut out = String::from("\n");
    for [path, kind, required, rules] in &cells {
        let line = format!(
            "  {path:w0$}  {kind:w1$}  {required:w2$}  {rules}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out += line.trim_end();
        out += "\n";
    }
    out
}
