//! Shared by the sandbox's integration tests: the workspace's API, a sandbox on loopback, and a raw HTTP
//! caller that builds and signs SNAP headers itself, from the IR's header sources, with the runtime's
//! signing functions (no generated client).

#![allow(dead_code, missing_docs)]

pub mod openssl;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use snapbi::rt;
use snapbi_sandbox::{
    Customer, CustomerStatus, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_SECRET, Sandbox, SandboxBuilder,
};
use snapbi_spec::ir::samples::{sample_object, sample_str};
use snapbi_spec::ir::{Api, AuthKind, CustomerAct, Endpoint, FieldType, HeaderSource, Operation, TokenPlace};
use tokio::sync::Mutex;

pub const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs");
pub const PAYMENT: &str = "doku.direct_debit.payment";
pub const REFUND: &str = "doku.direct_debit.refund";
pub const STATUS: &str = "doku.direct_debit.status";
pub const TOKEN: &str = "doku.token.b2b";

/// The workspace's specs, checked.
pub fn api() -> Api {
    // Read once per test binary: the suites ask for it per call, and parsing every spec file each time made
    // client_e2e spend its minutes in the YAML parser.
    static API: std::sync::LazyLock<Api> =
        std::sync::LazyLock::new(|| match snapbi_spec::load(Path::new(SPECS), Path::new("specs")) {
            Ok(loaded) => loaded.api,
            Err(diagnostics) => panic!("specs do not load: {diagnostics:?}"),
        });
    API.clone()
}

/// A sandbox on 127.0.0.1:0 (stopped when dropped) and a raw caller for it.
pub struct Running {
    pub sandbox: Sandbox,
    pub base: String,
    pub http: reqwest::Client,
    token: Mutex<Option<String>>,
    _handle: snapbi_sandbox::SandboxHandle,
}

/// Starts a sandbox configured by `configure` (the API and the DOKU provider are set already).
pub async fn start(configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder) -> Running {
    start_provider("doku", configure).await
}

/// The partnerServiceId of the DOKU virtual accounts the tests create (8 characters, left-padded with spaces).
pub const PARTNER_SERVICE_ID: &str = "  888994";

/// The key of the VA with `customer_no`: partnerServiceId + customerNo = virtualAccountNo.
pub fn va(customer_no: &str) -> Value {
    serde_json::json!({
        "partnerServiceId": PARTNER_SERVICE_ID,
        "customerNo": customer_no,
        "virtualAccountNo": format!("{PARTNER_SERVICE_ID}{customer_no}"),
    })
}

/// `body` with the members of `extra` written over it.
pub fn with(mut body: Value, extra: Value) -> Value {
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    body
}

/// DOKU's merchant-side token endpoint as a merchant under test serves it (the sandbox asks it before it notifies):
/// the issuer of its tokens, which checks DOKU's signature with the sandbox's provider key, and its route.
pub fn merchant_token_route() -> (snapbi::rt::inbound::TokenIssuer, axum::routing::MethodRouter) {
    use axum::http::{HeaderMap, StatusCode};
    let provider_key =
        rt::keys::PublicKey::from_pem(snapbi_sandbox::DEMO_PROVIDER_PUBLIC_KEY_PEM).expect("demo provider key");
    let issuer = rt::inbound::TokenIssuer::new(
        &snapbi::doku::PROFILE,
        &snapbi::doku::merchant_token_b2b::ENDPOINT,
        provider_key,
    );
    let issuing = issuer.clone();
    let token = move |headers: HeaderMap| {
        let (status, body) = issuing.issue(&headers, time::OffsetDateTime::now_utc());
        async move { (StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED), body) }
    };
    (issuer, axum::routing::post(token))
}

/// What a merchant on loopback received on its notify route, in order.
pub type Inbox = std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, axum::body::Bytes)>>>;

