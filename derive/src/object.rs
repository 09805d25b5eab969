//! `Object` (validated request objects with builders) and `Received` (tolerant response objects).

use heck::ToLowerCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type};

use crate::{docs, wire_attr};

/// One named field as the derives see it.
struct FieldInfo<'a> {
    ident: &'a syn::Ident,
    wire: String,
    /// The validated type: `T` for both `T` and `Option<T>`.
    value: &'a Type,
    optional: bool,
    docs: Vec<&'a syn::Attribute>,
}

fn fields(input: &DeriveInput) -> syn::Result<Vec<FieldInfo<'_>>> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "only structs with named fields can derive this",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "only structs with named fields can derive this",
        ));
    };
    named
        .named
        .iter()
        .map(|f| {
            let ident = f
                .ident
                .as_ref()
                .ok_or_else(|| syn::Error::new_spanned(f, "unnamed field"))?;
            let wire = match wire_attr(&f.attrs)? {
                Some(lit) => lit.value(),
                None => ident.to_string().trim_start_matches("r#").to_lower_camel_case(),
            };
            let (value, optional) = match option_inner(&f.ty) {
                Some(inner) => (inner, true),
                None => (&f.ty, false),
            };
            Ok(FieldInfo {
                ident,
                wire,
                value,
                optional,
                docs: docs(&f.attrs),
            })
        })
        .collect()
}

/// `T` when `ty` is written `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

pub(crate) fn expand_object(input: DeriveInput) -> syn::Result<TokenStream> {
    let fields = fields(&input)?;
    let (ty, vis) = (&input.ident, &input.vis);
    let builder = format_ident!("{ty}Builder");
    let document = document_impl(ty, &fields);
    // `#[rules(PATH)]` names a static slice of cross-field rules checked once every field is valid.
    let rules = rules_attr(&input.attrs)?.map(|rules| {
        quote! {
            if !c.rules_hold(&value, #rules) {
                return None;
            }
        }
    });
    let builder_type = builder_type(ty, vis, &builder, &fields);
    let builder_deserialize = builder_deserialize(&builder, &fields);
    let builder_impl = builder_impl(ty, &builder, &fields, rules);
    let raw_impls = raw_impls(ty, &builder);
    let write_json = write_json_impl(ty, &fields);
    let serialize = serialize_impl(ty, &fields);
    Ok(quote! {
        #builder_type
        #builder_deserialize
        #builder_impl
        #document
        #raw_impls
        #write_json
        #serialize
    })
}

/// `X::builder()` and the `XBuilder` struct, every field held raw until `build()`.
fn builder_type(ty: &syn::Ident, vis: &syn::Visibility, builder: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let builder_doc = format!("Builder for [`{ty}`]: setters take plain values, `build()` checks them all.");
    let rt = crate::rt();
    let plain_fields = fields.iter().map(|f| {
        let (ident, value) = (f.ident, f.value);
        quote! { #ident: Option<<#value as #rt::FromRaw>::Raw>, }
    });
    quote! {
        impl #ty {
            /// Starts a builder; its `build()` checks every field, so a value of this type is always valid.
            #vis fn builder() -> #builder {
                #builder::default()
            }
        }

        #[doc = #builder_doc]
        #[derive(Default)]
        #vis struct #builder { #(#plain_fields)* }
    }
}

/// `Deserialize` for the builder, from a JSON object only, under the fields' wire names: each field taken
/// out of the parsed object by the runtime, so no serde visitor is derived per object.
fn builder_deserialize(builder: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let rt = crate::rt();
    let takes = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        quote! { #ident: fields.take(#wire), }
    });
    quote! {
        impl<'de> #rt::__private::serde::Deserialize<'de> for #builder {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut fields = #rt::__private::ObjectFields::read(deserializer)?;
                let builder = #builder { #(#takes)* };
                fields.finish()?;
                Ok(builder)
            }
        }
    }
}

/// The builder's setters, `build()`, and the check of every field (then the cross-field `rules`, if any).
fn builder_impl(
    ty: &syn::Ident,
    builder: &syn::Ident,
    fields: &[FieldInfo<'_>],
    rules: Option<TokenStream>,
) -> TokenStream {
    let rt = crate::rt();
    let setters = setters(fields);
    let checks = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        let presence = if f.optional { quote!(optional) } else { quote!(required) };
        quote! { let #ident = c.#presence(#wire, self.#ident); }
    });
    let inits = fields.iter().map(|f| {
        let ident = f.ident;
        quote! { #ident: #ident?, }
    });
    quote! {
        impl #builder {
            #setters

            /// Checks every field; returns the value or every violation with its wire path.
            pub fn build(self) -> Result<#ty, #rt::BuildError> {
                let mut c = #rt::__private::Checker::default();
                let value = self.check(&mut c);
                c.finish(value)
            }

            fn check(self, c: &mut #rt::__private::Checker) -> Option<#ty> {
                #(#checks)*
                let value = #ty { #(#inits)* };
                #rules
                Some(value)
            }
        }
    }
}

