//! One module per provider: its profile (base URLs, headers, signature recipes, envelopes) and its `Client`,
//! with one async method per endpoint.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::descriptor;
use super::endpoint::endpoint_module;
use super::{Cx, auth_ident, docs, ident};
use crate::ir::{Direction, Endpoint, Provider, TimestampForm};

/// `pub mod <provider> { PROFILE, Client, <endpoint modules> }`; with `splice` set, the endpoint modules
/// are replaced by one marker item for the renderer to fill in.
/// The provider module's table of contents: each endpoint's module, who calls whom, and its summary. (Links in a
/// module's outer docs resolve from its parent, hence `provider::module`.)
fn endpoint_list(provider: &str, endpoints: &[&Endpoint]) -> String {
    let mut out = String::from("# Endpoints\n");
    for e in endpoints {
        let who = match e.direction {
            Direction::Outbound => "",
            Direction::Inbound => " (the provider calls you)",
        };
        let (module, method, path) = (&e.module, &e.info.method, &e.info.path);
        let summary = e.info.summary.trim();
        out += &format!("\n- [`{module}`]({provider}::{module}): `{method} {path}`{who}: {summary}");
    }
    out
}

pub(crate) fn provider_module(cx: &Cx, p: &Provider, splice: bool) -> TokenStream {
    let rt = cx.rt;
    let module = ident(&p.name);
    let endpoints: Vec<_> = cx.api.endpoints.iter().filter(|e| e.info.provider == p.name).collect();
    let profile = profile(cx, p);
    let methods = endpoints
        .iter()
        .filter(|e| e.direction == Direction::Outbound)
        .map(|e| method(cx, e));
    let modules: Vec<TokenStream> = match splice {
        true => {
            let marker = format_ident!("{}", super::splice_marker(&p.name));
            vec![quote!(const #marker: () = ();)]
        }
        false => endpoints.iter().map(|e| endpoint_module(cx, e)).collect(),
    };
    // The auth kinds of the endpoints this client calls: the keys they sign with are checked when it is built.
    let mut kinds: Vec<_> = endpoints
        .iter()
        .filter(|e| e.direction == Direction::Outbound)
        .map(|e| e.info.auth)
        .collect();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    let kinds = kinds.into_iter().map(auth_ident);
    let doc = docs(
        Some(&p.title),
        &[
            p.doc.clone().unwrap_or_default().trim().to_owned(),
            endpoint_list(&p.name, &endpoints),
        ],
    );
    let client_doc = docs(
        Some(&format!(
            "A {} client: signs, sends and decodes every endpoint of this provider.",
            p.title
        )),
        &[],
    );
    quote! {
        #doc
        pub mod #module {
            use #rt as rt;
            #profile

            #client_doc
            #[derive(Clone, Debug)]
            pub struct Client {
                inner: rt::Client,
            }

            impl Client {
                /// A client for this provider with the given credentials and environment.
                ///
                /// # Errors
                ///
                /// A key its endpoints sign with is missing (`rt::ConfigError::MissingCredential`, see
                /// `rt::Client::for_auth_kinds`), or the environment is not in the profile.
                pub fn new(config: rt::Config) -> Result<Self, rt::ConfigError> {
                    rt::Client::for_auth_kinds(&PROFILE, config, &[#(rt::AuthKind::#kinds),*])
                        .map(|inner| Client { inner })
                }

                /// The runtime client underneath (shared token, configuration), e.g. for a
                /// `rt::customer::CustomerSession` or `prepare`.
                pub fn runtime(&self) -> &rt::Client {
                    &self.inner
                }

                #(#methods)*
            }

            #(#modules)*
        }
    }
}

/// The client method of outbound endpoint `e`: its path parameters (`Params`), its request (none for a bodiless
/// endpoint) and its caller headers, as the endpoint has them.
fn method(cx: &Cx, e: &Endpoint) -> TokenStream {
    let (name, module) = (ident(&e.module), ident(&e.module));
    let params = (!e.params.is_empty()).then(|| quote!(params: &#module::Params));
    let request = e.has_body().then(|| quote!(request: &#module::Request));
    let headers = (!e.headers.is_empty()).then(|| quote!(headers: &#module::Headers));
    let args = params.iter().chain(&request).chain(&headers);
    let call = Call::of(e);
    let status = e.status_query.as_ref().and_then(|q| cx.api.endpoint(&q.endpoint));
    let (ret, call, settles) = match status {
        // Money-moving endpoints never resend blindly: a lost answer is settled through the status endpoint,
        // whose answer the caller then reads in its own types.
        Some(status) => {
            let status_id = &status.info.id;
            let status = ident(&status.module);
            (
                quote!(rt::Settled<#module::Response, #module::Code, #status::Response, #status::Code>),
                call.settled(&module, quote!(&#module::STATUS_QUERY)),
                format!("A lost answer is settled through `{status_id}` ([`rt::Settled`])."),
            )
        }
        None => (
            quote!(rt::Reply<#module::Response, #module::Code>),
            call.plain(&module),
            String::new(),
        ),
    };
    let doc = docs(
        Some(&e.info.summary),
        &[
            format!("`{} {}` (`{}`).", e.info.method, e.info.path, e.info.id),
            settles,
        ],
    );
    quote! {
        #doc
        pub async fn #name(&self, #(#args),*) -> Result<#ret, rt::Error<#module::Code>> {
            #call
        }
    }
}

/// The arguments a method hands the runtime: path parameter pairs (none without `params`), the request (`NoBody`
/// for a bodiless endpoint) and caller header pairs.
struct Call {
    params: Option<TokenStream>,
    has_body: bool,
    headers: TokenStream,
}

impl Call {
    fn of(e: &Endpoint) -> Self {
        Call {
            params: (!e.params.is_empty()).then(|| quote!(&rt::param_pairs(params))),
            has_body: e.has_body(),
            headers: match e.headers.is_empty() {
                true => quote!(&[]),
                false => quote!(&rt::header_pairs(headers)),
            },
        }
    }

    fn request(&self) -> TokenStream {
        match self.has_body {
            true => quote!(request),
            false => quote!(&rt::NoBody),
        }
    }

    /// `call_safely` of a money-moving endpoint (the lowering gives such an endpoint no path parameters).
    fn settled(&self, module: &Ident, status_query: TokenStream) -> TokenStream {
        let (request, headers) = (self.request(), &self.headers);
        quote!(self.inner.call_safely(&#module::ENDPOINT, #status_query, #request, #headers).await)
    }

    /// `call`, or `call_at` when the path has parameters or the request has no body.
    fn plain(&self, module: &Ident) -> TokenStream {
        let (request, headers) = (self.request(), &self.headers);
        match (&self.params, self.has_body) {
            (None, true) => quote!(self.inner.call(&#module::ENDPOINT, #request, #headers).await),
            (params, _) => {
                let params = params.clone().unwrap_or_else(|| quote!(&[]));
                quote!(self.inner.call_at(&#module::ENDPOINT, #params, #request, #headers).await)
            }
        }
    }
}

fn profile(cx: &Cx, p: &Provider) -> TokenStream {
    let (name, title, offset) = (&p.name, &p.title, &p.timestamp_offset);
    let digits = proc_macro2::Literal::u8_unsuffixed(p.timestamp_fraction_digits);
    let form = format_ident!(
        "{}",
        match p.timestamp_form {
            TimestampForm::Iso8601 => "Iso8601",
            TimestampForm::UnixSeconds => "UnixSeconds",
        }
    );
    let urls = p.base_urls.iter().map(|(env, url)| quote!((#env, #url)));
    let token_endpoint = p.token_endpoint.as_deref().and_then(|id| cx.api.endpoint(id));
    let token = match token_endpoint {
        Some(e) => {
            let module = ident(&e.module);
            quote!(Some(&#module::ENDPOINT))
        }
        None => quote!(None),
    };
    // Checked when the specs were lowered: a token endpoint's body is fixed.
    let token_request = token_endpoint.and_then(|e| e.fixed_body().ok()).unwrap_or_default();
    let token_request = proc_macro2::Literal::byte_string(token_request.as_bytes());
    let channel = match &p.channel_id {
        Some(c) => quote!(Some(#c)),
        None => quote!(None),
    };
    let headers = p.headers.iter().map(|(auth, set)| {
        let auth = auth_ident(*auth);
        let pairs = set.iter().map(|(name, source)| {
            let source = descriptor::header_source(source);
            quote!((#name, #source))
        });
        quote!((rt::AuthKind::#auth, &[#(#pairs),*]))
    });
    let signatures = p.signatures.iter().map(|(auth, recipe)| {
        let auth = auth_ident(*auth);
        let recipe = descriptor::recipe(recipe);
        quote!((rt::AuthKind::#auth, #recipe))
    });
    let envelopes = p.envelopes.iter().map(descriptor::envelope);
    let answer_signatures = p.answer_signatures.iter().map(|(auth, answer)| {
        let auth = auth_ident(*auth);
        let answer = descriptor::signed_answer(answer);
        quote!((rt::AuthKind::#auth, #answer))
    });
    let results = match &p.results {
        Some(r) => {
            let r = descriptor::results(r);
            quote!(Some(&#r))
        }
        None => quote!(None),
    };
    let idempotency = match &p.idempotency {
        Some(i) => {
            let i = descriptor::idempotency(i);
            quote!(Some(&#i))
        }
        None => quote!(None),
    };
    quote! {
        /// The provider profile from `provider.yaml`.
        pub static PROFILE: rt::Provider = rt::Provider {
            name: #name,
            title: #title,
            base_urls: &[#(#urls),*],
            timestamp: rt::TimestampStyle { form: rt::TimestampForm::#form, offset: #offset, fraction_digits: #digits },
            token_endpoint: #token,
            token_request: #token_request,
            channel_id: #channel,
            headers: &[#(#headers),*],
            signatures: &[#(#signatures),*],
            standard: &super::STANDARD,
            envelopes: &[#(#envelopes),*],
            results: #results,
            answer_signatures: &[#(#answer_signatures),*],
            idempotency: #idempotency,
        };
    }
}
