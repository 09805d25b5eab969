//! The acts of an endpoint's `customer:` (see `world`): a binding names a registered customer by phone number and
//! answers the consent page and the authorization code waiting for it; a balance inquiry, a payment and an unbinding
//! find the customer their customer token stands for. Each refusal is the endpoint's own code for it (`codes`), and
//! what the tester did not register (a balance) is refused in words, never made up.

use axum::http::HeaderMap;
use serde_json::{Map, Value};
use snapbi_spec::ir::{CustomerAct, CustomerUse, Endpoint, Situation, TokenPlace};

use super::history::history;
use super::payments::own_base;
use super::{Cx, Outcome, at_path, echo, refused, success, text};
use crate::answer::{Answer, Fill, split_code};
use crate::answers;
use crate::grants::Grantee;
use crate::ledger::{Books, Money};
use crate::sandbox::Inner;
use crate::tokens::TokenKind;
use crate::world::consent::Pending;
use crate::world::{Customer, CustomerStatus, Holder, Shortfall};

/// The endpoint's act, done: binding, balance, unbinding, history. None for an endpoint without one, and for `pay`,
/// which is part of the payment (see [`debit`]).
pub(super) fn act(cx: &Cx<'_, '_>, books: &Books) -> Option<Outcome> {
    let world = cx.call.endpoint.customer.as_ref().filter(|w| applies(cx, w))?;
    let outcome = match world.act {
        CustomerAct::Bind => bind(cx, world),
        CustomerAct::Balance => balance(cx, world),
        CustomerAct::Unbind => unbind(cx, world),
        CustomerAct::History => history(cx, world, books),
        CustomerAct::Pay => return None,
        CustomerAct::Identify => match identify(cx, world) {
            Err(answer) => refused(answer),
            // A one-time token answered as one resource of a list is the sandbox's to make, not `answers`'.
            Ok(customer) if world.resource.is_some() => {
                let facts = one_time_resource(cx.inner, cx.call.endpoint, cx.body, &customer);
                (success(cx, facts), Vec::new())
            }
            Ok(_) => return None,
        },
    };
    Some(outcome)
}

/// After a successful `identify` answer: each one-time token it issued at the act's `one_time_token` path stands for
/// the customer from now on, so the provider's page the token is appended to knows who is there.
pub(super) fn remember_one_time_tokens(cx: &Cx<'_, '_>, answer: &Answer) {
    let Some(world) = cx.call.endpoint.customer.as_ref() else {
        return;
    };
    let (CustomerAct::Identify, Some(path)) = (world.act, &world.one_time_token) else {
        return;
    };
    // A token answered as a resource was remembered when it was issued (`one_time_resource`).
    if !answer.is_success() || world.resource.is_some() {
        return;
    }
    let Ok(customer) = token_customer(cx, world) else {
        return;
    };
    for token in values_through_list(&answer.body, path) {
        cx.inner.world.remember_one_time_token(token, customer.holder());
    }
}

