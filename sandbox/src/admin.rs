//! The admin endpoints under `/_sandbox/`, for tests and people, and the router that puts them next to
//! the SNAP endpoints (every other path is a SNAP call, see `call`).
//!
//! | endpoint | does |
//! |---|---|
//! | `GET /_sandbox` | the served endpoints with their declared codes, and this list |
//! | `GET /_sandbox/ledger` | every payment with its refunds, and every record (virtual accounts) |
//! | `POST /_sandbox/records/{provider}/{kind}` | registers a record the provider's back office holds (a DANA account holder, a bank account), from the fields in the body |
//! | `POST /_sandbox/records/{provider}/{kind}/pay` | a customer pays a record (a DOKU virtual account): the body names it by its key and holds the payment's fields (`paidAmount`, `paymentRequestId`, …); the record is then paid and its notification sent |
//! | `GET /_sandbox/notifications` | every notification attempt, each with its notification's number |
//! | `POST /_sandbox/notifications/{n}/resend` | sends notification `n` again (same body, fresh signature): one more attempt |
//! | `POST /_sandbox/payments/{partnerReferenceNo}/complete` | the customer pays a jump-app payment |
//! | `GET`/`POST /_sandbox/pay/{partnerReferenceNo}` | the page `webRedirectUrl` points at (`pay_page`): the customers to pick where the payment's endpoint pays from wallets (`?ott=` picks one), and Pay / Cancel / Let it expire; posting `action=pay\|cancel\|expire` (and `payer`) does it and shows the page again |
//! | `GET`/`POST` a provider's `consent_page` path (DANA's `/v1.0/get-auth-code`) | the provider's own binding page (`world::consent_page`): the customers to pick / `decision=approve\|reject`, then `303` to the merchant's URL with the code |
//! | `GET`/`POST /_sandbox/pages/{token}` | the page a create answers where the customer pays its record (DOKU Checkout's `payment.url`): what the record holds and a form for what the payment brings; posting it pays the record (`record_pages`) |
//! | `POST /_sandbox/auth-codes` | an authorization code for `{"clientId"}` (optional with one client), as a binding completed on the provider's page gives; the B2B2C token endpoint takes it once; with `"provider"` and `"phoneNo"` the customer token it buys stands for that registered customer |
//! | `GET`/`POST /_sandbox/customers` | the simulated customers as they are now / registers `{"provider","phoneNo","balance":{"value","currency"},"status":"active"\|"frozen"}` (or a list of them), each replacing one with the same provider and phone number |
//! | `GET /_sandbox/customers/{provider}/{phoneNo}` | one customer as they are now (its balance after payments and refunds) |
//! | `GET`/`POST /_sandbox/consent/{id}` | the consent page a binding answers (`world::consent`): who binds what / `decision=approve\|reject`, then `303` to the merchant's URL |
//! | `GET`/`POST`/`DELETE /_sandbox/scenarios` | list / arm `{"endpoint","code","times"}` / disarm all |
//! | `GET`/`POST`/`DELETE /_sandbox/faults` | list / arm `{"endpoint","kind","ms","times"}` / disarm all |
//! | `GET /_sandbox/journal`, `GET /_sandbox/journal/{n}` | the last calls answered, newest first, or one of them (`journal`) |
//! | `GET /_sandbox/ui`, `/_sandbox/ui/calls/{n}`, `/_sandbox/ui/ledger`, `/_sandbox/ui/notifications`, `/_sandbox/ui/armed` | the dashboard: the calls, one call with its checks and signature, the ledger, the notifications with Resend, the armed scenarios and faults with their forms (`dashboard`) |
//! | `GET /_sandbox/ui/events` | server-sent events naming what changed, for the dashboard's live pages |
//!
//! Admin answers are plain JSON (`{"error": "…"}` on a bad request), not SNAP bodies: they are not part of
//! any provider's API. A browser's request from another origin that would change something is refused with `403`
//! on all of them (`origin`).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::sandbox::SandboxError;
use crate::scenarios::{Fault, FaultKind};
use crate::world::{Customer, consent, consent_page};
use crate::{Sandbox, call, pay_page, record_pages};

