//! DANA's UAT scenarios as a permanent conformance table: `conformance/dana-uat/*.yaml` holds one case per
//! scenario of DANA's self-test suite (dana-id/uat-script) for every DANA endpoint snapbi has: the request body,
//! the code DANA's sandbox answered and the cause read from the suite's tests (see
//! `conformance/dana-uat/README.md`). For every case this test checks that
//!
//! 1. **valid**: a request DANA took past its own validation (accepted, or refused for account state, for its
//!    records or as a repeat) passes our validators, the generated ones (`build()`, `snapbi validate`) and the
//!    sandbox's;
//! 2. **refused**: a request DANA refused for a body field is refused by both validators and by the sandbox over
//!    HTTP, the first violation naming that field;
//! 3. **codes**: every code DANA gave is declared in the endpoint's spec (`codes:`);
//! 4. **sandbox**: the sandbox on loopback answers DANA's code for the same request, correctly signed unless the
//!    cause is a header or the signature, after the same earlier calls (`given`); a code caused by DANA's account
//!    state is forced with `X-Sandbox-Scenario` and must come back.
//!
//! It prints the counts and fails on any case that does not hold. Cases marked `pending` (a check that needs a
//! change outside the specs) and `excluded` (a code DANA's sandbox does not give) are counted apart, with their
//! reason. `a_spec_stricter_than_dana_fails_the_checks` breaks the specs on purpose to show the checks bite.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use snapbi::rt;
use snapbi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, SCENARIO_HEADER, Sandbox, SandboxHandle};
use snapbi_spec::ir::samples::sample_str;
use snapbi_spec::ir::{Api, AuthKind, Direction, Endpoint, FieldType, HeaderSource, TokenPlace};

/// DANA endpoints without a UAT case here: DANA's suite has none for query user profile (an Open API call); its
/// merchant-management scenarios (MerchantManagement.json CreateShop, CreateDivision) are Open API calls, which this
/// table's SNAP-framed probe does not send (tests/dana_merchant_management.rs checks their bodies pass the specs).
const WITHOUT_SCENARIOS: &[&str] = &[
    "dana.widget.query_user_profile",
    "dana.merchant_management.create_shop",
    "dana.merchant_management.update_shop",
    "dana.merchant_management.query_shop",
    "dana.merchant_management.create_division",
    "dana.merchant_management.update_division",
    "dana.merchant_management.query_division",
    "dana.merchant_management.query_merchant_resource",
    "dana.merchant_management.query_merchant_info",
    "dana.merchant_management.query_asset_card_list",
];

// ----- the table ----------------------------------------------------------------------------------------------

/// One file of `conformance/dana-uat/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    /// The suite's fixture file the cases come from.
    source: String,
    /// The suite's commit the cases were read at.
    snapshot: String,
    /// Scenarios of the file without a case, and why.
    left_out: Vec<LeftOut>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeftOut {
    scenarios: Vec<String>,
    why: String,
}

/// One scenario: a request and DANA's answer to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// `<Operation>.<Scenario>`, the scenario's key in the source file.
    id: String,
    endpoint: String,
    /// DANA's responseCode.
    code: String,
    /// Other codes DANA gives for the same request.
    #[serde(default)]
    also: Vec<String>,
    /// DANA's responseMessage (the part before DANA's `|` hint).
    #[serde(default)]
    message: Option<String>,
    cause: Cause,
    /// Calls the suite's test made first (an order to query, pay, cancel or refund).
    #[serde(default)]
    given: Vec<Step>,
    /// Checks that need a change outside the specs, with the reason.
    #[serde(default)]
    pending: BTreeMap<Check, String>,
    /// Why the recorded code is not an answer of DANA's sandbox (the case is not checked).
    #[serde(default)]
    excluded: Option<String>,
    /// The suite's tests that send the scenario.
    /// Read for the record only, like `note`.
    #[serde(default)]
    #[allow(dead_code)]
    tests: Vec<String>,
    /// What the test does that the body does not show.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    body: Value,
}

