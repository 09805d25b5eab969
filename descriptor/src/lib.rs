//! `snapbi-descriptor`: the run-time description of providers and endpoints, defined once.
//!
//! The spec library builds these values from YAML when it lowers a specs directory (owned text), and the
//! generator writes the same values into generated code as statics (borrowed `'static` text); the runtime,
//! the sandbox and the CLI read them. [`Text`] and [`List`] are `Cow`s so both kinds are one type: adding a
//! header source or a recipe part is one change here, not one per model.
//!
//! Only data lives here. Signing, framing and formatting are done by whoever uses the data (the runtime and,
//! separately, the sandbox), so this crate has no dependency beyond the shared vocabulary of `snapbi-rules`.

mod codes;
mod endpoint;
mod envelope;
mod header;
mod idempotency;
mod recipe;
mod results;
mod standard;
mod status;
mod timestamp;

pub use codes::{CaseCode, CodeTables, ProviderServiceCode, ServiceCode};
pub use endpoint::{EndpointInfo, Enveloped};
pub use envelope::{Envelope, Refusals};
pub use header::{Elements, HeaderSource};
pub use idempotency::Idempotency;
pub use recipe::{Encoding, Part, Recipe, SignedAnswer};
pub use results::Results;
pub use snapbi_rules::{Algorithm, AuthKind, List, Outcome, Path, Rule, Text, When};
pub use standard::{Action, Case, Situation, Standard, StatusValue, TransactionStatus, Transition};
pub use status::{QuerySource, StatusQuery};
pub use timestamp::TimestampForm;
