//! The sandbox's shared state: [`Inner`], everything the request tasks share (the API, the served endpoints and
//! their routes, clients, settings, tokens, grants, the books, armed scenarios and faults, notifiers), and the
//! effects a commit leaves to run once the books are unlocked (notifications, a scheduled completion).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde_json::Value;
use snapbi_spec::ir::{Api, AuthKind, Endpoint};

use super::Sandbox;
use super::setup::payment_notification_auth;
use crate::answer::Clock;
use crate::changes::Changes;
use crate::credentials::Client;
use crate::grants::Grants;
use crate::journal::Journal;
use crate::keys::ProviderKey;
use crate::ledger::{Books, BooksGuard};
use crate::notify::Notifier;
use crate::operations::Effect;
use crate::payment_status::Machine;
use crate::routes::Routes;
use crate::scenarios::{Fault, Queues};
use crate::tokens::Tokens;
use crate::world::World;

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
    /// The member names whose values are secret in its bodies ([`snapbi_spec::ir::paths::sensitive_keys`]), which
    /// the journal redacts: worked out once, not on every call.
    pub(crate) sensitive_keys: Box<[String]>,
}

/// A notifier's place: provider, client id and the auth kind it signs with.
pub(crate) type NotifierKey = (String, String, AuthKind);

/// Everything the request tasks share.
pub(crate) struct Inner {
    pub(crate) api: Api,
    pub(crate) served: Vec<Served>,
    /// Which served endpoints answer at a path (one per method).
    pub(crate) routes: Routes,
    pub(crate) clocks: HashMap<String, Clock>,
    pub(crate) clients: HashMap<String, Client>,
    pub(crate) options: Options,
    pub(crate) tokens: Tokens,
    /// Authorization codes and refresh tokens, each good for one customer token.
    pub(crate) grants: Grants,
    pub(crate) books: Mutex<Books>,
    /// The simulated customers and the bindings waiting for their consent.
    pub(crate) world: World,
    pub(crate) scenarios: Queues<String>,
    pub(crate) faults: Queues<Fault>,
    pub(crate) notifiers: HashMap<NotifierKey, Notifier>,
    pub(super) serial: AtomicU64,
    /// The provider's private key, as the sandbox plays it.
    pub(crate) provider_key: Option<ProviderKey>,
    /// The last calls answered, for the dashboard.
    pub(crate) journal: Journal,
    /// What changed, for the dashboard's live pages.
    pub(crate) changes: Changes,
}

impl Inner {
    /// The books, locked. What is changed under the lock is written to the state file, if there is one, when the
    /// guard is released: one transaction per commit.
    pub(crate) fn books(&self) -> BooksGuard<'_> {
        BooksGuard::new(crate::store::lock(&self.books), &self.serial)
    }

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

    /// A fresh opaque value the provider issues (a one-time token, see `answers`): 32 random hex digits.
    pub(crate) fn issue_value(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    /// A fresh reference number: the time in digits and a serial, unique within this sandbox.
    pub(crate) fn next_reference(&self, clock: &Clock) -> String {
        let n = self.serial.fetch_add(1, Ordering::Relaxed);
        let mut reference = String::with_capacity(24);
        clock.push_digits(&mut reference);
        let _ = write!(reference, "{n:08}");
        reference
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
