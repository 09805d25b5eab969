//! The sandbox itself: its configuration (builder and defaults), its shared state, and the operations a
//! test or a person drives directly (complete a payment, arm a scenario or a fault, read the ledger).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde_json::Value;
use snapbi_runtime::secret::AccessToken;
use snapbi_spec::ir::{Api, AuthKind, Direction, Endpoint, FieldType, HeaderSource, Operation, Provider, Situation};

use crate::answer::Clock;
use crate::credentials::{Client, Credentials, DEMO_NOTIFY_TOKEN};
use crate::grants::{AUTH_CODE_LIFETIME, GrantKind, Grants};
use crate::keys::ProviderKey;
use crate::ledger::{Books, PaymentRecord, Record};
use crate::notify::{Delivery, MerchantToken, Notifier, NotifySigner, Schedule, notify_endpoint};
use crate::operations::{self, Effect};
use crate::payment_status::Machine;
use crate::record_payments;
use crate::scenarios::{ArmedEntry, Fault, ForcedCode, Queues};
use crate::store;
use crate::tokens::Tokens;

/// Default X-TIMESTAMP window: a request more than 5 minutes before or after the sandbox's clock is refused
/// with `401xx00 Unauthorized. Invalid Timestamp`. SNAP publishes no window; 5 minutes is the usual
/// replay-protection allowance and tolerates ordinary clock drift.
pub const DEFAULT_TIMESTAMP_WINDOW: Duration = Duration::from_secs(300);

/// Default largest request body: 64 KiB, far above any SNAP body (the largest fields are a few KiB). A
/// larger body is answered `400xx00 Bad Request` (SNAP has no 413 code; 400xx00 is its "general or parse
/// failure"), with the limit named in `X-Sandbox-Reason`.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Default bound of every store (payments, records, remembered answers, X-EXTERNAL-IDs, tokens): beyond it the
/// oldest entries are forgotten, so memory stays bounded however long the sandbox runs. 20 000 payments are
/// far more than a test suite makes; under a benchmark that overruns it, the process stays near 120 MB.
pub const DEFAULT_CAPACITY: usize = 20_000;

/// Why the sandbox could not be built or an operation on it failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// `build()` without `api(…)`.
    #[error("no API: call `.api(api)` first (load it with snapbi_spec::load)")]
    NoApi,
    /// A provider name the API does not know.
    #[error("unknown provider `{name}`; known: {known}")]
    UnknownProvider {
        /// The name given.
        name: String,
        /// Known provider names, comma-separated.
        known: String,
    },
    /// The chosen providers have no outbound endpoint to serve.
    #[error("the chosen providers have no outbound endpoint to serve")]
    NoEndpoints,
    /// The standard's data (`Api::standard`) cannot drive the sandbox: a situation without a case, a token that
    /// lives no time, a transaction-status table whose initial value or a transition's target it does not list. The
    /// lowering refuses all of these; an API changed in memory may still hold them.
    #[error("the standard's data (standard.yaml): {0}")]
    Standard(String),
    /// Two served endpoints share a method and path (choose one provider).
    #[error("endpoints {first} and {second} are both {method} {path}; serve one provider at a time")]
    RouteClash {
        /// One endpoint id.
        first: String,
        /// The other endpoint id.
        second: String,
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
    },
    /// An endpoint path under `/_sandbox/`, which the admin endpoints own.
    #[error("endpoint {0} has a path under /_sandbox/, which the sandbox's admin endpoints own")]
    ReservedPath(String),
    /// Credentials that cannot be used.
    #[error("credentials of client `{client_id}`: {reason}")]
    Credentials {
        /// The client id.
        client_id: String,
        /// What is wrong (never the secret).
        reason: String,
    },
    /// An endpoint id the sandbox does not serve.
    #[error("the sandbox serves no endpoint `{0}`")]
    UnknownEndpoint(String),
    /// A client id the sandbox does not accept.
    #[error("the sandbox has no client `{0}`")]
    UnknownClient(String),
    /// The sandbox accepts several clients and the request named none.
    #[error("the sandbox accepts several clients; name one (`client_id`)")]
    ClientNeeded,
    /// A code the endpoint does not declare.
    #[error("{code} is not declared by {endpoint}; declared: {declared}")]
    UndeclaredCode {
        /// Endpoint id.
        endpoint: String,
        /// The code given.
        code: String,
        /// The endpoint's codes, comma-separated.
        declared: String,
    },
    /// No payment with this partnerReferenceNo.
    #[error("no payment with partnerReferenceNo `{0}`")]
    PaymentNotFound(String),
    /// A record the sandbox cannot keep or pay: an unknown kind, fields without the kind's key, a payment that
    /// would make an invalid notification.
    #[error("record: {0}")]
    Record(String),
    /// No record with the key (and `match` fields) a payment names.
    #[error("record not found: {0}")]
    RecordNotFound(String),
    /// The record a payment names is paid already.
    #[error("already paid: {0}")]
    AlreadyPaid(String),
    /// The payment is not waiting to be paid (it was cancelled).
    #[error("payment `{partner_reference_no}` cannot be completed: latestTransactionStatus is {status}")]
    NotCompletable {
        /// The payment.
        partner_reference_no: String,
        /// Its status.
        status: String,
    },
}

