//! Notifications: the signed notifications the simulated provider posts to the merchant (a payment's, a paid
//! record's), with the provider's retry schedule.
//!
//! Everything provider-specific comes from the IR, never from `if provider` code:
//!
//! - a payment's body is built field by field from the provider's inbound payment notification endpoint
//!   (`operation: notify` without a `record`, e.g. `doku.direct_debit.notify`), in the spec's key order and with only
//!   the fields the spec declares, `transactionStatusDesc` being the status value's name in the standard's data
//!   ([`notification_body`]); a paid record's, from the inbound endpoints that name its
//!   kind with `operation: notify` (`doku.va.payment_notify`), filled from the record under the same wire names
//!   ([`record_notify_endpoints`], [`record_notification_body`]);
//! - the headers and their sources are the provider's `headers.symmetric` set, and the signature is its
//!   `signatures.symmetric` recipe, applied to the path of the merchant's notify URL ([`NotifySigner`]) by the
//!   sandbox's own signer ([`crate::signing`]), never the runtime's, with X-TIMESTAMP in the provider's offset and
//!   fraction digits;
//! - the retry points are the provider's `notification_retry_schedule`, in seconds after the first attempt
//!   ([`Schedule`]; DOKU: 30 min, 6 h and 12 h, snap-standard §5.2), compressible so tests run the real
//!   schedule in milliseconds;
//! - the `Authorization` token: a provider whose specs have a merchant-side token endpoint (an inbound endpoint
//!   with `operation: token`, DOKU's `doku.merchant.token_b2b`) first asks the merchant for a token, the way DOKU
//!   does before it notifies (snap-standard §2.5, §5.2): a request signed with the provider's key by the
//!   provider's recipe for that endpoint (DOKU: SHA256withRSA over `clientId|X-TIMESTAMP`), carrying the endpoint's
//!   fixed body (`{"grantType":"client_credentials"}`); the answer's `accessToken` signs and authorizes the
//!   attempt ([`MerchantToken`]). Otherwise the signer's configured token is used.
//!
//! [`Notifier::deliver`] runs one delivery in the background: the first attempt at once, then one more at
//! each schedule point (measured from the first attempt) until the merchant answers HTTP 2xx. Every attempt
//! is recorded as a [`Delivery`]. Secrets (client secret, token) are never in `Debug` output, logs or
//! delivery records.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::{Map, Value};
use snapbi_runtime::secret::{AccessToken, ClientSecret};
use snapbi_spec::ir::{
    Algorithm, Api, AuthKind, Direction, Endpoint, FieldType, HeaderSource, Operation, Provider, Recipe,
};
use time::OffsetDateTime;

use crate::answer::Clock;
use crate::keys::ProviderKey;
use crate::shape::{FreeForm, declared};
use crate::signing::{self, Message, Signer};

/// Per-attempt timeout used unless [`Notifier::with_attempt_timeout`] says otherwise: 8 s, the timeout DANA
/// documents for the merchant's answer to its payment notification (snap-standard §5.1).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);

/// Most delivery records kept; older ones are dropped first, so a long-running sandbox stays bounded.
pub const MAX_RECORDED_DELIVERIES: usize = 10_000;

/// What the sandbox knows about a finished payment, enough to fill the notification body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The merchant's `partnerReferenceNo` of the payment (`originalPartnerReferenceNo`).
    pub partner_reference_no: String,
    /// The provider's `referenceNo` of the payment (`originalReferenceNo`).
    pub reference_no: String,
    /// X-EXTERNAL-ID of the payment request (`originalExternalId`).
    pub external_id: Option<String>,
    /// Amount paid, e.g. `10000.00` (`amount.value`); `None` when the payment named none, and then the
    /// notification has no `amount`: nothing is made up.
    pub amount_value: Option<String>,
    /// ISO 4217 currency, e.g. `IDR` (`amount.currency`).
    pub currency: String,
    /// `latestTransactionStatus`: a value of the standard's table (`common/standard.yaml`, snap-standard §4.3).
    pub latest_transaction_status: String,
    /// `merchantId`, when the payment named one.
    pub merchant_id: Option<String>,
    /// When the payment was created (`createdTime`), e.g. `2024-07-10T11:57:58+07:00`.
    pub created: String,
    /// When the payment reached its final state (`finishedTime`).
    pub finished: String,
}

