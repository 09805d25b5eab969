//! Money and a payment's life: the amount a request names, a payment (paid at once, or later for a jump-app
//! payment, on the sandbox's own pay page), refunds within what is left of it, its status, its cancelling,
//! the standard's table refusing an action from the payment's status, and the notification of its state.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::Value;
use snapbi_spec::ir::{Action, Situation};

use super::customers::{credit, debit};
use super::{Cx, Effect, Notice, Outcome, echo, refused, response_code, success, text};
use crate::answer::{Answer, Fill, published_message};
use crate::call::Call;
use crate::ledger::{Books, Money, PaymentRecord, RefundRecord, Units};
use crate::notify::PaymentFacts;
use crate::payment_status::Machine;

/// The amount in the endpoint's amount field.
fn money(cx: &Cx<'_, '_>) -> Option<Money> {
    let amount = cx.body.get(cx.call.served.money_field.as_deref()?)?;
    Some(Money {
        value: text(amount, "value")?.to_owned(),
        currency: text(amount, "currency")?.to_owned(),
    })
}

/// What a payment answers and keeps that its request alone decides: made before the books' lock is taken, since every
/// other call waits on that lock. A refused payment (a duplicate, an X-EXTERNAL-ID used before, a repeat) leaves its
/// draft unused, and its reference number is never given out.
pub(super) struct Draft<'c> {
    partner: &'c str,
    amount: Option<Money>,
    reference_no: String,
    /// The answer, serialized already: remembering it under the lock then copies no bytes.
    answer: Answer,
    /// When it was asked for.
    now: String,
}

/// The draft of a payment, or the refusal of a request without its key field.
pub(super) fn draft<'c>(cx: &Cx<'c, '_>) -> Result<Draft<'c>, Answer> {
    let (call, inner) = (cx.call, cx.inner);
    let key_field = call
        .endpoint
        .idempotency_keys
        .first()
        .map_or("partnerReferenceNo", String::as_str);
    let Some(partner) = text(cx.body, key_field) else {
        return Err(call.answer(Situation::MissingField, Fill::field(key_field)));
    };
    let reference_no = inner.next_reference(call.clock);
    let mut facts = echo(cx);
    facts.insert("referenceNo".into(), Value::String(reference_no.clone()));
    facts.insert("partnerReferenceNo".into(), Value::String(partner.to_owned()));
    if call.served.jump_app {
        facts.insert("webRedirectUrl".into(), Value::String(pay_page(call, partner)));
    }
    let mut answer = success(cx, facts);
    answer.serialized();
    Ok(Draft {
        partner,
        amount: money(cx),
        reference_no,
        answer,
        now: call.clock.now(),
    })
}

/// A payment: it starts in the standard's initial status, or is paid at once (the table's `pay` from there) unless
/// the customer pays later in the provider's app (a jump-app payment, see `served`). A payment made with a customer
/// token where the endpoint's act is `pay` is taken from that customer's wallet, and so is paid at once.
pub(super) fn pay(cx: &Cx<'_, '_>, books: &mut Books, draft: Result<Draft<'_>, Answer>) -> Outcome {
    let (call, inner) = (cx.call, cx.inner);
    let Draft {
        partner,
        amount,
        reference_no,
        answer,
        now,
    } = match draft {
        Ok(draft) => draft,
        Err(answer) => return refused(answer),
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
    let payer = match debit(cx, amount.as_ref()) {
        Ok(payer) => payer,
        Err(answer) => return refused(answer),
    };
    let settles_now = !call.served.jump_app || inner.options.auto_complete == Some(Duration::ZERO) || payer.is_some();
    let paid = settles_now.then(|| machine.after(Action::Pay, &initial)).flatten();
    let record = PaymentRecord {
        client_id: cx.client.to_owned(),
        provider: call.provider.name.clone(),
        endpoint: call.endpoint.info.id.to_string(),
        service_code: call.endpoint.info.service_code.to_string(),
        partner_reference_no: partner.to_owned(),
        reference_no,
        external_id: cx.external_id.map(str::to_owned),
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
        payer: payer.map(|holder| holder.phone_no),
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
    let mut url = format!("http://{}/_sandbox/pay/", own_host(call));
    push_encoded(&mut url, partner);
    url
}

/// `http://<host>` of the sandbox as the call reached it (its Host header, when it is a plain host name), for the
/// pages it answers links to.
pub(crate) fn own_base(call: &Call<'_>) -> String {
    format!("http://{}", own_host(call))
}

/// The host of [`own_base`].
fn own_host<'c>(call: &Call<'c>) -> &'c str {
    call.parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b)))
        .unwrap_or("127.0.0.1")
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path segment.
pub(crate) fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_encoded(&mut out, segment);
    out
}

/// [`encode`], written after `out`.
fn push_encoded(out: &mut String, segment: &str) {
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
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

pub(super) fn refund(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
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
    let external_id = cx.external_id.map(str::to_owned);
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
    if let Some(payer) = &payment.payer {
        credit(cx, &payment.provider, payer, &amount);
    }
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

/// What is left of a payment after its refunds.
pub(super) fn unrefunded(payment: &PaymentRecord) -> Option<Money> {
    let paid = payment.amount.as_ref()?;
    let refunded = Units::parse(&payment.refunded.as_ref()?.value)?;
    let left = Units::parse(&paid.value)?.minus(refunded)?;
    Some(Money {
        value: left.format(0),
        currency: paid.currency.clone(),
    })
}

/// An amount as a reason names it: `10000.00 IDR`, or `no amount`.
fn written(money: Option<&Money>) -> String {
    money.map_or_else(|| "no amount".to_owned(), |m| format!("{} {}", m.value, m.currency))
}

pub(super) fn status(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
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

pub(super) fn cancel(cx: &Cx<'_, '_>, books: &mut Books) -> Outcome {
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
    // A paid payment its wallet made is given back whole, but for what its refunds gave back already.
    if let (Some(payer), Some(_)) = (&payment.payer, &payment.paid_time)
        && let Some(left) = unrefunded(payment)
    {
        credit(cx, &payment.provider, payer, &left);
    }
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

/// The notification of a payment's current state.
pub(super) fn notice(payment: &PaymentRecord) -> Notice {
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
