//! One module per endpoint: its static description, path parameters, request, headers, response and response
//! codes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::objects::{Place, object, object_with, received_object};
use super::{Cx, docs, ident, outcome_ident};
use crate::ir::{Direction, Endpoint};

/// `pub mod <endpoint> { … }`.
pub(crate) fn endpoint_module(cx: &Cx, e: &Endpoint) -> TokenStream {
    let rt = cx.rt;
    let module = ident(&e.module);
    let module_doc = docs(
        Some(&e.info.summary),
        &[
            e.doc.clone().unwrap_or_default().trim().to_owned(),
            format!(
                "`{} {}` · {}{} signature · spec `{}`",
                e.info.method,
                e.info.path,
                // Only SNAP endpoints have a service code; an envelope's or a provider's own JSON has none to show.
                match e.info.service_code.is_empty() {
                    true => String::new(),
                    false => format!("service code {} · ", e.info.service_code),
                },
                e.info.auth.as_str(),
                e.file
            ),
        ],
    );
    let info = endpoint_info(e);
    let (rules, rules_attr) = cross_rules(e);
    // A bodiless endpoint (a GET) has no request type: its method takes none.
    let request = e.has_body().then(|| {
        object_with(
            cx,
            "Request",
            Some(&format!("Request body of `{}`.", e.info.id)),
            &e.request,
            "",
            Place {
                depth: 2,
                received: false,
            },
            rules_attr,
        )
    });
    let params = params(cx, e);
    let headers = headers(cx, e);
    let response = response(cx, e);
    let codes = codes(cx, e);
    let status_query = status_query(cx, e);
    quote! {
        #module_doc
        pub mod #module {
            use #rt as rt;
            #info
            #status_query
            #rules
            #params
            #request
            #headers
            #response
            #codes
        }
    }
}

/// `RULES`, the request's cross-field rules, and the attribute that makes `build()` check them; nothing
/// when the spec has none.
fn cross_rules(e: &Endpoint) -> (TokenStream, TokenStream) {
    if e.rules.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let rules = e.rules.iter().map(super::descriptor::rule);
    let doc = format!(
        " Rules across the fields of `{}`'s request, checked by `build()` (spec `rules`).",
        e.info.id
    );
    (
        quote! {
            #[doc = #doc]
            pub static RULES: &[rt::Rule] = &[#(#rules),*];
        },
        quote!(#[rules(RULES)]),
    )
}

fn endpoint_info(e: &Endpoint) -> TokenStream {
    let info = super::descriptor::endpoint_info(&e.info);
    quote! {
        /// What the runtime needs to call this endpoint.
        pub static ENDPOINT: rt::EndpointInfo = #info;
    }
}

/// The caller-supplied headers, as a validated `Headers` type, when the endpoint has any.
fn headers(cx: &Cx, e: &Endpoint) -> TokenStream {
    if e.headers.is_empty() {
        return quote!();
    }
    let doc = format!(
        "Caller-supplied headers of `{}` (the runtime adds the signature, timestamp and ids).",
        e.info.id
    );
    object(
        cx,
        "Headers",
        Some(&doc),
        &e.headers,
        "Headers",
        Place {
            depth: 2,
            received: false,
        },
    )
}

/// The path parameters, as a validated `Params` type, when the endpoint's path has any: each value is checked by
/// its field's rules when built, and filled into the path (percent-encoded) by the runtime.
fn params(cx: &Cx, e: &Endpoint) -> TokenStream {
    if e.params.is_empty() {
        return quote!();
    }
    let doc = format!(
        "Path parameters of `{}`: the values of the placeholders of `{}`.",
        e.info.id, e.info.path
    );
    object(
        cx,
        "Params",
        Some(&doc),
        &e.params,
        "Params",
        Place {
            depth: 2,
            received: false,
        },
    )
}

fn codes(cx: &Cx, e: &Endpoint) -> TokenStream {
    // A service code outside the SNAP table is named, so a reader of `2000000` sees whose code it is.
    let service = match cx.api.codes.provider_service(&e.info.provider, &e.info.service_code) {
        Some(own) => {
            let title = cx
                .api
                .provider(&e.info.provider)
                .map_or(e.info.provider.as_ref(), |p| p.title.as_str());
            format!(
                "service code {}, {}: {title}'s own code, not in the SNAP table",
                e.info.service_code, own.name
            )
        }
        None if !e.info.service_code.is_empty() => format!("service code {}", e.info.service_code),
        // Not SNAP: the codes are names the provider answers in its envelope or its own JSON.
        None if e.info.envelope.is_some() => "result codes of its envelope".to_owned(),
        None => "codes of the provider's own JSON, each with its HTTP status".to_owned(),
    };
    let runtime = cx.derive_runtime();
    let doc = docs(
        Some(&format!("Response codes `{}` declares ({service}).", e.info.id)),
        &[],
    );
    let variants = e.codes.iter().map(|c| {
        let name = format_ident!("{}", c.name);
        let (code, message) = (&c.code, &c.message);
        let outcome = outcome_ident(c.outcome);
        let doc = docs(c.doc.as_deref(), &[]);
        quote! { #doc #[code(#code, #outcome, #message)] #name, }
    });
    let sensitive = crate::ir::paths::sensitive_keys(cx.api, e);
    let sensitive = (!sensitive.is_empty()).then(|| quote!(#[sensitive(#(#sensitive),*)]));
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, rt::ResponseCodes)]
        #runtime
        #sensitive
        pub enum Code {
            #(#variants)*
            /// A code the spec does not declare, kept as received. Match declared variants and `_`: a later
            /// spec may give this code a variant of its own.
            Unknown(rt::ResponseCode),
        }
    }
}

/// `STATUS_QUERY`: how the client asks the status endpoint about a request whose outcome it did not see.
fn status_query(cx: &Cx, e: &Endpoint) -> TokenStream {
    let Some(query) = &e.status_query else { return quote!() };
    let Some(status) = cx.api.endpoint(&query.endpoint) else {
        return quote!();
    };
    let module = ident(&status.module);
    let query = super::descriptor::status_query(query);
    let doc = docs(
        Some(&format!(
            "How the client asks `{}` about a request of this endpoint whose answer it did not see.",
            status.info.id
        )),
        &[],
    );
    quote! {
        #doc
        pub static STATUS_QUERY: rt::StatusCheck = rt::StatusCheck {
            endpoint: &super::#module::ENDPOINT,
            body: |query| rt::from_json::<super::#module::Request>(query).ok().map(|r| rt::body_bytes(&r)),
            query: #query,
        };
    }
}

/// The response type: for a call the merchant makes, a tolerant shape in `received` (it never fails to
/// parse); for an inbound call (a notification), the answer the merchant sends, built and checked like a
/// request.
fn response(cx: &Cx, e: &Endpoint) -> TokenStream {
    let rt = cx.rt;
    let doc = format!("Response body of `{}`.", e.info.id);
    match e.direction {
        Direction::Inbound => object(
            cx,
            "Response",
            Some(&doc),
            &e.response,
            "Response",
            Place {
                depth: 2,
                received: false,
            },
        ),
        Direction::Outbound => {
            let response = received_object(
                cx,
                "Response",
                Some(&doc),
                &e.response,
                "",
                Place {
                    depth: 3,
                    received: true,
                },
            );
            quote! {
                pub use received::Response;
                /// Response shapes of this endpoint: every field optional, never failing to parse.
                pub mod received {
                    use #rt as rt;
                    #response
                }
            }
        }
    }
}