/// A DOKU merchant on 127.0.0.1: the token endpoint DOKU asks first (at its spec's path) and a notify route at
/// `path` that keeps each notification and answers it with `answer` (the notification's success body). Its notify
/// URL, its inbox, the issuer of its tokens and its server.
pub async fn doku_merchant(
    path: &'static str,
    answer: &'static str,
) -> (String, Inbox, rt::inbound::TokenIssuer, tokio::task::JoinHandle<()>) {
    use axum::http::{HeaderMap, StatusCode};
    let (issuer, token) = merchant_token_route();
    let inbox = Inbox::default();
    let keep = std::sync::Arc::clone(&inbox);
    let notified = move |headers: HeaderMap, body: axum::body::Bytes| {
        keep.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((headers, body));
        async move { (StatusCode::OK, answer) }
    };
    let app = axum::Router::new()
        .route(path, axum::routing::post(notified))
        .route(&snapbi::doku::merchant_token_b2b::ENDPOINT.path, token);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}{path}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, inbox, issuer, server)
}

/// What `inbox` holds now.
pub fn received(inbox: &Inbox) -> Vec<(axum::http::HeaderMap, axum::body::Bytes)> {
    inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// A sandbox for each provider of the specs, with the endpoints it serves: what the IR-driven tests walk.
pub async fn every_provider() -> Vec<(Running, Vec<Endpoint>)> {
    let mut all = Vec::new();
    for provider in api().providers.iter().map(|p| p.name.clone()) {
        let run = start_provider(&provider, |b| b).await;
        let endpoints = run.sandbox.endpoints().map(|id| run.endpoint(id).clone()).collect();
        all.push((run, endpoints));
    }
    all
}

/// Starts a sandbox serving `provider` only.
pub async fn start_provider(provider: &str, configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder) -> Running {
    start_api(api(), provider, configure).await
}

/// Starts a sandbox interpreting `api` (the workspace's, changed by the test), serving `provider` only.
pub async fn start_api(api: Api, provider: &str, configure: impl FnOnce(SandboxBuilder) -> SandboxBuilder) -> Running {
    let builder = Sandbox::builder()
        .api(api)
        .provider(provider)
        .expect("the provider is in the specs");
    let sandbox = configure(builder).build().expect("sandbox builds");
    let (base, handle) = sandbox.spawn_on_loopback().await.expect("bind loopback");
    Running {
        sandbox,
        base,
        // Redirects are not followed: a consent page sends the customer to the merchant's URL, never loopback.
        http: reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        token: Mutex::new(None),
        _handle: handle,
    }
}

/// A payment the sandbox refused for its signature ([`Running::send_wrongly_signed_payment`]), as it was sent.
pub struct WronglySigned {
    /// The B2B token it carried.
    pub token: String,
    pub body: Vec<u8>,
    pub timestamp: String,
    /// The signature it carried, made with the wrong secret.
    pub signature: String,
}

impl WronglySigned {
    /// The string the sandbox expects signed for this payment at `endpoint`, SNAP's symmetric recipe
    /// (`METHOD:path:token:hex(SHA-256(body)):timestamp`), the body's hash computed by `openssl` alone (the body sent
    /// is compact JSON: already minified).
    pub fn expected_string_to_sign(&self, endpoint: &Endpoint) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            endpoint.info.method,
            endpoint.info.path,
            self.token,
            openssl::openssl_sha256_hex(&self.body),
            self.timestamp
        )
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["responseCode"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["responseMessage"].as_str().unwrap_or_default()
    }

    pub fn reason(&self) -> &str {
        self.headers
            .get(snapbi_sandbox::REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts the code, its message and that the HTTP status is the code's first three digits.
    #[track_caller]
    pub fn expect(&self, code: &str, message: &str) {
        assert_eq!(
            (self.code(), self.message()),
            (code, message),
            "reason: {}; body: {}",
            self.reason(),
            self.body
        );
        assert_eq!(self.status.to_string(), code[..3], "HTTP status = first three digits");
    }
}

/// An answer read through the runtime client ([`Running::call_through_client`]).
#[derive(Debug)]
pub struct Answered {
    pub status: u16,
    /// The code where the provider's framing puts it: an envelope's result code (`resultInfo.resultCode`), the
    /// code of a provider's own JSON, or the status field of its 2xx answer (`succeeded`).
    pub code: String,
    /// The whole answer (an envelope's too).
    pub body: Value,
}

/// The samples of string fields (head values, path parameters) as (wire name, value) pairs.
pub fn sample_strings(api: &Api, fields: &[snapbi_spec::ir::Field]) -> Vec<(String, String)> {
    let Value::Object(map) = sample_object(api, fields) else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .collect()
}

/// A fresh X-EXTERNAL-ID (digits, unique in this process).
pub fn external_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}{:012}{n:06}",
        std::process::id(),
        uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000
    )
}

