//! Status: how a money-moving endpoint asks its status endpoint about a request (`status_query`: where each
//! status request value comes from, which response field tells the outcome), and what a `status` endpoint of
//! a record reports for a paid record (`paid`). The status endpoint's own side of a query is checked across
//! files, in `references`.

use super::fields::request_has_path;
use super::{Lowering, Src, file_of, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{Endpoint, Field, ObjectType, Operation, QuerySource, StatusQuery, paths};
use crate::yaml::SpecSet;
use crate::yaml::raw::{self, QuerySourceSpec};

impl Lowering {
    /// The status query of a money-moving endpoint; its sources must name fields of this request (`None`: a
    /// request that lost a field to a problem, whose paths are not checked).
    pub(super) fn status_query(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        request: Option<&[Field]>,
    ) -> Option<StatusQuery> {
        let query = spec.status_query.as_ref()?;
        let Some(endpoint) = spec.status_endpoint.clone() else {
            self.push(src.value("status_query", "a status_query needs `status_endpoint`".into()));
            return None;
        };
        let mut sources = Vec::new();
        for (name, source) in &query.request.0 {
            if let Some(source) = self.query_source(src, &format!("status_query.request.{name}"), source, request) {
                sources.push((name.clone().into(), source));
            }
        }
        if query.success.is_empty() {
            self.push(src.value(
                "status_query.success",
                "name at least one value that means success".into(),
            ));
        }
        let texts = |values: &[String]| values.iter().map(|v| v.clone().into()).collect();
        Some(StatusQuery {
            endpoint: endpoint.into(),
            request: sources.into(),
            field: query.field.clone().into(),
            success: texts(&query.success),
            failed: texts(&query.failed),
            not_found: texts(&query.not_found),
        })
    }

    /// One status request value: a field of this request (`from`) or a constant (`value`), not both.
    fn query_source(
        &mut self,
        src: Src,
        path: &str,
        source: &QuerySourceSpec,
        request: Option<&[Field]>,
    ) -> Option<QuerySource> {
        match (&source.from, &source.value) {
            (Some(from), None) => match request {
                Some(request) if !request_has_path(request, from) => {
                    let d = src.value(&join(path, "from"), format!("`{from}` is not a field of this request"));
                    let help = did_you_mean(from, request.iter().map(|f| f.wire.as_str()));
                    self.push(with_help(d, help));
                }
                _ => return Some(QuerySource::From(from.clone().into())),
            },
            (None, Some(value)) => return Some(QuerySource::Value(value.clone().into())),
            _ => self.push(src.value(path, "give exactly one of `from` (a request field) or `value`".into())),
        }
        None
    }

    /// Each `paid` entry (on a `status` endpoint with a `record`) names a response field outside lists, once, with
    /// a value the field allows: the record holds it under that wire name, and the status answers it from there.
    pub(super) fn paid_fields(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        for endpoint in endpoints.iter().filter(|e| !e.paid.is_empty()) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            let src = Src::of(file);
            if endpoint.operation != Operation::Status || endpoint.record.is_none() {
                let msg = "`paid` goes with operation `status` and a `record`: it says how that status reports a \
                           paid record";
                self.push(src.at(src.positions.key("paid", 0), "paid", msg.into()));
                continue;
            }
            // Names in a response that lost a field to a problem may be that field: they are not checked.
            if !self.whole(types, &endpoint.response) {
                continue;
            }
            // The record's fields answer response fields by wire name at any depth, but not inside lists.
            let responses: Vec<paths::FieldPath> = paths::flatten_with(types, &endpoint.response)
                .into_iter()
                .filter(|r| !r.wire_path.contains("[]"))
                .collect();
            for (i, (name, value)) in endpoint.paid.iter().enumerate() {
                let nth = endpoint.paid[..i].iter().filter(|(n, _)| n == name).count();
                self.paid_entry(src, (name, value), nth, &responses);
            }
        }
    }

    /// One `paid` entry (the `nth` of its name) against the status endpoint's response fields outside lists.
    fn paid_entry(
        &mut self,
        src: Src,
        (name, value): (&String, &Option<String>),
        nth: usize,
        responses: &[paths::FieldPath],
    ) {
        let path = join("paid", name);
        if nth > 0 {
            let msg = format!("`{name}` is given twice");
            self.push(src.at(src.positions.key(&path, nth), &path, msg));
            return;
        }
        // A name alone is a field at any depth, stored at the top of the record; a dotted path (`transaction.status`,
        // where `order.status` is another field) is that field, stored at the same path.
        let last = |r: &paths::FieldPath| match name.contains('.') {
            true => r.wire_path.clone(),
            false => r.wire_path.rsplit('.').next().unwrap_or_default().to_owned(),
        };
        let Some(field) = responses.iter().find(|r| last(r) == *name) else {
            let msg = format!("`{name}` is not a response field here (lists are not looked into)");
            let d = src.at(src.positions.key(&path, 0), &path, msg);
            let known: Vec<String> = responses.iter().map(last).collect();
            self.push(with_help(d, did_you_mean(name, known.iter().map(String::as_str))));
            return;
        };
        let Some(value) = value else { return };
        if !field.enum_values.is_empty() && !field.enum_values.contains(value) {
            let msg = format!(
                "`{value}` is not a value of `{}` ({})",
                field.wire_path,
                field.enum_values.join(", ")
            );
            self.push(src.value(&path, msg));
        }
    }
}
