//! The books in a state file (`persist`): which entries a commit touched, written when the books' lock is released
//! ([`BooksGuard`]), and the books read back at build.
//!
//! A commit notes the key of everything it may have changed ([`Touched`]); the guard then writes, in one transaction,
//! each touched entry as it is now, or deletes its row when it is gone (removed, or evicted to make room). The
//! in-memory indexes (references, record aliases) are not stored: they are rebuilt from the payments and records as
//! they are read back, by the same `add_*` methods a commit uses.

use std::collections::HashSet;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};

use axum::body::Bytes;
use axum::http::HeaderName;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::{Books, PaymentKey, PaymentRecord, Record, Remembered};
use crate::payment_status::Machine;
use crate::persist::{Change, Kind, StateError, StateFile};

/// The key of the reference numbers' serial among the counters.
const SERIAL: &str = "serial";

/// An entry of the books a commit may have changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Touched {
    Payment(PaymentKey),
    Record(String),
    Remembered(String),
    ExternalId(String),
}

/// What the books note for their state file.
#[derive(Debug)]
pub(crate) struct Tracker {
    file: Arc<StateFile>,
    /// Touched since the last write.
    pub(super) touched: HashSet<Touched>,
    /// The serial the file holds.
    serial: u64,
}

/// The locked books; when released, writes what was changed under the lock to the state file, if there is one.
pub(crate) struct BooksGuard<'a> {
    books: MutexGuard<'a, Books>,
    /// The sandbox's reference serial, written with the books so references stay unique across restarts.
    serial: &'a AtomicU64,
}

impl<'a> BooksGuard<'a> {
    pub(crate) fn new(books: MutexGuard<'a, Books>, serial: &'a AtomicU64) -> Self {
        Self { books, serial }
    }
}

impl Deref for BooksGuard<'_> {
    type Target = Books;

    fn deref(&self) -> &Books {
        &self.books
    }
}

impl DerefMut for BooksGuard<'_> {
    fn deref_mut(&mut self) -> &mut Books {
        &mut self.books
    }
}

impl Drop for BooksGuard<'_> {
    fn drop(&mut self) {
        if self.books.tracker.is_some() {
            let serial = self.serial.load(Ordering::Relaxed);
            self.books.write_touched(serial);
        }
    }
}

impl Books {
    /// Writes every touched entry and the serial, if it moved, in one transaction. On a failure (logged) they stay
    /// touched, for the next commit to write.
    fn write_touched(&mut self, serial: u64) {
        let Some(tracker) = &mut self.tracker else { return };
        let touched = std::mem::take(&mut tracker.touched);
        let serial_moved = tracker.serial != serial;
        if touched.is_empty() && !serial_moved {
            return;
        }
        let file = Arc::clone(&tracker.file);
        let mut changes: Vec<Change> = touched.iter().filter_map(|entry| self.change(entry)).collect();
        if serial_moved {
            changes.extend(Change::put(Kind::Counter, SERIAL, &serial));
        }
        let written = file.write_or_log(&changes);
        if let Some(tracker) = &mut self.tracker {
            match written {
                true => tracker.serial = serial,
                false => tracker.touched.extend(touched),
            }
        }
    }

    /// The row of `entry` as it is now: put, or deleted when it is gone.
    fn change(&self, entry: &Touched) -> Option<Change> {
        match entry {
            Touched::Payment(key) => {
                let text = payment_key(key);
                match self.payments.get(key) {
                    Some(payment) => Change::put(Kind::Payment, text, payment),
                    None => Some(Change::delete(Kind::Payment, text)),
                }
            }
            Touched::Record(id) => match self.records.get(id) {
                Some(record) => Change::put(Kind::Record, id, &RecordRow::of(record)),
                None => Some(Change::delete(Kind::Record, id)),
            },
            Touched::Remembered(key) => match self.remembered.get(key) {
                Some(remembered) => Change::put(Kind::Remembered, key, &RememberedRow::of(remembered)),
                None => Some(Change::delete(Kind::Remembered, key)),
            },
            Touched::ExternalId(key) => match self.external_ids.contains_key(key) {
                true => Change::put(Kind::ExternalId, key, &()),
                false => Some(Change::delete(Kind::ExternalId, key)),
            },
        }
    }

