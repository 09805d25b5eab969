//! A tester pays a record, as a customer pays a virtual account at the bank: the record then holds what a paid
//! record holds, its status reports it paid, and the provider's notification of the payment goes to the merchant.
//!
//! All of it is spec data (specs/README.md, "Records"), so no provider or endpoint is named here:
//!
//! - the kind's `status` endpoints say with `paid` which response fields report a paid record, and with what value
//!   (DOKU: `paymentFlagStatus` `00`);
//! - the inbound endpoints with `operation: notify` and the kind's `record` are the notifications of its payment
//!   (DOKU: `doku.va.payment_notify`); their request fields are also what a payment may hold;
//! - the payment itself (the paid amount, the bank's ids) comes from the tester under those wire names. The sandbox
//!   makes none of it up: a field neither the record nor the payment holds stays out of the notification.
//!
//! Paying checks everything before it changes anything: the record exists (the kind's key, and the `match`
//! fields the payment carries, as a provider call would name it), it is not paid yet, and each notification built
//! from the paid record is valid for its endpoint's request spec (a payment without a required `paidAmount` is
//! refused). Then the record is written and the notifications are left to send, each to the record's PAY_NOTIFY
//! `urlParam` or else the sandbox's notify URL, signed and retried like a payment's.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use snapbi_spec::ir::{AnswerSource, Api, Endpoint, Outcome, RecordKind};

use crate::answers;
use crate::ledger::{Books, Record};
use crate::notify::{record_notification_body, record_notify_endpoints};
use crate::operations::{Effect, Outgoing, at_path, notify_url, record_key, reported, status_endpoints};
use crate::sandbox::{Inner, SandboxError};

use crate::validate;

/// Pays the `kind` record of `provider` that `payment` names; see the module doc. Returns the paid records (one per
/// client that has one under this key) and the notifications to send once the books are unlocked.
pub(crate) fn pay(
    inner: &Inner,
    provider: &str,
    kind: &str,
    payment: &Value,
) -> Result<(Vec<Record>, Vec<Effect>), SandboxError> {
    let api = &inner.api;
    let Some(kind) = api.provider(provider).and_then(|p| p.record(kind)) else {
        return Err(SandboxError::Record(format!(
            "{provider} declares no record kind `{kind}`"
        )));
    };
    let paid = paid_values(api, provider, &kind.name);
    if paid.is_empty() {
        return Err(SandboxError::Record(format!(
            "no status endpoint of {provider}'s `{}` records says what a paid one holds (`paid`), so they cannot be paid",
            kind.name
        )));
    }
    check_names(api, provider, kind, payment)?;
    let mut books = inner.books();
    let mut changes = Vec::new();
    for id in named(inner, &books, provider, kind, payment)? {
        let Some(record) = books.record(&id) else { continue };
        if is_paid(&record.fields, &paid) {
            return Err(SandboxError::AlreadyPaid(format!(
                "the `{}` record with this {} is paid already; nothing was sent again",
                kind.name,
                kind.key.join(" + ")
            )));
        }
        if let Some(status) = ended(api, provider, &kind.name, &record.fields) {
            return Err(SandboxError::AlreadyPaid(format!(
                "the `{}` record with this {} is {status}, which it cannot be paid from; nothing was sent",
                kind.name,
                kind.key.join(" + ")
            )));
        }
        let fields = paid_fields(&record.fields, payment, &paid);
        let notifications = notifications(inner, &Owner::of(record), &fields, &[])?;
        changes.push((id, fields, notifications));
    }
    let now = inner.clock(provider).now();
    let mut records = Vec::new();
    let mut effects = Vec::new();
    for (id, fields, notifications) in changes {
        if let Some(record) = books.record_mut(&id) {
            record.fields = fields;
            record.updated_time = Some(now.clone());
            records.push(record.clone());
        }
        effects.extend(notifications.into_iter().map(|n| Effect::Send(Box::new(n))));
    }
    Ok((records, effects))
}

/// What the kind's status endpoints report for a paid record (their `paid`), in spec order.
fn paid_values(api: &Api, provider: &str, kind: &str) -> Vec<(String, Option<String>)> {
    status_endpoints(api, provider, kind)
        .flat_map(|e| e.paid.iter().cloned())
        .collect()
}