/// The merchant-side token endpoint of `provider`: direction `inbound`, operation `token`.
pub fn merchant_token_endpoint<'a>(api: &'a Api, provider: &str) -> Option<&'a Endpoint> {
    api.endpoints
        .iter()
        .find(|e| e.info.provider == provider && e.direction == Direction::Inbound && e.operation == Operation::Token)
}

/// The merchant's own token endpoint as the provider calls it before notifying (see the module doc): where it is,
/// which headers it takes, the recipe they are signed with and the body it is sent.
#[derive(Debug, Clone)]
pub struct MerchantToken {
    /// Path of the endpoint in the specs, put after the notify URL's origin unless `url` is given.
    path: String,
    /// Where the endpoint is, when not at the notify URL's origin.
    url: Option<String>,
    /// The provider's headers for the endpoint's auth kind, in spec order.
    headers: Vec<(String, HeaderSource)>,
    /// The provider's recipe for the endpoint's auth kind.
    recipe: Recipe,
    /// The request body: every required field with its one allowed value.
    body: Bytes,
}

impl MerchantToken {
    /// `provider`'s merchant-side token endpoint ([`merchant_token_endpoint`]), called at `url` when given; `None`
    /// when the provider has none, or its recipe or body cannot be made.
    pub fn from_specs(api: &Api, provider: &Provider, url: Option<String>) -> Option<Self> {
        let endpoint = merchant_token_endpoint(api, &provider.name)?;
        let recipe = provider.signature_for(endpoint.info.auth)?;
        let body = endpoint.fixed_body().ok()?;
        Some(Self {
            path: endpoint.info.path.to_string(),
            url,
            headers: provider.headers_for(endpoint.info.auth).to_vec(),
            recipe: recipe.clone(),
            body: Bytes::from(body),
        })
    }

    /// Where to ask, for a notification to `target`: the configured URL, or `target`'s origin plus the path.
    fn url_for(&self, target: &reqwest::Url) -> Result<reqwest::Url, String> {
        let url = match &self.url {
            Some(url) => reqwest::Url::parse(url),
            None => target.join(&self.path),
        };
        url.map_err(|e| format!("invalid merchant token URL: {e}"))
    }
}

/// The payment notification endpoint of `provider`: inbound, `operation: notify` and no `record`
/// ([`Api::payment_notification`]), found by that and not by its service code.
pub fn notify_endpoint<'a>(api: &'a Api, provider: &str) -> Option<&'a Endpoint> {
    api.payment_notification(provider)
}

/// The inbound endpoints that tell the merchant a `kind` record of `provider` was paid: `operation: notify` with
/// `record: kind` (DOKU's `doku.va.payment_notify` for `virtual_account`), in id order.
pub fn record_notify_endpoints<'a>(
    api: &'a Api,
    provider: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a Endpoint> {
    api.endpoints.iter().filter(move |e| {
        e.info.provider == provider
            && e.direction == Direction::Inbound
            && e.operation == Operation::Notify
            && e.record.as_deref() == Some(kind)
    })
}

/// The body of `endpoint`'s notification about a paid record: each request field of the spec, in its order, that
/// `record` holds under the same wire name, cut to what the spec declares (an object keeps its declared members, a
/// list its items so cut, a free-form `json` field its whole value). A field the record does not hold is left out:
/// nothing is made up.
pub fn record_notification_body(api: &Api, endpoint: &Endpoint, record: &Value) -> Value {
    let mut body = Map::new();
    for field in &endpoint.request {
        if let Some(value) = record
            .get(&field.wire)
            .and_then(|v| declared(api, &field.ty, v, FreeForm::Keep))
        {
            body.insert(field.wire.clone(), value);
        }
    }
    Value::Object(body)
}

