//! What the SNAP standard says beyond its code tables (`specs/common/standard.yaml`): which case answers which
//! situation, the token's lifetime and when to refresh it, header lengths, and the payment status values with
//! what each action does to them.

use crate::{HeaderSource, List, Text};

/// The standard's facts, read by the runtime (from generated statics) and the sandbox (from the IR).
///
/// `Default` is empty (no case, no status): what a spec set without `standard.yaml` has, which lowering refuses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standard {
    /// The case each situation is answered with.
    pub cases: List<(Situation, Case)>,
    /// Seconds a B2B access token lives (`expiresIn`).
    pub token_lifetime_seconds: u32,
    /// Cases after which a client fetches a new token and replays the call once.
    pub refresh_token_on: List<Case>,
    /// Cases of a status answer meaning the provider never saw the request asked about.
    pub never_seen: List<Case>,
    /// The service digits of an answer no endpoint's service applies to (an unknown path).
    pub unrouted_service_code: Text,
    /// Maximum lengths of the headers a client fills, by the source of their values.
    pub header_max_length: List<(HeaderSource, u32)>,
    /// `latestTransactionStatus`: values, meanings and transitions.
    pub transaction_status: TransactionStatus,
    /// Body members that carry credentials (`accessToken`), redacted from every raw body shown.
    pub credential_members: List<Text>,
}

/// A case code: the HTTP status and the two case digits of a seven-digit response code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Case {
    /// HTTP status.
    pub http: u16,
    /// Two digits.
    pub case: Text,
    /// The message the standard publishes for it, with `{field}` / `{reason}` where a detail goes.
    pub message: Text,
}

/// The situations snapbi's tools answer or recognise, each mapped to a case by the standard's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Situation {
    /// The call succeeded.
    Successful,
    /// The call was accepted and is still being processed.
    InProgress,
    /// The request cannot be read (not JSON, an unknown scenario, …).
    BadRequest,
    /// A field or header has the wrong format.
    InvalidField,
    /// A mandatory field or header is missing.
    MissingField,
    /// Signature, client or timestamp refused.
    Unauthorized,
    /// The access token does not exist or expired.
    InvalidToken,
    /// No access token was given.
    TokenNotFound,
    /// The operation does not fit the transaction's status (refunding an unpaid payment).
    InvalidTransactionStatus,
    /// No such transaction.
    TransactionNotFound,
    /// No endpoint at this path.
    InvalidRouting,
    /// The amount is not acceptable (a refund above what was paid).
    InvalidAmount,
    /// A reference reused with other parameters.
    InconsistentRequest,
    /// A known path called with another method.
    FunctionNotSupported,
    /// The same X-EXTERNAL-ID twice in a day.
    Conflict,
    /// A partner reference already processed.
    DuplicateReference,
    /// The provider failed.
    GeneralError,
    /// The provider failed in a way worth retrying.
    InternalError,
}

impl Situation {
    /// Every situation with its spelling in `standard.yaml`.
    pub const ALL: [(&'static str, Situation); 18] = [
        ("successful", Situation::Successful),
        ("in_progress", Situation::InProgress),
        ("bad_request", Situation::BadRequest),
        ("invalid_field", Situation::InvalidField),
        ("missing_field", Situation::MissingField),
        ("unauthorized", Situation::Unauthorized),
        ("invalid_token", Situation::InvalidToken),
        ("token_not_found", Situation::TokenNotFound),
        ("invalid_transaction_status", Situation::InvalidTransactionStatus),
        ("transaction_not_found", Situation::TransactionNotFound),
        ("invalid_routing", Situation::InvalidRouting),
        ("invalid_amount", Situation::InvalidAmount),
        ("inconsistent_request", Situation::InconsistentRequest),
        ("function_not_supported", Situation::FunctionNotSupported),
        ("conflict", Situation::Conflict),
        ("duplicate_reference", Situation::DuplicateReference),
        ("general_error", Situation::GeneralError),
        ("internal_error", Situation::InternalError),
    ];
}

/// `latestTransactionStatus` (SNAP §4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionStatus {
    /// Every value, in the standard's order.
    pub values: List<StatusValue>,
    /// The value a payment starts in.
    pub initial: Text,
    /// What each action does.
    pub transitions: List<(Action, Transition)>,
}

/// One `latestTransactionStatus` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusValue {
    /// Two digits.
    pub code: Text,
    /// What it means (`transactionStatusDesc`).
    pub name: Text,
    /// Whether nothing changes it any more (refunds aside, which keep a paid payment's money moving back).
    pub is_final: bool,
}

