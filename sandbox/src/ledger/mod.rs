//! The sandbox's books: payments with their refunds, records (virtual accounts and other things a provider
//! keeps, see [`Record`]), the X-EXTERNAL-IDs each partner used per day, and the answers remembered for
//! idempotent replays.
//!
//! All of it sits behind one mutex (see `Sandbox`): a payment, its reference index and its remembered answer
//! must change together, and the critical sections are a few map operations, far shorter than the HTTP and
//! signature work around them. Every map is bounded (oldest entries go first), so memory stays flat under
//! a benchmark; the bound is large enough that a test never meets it.
//!
//! With a state file (`persist`) the books also note which entries each commit touched, and write them when the lock
//! is released (`persisted`); without one they note nothing.

use axum::body::Bytes;
use axum::http::HeaderName;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use crate::answer::Answer;
use crate::payment_status::Status;
use crate::store::{BoundedMap, Map};
use persisted::{Touched, Tracker};

mod persisted;

pub(crate) use persisted::BooksGuard;

/// A monetary amount as SNAP writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Decimal string, e.g. `10000.00`.
    pub value: String,
    /// ISO 4217 code, e.g. `IDR`.
    pub currency: String,
}

impl Money {
    /// The amount as a JSON object `{"value": …, "currency": …}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "value": self.value, "currency": self.currency })
    }

    /// Zero in this amount's currency, written with as many fraction digits (`0.00` beside `10000.00`).
    pub(crate) fn zero_like(&self) -> Money {
        let scale = Units::parse(&self.value).map_or(0, Units::scale) as usize;
        let mut value = String::with_capacity(scale + 2);
        value.push('0');
        if scale > 0 {
            value.push('.');
            value.extend(std::iter::repeat_n('0', scale));
        }
        Money {
            value,
            currency: self.currency.clone(),
        }
    }
}

/// One payment the sandbox accepted, as `GET /_sandbox/ledger` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    /// The client (X-PARTNER-ID) that made it.
    pub client_id: String,
    /// Provider name.
    pub provider: String,
    /// Endpoint id of the payment call.
    pub endpoint: String,
    /// Two-digit service code of the payment endpoint (what a status query names as `serviceCode`).
    pub service_code: String,
    /// The merchant's partnerReferenceNo.
    pub partner_reference_no: String,
    /// The sandbox's referenceNo.
    pub reference_no: String,
    /// X-EXTERNAL-ID of the payment request.
    pub external_id: Option<String>,
    /// Amount of the payment; `None` when the request named none (an endpoint without an amount field), which
    /// is left out of every answer and notification rather than made up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// `latestTransactionStatus`: a value of the standard's table (`common/standard.yaml`), moved only by its
    /// transitions (`pay`, `refund`, `cancel`).
    pub latest_transaction_status: Status,
    /// When the payment was created (SNAP timestamp).
    pub created_time: String,
    /// When it reached a final state.
    pub finished_time: Option<String>,
    /// When it was paid.
    pub paid_time: Option<String>,
    /// The response code the payment call was answered with (its successful answer's).
    pub original_response_code: String,
    /// Sum of its refunds, in the payment's currency; `None` for a payment without an amount, which cannot be
    /// refunded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded: Option<Money>,
    /// `merchantId` of the request, when given.
    pub merchant_id: Option<String>,
    /// Where the payment notification goes (urlParam of type PAY_NOTIFY/NOTIFICATION, or the configured
    /// notify URL).
    pub notify_url: Option<String>,
    /// Its refunds, oldest first.
    pub refunds: Vec<RefundRecord>,
    /// The phone number of the simulated customer whose wallet paid it (a payment made with a customer token, see
    /// `world`); its refunds go back to that wallet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
}

/// One refund of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRecord {
    /// The merchant's partnerRefundNo.
    pub partner_refund_no: String,
    /// The sandbox's refundNo.
    pub refund_no: String,
    /// Amount refunded.
    pub refund_amount: Money,
    /// When (SNAP timestamp).
    pub refund_time: String,
    /// X-EXTERNAL-ID of the refund request.
    pub external_id: Option<String>,
}

