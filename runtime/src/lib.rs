//! `snapbi-runtime`: everything generated SNAP clients share, so that the generated code stays thin.
//!
//! What a user of a generated client meets here: [`Config`] and [`Client`] (a generated `Client` wraps one),
//! [`Reply`] or [`Error`] from every call and [`Settled`] from money-moving ones, the validated field values
//! ([`Text`], [`Decimal`], [`SnapDateTime`], …) and [`BuildError`] from builders, [`ResponseCode`] and
//! [`CodeTables`] to explain codes, [`inbound`] to verify and answer the provider's notifications, and
//! [`Client::prepare`] with [`body_bytes`] to see exactly what would be sent.
//!
//! Generated code (from `snapbi`'s build script or the `snap_api!` macro) calls into this crate for
//! field validation and violation reports ([`validate`], [`values`]), bodies written and read as JSON
//! ([`json`]), response codes ([`code`]), provider and endpoint descriptions ([`endpoint`]), JSON
//! minification ([`minify`]), paths with their parameters filled in ([`path`]), SNAP signatures ([`signature`], [`keys`], [`secret`]), timestamps
//! ([`timestamp`]) and HTTP transport ([`client`]).
//! Nothing here knows any particular endpoint: endpoint facts arrive as static data emitted from the specs.
//! What only generated code and the derives use (the builders' checker, tolerant decoding, pattern rule
//! declarations) is in a hidden `__private` module: not an API, it changes whenever the generator does.

#![deny(missing_docs)]

// The derives expand to `::snapbi_runtime::…` paths; this makes them work inside this crate too.
extern crate self as snapbi_runtime;

pub mod client;
pub mod code;
pub mod customer;
pub mod endpoint;
pub mod envelope;
pub mod inbound;
pub mod json;
pub mod keys;
pub mod minify;
pub mod path;
pub mod retry;
pub mod secret;
pub mod signature;
pub mod timestamp;
pub mod validate;
pub mod values;

pub use client::{
    Client, Config, ConfigError, Error, NoBody, Prepared, Reply, Settled, StatusConfirmation, body_bytes,
};
pub use code::{
    CaseCode, CodeTables, EndpointCode, Explanation, Outcome, ProviderServiceCode, ResponseCode, ServiceCode,
};
/// The string that validated values hold (inline up to 24 bytes); setters take anything that converts into it.
pub use compact_str::CompactString;
pub use endpoint::{
    AuthKind, EndpointEntry, EndpointInfo, Enveloped, Provider, TimestampStyle, header_pairs, param_pairs,
};
pub use envelope::Framing;
pub use json::WriteJson;
pub use retry::{RetryPolicy, Settlement, StatusCheck};
pub use snapbi_derive::{Object, Received, ResponseCodes, WireEnum};
pub use snapbi_descriptor::{
    Action, Algorithm, Case, Encoding, Envelope, HeaderSource, Idempotency, Part, QuerySource, Recipe, Refusals,
    Results, SignedAnswer, Situation, Standard, StatusQuery, StatusValue, TimestampForm, TransactionStatus, Transition,
};
pub use snapbi_rules::{Document, Found, Problem, Rule, When};
/// Descriptor text in generated statics is `Cow::Borrowed`.
pub use std::borrow::Cow;
pub use validate::{BuildError, FromRaw, InvalidValue, Violation, ViolationKind, from_json};
pub use values::{
    Decimal, FreeText, Int, IntoRaw, List, Matching, Pattern, PatternRule, Sensitive, SnapDateTime, Text,
};

/// The `time` crate, for the instants datetime fields are made from: a setter of a datetime field
/// (`validUpTo`) takes a SNAP text or a [`SnapDateTime`], which [`SnapDateTime::at`] makes from a
/// [`time::OffsetDateTime`]. Through the facade it is `snapbi::rt::time`, so no `time` dependency is needed.
///
/// ```
/// use snapbi_runtime::SnapDateTime;
/// use snapbi_runtime::time::{Duration, OffsetDateTime};
///
/// let valid_up_to = SnapDateTime::at(OffsetDateTime::now_utc() + Duration::minutes(30));
/// assert!(valid_up_to.as_str().ends_with("+07:00"));
/// ```
pub use time;

/// The JSON value type of free-form fields (`additionalInfo`) and of [`from_json`]'s input; generated code
/// reaches it through the runtime alone.
pub use serde_json;

/// What only generated code and the derives call: the builders' checker, the tolerant decoders, the pattern
/// rule declarations. Not an API: it changes whenever the generator does.
#[doc(hidden)]
pub mod __private {
    pub use crate::client::decode::{decode, decode_enveloped};
    pub use crate::json::{ObjectFields, close_object};
    pub use crate::pattern_rule;
    pub use crate::validate::{Checker, Loose};
    pub use crate::values::lenient;
    pub use serde;
}
