//! `WireEnum`: a spec's value list as a Rust enum with its wire spellings.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DataEnum, DeriveInput, Fields, Ident, LitStr};

use crate::wire_attr;

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "WireEnum applies to enums"));
    };
    let ty = &input.ident;
    let (variants, wires) = variants(data)?;
    let inherent = inherent_impl(ty, &variants, &wires);
    let text = text_impls(ty, &variants, &wires);
    let runtime = runtime_impls(ty, &variants, &wires);
    Ok(quote! {
        #inherent
        #text
        #runtime
    })
}

/// Each variant with its `#[wire("…")]` spelling; every variant is a unit variant.
fn variants(data: &DataEnum) -> syn::Result<(Vec<&Ident>, Vec<LitStr>)> {
    let mut variants = Vec::new();
    let mut wires = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(v, "WireEnum variants carry no data"));
        }
        let wire = wire_attr(&v.attrs)?.ok_or_else(|| syn::Error::new_spanned(v, "missing #[wire(\"…\")]"))?;
        variants.push(&v.ident);
        wires.push(wire);
    }
    Ok((variants, wires))
}

/// `ALL` and `as_str()`.
fn inherent_impl(ty: &Ident, variants: &[&Ident], wires: &[LitStr]) -> TokenStream {
    quote! {
        impl #ty {
            /// Every allowed value, in spec order.
            pub const ALL: &'static [&'static str] = &[#(#wires),*];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { #(#ty::#variants => #wires,)* }
            }
        }
    }
}

/// The wire spelling as text: `FromStr` (any other value is refused with the allowed ones), `Display`, `Serialize`.
fn text_impls(ty: &Ident, variants: &[&Ident], wires: &[LitStr]) -> TokenStream {
    let rt = crate::rt();
    quote! {
        impl ::std::str::FromStr for #ty {
            type Err = #rt::InvalidValue;
            fn from_str(value: &str) -> Result<Self, #rt::InvalidValue> {
                match value {
                    #(#wires => Ok(#ty::#variants),)*
                    _ => Err(#rt::InvalidValue::not_allowed(Self::ALL)),
                }
            }
        }

        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl #rt::__private::serde::Serialize for #ty {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    }
}

/// The runtime's `FromRaw`, `Document`, `IntoRaw` and `WriteJson` (each spelling pre-quoted as bytes).
fn runtime_impls(ty: &Ident, variants: &[&Ident], wires: &[LitStr]) -> TokenStream {
    let rt = crate::rt();
    let json = wires.iter().map(|wire| {
        let quoted = crate::json_string(&wire.value());
        syn::LitByteStr::new(quoted.as_bytes(), wire.span())
    });
    quote! {
        impl #rt::WriteJson for #ty {
            fn write_json(&self, out: &mut ::std::vec::Vec<u8>) {
                let json: &'static [u8] = match self { #(#ty::#variants => #json,)* };
                out.extend_from_slice(json);
            }
        }

        // The raw form borrows the wire spelling when the caller sets a variant, so a builder
        // allocates nothing for enum fields; a JSON body gives an owned string.
        impl #rt::FromRaw for #ty {
            type Raw = #rt::__private::Loose<::std::borrow::Cow<'static, str>>;
            fn from_raw(raw: Self::Raw, checker: &mut #rt::__private::Checker) -> Option<Self> {
                let value = checker.take(raw, "a string")?;
                checker.rule(value.parse())
            }
        }

        impl #rt::Document for #ty {
            fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], #rt::Found<'_>)) {
                if path.is_empty() {
                    found(items, #rt::Found::Text(self.as_str()));
                }
            }
        }

        impl #rt::IntoRaw<#ty> for #ty {
            fn into_raw(self) -> #rt::__private::Loose<::std::borrow::Cow<'static, str>> {
                #rt::__private::Loose::ok(::std::borrow::Cow::Borrowed(self.as_str()))
            }
        }
    }
}