/// The strings at a response path that may pass through one list (`userResources[].value`: one per item).
fn values_through_list(body: &Map<String, Value>, path: &str) -> Vec<String> {
    let (list, inside) = match path.split_once("[].") {
        Some((list, inside)) => (list, Some(inside)),
        None => (path, None),
    };
    let Some(value) = at_path(&Value::Object(body.clone()), list).cloned() else {
        return Vec::new();
    };
    let found: Vec<Value> = match inside {
        Some(inside) => value
            .as_array()
            .map(|items| items.iter().filter_map(|i| at_path(i, inside).cloned()).collect())
            .unwrap_or_default(),
        None => vec![value],
    };
    found
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A binding: the customer the request names by phone number, a code that waits for their consent, and the page
/// where they give it.
fn bind(cx: &Cx<'_, '_>, world: &CustomerUse) -> Outcome {
    let phone = world
        .phone
        .as_deref()
        .and_then(|p| text(cx.body, p))
        .unwrap_or_default();
    let holder = Holder {
        provider: cx.call.provider.name.clone(),
        phone_no: phone.to_owned(),
    };
    let Some(customer) = cx.inner.world.get(&holder) else {
        let why = format!(
            "no customer of {} has phone number {phone:?}: register one with POST /_sandbox/customers",
            holder.provider
        );
        // The refusal's message names what matched no customer (SNAP's `[info]`): the request field.
        let path = world.phone.as_deref().unwrap_or_default();
        let fill = Fill {
            field: Some(path),
            reason: Some(path),
            header: false,
        };
        return refused(coded_with(cx, world.codes.not_found.as_deref(), fill, why));
    };
    if let Err(answer) = usable(cx, world, &customer) {
        return refused(answer);
    }
    let code = cx.inner.grants.issue_awaiting_consent(Grantee {
        client_id: cx.client,
        holder: Some(holder.clone()),
    });
    let mut facts = echo(cx);
    facts.insert(
        "referenceNo".into(),
        Value::String(cx.inner.next_reference(cx.call.clock)),
    );
    if let Some(consent) = &world.consent {
        let request_url = |path: &str| text(cx.body, path).map(str::to_owned);
        let pending = Pending {
            client_id: cx.client.to_owned(),
            holder,
            code: code.clone(),
            approved: request_url(&consent.approved),
            rejected: consent.rejected.as_deref().and_then(request_url),
            code_param: consent.code_param.clone(),
            decided: None,
        };
        let id = cx.inner.world.await_consent(pending);
        let page = format!("{}/_sandbox/consent/{id}", own_base(cx.call));
        answers::set(&mut facts, &consent.page, Value::String(page));
    }
    if let Some(path) = &world.code {
        answers::set(&mut facts, path, Value::String(code));
    }
    (success(cx, facts), Vec::new())
}

/// The balance of the customer the token stands for, at the endpoint's `balance` path.
fn balance(cx: &Cx<'_, '_>, world: &CustomerUse) -> Outcome {
    let customer = match token_customer(cx, world) {
        Ok(customer) => customer,
        Err(answer) => return refused(answer),
    };
    if let Err(answer) = usable(cx, world, &customer) {
        return refused(answer);
    }
    let Some(balance) = &customer.balance else {
        return refused(no_balance(cx, &customer));
    };
    let mut facts = echo(cx);
    facts.insert(
        "referenceNo".into(),
        Value::String(cx.inner.next_reference(cx.call.clock)),
    );
    if let Some(path) = &world.balance {
        set_through_list(&mut facts, path, balance.to_json());
    }
    (success(cx, facts), Vec::new())
}

/// A call served only for a customer: its token stands for a registered customer who is not frozen; the call is then
/// answered as the endpoint otherwise would be.
fn identify(cx: &Cx<'_, '_>, world: &CustomerUse) -> Result<Customer, Answer> {
    let customer = token_customer(cx, world)?;
    usable(cx, world, &customer)?;
    Ok(customer)
}

/// An `identify` endpoint's one-time token answered as a resource (`customer.resource`): when `request` asks for it,
/// one item of the token's list, naming it, with a fresh token that stands for `customer` from now on (the
/// provider's page the token is appended to knows who is there); nothing else of that list, which the sandbox has
/// nothing to fill with. The answer's facts.
pub(crate) fn one_time_resource(
    inner: &Inner,
    endpoint: &Endpoint,
    request: &Value,
    customer: &Customer,
) -> Map<String, Value> {
    let mut facts = Map::new();
    let world = endpoint.customer.as_ref();
    let (Some(resource), Some(path)) = (
        world.and_then(|w| w.resource.as_ref()),
        world.and_then(|w| w.one_time_token.as_deref()),
    ) else {
        return facts;
    };
    let Some((list, member)) = path.split_once("[].") else {
        return facts;
    };
    let asked = at_path(request, &resource.asked).and_then(Value::as_array);
    if !asked.is_some_and(|names| names.iter().any(|n| n.as_str() == Some(&resource.value))) {
        return facts;
    }
    let token = answers::issued_value(&inner.api, &endpoint.response, path, &mut || inner.issue_value());
    inner.world.remember_one_time_token(token.clone(), customer.holder());
    let mut item = Map::new();
    answers::set(&mut item, &resource.name, Value::String(resource.value.clone()));
    answers::set(&mut item, member, Value::String(token));
    answers::set(&mut facts, list, Value::Array(vec![Value::Object(item)]));
    facts
}

/// An unbinding: every token of the customer the token stands for, and the refresh tokens that would buy more, are
/// refused from now on.
fn unbind(cx: &Cx<'_, '_>, world: &CustomerUse) -> Outcome {
    let customer = match token_customer(cx, world) {
        Ok(customer) => customer,
        Err(answer) => return refused(answer),
    };
    let holder = customer.holder();
    let revoked = cx.inner.tokens.revoke(cx.client, &holder);
    cx.inner.grants.revoke(cx.client, &holder);
    let mut facts = echo(cx);
    facts.insert(
        "referenceNo".into(),
        Value::String(cx.inner.next_reference(cx.call.clock)),
    );
    let answer = success(cx, facts).because(format!(
        "unbound customer {} of {}: {revoked} customer token(s) revoked",
        holder.phone_no, holder.provider
    ));
    (answer, Vec::new())
}

/// For a payment of an endpoint whose act is `pay`: takes `amount` from the wallet of the customer its token stands
/// for, and answers who paid. A payment its `when` leaves out (DOKU's jump-app channels), or without a token where
/// the act names no condition, is not the wallet's: `Ok(None)`.
pub(super) fn debit(cx: &Cx<'_, '_>, amount: Option<&Money>) -> Result<Option<Holder>, Answer> {
    let pays = |w: &&CustomerUse| w.act == CustomerAct::Pay && applies(cx, w);
    let Some(world) = cx.call.endpoint.customer.as_ref().filter(pays) else {
        return Ok(None);
    };
    let carries_token = world.token.as_ref().and_then(|place| presented(cx, place)).is_some();
    if world.when.is_none() && !carries_token {
        return Ok(None);
    }
    let customer = token_customer(cx, world)?;
    usable(cx, world, &customer)?;
    let Some(amount) = amount else {
        let answer = cx.call.answer(Situation::InvalidAmount, Fill::default());
        return Err(answer.because("a payment from a wallet needs an amount"));
    };
    let holder = customer.holder();
    match cx.inner.world.update(&holder, |c| c.debit(amount)) {
        Some(Ok(())) => Ok(Some(holder)),
        None | Some(Err(Shortfall::NoBalance)) => Err(no_balance(cx, &customer)),
        Some(Err(Shortfall::OtherCurrency(currency))) => {
            let answer = cx.call.answer(Situation::InvalidAmount, Fill::default());
            Err(answer.because(format!(
                "the payment is in {}, the wallet of customer {} in {currency}",
                amount.currency, holder.phone_no
            )))
        }
        Some(Err(Shortfall::Insufficient(held))) => {
            let why = format!(
                "the wallet of customer {} holds {} {}, less than {} {}",
                holder.phone_no, held.value, held.currency, amount.value, amount.currency
            );
            Err(coded(cx, world.codes.insufficient_funds.as_deref(), why))
        }
    }
}

/// Gives `amount` back to the wallet of `payer` at `provider` (a refund or a cancel of a payment it made).
pub(super) fn credit(cx: &Cx<'_, '_>, provider: &str, payer: &str, amount: &Money) {
    let holder = Holder {
        provider: provider.to_owned(),
        phone_no: payer.to_owned(),
    };
    cx.inner.world.update(&holder, |c| c.credit(amount));
}

/// Whether the act's condition (`when`) holds for the request, or it has none.
fn applies(cx: &Cx<'_, '_>, world: &CustomerUse) -> bool {
    world.when.as_ref().is_none_or(|w| {
        // Walked segment by segment: the path is outside any list, so no dotted text needs to be made for it.
        let value = w.field.iter().try_fold(cx.body, |value, key| value.get(key.as_ref()));
        value
            .and_then(Value::as_str)
            .is_some_and(|v| w.is.iter().any(|allowed| allowed.as_ref() == v))
    })
}

/// The registered customer the call's customer token stands for, or the endpoint's refusal of the token.
pub(super) fn token_customer(cx: &Cx<'_, '_>, world: &CustomerUse) -> Result<Customer, Answer> {
    let token = world.token.as_ref().and_then(|place| presented(cx, place));
    customer_of_token(cx.inner, token.as_deref(), cx.client)
        .map_err(|why| coded(cx, world.codes.invalid_token.as_deref(), why))
}

/// The registered customer `token` (as presented by `client`) stands for, or why there is none.
pub(crate) fn customer_of_token(inner: &Inner, token: Option<&str>, client: &str) -> Result<Customer, String> {
    let token = token.ok_or("the call carries no customer token")?;
    let holder = inner
        .tokens
        .holder(token, client, TokenKind::Customer)
        .map_err(|problem| problem.describe_customer().to_owned())?
        .ok_or(
            "the customer token stands for no simulated customer: it was bought with a code no binding issued \
             (POST /_sandbox/auth-codes without a phoneNo)",
        )?;
    inner
        .world
        .get(&holder)
        .ok_or_else(|| "the token's customer is no longer registered".to_owned())
}

/// A customer token as presented: bare, or after `Bearer `; none when empty.
pub(crate) fn bare_token(value: &str) -> Option<String> {
    let value = value.trim();
    let bare = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => value[7..].trim(),
        _ => value,
    };
    (!bare.is_empty()).then(|| bare.to_owned())
}

