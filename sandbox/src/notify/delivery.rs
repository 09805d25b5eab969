//! Sending a notification and retrying it on the schedule.
//!
//! [`Notifier::deliver`] runs one delivery in the background: the first attempt at once, then one more at
//! each schedule point (measured from the first attempt) until the merchant answers HTTP 2xx. Every attempt
//! is recorded as a [`Delivery`]. Secrets (client secret, token) are never in `Debug` output, logs or
//! delivery records.
//!
//! Every notification gets a number, and its URL and body are kept (`outbox`), so [`Notifier::resend`] can send it
//! again: one attempt, signed afresh, recorded after the attempts before it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;
use snapbi_spec::ir::{AuthKind, HeaderSource, Provider, Recipe, TimestampForm};
use time::OffsetDateTime;

use super::outbox::{Outbox, Sent};
use super::persisted::Rows;
use super::{MerchantToken, NotifySigner, Schedule};
use crate::answer::Clock;
use crate::changes::{Changes, Topic};

/// Per-attempt timeout used unless [`Notifier::with_attempt_timeout`] says otherwise: 8 s, the timeout DANA
/// documents for the merchant's answer to its payment notification (snap-standard §5.1).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);

/// Most delivery records kept; older ones are dropped first, so a long-running sandbox stays bounded.
pub const MAX_RECORDED_DELIVERIES: usize = 10_000;

/// One attempt to deliver a notification, as recorded by [`Notifier::deliveries`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delivery {
    /// The notification this attempt delivers: numbered from 1 in the order they were sent (in a sandbox, across
    /// all its notifiers).
    pub notification: u64,
    /// The notify URL.
    pub url: String,
    /// 1 for the first attempt, 2 for the first retry, …; a resend continues the count.
    pub attempt: u32,
    /// Whether the attempt was asked for by hand ([`Notifier::resend`]) rather than made by the schedule.
    pub resent: bool,
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
///
/// Deliveries run in the background for as long as a handle to the notifier lives: once the last clone is dropped
/// (the sandbox that owns it is gone), the deliveries in progress stop, so a stopped sandbox neither sends nor records
/// anything more, in memory or in its state file.
#[derive(Clone)]
pub struct Notifier {
    shared: Arc<Shared>,
    /// Held by every handle to this notifier; its deliveries stop once the last handle is gone.
    alive: Arc<tokio::sync::watch::Sender<()>>,
    attempt_timeout: Duration,
    /// Where each attempt's token comes from, when the merchant issues it.
    merchant_token: Option<Arc<MerchantToken>>,
    /// The next notification's number; a sandbox's notifiers share it.
    numbers: Arc<AtomicU64>,
}

/// How many attempts a delivery makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// The first, then one per schedule point until a 2xx.
    Schedule,
    /// One, asked for by hand.
    Resend,
}

