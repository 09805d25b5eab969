//! What an admitted call does. In order: an injected `status_5xx` fault or a forced failure code answers
//! without touching state; otherwise the call is committed under the books' lock (X-EXTERNAL-ID unique per
//! client per day → `409xx00`; a repeated idempotency key, in the provider's header or the endpoint's fields → the
//! remembered answer, or `404xx18` when the request differs (see `idempotency`); then the endpoint's operation on
//! the ledger); a forced success code replaces the code
//! of a successful answer; a `delay` fault holds the answer back and `drop_after_commit` closes the
//! connection without one.
//!
//! The ledger's fields are SNAP's own wire names (`partnerReferenceNo`, `originalPartnerReferenceNo`,
//! `originalReferenceNo`, `refundAmount`…), read from the body; which field holds the amount and which
//! keys identify a call come from the IR.
//!
//! Tokens: a B2B token endpoint issues a token to any admitted call; an endpoint whose request takes an `authCode`
//! (SNAP's B2B2C token) first takes the grant the request names, an authorization code or a refresh token the
//! sandbox issued to this client and nobody used (`grants`), and answers a customer token standing for the customer
//! the grant was for.
//!
//! Customers (an endpoint's `customer:`, see `world`): a binding answers its consent page and a code good once the
//! customer approves; a balance inquiry, an unbinding and a payment made with a customer token act on the customer
//! the token stands for (`customers`), and a refund or cancel of a payment a wallet made gives the money back.
//!
//! Records (operations `create`, `update`, `delete`, and `status` with a `record`) are generic: the
//! provider's record kind names the request fields that identify one record and the case code for one that
//! does not exist; the record is the create request's body with later updates written over it, and answers
//! every response field with the same wire name (looking into response objects it does not hold whole,
//! such as `virtualAccountData`).

pub(crate) mod customers;
mod history;
mod idempotency;
mod on_page;
mod payments;
mod record_parents;
mod records;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use serde_json::{Map, Value};
use snapbi_spec::ir::{Action, Api, AuthKind, Field, Operation, Situation};

use crate::answer::{Answer, Fill, split_code};
use crate::answers;
use crate::call::{Admitted, Call};
use crate::ledger::{Books, PaymentRecord};
use crate::notify::PaymentFacts;
use crate::sandbox::{Inner, SandboxError};
use crate::scenarios::{Fault, FaultKind};
use crate::shape::{self, FreeForm};

use idempotency::Repeat;
use payments::{cancel, notice, pay, refund, status};
use records::{record_kind, snap_operation};
use tokens::{other, token};

pub(crate) use on_page::{Choice, Refused, on_page, wallet_use};
pub(crate) use payments::{encode, notify_url};
pub(crate) use records::{
    RecordCall, Refusal, aliases as record_aliases, answered_facts, kind_of, operate, record_key, reported,
    status_endpoints,
};

/// Longest `delay` fault: 10 minutes, so a typo cannot hold a connection forever.
pub(crate) const MAX_DELAY_MS: u64 = 600_000;

/// Something a commit leaves to do once the books are unlocked.
pub(crate) enum Effect {
    /// Send the payment notification.
    Notify(Box<Notice>),
    /// Send a notification whose body is ready (a paid record's).
    Send(Box<Outgoing>),
    /// Complete a jump-app payment later.
    AutoComplete {
        partner_reference_no: String,
        after: Duration,
    },
}

/// A payment notification to send.
pub(crate) struct Notice {
    pub(crate) provider: String,
    pub(crate) client_id: String,
    pub(crate) url: Option<String>,
    pub(crate) facts: PaymentFacts,
}

/// A notification with its body built already, signed the way its endpoint's auth kind says.
pub(crate) struct Outgoing {
    pub(crate) provider: String,
    pub(crate) client_id: String,
    pub(crate) url: Option<String>,
    pub(crate) auth: AuthKind,
    pub(crate) body: Value,
}

/// Answers an admitted call, applying scenarios and faults (see the module doc).
pub(crate) async fn process(inner: &Arc<Inner>, call: &Call<'_>, admitted: Admitted<'_>) -> Response {
    let id = call.endpoint.info.id.as_ref();
    let fault = inner.faults.take(id);
    let forced = admitted.scenario.clone().or_else(|| inner.scenarios.take(id));
    let answer = match (fault, forced) {
        (
            Some(Fault {
                kind: FaultKind::Status5xx,
                ..
            }),
            _,
        ) => call
            .answer(Situation::InternalError, Fill::default())
            .because("fault status_5xx: nothing was committed"),
        (_, Some(code)) if !forced_succeeds(call, &code) => forced_answer(call, &code),
        (_, forced) => {
            let (answer, effects) = commit(inner, call, &admitted);
            inner.run_effects(effects);
            match forced {
                Some(code) if answer.is_success() => recode(call, answer, &code).because("forced scenario"),
                _ => answer,
            }
        }
    };
    match fault {
        Some(Fault {
            kind: FaultKind::Delay,
            ms,
        }) => tokio::time::sleep(Duration::from_millis(ms.min(MAX_DELAY_MS))).await,
        Some(Fault {
            kind: FaultKind::DropAfterCommit,
            ..
        }) => drop_connection().await,
        _ => {}
    }
    answer.into_response(call.clock)
}

