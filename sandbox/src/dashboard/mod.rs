//! The dashboard, server-rendered HTML under `/_sandbox/ui`: the calls (`calls`, with the journal's JSON routes),
//! the ledger (`ledger`), the notifications with their attempts and a Resend button (`notifications`), the armed
//! scenarios and faults with forms to arm and disarm them (`armed`), and the events stream that keeps them live
//! (`events`).
//!
//! The pages are maud templates: checked when the crate compiles, every value HTML-escaped. Nothing is fetched
//! from the internet and nothing is built: the style and the one script are inline. A live page listens to
//! `GET /_sandbox/ui/events` (server-sent events naming what changed) and, when something it shows changed, fetches
//! its own content again (`?fragment=1`) and swaps it in. Without JavaScript the page reloads itself every few
//! seconds instead (`<noscript><meta http-equiv=refresh>`); `?live=0` stops both.
//!
//! Forms post to form-friendly twins of the admin routes (`/_sandbox/ui/…`), which answer `303 See Other` back to
//! their page, so every button works without JavaScript too. What a caller sent is shown as sent, with the clients'
//! secrets cut out, as the journal keeps it.

mod armed;
mod calls;
mod events;
mod ledger;
mod notifications;

use axum::Router;
use axum::http::header::LOCATION;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::Sandbox;
use crate::changes::Topic;

/// Seconds between reloads of a live page without JavaScript.
const REFRESH_SECONDS: u32 = 3;

/// The dashboard's routes and the journal's, merged into the admin router.
pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/journal", get(calls::journal))
        .route("/_sandbox/journal/{n}", get(calls::journal_entry))
        .route("/_sandbox/ui", get(calls::list_page))
        .route("/_sandbox/ui/calls/{n}", get(calls::call_page))
        .route("/_sandbox/ui/ledger", get(ledger::page))
        .route("/_sandbox/ui/notifications", get(notifications::page))
        .route("/_sandbox/ui/notifications/{n}/resend", post(notifications::resend))
        .route("/_sandbox/ui/armed", get(armed::page))
        .route("/_sandbox/ui/scenarios", post(armed::arm_scenario))
        .route("/_sandbox/ui/scenarios/clear", post(armed::clear_scenarios))
        .route("/_sandbox/ui/faults", post(armed::arm_fault))
        .route("/_sandbox/ui/faults/clear", post(armed::clear_faults))
        .route("/_sandbox/ui/events", get(events::stream))
}

/// The pages of the nav bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Calls,
    Ledger,
    Notifications,
    Armed,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Calls, Tab::Ledger, Tab::Notifications, Tab::Armed];

    fn path(self) -> &'static str {
        match self {
            Tab::Calls => "/_sandbox/ui",
            Tab::Ledger => "/_sandbox/ui/ledger",
            Tab::Notifications => "/_sandbox/ui/notifications",
            Tab::Armed => "/_sandbox/ui/armed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Calls => "Calls",
            Tab::Ledger => "Ledger",
            Tab::Notifications => "Notifications",
            Tab::Armed => "Scenarios & faults",
        }
    }

    /// What the page shows, so what makes it stale: every call may change the ledger and use an armed entry.
    fn topics(self) -> &'static [Topic] {
        match self {
            Tab::Calls => &[Topic::Journal],
            Tab::Ledger => &[Topic::Journal, Topic::Ledger],
            Tab::Notifications => &[Topic::Notifications],
            Tab::Armed => &[Topic::Journal, Topic::Armed],
        }
    }
}

/// How a page is asked for: live or paused, whole or only its content (what the live script fetches).
#[derive(Debug, Clone, Copy)]
struct View {
    live: bool,
    fragment: bool,
}

impl View {
    /// `?live=0` pauses the page; `?fragment=1` asks for its content alone.
    fn of(uri: &Uri) -> Self {
        let query = uri.query().unwrap_or_default();
        let mut view = View {
            live: true,
            fragment: false,
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match (&*name, &*value) {
                ("live", "0") => view.live = false,
                ("fragment", "1") => view.fragment = true,
                _ => {}
            }
        }
        view
    }
}

/// A live page of the nav bar: the whole page, or its content alone for the live script.
fn tab_page(tab: Tab, view: View, content: Markup) -> Response {
    let html = match view.fragment {
        true => content,
        false => shell(tab.label(), Some(tab), view.live, content),
    };
    Html(html.into_string()).into_response()
}

/// A page that is not live (one call, an error), with the nav bar.
fn plain_page(status: StatusCode, title: &str, content: Markup) -> Response {
    (status, Html(shell(title, None, false, content).into_string())).into_response()
}

/// `303 See Other` to `path`: where a form's post sends the browser back.
fn see_other(path: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, path.to_owned())]).into_response()
}