/// One record the sandbox keeps for a `create` endpoint (a virtual account), as `GET /_sandbox/ledger` shows it.
///
/// Generic: the record kind (provider file, `records:`) says which request fields identify a record; the
/// record holds the create request's body, with the fields of later updates written over it, and answers
/// the response fields of update, delete and status calls that have the same wire names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The client (X-PARTNER-ID) that created it.
    pub client_id: String,
    /// Provider name.
    pub provider: String,
    /// The provider's kind of record, e.g. `virtual_account`.
    pub kind: String,
    /// The identifying fields (the kind's `key`), wire path → value.
    pub key: serde_json::Map<String, Value>,
    /// The request body that created it, with every update's fields written over it.
    pub fields: Value,
    /// Endpoint id of the call that created it.
    pub created_by: String,
    /// When it was created (SNAP timestamp).
    pub created_time: String,
    /// When it was last updated.
    pub updated_time: Option<String>,
    /// The idempotency key whose remembered answer created it, forgotten when the record is deleted so that
    /// the same request creates it again.
    #[serde(skip)]
    pub(crate) remembered: Option<String>,
    /// Its books' ids under the kind's other keys (`alternate_keys`), which find it too.
    #[serde(skip)]
    pub(crate) aliases: Vec<String>,
    /// The token of its page, where its customer pays it (`/_sandbox/pages/<token>`), when its create answers one.
    #[serde(skip)]
    pub(crate) page: Option<String>,
}

impl Record {
    /// Its key in words, for titles and tables: `order.invoice_number INV-1 · …`.
    pub(crate) fn key_text(&self) -> String {
        let parts: Vec<String> = self
            .key
            .iter()
            .map(|(path, value)| {
                format!(
                    "{path} {}",
                    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
                )
            })
            .collect();
        parts.join(" · ")
    }
}

/// A remembered answer for an idempotency key, with a digest of the request it answered. Kept compact (the
/// answer serialized, the request hashed): a benchmark remembers every payment it makes.
#[derive(Debug, Clone)]
pub(crate) struct Remembered {
    /// [`request_digest`] of the request.
    pub(crate) request: [u8; 32],
    status: u16,
    body: Bytes,
    headers: Box<[(HeaderName, String)]>,
}

impl Remembered {
    /// Remembers `answer` (serializing it, which it keeps for sending) as the answer to the request of digest
    /// `request`.
    pub(crate) fn new(request: [u8; 32], answer: &mut Answer) -> Self {
        Self {
            request,
            status: answer.status,
            body: answer.serialized(),
            headers: answer.headers.clone(),
        }
    }

    /// The remembered answer, byte for byte as it was sent.
    pub(crate) fn answer(&self) -> Answer {
        Answer {
            status: self.status,
            body: serde_json::from_slice(&self.body).unwrap_or_default(),
            reason: None,
            headers: self.headers.clone(),
            serialized: Some(Box::new(self.body.clone())),
        }
    }
}

