//! What an admitted call does. In order: an injected `status_5xx` fault or a forced failure code answers
//! without touching state; otherwise the call is committed under the books' lock (X-EXTERNAL-ID unique per
//! client per day → `409xx00`; a repeated idempotency key → the remembered answer, or `404xx18` when the
//! content differs; then the endpoint's operation on the ledger); a forced success code replaces the code
//! of a successful answer; a `delay` fault holds the answer back and `drop_after_commit` closes the
//! connection without one.
//!
//! The ledger's fields are SNAP's own wire names (`partnerReferenceNo`, `originalPartnerReferenceNo`,
//! `originalReferenceNo`, `refundAmount`…), read from the body; which field holds the amount and which
//! keys identify a call come from the IR.
//!
//! Tokens: a B2B token endpoint issues a token to any admitted call; an endpoint whose request takes an `authCode`
//! (SNAP's B2B2C token) first takes the grant the request names, an authorization code or a refresh token the
//! sandbox issued to this client and nobody used (`grants`), and answers a customer token. Answers that declare an
//! `authCode` (DOKU's account binding and card registration) carry a fresh one.
//!
//! Records (operations `create`, `update`, `delete`, and `status` with a `record`) are generic: the
//! provider's record kind names the request fields that identify one record and the case code for one that
//! does not exist; the record is the create request's body with later updates written over it, and answers
//! every response field with the same wire name (looking into response objects it does not hold whole,
//! such as `virtualAccountData`).

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;
use axum::response::Response;
use serde_json::{Map, Value};
use snapbi_spec::ir::{Action, Api, AuthKind, Field, FieldType, Operation, RecordKind, Situation};

use crate::answer::{Answer, Fill, published_message, split_code};
use crate::answers;
use crate::call::{Admitted, Call};
use crate::grants::{AUTH_CODE_LIFETIME, GrantKind};
use crate::ledger::{Books, Money, PaymentRecord, Record, RefundRecord, Units};
use crate::notify::PaymentFacts;
use crate::payment_status::Machine;
use crate::sandbox::{Inner, SandboxError};
use crate::scenarios::{Fault, FaultKind};
use crate::server::KillSwitch;
use crate::shape::{self, FreeForm};
use crate::store;
use crate::tokens::TokenKind;

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
    let id = call.endpoint.id.as_str();
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
        (_, Some(code)) if !code.starts_with('2') => forced_answer(call, &code),
        (_, forced) => {
            let (answer, effects) = commit(inner, call, &admitted);
            inner.run_effects(effects);
            match forced {
                Some(code) if answer.is_success() => answer.recode(&inner.api, &code).because("forced scenario"),
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
        }) => drop_connection(call).await,
        _ => {}
    }
    answer.into_response(call.clock)
}

/// Closes the connection without answering; the accept loop does the closing when the switch is pulled.
/// Outside that loop (no switch) the committed answer is sent after all.
async fn drop_connection(call: &Call<'_>) {
    if let Some(switch) = call.parts.extensions.get::<KillSwitch>() {
        switch.pull();
        // The connection task drops this future together with the connection.
        std::future::pending::<()>().await;
    }
}

/// The answer for a forced failure code: its message with `{field}` as the endpoint's first required field.
fn forced_answer(call: &Call<'_>, code: &str) -> Answer {
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
    };
    // The code keeps its own service digits: a declared refusal may carry the endpoint's refusal service code.
    let service = code.get(3..5).unwrap_or(&call.endpoint.service_code);
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
}

type Outcome = (Answer, Vec<Effect>);

fn refused(answer: Answer) -> Outcome {
    (answer, Vec::new())
}