    /// Reads the books back from `file` and keeps them in it from now on; the reference serial it holds (0 for a new
    /// file). A payment whose status the standard's table does not list, or a row that is not what its kind says, is
    /// an error naming the file and the row. What does not fit (a file written with a larger capacity) is evicted
    /// oldest first, as it would have been, and its rows deleted.
    pub(crate) fn restore(&mut self, file: Arc<StateFile>, machine: Machine<'_>) -> Result<u64, StateError> {
        let serial = file.load::<u64>(Kind::Counter)?;
        let serial = serial.into_iter().find(|(key, _)| key == SERIAL).map_or(0, |(_, n)| n);
        self.tracker = Some(Tracker {
            file: Arc::clone(&file),
            touched: HashSet::new(),
            serial,
        });
        for (key, payment) in file.load::<PaymentRecord>(Kind::Payment)? {
            let listed = machine.listed(payment.latest_transaction_status.code());
            if listed.is_none() {
                let status = payment.latest_transaction_status;
                let reason = format!("latestTransactionStatus {status} is not a value of the standard's table");
                return Err(file.bad_row(Kind::Payment, &key, reason));
            }
            self.add_payment(payment);
        }
        for (id, row) in file.load::<RecordRow>(Kind::Record)? {
            self.add_record(id, row.into_record());
        }
        for (key, row) in file.load::<RememberedRow>(Kind::Remembered)? {
            let remembered = row
                .into_remembered()
                .map_err(|reason| file.bad_row(Kind::Remembered, &key, reason))?;
            let evicted = self.remembered.insert(key, remembered);
            self.touch_evicted(evicted.as_ref(), |k| Touched::Remembered(k.clone()));
        }
        for (key, ()) in file.load::<()>(Kind::ExternalId)? {
            let evicted = self.external_ids.insert(key, ());
            self.touch_evicted(evicted.as_ref(), |k| Touched::ExternalId(k.clone()));
        }
        self.delete_evicted()?;
        Ok(serial)
    }

    /// Deletes the rows of what reading back evicted; the rows of what was read stay as they are.
    fn delete_evicted(&mut self) -> Result<(), StateError> {
        let Some(tracker) = &mut self.tracker else {
            return Ok(());
        };
        let touched = std::mem::take(&mut tracker.touched);
        let file = Arc::clone(&tracker.file);
        let gone = touched.iter().filter(|entry| !self.holds(entry));
        let deletes: Vec<Change> = gone.filter_map(|entry| self.change(entry)).collect();
        file.write(&deletes)
    }

    /// Whether the books hold `entry`.
    fn holds(&self, entry: &Touched) -> bool {
        match entry {
            Touched::Payment(key) => self.payments.contains_key(key),
            Touched::Record(id) => self.records.contains_key(id),
            Touched::Remembered(key) => self.remembered.contains_key(key),
            Touched::ExternalId(key) => self.external_ids.contains_key(key),
        }
    }
}

/// A payment's row key: its client and partnerReferenceNo.
fn payment_key((client, partner_reference_no): &PaymentKey) -> String {
    format!("{client}\u{1f}{partner_reference_no}")
}

/// A record as its row holds it: what the ledger shows, and what only the books know (its aliases, its page, the
/// remembered answer that created it).
#[derive(Serialize, Deserialize)]
struct RecordRow {
    #[serde(flatten)]
    record: Record,
    remembered: Option<String>,
    aliases: Vec<String>,
    page: Option<String>,
}

impl RecordRow {
    fn of(record: &Record) -> Self {
        Self {
            record: record.clone(),
            remembered: record.remembered.clone(),
            aliases: record.aliases.clone(),
            page: record.page.clone(),
        }
    }

    fn into_record(self) -> Record {
        Record {
            remembered: self.remembered,
            aliases: self.aliases,
            page: self.page,
            ..self.record
        }
    }
}

/// A remembered answer as its row holds it: the request's digest in hex, the body's exact bytes in base64 (a replay
/// sends them byte for byte), the headers by name.
#[derive(Serialize, Deserialize)]
struct RememberedRow {
    request: String,
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
}

impl RememberedRow {
    fn of(remembered: &Remembered) -> Self {
        Self {
            request: hex::encode(remembered.request),
            status: remembered.status,
            body: STANDARD.encode(&remembered.body),
            headers: remembered
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), value.clone()))
                .collect(),
        }
    }

    fn into_remembered(self) -> Result<Remembered, String> {
        let request = hex::decode(&self.request)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or("request is not a SHA-256 digest in hex")?;
        let body = STANDARD
            .decode(&self.body)
            .map_err(|e| format!("body is not base64: {e}"))?;
        let headers = self
            .headers
            .into_iter()
            .map(|(name, value)| match HeaderName::from_bytes(name.as_bytes()) {
                Ok(name) => Ok((name, value)),
                Err(_) => Err(format!("header name {name:?} is not one")),
            })
            .collect::<Result<_, String>>()?;
        Ok(Remembered {
            request,
            status: self.status,
            body: Bytes::from(body),
            headers,
        })
    }
}