/// Why DANA answered as it did. Written `accepted`, or as a one-key map (`{field: amount.value}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawCause")]
enum Cause {
    /// A 2xx answer to the request as it is.
    Accepted,
    /// The body field at this wire path.
    Field(String),
    /// Headers the test changed: a value, or `null` for a header left out.
    Header(BTreeMap<String, Option<String>>),
    /// The X-SIGNATURE value the test sent instead of a signature of the request.
    Signature(String),
    /// The request repeats an earlier one with the same keys; the map holds the earlier request's values
    /// where they differ (empty: the same request again).
    Repeat(BTreeMap<String, Value>),
    /// DANA's records of earlier calls (no such order, not paid...), which the sandbox keeps too.
    Ledger(String),
    /// DANA's account or merchant state, which the sandbox is told with `X-Sandbox-Scenario`.
    State(String),
}

/// A cause as written in YAML: serde_yaml reads enum variants from YAML tags only, the table uses plain maps.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawCause {
    Word(String),
    Map(CauseMap),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseMap {
    field: Option<String>,
    header: Option<BTreeMap<String, Option<String>>>,
    signature: Option<String>,
    repeat: Option<BTreeMap<String, Value>>,
    ledger: Option<String>,
    state: Option<String>,
}

impl TryFrom<RawCause> for Cause {
    type Error = String;

    fn try_from(raw: RawCause) -> Result<Self, String> {
        let map = match raw {
            RawCause::Word(word) if word == "accepted" => return Ok(Cause::Accepted),
            RawCause::Word(word) => return Err(format!("unknown cause `{word}`")),
            RawCause::Map(map) => map,
        };
        let causes = [
            map.field.map(Cause::Field),
            map.header.map(Cause::Header),
            map.signature.map(Cause::Signature),
            map.repeat.map(Cause::Repeat),
            map.ledger.map(Cause::Ledger),
            map.state.map(Cause::State),
        ];
        let mut given = causes.into_iter().flatten();
        match (given.next(), given.next()) {
            (Some(cause), None) => Ok(cause),
            _ => Err("a cause names exactly one of field, header, signature, repeat, ledger, state".into()),
        }
    }
}

/// A call made before the case's request: `send` another case of the same file (as it is, except for `set`, wire
/// path → value), or `pay` the order with this partnerReferenceNo (the suite: DANA's page in a browser).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    send: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, Value>,
    pay: Option<String>,
    /// A record DANA's back office holds for the suite's merchant (the account holder an inquiry asks about),
    /// registered in the sandbox as a tester would: `{kind, fields}`.
    register: Option<Registered>,
    /// The customer consents on DANA's OAuth page (the suite: a browser): the sandbox issues an auth code, which
    /// replaces the case body's value at this wire path.
    consent: Option<String>,
    /// The suite's customer binds and the merchant applies for their token (the suite: a browser, then apply
    /// token): a simulated customer is registered, and their customer token replaces the case body's value at this
    /// wire path and travels where the endpoint's `customer` says (`Authorization-Customer`).
    bound: Option<String>,
}

/// A back-office record of the endpoint's provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registered {
    kind: String,
    fields: Value,
}

/// The four checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Check {
    Valid,
    Refused,
    Codes,
    Sandbox,
}

impl Case {
    /// Whether DANA got past its validation of the body (so ours must let it through too).
    fn passed_dana_validation(&self) -> bool {
        matches!(
            self.cause,
            Cause::Accepted | Cause::Repeat(_) | Cause::Ledger(_) | Cause::State(_)
        )
    }

    /// The account state or record the answer depends on, for failure messages.
    fn depends_on(&self) -> &str {
        match &self.cause {
            Cause::Ledger(why) | Cause::State(why) => why,
            _ => "",
        }
    }

    fn codes(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.code.as_str()).chain(self.also.iter().map(String::as_str))
    }
}

fn table_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/dana-uat")
}

/// Every table, by file name.
fn tables() -> Vec<(String, Table)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(table_dir())
        .expect("conformance/dana-uat")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable table");
            let table = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, table)
        })
        .collect()
}