/// Configures a [`Sandbox`]; every setting has a documented default.
#[derive(Debug, Default)]
pub struct SandboxBuilder {
    api: Option<Api>,
    providers: Vec<String>,
    credentials: Vec<Credentials>,
    token_lifetime: Option<Duration>,
    timestamp_window: Option<Duration>,
    body_limit: Option<usize>,
    auto_complete: Option<Duration>,
    notify_url: Option<String>,
    schedule: Option<Schedule>,
    speedup: Option<u32>,
    notify_timeout: Option<Duration>,
    notify_token: Option<String>,
    merchant_token_url: Option<String>,
    capacity: Option<usize>,
}

impl SandboxBuilder {
    /// The API to interpret (from `snapbi_spec::load(specs_dir, display)`).
    pub fn api(mut self, api: Api) -> Self {
        self.api = Some(api);
        self
    }

    /// Serves this provider (call again for more). Default: every provider of the API.
    ///
    /// # Errors
    ///
    /// [`SandboxError::NoApi`] before [`Self::api`], [`SandboxError::UnknownProvider`] for a name the API
    /// does not know.
    pub fn provider(mut self, name: &str) -> Result<Self, SandboxError> {
        let api = self.api.as_ref().ok_or(SandboxError::NoApi)?;
        if api.provider(name).is_none() {
            let known: Vec<&str> = api.providers.iter().map(|p| p.name.as_str()).collect();
            return Err(SandboxError::UnknownProvider {
                name: name.to_owned(),
                known: known.join(", "),
            });
        }
        self.providers.push(name.to_owned());
        Ok(self)
    }

