//! How a money-moving call whose answer was lost is settled: the status endpoint to ask and how to read it.

use crate::{List, Text};

/// How a money-moving endpoint asks its status endpoint about one of its requests (a spec's `status_query`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusQuery {
    /// The status endpoint's id.
    pub endpoint: Text,
    /// Status request field (wire path) → where its value comes from.
    pub request: List<(Text, QuerySource)>,
    /// The status response field that tells the outcome.
    pub field: Text,
    /// Values meaning success.
    pub success: List<Text>,
    /// Values meaning a final failure.
    pub failed: List<Text>,
    /// Values meaning the provider never saw the request.
    pub not_found: List<Text>,
}

/// Where a status-request value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuerySource {
    /// The value at this wire path of the original request.
    From(Text),
    /// A constant string.
    Value(Text),
}
