//! A notifier's notifications and attempts in the state file (`persist`), so the dashboard's notifications page and
//! Resend work after a restart: each notification kept for resending is a row (its number, URL and exact body bytes),
//! each recorded attempt another; both are written when they happen, and deleted when the notifier forgets them.
//!
//! The rows name the notifier (provider, client, auth kind) whose they are, so each notifier reads back its own. A
//! delivery whose retries were still running when the sandbox stopped is not resumed: its attempts so far are read
//! back, and Resend sends it again.

use std::sync::{Arc, Weak};

use axum::body::Bytes;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::Delivery;
use crate::persist::{Change, Kind, StateError, StateFile};
use crate::sandbox::NotifierKey;

/// Where a notifier writes its rows, and which notifier it is.
#[derive(Debug)]
pub(crate) struct Rows {
    /// Weak: a delivery's task may outlive its sandbox for a moment, and must not keep the file open (and held
    /// against the next sandbox, `persist`) after the sandbox is gone; its last writes are not needed then.
    file: Weak<StateFile>,
    owner: Owner,
}

/// The notifier a row belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Owner {
    provider: String,
    client_id: String,
    auth: String,
}

/// A notification kept for resending, as its row holds it; the body's exact bytes in base64.
#[derive(Serialize, Deserialize)]
struct NotificationRow {
    #[serde(flatten)]
    owner: Owner,
    url: String,
    body: String,
}

/// One attempt, as its row holds it.
#[derive(Serialize, Deserialize)]
struct DeliveryRow {
    #[serde(flatten)]
    owner: Owner,
    #[serde(flatten)]
    delivery: Delivery,
}

/// A notification read back: its number, URL and body.
pub(super) type Kept = (u64, String, Bytes);

impl Rows {
    /// The rows of the notifier at `key`, in `file`.
    pub(crate) fn new(file: &Arc<StateFile>, (provider, client_id, auth): &NotifierKey) -> Self {
        let owner = Owner {
            provider: provider.clone(),
            client_id: client_id.clone(),
            auth: auth.as_str().to_owned(),
        };
        Self {
            file: Arc::downgrade(file),
            owner,
        }
    }

    /// Writes notification `n` as kept, and forgets `forgotten` (the oldest, dropped to make room).
    pub(super) fn kept(&self, n: u64, url: &str, body: &Bytes, forgotten: Option<u64>) {
        let row = NotificationRow {
            owner: self.owner.clone(),
            url: url.to_owned(),
            body: STANDARD.encode(body),
        };
        let put = Change::put(Kind::Notification, n.to_string(), &row);
        let forget = forgotten.map(|n| Change::delete(Kind::Notification, n.to_string()));
        let changes: Vec<Change> = put.into_iter().chain(forget).collect();
        self.write(&changes);
    }

    /// Writes an attempt, and forgets `dropped` (the oldest record, dropped to make room).
    pub(super) fn recorded(&self, delivery: &Delivery, dropped: Option<&Delivery>) {
        let row = DeliveryRow {
            owner: self.owner.clone(),
            delivery: delivery.clone(),
        };
        let put = Change::put(Kind::Delivery, delivery_key(delivery), &row);
        let forget = dropped.map(|d| Change::delete(Kind::Delivery, delivery_key(d)));
        let changes: Vec<Change> = put.into_iter().chain(forget).collect();
        self.write(&changes);
    }

    /// Writes `changes`, unless the sandbox (and so its file) is gone.
    fn write(&self, changes: &[Change]) {
        if let Some(file) = self.file.upgrade() {
            file.write_or_log(changes);
        }
    }

    /// This notifier's kept notifications and recorded attempts, oldest first; none once the sandbox is gone.
    pub(super) fn load(&self) -> Result<(Vec<Kept>, Vec<Delivery>), StateError> {
        let Some(file) = self.file.upgrade() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut kept = Vec::new();
        for (key, row) in file.load::<NotificationRow>(Kind::Notification)? {
            if row.owner != self.owner {
                continue;
            }
            let bad = |reason: String| file.bad_row(Kind::Notification, &key, reason);
            let n = key
                .parse()
                .map_err(|_| bad("the key is not a notification number".into()))?;
            let body = STANDARD
                .decode(&row.body)
                .map_err(|e| bad(format!("body is not base64: {e}")))?;
            kept.push((n, row.url, Bytes::from(body)));
        }
        let deliveries = file.load::<DeliveryRow>(Kind::Delivery)?;
        let mine = deliveries.into_iter().filter(|(_, row)| row.owner == self.owner);
        Ok((kept, mine.map(|(_, row)| row.delivery).collect()))
    }
}

/// An attempt's row key: its notification, its number and when it started (a notification forgotten by the outbox
/// numbers its later attempts by their schedule again, so the number alone may repeat).
fn delivery_key(delivery: &Delivery) -> String {
    format!("{}.{}.{}", delivery.notification, delivery.attempt, delivery.at)
}