    /// Accepts this client (call again for more). Default: [`Credentials::demo`] alone.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Lifetime of issued B2B tokens (default: the standard's, `token.lifetime_seconds` in `standard.yaml`); tests
    /// shorten it to see `401xx01`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = Some(lifetime);
        self
    }

    /// Allowed distance between X-TIMESTAMP and the sandbox's clock (default [`DEFAULT_TIMESTAMP_WINDOW`]).
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.timestamp_window = Some(window);
        self
    }

    /// Largest request body in bytes (default [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Completes jump-app payments by themselves `after` they were created, as if the customer paid in
    /// the app (`Duration::ZERO`: paid before the payment call is answered). Default: never; complete
    /// them with [`Sandbox::complete_payment`] or `POST /_sandbox/payments/{partnerReferenceNo}/complete`,
    /// so tests see the initiated state deterministically.
    pub fn auto_complete(mut self, after: Duration) -> Self {
        self.auto_complete = Some(after);
        self
    }

    /// Where payment notifications go when the payment request (or, for a paid record, the request that created
    /// it) names no notify URL (a urlParam of type PAY_NOTIFY or NOTIFICATION). Default: none (no notification
    /// without a URL).
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into());
        self
    }

    /// Retry schedule of notifications, instead of the provider's `notification_retry_schedule`.
    pub fn notification_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Runs the provider's notification retry schedule `factor` times faster (tests: 100 000 turns DOKU's
    /// 30 min into 18 ms). Default 1.
    pub fn notification_speedup(mut self, factor: u32) -> Self {
        self.speedup = Some(factor);
        self
    }

    /// Time limit of one notification attempt (default: the notifier's, 8 s).
    pub fn notification_timeout(mut self, timeout: Duration) -> Self {
        self.notify_timeout = Some(timeout);
        self
    }

    /// The bare B2B token put in notifications' `Authorization`, instead of asking the merchant for one.
    ///
    /// Default: when the provider's specs have a merchant-side token endpoint (an inbound endpoint with
    /// `operation: token`, DOKU's `doku.merchant.token_b2b`), the sandbox asks the merchant for a token before every
    /// notification attempt, as DOKU does, at [`Self::merchant_token_url`] or else the notify URL's origin plus that
    /// endpoint's path; without one, [`DEMO_NOTIFY_TOKEN`].
    pub fn notify_token(mut self, token: impl Into<String>) -> Self {
        self.notify_token = Some(token.into());
        self
    }

    /// Where the merchant's token endpoint is, when it is not at the notify URL's origin plus the spec's path
    /// (`http://127.0.0.1:9000/authorization/v1/access-token/b2b` for a notify URL on `127.0.0.1:9000`).
    pub fn merchant_token_url(mut self, url: impl Into<String>) -> Self {
        self.merchant_token_url = Some(url.into());
        self
    }

    /// Bound of each store (default [`DEFAULT_CAPACITY`]).
    pub fn capacity(mut self, entries: usize) -> Self {
        self.capacity = Some(entries);
        self
    }

    /// Checks the configuration and builds the sandbox.
    ///
    /// # Errors
    ///
    /// [`SandboxError`] for a missing API, standard data it cannot act on, bad credentials, no endpoints, or clashing
    /// or reserved paths.
    pub fn build(self) -> Result<Sandbox, SandboxError> {
        let api = self.api.ok_or(SandboxError::NoApi)?;
        let token_lifetime = match self.token_lifetime {
            Some(lifetime) => lifetime,
            None => standard_token_lifetime(&api)?,
        };
        check_standard(&api)?;
        let chosen: Vec<String> = match self.providers.is_empty() {
            true => api.providers.iter().map(|p| p.name.clone()).collect(),
            false => self.providers,
        };
        let clients = clients(self.credentials, api.standard.header_limit(&HeaderSource::ClientId))?;
        let served = served(&api, &chosen)?;
        let routes = routes(&api, &served)?;
        let capacity = self.capacity.unwrap_or(DEFAULT_CAPACITY);
        let options = Options {
            timestamp_window: self.timestamp_window.unwrap_or(DEFAULT_TIMESTAMP_WINDOW),
            body_limit: self.body_limit.unwrap_or(DEFAULT_BODY_LIMIT),
            auto_complete: self.auto_complete,
            notify_url: self.notify_url,
        };
        let notifiers = NotifierSetup {
            schedule: self.schedule,
            speedup: self.speedup.unwrap_or(1),
            timeout: self.notify_timeout,
            token: self.notify_token,
            merchant_token_url: self.merchant_token_url,
        }
        .build(&api, &chosen, &clients);
        let clocks = chosen
            .iter()
            .filter_map(|name| api.provider(name))
            .map(|p| (p.name.clone(), Clock::new(&p.timestamp_offset)))
            .collect();
        let inner = Inner {
            clocks,
            served,
            routes,
            clients,
            options,
            notifiers,
            tokens: Tokens::new(token_lifetime, capacity),
            grants: Grants::new(capacity),
            books: Mutex::new(Books::new(capacity)),
            scenarios: Queues::new(),
            faults: Queues::new(),
            serial: AtomicU64::new(0),
            // The sandbox signs as the provider with its own (public, demo) key: enveloped answers.
            provider_key: ProviderKey::from_pem(crate::credentials::DEMO_PROVIDER_PRIVATE_KEY_PEM).ok(),
            api,
        };
        Ok(Sandbox { inner: Arc::new(inner) })
    }
}