/// One setter per field, taking a plain value (with the field's docs).
fn setters(fields: &[FieldInfo<'_>]) -> TokenStream {
    let rt = crate::rt();
    let setters = fields.iter().map(|f| {
        let (ident, value, docs) = (f.ident, f.value, &f.docs);
        quote! {
            #(#docs)*
            #[inline]
            pub fn #ident(mut self, value: impl #rt::IntoRaw<#value>) -> Self {
                self.#ident = Some(#rt::IntoRaw::into_raw(value));
                self
            }
        }
    });
    quote! { #(#setters)* }
}

/// The runtime's `FromRaw` for the object (through its builder) and `IntoRaw` from its builder.
fn raw_impls(ty: &syn::Ident, builder: &syn::Ident) -> TokenStream {
    let rt = crate::rt();
    quote! {
        impl #rt::FromRaw for #ty {
            type Raw = #rt::__private::Loose<#builder>;
            fn from_raw(raw: Self::Raw, c: &mut #rt::__private::Checker) -> Option<Self> {
                c.take(raw, "an object")?.check(c)
            }
        }

        impl #rt::IntoRaw<#ty> for #builder {
            fn into_raw(self) -> #rt::__private::Loose<#builder> {
                #rt::__private::Loose::ok(self)
            }
        }
    }
}

/// The runtime's `WriteJson`, the request body: `,"key":` pre-quoted as bytes before each present field's
/// value, the first comma turned into `{` by `close_object`. The same bytes as [`serialize_impl`] through
/// serde_json, without a serializer instantiated per type.
fn write_json_impl(ty: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let rt = crate::rt();
    let writes = fields.iter().map(|f| {
        let ident = f.ident;
        let key = format!(",{}:", crate::json_string(&f.wire));
        let key = syn::LitByteStr::new(key.as_bytes(), proc_macro2::Span::call_site());
        if f.optional {
            quote! {
                if let Some(value) = &self.#ident {
                    out.extend_from_slice(#key);
                    #rt::WriteJson::write_json(value, out);
                }
            }
        } else {
            quote! {
                out.extend_from_slice(#key);
                #rt::WriteJson::write_json(&self.#ident, out);
            }
        }
    });
    quote! {
        impl #rt::WriteJson for #ty {
            fn write_json(&self, out: &mut ::std::vec::Vec<u8>) {
                let start = out.len();
                #(#writes)*
                #rt::__private::close_object(out, start);
            }
        }
    }
}

/// `Serialize` under the wire names, absent optional fields skipped.
fn serialize_impl(ty: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let rt = crate::rt();
    let name = ty.to_string();
    let present = fields.iter().map(|f| {
        let ident = f.ident;
        if f.optional {
            quote!(usize::from(self.#ident.is_some()))
        } else {
            quote!(1usize)
        }
    });
    let serialize_fields = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        if f.optional {
            quote! {
                match &self.#ident {
                    Some(value) => state.serialize_field(#wire, value)?,
                    None => state.skip_field(#wire)?,
                }
            }
        } else {
            quote! { state.serialize_field(#wire, &self.#ident)?; }
        }
    });
    quote! {
        impl #rt::__private::serde::Serialize for #ty {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use #rt::__private::serde::ser::SerializeStruct;
                let mut state = serializer.serialize_struct(#name, 0 #(+ #present)*)?;
                #(#serialize_fields)*
                state.end()
            }
        }
    }
}

/// Lookup of the object's values by wire path, for cross-field rules.
fn document_impl(ty: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let rt = crate::rt();
    let arms = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        quote! { Some((#wire, rest)) => #rt::Document::visit(&self.#ident, rest, items, found), }
    });
    quote! {
        impl #rt::Document for #ty {
            fn visit<S: AsRef<str>>(&self, path: &[S], items: &mut Vec<usize>, found: &mut dyn FnMut(&[usize], #rt::Found<'_>)) {
                match path.split_first().map(|(first, rest)| (first.as_ref(), rest)) {
                    None => found(items, #rt::Found::Other),
                    #(#arms)*
                    Some(_) => {}
                }
            }
        }
    }
}

/// The path inside `#[rules(...)]`, if the struct has one.
fn rules_attr(attrs: &[syn::Attribute]) -> syn::Result<Option<syn::Path>> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("rules"))
        .map(|a| a.parse_args::<syn::Path>())
        .transpose()
}

pub(crate) fn expand_received(input: DeriveInput) -> syn::Result<TokenStream> {
    let fields = fields(&input)?;
    let ty = &input.ident;
    let rt = crate::rt();
    // Each field read tolerantly by the runtime from the parsed object: no serde visitor per response type.
    let reads = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        if f.optional {
            quote! { #ident: fields.lenient(#wire), }
        } else {
            quote! { #ident: fields.lenient(#wire).unwrap_or_default(), }
        }
    });
    Ok(quote! {
        impl<'de> #rt::__private::serde::Deserialize<'de> for #ty {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut fields = #rt::__private::ObjectFields::read(deserializer)?;
                Ok(#ty { #(#reads)* })
            }
        }
    })
}
