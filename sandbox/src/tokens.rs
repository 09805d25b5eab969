//! B2B access tokens the sandbox issued: to whom, and until when.
//!
//! Tokens are random (two UUIDv4, 64 hex characters) and only compared, never logged. The store is bounded
//! like the ledger; an evicted token is simply unknown afterwards (`401xx01`), which a client handles by
//! fetching a new one.

use std::sync::RwLock;
use std::time::{Duration, Instant};

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
}

impl TokenProblem {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "the B2B token was not issued by this sandbox (or was forgotten)",
            TokenProblem::Expired => "the B2B token has expired",
            TokenProblem::OtherClient => "the B2B token was issued to another client",
        }
    }
}

#[derive(Debug)]
struct Issued {
    client_id: String,
    expires: Instant,
}

/// The issued tokens.
#[derive(Debug)]
pub(crate) struct Tokens {
    issued: RwLock<BoundedMap<String, Issued>>,
    lifetime: Duration,
}

impl Tokens {
    pub(crate) fn new(lifetime: Duration, capacity: usize) -> Self {
        Self {
            issued: RwLock::new(BoundedMap::new(capacity)),
            lifetime,
        }
    }

    /// The lifetime announced in `expiresIn`, in whole seconds rounded up (a test's 500 ms is `1`, not `0`).
    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.lifetime.as_secs() + u64::from(self.lifetime.subsec_nanos() > 0)
    }

    /// Issues a new token to `client_id`.
    pub(crate) fn issue(&self, client_id: &str) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let issued = Issued {
            client_id: client_id.to_owned(),
            expires: Instant::now() + self.lifetime,
        };
        store::write(&self.issued).insert(token.clone(), issued);
        token
    }

    /// Checks a bare token presented by `client_id`.
    pub(crate) fn check(&self, token: &str, client_id: &str) -> Result<(), TokenProblem> {
        let issued = store::read(&self.issued);
        let found = issued.get(token).ok_or(TokenProblem::Unknown)?;
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
    fn tokens_expire_and_belong_to_their_client() {
        let tokens = Tokens::new(Duration::from_millis(30), 10);
        let token = tokens.issue("a");
        assert_eq!(token.len(), 64);
        assert_eq!(tokens.check(&token, "a"), Ok(()));
        assert_eq!(tokens.check(&token, "b"), Err(TokenProblem::OtherClient));
        assert_eq!(tokens.check("nope", "a"), Err(TokenProblem::Unknown));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(tokens.check(&token, "a"), Err(TokenProblem::Expired));
    }
}