/// Commits the call under the books' lock.
fn commit(inner: &Inner, call: &Call<'_>, admitted: &Admitted<'_>) -> Outcome {
    let mut books = store::lock(&inner.books);
    let client = admitted.client.id.as_str();
    if let Some(external_id) = &admitted.external_id
        && !books.use_external_id(client, &call.clock.today(), external_id)
    {
        let answer = call.answer(Situation::Conflict, Fill::default());
        return refused(answer.because("X-EXTERNAL-ID was already used today by this client"));
    }
    let key = idempotency_key(call, client, &admitted.body);
    if let Some(seen) = key.as_deref().and_then(|k| books.remembered(k)) {
        return refused(match seen.request == crate::ledger::digest(&admitted.body) {
            true => seen.answer().because("idempotent replay: the answer of the first call"),
            false => call
                .answer(Situation::InconsistentRequest, Fill::default())
                .because("same idempotency key as an earlier call, different content"),
        });
    }
    let cx = Cx {
        inner,
        call,
        client,
        body: &admitted.body,
        idempotency: key.as_deref(),
    };
    let (mut answer, effects) = match (call.endpoint.operation, record_kind(&cx)) {
        (Operation::Token, _) => token(&cx),
        (Operation::Payment, _) => pay(&cx, &mut books),
        (Operation::Refund, _) => refund(&cx, &mut books),
        (Operation::Status, None) => status(&cx, &mut books),
        (Operation::Status, Some(kind)) => record_status(&cx, kind, &books),
        (Operation::Cancel, _) => cancel(&cx, &mut books),
        (Operation::Create, Some(kind)) => create(&cx, kind, &mut books),
        (Operation::Update, Some(kind)) => update(&cx, kind, &mut books),
        (Operation::Delete, Some(kind)) => delete(&cx, kind, &mut books),
        // The IR gives every create / update / delete endpoint a record kind of its provider; a notify endpoint
        // is inbound (the sandbox sends it, never serves it).
        (Operation::Create | Operation::Update | Operation::Delete, None)
        | (Operation::Notify | Operation::Other, _) => other(&cx),
    };
    if answer.is_success()
        && let Some(key) = key
    {
        books.remember(key, &admitted.body, &mut answer);
    }
    (answer, effects)
}