/// The body of `provider`'s payment notification for `payment`.
///
/// Walks the request fields of the provider's inbound notification endpoint ([`notify_endpoint`]) in spec
/// order and fills each one the facts know: the result has the spec's key order and only fields the spec
/// declares. Optional fields without a value (an absent or empty fact, `subMerchantId`, `additionalInfo`)
/// are left out. `transactionStatusDesc` is the status value's name in the standard's data
/// ([`transaction_status_name`]: `00` → `Success`). A provider without such an endpoint gets an empty object.
pub fn notification_body(api: &Api, provider: &str, payment: &PaymentFacts) -> Value {
    let mut body = Map::new();
    if let Some(endpoint) = notify_endpoint(api, provider) {
        for field in &endpoint.request {
            match fact(api, &field.wire, &field.ty, payment) {
                Some(Value::String(s)) if s.is_empty() && !field.required => {}
                Some(value) => {
                    body.insert(field.wire.clone(), value);
                }
                None => {}
            }
        }
    }
    Value::Object(body)
}

/// The value of the notification field `wire` from the facts, if they know it.
fn fact(api: &Api, wire: &str, ty: &FieldType, p: &PaymentFacts) -> Option<Value> {
    let text = |s: &str| Some(Value::String(s.to_owned()));
    match wire {
        "originalPartnerReferenceNo" => text(&p.partner_reference_no),
        "originalReferenceNo" => text(&p.reference_no),
        "originalExternalId" => p.external_id.as_deref().and_then(text),
        "merchantId" => p.merchant_id.as_deref().and_then(text),
        "amount" => p
            .amount_value
            .as_deref()
            .map(|value| amount(api, ty, value, &p.currency)),
        "latestTransactionStatus" => text(&p.latest_transaction_status),
        "transactionStatusDesc" => transaction_status_name(api, &p.latest_transaction_status).and_then(text),
        "createdTime" => text(&p.created),
        "finishedTime" => text(&p.finished),
        _ => None,
    }
}

/// The amount object, with the keys of the spec's amount type in its order (`value`, `currency`).
fn amount(api: &Api, ty: &FieldType, value: &str, currency: &str) -> Value {
    let fields = match ty {
        FieldType::Named(name) => api.shared_type(name).map(|t| t.fields.as_slice()),
        FieldType::Object(fields) => Some(fields.as_slice()),
        _ => None,
    };
    let mut map = Map::new();
    match fields {
        Some(fields) => {
            for f in fields {
                match f.wire.as_str() {
                    "value" => map.insert(f.wire.clone(), Value::from(value)),
                    "currency" => map.insert(f.wire.clone(), Value::from(currency)),
                    _ => None,
                };
            }
        }
        None => {
            map.insert("value".into(), Value::from(value));
            map.insert("currency".into(), Value::from(currency));
        }
    }
    Value::Object(map)
}

/// The name of a `latestTransactionStatus` value in `api`'s standard data (`transaction_status.values` of
/// `common/standard.yaml`: `00` → `Success`, snap-standard §4.3).
pub fn transaction_status_name<'a>(api: &'a Api, status: &str) -> Option<&'a str> {
    api.standard.transaction_status.value(status).map(|v| &*v.name)
}

/// When an unacknowledged notification is sent again: offsets from the FIRST attempt.
///
/// The first attempt is always made at once; `delays` lists the retries, so a delivery makes at most
/// `1 + delays.len()` attempts ([`Schedule::attempts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Offsets of the retries from the first attempt, increasing.
    pub delays: Vec<Duration>,
}

impl Schedule {
    /// The provider's `notification_retry_schedule` (seconds after the first attempt). DOKU: 1800, 21600
    /// and 43200 s, i.e. +30 min, +6 h and +12 h (snap-standard §5.2).
    pub fn from_provider(provider: &Provider) -> Self {
        Self {
            delays: provider
                .notification_retry_schedule
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
        }
    }

    /// The same schedule running `factor` times faster: each offset divided by `factor` (a factor of 0 is
    /// taken as 1). `factor = 100_000` turns DOKU's 1800 s into 18 ms, so a test runs the real schedule.
    pub fn compressed(&self, factor: u32) -> Self {
        let factor = factor.max(1);
        Self {
            delays: self.delays.iter().map(|d| *d / factor).collect(),
        }
    }

    /// `retries` retries, each right after the previous attempt: for tests that count attempts and do not
    /// care about timing.
    pub fn immediate_for_tests(retries: usize) -> Self {
        Self {
            delays: vec![Duration::ZERO; retries],
        }
    }

