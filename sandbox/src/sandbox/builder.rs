//! The sandbox's configuration: [`SandboxBuilder`], with the documented default of every setting, and `build`,
//! which checks the configuration and assembles the sandbox's shared state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use snapbi_spec::ir::{Api, HeaderSource};

use super::setup::{NotifierSetup, check_standard, clients, notification_keys, served, standard_token_lifetime};
use super::state::{Inner, NotifierKey, Options};
use super::{Sandbox, SandboxError};
use crate::answer::Clock;
use crate::changes::Changes;
use crate::credentials::Credentials;
use crate::grants::Grants;
use crate::journal::Journal;
use crate::keys::ProviderKey;
use crate::ledger::Books;
use crate::notify::{Notifier, Rows, Schedule};
use crate::payment_status::Machine;
use crate::persist::StateFile;
use crate::routes::Routes;
use crate::scenarios::Queues;
use crate::tokens::Tokens;
use crate::world::World;

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
    state: Option<PathBuf>,
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
    /// endpoint's path; without one, [`DEMO_NOTIFY_TOKEN`](crate::DEMO_NOTIFY_TOKEN).
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

    /// Keeps the sandbox's world in the SQLite file at `path` (`snapbi sandbox --state FILE`): what it holds is read
    /// back at build (a new or empty file is made a state file), and every change is written to it as it is committed,
    /// so a sandbox built again on the file carries on where this one stopped. Kept: payments with their refunds,
    /// records, remembered idempotent answers, used X-EXTERNAL-IDs, issued tokens and one-time codes, and notifications
    /// with their attempts. Not kept: armed scenarios and faults, the journal of calls, and retries still running
    /// (see the `persist` module). Default: memory only.
    ///
    /// The sandbox holds the file until it is gone: [`Self::build`] on a file another sandbox holds (in this process
    /// or another) fails with [`StateError::InUse`](crate::StateError::InUse).
    pub fn state(mut self, path: impl Into<PathBuf>) -> Self {
        self.state = Some(path.into());
        self
    }

    /// Checks the configuration and builds the sandbox.
    ///
    /// # Errors
    ///
    /// [`SandboxError`] for a missing API, standard data it cannot act on, bad credentials, no endpoints, clashing
    /// or reserved paths, or a state file that cannot be used ([`SandboxError::State`]).
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
        notification_keys(&api, &chosen, &clients)?;
        let served = served(&api, &chosen)?;
        let routes = Routes::build(&api, &served)?;
        let capacity = self.capacity.unwrap_or(DEFAULT_CAPACITY);
        let options = Options {
            timestamp_window: self.timestamp_window.unwrap_or(DEFAULT_TIMESTAMP_WINDOW),
            body_limit: self.body_limit.unwrap_or(DEFAULT_BODY_LIMIT),
            auto_complete: self.auto_complete,
            notify_url: self.notify_url,
        };
        let changes = Changes::new();
        let notifiers = NotifierSetup {
            schedule: self.schedule,
            speedup: self.speedup.unwrap_or(1),
            timeout: self.notify_timeout,
            token: self.notify_token,
            merchant_token_url: self.merchant_token_url,
        }
        .build(&api, &chosen, &clients, &changes);
        let clocks = chosen
            .iter()
            .filter_map(|name| api.provider(name))
            .map(|p| (p.name.clone(), Clock::new(&p.timestamp_offset)))
            .collect();
        let mut stores = Stores {
            books: Books::new(capacity),
            tokens: Tokens::new(token_lifetime, capacity),
            grants: Grants::new(capacity),
            world: World::new(capacity),
        };
        let serial = match &self.state {
            Some(path) => restore(path, &api, &mut stores, &notifiers)?,
            None => 0,
        };
        let inner = Inner {
            clocks,
            served,
            routes,
            clients,
            options,
            notifiers,
            tokens: stores.tokens,
            grants: stores.grants,
            books: Mutex::new(stores.books),
            world: stores.world,
            scenarios: Queues::new(),
            faults: Queues::new(),
            serial: AtomicU64::new(serial),
            journal: Journal::new(capacity),
            changes,
            // The sandbox signs as the provider with its own (public, demo) key: enveloped answers.
            provider_key: ProviderKey::from_pem(crate::credentials::DEMO_PROVIDER_PRIVATE_KEY_PEM).ok(),
            api,
        };
        Ok(Sandbox { inner: Arc::new(inner) })
    }
}

/// What a state file keeps, before it is shared.
struct Stores {
    books: Books,
    tokens: Tokens,
    grants: Grants,
    world: World,
}

/// Opens the state file at `path` and reads the world back from it into the books, tokens, grants and notifiers,
/// which keep it up to date from now on; the reference serial it holds.
fn restore(
    path: &Path,
    api: &Api,
    stores: &mut Stores,
    notifiers: &HashMap<NotifierKey, Notifier>,
) -> Result<u64, SandboxError> {
    let file = Arc::new(StateFile::open(path)?);
    let machine = Machine::new(&api.standard.transaction_status);
    let serial = stores.books.restore(Arc::clone(&file), machine)?;
    stores.tokens.restore(Arc::clone(&file))?;
    stores.grants.restore(Arc::clone(&file))?;
    stores.world.restore(Arc::clone(&file))?;
    for (key, notifier) in notifiers {
        notifier.restore(Rows::new(&file, key))?;
    }
    Ok(serial)
}