/// The endpoint's idempotency keys' values, with the endpoint and client: None without keys.
fn idempotency_key(call: &Call<'_>, client: &str, body: &Value) -> Option<String> {
    let keys = &call.endpoint.idempotency_keys;
    if keys.is_empty() {
        return None;
    }
    let mut key = format!("{}\u{1f}{client}", call.endpoint.id);
    for path in keys {
        key.push('\u{1f}');
        key.push_str(&at_path(body, path)?.to_string());
    }
    Some(key)
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
fn success(cx: &Cx<'_, '_>, mut facts: Map<String, Value>) -> Answer {
    let call = cx.call;
    answers::fill(&call.endpoint.answers, cx.body, &mut facts, &mut || {
        cx.inner.issue_value()
    });
    let mut answer = call.answer(Situation::Successful, Fill::default());
    for field in &call.endpoint.response {
        if answer.body.contains_key(&field.wire) {
            continue;
        }
        if let Some(value) = facts
            .remove(&field.wire)
            .and_then(|v| shape::fact(&call.inner.api, field, v))
        {
            answer.body.insert(field.wire.clone(), value);
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
    let api = &cx.inner.api;
    let mut facts = Map::new();
    for field in &cx.call.endpoint.response {
        if let Some(value) = cx
            .body
            .get(&field.wire)
            .and_then(|v| shape::declared(api, &field.ty, v, FreeForm::Drop))
        {
            facts.insert(field.wire.clone(), value);
        }
    }
    facts
}

/// A token (see the module doc): B2B for client credentials, a customer token for an endpoint that takes grants.
fn token(cx: &Cx<'_, '_>) -> Outcome {
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

/// The amount in the endpoint's amount field.
fn money(cx: &Cx<'_, '_>) -> Option<Money> {
    let amount = cx.body.get(cx.call.served.money_field.as_deref()?)?;
    Some(Money {
        value: text(amount, "value")?.to_owned(),
        currency: text(amount, "currency")?.to_owned(),
    })
}

/// A payment: it starts in the standard's initial status, or is paid at once (the table's `pay` from there) unless
/// the customer pays later in the provider's app (a jump-app payment, see `served`).
fn pay(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
    let (call, inner) = (cx.call, cx.inner);
    let key_field = call
        .endpoint
        .idempotency_keys
        .first()
        .map_or("partnerReferenceNo", String::as_str);
    let Some(partner) = text(cx.body, key_field) else {
        return refused(call.answer(Situation::MissingField, Fill::field(key_field)));
    };
    if books.has_payment(cx.client, partner) {
        let answer = call.answer(Situation::DuplicateReference, Fill::default());
        return refused(answer.because("a payment with this partnerReferenceNo exists (from another endpoint)"));
    }
    let machine = inner.machine();
    let Some(initial) = machine.initial() else {
        // The builder checks the table (`Machine::check`); this keeps the function total.
        let answer = call.answer(Situation::GeneralError, Fill::default());
        return refused(answer.because("the standard's transaction_status.initial is not one of its values"));
    };
    let settles_now = !call.served.jump_app || inner.options.auto_complete == Some(Duration::ZERO);
    let paid = settles_now.then(|| machine.after(Action::Pay, &initial)).flatten();
    let reference_no = inner.next_reference(call.clock);
    let mut facts = echo(cx);
    facts.insert("referenceNo".into(), Value::String(reference_no.clone()));
    facts.insert("partnerReferenceNo".into(), Value::String(partner.to_owned()));
    if call.served.jump_app {
        facts.insert("webRedirectUrl".into(), Value::String(pay_page(call, partner)));
    }
    let answer = success(cx, facts);
    let amount = money(cx);
    let now = call.clock.now();
    let record = PaymentRecord {
        client_id: cx.client.to_owned(),
        provider: call.provider.name.clone(),
        endpoint: call.endpoint.id.clone(),
        service_code: call.endpoint.service_code.clone(),
        partner_reference_no: partner.to_owned(),
        reference_no,
        external_id: external_id(call),
        refunded: amount.as_ref().map(Money::zero_like),
        amount,
        finished_time: paid.is_some().then(|| now.clone()),
        paid_time: paid.is_some().then(|| now.clone()),
        latest_transaction_status: paid.clone().unwrap_or(initial),
        created_time: now,
        // What this answer says, for the status endpoint's `originalResponseCode`.
        original_response_code: response_code(&answer),
        merchant_id: text(cx.body, "merchantId").map(str::to_owned),
        notify_url: notify_url(cx.body).or_else(|| inner.options.notify_url.clone()),
        refunds: Vec::new(),
    };
    let mut effects = Vec::new();
    match (paid.is_some(), inner.options.auto_complete) {
        (true, _) => effects.push(Effect::Notify(Box::new(notice(&record)))),
        (false, Some(after)) => effects.push(Effect::AutoComplete {
            partner_reference_no: partner.to_owned(),
            after,
        }),
        (false, None) => {}
    }
    books.add_payment(record);
    (answer, effects)
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

/// X-EXTERNAL-ID of this call, to remember with what it created.
fn external_id(call: &Call<'_>) -> Option<String> {
    let (name, _) = call
        .provider
        .headers_for(call.endpoint.auth)
        .iter()
        .find(|(_, source)| *source == snapbi_spec::ir::HeaderSource::ExternalId)?;
    call.parts
        .headers
        .get(name.as_str())
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

/// The first `urlParam` (or DANA's `urlParams`) of type PAY_NOTIFY or NOTIFICATION.
pub(crate) fn notify_url(body: &Value) -> Option<String> {
    ["urlParam", "urlParams"]
        .iter()
        .filter_map(|name| body.get(name)?.as_array())
        .flatten()
        .find(|p| matches!(text(p, "type"), Some("PAY_NOTIFY" | "NOTIFICATION")))
        .and_then(|p| text(p, "url"))
        .map(str::to_owned)
}

/// Where the customer would pay: the sandbox's own page for this payment, on the host the call came to.
fn pay_page(call: &Call<'_>, partner: &str) -> String {
    let host = call
        .parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b)))
        .unwrap_or("127.0.0.1");
    format!("http://{host}/_sandbox/pay/{}", encode(partner))
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path segment.
pub(crate) fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn original<'b>(cx: &Cx<'_, '_>, books: &'b mut Books) -> Result<&'b mut PaymentRecord, Answer> {
    let partner = text(cx.body, "originalPartnerReferenceNo");
    let reference = text(cx.body, "originalReferenceNo");
    books.find(cx.client, partner, reference).ok_or_else(|| {
        cx.call
            .answer(Situation::TransactionNotFound, Fill::default())
            .because("no payment of this client has that originalPartnerReferenceNo / originalReferenceNo")
    })
}

fn refund(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
    let call = cx.call;
    let key_field = call
        .endpoint
        .idempotency_keys
        .first()
        .map_or("partnerRefundNo", String::as_str);
    let Some(partner_refund_no) = text(cx.body, key_field) else {
        return refused(call.answer(Situation::MissingField, Fill::field(key_field)));
    };
    let requested = money(cx);
    let refund_no = cx.inner.next_reference(call.clock);
    let external_id = external_id(call);
    let payment = match original(cx, books) {
        Ok(payment) => payment,
        Err(answer) => return refused(answer),
    };
    let machine = cx.inner.machine();
    let Some(refunded_status) = machine.after(Action::Refund, &payment.latest_transaction_status) else {
        return refused(not_allowed(call, machine, Action::Refund, payment));
    };
    // No amount asked for refunds the whole payment; a payment without an amount has nothing to refund.
    let Some(amount) = requested.or_else(|| payment.amount.clone()) else {
        let answer = call.answer(Situation::InvalidAmount, Fill::default());
        return refused(answer.because("the payment has no amount, so there is nothing to refund"));
    };
    let Some(total) = refundable(payment, &amount) else {
        let answer = call.answer(Situation::InvalidAmount, Fill::default());
        return refused(answer.because(format!(
            "refund {} {} is zero, in another currency, or above what is left of {} (refunded so far {})",
            amount.value,
            amount.currency,
            written(payment.amount.as_ref()),
            written(payment.refunded.as_ref())
        )));
    };
    let now = call.clock.now();
    payment.refunded = Some(total);
    payment.latest_transaction_status = refunded_status;
    payment.refunds.push(RefundRecord {
        partner_refund_no: partner_refund_no.to_owned(),
        refund_no: refund_no.clone(),
        refund_amount: amount.clone(),
        refund_time: now.clone(),
        external_id,
    });
    let mut facts = echo(cx);
    let original_facts = [
        (
            "originalPartnerReferenceNo",
            Value::String(payment.partner_reference_no.clone()),
        ),
        ("originalReferenceNo", Value::String(payment.reference_no.clone())),
        ("refundNo", Value::String(refund_no)),
        ("partnerRefundNo", Value::String(partner_refund_no.to_owned())),
        ("refundAmount", amount.to_json()),
        ("refundTime", Value::String(now)),
    ];
    facts.extend(original_facts.into_iter().map(|(k, v)| (k.to_owned(), v)));
    (success(cx, facts), Vec::new())
}

/// The payment's new refunded total if `amount` fits in what is left of it: never for a payment without an
/// amount, in another currency, or for zero.
fn refundable(payment: &PaymentRecord, amount: &Money) -> Option<Money> {
    let paid_amount = payment.amount.as_ref()?;
    if amount.currency != paid_amount.currency {
        return None;
    }
    let paid = Units::parse(&paid_amount.value)?;
    let refunded = Units::parse(&payment.refunded.as_ref()?.value)?;
    let requested = Units::parse(&amount.value)?;
    let left = paid.minus(refunded)?;
    if requested.is_zero() {
        return None;
    }
    left.minus(requested)?;
    Some(Money {
        value: refunded.plus(requested)?.format(paid.scale()),
        currency: paid_amount.currency.clone(),
    })
}

/// An amount as a reason names it: `10000.00 IDR`, or `no amount`.
fn written(money: Option<&Money>) -> String {
    money.map_or_else(|| "no amount".to_owned(), |m| format!("{} {}", m.value, m.currency))
}

fn status(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
    let payment = match original(cx, books) {
        Ok(payment) => payment,
        Err(answer) => return refused(answer),
    };
    let status = payment.latest_transaction_status.clone();
    let api = &cx.inner.api;
    let mut facts = echo(cx);
    let mut set = |k: &str, v: Value| {
        facts.insert(k.to_owned(), v);
    };
    set(
        "originalPartnerReferenceNo",
        Value::String(payment.partner_reference_no.clone()),
    );
    set("originalReferenceNo", Value::String(payment.reference_no.clone()));
    if let Some(external_id) = &payment.external_id {
        set("originalExternalId", Value::String(external_id.clone()));
    }
    // The service code the request named (DANA's transfer-to-bank status always names `00`), else the
    // payment's own.
    let service_code = text(cx.body, "serviceCode").map_or_else(|| payment.service_code.clone(), str::to_owned);
    set("serviceCode", Value::String(service_code));
    if let Some(name) = cx.inner.machine().name(&status) {
        set("transactionStatusDesc", Value::from(name));
    }
    set("latestTransactionStatus", Value::String(status.code().to_owned()));
    let original_code = &payment.original_response_code;
    set("originalResponseCode", Value::String(original_code.clone()));
    // What the payment's own answer said: its code's published message.
    if let Some(message) = published_message(api, original_code) {
        set("originalResponseMessage", Value::from(message));
    }
    if let Some(paid) = &payment.paid_time {
        set("paidTime", Value::String(paid.clone()));
    }
    // A payment without an amount reports none, and no fee on it either.
    if let Some(amount) = &payment.amount {
        set("transAmount", amount.to_json());
        set("amount", amount.to_json());
        set("feeAmount", amount.zero_like().to_json());
    }
    (success(cx, facts), Vec::new())
}

fn cancel(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
    let call = cx.call;
    let payment = match original(cx, books) {
        Ok(payment) => payment,
        Err(answer) => return refused(answer),
    };
    let machine = cx.inner.machine();
    let Some(cancelled) = machine.after(Action::Cancel, &payment.latest_transaction_status) else {
        return refused(not_allowed(call, machine, Action::Cancel, payment));
    };
    let now = call.clock.now();
    payment.latest_transaction_status = cancelled;
    payment.finished_time = Some(now.clone());
    let mut facts = echo(cx);
    facts.insert(
        "originalPartnerReferenceNo".into(),
        Value::String(payment.partner_reference_no.clone()),
    );
    facts.insert(
        "originalReferenceNo".into(),
        Value::String(payment.reference_no.clone()),
    );
    facts.insert("cancelTime".into(), Value::String(now));
    let effects = vec![Effect::Notify(Box::new(notice(payment)))];
    (success(cx, facts), effects)
}

/// The refusal of an action the standard's table does not allow from the payment's status.
fn not_allowed(call: &Call<'_>, machine: Machine<'_>, action: Action, payment: &PaymentRecord) -> Answer {
    let answer = call.answer(Situation::InvalidTransactionStatus, Fill::default());
    answer.because(format!(
        "the payment is {}; the standard's transaction_status allows {action:?} only from {}",
        machine.describe(&payment.latest_transaction_status),
        machine.allowed_from(action).join(", ")
    ))
}

fn other(cx: &Cx<'_, '_>) -> Outcome {
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

/// The wire path (one name per level) of the first response field named `wire`, looking into objects.
fn response_path(api: &Api, fields: &[Field], wire: &str, depth: usize) -> Option<Vec<String>> {
    fields.iter().find_map(|field| {
        if field.wire == wire {
            return Some(vec![field.wire.clone()]);
        }
        let inner = match &field.ty {
            FieldType::Object(inner) => inner.as_slice(),
            FieldType::Named(name) => api.shared_type(name)?.fields.as_slice(),
            _ => return None,
        };
        let mut path = response_path(api, inner, wire, depth + 1).filter(|_| depth < 8)?;
        path.insert(0, field.wire.clone());
        Some(path)
    })
}

// ----- records ------------------------------------------------------------------------------------

/// The provider's kind of record the endpoint acts on, if it names one.
fn record_kind<'c>(cx: &Cx<'c, '_>) -> Option<&'c RecordKind> {
    let name = cx.call.endpoint.record.as_deref()?;
    cx.inner.api.provider(&cx.call.endpoint.provider)?.record(name)
}

/// The record's id in the books (client, provider, kind, key values) and its key fields; the refusal for a
/// request that lacks one (the sandbox does not make up a number the provider would generate).
fn record_id(cx: &Cx<'_, '_>, kind: &RecordKind) -> Result<(String, Map<String, Value>), Answer> {
    record_key(cx.client, &cx.call.endpoint.provider, kind, cx.body).map_err(|path| {
        let answer = cx.call.answer(Situation::MissingField, Fill::field(path));
        answer.because(format!(
            "the sandbox keeps `{}` records by {} and does not make up missing key values; this request has no \
             {path}",
            kind.name,
            kind.key.join(" + ")
        ))
    })
}

/// The books' id of the `kind` record of `client` that `body` names, with its key values; `Err` names the
/// first key path `body` lacks.
pub(crate) fn record_key<'k>(
    client: &str,
    provider: &str,
    kind: &'k RecordKind,
    body: &Value,
) -> Result<(String, Map<String, Value>), &'k str> {
    let mut id = format!("{client}\u{1f}{provider}\u{1f}{}", kind.name);
    let mut key = Map::new();
    for path in &kind.key {
        match at_path(body, path) {
            Some(value) if !value.is_null() => {
                id.push('\u{1f}');
                id.push_str(&value.to_string());
                key.insert(path.clone(), value.clone());
            }
            _ => return Err(path),
        }
    }
    Ok((id, key))
}

/// The kind's not-found answer (`404xx` + `not_found`, or the kind's own HTTP status).
fn no_record(cx: &Cx<'_, '_>, kind: &RecordKind, why: String) -> Answer {
    let fill = Fill {
        field: kind.key.first().map(String::as_str),
        reason: Some("Not Found"),
    };
    cx.call
        .answer_case(kind.not_found_http, &kind.not_found, fill)
        .because(why)
}

/// The record this call names: it exists for this client, and every `match` field the request carries
/// equals the record's.
fn existing<'b>(cx: &Cx<'_, '_>, kind: &RecordKind, books: &'b Books) -> Result<(String, &'b Record), Answer> {
    let (id, _) = record_id(cx, kind)?;
    let Some(record) = books.record(&id) else {
        let why = format!(
            "this client has no `{}` record with this {}",
            kind.name,
            kind.key.join(" + ")
        );
        return Err(no_record(cx, kind, why));
    };
    for path in &kind.match_fields {
        if let Some(sent) = at_path(cx.body, path)
            && at_path(&record.fields, path) != Some(sent)
        {
            let why = format!("the `{}` record with this key has another {path}", kind.name);
            return Err(no_record(cx, kind, why));
        }
    }
    Ok((id, record))
}

