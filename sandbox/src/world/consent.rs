//! The consent page of a binding, standing for the bank's or e-wallet's page where the customer confirms it
//! (DOKU's `redirectUrl`): `GET /_sandbox/consent/{id}` shows who binds what, and `POST` with `decision=approve` or
//! `decision=reject` decides, once.
//!
//! Approving makes the binding's authorization code good for a customer token and sends the customer (`303 See
//! Other`) to the merchant's approved URL, with the code in the query parameter the provider documents
//! (`consent.code_param`) when it documents one; rejecting voids the code and sends the customer to the rejected URL
//! without it. Both URLs are the merchant's own values; the sandbox adds nothing a provider does not document.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::Holder;
use crate::Sandbox;
use crate::admin::escape;

/// A binding waiting for the customer's decision.
#[derive(Clone)]
pub(crate) struct Pending {
    /// The client (merchant) the binding is for.
    pub(crate) client_id: String,
    /// The customer who decides.
    pub(crate) holder: Holder,
    /// The authorization code the binding issued, good once approved. Secret: never shown on the page.
    pub(crate) code: String,
    /// Where approving sends the customer, when the merchant gave a URL.
    pub(crate) approved: Option<String>,
    /// Where rejecting sends the customer (none: `approved`).
    pub(crate) rejected: Option<String>,
    /// The query parameter carrying the code on the approved URL, if the provider documents one.
    pub(crate) code_param: Option<String>,
    /// What the customer decided: none while waiting.
    pub(crate) decided: Option<bool>,
}

/// The code is a credential: never shown.
impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("client_id", &self.client_id)
            .field("holder", &self.holder)
            .field("code", &"<redacted>")
            .field("approved", &self.approved)
            .field("rejected", &self.rejected)
            .field("code_param", &self.code_param)
            .field("decided", &self.decided)
            .finish()
    }
}

impl Pending {
    /// Where the customer goes after deciding: none when the merchant gave no URL for it.
    fn destination(&self, approve: bool) -> Option<String> {
        let approved = self.approved.as_deref();
        match (approve, &self.code_param) {
            (true, Some(param)) => approved.map(|url| with_query(url, param, &self.code)),
            (true, None) => approved.map(str::to_owned),
            (false, _) => self.rejected.as_deref().or(approved).map(str::to_owned),
        }
    }
}

/// `url` with `name=value` added to its query, before any fragment.
pub(super) fn with_query(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let pair: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    let joiner = if base.contains('?') { '&' } else { '?' };
    match fragment {
        Some(fragment) => format!("{base}{joiner}{pair}#{fragment}"),
        None => format!("{base}{joiner}{pair}"),
    }
}

/// `GET /_sandbox/consent/{id}`: who binds what, and the two buttons.
pub(crate) async fn show(State(sandbox): State<Sandbox>, Path(id): Path<String>) -> Response {
    let Some(pending) = sandbox.inner.world.consent(&id) else {
        return page(
            StatusCode::NOT_FOUND,
            "No such consent",
            "<p>No binding waits here.</p>",
        );
    };
    let state = match pending.decided {
        None => "<form method=post><button name=decision value=approve>Approve</button> \
                 <button name=decision value=reject>Reject</button></form>"
            .to_owned(),
        Some(true) => "<p>Approved already.</p>".to_owned(),
        Some(false) => "<p>Rejected already.</p>".to_owned(),
    };
    let body = format!(
        "<p>Customer {} of {} is asked to bind their account to client {}.</p>{state}",
        escape(&pending.holder.phone_no),
        escape(&pending.holder.provider),
        escape(&pending.client_id),
    );
    page(StatusCode::OK, "Bind your account?", &body)
}

/// `POST /_sandbox/consent/{id}` with `decision=approve|reject`: decides once and sends the customer on.
pub(crate) async fn decide(State(sandbox): State<Sandbox>, Path(id): Path<String>, form: Bytes) -> Response {
    let decision = form_urlencoded::parse(&form)
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.into_owned());
    let approve = match decision.as_deref() {
        Some("approve") => true,
        Some("reject") => false,
        _ => {
            let msg = "<p>Send <code>decision=approve</code> or <code>decision=reject</code>.</p>";
            return page(StatusCode::BAD_REQUEST, "No decision", msg);
        }
    };
    let inner = &sandbox.inner;
    let Some(pending) = inner.world.decide(&id, approve) else {
        let status = match inner.world.consent(&id) {
            Some(_) => StatusCode::CONFLICT,
            None => StatusCode::NOT_FOUND,
        };
        return page(status, "Not decided", "<p>No binding waits here for a decision.</p>");
    };
    inner.grants.decide(&pending.code, approve);
    match pending.destination(approve) {
        Some(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        None => page(
            StatusCode::OK,
            "Decided",
            "<p>The merchant gave no URL to return to.</p>",
        ),
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>snapbi sandbox: {0}</title><h1>{0}</h1>{body}",
        escape(title)
    );
    (status, Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_never_shown() {
        let pending = Pending {
            client_id: "c".into(),
            holder: Holder {
                provider: "doku".into(),
                phone_no: "6281".into(),
            },
            code: "s3cr3t-code".into(),
            approved: Some("https://m.example/ok".into()),
            rejected: None,
            code_param: Some("authCode".into()),
            decided: None,
        };
        assert!(!format!("{pending:?}").contains("s3cr3t-code"));
        assert_eq!(
            pending.destination(true).as_deref(),
            Some("https://m.example/ok?authCode=s3cr3t-code")
        );
        assert_eq!(pending.destination(false).as_deref(), Some("https://m.example/ok"));
    }

    #[test]
    fn the_code_joins_the_query_before_any_fragment() {
        assert_eq!(
            with_query("https://m.example/ok", "authCode", "a b"),
            "https://m.example/ok?authCode=a+b"
        );
        assert_eq!(
            with_query("https://m.example/ok?x=1#top", "authCode", "c"),
            "https://m.example/ok?x=1&authCode=c#top"
        );
    }
}