/// A fresh reference number with `prefix`.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

pub fn now() -> String {
    rt::timestamp::SnapTimestamp::now().as_str().to_owned()
}

pub fn private_key() -> rt::keys::PrivateKey {
    rt::keys::PrivateKey::from_pem(DEMO_CLIENT_PRIVATE_KEY_PEM).expect("demo key")
}

/// A valid body for `endpoint` (every field, from the spec's examples and rules).
pub fn sample(api: &Api, endpoint: &str) -> Value {
    let endpoint = api.endpoint(endpoint).expect("endpoint in specs");
    sample_object(api, &endpoint.request)
}

/// The headers `endpoint` needs, signed over `body` at `timestamp`, in the provider's order, then the
/// caller headers with their example values.
pub fn signed_headers(
    api: &Api,
    endpoint: &Endpoint,
    body: &[u8],
    token: Option<&str>,
    timestamp: &str,
) -> Vec<(String, String)> {
    let provider = api.provider(&endpoint.info.provider).expect("provider");
    let secret = rt::secret::ClientSecret::from(DEMO_CLIENT_SECRET);
    let bare = rt::secret::AccessToken::from(token.unwrap_or_default());
    let signature = match endpoint.info.auth {
        AuthKind::Token => rt::signature::sign_token(DEMO_CLIENT_ID, timestamp, &private_key()),
        AuthKind::Symmetric => rt::signature::sign_symmetric(
            &endpoint.info.method,
            &endpoint.info.path,
            &bare,
            body,
            timestamp,
            &secret,
        ),
        AuthKind::Asymmetric => rt::signature::sign_asymmetric(
            &endpoint.info.method,
            &endpoint.info.path,
            body,
            timestamp,
            &private_key(),
        ),
        // Nothing signs an unsigned call.
        AuthKind::Unsigned => Ok(String::new()),
    }
    .unwrap_or_default();
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    for (name, source) in provider.headers_for(endpoint.info.auth) {
        let value = match source {
            HeaderSource::ClientId => DEMO_CLIENT_ID.to_owned(),
            HeaderSource::ExternalId => external_id(),
            HeaderSource::ChannelId => provider.channel_id.clone().unwrap_or_else(|| "95221".into()),
            HeaderSource::Timestamp => timestamp.to_owned(),
            HeaderSource::Signature => signature.clone(),
            HeaderSource::BearerToken => format!("Bearer {}", token.unwrap_or_default()),
            HeaderSource::Value(v) => v.to_string(),
            HeaderSource::BasicSecret => {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_CLIENT_SECRET}:"));
                format!("Basic {encoded}")
            }
            // Envelope heads only, never a provider's headers; the shipped SNAP profiles use no request id or
            // template (this caller signs with the SNAP recipes only).
            HeaderSource::Function
            | HeaderSource::ClientSecret
            | HeaderSource::RequestId
            | HeaderSource::Template(_) => continue,
        };
        headers.push((name.clone(), value));
    }
    for field in &endpoint.headers {
        if let FieldType::Str(rule) = &field.ty {
            let value = sample_str(rule, field.example.as_deref()).unwrap_or_default();
            headers.push((field.wire.clone(), value));
        }
    }
    headers
}

/// The value at a dotted wire path.
fn at<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(body, |v, k| v.get(k))
}

/// Sets (or adds) header `name` in a header list.
pub fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.to_owned()));
}

/// Removes header `name` from a header list.
pub fn remove_header(headers: &mut Vec<(String, String)>, name: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
}

impl Running {
    /// Stops the server and waits until its connections have closed, then drops the sandbox: its state file is free
    /// for the next one (merely dropping a `Running` leaves the connections to close in their own time).
    pub async fn stop(self) {
        let Running { sandbox, _handle, .. } = self;
        _handle.stop().await;
        drop(sandbox);
    }

    pub fn api(&self) -> &Api {
        self.sandbox.api()
    }

    pub fn endpoint(&self, id: &str) -> &Endpoint {
        self.api().endpoint(id).expect("endpoint in specs")
    }

    /// Sends raw bytes with these headers to `path`.
    pub async fn send(&self, method: &str, path: &str, headers: &[(String, String)], body: Vec<u8>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let raw = response.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    /// `GET path` of the sandbox (an admin or dashboard route): its status and text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the sandbox answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("text"))
    }

