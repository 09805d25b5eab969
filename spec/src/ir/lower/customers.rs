//! `customer:` of an endpoint: its part in the provider's world of simulated customers (see `ir::world`).
//!
//! Two passes, like records: the shape with the endpoint (a known act, the keys that act needs and no others, codes
//! the endpoint declares, a token header it has), and the wire paths once shared types are resolved
//! (`customer_paths`: request and response fields of the right kind).

use super::rules::RuleCheck;
use super::{Lowering, Src, file_of, join, with_help};
use crate::diagnostic::did_you_mean;
use crate::ir::{
    Consent, CustomerAct, CustomerCodes, CustomerUse, Endpoint, EndpointCode, Field, ObjectType, OneTimeResource,
    TokenPlace, When, paths,
};
use crate::yaml::SpecSet;
use crate::yaml::raw;
use snapbi_descriptor::Standard;
use snapbi_rules::conditional::path as wire_path;

/// The acts that find the customer by a customer token.
const TOKEN_ACTS: &[CustomerAct] = &[
    CustomerAct::Balance,
    CustomerAct::Pay,
    CustomerAct::Unbind,
    CustomerAct::Identify,
    CustomerAct::History,
];

/// The keys of `customer:` besides `act`, and the acts each goes with.
const KEYS: [(&str, &[CustomerAct]); 9] = [
    ("phone", &[CustomerAct::Bind]),
    ("consent", &[CustomerAct::Bind]),
    ("code", &[CustomerAct::Bind]),
    ("token", TOKEN_ACTS),
    ("balance", &[CustomerAct::Balance]),
    ("one_time_token", &[CustomerAct::Identify]),
    ("resource", &[CustomerAct::Identify]),
    ("page_token", &[CustomerAct::Pay]),
    ("history", &[CustomerAct::History]),
];

/// What each act must name: a key, or a code of `codes`, and why. A `pay` needs a token or a page token, and its
/// codes with a token only (see `pay_needs`).
const NEEDS: [(CustomerAct, &str, &str); 14] = [
    (
        CustomerAct::Bind,
        "phone",
        "the request field holding the customer's phone number",
    ),
    (CustomerAct::Bind, "consent", "the consent page: `{ page, approved }`"),
    (
        CustomerAct::Bind,
        "codes.not_found",
        "the code for a phone number no customer has",
    ),
    (CustomerAct::Balance, "token", "where the customer token travels"),
    (
        CustomerAct::Balance,
        "balance",
        "the response field answered with the balance",
    ),
    (
        CustomerAct::Balance,
        "codes.invalid_token",
        "the code for a refused customer token",
    ),
    (CustomerAct::Unbind, "token", "where the customer token travels"),
    (CustomerAct::Identify, "token", "where the customer token travels"),
    (
        CustomerAct::Identify,
        "codes.invalid_token",
        "the code for a refused customer token",
    ),
    (
        CustomerAct::Unbind,
        "codes.invalid_token",
        "the code for a refused customer token",
    ),
    (CustomerAct::History, "token", "where the customer token travels"),
    (
        CustomerAct::History,
        "history",
        "where the request asks and the answer lists: `{ list, item }`",
    ),
    (
        CustomerAct::History,
        "codes.invalid_token",
        "the code for a refused customer token",
    ),
    (
        CustomerAct::Pay,
        "token|page_token",
        "where the customer token travels, or the page's query parameter naming the customer",
    ),
];

/// What a `pay` that takes a customer token in the call must name besides.
const PAY_WITH_TOKEN_NEEDS: [(&str, &str); 2] = [
    ("codes.insufficient_funds", "the code for a payment above the balance"),
    ("codes.invalid_token", "the code for a refused customer token"),
];

/// The codes each act may answer.
const CODES: [(&str, &[CustomerAct]); 4] = [
    ("not_found", &[CustomerAct::Bind]),
    (
        "frozen",
        &[
            CustomerAct::Bind,
            CustomerAct::Balance,
            CustomerAct::Pay,
            CustomerAct::Identify,
            CustomerAct::History,
        ],
    ),
    ("insufficient_funds", &[CustomerAct::Pay]),
    ("invalid_token", TOKEN_ACTS),
];

