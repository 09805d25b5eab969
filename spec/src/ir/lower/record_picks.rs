//! `record_picks`: each names a list of objects of the response, a member of its items holding a name, and the
//! request field holding the names asked for (a list of them, or one). Paths are checked once the shared types
//! are resolved, at the value that is wrong, with the nearest known path as help.

use super::{Lowering, Src, file_of, join};
use crate::ir::{Endpoint, ObjectType, RecordPick, paths};
use crate::yaml::SpecSet;

/// The kinds of value a pick compares: names are strings.
const NAMES: [&str; 2] = ["string", "enum"];

impl Lowering {
    /// Every endpoint's `record_picks` name paths of the kinds they need.
    pub(super) fn record_pick_paths(&mut self, set: &SpecSet, types: &[ObjectType], endpoints: &[Endpoint]) {
        // Without a `record` the picks are refused as a whole (`no_record_names`), not path by path.
        let picking = |e: &&Endpoint| !e.record_picks.is_empty() && e.record.is_some();
        for endpoint in endpoints.iter().filter(picking) {
            let Some(file) = file_of(set, endpoint) else {
                continue;
            };
            // Paths into fields that lost one to a problem may name it: they are not checked.
            if !self.whole(types, &endpoint.request) || !self.whole(types, &endpoint.response) {
                continue;
            }
            let request = paths::flatten_with(types, &endpoint.request);
            let response = paths::flatten_with(types, &endpoint.response);
            for (i, pick) in endpoint.record_picks.iter().enumerate() {
                let at = format!("record_picks.{i}");
                self.picked_list(Src::of(file), &at, pick, &response);
                self.asked_names(Src::of(file), &at, pick, &request);
            }
        }
    }

    /// `list` is a response list outside lists, and `member` a string member of its items.
    fn picked_list(&mut self, src: Src, at: &str, pick: &RecordPick, response: &[paths::FieldPath]) {
        let Some(list) = self.field_row(src, &join(at, "list"), &pick.list, "response", response) else {
            return;
        };
        if list.kind != "list" {
            let msg = format!(
                "`{}` is {} {}, not a list of objects",
                pick.list,
                article(list.kind),
                list.kind
            );
            return self.push(src.value(&join(at, "list"), msg));
        }
        if pick.list.contains("[]") {
            let msg = format!("`{}` lies inside a list; a pick cuts a list outside lists", pick.list);
            return self.push(src.value(&join(at, "list"), msg));
        }
        let member = format!("{}[].{}", pick.list, pick.member);
        let Some(found) = self.field_row(src, &join(at, "member"), &member, "response", response) else {
            return;
        };
        if !NAMES.contains(&found.kind) {
            let msg = format!(
                "`{member}` is {} {}; a pick compares names (strings)",
                article(found.kind),
                found.kind
            );
            self.push(src.value(&join(at, "member"), msg));
        }
    }

    /// `asked` is a request list of strings, or a string.
    fn asked_names(&mut self, src: Src, at: &str, pick: &RecordPick, request: &[paths::FieldPath]) {
        let at = join(at, "asked");
        let Some(asked) = self.field_row(src, &at, &pick.asked, "request", request) else {
            return;
        };
        let items = format!("{}[]", pick.asked);
        let what = match asked.kind {
            "list" => match request.iter().find(|f| f.wire_path == items) {
                Some(item) if NAMES.contains(&item.kind) => return,
                Some(item) => format!("a list of {} values", item.kind),
                None => "a list of objects".to_owned(),
            },
            kind if NAMES.contains(&kind) => return,
            kind => format!("{} {kind}", article(kind)),
        };
        let msg = format!(
            "`{}` is {what}; the names asked for are strings (a list of them, or one)",
            pick.asked
        );
        self.push(src.value(&at, msg));
    }
}

/// "a" or "an" before a kind's name.
fn article(kind: &str) -> &'static str {
    match kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        true => "an",
        false => "a",
    }
}
