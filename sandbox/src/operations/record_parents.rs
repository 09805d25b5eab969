//! A create whose record belongs to a record of another kind (`record_of`: WooshPay's refund, of a PaymentIntent).
//! Before the record is made, the one it belongs to must exist for the same client, named by the request's values of
//! one of its kind's keys, and report one of the `from` values; with `once`, it has no record of the create's kind
//! yet; the request's numbers named in `at_most` do not exceed its own; and what `takes` names is filled from it where
//! the request gives nothing (a refund without `amount` refunds the whole payment, in the payment's currency).

use serde_json::{Map, Value};
use snapbi_spec::ir::{Api, Endpoint, RecordKind, RecordOf};

use super::at_path;
use super::records::{KeyMiss, RecordCall, Refusal, named_id, reported_value, status_endpoints};
use crate::answers;
use crate::ledger::{Books, Record};

/// What a create's `record_of` names, resolved against the provider: the rule, the kind it names and that kind's
/// status endpoint (what one of its records reports where it holds nothing).
pub(crate) struct Parent<'a> {
    rule: &'a RecordOf,
    kind: &'a RecordKind,
    reports: Option<&'a Endpoint>,
}

/// The record `endpoint`'s creates belong to, when it names one (lowering: the kind exists).
pub(crate) fn parent_of<'a>(api: &'a Api, endpoint: &'a Endpoint) -> Option<Parent<'a>> {
    let rule = endpoint.record_of.as_ref()?;
    let provider = &endpoint.info.provider;
    Some(Parent {
        rule,
        kind: api.provider(provider)?.record(&rule.kind)?,
        reports: status_endpoints(api, provider, &rule.kind).next(),
    })
}

impl RecordCall<'_> {
    /// Checks the record this create belongs to, if any, and fills `fields` from it; see the module doc.
    pub(super) fn belongs(&self, books: &Books, fields: &mut Map<String, Value>) -> Result<(), Refusal> {
        let Some(parent) = &self.parent else { return Ok(()) };
        let owner = self.owner(parent, books)?;
        self.reports_allowed(parent, owner)?;
        if parent.rule.once && self.has_sibling(parent, books) {
            return Err(Refusal::State(format!(
                "the `{}` record has a `{}` record already, and takes one only",
                parent.kind.name, self.kind.name
            )));
        }
        self.within(parent, owner)?;
        for (path, from) in &parent.rule.takes {
            if let Some(value) = at_path(&owner.fields, from).filter(|_| !holds(fields, path)) {
                answers::set(fields, path, value.clone());
            }
        }
        Ok(())
    }

    /// The record the request names by the rule's key: this client's, else not found.
    fn owner<'b>(&self, parent: &Parent<'_>, books: &'b Books) -> Result<&'b Record, Refusal> {
        let provider = &self.endpoint.info.provider;
        let id = match named_id(self.client, provider, parent.kind, &parent.rule.key, self.body) {
            Ok(id) => id,
            Err(KeyMiss::NoKey) => {
                return Err(Refusal::NotFound(
                    "the request names no key of the record it belongs to".into(),
                ));
            }
            Err(KeyMiss::Missing(from)) => {
                let why = format!(
                    "a `{}` record belongs to a `{}` record, named by {from}, which this request lacks",
                    self.kind.name, parent.kind.name
                );
                return Err(Refusal::Missing(from.to_owned(), why));
            }
        };
        books
            .record(&id)
            .ok_or_else(|| Refusal::NotFound(format!("this client has no `{}` record named so", parent.kind.name)))
    }

    /// The record reports, at each `from` path, one of the values listed there.
    fn reports_allowed(&self, parent: &Parent<'_>, owner: &Record) -> Result<(), Refusal> {
        for (path, allowed) in &parent.rule.from {
            let Some(now) = reported_value(parent.reports, &owner.fields, path) else {
                continue;
            };
            if !allowed.iter().any(|a| a == now) {
                return Err(Refusal::State(format!(
                    "the `{}` record's {path} is `{now}`; a `{}` record is made for one that is {} only",
                    parent.kind.name,
                    self.kind.name,
                    allowed.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Whether a record of the create's kind, of this client, already names the same record by the same values.
    fn has_sibling(&self, parent: &Parent<'_>, books: &Books) -> bool {
        let provider = &self.endpoint.info.provider;
        books.each_record().any(|r| {
            r.client_id == self.client
                && r.provider == provider.as_ref()
                && r.kind == self.kind.name
                && parent.rule.key.iter().all(|(_, from)| {
                    at_path(&r.fields, from).is_some() && at_path(&r.fields, from) == at_path(self.body, from)
                })
        })
    }

    /// Each number `at_most` bounds is at most the record's number at its path.
    fn within(&self, parent: &Parent<'_>, owner: &Record) -> Result<(), Refusal> {
        for (from, limit) in &parent.rule.at_most {
            let asked = at_path(self.body, from).and_then(Value::as_f64);
            let most = at_path(&owner.fields, limit).and_then(Value::as_f64);
            if let (Some(asked), Some(most)) = (asked, most)
                && asked > most
            {
                return Err(Refusal::State(format!(
                    "{from} {asked} is more than the `{}` record's {limit}, {most}",
                    parent.kind.name
                )));
            }
        }
        Ok(())
    }
}

/// Whether `fields` hold a value other than `null` at the dotted `path`.
fn holds(fields: &Map<String, Value>, path: &str) -> bool {
    match path.split_once('.') {
        None => fields.get(path).is_some_and(|v| !v.is_null()),
        Some((head, rest)) => fields
            .get(head)
            .and_then(Value::as_object)
            .is_some_and(|inner| holds(inner, rest)),
    }
}