impl Lowering {
    /// The endpoint's `customer`, checked against its own headers and codes; none when absent or unknown.
    pub(super) fn customer_use(
        &mut self,
        src: Src,
        spec: &raw::EndpointFile,
        headers: &[Field],
        codes: &[EndpointCode],
    ) -> Option<CustomerUse> {
        let given = spec.customer.as_ref()?;
        let act = self.customer_act(src, &given.act)?;
        // An envelope's call can tell its customer by the token in its head and refuse an unknown one with a result
        // code of its own; the other acts answer in SNAP's fields and codes.
        let identifies_in_envelope = spec.envelope.is_some() && act == CustomerAct::Identify;
        if !identifies_in_envelope && (spec.envelope.is_some() || !spec.result_codes.is_empty()) {
            let msg = "customers answer with SNAP codes; an endpoint in an `envelope` (but for `act: identify`) or \
                       answering `result_codes` cannot take part";
            self.push(src.value("customer", msg.into()));
            return None;
        }
        self.customer_keys(src, given, act);
        if act == CustomerAct::Pay && spec.operation.as_deref() != Some("payment") {
            let msg = "`act: pay` debits a payment's amount: it goes with `operation: payment`";
            self.push(src.value("customer.act", msg.into()));
        }
        let token = given.token.as_ref().and_then(|t| self.token_place(src, t, headers));
        let consent = given.consent.as_ref().map(|c| Consent {
            page: c.page.clone(),
            approved: c.approved.clone(),
            rejected: c.rejected.clone(),
            code_param: c.code_param.clone(),
        });
        if act == CustomerAct::Bind && given.code.is_none() && consent.as_ref().is_some_and(|c| c.code_param.is_none())
        {
            let msg = "the authorization code must reach the merchant: name `code` (a response field) or \
                       `consent.code_param` (a query parameter of the approved URL)";
            self.push(src.value("customer.consent", msg.into()));
        }
        if given.resource.is_some() && given.one_time_token.is_none() {
            let msg = "`resource` says when the one-time token is answered: name it with `one_time_token`";
            self.push(src.value("customer.resource", msg.into()));
        }
        if given.page_token.as_ref().is_some_and(|p| p.trim().is_empty()) {
            self.push(src.value("customer.page_token", "name the query parameter".into()));
        }
        let history = given.history.as_ref().map(|h| self.customer_history(src, h));
        if given.when.as_ref().is_some_and(|w| w.is.is_empty()) {
            self.push(src.value("customer.when.is", "`is` needs at least one value".into()));
        }
        Some(CustomerUse {
            act,
            when: given.when.as_ref().map(|w| When {
                field: wire_path(&w.field),
                is: w.is.iter().cloned().map(Into::into).collect::<Vec<_>>().into(),
            }),
            phone: given.phone.clone(),
            consent,
            code: given.code.clone(),
            token,
            balance: given.balance.clone(),
            one_time_token: given.one_time_token.clone(),
            resource: given.resource.as_ref().map(|r| OneTimeResource {
                asked: r.asked.clone(),
                name: r.name.clone(),
                value: r.value.clone(),
            }),
            page_token: given.page_token.clone(),
            history,
            codes: self.customer_codes(src, given.codes.as_ref(), act, codes, spec.result_codes.is_empty()),
        })
    }

    fn customer_act(&mut self, src: Src, act: &str) -> Option<CustomerAct> {
        let found = CustomerAct::ALL.iter().find(|(n, _)| *n == act).map(|(_, a)| *a);
        if found.is_none() {
            let known = CustomerAct::ALL.map(|(n, _)| n);
            let d = src.value(
                "customer.act",
                format!("unknown act `{act}`, expected one of {}", known.join(", ")),
            );
            self.push(with_help(d, did_you_mean(act, known)));
        }
        found
    }

