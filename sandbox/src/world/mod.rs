//! The provider's world of simulated customers: who they are (`customers`, registered by a tester) and the bindings
//! waiting for their consent (`consent`, the page standing for the bank's or e-wallet's).
//!
//! What an endpoint does with them is spec data (`customer:` of an endpoint file: bind, balance, pay, unbind); the
//! operations read it in `operations::customers`, and no provider is named here. The customer a customer token
//! stands for travels with the token (`tokens`) and the grant that bought it (`grants`).

pub(crate) mod consent;
pub(crate) mod consent_page;
mod customers;

use std::sync::{Arc, Mutex};

pub use customers::{Customer, CustomerStatus};
pub(crate) use customers::{Holder, Shortfall};

use crate::persist::{Change, Kind, StateError, StateFile};
use crate::store::{self, BoundedMap};
use consent::Pending;

/// The customers and the consents waiting for them. Lock order: the books, then a lock of this.
///
/// With a state file (`persist`) each customer is also a row, written when it is registered or changes (a payment
/// debits it, a refund credits it), so wallets carry on across a restart. Consents waiting on their page are not kept:
/// a binding in progress when the sandbox stops is started again.
#[derive(Debug)]
pub(crate) struct World {
    customers: Mutex<BoundedMap<(String, String), Customer>>,
    consents: Mutex<BoundedMap<String, Pending>>,
    /// One-time tokens an `identify` answer issued (DANA's OTT) → the customer each stands for, so the pay page the
    /// token is appended to knows who pays. Not kept in a state file: a token lives minutes, and a page opened with a
    /// forgotten one simply preselects nobody.
    one_time_tokens: OneTimeTokens,
    /// Where customers are written, with a state file.
    file: Option<Arc<StateFile>>,
}

/// One-time token → customer. The tokens are credentials: `Debug` shows how many, never one.
struct OneTimeTokens(Mutex<BoundedMap<String, Holder>>);

impl std::fmt::Debug for OneTimeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OneTimeTokens({} kept)", store::lock(&self.0).values().count())
    }
}

/// A customer's row key: provider and phone number.
fn row_key(key: &(String, String)) -> String {
    format!("{}\u{1f}{}", key.0, key.1)
}

impl World {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            customers: Mutex::new(BoundedMap::new(capacity)),
            consents: Mutex::new(BoundedMap::new(capacity)),
            one_time_tokens: OneTimeTokens(Mutex::new(BoundedMap::new(capacity))),
            file: None,
        }
    }

    /// Reads back the customers `file` holds, and writes every change of a customer to it from now on.
    pub(crate) fn restore(&mut self, file: Arc<StateFile>) -> Result<(), StateError> {
        for (_, customer) in file.load::<Customer>(Kind::Customer)? {
            self.put(customer);
        }
        self.file = Some(file);
        Ok(())
    }

    /// Writes the customer at `key` as it is now (or its removal), and forgets the `evicted` ones.
    fn write(
        &self,
        key: &(String, String),
        customer: Option<&Customer>,
        evicted: Option<((String, String), Customer)>,
    ) {
        let Some(file) = &self.file else { return };
        let change = match customer {
            Some(customer) => Change::put(Kind::Customer, row_key(key), customer),
            None => Some(Change::delete(Kind::Customer, row_key(key))),
        };
        let forget = evicted
            .iter()
            .map(|(old, _)| Change::delete(Kind::Customer, row_key(old)));
        file.write_or_log(&change.into_iter().chain(forget).collect::<Vec<_>>());
    }

    /// Registers `customer`, replacing one with the same provider and phone number.
    pub(crate) fn put(&self, customer: Customer) {
        let key = (customer.provider.clone(), customer.phone_no.clone());
        let mut customers = store::lock(&self.customers);
        // A replaced customer takes the newest place, like a new one.
        customers.remove(&key);
        let evicted = customers.insert(key.clone(), customer);
        self.write(&key, customers.get(&key), evicted);
    }

    /// Every customer, oldest first.
    pub(crate) fn all(&self) -> Vec<Customer> {
        store::lock(&self.customers).values().cloned().collect()
    }

    /// The customer `holder` names, as it is now.
    pub(crate) fn get(&self, holder: &Holder) -> Option<Customer> {
        let key = (holder.provider.clone(), holder.phone_no.clone());
        store::lock(&self.customers).get(&key).cloned()
    }

    /// Changes the customer `holder` names with `change`, if it exists.
    pub(crate) fn update<T>(&self, holder: &Holder, change: impl FnOnce(&mut Customer) -> T) -> Option<T> {
        let key = (holder.provider.clone(), holder.phone_no.clone());
        let mut customers = store::lock(&self.customers);
        let done = customers.get_mut(&key).map(change);
        self.write(&key, customers.get(&key), None);
        done
    }

    /// Every customer of `provider`, oldest first.
    pub(crate) fn of_provider(&self, provider: &str) -> Vec<Customer> {
        let customers = store::lock(&self.customers);
        customers.values().filter(|c| c.provider == provider).cloned().collect()
    }

    /// Remembers that the one-time token `token` stands for `holder`.
    pub(crate) fn remember_one_time_token(&self, token: String, holder: Holder) {
        store::lock(&self.one_time_tokens.0).insert(token, holder);
    }

    /// The customer the one-time token `token` stands for.
    pub(crate) fn one_time_token_holder(&self, token: &str) -> Option<Holder> {
        store::lock(&self.one_time_tokens.0).get(token).cloned()
    }

    /// Keeps a binding waiting for the customer's consent; returns the id its page is found by.
    pub(crate) fn await_consent(&self, pending: Pending) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        store::lock(&self.consents).insert(id.clone(), pending);
        id
    }

    /// The binding waiting at page `id`, as it is now.
    pub(crate) fn consent(&self, id: &str) -> Option<Pending> {
        store::lock(&self.consents).get(id).cloned()
    }

    /// Records the customer's decision on page `id`, once; the binding as it was before, or none when there is no such
    /// page or it was decided already.
    pub(crate) fn decide(&self, id: &str, approve: bool) -> Option<Pending> {
        let mut consents = store::lock(&self.consents);
        let pending = consents.get_mut(id).filter(|p| p.decided.is_none())?;
        pending.decided = Some(approve);
        Some(pending.clone())
    }
}
