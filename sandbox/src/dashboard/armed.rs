//! The page of armed scenarios and faults, `/_sandbox/ui/armed`: what is armed, with the calls left, and forms that
//! arm and disarm them. The forms post to form twins of `POST`/`DELETE /_sandbox/scenarios` and `/_sandbox/faults`
//! (`/_sandbox/ui/scenarios`, `/_sandbox/ui/scenarios/clear`, the same for faults), which do what the JSON routes do
//! and send the browser back here, or show why they could not.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use maud::{Markup, html};

use super::{Tab, View, plain_page, see_other, tab_page};
use crate::Sandbox;
use crate::scenarios::{Fault, FaultKind};

const PAGE: &str = "/_sandbox/ui/armed";

/// The kinds of fault a form offers, with their wire names.
const FAULT_KINDS: [(&str, FaultKind); 3] = [
    ("delay", FaultKind::Delay),
    ("drop_after_commit", FaultKind::DropAfterCommit),
    ("status_5xx", FaultKind::Status5xx),
];

pub(super) async fn page(State(sandbox): State<Sandbox>, uri: Uri) -> Response {
    let scenarios = sandbox.armed_scenarios();
    let faults = sandbox.armed_faults();
    let endpoints: Vec<&str> = sandbox.endpoints().collect();
    let body = html! {
        p.muted { "Used by the next calls that pass every check, in the order armed · "
            a href="/_sandbox/scenarios" { "scenarios JSON" } " · " a href="/_sandbox/faults" { "faults JSON" } }
        h2 { "Scenarios (forced codes)" }
        @if scenarios.is_empty() { p.muted { "None armed." } } @else {
            table #scenarios {
                tr { th { "endpoint" } th { "code" } th { "calls left" } }
                @for armed in &scenarios { tr { td { (armed.endpoint) } td { code { (armed.what.code) } } td { (armed.times) } } }
            }
        }
        form method="post" action="/_sandbox/ui/scenarios" {
            fieldset {
                legend { "Arm a scenario" }
                (endpoint_select("scenario-endpoint", &endpoints))
                label { "code " input name="code" id="scenario-code" required size="18" placeholder="a code it declares"; }
                (times_input())
                button { "Arm" }
            }
        }
        form.inline method="post" action="/_sandbox/ui/scenarios/clear" { button.quiet { "Disarm every scenario" } }
        h2 { "Faults" }
        @if faults.is_empty() { p.muted { "None armed." } } @else {
            table #faults {
                tr { th { "endpoint" } th { "kind" } th { "ms" } th { "calls left" } }
                @for armed in &faults {
                    tr { td { (armed.endpoint) } td { (kind_name(armed.what.kind)) } td { (armed.what.ms) } td { (armed.times) } }
                }
            }
        }
        form method="post" action="/_sandbox/ui/faults" {
            fieldset {
                legend { "Arm a fault" }
                (endpoint_select("fault-endpoint", &endpoints))
                label { "kind " select name="kind" id="fault-kind" { @for (name, _) in FAULT_KINDS { option value=(name) { (name) } } } }
                label { "ms " input name="ms" type="number" min="0" value="0" size="6"; }
                (times_input())
                button { "Arm" }
            }
        }
        form.inline method="post" action="/_sandbox/ui/faults/clear" { button.quiet { "Disarm every fault" } }
    };
    tab_page(Tab::Armed, View::of(&uri), body)
}

fn endpoint_select(id: &str, endpoints: &[&str]) -> Markup {
    html! {
        label { "endpoint " select name="endpoint" id=(id) { @for endpoint in endpoints { option value=(endpoint) { (endpoint) } } } }
    }
}

fn times_input() -> Markup {
    html! { label { "times " input name="times" type="number" min="1" value="1" size="4"; } }
}

fn kind_name(kind: FaultKind) -> &'static str {
    FAULT_KINDS
        .iter()
        .find(|(_, k)| *k == kind)
        .map_or("?", |(name, _)| name)
}

/// A form's fields by name (the last value of a repeated one).
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Self {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.trim())
    }

    /// A required field.
    fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("`{name}` is missing"))
    }

    /// A number field; `default` when absent or empty.
    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.get(name).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| format!("`{name}` is not a number: {text:?}")),
        }
    }
}

/// The form twin of `POST /_sandbox/scenarios`.
pub(super) async fn arm_scenario(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let armed = (|| {
        let endpoint = form.required("endpoint")?;
        let code = form.required("code")?;
        let times = form.number("times", 1u32)?;
        sandbox.arm_scenario(endpoint, code, times).map_err(|e| e.to_string())
    })();
    back_or_why(armed, "Scenario not armed")
}

/// The form twin of `POST /_sandbox/faults`.
pub(super) async fn arm_fault(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let armed = (|| {
        let endpoint = form.required("endpoint")?;
        let kind = form.required("kind")?;
        let Some((_, kind)) = FAULT_KINDS.iter().find(|(name, _)| *name == kind) else {
            return Err(format!(
                "`kind` is none of delay, drop_after_commit, status_5xx: {kind:?}"
            ));
        };
        let fault = Fault {
            kind: *kind,
            ms: form.number("ms", 0u64)?,
        };
        let times = form.number("times", 1u32)?;
        sandbox.arm_fault(endpoint, fault, times).map_err(|e| e.to_string())
    })();
    back_or_why(armed, "Fault not armed")
}

/// The form twin of `DELETE /_sandbox/scenarios`.
pub(super) async fn clear_scenarios(State(sandbox): State<Sandbox>) -> Response {
    sandbox.clear_scenarios();
    see_other(PAGE)
}

/// The form twin of `DELETE /_sandbox/faults`.
pub(super) async fn clear_faults(State(sandbox): State<Sandbox>) -> Response {
    sandbox.clear_faults();
    see_other(PAGE)
}

/// Back to the page, or a page saying why not.
fn back_or_why(done: Result<(), String>, title: &str) -> Response {
    match done {
        Ok(()) => see_other(PAGE),
        Err(why) => plain_page(
            StatusCode::BAD_REQUEST,
            title,
            html! { p.no { (why) } p { a href=(PAGE) { "← scenarios & faults" } } },
        ),
    }
}