impl Sandbox {
    /// The sandbox as an axum [`Router`]: the admin routes, with every other request handled as a call of the
    /// served endpoints. For mounting the sandbox in a server of your own, or for driving it in-process (tower's
    /// `oneshot`); outside [`Sandbox::serve`] the `drop_after_commit` fault cannot close a connection, so its
    /// committed answer is sent after all.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/_sandbox", get(index))
            .route("/_sandbox/ledger", get(ledger))
            .route("/_sandbox/records/{provider}/{kind}", post(add_record))
            .route("/_sandbox/records/{provider}/{kind}/pay", post(pay_record))
            .route("/_sandbox/notifications", get(notifications))
            .route("/_sandbox/notifications/{n}/resend", post(resend))
            .route("/_sandbox/payments/{partner_reference_no}/complete", post(complete))
            .route(
                "/_sandbox/pay/{partner_reference_no}",
                get(pay_page::show).post(pay_page::act),
            )
            .route(
                "/_sandbox/pages/{token}",
                get(record_pages::show).post(record_pages::pay),
            )
            .route("/_sandbox/auth-codes", post(auth_code))
            .route("/_sandbox/customers", get(customers).post(add_customers))
            .route("/_sandbox/customers/{provider}/{phone_no}", get(customer))
            .route("/_sandbox/consent/{id}", get(consent::show).post(consent::decide))
            .route(
                "/_sandbox/scenarios",
                get(scenarios).post(arm_scenario).delete(clear_scenarios),
            )
            .route("/_sandbox/faults", get(faults).post(arm_fault).delete(clear_faults))
            .merge(crate::dashboard::routes())
            .merge(consent_page::routes(self))
            // The routes above, not the provider calls of the fallback (see `origin`).
            .route_layer(axum::middleware::from_fn(crate::origin::same_origin_only))
            .fallback(call::handle)
            .with_state(self.clone())
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn sandbox_error(e: &SandboxError) -> Response {
    let status = match e {
        SandboxError::PaymentNotFound(_) | SandboxError::RecordNotFound(_) | SandboxError::NotificationNotFound(_) => {
            StatusCode::NOT_FOUND
        }
        SandboxError::NotCompletable { .. } | SandboxError::AlreadyPaid(_) => StatusCode::CONFLICT,
        SandboxError::UnknownClient(_) => StatusCode::NOT_FOUND,
        SandboxError::Customer(message) if message.starts_with("no customer") => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, e.to_string())
}

/// Reads an admin JSON body; the error is the parser's words, for a 400 answer.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

async fn index(State(sandbox): State<Sandbox>) -> Json<Value> {
    let endpoints: Vec<Value> = sandbox
        .endpoints()
        .filter_map(|id| sandbox.api().endpoint(id))
        .map(|e| {
            let codes: Vec<&str> = e.codes.iter().map(|c| c.code.as_str()).collect();
            json!({ "id": e.info.id, "method": e.info.method, "path": e.info.path, "aliases": e.aliases, "operation": e.operation.as_str(), "codes": codes })
        })
        .collect();
    Json(json!({
        "endpoints": endpoints,
        "scenarioHeader": "X-Sandbox-Scenario: <a declared code of the endpoint>",
        "admin": [
            "GET /_sandbox/ledger",
            "POST /_sandbox/records/{provider}/{kind} {\"<key field>\": …, …}",
            "POST /_sandbox/records/{provider}/{kind}/pay {\"<key field>\": …, \"paidAmount\": {…}, …}",
            "GET /_sandbox/notifications",
            "POST /_sandbox/notifications/{n}/resend",
            "POST /_sandbox/payments/{partnerReferenceNo}/complete",
            "GET|POST /_sandbox/pay/{partnerReferenceNo} action=pay|cancel|expire payer=<phoneNo>",
            "GET|POST /_sandbox/pages/{token}",
            "POST /_sandbox/auth-codes {\"clientId\", \"provider\", \"phoneNo\"}",
            "GET|POST /_sandbox/customers {\"provider\",\"phoneNo\",\"balance\":{\"value\",\"currency\"},\"status\"}",
            "GET /_sandbox/customers/{provider}/{phoneNo}",
            "GET|POST /_sandbox/consent/{id} decision=approve|reject",
            "GET|POST|DELETE /_sandbox/scenarios {\"endpoint\",\"code\",\"times\"}",
            "GET|POST|DELETE /_sandbox/faults {\"endpoint\",\"kind\":\"delay|drop_after_commit|status_5xx\",\"ms\",\"times\"}",
            "GET /_sandbox/journal",
            "GET /_sandbox/journal/{n}",
            "GET /_sandbox/ui",
            "GET /_sandbox/ui/calls/{n}",
            "GET /_sandbox/ui/ledger",
            "GET /_sandbox/ui/notifications",
            "GET /_sandbox/ui/armed",
            "GET /_sandbox/ui/events",
        ],
    }))
}

async fn ledger(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "payments": sandbox.ledger(), "records": sandbox.records() }))
}

