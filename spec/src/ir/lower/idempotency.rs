//! `idempotency:` of a provider file: the header that carries the merchant's idempotency key (one of the provider's
//! headers, filled from `request_id`, so the runtime makes one per call and keeps it on every resend of the call),
//! the HTTP status a repeat is answered with, and, for a provider answering its own JSON, the refusal of a key used
//! again with another request.

use super::{Lowering, Src, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{AuthKind, HeaderSource, Idempotency, Situation};
use crate::yaml::raw;

/// The situation a key used again with another request is refused in: the standard's "a reference reused with
/// other parameters", as for a repeated body key (`idempotency_keys`).
const CONFLICT: Situation = Situation::InconsistentRequest;

impl Lowering {
    /// The provider's idempotency key, when `file` declares one; a provider answering its own JSON (`results`) must
    /// then say how it refuses a key used again with another request. `sets` are its lowered headers.
    pub(super) fn idempotency(
        &mut self,
        src: Src,
        file: &raw::ProviderFile,
        sets: &[(AuthKind, Vec<(String, HeaderSource)>)],
    ) -> Option<Idempotency> {
        let spec = file.idempotency.as_ref()?;
        let before = self.diagnostics.len();
        self.key_header(src, file, sets);
        if let Some(status) = spec.replay_status
            && !(100..=599).contains(&status)
        {
            let msg = format!("HTTP status {status} is not one");
            self.push(src.value("idempotency.replay_status", msg));
        }
        if let Some(results) = &file.results
            && !results.refusals.iter().any(answers_conflict)
        {
            let msg = "say how the provider refuses a key used again with another request: a `results.refusals` \
                       entry `when: inconsistent_request`";
            self.push(src.value("idempotency", msg.into()));
        }
        (self.diagnostics.len() == before).then(|| Idempotency {
            header: spec.header.clone().into(),
            replay_status: spec.replay_status,
        })
    }

    /// The key's header is one of the provider's headers (as written: one whose source did not lower is reported
    /// there), filled from `request_id` wherever it is sent: a value the runtime makes once per call, not a constant
    /// or another source.
    fn key_header(&mut self, src: Src, file: &raw::ProviderFile, sets: &[(AuthKind, Vec<(String, HeaderSource)>)]) {
        let header = file.idempotency.as_ref().map_or("", |i| i.header.as_str());
        let written = || {
            file.headers
                .0
                .iter()
                .flat_map(|(_, set)| set.0.iter().map(|(name, _)| name.as_str()))
        };
        if !written().any(|name| name == header) {
            let msg = format!("`{header}` is not a header of the provider's `headers`");
            let d = src.value("idempotency.header", msg);
            self.push(with_help(d, did_you_mean(header, written())));
            return;
        }
        let lowered = sets.iter().flat_map(|(_, set)| set.iter());
        if lowered
            .filter(|(name, _)| name == header)
            .any(|(_, source)| *source != HeaderSource::RequestId)
        {
            let msg = format!(
                "`{header}` must be filled from `request_id`: the key is made once per call and kept on its resends"
            );
            self.push(src.value("idempotency.header", msg));
        }
    }
}

/// Whether a refusal names the conflict's situation, or a misspelling of it (reported where it is written, not again
/// as missing).
fn answers_conflict(refusal: &raw::OwnRefusalSpec) -> bool {
    let known = Situation::ALL.map(|(k, _)| k);
    let key = Situation::ALL
        .iter()
        .find(|(_, s)| *s == CONFLICT)
        .map_or("", |(k, _)| k);
    refusal.when == key || did_you_mean(&refusal.when, known).is_some_and(|help| help.contains(&format!("`{key}`")))
}