pub(super) struct Shared {
    provider: String,
    schedule: Schedule,
    pub(super) signer: NotifySigner,
    /// The provider's symmetric recipe, or why there is none.
    pub(super) recipe: Result<Recipe, String>,
    /// The provider's `headers.symmetric`, in spec order.
    pub(super) headers: Vec<(String, HeaderSource)>,
    /// The form of the provider's timestamps (ISO 8601, Unix seconds).
    pub(super) timestamp_form: TimestampForm,
    /// The provider's X-TIMESTAMP offset.
    pub(super) clock: Clock,
    /// Digits of the second's fraction in the provider's X-TIMESTAMP.
    pub(super) fraction_digits: u8,
    /// The provider's default CHANNEL-ID.
    pub(super) channel_id: Option<String>,
    /// `None` if the HTTP client could not be built (reported per delivery).
    http: Option<reqwest::Client>,
    deliveries: Mutex<VecDeque<Delivery>>,
    /// The notifications sent, for resending.
    outbox: Outbox,
    /// Told of every attempt recorded (the sandbox's live pages).
    changes: OnceLock<Changes>,
    /// Where notifications and attempts are written, with a state file.
    rows: OnceLock<Rows>,
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
            timestamp_form: provider.timestamp_form,
            clock: Clock::new(&provider.timestamp_offset),
            fraction_digits: provider.timestamp_fraction_digits,
            channel_id: provider.channel_id.clone(),
            http,
            deliveries: Mutex::new(VecDeque::new()),
            outbox: Outbox::default(),
            changes: OnceLock::new(),
            rows: OnceLock::new(),
            in_flight: tokio::sync::watch::Sender::new(0),
        };
        Self {
            shared: Arc::new(shared),
            alive: Arc::new(tokio::sync::watch::Sender::new(())),
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            merchant_token: None,
            numbers: Arc::new(AtomicU64::new(1)),
        }
    }

    /// The same notifier numbering its notifications from `numbers`, shared with the sandbox's other notifiers so a
    /// number names one notification in the sandbox, and telling `changes` of every attempt.
    pub(crate) fn in_sandbox(mut self, numbers: Arc<AtomicU64>, changes: Changes) -> Self {
        self.numbers = numbers;
        let _ = self.shared.changes.set(changes);
        self
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
    ///
    /// Returns the notification's number (its [`Delivery::notification`]).
    pub fn deliver(&self, url: String, body: Value) -> u64 {
        let n = self.numbers.fetch_add(1, Ordering::Relaxed);
        match serde_json::to_vec(&body) {
            Ok(bytes) => {
                let bytes = Bytes::from(bytes);
                let forgotten = self.shared.outbox.keep(n, url.clone(), bytes.clone());
                if let Some(rows) = self.shared.rows.get() {
                    rows.kept(n, &url, &bytes, forgotten);
                }
                self.start(n, url, bytes, Plan::Schedule);
            }
            Err(e) => {
                let failure = format!("cannot serialize the body: {e}");
                self.shared.record_failure(n, &url, failure, Plan::Schedule);
            }
        }
        n
    }

    /// Sends notification `n` again, as it was first sent (same URL, same body bytes) with fresh headers and
    /// signature: one attempt in the background, recorded after the notification's attempts so far, without
    /// retries. Returns false when this notifier did not send `n` or has forgotten it (it keeps the last
    /// [`super::MAX_KEPT_NOTIFICATIONS`]).
    pub fn resend(&self, n: u64) -> bool {
        let Some(sent) = self.shared.outbox.get(n) else {
            return false;
        };
        self.start(n, sent.url, sent.body, Plan::Resend);
        true
    }

    /// Starts delivering notification `n` in a background task, or records why it cannot be.
    fn start(&self, n: u64, url: String, bytes: Bytes, plan: Plan) {
        let target = match reqwest::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => parsed,
            Ok(parsed) => {
                let failure = format!("notify URL scheme {:?} is not http or https", parsed.scheme());
                return self.shared.record_failure(n, &url, failure, plan);
            }
            Err(e) => {
                return self
                    .shared
                    .record_failure(n, &url, format!("invalid notify URL: {e}"), plan);
            }
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            let failure = "no Tokio runtime to run the delivery on".to_owned();
            return self.shared.record_failure(n, &url, failure, plan);
        };
        // Counted before the task starts, so `wait_idle` right after `deliver` waits for it.
        let guard = InFlight::start(Arc::clone(&self.shared));
        let shared = Arc::clone(&self.shared);
        let timeout = self.attempt_timeout;
        let merchant_token = self.merchant_token.clone();
        let mut alive = self.alive.subscribe();
        runtime.spawn(async move {
            let _guard = guard;
            let delivery = Run {
                n,
                url,
                target,
                body: bytes,
                plan,
            };
            tokio::select! {
                () = shared.run(delivery, timeout, merchant_token.as_deref()) => {}
                // Nothing is ever sent on it: this resolves once the last handle is dropped.
                _ = alive.changed() => {}
            }
        });
    }

    /// Reads back this notifier's notifications and attempts from a state file, and writes new ones to it from now
    /// on (`persisted`). Later notifications are numbered after every one read back.
    pub(crate) fn restore(&self, rows: Rows) -> Result<(), crate::persist::StateError> {
        let (kept, deliveries) = rows.load()?;
        let last = kept
            .iter()
            .map(|(n, ..)| *n)
            .chain(deliveries.iter().map(|d| d.notification))
            .max();
        // Each notification's attempts so far, so its next one (a Resend) is numbered after them.
        let mut attempts = std::collections::HashMap::new();
        for delivery in &deliveries {
            let most = attempts.entry(delivery.notification).or_insert(0);
            *most = delivery.attempt.max(*most);
        }
        for (n, url, body) in kept {
            let made = attempts.get(&n).copied().unwrap_or(0);
            self.shared.outbox.keep_attempted(n, url, body, made);
        }
        {
            let mut recorded = self.shared.lock();
            recorded.extend(deliveries);
            let excess = recorded.len().saturating_sub(MAX_RECORDED_DELIVERIES);
            recorded.drain(..excess);
        }
        if let Some(last) = last {
            self.numbers.fetch_max(last + 1, Ordering::Relaxed);
        }
        let _ = self.shared.rows.set(rows);
        Ok(())
    }

    /// The notifications kept for resending, oldest first.
    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.shared.outbox.list()
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