    /// The most attempts one delivery makes: the first one plus one per retry point.
    pub fn attempts(&self) -> usize {
        1 + self.delays.len()
    }
}

/// The credentials a notification is signed with. `Debug` shows the client id and channel only.
///
/// With DOKU, X-PARTNER-ID carries `client_id`, the HMAC key is the shared `client_secret`, and the
/// `token` is the B2B token the merchant's own token API issued to the provider (snap-standard §2.5).
#[derive(Clone)]
pub struct NotifySigner {
    /// The client id, for `client_id` header sources (X-PARTNER-ID).
    pub client_id: String,
    /// The HMAC-SHA512 key of the symmetric signature.
    pub client_secret: ClientSecret,
    /// The bare B2B token (no `Bearer `), for `Authorization` and the string to sign.
    pub token: AccessToken,
    /// CHANNEL-ID; `None` uses the provider's `channel_id`.
    pub channel_id: Option<String>,
    /// The provider's own RSA key, for providers that sign notifications asymmetrically (DANA).
    pub provider_key: Option<ProviderKey>,
}

impl NotifySigner {
    /// A signer with the provider's default CHANNEL-ID.
    pub fn new(client_id: impl Into<String>, client_secret: ClientSecret, token: AccessToken) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            token,
            channel_id: None,
            provider_key: None,
        }
    }

    /// The same signer with the provider's RSA key, for asymmetric notifications.
    pub fn with_provider_key(mut self, key: ProviderKey) -> Self {
        self.provider_key = Some(key);
        self
    }

    /// The same signer with CHANNEL-ID `channel_id`.
    pub fn with_channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = Some(channel_id.into());
        self
    }
}

impl fmt::Debug for NotifySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifySigner")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token", &"<redacted>")
            .field("channel_id", &self.channel_id)
            .finish()
    }
}

/// One attempt to deliver a notification, as recorded by [`Notifier::deliveries`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    /// The notify URL.
    pub url: String,
    /// 1 for the first attempt, 2 for the first retry, …
    pub attempt: u32,
    /// When the attempt started: RFC 3339 with milliseconds, in the provider's X-TIMESTAMP offset.
    pub at: String,
    /// The merchant's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why there is no answer (connection refused, timeout, bad URL, signing failure).
    pub error: Option<String>,
    /// Whether the merchant answered 2xx; the last attempt of a delivery if so.
    pub acknowledged: bool,
}

/// Sends signed notifications and retries them on the provider's schedule. Cheap to clone: clones share
/// the HTTP client, the record of deliveries and the count of deliveries in progress.
#[derive(Clone)]
pub struct Notifier {
    shared: Arc<Shared>,
    attempt_timeout: Duration,
    /// Where each attempt's token comes from, when the merchant issues it.
    merchant_token: Option<Arc<MerchantToken>>,
}

struct Shared {
    provider: String,
    schedule: Schedule,
    signer: NotifySigner,
    /// The provider's symmetric recipe, or why there is none.
    recipe: Result<Recipe, String>,
    /// The provider's `headers.symmetric`, in spec order.
    headers: Vec<(String, HeaderSource)>,
    /// The provider's X-TIMESTAMP offset.
    clock: Clock,
    /// Digits of the second's fraction in the provider's X-TIMESTAMP.
    fraction_digits: u8,
    /// The provider's default CHANNEL-ID.
    channel_id: Option<String>,
    /// `None` if the HTTP client could not be built (reported per delivery).
    http: Option<reqwest::Client>,
    deliveries: Mutex<VecDeque<Delivery>>,
    /// Deliveries whose task has not finished yet.
    in_flight: tokio::sync::watch::Sender<usize>,
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("provider", &self.shared.provider)
            .field("schedule", &self.shared.schedule)
            .field("signer", &self.shared.signer)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("in_flight", &*self.shared.in_flight.borrow())
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier that signs and sends with `provider`'s symmetric headers and recipe, retrying on
    /// `schedule`, with a per-attempt timeout of [`DEFAULT_ATTEMPT_TIMEOUT`].
    pub fn new(provider: &Provider, schedule: Schedule, signer: NotifySigner) -> Self {
        Self::for_auth(provider, AuthKind::Symmetric, schedule, signer)
    }