/// The standard's B2B token lifetime (`token.lifetime_seconds`), at least a second.
fn standard_token_lifetime(api: &Api) -> Result<Duration, SandboxError> {
    match api.standard.token_lifetime_seconds {
        0 => Err(SandboxError::Standard("token.lifetime_seconds is 0".into())),
        seconds => Ok(Duration::from_secs(u64::from(seconds))),
    }
}

/// Refuses standard data the sandbox could not answer from: every situation has its case, and the payment state
/// machine's table leads only to values it lists.
fn check_standard(api: &Api) -> Result<(), SandboxError> {
    let standard = &api.standard;
    if let Some((name, _)) = Situation::ALL.iter().find(|(_, s)| standard.case(*s).is_none()) {
        return Err(SandboxError::Standard(format!("cases: no case for `{name}`")));
    }
    Machine::check(&standard.transaction_status).map_err(SandboxError::Standard)
}

/// The accepted clients; a client id is at most `max_id_length` characters (the standard's X-PARTNER-ID length).
fn clients(credentials: Vec<Credentials>, max_id_length: Option<u32>) -> Result<HashMap<String, Client>, SandboxError> {
    let credentials = match credentials.is_empty() {
        true => vec![Credentials::demo()],
        false => credentials,
    };
    let mut clients = HashMap::new();
    for creds in credentials {
        let client = creds.parse(max_id_length)?;
        if clients.contains_key(&client.id) {
            return Err(SandboxError::Credentials {
                client_id: client.id,
                reason: "given twice".into(),
            });
        }
        clients.insert(client.id.clone(), client);
    }
    Ok(clients)
}

/// The outbound endpoints of the chosen providers, with what the ledger needs to know about each.
fn served(api: &Api, chosen: &[String]) -> Result<Vec<Served>, SandboxError> {
    let mut served = Vec::new();
    for (index, endpoint) in api.endpoints.iter().enumerate() {
        if endpoint.direction != Direction::Outbound || !chosen.iter().any(|p| *p == endpoint.info.provider) {
            continue;
        }
        if std::iter::once(endpoint.info.path.as_ref())
            .chain(endpoint.aliases.iter().map(String::as_str))
            .any(|p| p.starts_with("/_sandbox"))
        {
            return Err(SandboxError::ReservedPath(endpoint.info.id.to_string()));
        }
        served.push(Served {
            index,
            money_field: money_field(api, endpoint),
            // A payment answered with a URL to send the customer to is paid later, in the provider's app
            // or page: it starts initiated. Any other payment is paid when it is accepted.
            jump_app: endpoint.response.iter().any(|f| f.wire == "webRedirectUrl"),
        });
    }
    if served.is_empty() {
        return Err(SandboxError::NoEndpoints);
    }
    Ok(served)
}

/// The first top-level request field shaped like a SNAP amount (`value` decimal + `currency` string):
/// `amount` of a payment, `refundAmount` of a refund.
fn money_field(api: &Api, endpoint: &Endpoint) -> Option<String> {
    endpoint.request.iter().find_map(|f| {
        let fields = match &f.ty {
            FieldType::Named(name) => &api.shared_type(name)?.fields,
            FieldType::Object(fields) => fields,
            _ => return None,
        };
        let has = |wire: &str, decimal: bool| {
            fields
                .iter()
                .any(|g| g.wire == wire && matches!(g.ty, FieldType::Decimal { .. }) == decimal)
        };
        (has("value", true) && has("currency", false)).then(|| f.wire.clone())
    })
}

fn routes(api: &Api, served: &[Served]) -> Result<HashMap<String, Vec<usize>>, SandboxError> {
    let mut routes: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, s) in served.iter().enumerate() {
        let endpoint = &api.endpoints[s.index];
        // An endpoint answers at its path and at each alias (the route an official SDK calls).
        for path in std::iter::once(endpoint.info.path.as_ref()).chain(endpoint.aliases.iter().map(String::as_str)) {
            let same_path = routes.entry(path.to_owned()).or_default();
            if let Some(&other) = same_path
                .iter()
                .find(|&&j| api.endpoints[served[j].index].info.method == endpoint.info.method)
            {
                return Err(SandboxError::RouteClash {
                    first: api.endpoints[served[other].index].info.id.to_string(),
                    second: endpoint.info.id.to_string(),
                    method: endpoint.info.method.to_string(),
                    path: path.to_owned(),
                });
            }
            same_path.push(i);
        }
    }
    Ok(routes)
}

