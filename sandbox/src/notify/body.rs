//! Notification bodies, built from the specs: a payment's is built field by field from the provider's inbound
//! payment notification endpoint (`operation: notify` without a `record`, e.g. `doku.direct_debit.notify`), in the
//! spec's key order and with only the fields the spec declares, `transactionStatusDesc` being the status value's
//! name in the standard's data ([`notification_body`]); a paid record's, from the inbound endpoints that name its
//! kind with `operation: notify` (`doku.va.payment_notify`), filled from the record under the same wire names
//! ([`record_notify_endpoints`], [`record_notification_body`]).

use serde_json::{Map, Value};
use snapbi_spec::ir::{Api, Direction, Endpoint, FieldType};

use crate::shape::{FreeForm, declared};

/// What the sandbox knows about a finished payment, enough to fill the notification body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The merchant's `partnerReferenceNo` of the payment (`originalPartnerReferenceNo`).
    pub partner_reference_no: String,
    /// The provider's `referenceNo` of the payment (`originalReferenceNo`).
    pub reference_no: String,
    /// X-EXTERNAL-ID of the payment request (`originalExternalId`).
    pub external_id: Option<String>,
    /// Amount paid, e.g. `10000.00` (`amount.value`); `None` when the payment named none, and then the
    /// notification has no `amount`: nothing is made up.
    pub amount_value: Option<String>,
    /// ISO 4217 currency, e.g. `IDR` (`amount.currency`).
    pub currency: String,
    /// `latestTransactionStatus`: a value of the standard's table (`common/standard.yaml`, snap-standard §4.3).
    pub latest_transaction_status: String,
    /// `merchantId`, when the payment named one.
    pub merchant_id: Option<String>,
    /// When the payment was created (`createdTime`), e.g. `2024-07-10T11:57:58+07:00`.
    pub created: String,
    /// When the payment reached its final state (`finishedTime`).
    pub finished: String,
}

/// The payment notification endpoint of `provider`: inbound, `operation: notify` and no `record`
/// ([`Api::payment_notification`]), found by that and not by its service code.
pub fn notify_endpoint<'a>(api: &'a Api, provider: &str) -> Option<&'a Endpoint> {
    api.payment_notification(provider)
}

/// The inbound endpoints that tell the merchant about a `kind` record of `provider`: `operation: notify` with `record:
/// kind`, of a paid one (DOKU's `doku.va.payment_notify` for `virtual_account`), or `carries` it, of an updated one
/// (WooshPay's webhook for a Checkout Session expired), in id order.
pub fn record_notify_endpoints<'a>(
    api: &'a Api,
    provider: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a Endpoint> {
    api.endpoints
        .iter()
        .filter(move |e| e.direction == Direction::Inbound && e.notifies_records_of(provider, kind))
}

/// The body of `endpoint`'s notification about a paid record: each request field of the spec, in its order, that
/// the provider fills itself (`answered`, by the endpoint's `answers`: WooshPay's event id, type and object) or else
/// `record` holds under the same wire name, cut to what the spec declares (an object keeps its declared members, a
/// list its items so cut, a free-form `json` field its whole value). A field neither gives is left out: nothing is
/// made up.
pub fn record_notification_body(
    api: &Api,
    endpoint: &Endpoint,
    record: &Value,
    answered: &Map<String, Value>,
) -> Value {
    let mut body = Map::new();
    for field in &endpoint.request {
        if let Some(value) = answered
            .get(&field.wire)
            .or_else(|| record.get(&field.wire))
            .and_then(|v| declared(api, &field.ty, v, FreeForm::Keep))
        {
            body.insert(field.wire.clone(), value);
        }
    }
    Value::Object(body)
}

/// The body of `provider`'s payment notification for `payment`.
///
/// Walks the request fields of the provider's inbound notification endpoint ([`notify_endpoint`]) in spec
/// order and fills each one the facts know: the result has the spec's key order and only fields the spec
/// declares. Optional fields without a value (an absent or empty fact, `subMerchantId`, `additionalInfo`)
/// are left out. `transactionStatusDesc` is the status value's name in the standard's data
/// ([`transaction_status_name`]: `00` → `Success`). A provider without such an endpoint gets an empty object.
pub fn notification_body(api: &Api, provider: &str, payment: &PaymentFacts) -> Value {
    let mut body = Map::new();
    if let Some(endpoint) = notify_endpoint(api, provider) {
        for field in &endpoint.request {
            match fact(api, &field.wire, &field.ty, payment) {
                Some(Value::String(s)) if s.is_empty() && !field.required => {}
                Some(value) => {
                    body.insert(field.wire.clone(), value);
                }
                None => {}
            }
        }
    }
    Value::Object(body)
}

/// The value of the notification field `wire` from the facts, if they know it.
fn fact(api: &Api, wire: &str, ty: &FieldType, p: &PaymentFacts) -> Option<Value> {
    let text = |s: &str| Some(Value::String(s.to_owned()));
    match wire {
        "originalPartnerReferenceNo" => text(&p.partner_reference_no),
        "originalReferenceNo" => text(&p.reference_no),
        "originalExternalId" => p.external_id.as_deref().and_then(text),
        "merchantId" => p.merchant_id.as_deref().and_then(text),
        "amount" => p
            .amount_value
            .as_deref()
            .map(|value| amount(api, ty, value, &p.currency)),
        "latestTransactionStatus" => text(&p.latest_transaction_status),
        "transactionStatusDesc" => transaction_status_name(api, &p.latest_transaction_status).and_then(text),
        "createdTime" => text(&p.created),
        "finishedTime" => text(&p.finished),
        _ => None,
    }
}

/// The amount object, with the keys of the spec's amount type in its order (`value`, `currency`).
fn amount(api: &Api, ty: &FieldType, value: &str, currency: &str) -> Value {
    let fields = match ty {
        FieldType::Named(name) => api.shared_type(name).map(|t| t.fields.as_slice()),
        FieldType::Object(fields) => Some(fields.as_slice()),
        _ => None,
    };
    let mut map = Map::new();
    match fields {
        Some(fields) => {
            for f in fields {
                match f.wire.as_str() {
                    "value" => map.insert(f.wire.clone(), Value::from(value)),
                    "currency" => map.insert(f.wire.clone(), Value::from(currency)),
                    _ => None,
                };
            }
        }
        None => {
            map.insert("value".into(), Value::from(value));
            map.insert("currency".into(), Value::from(currency));
        }
    }
    Value::Object(map)
}

/// The name of a `latestTransactionStatus` value in `api`'s standard data (`transaction_status.values` of
/// `common/standard.yaml`: `00` → `Success`, snap-standard §4.3).
pub fn transaction_status_name<'a>(api: &'a Api, status: &str) -> Option<&'a str> {
    api.standard.transaction_status.value(status).map(|v| &*v.name)
}
