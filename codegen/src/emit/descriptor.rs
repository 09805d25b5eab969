//! The run-time descriptions of `snapbi-descriptor` (endpoint infos, header sources, recipes, envelopes, status
//! queries, cross-field rules, code tables, the standard's facts) as `'static` Rust values: the IR holds the
//! same types, so each is written field by field with borrowed text, and nothing is mapped between parallel
//! models.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::auth_ident;
use crate::ir::{
    Algorithm, Case, CodeTables, Encoding, EndpointInfo, Envelope, Enveloped, HeaderSource, Idempotency, Part, Path,
    QuerySource, Recipe, Results, Rule, SignedAnswer, Standard, StatusQuery, StatusValue, TransactionStatus, When,
};

/// `rt::Cow::Borrowed("…")`.
pub(crate) fn text(value: &str) -> TokenStream {
    quote!(rt::Cow::Borrowed(#value))
}

fn option_text(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => {
            let value = text(value);
            quote!(Some(#value))
        }
        None => quote!(None),
    }
}

/// `rt::Cow::Borrowed(&[…])` of already written items.
fn list(items: impl Iterator<Item = TokenStream>) -> TokenStream {
    quote!(rt::Cow::Borrowed(&[#(#items),*]))
}

/// `rt::EndpointInfo { … }`: what the runtime needs to call one endpoint, its envelope named.
pub(crate) fn endpoint_info(info: &EndpointInfo) -> TokenStream {
    let [id, provider, method, path, service_code, summary] = [
        &info.id,
        &info.provider,
        &info.method,
        &info.path,
        &info.service_code,
        &info.summary,
    ]
    .map(|t| text(t));
    let auth = auth_ident(info.auth);
    let envelope = match &info.envelope {
        Some(Enveloped { envelope, function }) => {
            let (envelope, function) = (text(envelope), text(function));
            quote!(Some(rt::Enveloped { envelope: #envelope, function: #function }))
        }
        None => quote!(None),
    };
    let status_field = match &info.status_field {
        Some(field) => {
            let field = wire_path(field);
            quote!(Some(#field))
        }
        None => quote!(None),
    };
    quote! {
        rt::EndpointInfo {
            id: #id,
            provider: #provider,
            method: #method,
            path: #path,
            service_code: #service_code,
            auth: rt::AuthKind::#auth,
            summary: #summary,
            envelope: #envelope,
            status_field: #status_field,
        }
    }
}

/// A wire path as its segments.
fn wire_path(p: &Path) -> TokenStream {
    list(p.iter().map(|segment| text(segment)))
}

/// `rt::Results { … }`: where a provider's own JSON answers carry their code and message.
pub(crate) fn results(r: &Results) -> TokenStream {
    let (code, message) = (
        list(r.code.iter().map(wire_path)),
        list(r.message.iter().map(wire_path)),
    );
    quote!(rt::Results { code: #code, message: #message })
}

/// `rt::Idempotency { … }`: the header of a provider's idempotency key and the status a repeat is answered with.
pub(crate) fn idempotency(i: &Idempotency) -> TokenStream {
    let header = text(&i.header);
    let replay_status = match i.replay_status {
        Some(status) => quote!(Some(#status)),
        None => quote!(None),
    };
    quote!(rt::Idempotency { header: #header, replay_status: #replay_status })
}

pub(crate) fn header_source(source: &HeaderSource) -> TokenStream {
    let variant = match source {
        HeaderSource::Value(value) => return quote!(rt::HeaderSource::value(#value)),
        HeaderSource::Template(pieces) => {
            let pieces = list(pieces.iter().map(header_source));
            return quote!(rt::HeaderSource::Template(#pieces));
        }
        HeaderSource::RequestId => "RequestId",
        HeaderSource::BasicSecret => "BasicSecret",
        HeaderSource::ClientId => "ClientId",
        HeaderSource::ExternalId => "ExternalId",
        HeaderSource::ChannelId => "ChannelId",
        HeaderSource::Timestamp => "Timestamp",
        HeaderSource::Signature => "Signature",
        HeaderSource::BearerToken => "BearerToken",
        HeaderSource::Function => "Function",
        HeaderSource::ClientSecret => "ClientSecret",
    };
    let variant = format_ident!("{variant}");
    quote!(rt::HeaderSource::#variant)
}

pub(crate) fn recipe(recipe: &Recipe) -> TokenStream {
    let algorithm = format_ident!(
        "{}",
        match recipe.algorithm {
            Algorithm::HmacSha512 => "HmacSha512",
            Algorithm::HmacSha256 => "HmacSha256",
            Algorithm::RsaSha256 => "RsaSha256",
        }
    );
    let parts = list(recipe.parts.iter().map(part));
    let encoding = format_ident!(
        "{}",
        match recipe.encoding {
            Encoding::Base64 => "Base64",
            Encoding::Hex => "Hex",
        }
    );
    quote!(rt::Recipe { algorithm: rt::Algorithm::#algorithm, parts: #parts, encoding: rt::Encoding::#encoding })
}

fn part(part: &Part) -> TokenStream {
    let variant = match part {
        Part::Literal(value) => {
            let value: &str = value;
            return quote!(rt::Part::literal(#value));
        }
        Part::Method => "Method",
        Part::Path => "Path",
        Part::Token => "Token",
        Part::BodySha256 => "BodySha256",
        Part::Timestamp => "Timestamp",
        Part::ClientId => "ClientId",
        Part::Body => "Body",
        Part::RequestId => "RequestId",
        Part::BodyDigest => "BodyDigest",
        Part::IfBody => "IfBody",
        Part::EndIf => "EndIf",
    };
    let variant = format_ident!("{variant}");
    quote!(rt::Part::#variant)
}

/// `rt::SignedAnswer { … }`: the headers of a signed answer and the recipe over them.
pub(crate) fn signed_answer(answer: &SignedAnswer) -> TokenStream {
    let headers = list(answer.headers.iter().map(|(name, source)| {
        let (name, source) = (text(name), header_source(source));
        quote!((#name, #source))
    }));
    let recipe = recipe(&answer.recipe);
    quote!(rt::SignedAnswer { headers: #headers, recipe: #recipe })
}

pub(crate) fn envelope(e: &Envelope) -> TokenStream {
    let [
        name,
        request,
        response,
        signature_member,
        head_member,
        body_member,
        result,
        status,
        code,
        message,
    ] = [
        &e.name,
        &e.request_member,
        &e.response_member,
        &e.signature_member,
        &e.head_member,
        &e.body_member,
        &e.result,
        &e.result_status,
        &e.result_code,
        &e.result_message,
    ]
    .map(|t| text(t));
    let (doc, code_id) = (option_text(e.doc.as_deref()), option_text(e.result_code_id.as_deref()));
    let head = list(e.head.iter().map(|(member, source)| {
        let (member, source) = (text(member), header_source(source));
        quote!((#member, #source))
    }));
    let limits = list(e.head_max_length.iter().map(|(member, max)| {
        let member = text(member);
        quote!((#member, #max))
    }));
    let signature = recipe(&e.signature);
    let [malformed, client, bad_signature] =
        [&e.refusals.malformed, &e.refusals.client, &e.refusals.signature].map(|t| text(t));
    quote! {
        rt::Envelope {
            name: #name,
            doc: #doc,
            request_member: #request,
            response_member: #response,
            signature_member: #signature_member,
            head_member: #head_member,
            body_member: #body_member,
            head: #head,
            head_max_length: #limits,
            signature: #signature,
            result: #result,
            result_status: #status,
            result_code: #code,
            result_message: #message,
            result_code_id: #code_id,
            refusals: rt::Refusals { malformed: #malformed, client: #client, signature: #bad_signature },
        }
    }
}

pub(crate) fn status_query(query: &StatusQuery) -> TokenStream {
    let endpoint = text(&query.endpoint);
    let request = list(query.request.iter().map(|(name, source)| {
        let name = text(name);
        let source = match source {
            QuerySource::From(path) => {
                let path = text(path);
                quote!(rt::QuerySource::From(#path))
            }
            QuerySource::Value(value) => {
                let value = text(value);
                quote!(rt::QuerySource::Value(#value))
            }
        };
        quote!((#name, #source))
    }));
    let field = text(&query.field);
    let [success, failed, not_found] =
        [&query.success, &query.failed, &query.not_found].map(|values| list(values.iter().map(|v| text(v))));
    quote! {
        rt::StatusQuery {
            endpoint: #endpoint,
            request: #request,
            field: #field,
            success: #success,
            failed: #failed,
            not_found: #not_found,
        }
    }
}

/// The code tables, with each provider's own service codes.
pub(crate) fn code_tables(tables: &CodeTables) -> TokenStream {
    let services = list(tables.services.iter().map(|s| {
        let (code, name, path) = (text(&s.code), text(&s.name), option_text(s.path.as_deref()));
        quote!(rt::ServiceCode { code: #code, name: #name, path: #path })
    }));
    let cases = list(tables.cases.iter().map(|c| {
        let http = Literal::u16_unsuffixed(c.http);
        let (case, name, message) = (text(&c.case), text(&c.name), text(&c.message));
        let outcome = super::outcome_ident(c.outcome);
        let overrides = list(c.outcome_by_service.iter().map(|(service, o)| {
            let (service, o) = (text(service), super::outcome_ident(*o));
            quote!((#service, rt::Outcome::#o))
        }));
        quote! {
            rt::CaseCode {
                http: #http, case: #case, name: #name, message: #message,
                outcome: rt::Outcome::#outcome, outcome_by_service: #overrides,
            }
        }
    }));
    let provider_services = list(tables.provider_services.iter().map(|s| {
        let [provider, code, name, note] = [&s.provider, &s.code, &s.name, &s.note].map(|t| text(t));
        let path = option_text(s.path.as_deref());
        quote!(rt::ProviderServiceCode { provider: #provider, code: #code, name: #name, path: #path, note: #note })
    }));
    quote!(rt::CodeTables { services: #services, cases: #cases, provider_services: #provider_services })
}

/// A cross-field rule of a request (`rules:`), its paths as segments.
pub(crate) fn rule(rule: &Rule) -> TokenStream {
    let path = wire_path;
    let paths = |ps: &[Path]| list(ps.iter().map(path));
    let when = |w: &When| {
        let (field, is) = (path(&w.field), list(w.is.iter().map(|v| text(v))));
        quote!(rt::When { field: #field, is: #is })
    };
    let bound = |b: &Option<u32>| match b {
        Some(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    match rule {
        Rule::OneOf { fields } => {
            let fields = paths(fields);
            quote!(rt::Rule::OneOf { fields: #fields })
        }
        Rule::Require { when: w, fields } => {
            let (w, fields) = (when(w), paths(fields));
            quote!(rt::Rule::Require { when: #w, fields: #fields })
        }
        Rule::Limit {
            when: w,
            field,
            min_length,
            max_length,
        } => {
            let (w, field, min, max) = (when(w), path(field), bound(min_length), bound(max_length));
            quote!(rt::Rule::Limit { when: #w, field: #field, min_length: #min, max_length: #max })
        }
        Rule::Allow { when: w, field, values } => {
            let (w, field, values) = (when(w), path(field), list(values.iter().map(|v| text(v))));
            quote!(rt::Rule::Allow { when: #w, field: #field, values: #values })
        }
    }
}

/// `STANDARD`: the standard's facts the runtime acts on.
pub(crate) fn standard(standard: &Standard) -> TokenStream {
    let cases = list(standard.cases.iter().map(|(situation, c)| {
        let situation = enum_variant(&format!("{situation:?}"));
        let c = case(c);
        quote!((rt::Situation::#situation, #c))
    }));
    let lifetime = Literal::u32_unsuffixed(standard.token_lifetime_seconds);
    let unrouted = text(&standard.unrouted_service_code);
    let [refresh, never_seen] =
        [&standard.refresh_token_on, &standard.never_seen].map(|cases| list(cases.iter().map(case)));
    let limits = list(standard.header_max_length.iter().map(|(source, max)| {
        let source = header_source(source);
        quote!((#source, #max))
    }));
    let status = transaction_status(&standard.transaction_status);
    let credentials = list(standard.credential_members.iter().map(|m| text(m)));
    quote! {
        /// The SNAP standard's facts the runtime acts on (`specs/common/standard.yaml`): the case each situation
        /// is answered with, the token's lifetime and refresh cases, never-seen cases, header lengths and
        /// `latestTransactionStatus`.
        pub static STANDARD: rt::Standard = rt::Standard {
            cases: #cases,
            token_lifetime_seconds: #lifetime,
            refresh_token_on: #refresh,
            never_seen: #never_seen,
            unrouted_service_code: #unrouted,
            header_max_length: #limits,
            transaction_status: #status,
            credential_members: #credentials,
        };
    }
}

fn case(c: &Case) -> TokenStream {
    let (http, code, message) = (c.http, text(&c.case), text(&c.message));
    quote!(rt::Case { http: #http, case: #code, message: #message })
}

fn transaction_status(status: &TransactionStatus) -> TokenStream {
    let values = list(status.values.iter().map(|StatusValue { code, name, is_final }| {
        let (code, name) = (text(code), text(name));
        quote!(rt::StatusValue { code: #code, name: #name, is_final: #is_final })
    }));
    let initial = text(&status.initial);
    let transitions = list(status.transitions.iter().map(|(action, t)| {
        let action = enum_variant(&format!("{action:?}"));
        let from = list(t.from.iter().map(|f| text(f)));
        let to = text(&t.to);
        quote!((rt::Action::#action, rt::Transition { from: #from, to: #to }))
    }));
    quote!(rt::TransactionStatus { values: #values, initial: #initial, transitions: #transitions })
}

/// A unit variant by its `Debug` name (`Situation` and `Action` have only unit variants).
fn enum_variant(name: &str) -> proc_macro2::Ident {
    format_ident!("{name}")
}
