//! The provider's world of simulated customers, as an endpoint takes part in it (`customer:` in an endpoint file).
//!
//! A provider keeps customers between calls: a phone number with a wallet balance and a status. An endpoint says
//! what it does with them — binds one through a consent page, reads the balance, pays from it, unbinds — and where
//! the request and the answer hold what that needs. Nothing here names a provider: DOKU's account binding and
//! DANA's balance inquiry differ only in these values.

use snapbi_descriptor::When;

/// What an endpoint does with the provider's customers (`customer.act`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerAct {
    /// Starts binding a customer named by phone number: the answer is the consent page's URL, and the authorization
    /// code it gives is good for a customer token once the customer approves there.
    Bind,
    /// Answers the wallet balance of the customer a customer token stands for.
    Balance,
    /// A payment the customer a customer token stands for makes from the wallet (when the call carries one).
    Pay,
    /// Ends a binding: the customer token it names, and every token of that customer, are refused afterwards.
    Unbind,
    /// Serves the call only for the customer a valid customer token stands for (DANA's apply OTT issues a one-time
    /// token to a bound customer), and answers it as the endpoint otherwise would.
    Identify,
}

impl CustomerAct {
    /// Every act with its spec spelling.
    pub const ALL: [(&'static str, CustomerAct); 5] = [
        ("bind", CustomerAct::Bind),
        ("balance", CustomerAct::Balance),
        ("pay", CustomerAct::Pay),
        ("unbind", CustomerAct::Unbind),
        ("identify", CustomerAct::Identify),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, a)| *a == self).map_or("bind", |(s, _)| *s)
    }
}

/// Where a call carries the customer token (`customer.token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPlace {
    /// In this header of the endpoint's, bare or as `Bearer <token>` (`Authorization-Customer`).
    Header(String),
    /// In the request field at this wire path (DOKU's unbinding names the token in `tokenId`).
    Field(String),
}

/// The sandbox's consent page of a binding, standing for the bank's or e-wallet's (`customer.consent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// Response wire path answered with the consent page's URL (`redirectUrl`).
    pub page: String,
    /// Request wire path of the URL the customer is sent to on approving.
    pub approved: String,
    /// Request wire path of the URL the customer is sent to on rejecting; none: `approved`'s.
    pub rejected: Option<String>,
    /// Query parameter that carries the authorization code on the approved URL, as the provider documents it;
    /// none: the provider documents none, and the code travels in the answer (`CustomerUse::code`) only.
    pub code_param: Option<String>,
}

/// The codes an endpoint answers its customer situations with, each one of its declared `codes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerCodes {
    /// No customer has the phone number the request names.
    pub not_found: Option<String>,
    /// The customer's account is frozen.
    pub frozen: Option<String>,
    /// The wallet holds less than the payment's amount.
    pub insufficient_funds: Option<String>,
    /// The customer token is unknown, expired or revoked.
    pub invalid_token: Option<String>,
}

/// An endpoint's part in the world of customers (`customer:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerUse {
    /// What it does.
    pub act: CustomerAct,
    /// Only for a request this holds for (DOKU pays from a bound wallet on the bound-account channels); none: always.
    pub when: Option<When>,
    /// `bind`: request wire path of the customer's phone number.
    pub phone: Option<String>,
    /// `bind`: the consent page.
    pub consent: Option<Consent>,
    /// `bind`: response wire path answered with the authorization code (good once the customer approved); none: the
    /// code travels on the approved URL only.
    pub code: Option<String>,
    /// `balance`, `pay`, `unbind`: where the call carries the customer token.
    pub token: Option<TokenPlace>,
    /// `balance`: response wire path answered with the wallet's balance, an amount object (a path inside a list
    /// gets one item).
    pub balance: Option<String>,
    /// The codes of its customer situations.
    pub codes: CustomerCodes,
}
