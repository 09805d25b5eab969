//! The sandbox itself: its configuration (builder and defaults: `builder`; what the builder derives from the specs:
//! `setup`), its shared state (`state`), why building or an operation fails (`error`), and here the [`Sandbox`]
//! handle with the operations a test or a person drives directly (complete a payment, arm a scenario or a fault,
//! read the ledger).

mod builder;
mod error;
mod setup;
mod state;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use snapbi_spec::ir::Api;

use crate::changes::Topic;
use crate::grants::{AUTH_CODE_LIFETIME, GrantKind, Grantee};
use crate::ledger::{PaymentRecord, Record};
use crate::notify::{Delivery, Notifier, Sent};
use crate::operations;
use crate::record_payments;
use crate::scenarios::{ArmedEntry, Fault, ForcedCode};
use crate::world::{Customer, Holder};

pub use builder::{DEFAULT_BODY_LIMIT, DEFAULT_CAPACITY, DEFAULT_TIMESTAMP_WINDOW, SandboxBuilder};
pub use error::SandboxError;
pub(crate) use state::{Inner, NotifierKey, Served};

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
        self.inner.changes.bump(Topic::Ledger);
        self.inner.run_effects(effects);
        Ok(record)
    }

    /// What the customer chose on a payment's pay page: pay (from a customer's wallet, or another way), cancel, or let
    /// it expire; the notification of its new state is sent.
    pub(crate) fn settle_on_page(
        &self,
        partner_reference_no: &str,
        choice: &operations::Choice,
    ) -> Result<PaymentRecord, operations::Refused> {
        let (record, effects) = operations::on_page(&self.inner, partner_reference_no, choice)?;
        self.inner.changes.bump(Topic::Ledger);
        self.inner.run_effects(effects);
        Ok(record)
    }

    /// Issues an authorization code to `client_id` (the only client when `None`) and returns the client id with
    /// the code, as a binding the customer
    /// completed on the provider's own page would (DANA's OAuth redirect): the B2B2C token endpoint accepts it once,
    /// within [`AUTH_CODE_LIFETIME`]. Bindings answered through the API (DOKU's account binding and card
    /// registration) carry their own in `additionalInfo.authCode`. The token it buys stands for no simulated
    /// customer; [`Self::issue_customer_auth_code`] issues one that does.
    ///
    /// # Errors
    ///
    /// [`SandboxError::UnknownClient`], or [`SandboxError::ClientNeeded`] when several clients are accepted.
    pub fn issue_auth_code(&self, client_id: Option<&str>) -> Result<(String, String), SandboxError> {
        self.auth_code(client_id, None)
    }

    /// Issues an authorization code as [`Self::issue_auth_code`] does, for the registered customer `phone_no` of
    /// `provider`, who approved the binding on the provider's own page: the customer token it buys stands for them.
    ///
    /// # Errors
    ///
    /// As [`Self::issue_auth_code`], and [`SandboxError::Customer`] for a customer nobody registered.
    pub fn issue_customer_auth_code(
        &self,
        client_id: Option<&str>,
        provider: &str,
        phone_no: &str,
    ) -> Result<(String, String), SandboxError> {
        let holder = Holder {
            provider: provider.to_owned(),
            phone_no: phone_no.to_owned(),
        };
        if self.inner.world.get(&holder).is_none() {
            return Err(SandboxError::Customer(format!(
                "no customer of {provider} has phone number {phone_no:?}"
            )));
        }
        self.auth_code(client_id, Some(holder))
    }

    fn auth_code(&self, client_id: Option<&str>, holder: Option<Holder>) -> Result<(String, String), SandboxError> {
        let clients = &self.inner.clients;
        let client = match client_id {
            Some(id) => clients
                .get(id)
                .ok_or_else(|| SandboxError::UnknownClient(id.to_owned()))?,
            None if clients.len() == 1 => clients.values().next().ok_or(SandboxError::ClientNeeded)?,
            None => return Err(SandboxError::ClientNeeded),
        };
        let to = Grantee {
            client_id: &client.id,
            holder,
        };
        let code = self.inner.grants.issue(to, GrantKind::AuthCode, AUTH_CODE_LIFETIME);
        Ok((client.id.clone(), code))
    }

    /// Registers simulated customers, each replacing one of the same provider and phone number: who a binding may
    /// name, with the balance (when given) their wallet pays from and their status. The sandbox makes none of
    /// these up. All are checked before any is registered.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Customer`] for a provider none of whose endpoints acts on customers (`customer:` in its
    /// specs), an empty phone number, or a balance that is not a decimal amount with a currency.
    pub fn add_customers(&self, customers: Vec<Customer>) -> Result<Vec<Customer>, SandboxError> {
        for customer in &customers {
            let api = &self.inner.api;
            let has_world = api
                .endpoints
                .iter()
                .any(|e| e.info.provider == customer.provider && e.customer.is_some());
            if !has_world {
                return Err(SandboxError::Customer(format!(
                    "no endpoint of provider `{}` acts on customers (`customer:` in its specs)",
                    customer.provider
                )));
            }
            if let Some(problem) = customer.problem() {
                return Err(SandboxError::Customer(format!("{}: {problem}", customer.phone_no)));
            }
        }
        for customer in &customers {
            self.inner.world.put(customer.clone());
        }
        Ok(customers)
    }

    /// Every simulated customer as they are now (balances after the payments and refunds so far), oldest first.
    pub fn customers(&self) -> Vec<Customer> {
        self.inner.world.all()
    }

    /// The simulated customer `phone_no` of `provider`, as they are now.
    pub fn customer(&self, provider: &str, phone_no: &str) -> Option<Customer> {
        self.inner.world.get(&Holder {
            provider: provider.to_owned(),
            phone_no: phone_no.to_owned(),
        })
    }

    /// Every payment with its refunds, oldest first.
    pub fn ledger(&self) -> Vec<PaymentRecord> {
        self.inner.books().snapshot()
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
        let mut books = inner.books();
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
                aliases: operations::record_aliases(client, provider, kind, &fields),
                page: None,
            };
            books.add_record(id, record.clone());
            added.push(record);
        }
        self.inner.changes.bump(Topic::Ledger);
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
        self.inner.changes.bump(Topic::Ledger);
        self.inner.run_effects(effects);
        Ok(records)
    }

    /// Every record (virtual accounts and the like, see [`Record`]), oldest first.
    pub fn records(&self) -> Vec<Record> {
        self.inner.books().records()
    }

    /// Every notification attempt recorded so far.
    pub fn notifications(&self) -> Vec<Delivery> {
        let mut all: Vec<Delivery> = self.inner.notifiers.values().flat_map(Notifier::deliveries).collect();
        all.sort_by(|a, b| a.at.cmp(&b.at));
        all
    }

    /// Sends notification `n` (a [`Delivery::notification`]) again, as it was first sent, with fresh headers and
    /// signature: one more attempt, recorded after its others (see [`Notifier::resend`]).
    ///
    /// # Errors
    ///
    /// [`SandboxError::NotificationNotFound`] for a number never given, or one forgotten (each notifier keeps the
    /// last [`crate::notify::MAX_KEPT_NOTIFICATIONS`]).
    pub fn resend_notification(&self, n: u64) -> Result<(), SandboxError> {
        match self.inner.notifiers.values().any(|notifier| notifier.resend(n)) {
            true => Ok(()),
            false => Err(SandboxError::NotificationNotFound(n)),
        }
    }

    /// The notifications kept for resending, in the order of their numbers.
    pub(crate) fn sent_notifications(&self) -> Vec<Sent> {
        let mut all: Vec<Sent> = self.inner.notifiers.values().flat_map(Notifier::sent).collect();
        all.sort_by_key(|sent| sent.n);
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
        self.inner.changes.bump(Topic::Armed);
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
        self.inner.changes.bump(Topic::Armed);
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
        self.inner.changes.bump(Topic::Armed);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.inner.faults.clear();
        self.inner.changes.bump(Topic::Armed);
    }

    fn served(&self, endpoint: &str) -> Result<&Served, SandboxError> {
        self.inner
            .served_by_id(endpoint)
            .ok_or_else(|| SandboxError::UnknownEndpoint(endpoint.to_owned()))
    }
}
