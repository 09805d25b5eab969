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
    /// Lists the payments and refunds of the customer a customer token stands for, a page at a time (DANA's
    /// transaction history list).
    History,
}

impl CustomerAct {
    /// Every act with its spec spelling.
    pub const ALL: [(&'static str, CustomerAct); 6] = [
        ("bind", CustomerAct::Bind),
        ("balance", CustomerAct::Balance),
        ("pay", CustomerAct::Pay),
        ("unbind", CustomerAct::Unbind),
        ("identify", CustomerAct::Identify),
        ("history", CustomerAct::History),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, a)| *a == self).map_or("bind", |(s, _)| *s)
    }
}

/// The resource an `identify` answers with its one-time token (`customer.resource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeResource {
    /// Request wire path of the list of resource names asked for (`userResources`).
    pub asked: String,
    /// Member of the one-time token's list item naming the resource (`resourceType`).
    pub name: String,
    /// The resource's name (`OTT`).
    pub value: String,
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
    /// `identify`: response wire path (through at most one list) of a value the answer issues (`answers`) that
    /// stands for the customer afterwards: a one-time token a page of the provider takes (DANA's OTT).
    pub one_time_token: Option<String>,
    /// `identify`: the one-time token is one resource of a list the request asks for; it is answered (one item of its
    /// list, naming it) only when asked for, and nothing else in that list is (DANA's query user profile).
    pub resource: Option<OneTimeResource>,
    /// `pay`: the query parameter of the payment's page (its `webRedirectUrl`) that may carry such a one-time token,
    /// naming the customer who pays there (DANA's `ott`).
    pub page_token: Option<String>,
    /// `history`: where the request asks and the answer lists.
    pub history: Option<History>,
    /// The codes of its customer situations.
    pub codes: CustomerCodes,
}

/// A customer's transaction history as an endpoint asks for it and answers it (`customer.history`).
///
/// The items are the ledger's payments the customer's wallet paid, and their refunds; each item member is filled
/// from one fact of the ledger, and a fact the provider names no value for is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Response wire path of the list of items (`detailData`).
    pub list: String,
    /// Item members (paths inside an item) answered with the facts.
    pub item: HistoryItem,
    /// Request wire path of the page size (a string or integer of digits).
    pub page_size: Option<String>,
    /// Request wire path of the page number, counted from 1.
    pub page_number: Option<String>,
    /// Request wire paths of the time range's start and end (ISO 8601 with an offset), each included.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// Request wire path of the list of statuses to keep (names of `status_names`).
    pub statuses: Option<String>,
    /// Request wire path of the list of types to keep (names of `type_names`).
    pub types: Option<String>,
    /// The provider's name of each `latestTransactionStatus` value (code → name); a status without one is left out.
    pub status_names: Vec<(String, String)>,
    /// The provider's name of a payment and of a refund, as an item's type; a kind without one is not listed.
    pub payment_type: Option<String>,
    /// See `payment_type`.
    pub refund_type: Option<String>,
}

/// Which item member answers which fact of the ledger (`customer.history.item`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryItem {
    /// When the payment was created, or the refund made (the sandbox's timestamp).
    pub time: Option<String>,
    /// The payment's or the refund's amount.
    pub amount: Option<String>,
    /// The payment's status by its provider's name (`status_names`); a refund has none.
    pub status: Option<String>,
    /// `payment_type` or `refund_type`.
    pub kind: Option<String>,
}

/// A provider's own page where a customer binds their account (`consent_page` of a provider file): the customer's
/// browser opens it with a URL the merchant builds, never an API call (DANA's OAuth page, `GET /v1.0/get-auth-code`).
/// The sandbox serves it at `path`; approving there issues an authorization code for the customer, which the
/// provider's B2B2C token endpoint exchanges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPage {
    /// Where the page is served (`/v1.0/get-auth-code`).
    pub path: String,
    /// The query parameter naming the merchant: a client id (DANA's `partnerId`, its X-PARTNER-ID).
    pub client: String,
    /// The query parameter holding the URL the customer is sent back to (`redirectUrl`).
    pub redirect: String,
    /// The query parameter the authorization code is added under on the way back (`authCode`).
    pub code_param: String,
    /// Query parameters sent back as they came (`state`).
    pub echo: Vec<String>,
    /// Where the URL may hint at the customer's phone number.
    pub phone: Option<PhoneHint>,
}

/// A query parameter holding the customer's phone number, or a JSON object holding it in a member
/// (`seamlessData={"mobile":"62…"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneHint {
    /// The query parameter.
    pub param: String,
    /// The member of the JSON object the parameter holds; none: the parameter is the number.
    pub member: Option<String>,
}
