//! What the runtime needs to call one endpoint: where it is, how it is signed, how it is framed.

use crate::{AuthKind, Text};

/// One endpoint, as the runtime calls it: the facts of an endpoint file that every call reads. The spec
/// library's endpoint holds one beside what only the generator and the sandbox read (fields, codes, rules);
/// generated code holds one as each endpoint module's `ENDPOINT` static.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInfo {
    /// Stable id, `provider.name…` (`doku.direct_debit.payment`).
    pub id: Text,
    /// The provider's name.
    pub provider: Text,
    /// HTTP method, upper case.
    pub method: Text,
    /// Relative path, as signed; the one the client calls.
    pub path: Text,
    /// Two-digit service code.
    pub service_code: Text,
    /// Which of the provider's header sets and signature recipes the endpoint uses.
    pub auth: AuthKind,
    /// One-line summary.
    pub summary: Text,
    /// The envelope the endpoint is framed in, when its body is not a bare SNAP body.
    pub envelope: Option<Enveloped>,
    /// For a provider whose answers are its own JSON ([`Results`](crate::Results)): the member of a 2xx answer
    /// whose value is the answer's code (DOKU non-SNAP `payment.status`). Without one a 2xx answer has no code
    /// and means success.
    pub status_field: Option<crate::Path>,
}

/// An endpoint's use of an envelope: which of its provider's envelopes, and the operation's name in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enveloped {
    /// The provider's envelope, by name ([`Envelope::name`](crate::Envelope::name)).
    pub envelope: Text,
    /// The operation's name in the envelope (DANA's `function`).
    pub function: Text,
}
