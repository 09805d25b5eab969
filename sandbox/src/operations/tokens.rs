//! Token issuing and grants. A B2B token endpoint issues a token to any admitted call; an endpoint whose
//! request takes an `authCode` (SNAP's B2B2C token) first redeems the grant the request names, an
//! authorization code or refresh token the sandbox issued to this client, and answers a customer token. The
//! answer of any other operation (`other`) carries a fresh authorization code where it declares an `authCode`
//! (DOKU's account binding and card registration).

use axum::http::HeaderName;
use serde_json::{Map, Value};
use snapbi_spec::ir::Situation;

use super::records::response_path;
use super::{Cx, Outcome, echo, refused, success, text};
use crate::answer::{Answer, Fill};
use crate::answers;
use crate::grants::{AUTH_CODE_LIFETIME, GrantKind};
use crate::tokens::TokenKind;

/// A token (see the module doc): B2B for client credentials, a customer token for an endpoint that takes grants.
pub(super) fn token(cx: &Cx<'_, '_>) -> Outcome {
    let customer = takes_grants(cx.call.endpoint);
    if customer && let Err(answer) = redeem_grant(cx) {
        return refused(answer);
    }
    let kind = if customer { TokenKind::Customer } else { TokenKind::B2b };
    let tokens = &cx.inner.tokens;
    let expiry = cx
        .call
        .clock
        .format(time::OffsetDateTime::now_utc() + tokens.lifetime());
    let mut facts = Map::new();
    facts.insert("accessToken".into(), Value::String(tokens.issue(cx.client, kind)));
    facts.insert("tokenType".into(), Value::String("Bearer".into()));
    facts.insert("expiresIn".into(), Value::from(tokens.lifetime_secs()));
    facts.insert("accessTokenExpiryTime".into(), Value::String(expiry.clone()));
    // A refresh token is issued only where the answer has a place for it (it is good for one more grant).
    if customer && cx.call.endpoint.response.iter().any(|f| f.wire == "refreshToken") {
        let refresh = cx
            .inner
            .grants
            .issue(cx.client, GrantKind::RefreshToken, tokens.lifetime());
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
/// code, whatever the letter case), and the code must be one the sandbox issued to this client and nobody used.
fn redeem_grant(cx: &Cx<'_, '_>) -> Result<(), Answer> {
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
        answer.because(format!(
            "the {} must be one this sandbox issued to this client, unused and not expired",
            kind.wire()
        ))
    })
}

pub(super) fn other(cx: &Cx<'_, '_>) -> Outcome {
    let mut facts = echo(cx);
    facts.insert(
        "referenceNo".into(),
        Value::String(cx.inner.next_reference(cx.call.clock)),
    );
    // A binding's answer (DOKU's account binding, card registration) hands out the code for a customer token.
    if let Some(path) = response_path(&cx.inner.api, &cx.call.endpoint.response, GrantKind::AuthCode.wire(), 0) {
        let code = cx
            .inner
            .grants
            .issue(cx.client, GrantKind::AuthCode, AUTH_CODE_LIFETIME);
        answers::set(&mut facts, &path.join("."), Value::String(code));
    }
    (success(cx, facts), Vec::new())
}
