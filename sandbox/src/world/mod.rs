//! The provider's world of simulated customers: who they are (`customers`, registered by a tester) and the bindings
//! waiting for their consent (`consent`, the page standing for the bank's or e-wallet's).
//!
//! What an endpoint does with them is spec data (`customer:` of an endpoint file: bind, balance, pay, unbind); the
//! operations read it in `operations::customers`, and no provider is named here. The customer a customer token
//! stands for travels with the token (`tokens`) and the grant that bought it (`grants`).

pub(crate) mod consent;
mod customers;

use std::sync::Mutex;

pub use customers::{Customer, CustomerStatus};
pub(crate) use customers::{Holder, Shortfall};

use crate::store::{self, BoundedMap};
use consent::Pending;

/// The customers and the consents waiting for them. Lock order: the books, then a lock of this.
#[derive(Debug)]
pub(crate) struct World {
    customers: Mutex<BoundedMap<(String, String), Customer>>,
    consents: Mutex<BoundedMap<String, Pending>>,
}

impl World {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            customers: Mutex::new(BoundedMap::new(capacity)),
            consents: Mutex::new(BoundedMap::new(capacity)),
        }
    }

    /// Registers `customer`, replacing one with the same provider and phone number.
    pub(crate) fn put(&self, customer: Customer) {
        let key = (customer.provider.clone(), customer.phone_no.clone());
        let mut customers = store::lock(&self.customers);
        // A replaced customer takes the newest place, like a new one.
        customers.remove(&key);
        customers.insert(key, customer);
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
        store::lock(&self.customers).get_mut(&key).map(change)
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