    /// Each key goes with the acts that use it, and each act has what it needs.
    fn customer_keys(&mut self, src: Src, given: &raw::CustomerSpec, act: CustomerAct) {
        let present = |key: &str| match key {
            "phone" => given.phone.is_some(),
            "consent" => given.consent.is_some(),
            "code" => given.code.is_some(),
            "token" => given.token.is_some(),
            "balance" => given.balance.is_some(),
            "one_time_token" => given.one_time_token.is_some(),
            "resource" => given.resource.is_some(),
            "page_token" => given.page_token.is_some(),
            "history" => given.history.is_some(),
            "token|page_token" => given.token.is_some() || given.page_token.is_some(),
            _ => code_of(given.codes.as_ref(), key.trim_start_matches("codes.")).is_some(),
        };
        for (key, acts) in KEYS {
            if present(key) && !acts.contains(&act) {
                let msg = format!("`{key}` goes with `act: {}`, not `act: {}`", names(acts), act.as_str());
                self.push(src.value(&join("customer", key), msg));
            }
        }
        let with_token = act == CustomerAct::Pay && given.token.is_some();
        let needs = NEEDS.iter().map(|(a, key, why)| (*a, *key, *why));
        let pay_needs = PAY_WITH_TOKEN_NEEDS.iter().filter(|_| with_token);
        let needs = needs.chain(pay_needs.map(|(key, why)| (CustomerAct::Pay, *key, *why)));
        for (_, key, why) in needs.filter(|(a, key, _)| *a == act && !present(key)) {
            let key = key.replace('|', "` or `");
            let msg = format!("`act: {}` needs `{key}`: {why}", act.as_str());
            self.push(src.value("customer", msg));
        }
    }

    /// A token travels in one place: a header of the endpoint's, or a request field (checked with the paths).
    fn token_place(&mut self, src: Src, token: &raw::TokenPlaceSpec, headers: &[Field]) -> Option<TokenPlace> {
        match (&token.header, &token.field) {
            (Some(header), None) => {
                let known = headers.iter().any(|h| h.wire.eq_ignore_ascii_case(header));
                if !known {
                    let d = src.value(
                        "customer.token.header",
                        format!("`{header}` is not a header of the endpoint"),
                    );
                    self.push(with_help(
                        d,
                        did_you_mean(header, headers.iter().map(|h| h.wire.as_str())),
                    ));
                }
                Some(TokenPlace::Header(header.clone()))
            }
            (None, Some(field)) => Some(TokenPlace::Field(field.clone())),
            _ => {
                let msg = "name one place: `{ header: <name> }` or `{ field: <request field> }`";
                self.push(src.value("customer.token", msg.into()));
                None
            }
        }
    }

    /// The codes, each one the endpoint declares and for a situation its act meets.
    fn customer_codes(
        &mut self,
        src: Src,
        given: Option<&raw::CustomerCodesSpec>,
        act: CustomerAct,
        declared: &[EndpointCode],
        snap: bool,
    ) -> CustomerCodes {
        // The list the codes come from, by the name the endpoint file gives it.
        let list = if snap { "codes" } else { "result_codes" };
        let mut out = CustomerCodes::default();
        for (situation, acts) in CODES {
            let Some(code) = code_of(given, situation) else {
                continue;
            };
            let at = format!("customer.codes.{situation}");
            if !acts.contains(&act) {
                let msg = format!("`act: {}` never answers `{situation}`", act.as_str());
                self.push(src.value(&at, msg));
                continue;
            }
            if !declared.iter().any(|c| c.code == code) {
                let d = src.value(&at, format!("{code} is not one of the endpoint's `{list}`"));
                self.push(with_help(
                    d,
                    did_you_mean(code, declared.iter().map(|c| c.code.as_str())),
                ));
                continue;
            }
            let slot = match situation {
                "not_found" => &mut out.not_found,
                "frozen" => &mut out.frozen,
                "insufficient_funds" => &mut out.insufficient_funds,
                _ => &mut out.invalid_token,
            };
            *slot = Some(code.to_owned());
        }
        out
    }