/// How the notifiers are made: one per (provider, client, auth kind of a notification endpoint), signing with that
/// client's secret.
struct NotifierSetup {
    schedule: Option<Schedule>,
    speedup: u32,
    timeout: Option<Duration>,
    /// A configured token; else the merchant's, when the provider has a merchant-side token endpoint.
    token: Option<String>,
    merchant_token_url: Option<String>,
}

impl NotifierSetup {
    fn build(&self, api: &Api, chosen: &[String], clients: &HashMap<String, Client>) -> HashMap<NotifierKey, Notifier> {
        let mut notifiers = HashMap::new();
        for provider in chosen.iter().filter_map(|name| api.provider(name)) {
            for client in clients.values() {
                for auth in notification_auths(api, &provider.name) {
                    let merchant_token = match &self.token {
                        Some(_) => None,
                        None => MerchantToken::from_specs(api, provider, self.merchant_token_url.clone()),
                    };
                    notifiers.insert(
                        (provider.name.clone(), client.id.clone(), auth),
                        self.notifier(provider, auth, client, merchant_token),
                    );
                }
            }
        }
        notifiers
    }

    fn notifier(
        &self,
        provider: &Provider,
        auth: AuthKind,
        client: &Client,
        merchant_token: Option<MerchantToken>,
    ) -> Notifier {
        let schedule = match &self.schedule {
            Some(schedule) => schedule.clone(),
            None => Schedule::from_provider(provider).compressed(self.speedup),
        };
        let token = self.token.as_deref().unwrap_or(DEMO_NOTIFY_TOKEN);
        let signer = NotifySigner::new(client.id.clone(), client.secret.clone(), AccessToken::from(token));
        // The sandbox signs asymmetric notifications with its own (public, demo) provider key.
        let signer = match ProviderKey::from_pem(crate::credentials::DEMO_PROVIDER_PRIVATE_KEY_PEM) {
            Ok(key) => signer.with_provider_key(key),
            Err(_) => signer,
        };
        let notifier = Notifier::for_auth(provider, auth, schedule, signer);
        let notifier = match merchant_token {
            Some(source) => notifier.with_merchant_token(source),
            None => notifier,
        };
        match self.timeout {
            Some(timeout) => notifier.with_attempt_timeout(timeout),
            None => notifier,
        }
    }
}

/// A notifier's place: provider, client id and the auth kind it signs with.
pub(crate) type NotifierKey = (String, String, AuthKind);

/// The auth kind a payment notification of `provider` is signed with: its inbound payment notification
/// endpoint's (symmetric at DOKU, asymmetric at DANA), symmetric when it has none.
fn payment_notification_auth(api: &Api, provider: &str) -> AuthKind {
    notify_endpoint(api, provider).map_or(AuthKind::Symmetric, |e| e.info.auth)
}

/// Every auth kind `provider`'s notifications are signed with: the payment notification's and each record
/// notification's (`operation: notify`).
fn notification_auths(api: &Api, provider: &str) -> std::collections::BTreeSet<AuthKind> {
    let records = api
        .endpoints
        .iter()
        .filter(|e| {
            e.info.provider == provider && e.direction == Direction::Inbound && e.operation == Operation::Notify
        })
        .map(|e| e.info.auth);
    std::iter::once(payment_notification_auth(api, provider))
        .chain(records)
        .collect()
}

/// Settings read while serving.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) timestamp_window: Duration,
    pub(crate) body_limit: usize,
    pub(crate) auto_complete: Option<Duration>,
    pub(crate) notify_url: Option<String>,
}

/// One served endpoint.
#[derive(Debug)]
pub(crate) struct Served {
    /// Index into `api.endpoints`.
    pub(crate) index: usize,
    /// Wire name of the top-level amount field, if any.
    pub(crate) money_field: Option<String>,
    /// Whether a payment here starts initiated (see `served`).
    pub(crate) jump_app: bool,
}