/// The answer facts a record holds for `fields`: each field the record has under the same wire name and,
/// for an object it does not hold whole (`virtualAccountData`), that object built the same way from its
/// fields. Lists are not looked into.
fn record_facts(api: &Api, fields: &[Field], record: &Value, depth: usize) -> Map<String, Value> {
    let mut facts = Map::new();
    for field in fields {
        if let Some(value) = record.get(&field.wire) {
            facts.insert(field.wire.clone(), value.clone());
            continue;
        }
        let inner = match &field.ty {
            FieldType::Object(inner) => Some(inner.as_slice()),
            FieldType::Named(name) => api.shared_type(name).map(|t| t.fields.as_slice()),
            _ => None,
        };
        if let Some(inner) = inner.filter(|_| depth < 8) {
            let nested = record_facts(api, inner, record, depth + 1);
            if !nested.is_empty() {
                facts.insert(field.wire.clone(), Value::Object(nested));
            }
        }
    }
    facts
}

/// A successful answer from a record's fields, over the request's own fields the response echoes
/// (`partnerReferenceNo`, `amount`): the record's win.
fn record_answer(cx: &Cx<'_, '_>, record: &Value) -> Answer {
    let mut facts = echo(cx);
    facts.extend(record_facts(&cx.inner.api, &cx.call.endpoint.response, record, 0));
    success(cx, facts)
}

