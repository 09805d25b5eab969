//! Forcing answers and injecting faults, so a user can see how their code handles `4035414 Insufficient
//! Funds`, a slow provider, a lost answer or a 5xx.
//!
//! Two ways to force one of an endpoint's declared codes: the request header `X-Sandbox-Scenario: 4035414`
//! (for one call), or `POST /_sandbox/scenarios` which arms the next N calls of an endpoint, so an
//! unmodified SDK meets it too. Faults are armed the same way (`POST /_sandbox/faults`). Armed entries are
//! used in the order they were armed, one call at a time.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::store;

/// Request header that forces one of the endpoint's declared response codes for this call.
pub const SCENARIO_HEADER: &str = "x-sandbox-scenario";

/// What a fault does to a call that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// Answer normally, `ms` milliseconds late (at most 10 minutes).
    #[serde(rename = "delay")]
    Delay,
    /// Commit the call (ledger, tokens, idempotency), then close the connection without answering: the
    /// client cannot know whether the payment happened.
    #[serde(rename = "drop_after_commit")]
    DropAfterCommit,
    /// Answer `500xx01 Internal Server Error` without committing anything.
    #[serde(rename = "status_5xx")]
    Status5xx,
}

/// A fault to inject into the next calls of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Delay in milliseconds (for [`FaultKind::Delay`]; ignored by the others).
    #[serde(default)]
    pub ms: u64,
}

/// One armed entry, as listed by `GET /_sandbox/scenarios` and `GET /_sandbox/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmedEntry<T> {
    /// Endpoint id.
    pub endpoint: String,
    /// The forced code or the fault.
    #[serde(flatten)]
    pub what: T,
    /// Calls left.
    pub times: u32,
}

/// A forced code, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForcedCode {
    /// The seven-digit code.
    pub code: String,
}

/// Per-endpoint queues of armed entries, each usable a number of times.
#[derive(Debug)]
pub(crate) struct Queues<T> {
    queues: Mutex<HashMap<String, VecDeque<(T, u32)>>>,
    /// Whether anything is armed, kept with the queues under their lock: every call asks, and with nothing armed it is
    /// answered by reading a flag every core can hold, instead of taking a lock that moves between the cores per call.
    armed: AtomicBool,
}

impl<T: Clone> Queues<T> {
    pub(crate) fn new() -> Self {
        Self {
            queues: Mutex::new(HashMap::new()),
            armed: AtomicBool::new(false),
        }
    }

    /// Arms `what` for the next `times` calls of `endpoint`, after what is armed already.
    pub(crate) fn arm(&self, endpoint: &str, what: T, times: u32) {
        if times == 0 {
            return;
        }
        let mut queues = store::lock(&self.queues);
        queues.entry(endpoint.to_owned()).or_default().push_back((what, times));
        self.armed.store(true, Ordering::Release);
    }

    /// Uses one call of the first entry armed for `endpoint`.
    pub(crate) fn take(&self, endpoint: &str) -> Option<T> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut queues = store::lock(&self.queues);
        let queue = queues.get_mut(endpoint)?;
        let (what, left) = queue.front_mut()?;
        let taken = what.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        if queue.is_empty() {
            queues.remove(endpoint);
            self.armed.store(!queues.is_empty(), Ordering::Release);
        }
        Some(taken)
    }

    /// Forgets everything armed.
    pub(crate) fn clear(&self) {
        let mut queues = store::lock(&self.queues);
        queues.clear();
        self.armed.store(false, Ordering::Release);
    }

    /// Everything armed, endpoints sorted, each queue in order.
    pub(crate) fn list<U>(&self, view: impl Fn(&T) -> U) -> Vec<ArmedEntry<U>> {
        let queues = store::lock(&self.queues);
        let mut endpoints: Vec<&String> = queues.keys().collect();
        endpoints.sort();
        endpoints
            .into_iter()
            .flat_map(|endpoint| {
                queues[endpoint].iter().map(|(what, times)| ArmedEntry {
                    endpoint: endpoint.clone(),
                    what: view(what),
                    times: *times,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armed_entries_are_used_in_order_and_counted() {
        let queues = Queues::new();
        queues.arm("e", "a", 2);
        queues.arm("e", "b", 1);
        queues.arm("e", "never", 0);
        assert_eq!(queues.list(|s| *s).len(), 2);
        assert_eq!(
            [queues.take("e"), queues.take("e"), queues.take("e"), queues.take("e")],
            [Some("a"), Some("a"), Some("b"), None]
        );
        assert_eq!(queues.take("other"), None);
        queues.arm("e", "c", 5);
        queues.clear();
        assert_eq!(queues.take("e"), None);
    }

    #[test]
    fn faults_read_the_documented_json() {
        let fault: Result<Fault, _> = serde_json::from_str(r#"{"kind":"status_5xx"}"#);
        assert_eq!(
            fault.ok(),
            Some(Fault {
                kind: FaultKind::Status5xx,
                ms: 0
            })
        );
        let fault: Result<Fault, _> = serde_json::from_str(r#"{"kind":"drop_after_commit","ms":5}"#);
        assert!(fault.is_ok());
    }
}