fn api() -> Api {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_spec::load(&specs, Path::new("specs")) {
        Ok(loaded) => loaded.api,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

// ----- bodies -------------------------------------------------------------------------------------------------

/// Sets the value at a wire path with list indexes (`payOptionDetails[0].transAmount.value`).
fn set_path(body: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut slot = body;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        slot = slot.get_mut(name).ok_or_else(|| format!("no {name} in {path}"))?;
        if let Some(i) = index {
            slot = slot.get_mut(i).ok_or_else(|| format!("no item {i} in {path}"))?;
        }
    }
    *slot = value;
    Ok(())
}

fn with_values(body: &Value, values: &BTreeMap<String, Value>) -> Result<Value, String> {
    let mut body = body.clone();
    for (path, value) in values {
        set_path(&mut body, path, value.clone())?;
    }
    Ok(body)
}

/// The violations the generated validator and the sandbox's validator report, in order, as (wire path, message);
/// Err when the two disagree.
fn violations(api: &Api, endpoint: &Endpoint, body: &Value) -> Result<Vec<(String, String)>, String> {
    let entry = snapbi::ENDPOINTS
        .iter()
        .find(|e| e.info.id == endpoint.info.id)
        .ok_or_else(|| format!("no generated endpoint {}", endpoint.info.id))?;
    let generated: Vec<(String, String)> = match (entry.validate_body)(body.clone()) {
        Ok(()) => Vec::new(),
        Err(e) => e.violations().iter().map(|v| (v.path.clone(), v.to_string())).collect(),
    };
    let dynamic: Vec<(String, String)> = snapbi_sandbox::validate::request(api, endpoint, body)
        .iter()
        .map(|v| (v.path.clone(), v.to_string()))
        .collect();
    match generated == dynamic {
        true => Ok(generated),
        false => Err(format!(
            "generated validator {generated:?} ≠ sandbox validator {dynamic:?}"
        )),
    }
}

// ----- checks 1-3 ---------------------------------------------------------------------------------------------

/// Check 1: the request (and the first call of a repeat) passes both validators.
fn check_valid(api: &Api, endpoint: &Endpoint, case: &Case) -> Result<(), String> {
    let mut bodies = vec![case.body.clone()];
    if let Cause::Repeat(first) = &case.cause {
        bodies.push(with_values(&case.body, first)?);
    }
    for body in bodies {
        let found = violations(api, endpoint, &body)?;
        if !found.is_empty() {
            let list: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
            return Err(format!("DANA accepts it, ours refuses: {}", list.join("; ")));
        }
    }
    Ok(())
}

/// Check 2 (validators): the first violation names the field DANA refused.
fn check_refused(api: &Api, endpoint: &Endpoint, case: &Case, field: &str) -> Result<(), String> {
    let found = violations(api, endpoint, &case.body)?;
    match found.first() {
        Some((path, _)) if path == field => Ok(()),
        Some((_, message)) => Err(format!("refused for another field first: {message}")),
        None => Err(format!("DANA refuses {field}, ours accepts the body")),
    }
}

/// Check 3: every code DANA gave is one the endpoint declares.
fn check_declared(endpoint: &Endpoint, case: &Case) -> Result<(), String> {
    let declared: Vec<&str> = endpoint.codes.iter().map(|c| c.code.as_str()).collect();
    let missing: Vec<&str> = case.codes().filter(|c| !declared.contains(c)).collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!("{} does not declare {}", endpoint.info.id, missing.join(", "))),
    }
}

// ----- the sandbox --------------------------------------------------------------------------------------------

/// A fresh sandbox on 127.0.0.1 for one case (stopped when dropped) and a raw HTTP caller that signs with the
/// sandbox's demo client key.
struct Probe {
    sandbox: Sandbox,
    base: String,
    http: reqwest::Client,
    key: rt::keys::PrivateKey,
    _handle: SandboxHandle,
}

/// What the sandbox answered.
#[derive(Debug)]
struct Reply {
    status: u16,
    code: String,
    message: String,
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {} {}", self.status, self.code, self.message)
    }
}

