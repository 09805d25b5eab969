//! Emitting Rust from the IR with `quote`: pure functions, one module per kind of item.
//!
//! Layout of the generated code:
//! - `CODE_TABLE`: the SNAP service and case code tables; `STANDARD`: the standard's other facts;
//! - `types`: shared object types (validated builders) and `types::received` (tolerant response shapes);
//! - one module per provider (`doku`) with its `PROFILE`, its `Client`, and one module per endpoint
//!   (`doku::direct_debit_payment`) holding `ENDPOINT`, `Params`, `Request`, `Headers`, `Response` and `Code`;
//! - `ENDPOINTS`: every endpoint with a validator of its JSON body.
//!
//! Everything the same for every endpoint lives in `snapbi-runtime`, reached through one path (`rt`).

mod client;
mod descriptor;
mod endpoint;
mod objects;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Api, AuthKind, Outcome};

/// Generation settings.
#[derive(Clone)]
pub struct Options {
    /// Path of the runtime crate as seen from the generated code.
    pub runtime: syn::Path,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runtime = &self.runtime;
        f.debug_struct("Options")
            .field("runtime", &quote!(#runtime).to_string())
            .finish()
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runtime: syn::parse_quote!(::snapbi_runtime),
        }
    }
}

/// The whole generated API as tokens.
pub fn api(api: &Api, options: &Options) -> TokenStream {
    api_with(api, options, false)
}

/// The generated API with each provider's endpoint modules left out, a marker item
/// ([`splice_marker`]) standing where they go; [`endpoint`] emits them one by one.
pub fn skeleton(api: &Api, options: &Options) -> TokenStream {
    api_with(api, options, true)
}

/// One endpoint's module (`pub mod direct_debit_payment { … }`), as it stands inside its provider module.
pub fn endpoint(api: &Api, options: &Options, endpoint: &crate::ir::Endpoint) -> TokenStream {
    endpoint::endpoint_module(
        &Cx {
            api,
            rt: &options.runtime,
        },
        endpoint,
    )
}

/// The name of the marker item that stands for `provider`'s endpoint modules in a [`skeleton`].
pub fn splice_marker(provider: &str) -> String {
    format!("SNAPBI_ENDPOINTS_OF_{}", provider.to_ascii_uppercase())
}

fn api_with(api: &Api, options: &Options, splice: bool) -> TokenStream {
    let rt = &options.runtime;
    let cx = Cx { api, rt };
    let code_table = code_table(&cx);
    let standard = descriptor::standard(&api.standard);
    let types = objects::shared_types(&cx);
    let providers = api.providers.iter().map(|p| client::provider_module(&cx, p, splice));
    let registry = registry(&cx);
    quote! {
        /// The runtime the generated code calls.
        pub use #rt as rt;
        #code_table
        #standard
        #types
        #(#providers)*
        #registry
    }
}

/// What every emitter needs.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub api: &'a Api,
    pub rt: &'a syn::Path,
}

impl Cx<'_> {
    /// `#[snapbi(crate = "…")]` for the derives, when the generated code reaches the runtime another way than
    /// `::snapbi_runtime` (a user's crate, through the facade's `::snapbi::rt`); nothing otherwise.
    pub(crate) fn derive_runtime(&self) -> TokenStream {
        // The derives' own default is the generator's default (`Options::default`).
        let text = |path: &syn::Path| quote!(#path).to_string().replace(' ', "");
        let (ours, default) = (text(self.rt), text(&Options::default().runtime));
        match ours == default {
            true => TokenStream::new(),
            false => quote!(#[snapbi(crate = #ours)]),
        }
    }
}

/// An identifier, raw (`r#type`) when it is a keyword.
pub(crate) fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// `#[doc = "…"]` lines for an optional text, plus optional extra lines.
pub(crate) fn docs(text: Option<&str>, extra: &[String]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    if let Some(text) = text {
        lines.extend(text.trim().lines().map(|l| format!(" {}", l.trim_end())));
    }
    for e in extra.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(e.lines().map(|l| format!(" {}", l.trim_end())));
    }
    quote! { #(#[doc = #lines])* }
}

pub(crate) fn outcome_ident(outcome: Outcome) -> Ident {
    format_ident!(
        "{}",
        match outcome {
            Outcome::Success => "Success",
            Outcome::Pending => "Pending",
            Outcome::Failed => "Failed",
            Outcome::Retry => "Retry",
            Outcome::Auth => "Auth",
        }
    )
}

pub(crate) fn auth_ident(auth: AuthKind) -> Ident {
    format_ident!(
        "{}",
        match auth {
            AuthKind::Token => "Token",
            AuthKind::Symmetric => "Symmetric",
            AuthKind::Asymmetric => "Asymmetric",
            AuthKind::Unsigned => "Unsigned",
        }
    )
}

fn code_table(cx: &Cx) -> TokenStream {
    let tables = descriptor::code_tables(&cx.api.codes);
    quote! {
        /// The SNAP service-code and generic case-code tables (`specs/common/codes.yaml`), and the service
        /// codes providers use that the SNAP table lacks (`service_codes` of a provider file).
        pub static CODE_TABLE: rt::CodeTables = #tables;
    }
}

fn registry(cx: &Cx) -> TokenStream {
    let entries = cx.api.endpoints.iter().map(|e| {
        let provider = ident(&e.info.provider);
        let module = ident(&e.module);
        // A part the endpoint does not have (no body, no headers, no path parameters) holds nothing to refuse.
        let validator = |present: bool, ty: &str, value: &str| match present {
            true => {
                let (ty, value) = (ident(ty), ident(value));
                quote!(|#value| rt::from_json::<#provider::#module::#ty>(#value).map(drop))
            }
            false => quote!(|_| Ok(())),
        };
        let body = validator(e.has_body(), "Request", "body");
        let headers = validator(!e.headers.is_empty(), "Headers", "headers");
        let params = validator(!e.params.is_empty(), "Params", "params");
        quote! {
            rt::EndpointEntry {
                info: &#provider::#module::ENDPOINT,
                validate_body: #body,
                validate_headers: #headers,
                validate_params: #params,
            }
        }
    });
    let providers = cx.api.providers.iter().map(|p| {
        let module = ident(&p.name);
        quote!(&#module::PROFILE)
    });
    quote! {
        /// Every endpoint, sorted by id, with validators of its JSON request body, headers and path parameters.
        pub static ENDPOINTS: &[rt::EndpointEntry] = &[#(#entries),*];

        /// Every provider profile, sorted by name.
        pub static PROVIDERS: &[&rt::Provider] = &[#(#providers),*];
    }
}
