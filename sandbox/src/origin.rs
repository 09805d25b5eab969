//! The sandbox's own pages and admin endpoints refuse a browser's request from another origin that would change
//! something: any web page a tester has open can post a form to `http://127.0.0.1:8080/_sandbox/…` (cross-site
//! request forgery), and would otherwise pay a payment, arm a fault or register a customer in their name. The admin
//! endpoints read their JSON from any body, so even a `text/plain` form reaches them.
//!
//! A browser says where a request comes from (`Origin`, and `Sec-Fetch-Site` in current browsers); a program (an
//! SDK, curl, a test) says neither and is not concerned. So a request is refused only when it is not a safe method
//! (GET, HEAD, OPTIONS) and its `Origin` is another origin than the sandbox's own (`Host`), or `null` (a sandboxed
//! or `file:` page), or, without `Origin`, its `Sec-Fetch-Site` names another site. The sandbox's own forms (pay
//! page, consent pages, the dashboard) post from its own origin and pass.
//!
//! The provider endpoints (every other path) are left out: a call there must carry a signature or a secret that a
//! foreign page does not have, and checking them would cost every call of the hot path.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware for the admin routes: refuses a cross-origin browser request that would change something (403).
pub(crate) async fn same_origin_only(request: Request, next: Next) -> Response {
    match cross_origin(request.method(), request.headers()) {
        Some(why) => refused(&why),
        None => next.run(request).await,
    }
}

fn refused(why: &str) -> Response {
    let message = format!(
        "refused: {why}; the sandbox's pages and admin endpoints take changes only from its own pages or from \
         programs (cross-site request forgery)"
    );
    (
        StatusCode::FORBIDDEN,
        axum::Json(serde_json::json!({ "error": message })),
    )
        .into_response()
}

/// Why a request is a cross-origin one from a browser that may not change the sandbox; `None` when it may go on.
fn cross_origin(method: &Method, headers: &HeaderMap) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("‹not text›"));
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        let host = text(header::HOST.as_str()).unwrap_or("");
        return match authority(origin) {
            Some(authority) if authority.eq_ignore_ascii_case(host) => None,
            _ => Some(format!(
                "the request comes from the page of origin {origin:?}, not from this sandbox ({host})"
            )),
        };
    }
    match text("sec-fetch-site") {
        Some(site) if !matches!(site, "same-origin" | "none") => Some(format!(
            "the browser says the request comes from another site (Sec-Fetch-Site: {site})"
        )),
        _ => None,
    }
}

/// `host[:port]` of an origin `scheme://host[:port]`; none for `null` or anything else.
fn authority(origin: &str) -> Option<&str> {
    let (scheme, rest) = origin.split_once("://")?;
    let plain = matches!(scheme, "http" | "https") && !rest.is_empty();
    plain.then_some(rest).filter(|r| !r.contains(['/', '?', '#', '@']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(method: Method, pairs: &[(&'static str, &'static str)]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().expect("header value"));
        }
        cross_origin(&method, &headers)
    }

    const HOST: (&str, &str) = ("host", "127.0.0.1:8080");

    #[test]
    fn programs_and_the_sandbox_s_own_pages_pass() {
        assert_eq!(verdict(Method::POST, &[HOST]), None, "an SDK or curl sends no Origin");
        let own = [
            HOST,
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(verdict(Method::POST, &own), None);
        assert_eq!(
            verdict(
                Method::DELETE,
                &[("host", "LOCALHOST:9"), ("origin", "http://localhost:9")]
            ),
            None
        );
        assert_eq!(
            verdict(Method::POST, &[HOST, ("sec-fetch-site", "none")]),
            None,
            "typed in the address bar"
        );
    }

    #[test]
    fn reading_is_never_refused() {
        let foreign = [
            HOST,
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ];
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert_eq!(verdict(method, &foreign), None);
        }
    }

    #[test]
    fn another_origin_is_refused_with_what_it_was() {
        let cases: [&[(&str, &str)]; 6] = [
            &[HOST, ("origin", "https://evil.example")],
            &[HOST, ("origin", "http://127.0.0.1:3000")],
            &[HOST, ("origin", "http://localhost:8080")],
            &[HOST, ("origin", "null")],
            &[("origin", "http://127.0.0.1:8080")],
            &[HOST, ("sec-fetch-site", "same-site")],
        ];
        for case in cases {
            let why = verdict(Method::POST, case);
            assert!(why.is_some(), "{case:?} passed");
        }
        let why = verdict(Method::POST, &[HOST, ("origin", "https://evil.example")]).unwrap_or_default();
        assert!(
            why.contains("\"https://evil.example\"") && why.contains("127.0.0.1:8080"),
            "{why}"
        );
        let why = verdict(Method::PUT, &[HOST, ("sec-fetch-site", "cross-site")]).unwrap_or_default();
        assert!(why.contains("Sec-Fetch-Site: cross-site"), "{why}");
    }
}