fn create(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let call = cx.call;
    let (id, key) = match record_id(cx, kind) {
        Ok(found) => found,
        Err(answer) => return refused(answer),
    };
    if books.record(&id).is_some() {
        let answer = call.answer(Situation::DuplicateReference, Fill::default());
        return refused(answer.because(format!(
            "this client already has a `{}` record with this {}",
            kind.name,
            kind.key.join(" + ")
        )));
    }
    let record = Record {
        client_id: cx.client.to_owned(),
        provider: call.provider.name.clone(),
        kind: kind.name.clone(),
        key,
        fields: cx.body.clone(),
        created_by: call.endpoint.id.clone(),
        created_time: call.clock.now(),
        updated_time: None,
        remembered: cx.idempotency.map(str::to_owned),
    };
    let answer = record_answer(cx, &record.fields);
    books.add_record(id, record);
    (answer, Vec::new())
}

fn update(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let id = match existing(cx, kind, books) {
        Ok((id, _)) => id,
        Err(answer) => return refused(answer),
    };
    let Some(record) = books.record_mut(&id) else {
        return refused(no_record(cx, kind, "the record is gone".into()));
    };
    if let (Some(fields), Some(changes)) = (record.fields.as_object_mut(), cx.body.as_object()) {
        for (name, value) in changes {
            fields.insert(name.clone(), value.clone());
        }
    }
    record.updated_time = Some(cx.call.clock.now());
    (record_answer(cx, &record.fields), Vec::new())
}

