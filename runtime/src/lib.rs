//! `snapbi-runtime`: everything generated SNAP clients share, so that the generated code stays thin.
//!
//! Generated code (from `snapbi-client`'s build script or the `snap_api!` macro) calls into this crate for
//! field validation and violation reports ([`validate`], [`values`]), response codes ([`code`]), provider
//! and endpoint descriptions ([`endpoint`]), JSON minification ([`minify`]), SNAP signatures
//! ([`signature`], [`keys`], [`secret`]), timestamps ([`timestamp`]) and HTTP transport ([`client`]).
//! Nothing here knows any particular endpoint: endpoint facts arrive as static data emitted from the specs.

// The derives expand to `::snapbi_runtime::…` paths; this makes them work inside this crate too.
extern crate self as snapbi_runtime;

pub mod client;
pub mod code;
pub mod customer;
pub mod endpoint;
pub mod envelope;
pub mod inbound;
pub mod keys;
pub mod minify;
pub mod retry;
pub mod secret;
pub mod signature;
pub mod timestamp;
pub mod validate;
pub mod values;

pub use client::{Client, Config, ConfigError, Error, Prepared, Reply, Settled, StatusConfirmation, body_bytes};
pub use code::{
    CaseInfo, CodeTable, EndpointCode, Explanation, Outcome, ProviderServiceInfo, ResponseCode, ServiceInfo,
};
/// The string that validated values hold (inline up to 24 bytes); setters take anything that converts into it.
pub use compact_str::CompactString;
pub use endpoint::{AuthKind, EndpointEntry, EndpointInfo, Provider, TimestampStyle, header_pairs};
pub use envelope::{Enveloped, Framing};
pub use retry::{RetryPolicy, Settlement, StatusCheck};
pub use snapbi_derive::{Object, Received, ResponseCodes, WireEnum};
pub use snapbi_descriptor::{
    Action, Algorithm, Case, Envelope, HeaderSource, Part, QuerySource, Recipe, Refusals, Situation, Standard,
    StatusQuery, StatusValue, TransactionStatus, Transition,
};
pub use snapbi_rules::{Document, Found, Problem, Rule, StaticRule, When};
/// Descriptor text in generated statics is `Cow::Borrowed`.
pub use std::borrow::Cow;
pub use validate::{BuildError, Checker, FromRaw, InvalidValue, Loose, Violation, ViolationKind, from_json};
pub use values::{
    Decimal, FreeText, Int, IntoRaw, List, Matching, Pattern, PatternRule, Sensitive, SnapDateTime, Text, lenient,
};

/// Re-exported so that generated code reaches its dependencies through the runtime alone.
pub use regex;
/// Re-exported for generated code.
pub use serde;
/// Re-exported for generated code.
pub use serde_json;
