//! Notifications: the signed notifications the simulated provider posts to the merchant (a payment's, a paid
//! record's), with the provider's retry schedule.
//!
//! Everything provider-specific comes from the IR, never from `if provider` code: the bodies (`body`), the headers
//! and their signature (`signer`), the retry points (`schedule`) and the `Authorization` token the merchant issues
//! (`merchant_token`); `delivery` sends a notification, retries it and records every attempt; `outbox` keeps what was
//! sent, for a resend; `persisted` writes both to a state file, when there is one.

mod body;
mod delivery;
mod merchant_token;
mod outbox;
mod persisted;
mod schedule;
mod signer;

pub use body::{
    PaymentFacts, notification_body, notify_endpoint, record_notification_body, record_notify_endpoints,
    transaction_status_name,
};
pub use delivery::{DEFAULT_ATTEMPT_TIMEOUT, Delivery, MAX_RECORDED_DELIVERIES, Notifier};
pub use merchant_token::{MerchantToken, merchant_token_endpoint};
pub use outbox::MAX_KEPT_NOTIFICATIONS;
pub(crate) use outbox::Sent;
pub(crate) use persisted::Rows;
pub use schedule::Schedule;
pub use signer::NotifySigner;