impl Probe {
    /// A sandbox playing `provider`.
    async fn start(api: &Api, provider: &str) -> Result<Probe, String> {
        let sandbox = Sandbox::builder()
            .api(api.clone())
            .provider(provider)
            .and_then(|b| b.build())
            .map_err(|e| format!("sandbox: {e}"))?;
        let (base, handle) = sandbox.spawn_on_loopback().await.map_err(|e| format!("bind: {e}"))?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        let key = rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).map_err(|e| format!("key: {e}"))?;
        Ok(Probe {
            sandbox,
            base,
            http,
            key,
            _handle: handle,
        })
    }

    /// The headers the provider wants for `endpoint`, signed over `body` now, then its caller headers with
    /// their example values (what a correct client sends).
    fn headers(&self, endpoint: &Endpoint, body: &[u8]) -> Result<Vec<(String, String)>, String> {
        let api = self.sandbox.api();
        let provider = api.provider(&endpoint.info.provider).ok_or("no provider")?;
        let timestamp = rt::timestamp::SnapTimestamp::now().as_str().to_owned();
        let signature = match endpoint.info.auth {
            AuthKind::Token => rt::signature::sign_token(DEMO_CLIENT_ID, &timestamp, &self.key),
            AuthKind::Asymmetric => {
                rt::signature::sign_asymmetric(&endpoint.info.method, &endpoint.info.path, body, &timestamp, &self.key)
            }
            // It needs a B2B token first; no endpoint of DANA's is signed this way, nor unsigned.
            AuthKind::Symmetric => return Err(format!("{} needs a B2B token", endpoint.info.id)),
            AuthKind::Unsigned => return Err(format!("{} is not signed", endpoint.info.id)),
        }
        .map_err(|e| format!("signing: {e}"))?;
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        for (name, source) in provider.headers_for(endpoint.info.auth) {
            let value = match source {
                HeaderSource::ClientId => DEMO_CLIENT_ID.to_owned(),
                HeaderSource::ExternalId => uuid_like(),
                HeaderSource::ChannelId => provider.channel_id.clone().unwrap_or_default(),
                HeaderSource::Timestamp => timestamp.clone(),
                HeaderSource::Signature => signature.clone(),
                HeaderSource::Value(v) => v.to_string(),
                // DANA's SNAP headers use none of these.
                HeaderSource::BearerToken
                | HeaderSource::Function
                | HeaderSource::ClientSecret
                | HeaderSource::RequestId
                | HeaderSource::BasicSecret
                | HeaderSource::Template(_) => continue,
            };
            headers.push((name.clone(), value));
        }
        for field in &endpoint.headers {
            if let FieldType::Str(rule) = &field.ty {
                headers.push((
                    field.wire.clone(),
                    sample_str(rule, field.example.as_deref()).unwrap_or_default(),
                ));
            }
        }
        Ok(headers)
    }

    async fn send(&self, endpoint: &Endpoint, headers: &[(String, String)], body: Vec<u8>) -> Result<Reply, String> {
        let method = reqwest::Method::from_bytes(endpoint.info.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, endpoint.info.path));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(|e| format!("no answer: {e}"))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let text = |name: &str| answer[name].as_str().unwrap_or_default().to_owned();
        Ok(Reply {
            status,
            code: text("responseCode"),
            message: text("responseMessage"),
        })
    }

    /// Sends `body` correctly signed, with `changes` made to the headers (None removes one).
    async fn call(&self, endpoint: &Endpoint, body: &Value, changes: &[(&str, Option<&str>)]) -> Result<Reply, String> {
        let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        let mut headers = self.headers(endpoint, &bytes)?;
        for (name, value) in changes {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            if let Some(value) = value {
                headers.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        self.send(endpoint, &headers, bytes).await
    }
}

/// A fresh X-EXTERNAL-ID, 36 characters like the SDKs' (the sandbox refuses one used twice a day).
fn uuid_like() -> String {
    let n = uuid_counter();
    format!("00000000-0000-4000-8000-{n:012}")
}

fn uuid_counter() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A reply carrying one of the case's codes, with the code's HTTP status.
fn answered(reply: &Reply, case: &Case) -> Result<(), String> {
    if !case.codes().any(|c| c == reply.code) {
        let dana = case.message.as_deref().unwrap_or_default();
        let because = match case.depends_on() {
            "" => String::new(),
            why => format!(" ({why})"),
        };
        return Err(format!(
            "the sandbox answered {reply}, DANA {} {dana}{because}",
            case.code
        ));
    }
    match reply.code.get(..3) == Some(reply.status.to_string().as_str()) {
        true => Ok(()),
        false => Err(format!("HTTP status of {reply} is not the code's")),
    }
}

/// For a header or signature refusal, the sandbox's message says what DANA's says (both are the SNAP table's
/// `Invalid Mandatory Field X-TIMESTAMP`, `Unauthorized. Invalid Signature`; DANA sometimes leaves the name out).
fn same_words(reply: &Reply, case: &Case) -> Result<(), String> {
    let dana = case.message.as_deref().unwrap_or_default();
    let refusal = matches!(case.cause, Cause::Header(_) | Cause::Signature(_));
    match !refusal || reply.message.starts_with(dana) {
        true => Ok(()),
        false => Err(format!("the sandbox said `{}`, DANA `{dana}`", reply.message)),
    }
}

/// What the calls before a case give it: body values (wire path → value: an auth code the customer's consent
/// issued, a customer token) and headers (a customer token).
#[derive(Default)]
struct Gives {
    body: BTreeMap<String, Value>,
    headers: Vec<(String, String)>,
}

/// The suite's bound customer: registered, with a wallet, and their customer token from apply token.
async fn bound_customer(probe: &Probe, provider: &str) -> Result<String, String> {
    let customer = snapbi_sandbox::Customer {
        provider: provider.to_owned(),
        phone_no: "6281100000001".into(),
        balance: Some(snapbi_sandbox::Money {
            value: "100000.00".into(),
            currency: "IDR".into(),
        }),
        status: snapbi_sandbox::CustomerStatus::Active,
    };
    probe
        .sandbox
        .add_customers(vec![customer.clone()])
        .map_err(|e| e.to_string())?;
    let (_, code) = probe
        .sandbox
        .issue_customer_auth_code(None, provider, &customer.phone_no)
        .map_err(|e| e.to_string())?;
    let api = probe.sandbox.api();
    let apply = api
        .endpoints
        .iter()
        .find(|e| e.info.provider == provider && e.request.iter().any(|f| f.wire == "authCode"))
        .ok_or("no B2B2C token endpoint")?;
    let body = serde_json::json!({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}});
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    let headers = probe.headers(apply, &bytes)?;
    let method = reqwest::Method::from_bytes(apply.info.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = probe.http.request(method, format!("{}{}", probe.base, apply.info.path));
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let answer: Value = request
        .body(bytes)
        .send()
        .await
        .map_err(|e| format!("apply token: {e}"))?
        .json()
        .await
        .map_err(|e| format!("apply token: {e}"))?;
    answer["accessToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or(format!("apply token answered {answer}"))
}

/// Runs the calls the suite's test made before the case; returns what they give the case's own request.
async fn run_given(
    probe: &Probe,
    cases: &[Case],
    endpoint_of: impl Fn(&str) -> Option<Endpoint>,
    case: &Case,
) -> Result<Gives, String> {
    let mut gives = Gives::default();
    for step in &case.given {
        if let Some(path) = &step.bound {
            let endpoint = endpoint_of(&case.endpoint).ok_or(format!("given: no {}", case.endpoint))?;
            let token = bound_customer(probe, &endpoint.info.provider)
                .await
                .map_err(|e| format!("given: the bound customer: {e}"))?;
            let place = endpoint.customer.as_ref().and_then(|w| w.token.as_ref());
            if let Some(TokenPlace::Header(name)) = place {
                gives.headers.push((name.clone(), format!("Bearer {token}")));
            }
            gives.body.insert(path.clone(), Value::String(token));
            continue;
        }
        if let Some(path) = &step.consent {
            let (_, code) = probe
                .sandbox
                .issue_auth_code(None)
                .map_err(|e| format!("given: the customer's consent: {e}"))?;
            gives.body.insert(path.clone(), Value::String(code));
            continue;
        }
        if let Some(record) = &step.register {
            let provider = endpoint_of(&case.endpoint).map(|e| e.info.provider).unwrap_or_default();
            probe
                .sandbox
                .add_record(&provider, &record.kind, record.fields.clone())
                .map_err(|e| format!("given: registering a {}: {e}", record.kind))?;
            continue;
        }
        match (&step.send, &step.pay) {
            (None, Some(pay)) if step.set.is_empty() => {
                probe
                    .sandbox
                    .complete_payment(pay)
                    .map_err(|e| format!("given: paying {pay}: {e}"))?;
            }
            (Some(send), None) => {
                let earlier = cases
                    .iter()
                    .find(|c| &c.id == send)
                    .ok_or(format!("given: no case {send}"))?;
                let endpoint = endpoint_of(&earlier.endpoint).ok_or(format!("given: no {}", earlier.endpoint))?;
                let body = with_values(&earlier.body, &step.set)?;
                let reply = probe.call(&endpoint, &body, &[]).await?;
                if !reply.code.starts_with('2') {
                    return Err(format!("given: {send} was answered {reply}"));
                }
            }
            _ => {
                return Err(format!(
                    "given: {step:?} is none of `send` (with `set`), `pay`, `register`, `consent`, `bound`"
                ));
            }
        }
    }
    Ok(gives)
}

/// What the sandbox answers to the case, after its `given` calls: the request sent as the cause says.
async fn sandbox_reply(api: &Api, cases: &[Case], endpoint: &Endpoint, case: &Case) -> Result<Reply, String> {
    let probe = Probe::start(api, &endpoint.info.provider).await?;
    let gives = run_given(&probe, cases, |id| api.endpoint(id).cloned(), case).await?;
    let body = &with_values(&case.body, &gives.body)?;
    // The headers the calls before gave, then the ones the cause changes.
    let given: Vec<(&str, Option<&str>)> = gives
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), Some(v.as_str())))
        .collect();
    let with = |changes: &[(&'static str, Option<&'static str>)]| joined(&given, changes);
    match &case.cause {
        Cause::Accepted | Cause::Field(_) | Cause::Ledger(_) => probe.call(endpoint, body, &with(&[])).await,
        Cause::Header(changes) => {
            let changes: Vec<(&str, Option<&str>)> = changes.iter().map(|(n, v)| (n.as_str(), v.as_deref())).collect();
            probe.call(endpoint, body, &joined(&given, &changes)).await
        }
        Cause::Signature(value) => {
            let changes = [("X-SIGNATURE", Some(value.as_str()))];
            probe.call(endpoint, body, &joined(&given, &changes)).await
        }
        Cause::Repeat(first) => {
            let reply = probe.call(endpoint, &with_values(body, first)?, &with(&[])).await?;
            if !reply.code.starts_with('2') {
                return Err(format!("the first call of the repeat was answered {reply}"));
            }
            probe.call(endpoint, body, &with(&[])).await
        }
        Cause::State(_) => {
            let forced = [(SCENARIO_HEADER, Some(case.code.as_str()))];
            probe.call(endpoint, body, &joined(&given, &forced)).await
        }
    }
}