/// Registers a record the provider's back office holds (body: its fields under their wire names).
async fn add_record(
    State(sandbox): State<Sandbox>,
    Path((provider, kind)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let fields = match parse::<Value>(&body) {
        Ok(fields) => fields,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match sandbox.add_record(&provider, &kind, fields) {
        Ok(records) => Json(json!({ "records": records })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

/// A customer pays a record (body: its key values and the payment's fields under their wire names).
async fn pay_record(
    State(sandbox): State<Sandbox>,
    Path((provider, kind)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let payment = match parse::<Value>(&body) {
        Ok(payment) => payment,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match sandbox.pay_record(&provider, &kind, &payment) {
        Ok(records) => Json(json!({ "records": records })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

async fn notifications(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "deliveries": sandbox.notifications() }))
}

/// Sends notification `n` again; it is delivered in the background, as a new attempt.
async fn resend(State(sandbox): State<Sandbox>, Path(n): Path<u64>) -> Response {
    match sandbox.resend_notification(n) {
        Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "resent": n }))).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

async fn complete(State(sandbox): State<Sandbox>, Path(partner_reference_no): Path<String>) -> Response {
    match sandbox.complete_payment(&partner_reference_no) {
        Ok(payment) => Json(json!({ "payment": payment })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `times` defaults to 1: arming without it means "the next call".
fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmScenario {
    endpoint: String,
    /// Accepted as a JSON string or number (`"4035414"` or `4035414`).
    code: Value,
    #[serde(default = "one")]
    times: u32,
}

async fn scenarios(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "armed": sandbox.armed_scenarios() }))
}

async fn arm_scenario(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let request: ArmScenario = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let code = match &request.code {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return error(StatusCode::BAD_REQUEST, "`code` must be a seven-digit code"),
    };
    match sandbox.arm_scenario(&request.endpoint, &code, request.times) {
        Ok(()) => Json(json!({ "armed": sandbox.armed_scenarios() })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

async fn clear_scenarios(State(sandbox): State<Sandbox>) -> Json<Value> {
    sandbox.clear_scenarios();
    Json(json!({ "armed": [] }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AuthCodeFor {
    client_id: Option<String>,
    /// With `phone_no`: the registered customer the code's token stands for.
    provider: Option<String>,
    phone_no: Option<String>,
}

/// An authorization code, for a client whose customer "bound an account" on the provider's own page (DANA's
/// OAuth redirect); an empty body means the only client.
async fn auth_code(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let request: AuthCodeFor = match body.iter().all(u8::is_ascii_whitespace) {
        true => AuthCodeFor::default(),
        false => match parse(&body) {
            Ok(request) => request,
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        },
    };
    let client_id = request.client_id.as_deref();
    let issued = match (&request.provider, &request.phone_no) {
        (Some(provider), Some(phone_no)) => sandbox.issue_customer_auth_code(client_id, provider, phone_no),
        (None, None) => sandbox.issue_auth_code(client_id),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "name a customer by both `provider` and `phoneNo`",
            );
        }
    };
    match issued {
        Ok((client_id, code)) => Json(json!({
            "authCode": code,
            "clientId": client_id,
            "expiresInSeconds": crate::AUTH_CODE_LIFETIME.as_secs(),
        }))
        .into_response(),
        Err(e) => sandbox_error(&e),
    }
}

/// One customer or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum CustomersIn {
    One(Customer),
    Many(Vec<Customer>),
}

async fn customers(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "customers": sandbox.customers() }))
}

async fn add_customers(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let given = match parse::<CustomersIn>(&body) {
        Ok(CustomersIn::One(customer)) => vec![customer],
        Ok(CustomersIn::Many(customers)) => customers,
        // An untagged enum's own error says nothing useful: read it as one customer again for the field's words.
        Err(_) => match parse::<Customer>(&body) {
            Ok(customer) => vec![customer],
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        },
    };
    match sandbox.add_customers(given) {
        Ok(added) => Json(json!({ "customers": added })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

async fn customer(State(sandbox): State<Sandbox>, Path((provider, phone_no)): Path<(String, String)>) -> Response {
    match sandbox.customer(&provider, &phone_no) {
        Some(customer) => Json(json!({ "customer": customer })).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no customer of {provider} has phone number {phone_no:?}"),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmFault {
    endpoint: String,
    kind: FaultKind,
    #[serde(default)]
    ms: u64,
    #[serde(default = "one")]
    times: u32,
}

async fn faults(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "armed": sandbox.armed_faults() }))
}

async fn arm_fault(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let request: ArmFault = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let fault = Fault {
        kind: request.kind,
        ms: request.ms,
    };
    match sandbox.arm_fault(&request.endpoint, fault, request.times) {
        Ok(()) => Json(json!({ "armed": sandbox.armed_faults() })).into_response(),
        Err(e) => sandbox_error(&e),
    }
}

async fn clear_faults(State(sandbox): State<Sandbox>) -> Json<Value> {
    sandbox.clear_faults();
    Json(json!({ "armed": [] }))
}
