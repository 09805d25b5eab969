//! Access tokens the sandbox issued: to whom, of which kind, and until when.
//!
//! Two kinds share the store: B2B tokens (client credentials, `Authorization: Bearer …` on symmetric calls) and
//! customer tokens (B2B2C, bought with an authorization code or a refresh token, `Authorization-Customer`). A token
//! of one kind is never accepted as the other. Tokens are random (two UUIDv4, 64 hex characters) and only
//! compared, never logged. The store is bounded like the ledger; an evicted token is simply unknown afterwards
//! (`401xx01`), which a client handles by fetching a new one.
//!
//! With a state file (`persist`) each token is also a row, written when it is issued, so a client's token stays good
//! across a restart of the sandbox within its lifetime; expired rows are dropped when the file is read back.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::persist::{Change, Kind, StateError, StateFile, deadline_ms, left_until};
use crate::store::{self, BoundedMap};

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
        }
    }
}

#[derive(Debug)]
struct Issued {
    client_id: String,
    kind: TokenKind,
    expires: Instant,
}

/// A token as its row holds it; the deadline in Unix milliseconds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRow {
    client_id: String,
    kind: TokenKind,
    expires_at: u64,
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

    /// Issues a new token of `kind` to `client_id`.
    pub(crate) fn issue(&self, client_id: &str, kind: TokenKind) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let issued = Issued {
            client_id: client_id.to_owned(),
            kind,
            expires: Instant::now() + self.lifetime,
        };
        let evicted = store::write(&self.issued).insert(token.clone(), issued);
        if let Some(file) = &self.file {
            let row = TokenRow {
                client_id: client_id.to_owned(),
                kind,
                expires_at: deadline_ms(self.lifetime),
            };
            let put = Change::put(Kind::Token, token.as_str(), &row);
            let forget = evicted.into_iter().map(|(old, _)| Change::delete(Kind::Token, old));
            file.write_or_log(&put.into_iter().chain(forget).collect::<Vec<_>>());
        }
        token
    }

    /// Checks a bare token of `kind` presented by `client_id`.
    pub(crate) fn check(&self, token: &str, client_id: &str, kind: TokenKind) -> Result<(), TokenProblem> {
        let issued = store::read(&self.issued);
        let found = issued.get(token).ok_or(TokenProblem::Unknown)?;
        if found.kind != kind {
            return Err(TokenProblem::OtherKind);
        }
        if Instant::now() >= found.expires {
            return Err(TokenProblem::Expired);
        }
        if found.client_id != client_id {
            return Err(TokenProblem::OtherClient);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_belong_to_their_client_and_kind() {
        let tokens = Tokens::new(Duration::from_millis(30), 10);
        let token = tokens.issue("a", TokenKind::B2b);
        assert_eq!(token.len(), 64);
        assert_eq!(tokens.check(&token, "a", TokenKind::B2b), Ok(()));
        assert_eq!(
            tokens.check(&token, "b", TokenKind::B2b),
            Err(TokenProblem::OtherClient)
        );
        assert_eq!(tokens.check("nope", "a", TokenKind::B2b), Err(TokenProblem::Unknown));
        let customer = tokens.issue("a", TokenKind::Customer);
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
}
