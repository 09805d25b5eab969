//! The simulated customers a tester registers: a phone number at a provider, a wallet balance (when given) and a
//! status. The sandbox makes none of them up: a customer without a balance has none, and every call that would read
//! or move it is refused saying so.

use serde::{Deserialize, Serialize};

use crate::ledger::{Money, Units};

/// A simulated customer of a provider, as `POST /_sandbox/customers` takes it and `GET` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customer {
    /// The provider whose customer this is (`doku`).
    pub provider: String,
    /// The phone number the customer's bank or e-wallet account is registered with, as a binding names it.
    pub phone_no: String,
    /// The wallet's balance; none when the tester gave none (then no call can read or move it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
    /// Whether the account can be used.
    #[serde(default)]
    pub status: CustomerStatus,
}

/// Whether a customer's account can be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    /// Binds, pays and reports its balance.
    #[default]
    Active,
    /// Refused with the endpoint's `frozen` code wherever it names one.
    Frozen,
}

/// The customer a binding, a token or a payment stands for: a provider's phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Holder {
    pub(crate) provider: String,
    pub(crate) phone_no: String,
}

/// Why the wallet cannot pay an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shortfall {
    /// The tester registered no balance.
    NoBalance,
    /// The amount is in another currency than the wallet's.
    OtherCurrency(String),
    /// The wallet holds less.
    Insufficient(Money),
}

impl Customer {
    /// Who this customer is, for tokens and payments.
    pub(crate) fn holder(&self) -> Holder {
        Holder {
            provider: self.provider.clone(),
            phone_no: self.phone_no.clone(),
        }
    }

    /// What is wrong with the customer as registered: the phone number is empty, or the balance is not an
    /// unsigned decimal with a currency.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.phone_no.trim().is_empty() {
            return Some("`phoneNo` must not be empty".into());
        }
        let balance = self.balance.as_ref()?;
        if Units::parse(&balance.value).is_none() || balance.currency.trim().is_empty() {
            return Some(format!(
                "`balance` must be {{\"value\": \"<digits>.<digits>\", \"currency\": \"IDR\"}}, not {} {:?}",
                balance.value, balance.currency
            ));
        }
        None
    }

    /// Takes `amount` from the wallet, or says why it cannot.
    pub(crate) fn debit(&mut self, amount: &Money) -> Result<(), Shortfall> {
        let balance = self.balance.as_ref().ok_or(Shortfall::NoBalance)?;
        if balance.currency != amount.currency {
            return Err(Shortfall::OtherCurrency(balance.currency.clone()));
        }
        let (held, asked) = (units(balance), units(amount));
        let left = held.zip(asked).and_then(|(h, a)| h.minus(a));
        let Some(left) = left else {
            return Err(Shortfall::Insufficient(balance.clone()));
        };
        self.balance = Some(written(left, balance, amount));
        Ok(())
    }

    /// Gives `amount` back to the wallet (a refund, a cancelled payment); a wallet without a balance or in another
    /// currency is left as it is, since it was never debited.
    pub(crate) fn credit(&mut self, amount: &Money) {
        let Some(balance) = &self.balance else { return };
        if balance.currency != amount.currency {
            return;
        }
        if let Some(sum) = units(balance).zip(units(amount)).and_then(|(b, a)| b.plus(a)) {
            self.balance = Some(written(sum, balance, amount));
        }
    }
}

fn units(money: &Money) -> Option<Units> {
    Units::parse(&money.value)
}

/// `n` in the wallet's currency, with the larger number of fraction digits of the two amounts.
fn written(n: Units, balance: &Money, amount: &Money) -> Money {
    let scale = [balance, amount]
        .iter()
        .filter_map(|m| units(m))
        .map(Units::scale)
        .max();
    Money {
        value: n.format(scale.unwrap_or(0)),
        currency: balance.currency.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idr(value: &str) -> Money {
        Money {
            value: value.into(),
            currency: "IDR".into(),
        }
    }

    fn customer(balance: Option<Money>) -> Customer {
        Customer {
            provider: "doku".into(),
            phone_no: "6281".into(),
            balance,
            status: CustomerStatus::Active,
        }
    }

    #[test]
    fn a_wallet_pays_what_it_holds_and_gets_refunds_back() {
        let mut c = customer(Some(idr("50000.00")));
        assert_eq!(c.debit(&idr("60000.00")), Err(Shortfall::Insufficient(idr("50000.00"))));
        assert_eq!(c.debit(&idr("20000.00")), Ok(()));
        assert_eq!(c.balance, Some(idr("30000.00")));
        c.credit(&idr("5000.5"));
        assert_eq!(c.balance, Some(idr("35000.50")));
        let usd = Money {
            value: "1.00".into(),
            currency: "USD".into(),
        };
        assert_eq!(c.debit(&usd), Err(Shortfall::OtherCurrency("IDR".into())));
        assert_eq!(customer(None).debit(&idr("1.00")), Err(Shortfall::NoBalance));
        assert!(customer(Some(idr("ten"))).problem().is_some());
        assert!(customer(None).problem().is_none());
    }
}
