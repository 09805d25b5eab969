//! Token issuing and grants. A B2B token endpoint issues a token to any admitted call; an endpoint whose
//! request takes an `authCode` (SNAP's B2B2C token) first redeems the grant the request names, an
//! authorization code or refresh token the sandbox issued to this client, and answers a customer token standing for
//! the customer the grant was for (a binding's, see `customers`). Any other operation (`other`) echoes.

use axum::http::HeaderName;
use serde_json::{Map, Value};
use snapbi_spec::ir::Situation;

use super::{Cx, Outcome, echo, refused, success, text};
use crate::answer::{Answer, Fill};
use crate::grants::{GrantKind, GrantProblem, Grantee};
use crate::tokens::TokenKind;
use crate::world::Holder;

/// A token (see the module doc): B2B for client credentials, a customer token for an endpoint that takes grants.
pub(super) fn token(cx: &Cx<'_, '_>) -> Outcome {
    let customer = takes_grants(cx.call.endpoint);
    let holder = match customer.then(|| redeem_grant(cx)) {
        Some(Err(answer)) => return refused(answer),
        Some(Ok(holder)) => holder,
        None => None,
    };
    let kind = if customer { TokenKind::Customer } else { TokenKind::B2b };
    let tokens = &cx.inner.tokens;
    let expiry = cx
        .call
        .clock
        .format(time::OffsetDateTime::now_utc() + tokens.lifetime());
    let mut facts = Map::new();
    let access = tokens.issue(cx.client, kind, holder.clone());
    facts.insert("accessToken".into(), Value::String(access));
    facts.insert("tokenType".into(), Value::String("Bearer".into()));
    facts.insert("expiresIn".into(), Value::from(tokens.lifetime_secs()));
    facts.insert("accessTokenExpiryTime".into(), Value::String(expiry.clone()));
    // A refresh token is issued only where the answer has a place for it (it is good for one more grant).
    if customer && cx.call.endpoint.response.iter().any(|f| f.wire == "refreshToken") {
        let to = Grantee {
            client_id: cx.client,
            holder,
        };
        let refresh = cx.inner.grants.issue(to, GrantKind::RefreshToken, tokens.lifetime());
        facts.insert("refreshToken".into(), Value::String(refresh));
        facts.insert("refreshTokenExpiryTime".into(), Value::String(expiry));
    }
    let mut answer = success(cx, facts);
    answer.headers = Box::new([(HeaderName::from_static("x-client-key"), cx.client.to_owned())]);
    (answer, Vec::new())
}

/// Whether a token endpoint takes grants (an `authCode` request field): SNAP's B2B2C token.
fn takes_grants(endpoint: &snapbi_spec::ir::Endpoint) -> bool {
    endpoint.request.iter().any(|f| f.wire == GrantKind::AuthCode.wire())
}

/// Takes the grant a B2B2C token request names: its `grantType` says which (`REFRESH_TOKEN`, else an authorization
/// code, whatever the letter case), and the code must be one the sandbox issued to this client and nobody used (a
/// binding's, once its customer approved). Answers the customer it was for.
fn redeem_grant(cx: &Cx<'_, '_>) -> Result<Option<Holder>, Answer> {
    let refresh = text(cx.body, "grantType").is_some_and(|g| g.eq_ignore_ascii_case("REFRESH_TOKEN"));
    let kind = if refresh {
        GrantKind::RefreshToken
    } else {
        GrantKind::AuthCode
    };
    let Some(code) = text(cx.body, kind.wire()).filter(|c| !c.is_empty()) else {
        let answer = cx.call.answer(Situation::MissingField, Fill::field(kind.wire()));
        return Err(answer.because(format!("a customer token needs a {}", kind.wire())));
    };
    cx.inner.grants.redeem(code, cx.client, kind).map_err(|problem| {
        let reason = problem.reason();
        let answer = cx.call.answer(Situation::Unauthorized, Fill::reason(&reason));
        answer.because(match problem {
            GrantProblem::NotApproved(_) => format!(
                "the {}'s customer has not approved its binding on the consent page (or rejected it, or unbound)",
                kind.wire()
            ),
            _ => format!(
                "the {} must be one this sandbox issued to this client, unused and not expired",
                kind.wire()
            ),
        })
    })
}

pub(super) fn other(cx: &Cx<'_, '_>) -> Outcome {
    let mut facts = echo(cx);
    facts.insert(
        "referenceNo".into(),
        Value::String(cx.inner.next_reference(cx.call.clock)),
    );
    (success(cx, facts), Vec::new())
}