/// Everything the request tasks share.
pub(crate) struct Inner {
    pub(crate) api: Api,
    pub(crate) served: Vec<Served>,
    /// Path → indexes into `served` (one per method).
    pub(crate) routes: HashMap<String, Vec<usize>>,
    pub(crate) clocks: HashMap<String, Clock>,
    pub(crate) clients: HashMap<String, Client>,
    pub(crate) options: Options,
    pub(crate) tokens: Tokens,
    /// Authorization codes and refresh tokens, each good for one customer token.
    pub(crate) grants: Grants,
    pub(crate) books: Mutex<Books>,
    pub(crate) scenarios: Queues<String>,
    pub(crate) faults: Queues<Fault>,
    pub(crate) notifiers: HashMap<NotifierKey, Notifier>,
    serial: AtomicU64,
    /// The provider's private key, as the sandbox plays it.
    pub(crate) provider_key: Option<ProviderKey>,
}

impl Inner {
    /// The endpoint of a served entry.
    pub(crate) fn endpoint(&self, served: &Served) -> &Endpoint {
        &self.api.endpoints[served.index]
    }

    /// The served entry of endpoint `id`.
    pub(crate) fn served_by_id(&self, id: &str) -> Option<&Served> {
        self.served.iter().find(|s| self.endpoint(s).info.id == id)
    }

    /// The payment state machine of the standard's data.
    pub(crate) fn machine(&self) -> Machine<'_> {
        Machine::new(&self.api.standard.transaction_status)
    }

    /// The clock of `provider` (Jakarta time if it is somehow unknown).
    pub(crate) fn clock(&self, provider: &str) -> &Clock {
        static JAKARTA: std::sync::LazyLock<Clock> = std::sync::LazyLock::new(|| Clock::new("+07:00"));
        self.clocks.get(provider).unwrap_or(&JAKARTA)
    }

    /// A fresh reference number: the time in digits and a serial, unique within this sandbox.
    /// A fresh opaque value the provider issues (a one-time token, see `answers`): 32 random hex digits.
    pub(crate) fn issue_value(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    pub(crate) fn next_reference(&self, clock: &Clock) -> String {
        let n = self.serial.fetch_add(1, Ordering::Relaxed);
        format!("{}{n:08}", clock.digits())
    }

    /// Runs what a commit left to do once the books are unlocked.
    pub(crate) fn run_effects(self: &Arc<Self>, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Notify(notice) => {
                    let auth = payment_notification_auth(&self.api, &notice.provider);
                    let body = crate::notify::notification_body(&self.api, &notice.provider, &notice.facts);
                    self.send(notice.provider, notice.client_id, auth, notice.url, body);
                }
                Effect::Send(out) => self.send(out.provider, out.client_id, out.auth, out.url, out.body),
                Effect::AutoComplete {
                    partner_reference_no,
                    after,
                } => schedule_completion(Arc::downgrade(self), partner_reference_no, after),
            }
        }
    }

    /// Delivers a notification with the notifier of its provider, client and auth kind; without a URL (no notify
    /// URL configured or named) there is nothing to send.
    fn send(&self, provider: String, client_id: String, auth: AuthKind, url: Option<String>, body: Value) {
        let Some(url) = url else { return };
        if let Some(notifier) = self.notifiers.get(&(provider, client_id, auth)) {
            notifier.deliver(url, body);
        }
    }
}

/// Completes a payment after `after`, unless the sandbox is gone by then.
fn schedule_completion(inner: Weak<Inner>, partner_reference_no: String, after: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no Tokio runtime: payment {partner_reference_no} is not auto-completed");
        return;
    };
    runtime.spawn(async move {
        tokio::time::sleep(after).await;
        if let Some(inner) = inner.upgrade() {
            let _ = Sandbox { inner }.complete_payment(&partner_reference_no);
        }
    });
}

