//! A customer's transaction history (`customer: act: history`, DANA's transaction history list): the payments the
//! wallet of the customer a customer token stands for paid, and their refunds, newest first, narrowed by the
//! request's time range, statuses and types and cut into pages, each item filled only from the ledger's facts under
//! the names the endpoint's `history` gives them. A fact the provider names no value for (a status without a name, a
//! refund's status, which the ledger does not keep) is left out of the item, never made up.

use serde_json::{Map, Value};
use snapbi_spec::ir::{CustomerUse, History, Situation};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::customers::{token_customer, usable};
use super::{Cx, Outcome, at_path, echo, refused, success};
use crate::answer::{Answer, Fill};
use crate::answers;
use crate::ledger::{Books, Money, PaymentRecord};
use crate::world::Holder;

/// One transaction as the history lists it, before it is written under the endpoint's names.
struct Entry {
    time: String,
    amount: Option<Money>,
    /// The provider's name of the payment's status; none for a refund or a status it names none for.
    status: Option<String>,
    /// The provider's name of the kind (payment or refund).
    kind: String,
}

/// What the request asks for.
struct Query {
    /// (page size, page number from 1); none: everything.
    page: Option<(usize, usize)>,
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
    statuses: Option<Vec<String>>,
    types: Option<Vec<String>>,
}

/// The history of the customer the call's token stands for.
pub(super) fn history(cx: &Cx<'_, '_>, world: &CustomerUse, books: &Books) -> Outcome {
    let customer = match token_customer(cx, world) {
        Ok(customer) => customer,
        Err(answer) => return refused(answer),
    };
    if let Err(answer) = usable(cx, world, &customer) {
        return refused(answer);
    }
    let Some(spec) = &world.history else {
        // The lowering requires `history` with this act; this keeps the function total.
        let answer = cx.call.answer(Situation::GeneralError, Fill::default());
        return refused(answer.because("the endpoint's `customer` names no `history`"));
    };
    let query = match Query::read(cx, spec) {
        Ok(query) => query,
        Err(answer) => return refused(answer),
    };
    let kept: Vec<Entry> = entries(books, &customer.holder(), spec)
        .into_iter()
        .filter(|entry| query.keeps(entry))
        .collect();
    let page: Vec<Value> = match query.page {
        Some((size, number)) => kept
            .iter()
            .skip(size.saturating_mul(number - 1))
            .take(size)
            .collect::<Vec<_>>(),
        None => kept.iter().collect(),
    }
    .into_iter()
    .map(|entry| item(entry, spec))
    .collect();
    let mut facts = echo(cx);
    answers::set(&mut facts, &spec.list, Value::Array(page));
    let answer = success(cx, facts).because(format!(
        "customer {} has {} transaction(s) the request's filters keep",
        customer.phone_no,
        kept.len()
    ));
    (answer, Vec::new())
}

/// The customer's payments and refunds at the provider, newest first.
fn entries(books: &Books, holder: &Holder, spec: &History) -> Vec<Entry> {
    let mut entries = Vec::new();
    let theirs = |p: &&PaymentRecord| p.provider == holder.provider && p.payer.as_deref() == Some(&holder.phone_no);
    for payment in books.each_payment().filter(theirs) {
        if let Some(kind) = &spec.payment_type {
            let code = payment.latest_transaction_status.code();
            let status = spec
                .status_names
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, n)| n.clone());
            entries.push(Entry {
                time: payment.created_time.clone(),
                amount: payment.amount.clone(),
                status,
                kind: kind.clone(),
            });
        }
        if let Some(kind) = &spec.refund_type {
            entries.extend(payment.refunds.iter().map(|refund| Entry {
                time: refund.refund_time.clone(),
                amount: Some(refund.refund_amount.clone()),
                status: None,
                kind: kind.clone(),
            }));
        }
    }
    // Newest first, as a wallet's history reads; the sandbox's own timestamps, so they compare as instants. Within a
    // second the ledger's order, reversed, is the best guess of newest first.
    entries.reverse();
    entries.sort_by_key(|entry| std::cmp::Reverse(instant(&entry.time)));
    entries
}

/// An entry under the endpoint's item names.
fn item(entry: &Entry, spec: &History) -> Value {
    let mut item = Map::new();
    let names = &spec.item;
    let facts = [
        (&names.time, Some(Value::String(entry.time.clone()))),
        (&names.amount, entry.amount.as_ref().map(Money::to_json)),
        (&names.status, entry.status.clone().map(Value::String)),
        (&names.kind, Some(Value::String(entry.kind.clone()))),
    ];
    for (name, value) in facts {
        if let (Some(name), Some(value)) = (name, value) {
            answers::set(&mut item, name, value);
        }
    }
    Value::Object(item)
}

impl Query {
    /// The request's page, range and filters; a value that cannot be read is refused as an invalid field.
    fn read(cx: &Cx<'_, '_>, spec: &History) -> Result<Self, Answer> {
        let invalid = |path: &str, why: String| {
            let answer = cx.call.answer(Situation::InvalidField, Fill::field(path));
            answer.because(why)
        };
        let count = |path: &Option<String>| -> Result<Option<usize>, Answer> {
            let Some(path) = path else { return Ok(None) };
            let Some(value) = at_path(cx.body, path) else {
                return Ok(None);
            };
            let number = match value {
                Value::String(s) => s.parse::<usize>().ok(),
                Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
                _ => None,
            };
            match number {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(invalid(
                    path,
                    format!("`{path}` must be a whole number from 1, not {value}"),
                )),
            }
        };
        let time = |path: &Option<String>| -> Result<Option<OffsetDateTime>, Answer> {
            let Some(path) = path else { return Ok(None) };
            let Some(value) = at_path(cx.body, path).and_then(Value::as_str) else {
                return Ok(None);
            };
            instant(value)
                .map(Some)
                .ok_or_else(|| invalid(path, format!("`{path}` {value:?} is no ISO 8601 time with an offset")))
        };
        let names = |path: &Option<String>| {
            let list = at_path(cx.body, path.as_deref()?)?.as_array()?;
            let names: Vec<String> = list.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            // An empty filter asks for nothing in particular.
            (!names.is_empty()).then_some(names)
        };
        let size = count(&spec.page_size)?;
        let number = count(&spec.page_number)?;
        Ok(Self {
            page: size.map(|size| (size, number.unwrap_or(1))),
            from: time(&spec.from)?,
            to: time(&spec.to)?,
            statuses: names(&spec.statuses),
            types: names(&spec.types),
        })
    }

    /// Whether the entry is in the range and passes the filters (a status filter passes no entry without a status).
    fn keeps(&self, entry: &Entry) -> bool {
        let at = instant(&entry.time);
        let in_range = match at {
            Some(at) => self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at <= to),
            None => self.from.is_none() && self.to.is_none(),
        };
        let named = |filter: &Option<Vec<String>>, name: Option<&String>| {
            filter
                .as_ref()
                .is_none_or(|names| name.is_some_and(|n| names.contains(n)))
        };
        in_range && named(&self.statuses, entry.status.as_ref()) && named(&self.types, Some(&entry.kind))
    }
}

/// An ISO 8601 time with its offset (`2030-05-01T00:00:00+07:00`, `…Z`).
fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_any_offset_compare_as_instants() {
        let jakarta = instant("2030-05-01T07:00:00+07:00");
        let utc = instant("2030-05-01T00:00:00Z");
        assert!(jakarta.is_some());
        assert_eq!(jakarta, utc);
        assert_eq!(instant("2030-05-01"), None);
    }
}