/// The header changes the calls before gave, then `changes` (a later change of a header wins).
fn joined<'a>(
    given: &[(&'a str, Option<&'a str>)],
    changes: &[(&'a str, Option<&'a str>)],
) -> Vec<(&'a str, Option<&'a str>)> {
    given.iter().chain(changes).copied().collect()
}

// ----- the run ------------------------------------------------------------------------------------------------

/// Counts of one check.
#[derive(Default)]
struct Count {
    held: usize,
    checked: usize,
    pending: usize,
}

/// What a run found.
#[derive(Default)]
struct Outcome {
    counts: BTreeMap<Check, Count>,
    /// Of the valid checks, the requests DANA answered with a 2xx code.
    accepted: usize,
    forced: usize,
    inbound: usize,
    cases: usize,
    excluded: Vec<String>,
    pending: Vec<String>,
    failures: Vec<String>,
}

impl Outcome {
    /// Records one check of one case: pending when the table says so, else held or failed.
    fn record(&mut self, check: Check, case: &Case, file: &str, result: Result<(), String>) {
        let count = self.counts.entry(check).or_default();
        if let Some(reason) = case.pending.get(&check) {
            count.pending += 1;
            self.pending.push(format!("{file} {} [{check:?}]: {reason}", case.id));
            return;
        }
        count.checked += 1;
        match result {
            Ok(()) => count.held += 1,
            Err(why) => self.failures.push(format!("{file} {} [{check:?}]: {why}", case.id)),
        }
    }

