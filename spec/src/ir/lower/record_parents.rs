//! `record_of` of a create: the record of another kind the new one belongs to (WooshPay's refund, of a
//! PaymentIntent). It is named by one of that kind's keys from request fields, must report one of the `from` values,
//! takes one record only with `once`, bounds request numbers (`at_most`) and fills what the request leaves out
//! (`takes`). The shape is lowered with the endpoint; the kind and its key are checked in `record_use`, the request
//! paths in `record_paths`.

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Endpoint, Operation, Provider, RecordOf, Situation};
use crate::yaml::{Loaded, raw};

impl Lowering {
    /// The shape of `record_of`: a key to name the record by, and a value at least for each `from` path.
    pub(super) fn record_of_shape(&mut self, src: Src, spec: &raw::EndpointFile) -> Option<RecordOf> {
        let given = spec.record_of.as_ref()?;
        if given.key.0.is_empty() {
            let msg = "name the fields of one of the kind's keys, each with the request field that holds it";
            self.push(src.value("record_of.key", msg.into()));
        }
        for (path, values) in &given.from.0 {
            if values.is_empty() {
                let msg = "name at least one value the record may report for the create to be served";
                self.push(src.value(&join("record_of.from", path), msg.into()));
            }
        }
        Some(RecordOf {
            kind: given.kind.clone(),
            key: given.key.0.clone(),
            from: given.from.0.clone(),
            once: given.once,
            at_most: given.at_most.0.clone(),
            takes: given.takes.0.clone(),
        })
    }

    /// `record_of` goes with a create, names a kind of the provider by one of its keys, and the provider can refuse
    /// a record that is not there or reports another value (SNAP's standard has both refusals; a provider's own JSON
    /// names them in `results.refusals`).
    pub(super) fn record_of_use(&mut self, file: &Loaded<raw::EndpointFile>, endpoint: &Endpoint, provider: &Provider) {
        let Some(of) = &endpoint.record_of else { return };
        if endpoint.operation != Operation::Create {
            let msg = format!(
                "`record_of` is about the record a create makes; this endpoint's operation is `{}`",
                endpoint.operation.as_str()
            );
            self.push(file.error("record_of", msg));
            return;
        }
        if endpoint.info.envelope.is_some() {
            let msg = "an envelope answers a record's refusals with its `record_codes`, which name no code for a \
                       record in another state, so `record_of` is not served in one";
            self.push(file.error("record_of", msg));
            return;
        }
        let Some(kind) = provider.record(&of.kind) else {
            let msg = format!("provider `{}` defines no record kind `{}`", provider.name, of.kind);
            let help = did_you_mean(&of.kind, provider.records.iter().map(|r| r.name.as_str()));
            self.push(with_help(file.error("record_of.kind", msg), help));
            return;
        };
        if let Some(msg) = super::record_names::not_a_key(kind, &of.key) {
            self.push(file.error("record_of.key", msg));
        }
        let refuses = |situation: Situation| {
            provider.results.is_none() || provider.refusals.iter().any(|r| r.situation == situation)
        };
        for (situation, when) in [
            (Situation::TransactionNotFound, "transaction_not_found"),
            (Situation::InvalidTransactionStatus, "invalid_transaction_status"),
        ] {
            if !refuses(situation) {
                let msg = format!(
                    "a create whose `{}` record is missing or reports another value is refused, and `{}` has no \
                     refusal for that: add one `when: {when}` to its `results.refusals`",
                    of.kind, provider.name
                );
                self.push(file.error("record_of", msg));
            }
        }
    }
}