/// SHA-256 of a request: the endpoint it was sent to, then its body's content (with its path parameters), object
/// keys sorted, every item tagged and length-prefixed, so two bodies that differ only in key order or whitespace
/// have the same digest, no two contents collide, and the same body sent to another endpoint is another request.
pub(crate) fn request_digest(endpoint: &str, body: &Value) -> [u8; 32] {
    thread_local! {
        /// The text of the last digest made on this thread, emptied: every keyed call makes one.
        static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Written out whole, then hashed in one go: SHA-256 fed a few bytes at a time was most of the digest's cost.
    let mut text = TEXT.with_borrow_mut(std::mem::take);
    text.clear();
    text.extend_from_slice(&(endpoint.len() as u64).to_le_bytes());
    text.extend_from_slice(endpoint.as_bytes());
    feed(&mut text, body);
    let digest = Sha256::digest(&text).into();
    // An outsized body's text is not kept for the next call.
    if text.capacity() <= 64 * 1024 {
        TEXT.with_borrow_mut(|spare| *spare = text);
    }
    digest
}

fn feed(out: &mut Vec<u8>, value: &Value) {
    let text = |out: &mut Vec<u8>, tag: u8, s: &str| {
        out.push(tag);
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    match value {
        Value::Null => out.push(b'n'),
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Number(n) => text(out, b'#', &n.to_string()),
        Value::String(s) => text(out, b's', s),
        Value::Array(items) => {
            out.push(b'[');
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            items.iter().for_each(|item| feed(out, item));
        }
        Value::Object(map) => {
            out.push(b'{');
            out.extend_from_slice(&(map.len() as u64).to_le_bytes());
            // On the stack for the objects requests hold (a handful of members): this runs for every object of
            // every keyed call.
            let mut entries: SmallVec<[(&String, &Value); 16]> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (key, item) in entries {
                text(out, b'k', key);
                feed(out, item);
            }
        }
    }
}

type PaymentKey = (String, String);

/// A [`PaymentKey`] looked up by its parts: `(&str, &str)` seen as `dyn KeyPair` hashes and compares like the owned
/// pair, so a lookup (every payment asks whether its reference is taken) builds no key.
trait KeyPair {
    fn parts(&self) -> (&str, &str);
}

impl KeyPair for PaymentKey {
    fn parts(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl KeyPair for (&str, &str) {
    fn parts(&self) -> (&str, &str) {
        *self
    }
}

impl<'a> Borrow<dyn KeyPair + 'a> for PaymentKey {
    fn borrow(&self) -> &(dyn KeyPair + 'a) {
        self
    }
}

impl Hash for dyn KeyPair + '_ {
    // A tuple hashes its fields in order, and `String` hashes as `str`: the same as the owned pair.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialEq for dyn KeyPair + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyPair + '_ {}

/// Everything stateful about payments, behind one lock.
#[derive(Debug)]
pub(crate) struct Books {
    payments: BoundedMap<PaymentKey, PaymentRecord>,
    /// (client, referenceNo) → partnerReferenceNo.
    by_reference: Map<PaymentKey, String>,
    remembered: BoundedMap<String, Remembered>,
    /// `client \u{1f} day \u{1f} X-EXTERNAL-ID`.
    external_ids: BoundedMap<String, ()>,
    /// `client \u{1f} provider \u{1f} kind \u{1f} key values…` → the record.
    records: BoundedMap<String, Record>,
    /// A record's id under another of its kind's keys → its id under `key`.
    record_aliases: Map<String, String>,
    /// What the commit under way touched, with a state file; `None` without one.
    tracker: Option<Tracker>,
}

impl Books {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            payments: BoundedMap::new(capacity),
            by_reference: Map::default(),
            remembered: BoundedMap::new(capacity),
            external_ids: BoundedMap::new(capacity),
            records: BoundedMap::new(capacity),
            record_aliases: Map::default(),
            tracker: None,
        }
    }

    /// Notes that the commit under way touched `entry` (made only with a state file).
    fn touch(&mut self, entry: impl FnOnce() -> Touched) {
        if let Some(tracker) = &mut self.tracker {
            tracker.touched.insert(entry());
        }
    }

    /// Notes every entry evicted to make room: the state file forgets them too.
    fn touch_evicted<K, V>(&mut self, evicted: Option<&(K, V)>, entry: impl Fn(&K) -> Touched) {
        if let Some(tracker) = &mut self.tracker {
            tracker.touched.extend(evicted.map(|(key, _)| entry(key)));
        }
    }

    /// Records that `client` used `external_id` on `day`; false if it already did.
    pub(crate) fn use_external_id(&mut self, client: &str, day: &str, external_id: &str) -> bool {
        let key = format!("{client}\u{1f}{day}\u{1f}{external_id}");
        if self.external_ids.contains_key(&key) {
            return false;
        }
        self.touch(|| Touched::ExternalId(key.clone()));
        let evicted = self.external_ids.insert(key, ());
        self.touch_evicted(evicted.as_ref(), |k| Touched::ExternalId(k.clone()));
        true
    }

    pub(crate) fn remembered(&self, key: &str) -> Option<&Remembered> {
        self.remembered.get(key)
    }

    /// Remembers `answer` under `key`, as the answer to the request of digest `request` ([`request_digest`]).
    pub(crate) fn remember(&mut self, key: String, request: [u8; 32], answer: &mut Answer) {
        self.touch(|| Touched::Remembered(key.clone()));
        let evicted = self.remembered.insert(key, Remembered::new(request, answer));
        self.touch_evicted(evicted.as_ref(), |k| Touched::Remembered(k.clone()));
    }

    /// Whether `client` already has a payment `partner_reference_no`.
    pub(crate) fn has_payment(&self, client: &str, partner_reference_no: &str) -> bool {
        self.payments
            .contains_key(&(client, partner_reference_no) as &dyn KeyPair)
    }

    pub(crate) fn add_payment(&mut self, record: PaymentRecord) {
        let key = (record.client_id.clone(), record.partner_reference_no.clone());
        self.by_reference.insert(
            (record.client_id.clone(), record.reference_no.clone()),
            record.partner_reference_no.clone(),
        );
        self.touch(|| Touched::Payment(key.clone()));
        let evicted = self.payments.insert(key, record);
        self.touch_evicted(evicted.as_ref(), |k| Touched::Payment(k.clone()));
        if let Some((_, evicted)) = evicted {
            self.by_reference.remove(&(evicted.client_id, evicted.reference_no));
        }
    }

    /// `client`'s payment by partnerReferenceNo, else by referenceNo.
    pub(crate) fn find(
        &mut self,
        client: &str,
        partner_reference_no: Option<&str>,
        reference_no: Option<&str>,
    ) -> Option<&mut PaymentRecord> {
        let by_partner = partner_reference_no.map(str::to_owned);
        let by_reference = reference_no.and_then(|r| self.by_reference.get(&(client, r) as &dyn KeyPair).cloned());
        let partner = by_partner.filter(|p| self.has_payment(client, p)).or(by_reference)?;
        let key = (client.to_owned(), partner);
        // The caller may change it: written back with the commit (a status query's write is the price of not
        // comparing before and after).
        self.touch(|| Touched::Payment(key.clone()));
        self.payments.get_mut(&key)
    }

    /// Every payment with this partnerReferenceNo, of any client.
    pub(crate) fn payments_named(&mut self, partner_reference_no: &str) -> Vec<&mut PaymentRecord> {
        if let Some(tracker) = &mut self.tracker {
            let named = self
                .payments
                .values()
                .filter(|p| p.partner_reference_no == partner_reference_no);
            let keys = named.map(|p| Touched::Payment((p.client_id.clone(), p.partner_reference_no.clone())));
            tracker.touched.extend(keys);
        }
        self.payments
            .values_mut()
            .filter(|p| p.partner_reference_no == partner_reference_no)
            .collect()
    }

    /// Every payment, oldest first, without copying them.
    pub(crate) fn each_payment(&self) -> impl Iterator<Item = &PaymentRecord> {
        self.payments.values()
    }

    /// Every payment, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<PaymentRecord> {
        self.payments.values().cloned().collect()
    }

    /// The record with this id, under any of its kind's keys.
    pub(crate) fn record(&self, id: &str) -> Option<&Record> {
        self.records.get(self.record_id(id)?)
    }

    /// The id under its kind's `key` of the record with this id under any of its keys.
    pub(crate) fn record_id<'i>(&'i self, id: &'i str) -> Option<&'i str> {
        match self.record_aliases.get(id) {
            Some(primary) => Some(primary),
            None => self.records.contains_key(id).then_some(id),
        }
    }

    pub(crate) fn record_mut(&mut self, id: &str) -> Option<&mut Record> {
        let id = self.record_id(id)?.to_owned();
        self.touch(|| Touched::Record(id.clone()));
        self.records.get_mut(&id)
    }

    /// Keeps `record` under `id` and its `aliases` (over a record with this id, and its aliases); a record evicted to
    /// make room takes its aliases along.
    pub(crate) fn add_record(&mut self, id: String, record: Record) {
        if let Some(old) = self.records.get(&id).map(|r| r.aliases.clone()) {
            self.forget_aliases(&old);
        }
        for alias in &record.aliases {
            self.record_aliases.insert(alias.clone(), id.clone());
        }
        self.touch(|| Touched::Record(id.clone()));
        let evicted = self.records.insert(id, record);
        self.touch_evicted(evicted.as_ref(), |k| Touched::Record(k.clone()));
        if let Some((_, evicted)) = evicted {
            self.forget_aliases(&evicted.aliases);
        }
    }

    /// Gives the record `id` these aliases instead of its own, unless another record has one of them (returned).
    pub(crate) fn realias_record(&mut self, id: &str, aliases: Vec<String>) -> Result<(), String> {
        let taken = aliases
            .iter()
            .find(|a| self.record_id(a).is_some_and(|owner| owner != id));
        if let Some(taken) = taken {
            return Err(taken.clone());
        }
        let Some(record) = self.records.get_mut(id) else {
            return Ok(());
        };
        let old = std::mem::replace(&mut record.aliases, aliases.clone());
        self.touch(|| Touched::Record(id.to_owned()));
        self.forget_aliases(&old);
        for alias in aliases {
            self.record_aliases.insert(alias, id.to_owned());
        }
        Ok(())
    }

    fn forget_aliases(&mut self, aliases: &[String]) {
        for alias in aliases {
            self.record_aliases.remove(alias);
        }
    }

    /// Removes a record (with its aliases) and forgets the remembered answer of the call that created it.
    pub(crate) fn remove_record(&mut self, id: &str) -> Option<Record> {
        let id = self.record_id(id)?.to_owned();
        let record = self.records.remove(id.as_str())?;
        self.touch(|| Touched::Record(id));
        self.forget_aliases(&record.aliases);
        if let Some(key) = &record.remembered {
            self.touch(|| Touched::Remembered(key.clone()));
            self.remembered.remove(key.as_str());
        }
        Some(record)
    }

    /// The record whose page has this token.
    pub(crate) fn record_with_page(&self, token: &str) -> Option<&Record> {
        self.records.values().find(|r| r.page.as_deref() == Some(token))
    }

    /// Every record, oldest first.
    pub(crate) fn records(&self) -> Vec<Record> {
        self.each_record().cloned().collect()
    }

    /// Every record, oldest first, without copying them.
    pub(crate) fn each_record(&self) -> impl Iterator<Item = &Record> {
        self.records.values()
    }
}

/// An amount in minor units: `10000.00` is 1000000 at scale 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Units {
    n: u128,
    scale: u32,
}