    fn print(&self) {
        println!(
            "DANA UAT conformance: {} cases from conformance/dana-uat ({} excluded)",
            self.cases,
            self.excluded.len()
        );
        let lines = [
            (
                Check::Valid,
                format!(
                    "requests DANA let through pass our validators ({} answered 2xx)",
                    self.accepted
                ),
            ),
            (
                Check::Refused,
                "body-field refusals are ours too, naming the field".into(),
            ),
            (Check::Codes, "codes DANA gave are declared by the endpoint".into()),
            (
                Check::Sandbox,
                format!(
                    "the sandbox answers DANA's code ({} forced by X-Sandbox-Scenario; {} inbound, not served)",
                    self.forced, self.inbound
                ),
            ),
        ];
        for (check, what) in lines {
            let count = self.counts.get(&check);
            let (held, checked, pending) = count.map_or((0, 0, 0), |c| (c.held, c.checked, c.pending));
            let name = format!("{check:?}").to_lowercase();
            println!("  {name:<8}{held:>4}/{checked:<4} {what}; {pending} pending");
        }
        for line in self.excluded.iter().chain(&self.pending) {
            println!("  - {line}");
        }
    }
}

/// Runs the four checks over every case of every table against `api`.
async fn run(api: &Api, tables: &[(String, Table)]) -> Outcome {
    let mut out = Outcome::default();
    for (file, table) in tables {
        for case in &table.cases {
            out.cases += 1;
            if let Some(why) = &case.excluded {
                out.excluded.push(format!("{file} {} excluded: {why}", case.id));
                continue;
            }
            let Some(endpoint) = api.endpoint(&case.endpoint) else {
                out.failures
                    .push(format!("{file} {}: no endpoint {}", case.id, case.endpoint));
                continue;
            };
            check_case(api, &table.cases, file, endpoint, case, &mut out).await;
        }
    }
    out
}