/// Closes the connection without answering; the accept loop does the closing when the switch is pulled.
/// Outside that loop (no switch) the committed answer is sent after all.
async fn drop_connection() {
    if let Some(switch) = crate::server::kill_switch() {
        switch.pull();
        // The connection task drops this future together with the connection.
        std::future::pending::<()>().await;
    }
}

/// Whether a forced code is a success, which runs the call for real: a SNAP code of HTTP 2xx, or a code of a
/// provider's own JSON declared with a 2xx status.
fn forced_succeeds(call: &Call<'_>, code: &str) -> bool {
    match (&call.provider.results, declared(call, code)) {
        (Some(_), Some(declared)) => (200..300).contains(&declared.http),
        (Some(_), None) => false,
        (None, _) => code.starts_with('2'),
    }
}

/// The endpoint's declaration of `code`.
pub(super) fn declared<'e>(call: &Call<'e>, code: &str) -> Option<&'e snapbi_spec::ir::EndpointCode> {
    call.endpoint.codes.iter().find(|c| c.code == code)
}

/// A successful answer with a forced success code in place of its own.
fn recode(call: &Call<'_>, answer: Answer, code: &str) -> Answer {
    match &call.provider.results {
        Some(results) => answer.own_code(results, call.endpoint.info.status_field.as_deref(), code),
        None => answer.recode(&call.inner.api, code),
    }
}

/// The answer for a forced failure code: its message with `{field}` as the endpoint's first required field.
fn forced_answer(call: &Call<'_>, code: &str) -> Answer {
    if let (Some(results), Some(declared)) = (&call.provider.results, declared(call, code)) {
        return Answer::own_declared(results, declared)
            .because(format!("scenario {code} forced; nothing was committed"));
    }
    let Some((http, case)) = split_code(code) else {
        // The lowering declares seven-digit codes only; the caller's code is not read into another one.
        let reason = format!("scenario code {code:?} is not seven digits");
        return call.answer(Situation::BadRequest, Fill::default()).explained(&reason);
    };
    let field = call
        .endpoint
        .request
        .iter()
        .find(|f| f.required)
        .map_or("request", |f| f.wire.as_str());
    let fill = Fill {
        field: Some(field),
        reason: Some("Sandbox Scenario"),
        header: false,
    };
    // The code keeps its own service digits: a declared refusal may carry the endpoint's refusal service code.
    let service = code.get(3..5).unwrap_or(&call.endpoint.info.service_code);
    Answer::snap(&call.inner.api, service, http, case, fill)
        .because(format!("scenario {code} forced; nothing was committed"))
}

/// What the operation functions read.
struct Cx<'c, 'a> {
    inner: &'c Inner,
    call: &'c Call<'a>,
    client: &'c str,
    body: &'c Value,
    /// The call's idempotency key, when the endpoint declares keys.
    idempotency: Option<&'c str>,
    /// X-EXTERNAL-ID of the call, to remember with what it created.
    external_id: Option<&'c str>,
}

type Outcome = (Answer, Vec<Effect>);

fn refused(answer: Answer) -> Outcome {
    (answer, Vec::new())
}

/// Commits the call under the books' lock.
fn commit(inner: &Inner, call: &Call<'_>, admitted: &Admitted<'_>) -> Outcome {
    let client = admitted.client.id.as_str();
    // Keyed and digested before the lock is taken: it reads only the call, and every other call waits on the lock.
    let repeat = Repeat::of(call, client, &admitted.body);
    let cx = Cx {
        inner,
        call,
        client,
        body: &admitted.body,
        idempotency: repeat.body_key.as_deref(),
        external_id: admitted.external_id,
    };
    // A payment's answer is drafted before the lock too (see `payments::Draft`).
    let draft = (call.endpoint.operation == Operation::Payment).then(|| payments::draft(&cx));
    let mut books = inner.books();
    if let Some(external_id) = admitted.external_id
        && !call
            .clock
            .with_today(|day| books.use_external_id(client, day, external_id))
    {
        let answer = call.answer(Situation::Conflict, Fill::default());
        return refused(answer.because("X-EXTERNAL-ID was already used today by this client"));
    }
    if let Some(answer) = repeat.answer(call, &books) {
        return refused(answer);
    }
    let (mut answer, effects) = match customers::act(&cx, &books) {
        Some(outcome) => outcome,
        None => operation(&cx, &mut books, draft),
    };
    customers::remember_one_time_tokens(&cx, &answer);
    repeat.remember(&mut books, &mut answer);
    (answer, effects)
}

