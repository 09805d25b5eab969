//! `snapbi-sandbox`: a SNAP provider simulator on loopback, interpreting the same specs as the client.
//!
//! The sandbox reads the IR at run time (`snapbi_spec::load`) and serves every outbound endpoint of the
//! chosen providers at the same relative path as production, so a client pointed at its base URL works
//! unchanged. Each call is checked in the standard's order (mandatory headers, header formats, X-TIMESTAMP
//! window, client, B2B token, body size, signature, body JSON, every field rule of the spec) and answered
//! with the standard's code for the endpoint's service code, the HTTP status being its first three digits. A path
//! with placeholders (`/v1/orders/{invoice_number}`) matches one non-empty segment per placeholder (`routes`); the
//! decoded values are checked by their params' rules and read like top-level request fields.
//! Accepted calls act on a ledger: tokens (B2B tokens, and customer tokens only for an authorization code or
//! refresh token the sandbox issued, each taken once: `grants`), payments (jump-app payments start initiated and are
//! completed later), refunds, status queries, records (virtual accounts created, updated, deleted and reported, keyed
//! by the provider's `records` definition), X-EXTERNAL-ID uniqueness per client per day and idempotent replays.
//! The simulated customers a tester registers ([`Customer`], `/_sandbox/customers`) are the world an endpoint's
//! `customer:` acts on (`world`): a binding waits on the sandbox's consent page, the customer token it buys stands for
//! the customer, balances are their wallet's, bound payments debit it, refunds credit it, unbinding revokes the tokens.
//! Completed payments, and records a tester pays (a virtual account paid at the bank: `record_payments`), are
//! notified to the merchant, signed, with the provider's retry schedule and, where the provider's specs have a
//! merchant-side token endpoint, a token the merchant issued just before (`notify`).
//! Endpoints in a provider's envelope (DANA's Open API) are checked and answered in that framing instead.
//! With a state file ([`SandboxBuilder::state`], `snapbi sandbox --state FILE`) that world is kept in SQLite across
//! restarts, written through as it changes (`persist`); without one it lives in memory only.
//!
//! Everything about signatures is the sandbox's own code, shared with the runtime's signer in nothing, so that a
//! signing bug cannot hide on both sides: it assembles strings to sign from the IR's recipes and signs and verifies
//! HMAC-SHA512 and SHA256withRSA ([`signing`]), minifies bodies for their hash ([`minify`]), holds its RSA keys as
//! aws-lc-rs keys read from PEM ([`keys`]) and frames and reads envelopes ([`framing`]). `tests/signing_agrees.rs`
//! signs the same inputs with it and with the runtime and holds both to `openssl`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use snapbi_sandbox::{Credentials, Sandbox};
//! let specs = std::path::Path::new("specs");
//! let api = snapbi_spec::load(specs, specs).map_err(|_| "specs do not load")?.api;
//! let sandbox = Sandbox::builder().api(api).provider("doku")?.credentials(Credentials::demo()).build()?;
//! let (base_url, handle) = sandbox.spawn_on_loopback().await?;
//! // … point a client at base_url; dropping `handle` stops the server.
//! # drop((base_url, handle));
//! # Ok(())
//! # }
//! ```
//!
//! # Defaults
//!
//! | setting | default | why |
//! |---|---|---|
//! | credentials | [`Credentials::demo`] | works without any setup; the key pair is in `sandbox/demo-keys/` |
//! | token lifetime | `token.lifetime_seconds` of `specs/common/standard.yaml` | the standard's `expiresIn` |
//! | X-TIMESTAMP window | ±5 min | SNAP names none; the usual replay allowance |
//! | body limit | 64 KiB → `400xx00 Bad Request` | SNAP has no 413 code |
//! | jump-app auto-complete | off | tests see the initial state (`transaction_status.initial`) deterministically |
//! | notification retries | the provider's `notification_retry_schedule` | compressible for tests |
//! | stores (payments, records, answers, X-EXTERNAL-IDs, tokens) | 20 000 entries each, oldest forgotten | bounded memory |
//! | unknown path | HTTP 404, `4040002 Invalid Routing` | no service code applies, so `00` |
//! | known path, other method | HTTP 405, `405xx00 Requested Function Is Not Supported` | |
//! | state file | none: memory only | no cost on the request path; `--state FILE` keeps the world across restarts |
//! | request journal (`GET /_sandbox/journal`, the dashboard at `/_sandbox/ui`) | the last 1 000 calls (fewer with a smaller store capacity), bodies kept up to 16 KiB | bounded memory |
//!
//! Which case answers which situation (a missing field, an expired token, a refund of an unpaid payment…), the
//! token's lifetime, the header lengths and the payments' `latestTransactionStatus` values with what `pay`, `refund`
//! and `cancel` do to them are the standard's data (`specs/common/standard.yaml`, `Api::standard`), read here and
//! never copied into Rust: the codes in this page are what the shipped data says.
//!
//! # Forcing codes and faults
//!
//! Every code an endpoint declares can be forced on a call that passes every check: with the request
//! header `X-Sandbox-Scenario: 4035414` (an undeclared code is refused with `400xx00` and the list of
//! declared ones in `additionalInfo.reason`), or for the next N calls with
//! `POST /_sandbox/scenarios {"endpoint":"doku.direct_debit.payment","code":"4035414","times":1}`, which an
//! unmodified SDK meets too. A forced failure commits nothing; a forced success (`2xx`) runs the call
//! normally and replaces the code of its successful answer. Faults are armed with
//! `POST /_sandbox/faults {"endpoint":…,"kind":"delay"|"drop_after_commit"|"status_5xx","ms":…,"times":N}`:
//! answer `ms` late; commit then close the connection without answering; or answer `500xx01` without
//! committing. Every refusal carries `X-Sandbox-Reason`, the cause in words. See `admin` for the other
//! admin endpoints (ledger, notifications, completing a payment, paying a record).