/// The page around `content`: the nav bar (`tab` marked), the title and, for a live tab, the no-JS reload and the
/// script that swaps in fresh content when the events stream names one of its topics.
fn shell(title: &str, tab: Option<Tab>, live: bool, content: Markup) -> Markup {
    let live_tab = tab.filter(|_| live);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // No icon: else the browser asks for /favicon.ico, which the journal would show as a refused call.
                link rel="icon" href="data:,";
                @if live_tab.is_some() { noscript { meta http-equiv="refresh" content=(REFRESH_SECONDS); } }
                title { "snapbi sandbox: " (title) }
                style { (STYLE) }
            }
            body {
                (nav(tab))
                h1 { (title) }
                @if let Some(tab) = tab { (live_switch(tab, live)) }
                main id="live" data-topics=(topic_names(live_tab)) { (content) }
                @if live_tab.is_some() { script { (PreEscaped(LIVE_SCRIPT)) } }
            }
        }
    }
}

fn nav(here: Option<Tab>) -> Markup {
    html! {
        nav {
            span.brand { "snapbi sandbox" }
            @for tab in Tab::ALL {
                a href=(tab.path()) class=[(here == Some(tab)).then_some("here")] { (tab.label()) }
            }
        }
    }
}

/// Whether the page is live, and the link that switches.
fn live_switch(tab: Tab, live: bool) -> Markup {
    html! {
        p.status {
            @if live {
                span id="live-status" { "live" } " · " a href={ (tab.path()) "?live=0" } { "pause" }
            } @else {
                "paused · " a href=(tab.path()) { "live" }
            }
        }
    }
}

fn topic_names(tab: Option<Tab>) -> String {
    let topics = tab.map_or(&[][..], Tab::topics);
    topics.iter().map(|t| t.name()).collect::<Vec<_>>().join(" ")
}

/// `text` with every client secret of the sandbox cut out, as the journal keeps what callers sent.
fn without_secrets(sandbox: &Sandbox, text: &str) -> String {
    let secrets: Vec<&str> = sandbox.inner.clients.values().map(|c| c.secret.expose()).collect();
    crate::journal::capped_text(text.as_bytes(), usize::MAX, &secrets).0
}

/// JSON pretty-printed, secrets cut out.
fn pretty_json(sandbox: &Sandbox, value: &serde_json::Value) -> String {
    without_secrets(sandbox, &serde_json::to_string_pretty(value).unwrap_or_default())
}

/// Listens to the events stream and swaps in the page's content when one of its topics changed; fetches again once
/// more when a change arrives during a fetch, so the last change is always shown; fetches once on opening too, for
/// what changed before the stream was open. `#live-status` says whether the stream is open (the page says "live"
/// without JavaScript, where it reloads itself); `data-updates` counts the swaps.
const LIVE_SCRIPT: &str = r#"(() => {
  const main = document.getElementById("live");
  const topics = main.dataset.topics.split(" ");
  const status = document.getElementById("live-status");
  let busy = false, again = false, updates = 0;
  status.textContent = "connecting…";
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        const answer = await fetch(location.pathname + "?fragment=1", { cache: "no-store" });
        if (answer.ok) { main.innerHTML = await answer.text(); main.dataset.updates = ++updates; }
      } while (again);
    } catch (e) { status.textContent = "offline"; }
    busy = false;
  }
  const events = new EventSource("/_sandbox/ui/events");
  events.onopen = () => { status.textContent = "live"; refresh(); };
  events.onerror = () => { status.textContent = "reconnecting…"; };
  events.addEventListener("change", (e) => {
    if (e.data.split(" ").some((t) => topics.includes(t))) refresh();
  });
})();"#;

const STYLE: &str = "\
*{box-sizing:border-box}\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\
nav{display:flex;gap:.25em;align-items:center;background:#1d2330;padding:.5em 1.5em}\
nav a{color:#cfd6e4;text-decoration:none;padding:.35em .8em;border-radius:4px}\
nav a:hover{background:#2e3648}nav a.here{background:#3d6df2;color:#fff}\
nav .brand{color:#fff;font-weight:600;margin-right:1em}\
h1{font-size:1.35em;margin:1em 1.1em .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}\
main,p.status{margin:0 1.5em}main{padding-bottom:2em}p.status{color:#667;font-size:.9em}\
table{border-collapse:collapse;margin:.5em 0;background:#fff}div.wide{overflow-x:auto}\
th,td{border:1px solid #dde1e8;padding:.3em .6em;text-align:left;vertical-align:top;font-size:13px}\
th{background:#eef0f4;font-weight:600}\
pre{white-space:pre-wrap;word-break:break-all;margin:0}code{font-size:.95em}\
.ok{color:#176b17}.no{color:#a31515;font-weight:600}.skip{color:#888}tr.ok,tr.no{color:inherit;font-weight:400}\
input[type=number]{width:6em}\
table.side td{max-width:40em}td.url{max-width:16em;word-break:break-all}\
form.inline{display:inline;margin:0}\
button{font:inherit;padding:.25em .9em;border:1px solid #3d6df2;background:#3d6df2;color:#fff;border-radius:4px;\
cursor:pointer}button.quiet{background:#fff;color:#3d6df2}\
fieldset{border:1px solid #dde1e8;background:#fff;margin:.6em 0;padding:.6em 1em}\
fieldset label{margin-right:1em}input,select{font:inherit;padding:.15em .3em}\
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6em 1em;margin:.8em 0}\
.muted{color:#667}details summary{cursor:pointer;color:#3d6df2}";
