//! What a customer does on a payment's pay page (`pay_page`): pay it, from the wallet of the customer picked when the
//! payment's endpoint takes part in the world (`customer: act: pay`), cancel it, or let it expire. Each moves the
//! payment as the standard's transition table says (`pay`, `cancel`, `expire`) and sends the payment notification of
//! its new state; a wallet that cannot pay is refused with the endpoint's declared code where it names one, and the
//! payment stays as it was.

use snapbi_spec::ir::{Action, CustomerAct, CustomerUse};

use super::payments::{notice, unrefunded};
use super::{Effect, complete};
use crate::answer::published_message;
use crate::ledger::PaymentRecord;
use crate::sandbox::{Inner, SandboxError};
use crate::world::{CustomerStatus, Holder, Shortfall};

/// The customer's choice on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Choice {
    /// Pay: from this customer's wallet (a phone number), or another way (none).
    Pay(Option<String>),
    /// Call the payment off.
    Cancel,
    /// Let the page's time run out.
    Expire,
}

/// Why the page could not do what the customer chose.
#[derive(Debug)]
pub(crate) enum Refused {
    /// No payment, or none the choice applies to (`complete`'s errors, and the table's refusals).
    Payment(SandboxError),
    /// The customer or their wallet cannot pay: the endpoint's code for it (with its published message) when it
    /// declares one, and why in words.
    Wallet {
        code: Option<String>,
        message: Option<String>,
        why: String,
    },
}

/// Does `choice` on the payment(s) named `partner_reference_no`; the payment as it is now, and what to do after.
pub(crate) fn on_page(
    inner: &Inner,
    partner_reference_no: &str,
    choice: &Choice,
) -> Result<(PaymentRecord, Vec<Effect>), Refused> {
    let (action, payer) = match choice {
        Choice::Pay(None) => return complete(inner, partner_reference_no).map_err(Refused::Payment),
        Choice::Pay(Some(payer)) => (Action::Pay, Some(payer)),
        Choice::Cancel => (Action::Cancel, None),
        Choice::Expire => (Action::Expire, None),
    };
    let machine = inner.machine();
    let mut books = inner.books();
    let mut named = books.payments_named(partner_reference_no);
    if named.is_empty() {
        return Err(Refused::Payment(SandboxError::PaymentNotFound(
            partner_reference_no.to_owned(),
        )));
    }
    let Some(payment) = named
        .iter_mut()
        .find(|p| machine.after(action, &p.latest_transaction_status).is_some())
    else {
        let status = named[0].latest_transaction_status.code().to_owned();
        return Err(Refused::Payment(SandboxError::NotCompletable {
            partner_reference_no: partner_reference_no.to_owned(),
            status,
        }));
    };
    let next = machine.after(action, &payment.latest_transaction_status);
    let now = inner.clock(&payment.provider).now();
    match payer {
        Some(payer) => {
            debit(inner, payment, payer)?;
            payment.paid_time = Some(now.clone());
            payment.payer = Some(payer.clone());
        }
        // A payment its wallet paid is given back what its refunds did not (with a table letting a paid one end so).
        None => {
            if let (Some(payer), Some(_), Some(left)) = (&payment.payer, &payment.paid_time, unrefunded(payment)) {
                let holder = holder(payment, payer);
                inner.world.update(&holder, |c| c.credit(&left));
            }
        }
    }
    if let Some(next) = next {
        payment.latest_transaction_status = next;
    }
    payment.finished_time = Some(now);
    let effects = vec![Effect::Notify(Box::new(notice(payment)))];
    Ok(((**payment).clone(), effects))
}

/// Takes the payment's amount from the wallet of customer `payer` of the payment's provider.
fn debit(inner: &Inner, payment: &PaymentRecord, payer: &str) -> Result<(), Refused> {
    let wallet = wallet_use(inner, payment);
    let code = |pick: fn(&CustomerUse) -> Option<&String>| wallet.and_then(pick).cloned();
    let refuse = |code: Option<String>, why: String| Refused::Wallet {
        message: code
            .as_deref()
            .and_then(|c| published_message(&inner.api, c))
            .map(str::to_owned),
        code,
        why,
    };
    if wallet.is_none() {
        let why = format!(
            "{} pays from no customer's wallet (its spec has no `customer: act: pay`)",
            payment.endpoint
        );
        return Err(refuse(None, why));
    }
    let holder = holder(payment, payer);
    let Some(customer) = inner.world.get(&holder) else {
        let why = format!("no customer of {} has phone number {payer:?}", payment.provider);
        return Err(refuse(None, why));
    };
    if customer.status == CustomerStatus::Frozen {
        let why = format!("customer {payer} is frozen");
        return Err(refuse(code(|w| w.codes.frozen.as_ref()), why));
    }
    let Some(amount) = &payment.amount else {
        return Err(refuse(None, "the payment has no amount for a wallet to pay".into()));
    };
    let why = match inner.world.update(&holder, |c| c.debit(amount)) {
        Some(Ok(())) => return Ok(()),
        None | Some(Err(Shortfall::NoBalance)) => {
            format!("customer {payer} has no balance: none was registered, and the sandbox makes none up")
        }
        Some(Err(Shortfall::OtherCurrency(currency))) => {
            format!("the payment is in {}, the wallet in {currency}", amount.currency)
        }
        Some(Err(Shortfall::Insufficient(held))) => {
            let why = format!(
                "the wallet of customer {payer} holds {} {}, less than {} {}",
                held.value, held.currency, amount.value, amount.currency
            );
            return Err(refuse(code(|w| w.codes.insufficient_funds.as_ref()), why));
        }
    };
    Err(refuse(None, why))
}

/// The `customer: act: pay` of the endpoint that made the payment, if it has one.
pub(crate) fn wallet_use<'i>(inner: &'i Inner, payment: &PaymentRecord) -> Option<&'i CustomerUse> {
    let endpoint = inner.api.endpoint(&payment.endpoint)?;
    endpoint.customer.as_ref().filter(|w| w.act == CustomerAct::Pay)
}

fn holder(payment: &PaymentRecord, phone_no: &str) -> Holder {
    Holder {
        provider: payment.provider.clone(),
        phone_no: phone_no.to_owned(),
    }
}
