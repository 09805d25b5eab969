//! `customer.history` (act `history`) and the other wire paths of the world that may pass through a list: where a
//! history request asks (page, range, filters), where its answer lists and which item member holds which fact, and the
//! one-time token an `identify` answer issues.
//!
//! The names a history gives statuses and types are the provider's (`status_names`, `type_names`): a status must be
//! one of the standard's `latestTransactionStatus` values, a type `payment` or `refund`.

use super::{Lowering, Src, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{History, HistoryItem, OneTimeResource, paths};
use crate::yaml::raw;
use snapbi_descriptor::Standard;

/// The kinds of transaction a history lists.
const TYPES: [&str; 2] = ["payment", "refund"];

impl Lowering {
    /// `history:` as written; its names are checked here, its paths with the endpoint's fields
    /// ([`Self::history_paths`]).
    pub(super) fn customer_history(&mut self, src: Src, spec: &raw::HistorySpec) -> History {
        for (kind, _) in &spec.type_names.0 {
            if !TYPES.contains(&kind.as_str()) {
                let at = join("customer.history.type_names", kind);
                let d = src.at(
                    src.positions.key(&at, 0),
                    &at,
                    format!("`{kind}` is not a kind the ledger keeps: `payment` or `refund`"),
                );
                self.push(with_help(d, did_you_mean(kind, TYPES)));
            }
        }
        let type_name = |kind: &str| {
            spec.type_names
                .0
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, n)| n.clone())
        };
        History {
            list: spec.list.clone(),
            item: HistoryItem {
                time: spec.item.time.clone(),
                amount: spec.item.amount.clone(),
                status: spec.item.status.clone(),
                kind: spec.item.kind.clone(),
            },
            page_size: spec.page_size.clone(),
            page_number: spec.page_number.clone(),
            from: spec.from.clone(),
            to: spec.to.clone(),
            statuses: spec.statuses.clone(),
            types: spec.types.clone(),
            status_names: spec.status_names.0.clone(),
            payment_type: type_name("payment"),
            refund_type: type_name("refund"),
        }
    }

    /// A history's paths: request fields for what it asks, a response list and members of its items for what it
    /// answers; and its status names are of the standard's values.
    pub(super) fn history_paths(
        &mut self,
        src: Src,
        history: &History,
        request: &[paths::FieldPath],
        response: &[paths::FieldPath],
        standard: &Standard,
    ) {
        let asks: [(&str, Option<&String>, &[&str]); 6] = [
            ("page_size", history.page_size.as_ref(), &["string", "integer"]),
            ("page_number", history.page_number.as_ref(), &["string", "integer"]),
            ("from", history.from.as_ref(), &["string", "datetime"]),
            ("to", history.to.as_ref(), &["string", "datetime"]),
            ("statuses", history.statuses.as_ref(), &["list"]),
            ("types", history.types.as_ref(), &["list"]),
        ];
        for (key, path, kinds) in asks {
            if let Some(path) = path {
                let at = join("customer.history", key);
                self.field_of_kind(src, &at, path, kinds, "request", request);
            }
        }
        let values = &standard.transaction_status.values;
        for (code, _) in &history.status_names {
            if !values.iter().any(|v| v.code == *code) {
                let at = join("customer.history.status_names", code);
                let d = src.at(
                    src.positions.key(&at, 0),
                    &at,
                    format!("`{code}` is not one of the standard's `transaction_status.values`"),
                );
                self.push(with_help(d, did_you_mean(code, values.iter().map(|v| &*v.code))));
            }
        }
        let list = &history.list;
        if !self.field_of_kind(src, "customer.history.list", list, &["list"], "response", response) {
            return;
        }
        let item = &history.item;
        let members = [
            ("time", &item.time),
            ("amount", &item.amount),
            ("status", &item.status),
            ("type", &item.kind),
        ];
        let in_items: Vec<paths::FieldPath> = response
            .iter()
            .filter_map(|f| {
                let member = f.wire_path.strip_prefix(list.as_str())?.strip_prefix("[].")?;
                Some(paths::FieldPath {
                    wire_path: member.to_owned(),
                    ..f.clone()
                })
            })
            .collect();
        for (key, member) in members {
            if let Some(member) = member {
                let at = join("customer.history.item", key);
                let kinds: &[&str] = match key {
                    "amount" => &["object"],
                    _ => &["string", "enum", "datetime"],
                };
                self.field_of_kind(src, &at, member, kinds, &format!("`{list}` item"), &in_items);
            }
        }
    }

    /// The response path of an `identify`'s one-time token: a string, through at most one list.
    pub(super) fn one_time_token_path(&mut self, src: Src, path: &str, response: &[paths::FieldPath]) {
        let at = "customer.one_time_token";
        if self.field_of_kind(src, at, path, &["string"], "response", response) && path.matches("[]").count() > 1 {
            self.push(src.value(at, format!("`{path}` must be at most one list deep")));
        }
    }

    /// A one-time token's `resource`: `asked` is a request list of names that allows `value` (where it lists them), and
    /// `name` a string member of the items of the token's list (`userResourceInfos[].resourceType` beside
    /// `userResourceInfos[].value`).
    pub(super) fn one_time_resource_paths(
        &mut self,
        src: Src,
        token: &str,
        resource: &OneTimeResource,
        request: &[paths::FieldPath],
        response: &[paths::FieldPath],
    ) {
        let asked = format!("{}[]", resource.asked);
        if self.field_of_kind(
            src,
            "customer.resource.asked",
            &asked,
            &["string", "enum"],
            "request",
            request,
        ) {
            let names = request.iter().find(|f| f.wire_path == asked).map(|f| &f.enum_values);
            if let Some(names) = names.filter(|n| !n.is_empty() && !n.contains(&resource.value)) {
                let msg = format!(
                    "`{}` is not a value of `{asked}` ({})",
                    resource.value,
                    names.join(", ")
                );
                self.push(src.value("customer.resource.value", msg));
            }
        }
        let Some((list, _)) = token.split_once("[].") else {
            let msg = format!("a `resource` is one item of a list: `one_time_token` (`{token}`) must be inside one");
            self.push(src.value("customer.resource", msg));
            return;
        };
        let name = format!("{list}[].{}", resource.name);
        self.field_of_kind(
            src,
            "customer.resource.name",
            &name,
            &["string", "enum"],
            "response",
            response,
        );
    }

    /// Whether `path` is a field of `fields` of one of `kinds`; else says so at `at`.
    fn field_of_kind(
        &mut self,
        src: Src,
        at: &str,
        path: &str,
        kinds: &[&str],
        side: &str,
        fields: &[paths::FieldPath],
    ) -> bool {
        match self.field_row(src, at, path, side, fields) {
            None => false,
            Some(found) if !kinds.contains(&found.kind) => {
                let msg = format!(
                    "`{path}` must be of type `{}`; it is `{}`",
                    kinds.join("` or `"),
                    found.kind
                );
                self.push(src.value(at, msg));
                false
            }
            Some(_) => true,
        }
    }
}
