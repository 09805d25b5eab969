//! `snapbi-client`: the typed, validated, signed SNAP client generated from the workspace's `specs/`.
//!
//! The build script runs `snapbi-codegen` over `specs/` and includes the result here. Each provider is a
//! module (`doku`) with a `Client` and one module per endpoint (`doku::direct_debit_payment`) holding its
//! `Request` (built through a checking builder), `Headers`, `Response` and `Code`. The runtime is
//! re-exported as [`rt`].
//!
//! ```no_run
//! use snapbi_client::{doku, rt};
//!
//! # async fn demo(key: rt::keys::PrivateKey) -> Result<(), Box<dyn std::error::Error>> {
//! let client = doku::Client::new(rt::Config::new("BRN-0001").client_secret("secret").private_key(key))?;
//! let request = doku::direct_debit_payment::Request::builder()
//!     .partner_reference_no("INV-0001")
//!     .amount(snapbi_client::types::Amount::builder().value("10000.00").currency("IDR"))
//!     .build();
//! # let _ = (client, request);
//! # Ok(())
//! # }
//! ```

#![allow(clippy::all, missing_docs)]

include!(concat!(env!("OUT_DIR"), "/api.rs"));