/// The endpoint's operation on the books; a payment's `draft` was made before they were locked.
fn operation(cx: &Cx<'_, '_>, books: &mut Books, draft: Option<Result<payments::Draft<'_>, Answer>>) -> Outcome {
    match (cx.call.endpoint.operation, record_kind(cx)) {
        (Operation::Token, _) => token(cx),
        (Operation::Payment, _) => pay(cx, books, draft.unwrap_or_else(|| payments::draft(cx))),
        (Operation::Refund, _) => refund(cx, books),
        (Operation::Status, None) => status(cx, books),
        (Operation::Cancel, _) => cancel(cx, books),
        (Operation::Status | Operation::Create | Operation::Update | Operation::Delete, Some(kind)) => {
            snap_operation(cx, kind, books)
        }
        // The IR gives every create / update / delete endpoint a record kind of its provider; a notify endpoint
        // is inbound (the sandbox sends it, never serves it).
        (Operation::Create | Operation::Update | Operation::Delete, None)
        | (Operation::Notify | Operation::Other, _) => other(cx),
    }
}

/// The value at a dotted wire path (`partnerReferenceNo`, `additionalInfo.channel`).
pub(crate) fn at_path<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(body, |value, key| value.get(key))
}

fn text<'v>(body: &'v Value, path: &str) -> Option<&'v str> {
    at_path(body, path).and_then(Value::as_str)
}

/// A successful answer holding the facts the endpoint's response declares, with what the provider fills itself
/// (`answers::fill`), in the spec's order and in the shapes it declares (`shape::fact`).
fn success(cx: &Cx<'_, '_>, facts: Map<String, Value>) -> Answer {
    success_over(cx, facts, Map::new())
}

/// [`success`], with `held` written over what the answers fill: a record's fields, which say more than a value the
/// provider documents for a record in general.
fn success_over(cx: &Cx<'_, '_>, mut facts: Map<String, Value>, held: Map<String, Value>) -> Answer {
    let call = cx.call;
    answers::fill(&call.endpoint.answers, cx.body, &mut facts, &mut |field| {
        answers::issued_value(&cx.inner.api, &call.endpoint.response, field, &mut || {
            cx.inner.issue_value()
        })
    });
    answers::merge_members(&mut facts, &held);
    // A provider answering its own JSON has no code of success to put first: its answer is the facts.
    let mut answer = match call.provider.results {
        Some(_) => Answer::facts(),
        None => call.answer(Situation::Successful, Fill::default()),
    };
    for field in &call.endpoint.response {
        if answer.body.contains_key(&field.wire) {
            continue;
        }
        // The fact's own name goes into the answer: the same text, not made again.
        let Some((name, value)) = facts.swap_remove_entry(&field.wire) else {
            continue;
        };
        if let Some(value) = shape::fact(&call.inner.api, field, value) {
            answer.body.insert(name, value);
        }
    }
    answer
}

/// Request fields echoed under the same name when the response declares them, in the response's shape.
///
/// Only what the response describes is repeated: an object keeps the members the response declares
/// (`additionalInfo.custIdMerchant` of a binding), and a free-form (`json`) field is not echoed at all, since
/// nothing says the provider repeats what the caller put there (DOKU's Python SDK refuses a payment answer that
/// carries an `additionalInfo`).
fn echo(cx: &Cx<'_, '_>) -> Map<String, Value> {
    echoed(&cx.inner.api, &cx.call.endpoint.response, cx.body)
}

/// The request fields of `body` that the `response` fields echo (see [`echo`]).
pub(crate) fn echoed(api: &Api, response: &[Field], body: &Value) -> Map<String, Value> {
    let mut facts = Map::new();
    for field in response {
        if let Some(value) = body
            .get(&field.wire)
            .and_then(|v| shape::declared(api, &field.ty, v, FreeForm::Drop))
        {
            facts.insert(field.wire.clone(), value);
        }
    }
    facts
}

/// An answer's `responseCode`.
fn response_code(answer: &Answer) -> String {
    answer
        .body
        .get("responseCode")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Pays the payments named `partner_reference_no` that the standard's table lets be paid (initiated ones); see
/// `Sandbox::complete_payment`. Answers one that is paid now or was before, else the first, which cannot be.
pub(crate) fn complete(
    inner: &Inner,
    partner_reference_no: &str,
) -> Result<(PaymentRecord, Vec<Effect>), SandboxError> {
    let machine = inner.machine();
    let mut books = inner.books();
    let mut payments = books.payments_named(partner_reference_no);
    let mut effects = Vec::new();
    for payment in payments.iter_mut() {
        let Some(paid) = machine.after(Action::Pay, &payment.latest_transaction_status) else {
            continue;
        };
        let now = inner.clock(&payment.provider).now();
        payment.latest_transaction_status = paid;
        payment.paid_time = Some(now.clone());
        payment.finished_time = Some(now);
        effects.push(Effect::Notify(Box::new(notice(payment))));
    }
    let completed = payments.iter().find(|p| p.paid_time.is_some()).or(payments.first());
    let Some(record) = completed.map(|p| (**p).clone()) else {
        return Err(SandboxError::PaymentNotFound(partner_reference_no.to_owned()));
    };
    if record.paid_time.is_none() {
        return Err(SandboxError::NotCompletable {
            partner_reference_no: partner_reference_no.to_owned(),
            status: record.latest_transaction_status.code().to_owned(),
        });
    }
    Ok((record, effects))
}