    /// The wire paths of every endpoint's `customer`: request and response fields of the kind each needs.
    pub(super) fn customer_paths(
        &mut self,
        set: &SpecSet,
        types: &[ObjectType],
        endpoints: &[Endpoint],
        standard: &Standard,
    ) {
        for endpoint in endpoints {
            let (Some(world), Some(file)) = (&endpoint.customer, file_of(set, endpoint)) else {
                continue;
            };
            // Paths into fields that lost one to a problem may name it: they are not checked.
            if !self.whole(types, &endpoint.response) || !self.whole(types, &endpoint.request) {
                continue;
            }
            let src = Src::of(file);
            let request = paths::flatten_with(types, &endpoint.request);
            let response = paths::flatten_with(types, &endpoint.response);
            let consent = world.consent.as_ref();
            let field = match &world.token {
                Some(TokenPlace::Field(field)) => Some(field),
                _ => None,
            };
            let named: [(&str, Option<&String>, bool); 6] = [
                ("customer.phone", world.phone.as_ref(), true),
                ("customer.consent.page", consent.map(|c| &c.page), false),
                ("customer.consent.approved", consent.map(|c| &c.approved), true),
                (
                    "customer.consent.rejected",
                    consent.and_then(|c| c.rejected.as_ref()),
                    true,
                ),
                ("customer.code", world.code.as_ref(), false),
                ("customer.token.field", field, true),
            ];
            for (at, path, in_request) in named {
                let (fields, side) = match in_request {
                    true => (&request, "request"),
                    false => (&response, "response"),
                };
                if let Some(path) = path {
                    self.string_path(src, at, path, side, fields);
                }
            }
            if let Some(balance) = &world.balance {
                self.amount_path(src, balance, &response);
            }
            if let Some(token) = &world.one_time_token {
                self.one_time_token_path(src, token, &response);
                if let Some(resource) = &world.resource {
                    self.one_time_resource_paths(src, token, resource, &request, &response);
                }
            }
            if let Some(history) = &world.history {
                self.history_paths(src, history, &request, &response, standard);
            }
            if let Some(when) = &world.when {
                let mut check = RuleCheck::new(src, &request, true);
                check.condition("customer.when", when, false);
                self.diagnostics.extend(check.out);
            }
        }
    }

    /// `path` is a string field of `fields` outside lists.
    fn string_path(&mut self, src: Src, at: &str, path: &str, side: &str, fields: &[paths::FieldPath]) {
        let found = self.field_row(src, at, path, side, fields);
        if let Some(found) = found.filter(|f| f.kind != "string" || path.contains("[]")) {
            let msg = format!("`{path}` must be a string outside lists; it is {}", found.kind);
            self.push(src.value(at, msg));
        }
    }

    /// `path` is an amount object of the response: it has `value` and `currency` members; or it lies inside a free-form
    /// (`json`) field, whose members are the provider's to document in its doc (DANA's `accountInfos`).
    fn amount_path(&mut self, src: Src, path: &str, fields: &[paths::FieldPath]) {
        let at = "customer.balance";
        if inside_free_form(path, fields) {
            if path.matches("[]").count() > 1 {
                let msg = format!("`{path}` must be at most one list deep");
                self.push(src.value(at, msg));
            }
            return;
        }
        if !fields.iter().any(|f| f.wire_path == path) {
            let d = src.value(at, format!("`{path}` is not a response field"));
            let known = fields.iter().map(|f| f.wire_path.as_str());
            self.push(with_help(d, did_you_mean(path, known)));
            return;
        }
        let member = |name: &str| fields.iter().any(|f| f.wire_path == format!("{path}.{name}"));
        if !member("value") || !member("currency") || path.matches("[]").count() > 1 {
            let msg =
                format!("`{path}` must be an amount (an object with `value` and `currency`), at most one list deep");
            self.push(src.value(at, msg));
        }
    }
}

/// Whether a proper prefix of `path` (`accountInfos` of `accountInfos[].amount`) is a free-form (`json`) field.
fn inside_free_form(path: &str, fields: &[paths::FieldPath]) -> bool {
    let cuts = path.match_indices(['.', '[']).map(|(i, _)| i);
    cuts.map(|i| &path[..i])
        .any(|prefix| fields.iter().any(|f| f.wire_path == prefix && f.kind == "json"))
}

/// The code `situation` names in `codes`.
fn code_of<'c>(codes: Option<&'c raw::CustomerCodesSpec>, situation: &str) -> Option<&'c str> {
    let codes = codes?;
    let code = match situation {
        "not_found" => &codes.not_found,
        "frozen" => &codes.frozen,
        "insufficient_funds" => &codes.insufficient_funds,
        "invalid_token" => &codes.invalid_token,
        _ => &None,
    };
    code.as_ref().map(|d| d.0.as_str())
}

/// `bind` or `balance, pay, unbind`.
fn names(acts: &[CustomerAct]) -> String {
    acts.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(" | ")
}
