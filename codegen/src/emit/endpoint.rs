//! One module per endpoint: its static description, request, headers, response and response codes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::objects::{Place, object, received_object};
use super::{Cx, auth_ident, docs, ident, outcome_ident};
use crate::ir::{Endpoint, Field, FieldType};

/// `pub mod <endpoint> { … }`.
pub(crate) fn endpoint_module(cx: &Cx, e: &Endpoint) -> TokenStream {
    let rt = cx.rt;
    let module = ident(&e.module);
    let module_doc = docs(
        Some(&e.summary),
        &[
            e.doc.clone().unwrap_or_default().trim().to_owned(),
            format!(
                "`{} {}` · service code {} · {} signature · spec `{}`",
                e.method,
                e.path,
                e.service_code,
                e.auth.as_str(),
                e.file
            ),
        ],
    );
    let info = endpoint_info(e);
    let request = object(
        cx,
        "Request",
        Some(&format!("Request body of `{}`.", e.id)),
        &e.request,
        "",
        Place {
            depth: 2,
            received: false,
        },
    );
    let headers = headers(cx, e);
    let response = received_object(
        cx,
        "Response",
        Some(&format!("Response body of `{}`.", e.id)),
        &e.response,
        "",
        Place {
            depth: 3,
            received: true,
        },
    );
    let codes = codes(e);
    quote! {
        #module_doc
        pub mod #module {
            use #rt as rt;
            #info
            #request
            #headers
            pub use received::Response;
            /// Response shapes of this endpoint: every field optional, never failing to parse.
            pub mod received {
                use #rt as rt;
                #response
            }
            #codes
        }
    }
}

fn endpoint_info(e: &Endpoint) -> TokenStream {
    let (id, provider, method, path, service, summary) =
        (&e.id, &e.provider, &e.method, &e.path, &e.service_code, &e.summary);
    let auth = auth_ident(e.auth);
    quote! {
        /// What the runtime needs to call this endpoint.
        pub static ENDPOINT: rt::EndpointInfo = rt::EndpointInfo {
            id: #id,
            provider: #provider,
            method: #method,
            path: #path,
            service_code: #service,
            auth: rt::AuthKind::#auth,
            summary: #summary,
        };
    }
}

/// The caller-supplied headers, as a validated `Headers` type, when the endpoint has any.
fn headers(cx: &Cx, e: &Endpoint) -> TokenStream {
    if e.headers.is_empty() {
        return quote!();
    }
    let doc = format!(
        "Caller-supplied headers of `{}` (the runtime adds the signature, timestamp and ids).",
        e.id
    );
    let object = object(
        cx,
        "Headers",
        Some(&doc),
        &e.headers,
        "Headers",
        Place {
            depth: 2,
            received: false,
        },
    );
    let pairs = e.headers.iter().map(header_pair);
    quote! {
        #object
        impl rt::HeaderSet for Headers {
            fn pairs(&self) -> Vec<(&'static str, &str)> {
                let mut pairs = Vec::new();
                #(#pairs)*
                pairs
            }
        }
    }
}

fn header_pair(f: &Field) -> TokenStream {
    let (id, name) = (ident(&f.rust), &f.wire);
    let read = match (&f.ty, f.sensitive) {
        (FieldType::Str(_), true) => quote!(value.expose().as_str()),
        _ => quote!(value.as_str()),
    };
    if f.required {
        quote! { let value = &self.#id; pairs.push((#name, #read)); }
    } else {
        quote! { if let Some(value) = &self.#id { pairs.push((#name, #read)); } }
    }
}

fn codes(e: &Endpoint) -> TokenStream {
    let doc = format!("Response codes `{}` declares (service code {}).", e.id, e.service_code);
    let variants = e.codes.iter().map(|c| {
        let name = format_ident!("{}", c.name);
        let (code, message) = (&c.code, &c.message);
        let outcome = outcome_ident(c.outcome);
        let doc = docs(
            Some(&format!("`{code}` {message} ({}).", c.outcome.as_str())),
            &c.doc.iter().cloned().collect::<Vec<_>>(),
        );
        quote! { #doc #name = (#code, #outcome, #message) }
    });
    quote! {
        rt::response_codes! {
            #[doc = #doc]
            pub enum Code { #(#variants),* }
        }
    }
}