    /// Sends a payment signed with a client secret that is not the client's, which the sandbox refuses
    /// (4015400 Invalid Signature); what it was sent with.
    pub async fn send_wrongly_signed_payment(&self) -> WronglySigned {
        let endpoint = self.endpoint(PAYMENT).clone();
        let token = self.token().await;
        let body = serde_json::to_vec(&self.payment_body(&unique("INV"), "10000.00")).expect("json");
        let timestamp = now();
        let mut headers = self.headers_for(PAYMENT, &body).await;
        set_header(&mut headers, "X-TIMESTAMP", &timestamp);
        let signature = rt::signature::sign_symmetric(
            &endpoint.info.method,
            &endpoint.info.path,
            &rt::secret::AccessToken::from(token.as_str()),
            &body,
            &timestamp,
            &rt::secret::ClientSecret::from("not-the-client-secret"),
        )
        .expect("signs");
        set_header(&mut headers, "X-SIGNATURE", &signature);
        self.send_to(PAYMENT, &headers, body.clone())
            .await
            .expect("4015400", "Unauthorized. Invalid Signature");
        WronglySigned {
            token,
            body,
            timestamp,
            signature,
        }
    }

    /// A B2B token from a correctly signed token request (fetched once per `Running`).
    pub async fn token(&self) -> String {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            return token.clone();
        }
        let token = self.fresh_token().await;
        *cached = Some(token.clone());
        token
    }

    /// A new B2B token.
    pub async fn fresh_token(&self) -> String {
        let endpoint = self.endpoint(TOKEN);
        let body = br#"{"grantType":"client_credentials"}"#.to_vec();
        let headers = signed_headers(self.api(), endpoint, &body, None, &now());
        let reply = self
            .send(&endpoint.info.method, &endpoint.info.path, &headers, body)
            .await;
        // The success case's message as this sandbox's API publishes it (a test may have changed it).
        let successful = self.api().codes.case(200, "00").map_or("", |c| &*c.message);
        reply.expect("2007300", successful);
        reply.body["accessToken"].as_str().expect("accessToken").to_owned()
    }

    /// The signed headers for `id` over `body`, with a valid token where the endpoint needs one.
    pub async fn headers_for(&self, id: &str, body: &[u8]) -> Vec<(String, String)> {
        let endpoint = self.endpoint(id);
        let token = match endpoint.info.auth {
            AuthKind::Symmetric => Some(self.token().await),
            _ => None,
        };
        signed_headers(self.api(), endpoint, body, token.as_deref(), &now())
    }

    /// Calls `id` with `body`, correctly signed.
    pub async fn call(&self, id: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).expect("json");
        let headers = self.headers_for(id, &bytes).await;
        self.send_to(id, &headers, bytes).await
    }

    /// Sends `body` with `headers` to endpoint `id`'s method and path.
    pub async fn send_to(&self, id: &str, headers: &[(String, String)], body: Vec<u8>) -> Reply {
        let endpoint = self.endpoint(id);
        self.send(&endpoint.info.method, &endpoint.info.path, headers, body)
            .await
    }

    /// Calls `endpoint` through the runtime client, which frames and signs it as its provider does (DANA's Open API
    /// envelope, DOKU's non-SNAP signature, WooshPay's HTTP Basic key): what the raw SNAP caller ([`Running::call`])
    /// cannot send. `params` fill the path (`/v1/payment_intents/{id}`); the caller's head values are their samples.
    pub async fn call_through_client(
        &self,
        endpoint: &Endpoint,
        body: &Value,
        params: &[(String, String)],
    ) -> Answered {
        let config = rt::Config::new(DEMO_CLIENT_ID)
            .base_url(self.base.clone())
            .client_secret(DEMO_CLIENT_SECRET)
            .private_key(private_key());
        let entry = snapbi::ENDPOINTS
            .iter()
            .find(|e| e.info.id == endpoint.info.id)
            .expect("the generated client has every endpoint");
        let profile = snapbi::PROVIDERS
            .iter()
            .find(|p| p.name == endpoint.info.provider)
            .expect("the generated client has every provider");
        let client = rt::Client::new(profile, config).expect("client");
        let head = sample_strings(self.api(), &endpoint.headers);
        // The raw code is enough: the runtime's own response-code type keeps any code. A GET sends no body.
        let answer = match endpoint.has_body() {
            true => {
                client
                    .call_at::<Value, Value, rt::ResponseCode>(entry.info, params, body, &head)
                    .await
            }
            false => {
                client
                    .call_at::<rt::NoBody, Value, rt::ResponseCode>(entry.info, params, &rt::NoBody, &head)
                    .await
            }
        };
        let (status, code, raw) = match answer {
            Ok(reply) => (reply.status, reply.code, reply.raw_body),
            Err(rt::Error::Api {
                status, code, raw_body, ..
            }) => (status, code, raw_body),
            Err(other) => panic!("{}: {other}", endpoint.info.id),
        };
        Answered {
            status,
            code: code.as_str().to_owned(),
            body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
        }
    }

    /// A payment body with a fresh partnerReferenceNo and this amount.
    pub fn payment_body(&self, partner_reference_no: &str, amount: &str) -> Value {
        let mut body = sample(self.api(), PAYMENT);
        body["partnerReferenceNo"] = Value::String(partner_reference_no.to_owned());
        body["amount"]["value"] = Value::String(amount.to_owned());
        body
    }

    /// A refund body for `original` of `amount`.
    pub fn refund_body(&self, original: &str, partner_refund_no: &str, amount: &str) -> Value {
        let mut body = sample(self.api(), REFUND);
        body["originalPartnerReferenceNo"] = Value::String(original.to_owned());
        body["partnerRefundNo"] = Value::String(partner_refund_no.to_owned());
        body["refundAmount"]["value"] = Value::String(amount.to_owned());
        if let Some(map) = body.as_object_mut() {
            map.remove("originalReferenceNo");
        }
        body
    }

    /// A status body for `original`.
    pub fn status_body(&self, original: &str) -> Value {
        let mut body = sample(self.api(), STATUS);
        body["originalPartnerReferenceNo"] = Value::String(original.to_owned());
        if let Some(map) = body.as_object_mut() {
            map.remove("originalReferenceNo");
        }
        body
    }

    /// A paid payment of `amount` (created, then completed).
    pub async fn paid_payment(&self, amount: &str) -> String {
        let reference = unique("INV");
        let reply = self.call(PAYMENT, &self.payment_body(&reference, amount)).await;
        reply.expect("2005400", "Successful");
        self.sandbox.complete_payment(&reference).expect("complete");
        reference
    }

    /// Registers, as a tester would, every back-office record the served endpoints read but no call creates
    /// (DANA's account holders, bank accounts and the merchant itself): one per kind and sample key, keyed by the
    /// sample request's key values (where its `record_key` says they are), holding its response's sample values.
    /// Endpoints that read one record (DANA's merchant: its profile, balances and cards) fill the same one. Returns
    /// how many records were registered.
    pub fn register_back_office(&self) -> usize {
        let api = self.api();
        let mut records: Vec<(String, String, Value)> = Vec::new();
        for endpoint in self.sandbox.endpoints().filter_map(|id| api.endpoint(id)) {
            let Some(kind) = endpoint.record.as_deref() else {
                continue;
            };
            let created = api.endpoints.iter().any(|e| {
                e.info.provider == endpoint.info.provider
                    && e.record.as_deref() == Some(kind)
                    && e.operation == Operation::Create
            });
            let Some(record) = api.provider(&endpoint.info.provider).and_then(|p| p.record(kind)) else {
                continue;
            };
            if created {
                continue;
            }
            let request = sample_object(api, &endpoint.request);
            let mut fields = sample_object(api, &endpoint.response);
            let key: Vec<(String, String)> = match endpoint.record_key.first() {
                Some(lookup) => lookup.key.clone(),
                None => record.key.iter().map(|path| (path.clone(), path.clone())).collect(),
            };
            for (record_path, from) in &key {
                if let (Some(value), Some(map)) = (at(&request, from).cloned(), fields.as_object_mut()) {
                    map.insert(record_path.clone(), value);
                }
            }
            let same = |(provider, k, held): &&mut (String, String, Value)| {
                *provider == *endpoint.info.provider
                    && k == kind
                    && key.iter().all(|(path, _)| held.get(path) == fields.get(path))
            };
            match records.iter_mut().find(same) {
                Some((_, _, held)) => fill_in(held, fields),
                None => records.push((endpoint.info.provider.to_string(), kind.to_owned(), fields)),
            }
        }
        let registered = records.len();
        for (provider, kind, fields) in records {
            self.sandbox
                .add_record(&provider, &kind, fields)
                .expect("a back-office record of the sample");
        }
        registered + self.register_issued() + self.register_customers()
    }

    /// Registers the records later calls name by their path parameters' samples when the create issues their key
    /// itself (WooshPay's `pi_…`, which no sample create can be told to make): one per such endpoint, holding the
    /// create's sample request and the key values of the samples. Returns how many were registered.
    /// Registers, as a tester would, a simulated customer per served provider whose endpoints act on customers: the
    /// one its binding's sample names, else (a provider that binds on its own page, DANA) a number of the test's;
    /// active, with a wallet of 1 000 000.00 IDR. Returns how many.
    pub fn register_customers(&self) -> usize {
        let api = self.api();
        let served: Vec<&Endpoint> = self.sandbox.endpoints().filter_map(|id| api.endpoint(id)).collect();
        let mut customers: Vec<Customer> = Vec::new();
        for endpoint in served.iter().filter(|e| e.customer.is_some()) {
            let provider = endpoint.info.provider.to_string();
            if customers.iter().any(|c| c.provider == provider) {
                continue;
            }
            let bound_sample = served.iter().find_map(|e| {
                let world = e
                    .customer
                    .as_ref()
                    .filter(|w| w.act == CustomerAct::Bind && e.info.provider == provider)?;
                let sample = sample_object(api, &e.request);
                at(&sample, world.phone.as_deref()?)?.as_str().map(str::to_owned)
            });
            customers.push(Customer {
                provider,
                phone_no: bound_sample.unwrap_or_else(|| "6281100000001".into()),
                balance: Some(snapbi_sandbox::Money {
                    value: "1000000.00".into(),
                    currency: "IDR".into(),
                }),
                status: CustomerStatus::Active,
            });
        }
        let count = customers.len();
        self.sandbox.add_customers(customers).expect("the sample customers");
        count
    }

    /// `body` and `headers` for a call of `endpoint` carrying a fresh customer token of a registered customer of its
    /// provider where its `customer` says the token travels (the sample's is none the sandbox issued); unchanged for
    /// other endpoints, or when the provider has no registered customer.
    pub async fn with_customer_token(
        &self,
        endpoint: &Endpoint,
        mut body: Value,
        mut headers: Vec<(String, String)>,
    ) -> (Value, Vec<(String, String)>) {
        let Some(place) = endpoint.customer.as_ref().and_then(|w| w.token.as_ref()) else {
            return (body, headers);
        };
        let Some(token) = self.customer_token(&endpoint.info.provider).await else {
            return (body, headers);
        };
        match place {
            TokenPlace::Header(name) => set_header(&mut headers, name, &format!("Bearer {token}")),
            TokenPlace::Field(path) => {
                let mut slot = &mut body;
                for key in path.split('.') {
                    slot = &mut slot[key];
                }
                *slot = Value::String(token);
            }
        }
        (body, headers)
    }

    /// Calls `id` with the customer token in `Authorization-Customer`, the way SNAP writes it.
    pub async fn with_customer(&self, id: &str, body: &Value, token: &str) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let mut headers = self.headers_for(id, &bytes).await;
        set_header(&mut headers, "Authorization-Customer", &format!("Bearer {token}"));
        self.send_to(id, &headers, bytes).await
    }

    /// A customer token of the first registered customer of `provider`, bought at its B2B2C token endpoint with a
    /// code as the provider's own binding page hands it (`Sandbox::issue_customer_auth_code`).
    pub async fn customer_token(&self, provider: &str) -> Option<String> {
        let customer = self.sandbox.customers().into_iter().find(|c| c.provider == provider)?;
        let (_, code) = self
            .sandbox
            .issue_customer_auth_code(None, provider, &customer.phone_no)
            .ok()?;
        let api = self.api();
        let token_endpoint = self.sandbox.endpoints().filter_map(|id| api.endpoint(id)).find(|e| {
            e.info.provider == provider
                && e.operation == Operation::Token
                && e.request.iter().any(|f| f.wire == "authCode")
        })?;
        let mut body = sample_object(api, &token_endpoint.request);
        body["grantType"] = Value::String("AUTHORIZATION_CODE".into());
        body["authCode"] = Value::String(code);
        let reply = self.call(&token_endpoint.info.id, &body).await;
        reply.body["accessToken"].as_str().map(str::to_owned)
    }

    fn register_issued(&self) -> usize {
        let api = self.api();
        let mut registered = 0;
        for endpoint in self.sandbox.endpoints().filter_map(|id| api.endpoint(id)) {
            let Some(kind) = endpoint.record.as_deref() else {
                continue;
            };
            let create = api.endpoints.iter().find(|e| {
                e.info.provider == endpoint.info.provider
                    && e.record.as_deref() == Some(kind)
                    && e.operation == Operation::Create
            });
            let Some(create) = create.filter(|c| issues_its_key(api, c, kind)) else {
                continue;
            };
            let mut fields = sample_object(api, &create.request);
            // A record that belongs to another (a refund, of a PaymentIntent) is registered as belonging to none:
            // the create's own sample call names that owner, and would find this record its sibling already.
            if let (Some(of), Some(map)) = (&create.record_of, fields.as_object_mut()) {
                for (_, from) in &of.key {
                    map.remove(from);
                }
            }
            let named = endpoint.record_key.iter().flat_map(|lookup| &lookup.key);
            for (record_path, from) in named {
                let sample = endpoint
                    .params
                    .iter()
                    .find(|p| &p.wire == from)
                    .and_then(|p| match &p.ty {
                        FieldType::Str(rule) => sample_str(rule, p.example.as_deref()),
                        _ => None,
                    });
                if let (Some(sample), Some(map)) = (sample, fields.as_object_mut()) {
                    map.insert(record_path.clone(), Value::String(sample));
                }
            }
            if self.sandbox.add_record(&endpoint.info.provider, kind, fields).is_ok() {
                registered += 1;
            }
        }
        registered + self.register_owners()
    }

    /// Registers the records the served creates belong to (`record_of`: WooshPay's refund is of a PaymentIntent), so
    /// that their sample requests name one: keyed by the samples' key values, holding the owner kind's create sample
    /// and reporting the first value `from` allows. Returns how many were registered.
    fn register_owners(&self) -> usize {
        let api = self.api();
        let mut registered = 0;
        for endpoint in self.sandbox.endpoints().filter_map(|id| api.endpoint(id)) {
            let Some(of) = &endpoint.record_of else { continue };
            let create = api.endpoints.iter().find(|e| {
                e.info.provider == endpoint.info.provider
                    && e.record.as_deref() == Some(of.kind.as_str())
                    && e.operation == Operation::Create
            });
            let mut fields =
                create.map_or_else(|| Value::Object(Default::default()), |c| sample_object(api, &c.request));
            let request = sample_object(api, &endpoint.request);
            let Some(map) = fields.as_object_mut() else { continue };
            for (record_path, from) in &of.key {
                if let Some(value) = request.get(from) {
                    map.insert(record_path.clone(), value.clone());
                }
            }
            for (path, allowed) in &of.from {
                if let Some(first) = allowed.first() {
                    map.insert(path.clone(), Value::String(first.clone()));
                }
            }
            if self
                .sandbox
                .add_record(&endpoint.info.provider, &of.kind, fields)
                .is_ok()
            {
                registered += 1;
            }
        }
        registered
    }
}

/// Adds to `held` the members of `more` it does not have.
fn fill_in(held: &mut Value, more: Value) {
    if let (Some(held), Value::Object(more)) = (held.as_object_mut(), more) {
        for (name, value) in more {
            held.entry(name).or_insert(value);
        }
    }
}

/// Whether `create` issues every key of `kind` itself (`answers` with `issued: true`).
fn issues_its_key(api: &Api, create: &Endpoint, kind: &str) -> bool {
    let Some(kind) = api.provider(&create.info.provider).and_then(|p| p.record(kind)) else {
        return false;
    };
    kind.key.iter().all(|path| {
        create
            .answers
            .iter()
            .any(|a| &a.field == path && a.source == snapbi_spec::ir::AnswerSource::Issued)
    })
}

/// A fresh directory for one test's state file (`--state`), and the file's path in it.
pub fn state_file(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("snapbi-{test}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("sandbox.db")
}

/// Removes the directory [`state_file`] made.
pub fn remove_state_file(path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
