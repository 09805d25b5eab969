//! One-time codes that buy a customer (B2B2C) token: authorization codes and refresh tokens.
//!
//! SNAP's B2B2C token endpoint takes either an `authCode` (the result of a binding: DOKU's account binding and card
//! registration answer one in `additionalInfo.authCode`, DANA's OAuth page appends one to the merchant's redirect
//! URL) or a `refreshToken` from an earlier grant (`snapbi_specs::facts` §1.1). The sandbox issues both and accepts each once,
//! for the client it was issued to, within its lifetime; the token endpoint refuses the rest with `401xx00` and the
//! reason DANA answers with (`Invalid Auth Code`, `Auth Code Used`, `Auth Code Expired`).
//!
//! Which endpoints issue and which take them is read from the specs by wire name (a response field `authCode` or
//! `refreshToken`, a token endpoint whose request has them), never from a provider's name. Codes are random, only
//! compared, never logged; the store is bounded like the others, and a forgotten code is simply unknown.
//!
//! A code a binding issues stands for the simulated customer it binds (`world`) and waits for that customer's consent:
//! until they approve on the consent page it is refused like one never issued, and rejecting voids it. The token
//! it buys, and the refresh token that comes with it, stand for the same customer; unbinding revokes both.
//!
//! With a state file (`persist`) each code is also a row, written when it is issued and when it is used, so an issued
//! code can be exchanged after a restart, and a used one is still refused as used.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::persist::{Change, Kind, StateError, StateFile, deadline_ms, left_until};
use crate::store::{self, BoundedMap};
use crate::world::Holder;

/// How long an authorization code can be exchanged: 10 minutes, the most OAuth 2.0 recommends for an authorization
/// code (RFC 6749 §4.1.2); SNAP names none.
pub const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(600);

/// What a code buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GrantKind {
    /// An authorization code (`authCode`), from a binding.
    AuthCode,
    /// A refresh token (`refreshToken`), from an earlier grant.
    RefreshToken,
}

impl GrantKind {
    /// The request field that carries this kind of code.
    pub(crate) fn wire(self) -> &'static str {
        match self {
            GrantKind::AuthCode => "authCode",
            GrantKind::RefreshToken => "refreshToken",
        }
    }

    /// How the kind is named in a refusal (`Unauthorized. Invalid Auth Code`).
    fn words(self) -> &'static str {
        match self {
            GrantKind::AuthCode => "Auth Code",
            GrantKind::RefreshToken => "Refresh Token",
        }
    }
}

/// Why a presented code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantProblem {
    /// Never issued (or issued as another kind, or to another client, or forgotten).
    Unknown(GrantKind),
    /// Exchanged before.
    Used(GrantKind),
    /// Past its lifetime.
    Expired(GrantKind),
    /// Issued by a binding whose customer has not approved it, rejected it or unbound since.
    NotApproved(GrantKind),
}

impl GrantProblem {
    /// The `{reason}` of `401xx00 Unauthorized. {reason}`, as DANA words it (`specs/dana/widget/apply-token.yaml`).
    pub(crate) fn reason(self) -> String {
        match self {
            // A code nobody approved is not good yet: the provider knows no such code.
            GrantProblem::Unknown(kind) | GrantProblem::NotApproved(kind) => format!("Invalid {}", kind.words()),
            GrantProblem::Used(kind) => format!("{} Used", kind.words()),
            GrantProblem::Expired(kind) => format!("{} Expired", kind.words()),
        }
    }
}

#[derive(Debug)]
struct Grant {
    client_id: String,
    kind: GrantKind,
    expires: Instant,
    /// `expires` as its row holds it, in Unix milliseconds; 0 without a state file.
    expires_at: u64,
    used: bool,
    /// The customer the token it buys stands for.
    holder: Option<Holder>,
    /// Whether the customer consented (a code from the admin API or a refresh token is, from the start).
    approved: bool,
}

/// Who a new code is for: a client, and the customer the token it buys stands for (if any).
#[derive(Debug, Clone)]
pub(crate) struct Grantee<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) holder: Option<Holder>,
}