/// One delivery to run: which notification, where, what, how many attempts.
struct Run {
    n: u64,
    url: String,
    target: reqwest::Url,
    body: Bytes,
    plan: Plan,
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
        {
            let mut deliveries = self.lock();
            let dropped = match deliveries.len() >= MAX_RECORDED_DELIVERIES {
                true => deliveries.pop_front(),
                false => None,
            };
            // Written under the lock, so the file's order is the record's.
            if let Some(rows) = self.rows.get() {
                rows.recorded(&delivery, dropped.as_ref());
            }
            deliveries.push_back(delivery);
        }
        if let Some(changes) = self.changes.get() {
            changes.bump(Topic::Notifications);
        }
    }

    /// Records a delivery that could not even be attempted as a failed attempt.
    fn record_failure(&self, n: u64, url: &str, error: String, plan: Plan) {
        tracing::warn!(url, %error, "notification not sent");
        self.record(Delivery {
            notification: n,
            url: url.to_owned(),
            attempt: self.outbox.next_attempt(n).unwrap_or(1),
            resent: plan == Plan::Resend,
            at: self.now_with_millis(),
            status: None,
            error: Some(error),
            acknowledged: false,
        });
    }

    fn now_with_millis(&self) -> String {
        self.clock.format_fraction(OffsetDateTime::now_utc(), 3)
    }

    /// One delivery: the first attempt now, then (on the schedule's plan) one per schedule point until a 2xx.
    async fn run(&self, delivery: Run, timeout: Duration, merchant_token: Option<&MerchantToken>) {
        let Run {
            n,
            url,
            target,
            body,
            plan,
        } = delivery;
        // `{path}` is the path actually requested, with any query (specs/README.md, snap-standard §2.4).
        let path = match target.query() {
            Some(query) => format!("{}?{query}", target.path()),
            None => target.path().to_owned(),
        };
        let retries = match plan {
            Plan::Schedule => self.schedule.delays.as_slice(),
            Plan::Resend => &[],
        };
        let first = tokio::time::Instant::now();
        let offsets = std::iter::once(Duration::ZERO).chain(retries.iter().copied());
        for (count, offset) in (1u32..).zip(offsets) {
            tokio::time::sleep_until(first + offset).await;
            let at = self.now_with_millis();
            let answer = self.attempt(&target, &path, &body, timeout, merchant_token).await;
            let acknowledged = answer.status.is_some_and(|s| (200..300).contains(&s));
            // Numbered by the outbox, so a resend running beside the retries takes its own number.
            let attempt = self.outbox.next_attempt(n).unwrap_or(count);
            match (&answer.status, &answer.error) {
                (Some(status), _) => tracing::info!(url, attempt, status, acknowledged, "notification answered"),
                (None, Some(error)) => tracing::warn!(url, attempt, %error, "notification not answered"),
                (None, None) => {}
            }
            self.record(Delivery {
                notification: n,
                url: url.clone(),
                attempt,
                resent: plan == Plan::Resend,
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
}

/// A transport error in words, without anything secret (reqwest errors name the URL, never headers).
pub(super) fn describe(e: &reqwest::Error, timeout: Duration) -> String {
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