async fn check_case(api: &Api, cases: &[Case], file: &str, endpoint: &Endpoint, case: &Case, out: &mut Outcome) {
    if case.passed_dana_validation() {
        out.accepted += usize::from(case.code.starts_with('2'));
        out.record(Check::Valid, case, file, check_valid(api, endpoint, case));
    }
    out.record(Check::Codes, case, file, check_declared(endpoint, case));
    if endpoint.direction == Direction::Inbound {
        // DANA sends it and the merchant answers: nothing for the sandbox to serve.
        out.inbound += 1;
        return;
    }
    let reply = sandbox_reply(api, cases, endpoint, case).await;
    if let Cause::Field(field) = &case.cause {
        let named = reply
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|r| match r.message.ends_with(field.as_str()) {
                true => Ok(()),
                false => Err(format!("the sandbox answered {r}, not naming {field}")),
            });
        let result = check_refused(api, endpoint, case, field).and(named);
        out.record(Check::Refused, case, file, result);
    }
    if matches!(case.cause, Cause::State(_)) {
        out.forced += 1;
    }
    out.record(
        Check::Sandbox,
        case,
        file,
        reply.and_then(|r| answered(&r, case).and(same_words(&r, case))),
    );
}

/// Every endpoint of the providers the tables cover (but those DANA's suite has no scenario for) has a case.
fn uncovered(api: &Api, tables: &[(String, Table)]) -> Vec<String> {
    let cases = || tables.iter().flat_map(|(_, t)| &t.cases);
    let providers: Vec<&str> = cases()
        .filter_map(|c| api.endpoint(&c.endpoint))
        .map(|e| e.info.provider.as_ref())
        .collect();
    api.endpoints
        .iter()
        .filter(|e| providers.contains(&e.info.provider.as_ref()) && !WITHOUT_SCENARIOS.contains(&e.info.id.as_ref()))
        .filter(|e| !cases().any(|c| c.endpoint == e.info.id))
        .map(|e| e.info.id.to_string())
        .collect()
}