/// A code as its row holds it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantRow {
    client_id: String,
    kind: GrantKind,
    expires_at: u64,
    used: bool,
    /// The customer the token it buys stands for.
    #[serde(default)]
    holder: Option<Holder>,
    /// Whether the customer consented; a row written before consent pages existed was good at once.
    #[serde(default = "consented")]
    approved: bool,
}

fn consented() -> bool {
    true
}

impl Grant {
    fn row(&self) -> GrantRow {
        GrantRow {
            client_id: self.client_id.clone(),
            kind: self.kind,
            expires_at: self.expires_at,
            used: self.used,
            holder: self.holder.clone(),
            approved: self.approved,
        }
    }
}

/// The issued codes.
#[derive(Debug)]
pub(crate) struct Grants {
    issued: RwLock<BoundedMap<String, Grant>>,
    /// Where codes are written, with a state file.
    file: Option<Arc<StateFile>>,
}

impl Grants {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            issued: RwLock::new(BoundedMap::new(capacity)),
            file: None,
        }
    }

    /// Reads back the codes `file` holds (an expired one stays, refused as expired, until it is evicted), and writes
    /// every code issued or used from now on to it.
    pub(crate) fn restore(&mut self, file: Arc<StateFile>) -> Result<(), StateError> {
        {
            let mut issued = store::write(&self.issued);
            for (code, row) in file.load::<GrantRow>(Kind::Grant)? {
                let grant = Grant {
                    client_id: row.client_id,
                    kind: row.kind,
                    expires: Instant::now() + left_until(row.expires_at),
                    expires_at: row.expires_at,
                    used: row.used,
                    holder: row.holder,
                    approved: row.approved,
                };
                issued.insert(code, grant);
            }
        }
        self.file = Some(file);
        Ok(())
    }

    /// Writes `code`'s row as `grant` is now, and forgets the `evicted` codes.
    fn write(&self, code: &str, grant: &Grant, evicted: Option<(String, Grant)>) {
        if let Some(file) = &self.file {
            let put = Change::put(Kind::Grant, code, &grant.row());
            let forget = evicted.into_iter().map(|(old, _)| Change::delete(Kind::Grant, old));
            file.write_or_log(&put.into_iter().chain(forget).collect::<Vec<_>>());
        }
    }

    /// Issues a new code of `kind` to `to`, valid for `lifetime`, good at once.
    pub(crate) fn issue(&self, to: Grantee<'_>, kind: GrantKind, lifetime: Duration) -> String {
        self.insert(to, kind, lifetime, true)
    }

    /// Issues an authorization code to `to` that is good once its customer approves the binding ([`Self::decide`]).
    pub(crate) fn issue_awaiting_consent(&self, to: Grantee<'_>) -> String {
        self.insert(to, GrantKind::AuthCode, AUTH_CODE_LIFETIME, false)
    }

    fn insert(&self, to: Grantee<'_>, kind: GrantKind, lifetime: Duration, approved: bool) -> String {
        let code = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let grant = Grant {
            client_id: to.client_id.to_owned(),
            kind,
            expires: Instant::now() + lifetime,
            expires_at: self.file.as_ref().map_or(0, |_| deadline_ms(lifetime)),
            used: false,
            holder: to.holder,
            approved,
        };
        let mut issued = store::write(&self.issued);
        let evicted = issued.insert(code.clone(), grant);
        if let Some(grant) = issued.get(&code) {
            self.write(&code, grant, evicted);
        }
        code
    }

    /// The customer's decision on the binding that issued `code`: approving makes it good, rejecting voids it.
    pub(crate) fn decide(&self, code: &str, approve: bool) {
        if let Some(grant) = store::write(&self.issued).get_mut(code) {
            grant.approved = approve;
            grant.used |= !approve;
            self.write(code, grant, None);
        }
    }

    /// Takes `code` of `kind`, presented by `client_id`: it is marked used, so a second exchange is refused. Answers
    /// the customer the token it buys stands for.
    pub(crate) fn redeem(&self, code: &str, client_id: &str, kind: GrantKind) -> Result<Option<Holder>, GrantProblem> {
        let mut issued = store::write(&self.issued);
        let grant = issued
            .get_mut(code)
            .filter(|g| g.kind == kind && g.client_id == client_id)
            .ok_or(GrantProblem::Unknown(kind))?;
        if !grant.approved {
            return Err(GrantProblem::NotApproved(kind));
        }
        if grant.used {
            return Err(GrantProblem::Used(kind));
        }
        if Instant::now() >= grant.expires {
            return Err(GrantProblem::Expired(kind));
        }
        grant.used = true;
        let holder = grant.holder.clone();
        self.write(code, grant, None);
        Ok(holder)
    }

    /// Withdraws every code `client_id` holds for `holder` (an unbinding: its refresh tokens buy nothing more).
    pub(crate) fn revoke(&self, client_id: &str, holder: &Holder) {
        let mut issued = store::write(&self.issued);
        for (code, grant) in issued.iter_mut() {
            if grant.client_id == client_id && grant.holder.as_ref() == Some(holder) {
                grant.approved = false;
                self.write(code, grant, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(client_id: &str) -> Grantee<'_> {
        Grantee {
            client_id,
            holder: None,
        }
    }

    #[test]
    fn a_binding_s_code_waits_for_consent_and_stands_for_its_customer() {
        let grants = Grants::new(10);
        let holder = Holder {
            provider: "doku".into(),
            phone_no: "6281".into(),
        };
        let for_customer = || Grantee {
            client_id: "a",
            holder: Some(holder.clone()),
        };
        let code = grants.issue_awaiting_consent(for_customer());
        let waiting = grants.redeem(&code, "a", GrantKind::AuthCode);
        assert_eq!(waiting, Err(GrantProblem::NotApproved(GrantKind::AuthCode)));
        assert_eq!(
            waiting.map_err(GrantProblem::reason),
            Err("Invalid Auth Code".to_owned())
        );
        grants.decide(&code, true);
        assert_eq!(grants.redeem(&code, "a", GrantKind::AuthCode), Ok(Some(holder.clone())));

        let rejected = grants.issue_awaiting_consent(for_customer());
        grants.decide(&rejected, false);
        assert!(grants.redeem(&rejected, "a", GrantKind::AuthCode).is_err());

        let refresh = grants.issue(for_customer(), GrantKind::RefreshToken, Duration::from_secs(60));
        grants.revoke("a", &holder);
        let revoked = grants.redeem(&refresh, "a", GrantKind::RefreshToken);
        assert_eq!(revoked, Err(GrantProblem::NotApproved(GrantKind::RefreshToken)));
    }

    #[test]
    fn a_code_is_taken_once_by_its_client_within_its_lifetime() {
        let grants = Grants::new(10);
        let code = grants.issue(to("a"), GrantKind::AuthCode, Duration::from_secs(60));
        assert_eq!(code.len(), 64);
        let unknown = Err(GrantProblem::Unknown(GrantKind::AuthCode));
        assert_eq!(grants.redeem(&code, "b", GrantKind::AuthCode), unknown);
        assert_eq!(
            grants.redeem(&code, "a", GrantKind::RefreshToken),
            Err(GrantProblem::Unknown(GrantKind::RefreshToken))
        );
        assert_eq!(grants.redeem(&code, "a", GrantKind::AuthCode), Ok(None));
        assert_eq!(
            grants.redeem(&code, "a", GrantKind::AuthCode),
            Err(GrantProblem::Used(GrantKind::AuthCode))
        );
        assert_eq!(grants.redeem("nope", "a", GrantKind::AuthCode), unknown);

        let short = grants.issue(to("a"), GrantKind::RefreshToken, Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(30));
        let expired = grants.redeem(&short, "a", GrantKind::RefreshToken);
        assert_eq!(expired, Err(GrantProblem::Expired(GrantKind::RefreshToken)));
        assert_eq!(
            expired.map_err(GrantProblem::reason),
            Err("Refresh Token Expired".to_owned())
        );
        assert_eq!(GrantProblem::Used(GrantKind::AuthCode).reason(), "Auth Code Used");
        assert_eq!(GrantProblem::Unknown(GrantKind::AuthCode).reason(), "Invalid Auth Code");
    }
}