/// Refuses a payment that is not an object, or that holds a field no notification of the kind declares (other
/// than the key and `match` fields), so that a misspelt field is not kept silently.
fn check_names(api: &Api, provider: &str, kind: &RecordKind, payment: &Value) -> Result<(), SandboxError> {
    let Some(fields) = payment.as_object() else {
        return Err(SandboxError::Record("the payment must be a JSON object".into()));
    };
    let head = |path: &String| path.split('.').next().unwrap_or_default().to_owned();
    let mut known: BTreeSet<String> = kind.key.iter().chain(&kind.match_fields).map(head).collect();
    for endpoint in record_notify_endpoints(api, provider, &kind.name) {
        known.extend(endpoint.request.iter().map(|f| f.wire.clone()));
    }
    match fields.keys().find(|name| !known.contains(*name)) {
        None => Ok(()),
        Some(name) => Err(SandboxError::Record(format!(
            "`{name}` is not a field of a `{}` payment; known: {}",
            kind.name,
            known.into_iter().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The books' ids of the `kind` records the payment names, over every client (sorted, so the answer lists them in
/// one order): the key's values, and every `match` field the payment carries equal to the record's.
fn named(
    inner: &Inner,
    books: &Books,
    provider: &str,
    kind: &RecordKind,
    payment: &Value,
) -> Result<Vec<String>, SandboxError> {
    let mut clients: Vec<&String> = inner.clients.keys().collect();
    clients.sort();
    let mut ids = Vec::new();
    for client in clients {
        let (id, _) = record_key(client, provider, kind, payment).map_err(|path| {
            SandboxError::Record(format!(
                "`{}` records are keyed by {}; the payment has no {path}",
                kind.name,
                kind.key.join(" + ")
            ))
        })?;
        let Some(record) = books.record(&id) else { continue };
        let matches = kind.match_fields.iter().all(|path| match at_path(payment, path) {
            None => true,
            Some(sent) => at_path(&record.fields, path) == Some(sent),
        });
        if matches {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(SandboxError::RecordNotFound(format!(
            "no `{}` record with this {}{}",
            kind.name,
            kind.key.join(" + "),
            match kind.match_fields.is_empty() {
                true => String::new(),
                false => format!(" and {}", kind.match_fields.join(" + ")),
            }
        )));
    }
    Ok(ids)
}

/// The status a record holds that ends it without payment, if it does: a value at a status endpoint's `status_field`
/// that the endpoint declares with a failed outcome (a canceled WooshPay PaymentIntent).
fn ended(api: &Api, provider: &str, kind: &str, fields: &Value) -> Option<String> {
    status_endpoints(api, provider, kind).find_map(|e| {
        let path: Vec<&str> = e.info.status_field.as_ref()?.iter().map(|s| &**s).collect();
        let held = at_path(fields, &path.join("."))?.as_str()?;
        let code = e.codes.iter().find(|c| c.code == held)?;
        (code.outcome == Outcome::Failed).then(|| held.to_owned())
    })
}

/// Whether the record holds every value that reports it paid, each at its name (a dotted name is a path:
/// `transaction.status`). A field a paid record no longer holds says nothing: an unpaid one may lack it too.
fn is_paid(fields: &Value, paid: &[(String, Option<String>)]) -> bool {
    paid.iter()
        .filter_map(|(name, value)| Some((name, value.as_deref()?)))
        .all(|(name, value)| at_path(fields, name).and_then(Value::as_str) == Some(value))
}

/// The record's fields once paid: the payment written over them (objects member by member, so a payment's
/// `additionalInfo.senderName` joins the record's `additionalInfo.channel`), then the `paid` values, each at its
/// name (`paymentFlagStatus` at the top, `transaction.status` inside `transaction`), a `null` one as `null`.
fn paid_fields(record: &Value, payment: &Value, paid: &[(String, Option<String>)]) -> Value {
    let mut fields = record.clone();
    answers::merge(&mut fields, payment);
    if let Some(map) = fields.as_object_mut() {
        for (name, value) in paid {
            match value {
                Some(value) => answers::set(map, name, Value::String(value.clone())),
                // Held as `null`, so that it wins over a value the provider documents for the kind in general.
                None => answers::set(map, name, Value::Null),
            }
        }
    }
    fields
}

/// Whose record a notification is about: its provider, kind and client.
pub(crate) struct Owner<'a> {
    pub(crate) provider: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) client: &'a str,
}

impl<'a> Owner<'a> {
    fn of(record: &'a Record) -> Self {
        Self {
            provider: &record.provider,
            kind: &record.kind,
            client: &record.client_id,
        }
    }
}

/// The notifications of `owner`'s record now holding `fields` (paid, or changed by an update that `notifies`), with
/// `sets` written over what their answers fill; each valid for its endpoint's request spec (else an error naming
/// what is wrong, and nothing is sent).
pub(crate) fn notifications(
    inner: &Inner,
    owner: &Owner<'_>,
    fields: &Value,
    sets: &[(String, String)],
) -> Result<Vec<Outgoing>, SandboxError> {
    let api = &inner.api;
    let configured = inner.options.notify_url.as_deref();
    let url = record_notify_url(api, owner, fields, configured)
        .or_else(|| notify_url(fields))
        .or_else(|| configured.map(str::to_owned));
    record_notify_endpoints(api, owner.provider, owner.kind)
        .map(|endpoint| {
            let mut answered = provider_filled(inner, endpoint, owner, fields);
            for (path, value) in sets {
                answers::set(&mut answered, path, Value::String(value.clone()));
            }
            let body = record_notification_body(api, endpoint, fields, &answered);
            let violations = validate::request(api, endpoint, &body);
            if !violations.is_empty() {
                let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
                return Err(SandboxError::Record(format!(
                    "the record would make an invalid {} notification: {}",
                    endpoint.info.id,
                    list.join("; ")
                )));
            }
            Ok(Outgoing {
                provider: owner.provider.to_owned(),
                client_id: owner.client.to_owned(),
                url: url.clone(),
                auth: endpoint.info.auth,
                body,
            })
        })
        .collect()
}

/// The URL the record names for its notifications (its kind's `notify_url`), when it names one that may be used: with
/// `same_path`, only one whose path is the configured notification URL's (DOKU: "Override URL path must be the same
/// as the configured Notification URL path", else the configured URL is used).
fn record_notify_url(api: &Api, owner: &Owner<'_>, fields: &Value, configured: Option<&str>) -> Option<String> {
    let kind = api.provider(owner.provider)?.record(owner.kind)?;
    let rule = kind.notify_url.as_ref()?;
    let named = at_path(fields, &rule.field)?.as_str()?;
    let path = |url: &str| reqwest::Url::parse(url).ok().map(|u| u.path().to_owned());
    match rule.same_path {
        false => Some(named.to_owned()),
        true => (path(named)? == path(configured?)?).then(|| named.to_owned()),
    }
}

/// What the provider fills in its notification about the paid record (the endpoint's `answers`): values it issues
/// (WooshPay's `evt_` id) or documents (`type`), and the record whole as its kind's status endpoint answers it.
fn provider_filled(inner: &Inner, endpoint: &Endpoint, owner: &Owner<'_>, fields: &Value) -> Map<String, Value> {
    let api = &inner.api;
    let mut filled = Map::new();
    answers::fill(&endpoint.answers, fields, &mut filled, &mut |field| {
        answers::issued_value(api, &endpoint.request, field, &mut || inner.issue_value())
    });
    let status = status_endpoints(api, owner.provider, owner.kind).next();
    for answer in endpoint.answers.iter().filter(|a| a.source == AnswerSource::Record) {
        if let Some(status) = status {
            answers::set(&mut filled, &answer.field, reported(api, status, fields));
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_payment_is_written_over_the_record_then_the_paid_values() {
        let record = json!({"trxId": "INV-1", "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA"}});
        let payment = json!({
            "paidAmount": {"value": "10.00", "currency": "IDR"},
            "additionalInfo": {"senderName": "Toru"},
            "paymentFlagStatus": "01",
        });
        let paid = [("paymentFlagStatus".to_owned(), Some("00".to_owned()))];
        let fields = paid_fields(&record, &payment, &paid);
        assert_eq!(
            fields,
            json!({
                "trxId": "INV-1",
                "additionalInfo": {"channel": "VIRTUAL_ACCOUNT_BCA", "senderName": "Toru"},
                "paidAmount": {"value": "10.00", "currency": "IDR"},
                "paymentFlagStatus": "00",
            })
        );
        assert!(is_paid(&fields, &paid));
        assert!(!is_paid(&record, &paid));
    }

    #[test]
    fn a_null_paid_value_empties_the_field_and_does_not_decide_paid() {
        let record = json!({"status": "requires_action", "next_action": {"type": "redirect_to_url"}});
        let paid = [
            ("status".to_owned(), Some("succeeded".to_owned())),
            ("next_action".to_owned(), None),
        ];
        let fields = paid_fields(&record, &json!({}), &paid);
        assert_eq!(fields, json!({"status": "succeeded", "next_action": null}));
        assert!(is_paid(&fields, &paid));
        assert!(!is_paid(&record, &paid));
    }
}