/// The customer token where the endpoint carries it: a header (bare, or after `Bearer `) or a request field.
fn presented(cx: &Cx<'_, '_>, place: &TokenPlace) -> Option<String> {
    let value = match place {
        TokenPlace::Header(name) => header(&cx.call.parts.headers, name)?,
        TokenPlace::Field(path) => text(cx.body, path)?.to_owned(),
    };
    bare_token(&value)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// A frozen customer is refused where the endpoint names a code for it.
pub(super) fn usable(cx: &Cx<'_, '_>, world: &CustomerUse, customer: &Customer) -> Result<(), Answer> {
    match (customer.status, &world.codes.frozen) {
        (CustomerStatus::Frozen, Some(code)) => {
            let why = format!("customer {} of {} is frozen", customer.phone_no, customer.provider);
            Err(coded(cx, Some(code), why))
        }
        _ => Ok(()),
    }
}

/// The refusal for a customer whose wallet the tester gave no balance: the sandbox makes none up.
fn no_balance(cx: &Cx<'_, '_>, customer: &Customer) -> Answer {
    let answer = cx.call.answer(Situation::GeneralError, Fill::default());
    answer.because(format!(
        "customer {} of {} has no balance: none was registered (POST /_sandbox/customers with a `balance`), and the \
         sandbox makes none up",
        customer.phone_no, customer.provider
    ))
}

/// The answer with one of the endpoint's declared codes (the lowering checks each is declared and seven digits).
fn coded(cx: &Cx<'_, '_>, code: Option<&str>, why: String) -> Answer {
    coded_with(cx, code, Fill::default(), why)
}

/// [`coded`], with the message's placeholders filled by `fill`.
fn coded_with(cx: &Cx<'_, '_>, code: Option<&str>, fill: Fill<'_>, why: String) -> Answer {
    let Some((code, (http, case))) = code.and_then(|c| Some((c, split_code(c)?))) else {
        let answer = cx.call.answer(Situation::GeneralError, Fill::default());
        return answer.because(format!("{why}; the endpoint names no code for this"));
    };
    let service = code.get(3..5).unwrap_or(&cx.call.endpoint.info.service_code);
    Answer::snap(&cx.inner.api, service, http, case, fill).because(why)
}

/// Sets `value` at a response path that may pass through one list (`accountInfos[].amount`: one item holding it).
fn set_through_list(facts: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once("[].") {
        Some((list, inside)) => {
            let mut item = Map::new();
            answers::set(&mut item, inside, value);
            answers::set(facts, list, Value::Array(vec![Value::Object(item)]));
        }
        None => answers::set(facts, path, value),
    }
}