/// What a provider does to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The customer paid.
    Pay,
    /// Money went back to the customer.
    Refund,
    /// The payment was called off before it finished.
    Cancel,
    /// The payment was left unpaid past its time (the customer never paid on the provider's page).
    Expire,
}

impl Action {
    /// Every action with its spelling in `standard.yaml`.
    pub const ALL: [(&'static str, Action); 4] = [
        ("pay", Action::Pay),
        ("refund", Action::Refund),
        ("cancel", Action::Cancel),
        ("expire", Action::Expire),
    ];
}

/// The statuses an action applies to and the one it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Statuses the action is allowed from.
    pub from: List<Text>,
    /// The status after it.
    pub to: Text,
}

impl Standard {
    /// The case `situation` is answered with.
    pub fn case(&self, situation: Situation) -> Option<&Case> {
        self.cases.iter().find(|(s, _)| *s == situation).map(|(_, c)| c)
    }

    /// Whether a 7-digit `code` is one after which the token is refreshed and the call replayed.
    pub fn refreshes_token(&self, code: &str) -> bool {
        self.refresh_token_on.iter().any(|case| case.matches(code))
    }

    /// Whether a 7-digit status `code` says the provider never saw the request asked about.
    pub fn is_never_seen(&self, code: &str) -> bool {
        self.never_seen.iter().any(|case| case.matches(code))
    }

    /// The standard's maximum length of a header filled from `source`.
    pub fn header_limit(&self, source: &HeaderSource) -> Option<u32> {
        self.header_max_length
            .iter()
            .find(|(s, _)| s == source)
            .map(|(_, max)| *max)
    }
}

impl Case {
    /// Whether a seven-digit response code (`HHHSSCC`, any service) is this case.
    pub fn matches(&self, code: &str) -> bool {
        let http = code.get(..3).and_then(|h| h.parse::<u16>().ok());
        code.len() == 7 && http == Some(self.http) && code.get(5..) == Some(&*self.case)
    }

    /// The published message with `detail` in place of its `{field}` or `{reason}` (or after it, when the
    /// message has no place for one).
    pub fn message_with(&self, detail: &str) -> String {
        match ["{field}", "{reason}"]
            .into_iter()
            .find(|slot| self.message.contains(slot))
        {
            Some(slot) => self.message.replace(slot, detail).trim_end().to_owned(),
            None if detail.is_empty() => self.message.to_string(),
            None => format!("{} {detail}", self.message),
        }
    }

    /// The seven-digit response code of this case for `service` (two digits).
    pub fn code_for(&self, service: &str) -> String {
        format!("{}{service}{}", self.http, self.case)
    }
}

impl TransactionStatus {
    /// The value with this code.
    pub fn value(&self, code: &str) -> Option<&StatusValue> {
        self.values.iter().find(|v| v.code == code)
    }

    /// The status `action` leaves a payment in `from` with, or `None` when the action is not allowed from it.
    pub fn after(&self, action: Action, from: &str) -> Option<&str> {
        let (_, transition) = self.transitions.iter().find(|(a, _)| *a == action)?;
        transition.from.iter().any(|f| f == from).then_some(&*transition.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const STATUS: TransactionStatus = TransactionStatus {
        values: Cow::Borrowed(&[]),
        initial: Cow::Borrowed("01"),
        transitions: Cow::Borrowed(&[(
            Action::Refund,
            Transition {
                from: Cow::Borrowed(&[Cow::Borrowed("00"), Cow::Borrowed("04")]),
                to: Cow::Borrowed("04"),
            },
        )]),
    };

    #[test]
    fn a_case_matches_its_codes_of_every_service_only() {
        let case = Case {
            http: 401,
            case: "01".into(),
            message: "Invalid Token (B2B)".into(),
        };
        assert!(case.matches("4017301"));
        assert!(case.matches("4015501"));
        assert!(!case.matches("4017303"));
        assert!(!case.matches("4027301"));
        assert!(!case.matches("401730"));
        assert_eq!(case.code_for("73"), "4017301");
        assert_eq!(case.message_with(""), "Invalid Token (B2B)");
        let field = Case {
            message: "Invalid Field Format {field}".into(),
            ..case
        };
        assert_eq!(field.message_with("amount.value"), "Invalid Field Format amount.value");
    }

    #[test]
    fn a_transition_applies_only_from_its_statuses() {
        assert_eq!(STATUS.after(Action::Refund, "00"), Some("04"));
        assert_eq!(STATUS.after(Action::Refund, "04"), Some("04"));
        assert_eq!(STATUS.after(Action::Refund, "01"), None);
        assert_eq!(STATUS.after(Action::Cancel, "01"), None);
    }
}
