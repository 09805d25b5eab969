//! A provider's own consent page (`consent_page` of a provider file), served at the provider's path: DANA's OAuth
//! page, `GET /v1.0/get-auth-code?partnerId=…&redirectUrl=…&state=…[&seamlessData={"mobile":"62…"}]`, which the
//! customer's browser opens with a URL the merchant builds, never an API call.
//!
//! `GET` shows who asks (the client the URL names) and the provider's registered customers to pick, the one the URL
//! hints at (`phone`) first. `POST` (the form posts to the same URL, query and all) with `decision=approve` and
//! `phoneNo` issues an authorization code for that customer, good at once, and sends the browser (`303`) to the
//! merchant's URL with the code under `code_param` and the `echo` parameters as they came; the provider's B2B2C token
//! endpoint exchanges the code for a token standing for the customer. `decision=reject` sends the browser back with
//! the `echo` parameters only: no code, and nothing the provider does not document. A URL naming no known client or no
//! http(s) URL to go back to is refused with a page saying so (`400`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use snapbi_spec::ir::{ConsentPage, PhoneHint};

use super::consent::with_query;
use super::{CustomerStatus, Holder};
use crate::Sandbox;
use crate::grants::{AUTH_CODE_LIFETIME, GrantKind, Grantee};

/// The routes of the consent pages of the served providers: one per path (the first provider declaring it serves it).
pub(crate) fn routes(sandbox: &Sandbox) -> Router<Sandbox> {
    let mut router = Router::new();
    let mut paths: Vec<&str> = Vec::new();
    for provider in served_pages(sandbox) {
        let Some(page) = &provider.consent_page else { continue };
        // The admin routes keep their own paths; a path twice is served once.
        if page.path.starts_with("/_sandbox") || paths.contains(&page.path.as_str()) {
            continue;
        }
        paths.push(&page.path);
        let (for_show, for_decide) = (provider.name.clone(), provider.name.clone());
        let route = get(move |State(s): State<Sandbox>, RawQuery(q): RawQuery| show(s, for_show, q))
            .post(move |State(s): State<Sandbox>, RawQuery(q): RawQuery, form: Bytes| decide(s, for_decide, q, form));
        router = router.route(&page.path, route);
    }
    router
}

/// The providers with a consent page that the sandbox serves an endpoint of.
fn served_pages(sandbox: &Sandbox) -> impl Iterator<Item = &snapbi_spec::ir::Provider> {
    let api = sandbox.api();
    api.providers.iter().filter(move |provider| {
        provider.consent_page.is_some()
            && sandbox
                .endpoints()
                .filter_map(|id| api.endpoint(id))
                .any(|e| e.info.provider == provider.name)
    })
}

/// What the page's URL asks.
struct Asked {
    client_id: String,
    redirect: String,
    /// The `echo` parameters, as they came.
    echoed: Vec<(String, String)>,
    /// The phone number the URL hints at.
    phone: Option<String>,
}

impl Asked {
    /// Reads the URL's query; a refusal in words for a URL the page cannot serve.
    fn read(sandbox: &Sandbox, page: &ConsentPage, query: Option<&str>) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let client_id = param(&page.client)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| format!("the URL names no client: `{}` is missing", page.client))?;
        if !sandbox.inner.clients.contains_key(&client_id) {
            return Err(format!("`{}` {client_id:?} is no client of this sandbox", page.client));
        }
        let redirect = param(&page.redirect)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("the URL names no way back: `{}` is missing", page.redirect))?;
        if !(redirect.starts_with("https://") || redirect.starts_with("http://")) {
            return Err(format!("`{}` {redirect:?} is not an http(s) URL", page.redirect));
        }
        let echoed = page
            .echo
            .iter()
            .filter_map(|name| Some((name.clone(), param(name)?)))
            .collect();
        let phone = page
            .phone
            .as_ref()
            .and_then(|hint| hinted_phone(hint, param(&hint.param)?));
        Ok(Self {
            client_id,
            redirect,
            echoed,
            phone,
        })
    }

    /// The merchant's URL with `added` and then the echoed parameters.
    fn back(&self, added: Option<(&str, &str)>) -> String {
        let pairs = added
            .into_iter()
            .chain(self.echoed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        pairs.fold(self.redirect.clone(), |url, (name, value)| {
            with_query(&url, name, value)
        })
    }
}

