//! How a provider's own JSON answers tell how a call went, when they are neither SNAP bodies (`responseCode`)
//! nor framed in an envelope: DOKU's non-SNAP APIs, Stripe-style APIs. As data.

use crate::{List, Path};

/// Where a provider's answers carry their code and message (`results:` of a provider file).
///
/// An answer carries its code and message at one of a few places, the first present counting (DOKU answers
/// header and signature refusals `{"error":{"code":…}}` and everything else `{"message":["SUCCESS"],…}`); a 2xx
/// answer of an endpoint with a `status_field` (`payment.status`) has that field's value as its code instead.
/// Each endpoint lists the codes it answers with, with their HTTP status and outcome; a code nobody declared
/// takes its outcome from the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    /// Wire paths of the code, in order (`error.code`, `message[0]` as segments `message`, `0`).
    pub code: List<Path>,
    /// Wire paths of the message, in order.
    pub message: List<Path>,
}