    /// A notifier that signs with `provider`'s headers and recipe of `auth` (the auth kind of the
    /// provider's inbound notification endpoint: symmetric at DOKU, asymmetric at DANA).
    pub fn for_auth(provider: &Provider, auth: AuthKind, schedule: Schedule, signer: NotifySigner) -> Self {
        let recipe = provider
            .signature_for(auth)
            .cloned()
            .ok_or_else(|| format!("provider {} has no {} signature recipe", provider.name, auth.as_str()));
        // Notifications go to the merchant directly: no proxy from the environment (loopback would
        // otherwise be sent to it), and no redirects (a redirected POST may turn into a GET).
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok();
        let shared = Shared {
            provider: provider.name.clone(),
            schedule,
            signer,
            recipe,
            headers: provider.headers_for(auth).to_vec(),
            clock: Clock::new(&provider.timestamp_offset),
            fraction_digits: provider.timestamp_fraction_digits,
            channel_id: provider.channel_id.clone(),
            http,
            deliveries: Mutex::new(VecDeque::new()),
            in_flight: tokio::sync::watch::Sender::new(0),
        };
        Self {
            shared: Arc::new(shared),
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            merchant_token: None,
        }
    }

    /// The same notifier asking the merchant for the token of every attempt (see [`MerchantToken`]), instead of
    /// using the signer's. Applies to deliveries started from the returned value.
    pub fn with_merchant_token(mut self, source: MerchantToken) -> Self {
        self.merchant_token = Some(Arc::new(source));
        self
    }

    /// The same notifier with each attempt limited to `timeout` (connect, send and answer); a timed-out
    /// attempt counts as unacknowledged. Applies to deliveries started from the returned value.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The retry schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.shared.schedule
    }

    /// Delivers `body` to `url` in a background task: the first attempt now, then one at each schedule
    /// point (counted from the first attempt) while the merchant has not answered 2xx (non-2xx status,
    /// connection error or timeout); stops at the first 2xx. Each attempt is recorded ([`Self::deliveries`]).
    ///
    /// The body is serialized once; those exact bytes are signed and sent on every attempt. Each attempt
    /// gets a fresh X-TIMESTAMP, X-EXTERNAL-ID and signature: a receiver that checks timestamp skew would
    /// reject a 12-hour-old X-TIMESTAMP, and SNAP forbids reusing an X-EXTERNAL-ID on the same day
    /// (`409xx00`), so a retry carrying the original headers could never be acknowledged. The merchant
    /// recognises a retry by the body (`originalPartnerReferenceNo`), which does not change.
    ///
    /// Without a Tokio runtime nothing is sent and the failure is recorded as attempt 1.
    pub fn deliver(&self, url: String, body: Value) {
        let bytes = match serde_json::to_vec(&body) {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) => {
                return self
                    .shared
                    .record_failure(&url, format!("cannot serialize the body: {e}"));
            }
        };
        let target = match reqwest::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => parsed,
            Ok(parsed) => {
                let scheme = parsed.scheme().to_owned();
                return self
                    .shared
                    .record_failure(&url, format!("notify URL scheme {scheme:?} is not http or https"));
            }
            Err(e) => return self.shared.record_failure(&url, format!("invalid notify URL: {e}")),
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return self
                .shared
                .record_failure(&url, "no Tokio runtime to run the delivery on".into());
        };
        // Counted before the task starts, so `wait_idle` right after `deliver` waits for it.
        let guard = InFlight::start(Arc::clone(&self.shared));
        let shared = Arc::clone(&self.shared);
        let timeout = self.attempt_timeout;
        let merchant_token = self.merchant_token.clone();
        runtime.spawn(async move {
            let _guard = guard;
            shared.run(url, target, bytes, timeout, merchant_token.as_deref()).await;
        });
    }

    /// Every attempt recorded so far (at most [`MAX_RECORDED_DELIVERIES`], oldest first).
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().iter().cloned().collect()
    }

    /// Waits until no delivery is in progress, at most `timeout`. Returns whether that happened.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut idle = self.shared.in_flight.subscribe();
        matches!(
            tokio::time::timeout(timeout, idle.wait_for(|n| *n == 0)).await,
            Ok(Ok(_))
        )
    }
}

