//! Why the sandbox could not be built or an operation on it failed: [`SandboxError`].

/// Why the sandbox could not be built or an operation on it failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// `build()` without `api(…)`.
    #[error("no API: call `.api(api)` first (load it with snapbi_spec::load)")]
    NoApi,
    /// A provider name the API does not know.
    #[error("unknown provider `{name}`; known: {known}")]
    UnknownProvider {
        /// The name given.
        name: String,
        /// Known provider names, comma-separated.
        known: String,
    },
    /// The chosen providers have no outbound endpoint to serve.
    #[error("the chosen providers have no outbound endpoint to serve")]
    NoEndpoints,
    /// The standard's data (`Api::standard`) cannot drive the sandbox: a situation without a case, a token that
    /// lives no time, a transaction-status table whose initial value or a transition's target it does not list. The
    /// lowering refuses all of these; an API changed in memory may still hold them.
    #[error("the standard's data (standard.yaml): {0}")]
    Standard(String),
    /// Two served endpoints share a method and path (choose one provider).
    #[error("endpoints {first} and {second} are both {method} {path}; serve one provider at a time")]
    RouteClash {
        /// One endpoint id.
        first: String,
        /// The other endpoint id.
        second: String,
        /// HTTP method.
        method: String,
        /// Path.
        path: String,
    },
    /// An endpoint path under `/_sandbox/`, which the admin endpoints own.
    #[error("endpoint {0} has a path under /_sandbox/, which the sandbox's admin endpoints own")]
    ReservedPath(String),
    /// Credentials that cannot be used.
    #[error("credentials of client `{client_id}`: {reason}")]
    Credentials {
        /// The client id.
        client_id: String,
        /// What is wrong (never the secret).
        reason: String,
    },
    /// An endpoint id the sandbox does not serve.
    #[error("the sandbox serves no endpoint `{0}`")]
    UnknownEndpoint(String),
    /// A client id the sandbox does not accept.
    #[error("the sandbox has no client `{0}`")]
    UnknownClient(String),
    /// The sandbox accepts several clients and the request named none.
    #[error("the sandbox accepts several clients; name one (`client_id`)")]
    ClientNeeded,
    /// A code the endpoint does not declare.
    #[error("{code} is not declared by {endpoint}; declared: {declared}")]
    UndeclaredCode {
        /// Endpoint id.
        endpoint: String,
        /// The code given.
        code: String,
        /// The endpoint's codes, comma-separated.
        declared: String,
    },
    /// No payment with this partnerReferenceNo.
    #[error("no payment with partnerReferenceNo `{0}`")]
    PaymentNotFound(String),
    /// A record the sandbox cannot keep or pay: an unknown kind, fields without the kind's key, a payment that
    /// would make an invalid notification.
    #[error("record: {0}")]
    Record(String),
    /// A simulated customer the sandbox cannot register or find: a provider without customers, an empty phone number,
    /// a balance that is no amount.
    #[error("customer: {0}")]
    Customer(String),
    /// No record with the key (and `match` fields) a payment names.
    #[error("record not found: {0}")]
    RecordNotFound(String),
    /// The record a payment names is paid already.
    #[error("already paid: {0}")]
    AlreadyPaid(String),
    /// No notification with this number is kept.
    #[error("no notification {0} is kept (never sent, or forgotten: the sandbox keeps the last ones)")]
    NotificationNotFound(u64),
    /// The state file ([`crate::SandboxBuilder::state`]) cannot be opened, is not a snapbi state file, is of a newer
    /// schema, or holds a row that is not what its kind says; the message names the file.
    #[error(transparent)]
    State(#[from] crate::persist::StateError),
    /// The payment is not waiting to be paid (it was cancelled).
    #[error("payment `{partner_reference_no}` cannot be completed: latestTransactionStatus is {status}")]
    NotCompletable {
        /// The payment.
        partner_reference_no: String,
        /// Its status.
        status: String,
    },
}
