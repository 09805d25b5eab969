//! Access tokens the sandbox issued: to whom, of which kind, and until when.
//!
//! Two kinds share the store: B2B tokens (client credentials, `Authorization: Bearer …` on symmetric calls) and
//! customer tokens (B2B2C, bought with an authorization code or a refresh token, `Authorization-Customer`). A token
//! of one kind is never accepted as the other. Tokens are random (two UUIDv4, 64 hex characters) and only
//! compared, never logged. The store is bounded like the ledger; an evicted token is simply unknown afterwards
//! (`401xx01`), which a client handles by fetching a new one. A customer token stands for the simulated customer
//! whose binding bought it (`world`), if any; unbinding revokes every token of that customer.
//!
//! With a state file (`persist`) each token is also a row, written when it is issued (and deleted when it is
//! revoked), so a client's token stays good across a restart of the sandbox within its lifetime; expired rows are
//! dropped when the file is read back.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::persist::{Change, Kind, StateError, StateFile, deadline_ms, left_until};
use crate::store::{self, BoundedMap};
use crate::world::Holder;

/// Why a presented token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// Never issued, or forgotten.
    Unknown,
    /// Issued but past its lifetime.
    Expired,
    /// Issued to another client than the one calling.
    OtherClient,
    /// A token of the other kind (a customer token where a B2B token belongs, or the reverse).
    OtherKind,
    /// Revoked by an unbinding.
    Revoked,
}

/// What a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenKind {
    /// A B2B token: the client itself (client credentials).
    B2b,
    /// A customer (B2B2C) token: the client acting for a customer who bound an account.
    Customer,
}

impl TokenProblem {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "the B2B token was not issued by this sandbox (or was forgotten)",
            TokenProblem::Expired => "the B2B token has expired",
            TokenProblem::OtherClient => "the B2B token was issued to another client",
            TokenProblem::OtherKind => "the token is a customer (B2B2C) token, not a B2B token",
            TokenProblem::Revoked => "the token was revoked by an unbinding",
        }
    }

    /// The problem of a presented customer token, in words.
    pub(crate) fn describe_customer(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "the customer token was not issued by this sandbox (or was forgotten)",
            TokenProblem::Expired => "the customer token has expired",
            TokenProblem::OtherClient => "the customer token was issued to another client",
            TokenProblem::OtherKind => "the token is a B2B token, not a customer (B2B2C) token",
            TokenProblem::Revoked => "the customer token was revoked: its binding was unbound",
        }
    }
}

#[derive(Debug)]
struct Issued {
    client_id: String,
    kind: TokenKind,
    expires: Instant,
    /// The customer a customer token stands for.
    holder: Option<Holder>,
    revoked: bool,
}

/// A token as its row holds it; the deadline in Unix milliseconds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRow {
    client_id: String,
    kind: TokenKind,
    expires_at: u64,
    /// The customer a customer token stands for.
    #[serde(default)]
    holder: Option<Holder>,
}

/// The issued tokens.
#[derive(Debug)]
pub(crate) struct Tokens {
    issued: RwLock<BoundedMap<String, Issued>>,
    lifetime: Duration,
    /// Where issued tokens are written, with a state file.
    file: Option<Arc<StateFile>>,
}

impl Tokens {
    pub(crate) fn new(lifetime: Duration, capacity: usize) -> Self {
        Self {
            issued: RwLock::new(BoundedMap::new(capacity)),
            lifetime,
            file: None,
        }
    }

    /// Reads back the tokens `file` holds that have not expired, and writes every token issued from now on to it.
    pub(crate) fn restore(&mut self, file: Arc<StateFile>) -> Result<(), StateError> {
        let mut expired = Vec::new();
        {
            let mut issued = store::write(&self.issued);
            for (token, row) in file.load::<TokenRow>(Kind::Token)? {
                let left = left_until(row.expires_at);
                if left.is_zero() {
                    expired.push(Change::delete(Kind::Token, token));
                    continue;
                }
                let kind = row.kind;
                issued.insert(
                    token,
                    Issued {
                        client_id: row.client_id,
                        kind,
                        expires: Instant::now() + left,
                        holder: row.holder,
                        revoked: false,
                    },
                );
            }
        }
        file.write(&expired)?;
        self.file = Some(file);
        Ok(())
    }