fn delete(cx: &Cx<'_, '_>, kind: &RecordKind, books: &mut Books) -> Outcome {
    let id = match existing(cx, kind, books) {
        Ok((id, _)) => id,
        Err(answer) => return refused(answer),
    };
    match books.remove_record(&id) {
        Some(record) => (record_answer(cx, &record.fields), Vec::new()),
        None => refused(no_record(cx, kind, "the record is gone".into())),
    }
}

fn record_status(cx: &Cx<'_, '_>, kind: &RecordKind, books: &Books) -> Outcome {
    match existing(cx, kind, books) {
        Ok((_, record)) => (record_answer(cx, &record.fields), Vec::new()),
        Err(answer) => refused(answer),
    }
}

/// The notification of a payment's current state.
fn notice(payment: &PaymentRecord) -> Notice {
    Notice {
        provider: payment.provider.clone(),
        client_id: payment.client_id.clone(),
        url: payment.notify_url.clone(),
        facts: PaymentFacts {
            partner_reference_no: payment.partner_reference_no.clone(),
            reference_no: payment.reference_no.clone(),
            external_id: payment.external_id.clone(),
            amount_value: payment.amount.as_ref().map(|m| m.value.clone()),
            currency: payment.amount.as_ref().map(|m| m.currency.clone()).unwrap_or_default(),
            latest_transaction_status: payment.latest_transaction_status.code().to_owned(),
            merchant_id: payment.merchant_id.clone(),
            created: payment.created_time.clone(),
            finished: payment.finished_time.clone().unwrap_or_default(),
        },
    }
}

/// Pays the payments named `partner_reference_no` that the standard's table lets be paid (initiated ones); see
/// `Sandbox::complete_payment`. Answers one that is paid now or was before, else the first, which cannot be.
pub(crate) fn complete(
    inner: &Inner,
    partner_reference_no: &str,
) -> Result<(PaymentRecord, Vec<Effect>), SandboxError> {
    let machine = inner.machine();
    let mut books = store::lock(&inner.books);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_urls_and_encoding() {
        let body = json!({"a": {"b": "x"}, "urlParam": [
            {"url": "https://m.example/return", "type": "PAY_RETURN", "isDeepLink": "N"},
            {"url": "https://m.example/notify", "type": "PAY_NOTIFY", "isDeepLink": "N"}
        ]});
        assert_eq!(text(&body, "a.b"), Some("x"));
        assert_eq!(text(&body, "a.c"), None);
        assert_eq!(notify_url(&body).as_deref(), Some("https://m.example/notify"));
        assert_eq!(notify_url(&json!({"urlParam": "x"})), None);
        assert_eq!(encode("INV 1/é"), "INV%201%2F%C3%A9");
    }
}
