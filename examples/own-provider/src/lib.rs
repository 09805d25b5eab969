//! Bank Nusantara (fictional) from this crate's own specs: `specs/nusantara/` holds its provider, its token
//! endpoint and its balance inquiry, and stands on the specs snapbi ships for the SNAP code tables and the
//! `Amount` type. `build.rs` is one statement; the client is this module.

/// The client generated from `specs/` by `build.rs`.
pub mod bank {
    snapbi::include_client!();
}

pub use bank::{nusantara, rt};

/// Asks the balance of `account_no`; the answer is the bank's, typed.
pub async fn balance(
    client: &nusantara::Client,
    account_no: &str,
) -> Result<
    rt::Reply<nusantara::account_balance_inquiry::Response, nusantara::account_balance_inquiry::Code>,
    Box<dyn std::error::Error>,
> {
    let request = nusantara::account_balance_inquiry::Request::builder()
        .account_no(account_no)
        .build()?;
    Ok(client.account_balance_inquiry(&request).await?)
}