/// Counts one delivery task as in progress for as long as it lives, even if the task is cancelled.
struct InFlight(Arc<Shared>);

impl InFlight {
    fn start(shared: Arc<Shared>) -> Self {
        shared.in_flight.send_modify(|n| *n += 1);
        Self(shared)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// What one attempt ended with.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Delivery>> {
        self.deliveries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, delivery: Delivery) {
        let mut deliveries = self.lock();
        if deliveries.len() >= MAX_RECORDED_DELIVERIES {
            deliveries.pop_front();
        }
        deliveries.push_back(delivery);
    }

    /// Records a delivery that could not even be attempted as a failed attempt 1.
    fn record_failure(&self, url: &str, error: String) {
        tracing::warn!(url, %error, "notification not sent");
        self.record(Delivery {
            url: url.to_owned(),
            attempt: 1,
            at: self.now_with_millis(),
            status: None,
            error: Some(error),
            acknowledged: false,
        });
    }

    fn now_with_millis(&self) -> String {
        self.clock.format_fraction(OffsetDateTime::now_utc(), 3)
    }

    /// One delivery: the first attempt now, then one per schedule point until a 2xx.
    async fn run(
        &self,
        url: String,
        target: reqwest::Url,
        body: Bytes,
        timeout: Duration,
        merchant_token: Option<&MerchantToken>,
    ) {
        // `{path}` is the path actually requested, with any query (specs/README.md, snap-standard §2.4).
        let path = match target.query() {
            Some(query) => format!("{}?{query}", target.path()),
            None => target.path().to_owned(),
        };
        let first = tokio::time::Instant::now();
        let offsets = std::iter::once(Duration::ZERO).chain(self.schedule.delays.iter().copied());
        for (attempt, offset) in (1u32..).zip(offsets) {
            tokio::time::sleep_until(first + offset).await;
            let at = self.now_with_millis();
            let answer = self.attempt(&target, &path, &body, timeout, merchant_token).await;
            let acknowledged = answer.status.is_some_and(|s| (200..300).contains(&s));
            match (&answer.status, &answer.error) {
                (Some(status), _) => tracing::info!(url, attempt, status, acknowledged, "notification answered"),
                (None, Some(error)) => tracing::warn!(url, attempt, %error, "notification not answered"),
                (None, None) => {}
            }
            self.record(Delivery {
                url: url.clone(),
                attempt,
                at,
                status: answer.status,
                error: answer.error,
                acknowledged,
            });
            if acknowledged {
                return;
            }
        }
    }

    /// Signs and sends one attempt, with a token from the merchant first when it issues them.
    async fn attempt(
        &self,
        target: &reqwest::Url,
        path: &str,
        body: &Bytes,
        timeout: Duration,
        merchant_token: Option<&MerchantToken>,
    ) -> Answer {
        let failed = |error: String| Answer {
            status: None,
            error: Some(error),
        };
        let Some(http) = &self.http else {
            return failed("the HTTP client could not be built".into());
        };
        let token = match merchant_token {
            None => self.signer.token.clone(),
            Some(source) => match self.merchant_token(http, source, target, timeout).await {
                Ok(token) => token,
                Err(e) => return failed(format!("no token from the merchant: {e}")),
            },
        };
        let headers = match self.headers(path, body, &token) {
            Ok(headers) => headers,
            Err(e) => return failed(format!("cannot sign the notification: {e}")),
        };
        let mut request = http.post(target.clone()).timeout(timeout);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.body(body.clone()).send().await {
            Ok(response) => Answer {
                status: Some(response.status().as_u16()),
                error: None,
            },
            Err(e) => failed(describe(&e, timeout)),
        }
    }