    /// The lifetime announced in `expiresIn`, in whole seconds rounded up (a test's 500 ms is `1`, not `0`).
    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.lifetime.as_secs() + u64::from(self.lifetime.subsec_nanos() > 0)
    }

    /// The lifetime of issued tokens.
    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Issues a new token of `kind` to `client_id`, standing for `holder` (a customer token of a bound customer).
    pub(crate) fn issue(&self, client_id: &str, kind: TokenKind, holder: Option<Holder>) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let issued = Issued {
            client_id: client_id.to_owned(),
            kind,
            expires: Instant::now() + self.lifetime,
            holder: holder.clone(),
            revoked: false,
        };
        let evicted = store::write(&self.issued).insert(token.clone(), issued);
        if let Some(file) = &self.file {
            let row = TokenRow {
                client_id: client_id.to_owned(),
                kind,
                expires_at: deadline_ms(self.lifetime),
                holder,
            };
            let put = Change::put(Kind::Token, token.as_str(), &row);
            let forget = evicted.into_iter().map(|(old, _)| Change::delete(Kind::Token, old));
            file.write_or_log(&put.into_iter().chain(forget).collect::<Vec<_>>());
        }
        token
    }

    /// Checks a bare token of `kind` presented by `client_id`.
    pub(crate) fn check(&self, token: &str, client_id: &str, kind: TokenKind) -> Result<(), TokenProblem> {
        self.holder(token, client_id, kind).map(drop)
    }

    /// Checks a bare token of `kind` presented by `client_id`, and answers the customer it stands for.
    pub(crate) fn holder(&self, token: &str, client_id: &str, kind: TokenKind) -> Result<Option<Holder>, TokenProblem> {
        let issued = store::read(&self.issued);
        let found = issued.get(token).ok_or(TokenProblem::Unknown)?;
        if found.kind != kind {
            return Err(TokenProblem::OtherKind);
        }
        if found.revoked {
            return Err(TokenProblem::Revoked);
        }
        if Instant::now() >= found.expires {
            return Err(TokenProblem::Expired);
        }
        if found.client_id != client_id {
            return Err(TokenProblem::OtherClient);
        }
        Ok(found.holder.clone())
    }

    /// Revokes every token `client_id` holds for `holder` (an unbinding); how many were still good.
    pub(crate) fn revoke(&self, client_id: &str, holder: &Holder) -> usize {
        let mut issued = store::write(&self.issued);
        let mut revoked = Vec::new();
        for (key, token) in issued.iter_mut() {
            if token.client_id == client_id && token.holder.as_ref() == Some(holder) && !token.revoked {
                token.revoked = true;
                revoked.push(Change::delete(Kind::Token, key.clone()));
            }
        }
        // A revoked token's row goes: read back, it is unknown, which is refused as a revoked one is.
        if let Some(file) = &self.file {
            file.write_or_log(&revoked);
        }
        revoked.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_belong_to_their_client_and_kind() {
        let tokens = Tokens::new(Duration::from_millis(30), 10);
        let token = tokens.issue("a", TokenKind::B2b, None);
        assert_eq!(token.len(), 64);
        assert_eq!(tokens.check(&token, "a", TokenKind::B2b), Ok(()));
        assert_eq!(
            tokens.check(&token, "b", TokenKind::B2b),
            Err(TokenProblem::OtherClient)
        );
        assert_eq!(tokens.check("nope", "a", TokenKind::B2b), Err(TokenProblem::Unknown));
        let customer = tokens.issue("a", TokenKind::Customer, None);
        assert_eq!(
            tokens.check(&customer, "a", TokenKind::B2b),
            Err(TokenProblem::OtherKind)
        );
        assert_eq!(
            tokens.check(&token, "a", TokenKind::Customer),
            Err(TokenProblem::OtherKind)
        );
        assert_eq!(tokens.check(&customer, "a", TokenKind::Customer), Ok(()));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(tokens.check(&token, "a", TokenKind::B2b), Err(TokenProblem::Expired));
    }

    #[test]
    fn an_unbinding_revokes_every_token_of_its_customer_for_its_client() {
        let tokens = Tokens::new(Duration::from_secs(60), 10);
        let holder = Holder {
            provider: "doku".into(),
            phone_no: "6281".into(),
        };
        let first = tokens.issue("a", TokenKind::Customer, Some(holder.clone()));
        let renewed = tokens.issue("a", TokenKind::Customer, Some(holder.clone()));
        let other_client = tokens.issue("b", TokenKind::Customer, Some(holder.clone()));
        assert_eq!(
            tokens.holder(&first, "a", TokenKind::Customer),
            Ok(Some(holder.clone()))
        );
        assert_eq!(tokens.revoke("a", &holder), 2);
        assert_eq!(
            tokens.holder(&renewed, "a", TokenKind::Customer),
            Err(TokenProblem::Revoked)
        );
        assert_eq!(
            tokens.check(&first, "a", TokenKind::Customer),
            Err(TokenProblem::Revoked)
        );
        assert_eq!(tokens.holder(&other_client, "b", TokenKind::Customer), Ok(Some(holder)));
    }
}