/// A SNAP provider simulator interpreting an [`Api`] at run time. Cheap to clone: clones share state.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.endpoints().collect();
        f.debug_struct("Sandbox")
            .field("endpoints", &ids)
            .field("clients", &self.inner.clients.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts the configuration.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The interpreted API.
    pub fn api(&self) -> &Api {
        &self.inner.api
    }

    /// The standard's name of a `latestTransactionStatus` value in this sandbox's data (`00` → `Success` with the
    /// shipped `standard.yaml`): what its answers and notifications say as `transactionStatusDesc`.
    pub fn transaction_status_name(&self, status: &str) -> Option<&str> {
        crate::notify::transaction_status_name(&self.inner.api, status)
    }

    /// Ids of the served endpoints, sorted.
    pub fn endpoints(&self) -> impl Iterator<Item = &str> {
        self.inner
            .served
            .iter()
            .map(|s| self.inner.endpoint(s).info.id.as_ref())
    }

    /// Pays the payment(s) named `partner_reference_no` that the standard's table lets be paid (`pay`: an initiated
    /// one becomes `00` with the shipped data), as if the customer paid in the app, and sends the payment
    /// notification when a notify URL is known. Completing a paid payment again changes nothing and sends nothing.
    ///
    /// # Errors
    ///
    /// [`SandboxError::PaymentNotFound`], or [`SandboxError::NotCompletable`] for a payment that is not paid and
    /// cannot be (a cancelled one).
    pub fn complete_payment(&self, partner_reference_no: &str) -> Result<PaymentRecord, SandboxError> {
        let (record, effects) = operations::complete(&self.inner, partner_reference_no)?;
        self.inner.run_effects(effects);
        Ok(record)
    }

    /// Issues an authorization code to `client_id` (the only client when `None`) and returns the client id with
    /// the code, as a binding the customer
    /// completed on the provider's own page would (DANA's OAuth redirect): the B2B2C token endpoint accepts it once,
    /// within [`AUTH_CODE_LIFETIME`]. Bindings answered through the API (DOKU's account binding and card
    /// registration) carry their own in `additionalInfo.authCode`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownClient`], or [`SandboxError::ClientNeeded`] when several clients are accepted.
    pub fn issue_auth_code(&self, client_id: Option<&str>) -> Result<(String, String), SandboxError> {
        let clients = &self.inner.clients;
        let client = match client_id {
            Some(id) => clients
                .get(id)
                .ok_or_else(|| SandboxError::UnknownClient(id.to_owned()))?,
            None if clients.len() == 1 => clients.values().next().ok_or(SandboxError::ClientNeeded)?,
            None => return Err(SandboxError::ClientNeeded),
        };
        let code = self
            .inner
            .grants
            .issue(&client.id, GrantKind::AuthCode, AUTH_CODE_LIFETIME);
        Ok((client.id.clone(), code))
    }

    /// Every payment with its refunds, oldest first.
    pub fn ledger(&self) -> Vec<PaymentRecord> {
        store::lock(&self.inner.books).snapshot()
    }

    /// Registers a `kind` record of `provider` for every client, as the provider's own back office would: a
    /// DANA account holder with the name, limits and fee its account inquiry answers, a bank account with its
    /// holder's name. `fields` holds the record's fields under their wire names, the kind's key among them;
    /// endpoints that read the kind answer from them. The tester gives every value; the sandbox makes none up.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Record`] for a provider or kind the specs do not declare, fields that are not a JSON
    /// object, or fields without a key value.
    pub fn add_record(&self, provider: &str, kind: &str, fields: Value) -> Result<Vec<Record>, SandboxError> {
        let inner = &self.inner;
        let declared = inner.api.provider(provider).and_then(|p| p.record(kind));
        let Some(kind) = declared else {
            return Err(SandboxError::Record(format!(
                "{provider} declares no record kind `{kind}`"
            )));
        };
        if !fields.is_object() {
            return Err(SandboxError::Record("the fields must be a JSON object".into()));
        }
        let clock = inner.clock(provider);
        let mut books = store::lock(&inner.books);
        let mut added = Vec::new();
        for client in inner.clients.keys() {
            let (id, key) = operations::record_key(client, provider, kind, &fields)
                .map_err(|path| SandboxError::Record(format!("`{}` records are keyed by {path}", kind.name)))?;
            let record = Record {
                client_id: client.clone(),
                provider: provider.to_owned(),
                kind: kind.name.clone(),
                key,
                fields: fields.clone(),
                created_by: "POST /_sandbox/records".into(),
                created_time: clock.now(),
                updated_time: None,
                remembered: None,
            };
            books.add_record(id, record.clone());
            added.push(record);
        }
        Ok(added)
    }

    /// Pays the `kind` record of `provider` that `payment` names, as a customer paying a virtual account at the bank
    /// would, and sends the provider's notification of that payment (each inbound `operation: notify` endpoint of the
    /// kind) when a notify URL is known.
    ///
    /// `payment` holds the record's key values (DOKU's VA: partnerServiceId, customerNo, virtualAccountNo; a `match`
    /// field such as trxId must equal the record's) and the payment's own fields under the notification's wire names
    /// (`paidAmount`, `paymentRequestId`, …). The record then holds them, and the `paid` values of the kind's status
    /// endpoints (`paymentFlagStatus` `00`), so its status reports it paid. The sandbox makes none of these up.
    /// Returns the paid records (every client's record under that key).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Record`] for a kind the specs do not let be paid, a payment without the key, with a field the
    /// notification does not declare, or that leaves the notification invalid (a required `paidAmount` missing);
    /// [`SandboxError::RecordNotFound`]; [`SandboxError::AlreadyPaid`], with nothing sent again. Nothing changes on
    /// an error.
    pub fn pay_record(&self, provider: &str, kind: &str, payment: &Value) -> Result<Vec<Record>, SandboxError> {
        let (records, effects) = record_payments::pay(&self.inner, provider, kind, payment)?;
        self.inner.run_effects(effects);
        Ok(records)
    }

    /// Every record (virtual accounts and the like, see [`Record`]), oldest first.
    pub fn records(&self) -> Vec<Record> {
        store::lock(&self.inner.books).records()
    }

    /// Every notification attempt recorded so far.
    pub fn notifications(&self) -> Vec<Delivery> {
        let mut all: Vec<Delivery> = self.inner.notifiers.values().flat_map(Notifier::deliveries).collect();
        all.sort_by(|a, b| a.at.cmp(&b.at));
        all
    }

    /// Waits until no notification delivery is in progress, at most `timeout`; whether that happened.
    pub async fn wait_for_notifications(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        for notifier in self.inner.notifiers.values() {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !notifier.wait_idle(left).await {
                return false;
            }
        }
        true
    }

    /// Forces `code` (one the endpoint declares) on its next `times` calls that pass every check.
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownEndpoint`] or [`SandboxError::UndeclaredCode`].
    pub fn arm_scenario(&self, endpoint: &str, code: &str, times: u32) -> Result<(), SandboxError> {
        let served = self.served(endpoint)?;
        let declared = &self.inner.endpoint(served).codes;
        if !declared.iter().any(|c| c.code == code) {
            let list: Vec<&str> = declared.iter().map(|c| c.code.as_str()).collect();
            return Err(SandboxError::UndeclaredCode {
                endpoint: endpoint.to_owned(),
                code: code.to_owned(),
                declared: list.join(", "),
            });
        }
        self.inner.scenarios.arm(endpoint, code.to_owned(), times);
        Ok(())
    }

    /// Injects `fault` into the next `times` calls of `endpoint` that pass every check.
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownEndpoint`].
    pub fn arm_fault(&self, endpoint: &str, fault: Fault, times: u32) -> Result<(), SandboxError> {
        self.served(endpoint)?;
        self.inner.faults.arm(endpoint, fault, times);
        Ok(())
    }

    /// Scenarios still armed.
    pub fn armed_scenarios(&self) -> Vec<ArmedEntry<ForcedCode>> {
        self.inner.scenarios.list(|code| ForcedCode { code: code.clone() })
    }

    /// Faults still armed.
    pub fn armed_faults(&self) -> Vec<ArmedEntry<Fault>> {
        self.inner.faults.list(|fault| *fault)
    }

    /// Disarms every scenario.
    pub fn clear_scenarios(&self) {
        self.inner.scenarios.clear();
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.inner.faults.clear();
    }

    fn served(&self, endpoint: &str) -> Result<&Served, SandboxError> {
        self.inner
            .served_by_id(endpoint)
            .ok_or_else(|| SandboxError::UnknownEndpoint(endpoint.to_owned()))
    }
}
