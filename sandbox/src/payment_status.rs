//! The payment state machine: a payment's `latestTransactionStatus` and what `pay`, `refund` and `cancel` do to it,
//! all read from the standard's data (`specs/common/standard.yaml`, `transaction_status`), never from literals here.
//!
//! A [`Status`] is only made by [`Machine`]: the table's `initial` value, or where a transition the table allows
//! leads. An action the table does not allow from a payment's status is refused ([`Machine::after`] is `None`),
//! and the call is answered with the standard's `InvalidTransactionStatus` case.

use std::fmt;

use serde::{Deserialize, Serialize};
use snapbi_spec::ir::{Action, TransactionStatus};

/// A `latestTransactionStatus` value of the standard's table: two digits, serialized as they are. Deserialized only
/// from a state file, where the books check it against the table (`Machine::listed`) before keeping it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Status(String);

impl Status {
    /// The two digits, as `latestTransactionStatus` says them.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// A status without a table, for unit tests of what merely holds one.
    #[cfg(test)]
    pub(crate) fn for_tests(code: &str) -> Self {
        Self(code.to_owned())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Status {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The standard's transaction-status table, as the sandbox moves payments through it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Machine<'a> {
    table: &'a TransactionStatus,
}

impl<'a> Machine<'a> {
    pub(crate) fn new(table: &'a TransactionStatus) -> Self {
        Self { table }
    }

    /// Why `table` cannot drive payments: its `initial` value or a transition's target is not one of its values. The
    /// lowering refuses such data; an API changed in memory may still hold it, and the sandbox's builder asks here.
    pub(crate) fn check(table: &TransactionStatus) -> Result<(), String> {
        let listed = |code: &str| table.value(code).is_some();
        if !listed(&table.initial) {
            return Err(format!(
                "transaction_status.initial `{}` is not one of its values",
                table.initial
            ));
        }
        match table.transitions.iter().find(|(_, t)| !listed(&t.to)) {
            Some((action, t)) => Err(format!(
                "transaction_status: `{action:?}` leads to `{}`, which is not one of its values",
                t.to
            )),
            None => Ok(()),
        }
    }

    /// The status a new payment starts in.
    pub(crate) fn initial(&self) -> Option<Status> {
        self.listed(&self.table.initial)
    }

    /// The status `action` leaves a payment in `from` with; `None` when the table does not allow it from there.
    pub(crate) fn after(&self, action: Action, from: &Status) -> Option<Status> {
        self.listed(self.table.after(action, from.code())?)
    }

    /// The statuses `action` is allowed from, for a refusal's reason.
    pub(crate) fn allowed_from(&self, action: Action) -> Vec<&'a str> {
        let transition = self.table.transitions.iter().find(|(a, _)| *a == action);
        transition.map_or_else(Vec::new, |(_, t)| t.from.iter().map(|f| &**f).collect())
    }

    /// The value's name (`transactionStatusDesc`: `Success` for `00`).
    pub(crate) fn name(&self, status: &Status) -> Option<&'a str> {
        self.table.value(status.code()).map(|v| &*v.name)
    }

    /// `status` with its name, for a reason in words: `01 (Initiated)`.
    pub(crate) fn describe(&self, status: &Status) -> String {
        match self.name(status) {
            Some(name) => format!("{status} ({name})"),
            None => status.to_string(),
        }
    }

    /// The table's value with this code (a status read back from a state file); only listed values become statuses.
    pub(crate) fn listed(&self, code: &str) -> Option<Status> {
        self.table.value(code).map(|v| Status(v.code.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snapbi_spec::ir::{StatusValue, Transition};

    fn value(code: &str, name: &str) -> StatusValue {
        StatusValue {
            code: code.to_owned().into(),
            name: name.to_owned().into(),
            is_final: false,
        }
    }

    fn table(refund_to: &str) -> TransactionStatus {
        TransactionStatus {
            values: vec![value("10", "Open"), value("11", "Done"), value("12", "Back")].into(),
            initial: "10".into(),
            transitions: vec![
                (
                    Action::Pay,
                    Transition {
                        from: vec!["10".into()].into(),
                        to: "11".into(),
                    },
                ),
                (
                    Action::Refund,
                    Transition {
                        from: vec!["11".into()].into(),
                        to: refund_to.to_owned().into(),
                    },
                ),
            ]
            .into(),
        }
    }

    #[test]
    fn statuses_move_only_where_the_table_allows() {
        let table = table("12");
        let machine = Machine::new(&table);
        let open = machine.initial();
        assert_eq!(open.as_ref().map(Status::code), Some("10"));
        let Some(open) = open else { return };
        assert_eq!(machine.after(Action::Refund, &open), None, "not paid yet");
        assert_eq!(machine.after(Action::Cancel, &open), None, "no cancel in this table");
        let done = machine.after(Action::Pay, &open);
        assert_eq!(done.as_ref().map(|s| machine.describe(s)).as_deref(), Some("11 (Done)"));
        let back = done.and_then(|d| machine.after(Action::Refund, &d));
        assert_eq!(back.as_ref().map(Status::code), Some("12"));
        assert_eq!(machine.allowed_from(Action::Refund), ["11"]);
        assert!(Machine::check(&table).is_ok());
    }

    #[test]
    fn a_table_leading_outside_its_values_is_refused() {
        let broken = table("99");
        assert!(Machine::check(&broken).is_err_and(|e| e.contains("99")));
        let mut no_start = table("12");
        no_start.initial = "00".into();
        assert!(Machine::check(&no_start).is_err_and(|e| e.contains("initial")));
    }
}
