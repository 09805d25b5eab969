//! `ResponseCodes`: an endpoint's declared response codes, plus `Unknown` for any other.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Data, DataEnum, DeriveInput, Fields, Ident, LitStr, Token};

/// `#[code("2005400", Success, "Successful")]`.
struct CodeAttr {
    code: LitStr,
    outcome: Ident,
    message: LitStr,
}

impl Parse for CodeAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let code = input.parse()?;
        input.parse::<Token![,]>()?;
        let outcome = input.parse()?;
        input.parse::<Token![,]>()?;
        let message = input.parse()?;
        Ok(CodeAttr { code, outcome, message })
    }
}

/// The declared variants, each with its code, outcome and message, in order.
struct Declared<'a> {
    variants: Vec<&'a Ident>,
    codes: Vec<LitStr>,
    outcomes: Vec<Ident>,
    messages: Vec<LitStr>,
}

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "ResponseCodes applies to enums"));
    };
    let ty = &input.ident;
    let declared = declared(ty, data)?;
    let sensitive = sensitive(&input)?;
    let inherent = inherent_impl(ty, &declared);
    let endpoint_code = endpoint_code_impl(ty, &sensitive);
    let from = from_impls(ty, &declared);
    let display = display_impl(ty);
    Ok(quote! {
        #inherent
        #endpoint_code
        #from
        #display
    })
}

/// The wire keys of `#[sensitive("accessToken", …)]` on the enum, if any.
fn sensitive(input: &DeriveInput) -> syn::Result<Vec<LitStr>> {
    let mut keys = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sensitive")) {
        keys.extend(attr.parse_args_with(Punctuated::<LitStr, Token![,]>::parse_terminated)?);
    }
    Ok(keys)
}

/// Reads each variant's `#[code(…)]`; the enum must also have `Unknown(ResponseCode)`.
fn declared<'a>(ty: &Ident, data: &'a DataEnum) -> syn::Result<Declared<'a>> {
    let (mut variants, mut codes, mut outcomes, mut messages) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut unknown = None;
    for v in &data.variants {
        match (&v.fields, v.attrs.iter().find(|a| a.path().is_ident("code"))) {
            (Fields::Unit, Some(attr)) => {
                let parsed: CodeAttr = attr.parse_args()?;
                variants.push(&v.ident);
                codes.push(parsed.code);
                outcomes.push(parsed.outcome);
                messages.push(parsed.message);
            }
            (Fields::Unnamed(f), None) if f.unnamed.len() == 1 && v.ident == "Unknown" => unknown = Some(&v.ident),
            _ => {
                let msg =
                    "each variant needs #[code(\"2005400\", Success, \"Successful\")], plus `Unknown(ResponseCode)`";
                return Err(syn::Error::new_spanned(v, msg));
            }
        }
    }
    if unknown.is_none() {
        return Err(syn::Error::new_spanned(
            ty,
            "a response-code enum needs an `Unknown(ResponseCode)` variant",
        ));
    }
    Ok(Declared {
        variants,
        codes,
        outcomes,
        messages,
    })
}

/// `DECLARED`, `code()`, `outcome()` and `message()`.
fn inherent_impl(ty: &Ident, declared: &Declared<'_>) -> TokenStream {
    let rt = crate::rt();
    let Declared {
        variants,
        codes,
        outcomes,
        messages,
    } = declared;
    quote! {
        impl #ty {
            /// Every declared code, in order.
            pub const DECLARED: &'static [&'static str] = &[#(#codes),*];

            /// The code as answered: seven digits for SNAP, a name in an envelope or a provider's own JSON.
            pub fn code(&self) -> &str {
                match self {
                    #(#ty::#variants => #codes,)*
                    #ty::Unknown(code) => code.as_str(),
                }
            }

            /// What the code means for the caller.
            pub fn outcome(&self) -> #rt::Outcome {
                match self {
                    #(#ty::#variants => #rt::Outcome::#outcomes,)*
                    #ty::Unknown(code) => code.http_status().map(#rt::Outcome::from_http_status).unwrap_or(#rt::Outcome::Failed),
                }
            }

            /// The published message, for declared codes.
            pub fn message(&self) -> Option<&'static str> {
                match self {
                    #(#ty::#variants => Some(#messages),)*
                    #ty::Unknown(_) => None,
                }
            }

            /// The spec's name of the code (the variant's name), for declared codes.
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    #(#ty::#variants => Some(stringify!(#variants)),)*
                    #ty::Unknown(_) => None,
                }
            }
        }
    }
}

/// The runtime's `EndpointCode`, by the inherent methods.
fn endpoint_code_impl(ty: &Ident, sensitive: &[LitStr]) -> TokenStream {
    let rt = crate::rt();
    quote! {
        impl #rt::EndpointCode for #ty {
            const SENSITIVE_KEYS: &'static [&'static str] = &[#(#sensitive),*];
            fn spec_message(&self) -> Option<&'static str> {
                #ty::message(self)
            }
            fn spec_name(&self) -> Option<&'static str> {
                #ty::name(self)
            }
            fn code(&self) -> &str {
                #ty::code(self)
            }
            fn outcome(&self) -> #rt::Outcome {
                #ty::outcome(self)
            }
        }
    }
}

/// `From<&str>` (an undeclared code becomes `Unknown`) and `From<ResponseCode>`.
fn from_impls(ty: &Ident, declared: &Declared<'_>) -> TokenStream {
    let rt = crate::rt();
    let Declared { variants, codes, .. } = declared;
    quote! {
        impl From<&str> for #ty {
            fn from(code: &str) -> Self {
                match code {
                    #(#codes => #ty::#variants,)*
                    other => #ty::Unknown(#rt::ResponseCode::parse(other)),
                }
            }
        }

        impl From<#rt::ResponseCode> for #ty {
            fn from(code: #rt::ResponseCode) -> Self {
                match code.as_str() {
                    #(#codes => #ty::#variants,)*
                    _ => #ty::Unknown(code),
                }
            }
        }
    }
}

/// `Display`: the code, then the message when it is declared.
fn display_impl(ty: &Ident) -> TokenStream {
    quote! {
        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.message() {
                    Some(message) => write!(f, "{} {}", self.code(), message),
                    None => f.write_str(self.code()),
                }
            }
        }
    }
}