    /// Asks the merchant's token endpoint for a token, as the provider does before it notifies. The answer must be
    /// 2xx with an `accessToken`; the error says what came back instead (never a token).
    async fn merchant_token(
        &self,
        http: &reqwest::Client,
        source: &MerchantToken,
        target: &reqwest::Url,
        timeout: Duration,
    ) -> Result<AccessToken, String> {
        let url = source.url_for(target)?;
        let path = url.path().to_owned();
        let headers = self
            .signed_headers(&source.recipe, &source.headers, &path, &source.body, None)
            .map_err(|e| format!("cannot sign the token request: {e}"))?;
        let mut request = http.post(url.clone()).timeout(timeout);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(source.body.clone())
            .send()
            .await
            .map_err(|e| format!("{url}: {}", describe(&e, timeout)))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        match answer.get("accessToken").and_then(Value::as_str) {
            Some(token) if (200..300).contains(&status) && !token.is_empty() => Ok(AccessToken::from(token)),
            _ => Err(format!(
                "{url} answered HTTP {status} with responseCode {} and no accessToken",
                answer.get("responseCode").unwrap_or(&Value::Null)
            )),
        }
    }

    /// Content-Type, then the provider's notification headers in spec order, signed now with `token`.
    fn headers(&self, path: &str, body: &[u8], token: &AccessToken) -> Result<Vec<(String, String)>, String> {
        let recipe = self.recipe.as_ref()?;
        self.signed_headers(recipe, &self.headers, path, body, Some(token))
    }

    /// Content-Type, then `names` filled from their sources, signed now by `recipe` over `path` and `body`: with the
    /// provider's RSA key for an RSA recipe, else with the client secret.
    fn signed_headers(
        &self,
        recipe: &Recipe,
        names: &[(String, HeaderSource)],
        path: &str,
        body: &[u8],
        token: Option<&AccessToken>,
    ) -> Result<Vec<(String, String)>, String> {
        let signer = &self.signer;
        let timestamp = self
            .clock
            .format_fraction(OffsetDateTime::now_utc(), self.fraction_digits);
        // Compact already (serde_json's bytes, a spec's fixed body), so this borrows; it keeps the hash right if not.
        let minified = crate::minify::strip(body);
        let message = Message {
            method: "POST",
            path,
            token: token.map(AccessToken::expose),
            minified_body: &minified,
            timestamp: &timestamp,
            client_id: &signer.client_id,
        };
        let key = match (recipe.algorithm, &signer.provider_key) {
            (Algorithm::RsaSha256, Some(key)) => Signer::Rsa(key),
            (Algorithm::RsaSha256, None) => return Err("the recipe is RSA and there is no provider key".into()),
            (Algorithm::HmacSha512, _) => Signer::Secret(signer.client_secret.expose()),
        };
        let signature = signing::sign(recipe, &message, key).map_err(|e| e.to_string())?;
        let mut headers = Vec::with_capacity(1 + names.len());
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        for (name, source) in names {
            let value = match source {
                HeaderSource::ClientId => signer.client_id.clone(),
                HeaderSource::ExternalId => external_id(),
                HeaderSource::ChannelId => match signer.channel_id.as_ref().or(self.channel_id.as_ref()) {
                    Some(channel) => channel.clone(),
                    None => continue,
                },
                HeaderSource::Timestamp => timestamp.clone(),
                HeaderSource::Signature => signature.clone(),
                HeaderSource::BearerToken => match token {
                    Some(token) => format!("Bearer {}", token.expose()),
                    None => continue,
                },
                HeaderSource::Value(value) => value.to_string(),
                // Envelope heads only; a notification's headers never carry them.
                HeaderSource::Function | HeaderSource::ClientSecret => continue,
            };
            headers.push((name.clone(), value));
        }
        Ok(headers)
    }
}

/// A transport error in words, without anything secret (reqwest errors name the URL, never headers).
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {timeout:?}");
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// X-EXTERNAL-ID: 32 random digits, unique per attempt. Digits only, because some receivers still read the
/// standard's table that says numeric (snap-standard §6.2); 32 fit the 36-character limit.
fn external_id() -> String {
    format!("{:032}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_divides_and_never_panics() {
        let schedule = Schedule {
            delays: vec![Duration::from_secs(1800), Duration::from_secs(21600)],
        };
        assert_eq!(
            schedule.compressed(100_000).delays,
            vec![Duration::from_millis(18), Duration::from_millis(216)]
        );
        assert_eq!(schedule.compressed(0), schedule);
        assert_eq!(Schedule::immediate_for_tests(2).attempts(), 3);
    }

    #[test]
    fn external_ids_are_32_digits() {
        let id = external_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(id, external_id());
    }
}