/// Each table's header is filled in and its case ids are unique (`given` names cases by id).
fn check_tables(tables: &[(String, Table)]) {
    for (file, table) in tables {
        assert!(
            !table.source.is_empty() && table.snapshot.len() == 40,
            "{file}: source and snapshot"
        );
        for left in &table.left_out {
            assert!(
                !left.scenarios.is_empty() && !left.why.is_empty(),
                "{file}: left_out needs scenarios and why"
            );
        }
        let mut ids: Vec<&str> = table.cases.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "{file}: duplicate case ids");
    }
}

#[tokio::test]
async fn dana_uat_scenarios_hold_for_specs_validators_and_sandbox() {
    let api = api();
    let tables = tables();
    check_tables(&tables);
    assert_eq!(
        uncovered(&api, &tables),
        Vec::<String>::new(),
        "endpoints without a case"
    );
    let out = run(&api, &tables).await;
    out.print();
    assert!(
        out.failures.is_empty(),
        "{} failures:\n{}",
        out.failures.len(),
        out.failures.join("\n")
    );
    let checked: usize = out.counts.values().map(|c| c.checked).sum();
    assert!(checked > 400, "only {checked} checks ran");
}

/// The checks bite: with a code taken out of a spec, a field made mandatory that DANA's requests omit, and a
/// refused field made free-form, the same cases fail, each on its check.
#[tokio::test]
async fn a_spec_stricter_than_dana_fails_the_checks() {
    let mut api = api();
    let endpoint =
        |api: &mut Api, id: &str| -> usize { api.endpoints.iter().position(|e| e.info.id == id).expect("endpoint") };
    let create = endpoint(&mut api, "dana.payment_gateway.create_order");
    api.endpoints[create].codes.retain(|c| c.code != "2005400");
    let consult = endpoint(&mut api, "dana.payment_gateway.consult_pay");
    let extra = api.endpoints[consult]
        .request
        .iter()
        .position(|f| f.wire == "externalStoreId")
        .expect("field");
    api.endpoints[consult].request[extra].required = true;
    let refund = endpoint(&mut api, "dana.payment_gateway.refund_order");
    let amount = api.endpoints[refund]
        .request
        .iter()
        .position(|f| f.wire == "refundAmount")
        .expect("field");
    api.endpoints[refund].request[amount].ty = FieldType::Json;

    let wanted = [
        "CreateOrder.CreateOrderApi",
        "ConsultPay.ConsultPayBalancedSuccess",
        "RefundOrder.RefundOrderIllegalParameter",
    ];
    let (file, table) = tables()
        .into_iter()
        .find(|(f, _)| f == "payment-gateway.yaml")
        .expect("table");
    let picked = Table {
        cases: table
            .cases
            .into_iter()
            .filter(|c| wanted.contains(&c.id.as_str()))
            .collect(),
        ..table
    };
    assert_eq!(picked.cases.len(), wanted.len());
    let out = run(&api, &[(file, picked)]).await;
    let failed = |id: &str, check: &str| out.failures.iter().any(|f| f.contains(id) && f.contains(check));
    assert!(failed("CreateOrder.CreateOrderApi", "[Codes]"), "{:#?}", out.failures);
    assert!(
        failed("ConsultPay.ConsultPayBalancedSuccess", "[Valid]"),
        "{:#?}",
        out.failures
    );
    assert!(
        failed("ConsultPay.ConsultPayBalancedSuccess", "[Sandbox]"),
        "{:#?}",
        out.failures
    );
    assert!(
        failed("RefundOrder.RefundOrderIllegalParameter", "[Refused]"),
        "{:#?}",
        out.failures
    );
}