/// The phone number in a hint's parameter: the value itself, or a member of the JSON object it holds.
fn hinted_phone(hint: &PhoneHint, value: String) -> Option<String> {
    let Some(member) = &hint.member else {
        return Some(value);
    };
    let object: serde_json::Value = serde_json::from_str(&value).ok()?;
    object.get(member)?.as_str().map(str::to_owned)
}

/// The provider's consent page.
fn consent_page<'s>(sandbox: &'s Sandbox, provider: &str) -> Option<&'s ConsentPage> {
    let provider = sandbox.api().providers.iter().find(|p| p.name == provider)?;
    provider.consent_page.as_ref()
}

/// `GET`: who asks, and the customers to pick.
async fn show(sandbox: Sandbox, provider: String, query: Option<String>) -> Response {
    let Some(page) = consent_page(&sandbox, &provider) else {
        return refusal(StatusCode::NOT_FOUND, "no consent page here");
    };
    let asked = match Asked::read(&sandbox, page, query.as_deref()) {
        Ok(asked) => asked,
        Err(why) => return refusal(StatusCode::BAD_REQUEST, &why),
    };
    let customers = sandbox.inner.world.of_provider(&provider);
    let hinted = asked.phone.as_deref();
    let unknown_hint = hinted.filter(|h| !customers.iter().any(|c| c.phone_no == *h));
    let body = html! {
        p { "Client " b #client { (asked.client_id) } " asks to bind your " (provider) " account." }
        @if let Some(hint) = unknown_hint {
            p #hint { "No registered customer has the number the link names (" (hint) ")." }
        }
        form method="post" {
            @if customers.is_empty() {
                p { "No customer of " (provider) " is registered (POST /_sandbox/customers)." }
            } @else {
                p {
                    label { "Customer "
                        select #customer name="phoneNo" {
                            @for c in &customers {
                                option value=(c.phone_no) selected[hinted == Some(c.phone_no.as_str())] {
                                    (c.phone_no)
                                    @if c.status == CustomerStatus::Frozen { " (frozen)" }
                                }
                            }
                        }
                    }
                }
                button #approve name="decision" value="approve" { "Approve" } " "
            }
            button #reject name="decision" value="reject" { "Reject" }
        }
    };
    document(StatusCode::OK, "Bind your account?", body)
}

/// `POST`: the customer's decision; `303` back to the merchant.
async fn decide(sandbox: Sandbox, provider: String, query: Option<String>, form: Bytes) -> Response {
    let Some(page) = consent_page(&sandbox, &provider) else {
        return refusal(StatusCode::NOT_FOUND, "no consent page here");
    };
    let asked = match Asked::read(&sandbox, page, query.as_deref()) {
        Ok(asked) => asked,
        Err(why) => return refusal(StatusCode::BAD_REQUEST, &why),
    };
    let field = |name: &str| {
        form_urlencoded::parse(&form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let location = match field("decision").as_deref() {
        Some("reject") => asked.back(None),
        Some("approve") => {
            let holder = Holder {
                provider,
                phone_no: field("phoneNo").unwrap_or_default(),
            };
            match sandbox.inner.world.get(&holder) {
                None => {
                    let why = format!(
                        "no customer of {} has phone number {:?}",
                        holder.provider, holder.phone_no
                    );
                    return refusal(StatusCode::BAD_REQUEST, &why);
                }
                Some(c) if c.status == CustomerStatus::Frozen => {
                    return refusal(StatusCode::FORBIDDEN, &format!("customer {} is frozen", c.phone_no));
                }
                Some(_) => {}
            }
            let to = Grantee {
                client_id: &asked.client_id,
                holder: Some(holder),
            };
            let code = sandbox.inner.grants.issue(to, GrantKind::AuthCode, AUTH_CODE_LIFETIME);
            asked.back(Some((&page.code_param, &code)))
        }
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "send decision=approve (with phoneNo) or decision=reject",
            );
        }
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn refusal(status: StatusCode, why: &str) -> Response {
    document(status, "Cannot bind", html! { p #error { (why) } })
}

fn document(status: StatusCode, title: &str, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; link rel="icon" href="data:,"; title { "snapbi sandbox: " (title) } }
            body { h1 { (title) } (body) }
        }
    };
    (status, Html(page.into_string())).into_response()
}