pub mod framing;
pub mod keys;
pub mod minify;
pub mod notify;
pub mod signing;

mod admin;
mod answer;
mod answers;
mod body;
mod call;
mod changes;
mod credentials;
mod dashboard;
mod enveloped;
mod grants;
mod journal;
mod json;
mod ledger;
mod operations;
mod origin;
mod pay_page;
mod payment_status;
mod persist;
mod record_pages;
mod record_payments;
mod routes;
mod sandbox;
mod scenarios;
mod server;
mod shape;
mod signature_diagnosis;
mod signed_answers;
mod store;
mod tokens;
pub mod validate;
mod world;

pub use answer::REASON_HEADER;
pub use credentials::{
    Credentials, DEMO_CLIENT_ID, DEMO_CLIENT_PRIVATE_KEY_PEM, DEMO_CLIENT_PUBLIC_KEY_PEM, DEMO_CLIENT_SECRET,
    DEMO_KEYS_DIR, DEMO_NOTIFY_TOKEN, DEMO_PROVIDER_PRIVATE_KEY_PEM, DEMO_PROVIDER_PUBLIC_KEY_PEM, DEMO_WEBHOOK_SECRET,
};
pub use grants::AUTH_CODE_LIFETIME;
pub use ledger::{Money, PaymentRecord, Record, RefundRecord};
pub use payment_status::Status;
pub use persist::{SCHEMA_VERSION, StateError};
pub use sandbox::{
    DEFAULT_BODY_LIMIT, DEFAULT_CAPACITY, DEFAULT_TIMESTAMP_WINDOW, Sandbox, SandboxBuilder, SandboxError,
};
pub use scenarios::{ArmedEntry, Fault, FaultKind, ForcedCode, SCENARIO_HEADER};
pub use server::SandboxHandle;
pub use world::{Customer, CustomerStatus};
