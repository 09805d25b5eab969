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
    let serialize = serialize_impl(ty, &fields);
    Ok(quote! {
        #builder_type
        #builder_deserialize
        #builder_impl
        #document
        #raw_impls
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

/// `Deserialize` for the builder, from a JSON object only, under the fields' wire names.
fn builder_deserialize(builder: &syn::Ident, fields: &[FieldInfo<'_>]) -> TokenStream {
    let (rt, serde_crate) = (crate::rt(), crate::rt_path("::__private::serde"));
    let builder_fields = fields.iter().map(|f| {
        let (ident, wire, value) = (f.ident, &f.wire, f.value);
        quote! { #[serde(rename = #wire)] #ident: Option<<#value as #rt::FromRaw>::Raw>, }
    });
    let moves: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ident = f.ident;
            quote! { #ident: fields.#ident, }
        })
        .collect();
    quote! {
        // Only a JSON object is an object: serde alone would also fill a struct from an array.
        impl<'de> #rt::__private::serde::Deserialize<'de> for #builder {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(#rt::__private::serde::Deserialize)]
                #[serde(crate = #serde_crate)]
                struct Fields { #(#builder_fields)* }
                let value = <#rt::serde_json::Value as #rt::__private::serde::Deserialize>::deserialize(deserializer)?;
                if !value.is_object() {
                    return Err(<D::Error as #rt::__private::serde::de::Error>::custom("expected an object"));
                }
                let fields = <Fields as #rt::__private::serde::Deserialize>::deserialize(value)
                    .map_err(<D::Error as #rt::__private::serde::de::Error>::custom)?;
                Ok(#builder { #(#moves)* })
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
    let (rt, serde_crate) = (crate::rt(), crate::rt_path("::__private::serde"));
    let lenient = crate::rt_path("::__private::lenient");
    let shadow_fields = fields.iter().map(|f| {
        let (ident, wire, value) = (f.ident, &f.wire, f.value);
        quote! {
            #[serde(rename = #wire, default, deserialize_with = #lenient)]
            #ident: Option<#value>,
        }
    });
    let moves = fields.iter().map(|f| {
        let ident = f.ident;
        if f.optional {
            quote! { #ident: shadow.#ident, }
        } else {
            quote! { #ident: shadow.#ident.unwrap_or_default(), }
        }
    });
    Ok(quote! {
        impl<'de> #rt::__private::serde::Deserialize<'de> for #ty {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(#rt::__private::serde::Deserialize)]
                #[serde(crate = #serde_crate)]
                struct Shadow { #(#shadow_fields)* }
                let shadow = <Shadow as #rt::__private::serde::Deserialize>::deserialize(deserializer)?;
                Ok(#ty { #(#moves)* })
            }
        }
    })
}