impl Units {
    /// Reads a decimal string the validator already accepted (digits, at most one point).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let (int, frac) = value.split_once('.').unwrap_or((value, ""));
        if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = format!("{int}{frac}").parse().ok()?;
        Some(Self {
            n,
            scale: u32::try_from(frac.len()).ok()?,
        })
    }

    /// The same amount at a larger `scale`.
    fn at(self, scale: u32) -> Option<u128> {
        let factor = 10u128.checked_pow(scale.checked_sub(self.scale)?)?;
        self.n.checked_mul(factor)
    }

    /// `self - other` if not negative, at the larger scale of the two.
    pub(crate) fn minus(self, other: Units) -> Option<Units> {
        let scale = self.scale.max(other.scale);
        let n = self.at(scale)?.checked_sub(other.at(scale)?)?;
        Some(Units { n, scale })
    }

    /// `self + other`, at the larger scale of the two.
    pub(crate) fn plus(self, other: Units) -> Option<Units> {
        let scale = self.scale.max(other.scale);
        let n = self.at(scale)?.checked_add(other.at(scale)?)?;
        Some(Units { n, scale })
    }

    /// Written with `scale` fraction digits (at least this amount's own).
    pub(crate) fn format(self, scale: u32) -> String {
        let scale = scale.max(self.scale);
        let n = self.at(scale).unwrap_or(self.n);
        let digits = format!("{n:0>width$}", width = scale as usize + 1);
        let (int, frac) = digits.split_at(digits.len() - scale as usize);
        if frac.is_empty() {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        }
    }

    pub(crate) fn is_zero(self) -> bool {
        self.n == 0
    }

    /// Fraction digits.
    pub(crate) fn scale(self) -> u32 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(v: &str) -> Units {
        Units::parse(v).unwrap_or(Units { n: 0, scale: 99 })
    }

    fn digest(body: &Value) -> [u8; 32] {
        request_digest("p.create", body)
    }

    #[test]
    fn digests_ignore_key_order_but_not_content() {
        let a = serde_json::json!({"x": 1, "y": {"a": [1, "2"], "b": null}});
        let b = serde_json::json!({"y": {"b": null, "a": [1, "2"]}, "x": 1});
        assert_eq!(digest(&a), digest(&b));
        for c in [
            serde_json::json!({"x": 1, "y": {"a": [1, 2], "b": null}}),
            serde_json::json!({"x": 1.0, "y": {"a": [1, "2"], "b": null}}),
            serde_json::json!({"x": 1, "y": {"a": [1, "2"]}}),
            serde_json::json!({"x": 1, "y": {"a": ["1", "2"], "b": null}}),
        ] {
            assert_ne!(digest(&a), digest(&c), "{c}");
        }
        assert_ne!(
            digest(&serde_json::json!(["ab", "c"])),
            digest(&serde_json::json!(["a", "bc"]))
        );
        assert_ne!(digest(&a), request_digest("p.update", &a), "another endpoint");
    }

    #[test]
    fn money_arithmetic_is_exact() {
        let paid = units("10000.00");
        let refunded = units("2500.50");
        let left = paid.minus(refunded);
        assert_eq!(left.map(|u| u.format(2)).as_deref(), Some("7499.50"));
        assert_eq!(refunded.minus(paid), None, "never negative");
        assert_eq!(
            units("0.05").plus(units("1")).map(|u| u.format(2)).as_deref(),
            Some("1.05")
        );
        assert_eq!(units("7").format(0), "7");
        let zero = |value: &str| {
            let money = Money {
                value: value.into(),
                currency: "IDR".into(),
            };
            money.zero_like().value
        };
        assert_eq!(
            (zero("10000.00"), zero("7"), zero("0.125")),
            ("0.00".into(), "0".into(), "0.000".into())
        );
        assert_eq!(Units::parse("1e5"), None);
        assert_eq!(Units::parse(""), None);
    }

    fn payment(client: &str, partner: &str, reference: &str) -> PaymentRecord {
        PaymentRecord {
            client_id: client.into(),
            provider: "p".into(),
            endpoint: "p.pay".into(),
            service_code: "54".into(),
            partner_reference_no: partner.into(),
            reference_no: reference.into(),
            external_id: None,
            amount: Some(Money {
                value: "1.00".into(),
                currency: "IDR".into(),
            }),
            latest_transaction_status: Status::for_tests("01"),
            created_time: String::new(),
            finished_time: None,
            paid_time: None,
            original_response_code: "2005400".into(),
            refunded: Some(Money {
                value: "0.00".into(),
                currency: "IDR".into(),
            }),
            merchant_id: None,
            notify_url: None,
            refunds: Vec::new(),
            payer: None,
        }
    }

    #[test]
    fn payments_are_found_by_either_reference_and_evicted_with_their_index() {
        let mut books = Books::new(2);
        books.add_payment(payment("c", "INV-1", "R1"));
        assert!(books.find("c", Some("INV-1"), None).is_some());
        assert!(books.find("c", None, Some("R1")).is_some());
        assert!(books.find("c", Some("nope"), Some("R1")).is_some());
        assert!(books.find("other", Some("INV-1"), None).is_none());
        books.add_payment(payment("c", "INV-2", "R2"));
        books.add_payment(payment("c", "INV-3", "R3"));
        assert!(books.find("c", None, Some("R1")).is_none());
        assert_eq!(books.by_reference.len(), 2);
        // Looked up by borrowed parts, which must hash and compare as the owned key does.
        assert!(books.has_payment("c", "INV-3"));
        assert!(!books.has_payment("cI", "NV-3"), "the parts, not their concatenation");
        assert!(!books.has_payment("c", "INV-1"), "forgotten");
        assert!(books.use_external_id("c", "2024-01-01", "1"));
        assert!(!books.use_external_id("c", "2024-01-01", "1"));
        assert!(books.use_external_id("c", "2024-01-02", "1"));
        assert!(books.use_external_id("d", "2024-01-01", "1"));
    }

    fn record(key: &str, aliases: &[&str]) -> Record {
        Record {
            client_id: "c".into(),
            provider: "p".into(),
            kind: "shop".into(),
            key: serde_json::Map::new(),
            fields: serde_json::json!({ "shopId": key }),
            created_by: "p.create".into(),
            created_time: String::new(),
            updated_time: None,
            remembered: None,
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            page: None,
        }
    }

    #[test]
    fn records_are_found_by_any_key_and_take_their_aliases_along() {
        let mut books = Books::new(2);
        books.add_record("S1".into(), record("S1", &["ext-1"]));
        assert_eq!(
            books.record("ext-1").map(|r| &r.fields["shopId"]),
            Some(&Value::from("S1"))
        );
        assert_eq!(books.record_id("ext-1"), Some("S1"));
        // Another record cannot take an alias; its own record may change it.
        books.add_record("S2".into(), record("S2", &["ext-2"]));
        assert_eq!(
            books.realias_record("S2", vec!["ext-1".into()]),
            Err("ext-1".to_owned())
        );
        assert_eq!(books.realias_record("S1", vec!["ext-9".into()]), Ok(()));
        assert!(books.record("ext-1").is_none());
        assert_eq!(books.record_id("ext-9"), Some("S1"));
        // Evicted and removed records leave no alias behind.
        books.add_record("S3".into(), record("S3", &["ext-3"]));
        assert!(books.record("ext-9").is_none(), "S1 was evicted");
        assert!(books.remove_record("ext-2").is_some());
        assert!(books.record("S2").is_none());
        assert_eq!(books.record_aliases.len(), 1);
    }
}
