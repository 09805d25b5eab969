//! Object types: validated request shapes with their builders, and tolerant response shapes.
//!
//! A request-side object `X` becomes a struct with private, validated fields that derives `rt::Object`
//! (which adds `XBuilder`, whose `build()` checks every field, and the same check for JSON bodies). A
//! response-side object is a plain struct of `Option`s deriving `rt::Received`: it never fails to parse.

use heck::ToLowerCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Cx, docs, ident};
use crate::ir::{Charset, Field, FieldType, Format, StrRule};

/// Where an item is emitted: how many modules below the generated root, for `super::` paths.
#[derive(Clone, Copy)]
pub(crate) struct Place {
    pub depth: usize,
    pub received: bool,
}

impl Place {
    fn types_path(self) -> TokenStream {
        let supers = (0..self.depth).map(|_| quote!(super::));
        if self.received {
            quote!(#(#supers)* types::received::)
        } else {
            quote!(#(#supers)* types::)
        }
    }
}

/// `pub mod types { … pub mod received { … } }` for the shared types.
pub(crate) fn shared_types(cx: &Cx) -> TokenStream {
    let rt = cx.rt;
    // A build whose endpoints use no shared type (no provider chosen) has no `types` module.
    if cx.api.types.is_empty() {
        return TokenStream::new();
    }
    let sent = cx.api.types.iter().map(|t| {
        object(
            cx,
            &t.name,
            t.doc.as_deref(),
            &t.fields,
            &t.name,
            Place {
                depth: 1,
                received: false,
            },
        )
    });
    let received = cx.api.types.iter().map(|t| {
        received_object(
            cx,
            &t.name,
            t.doc.as_deref(),
            &t.fields,
            &t.name,
            Place {
                depth: 2,
                received: true,
            },
        )
    });
    quote! {
        /// Shared object types (`types.yaml`), as sent in requests.
        pub mod types {
            use #rt as rt;
            #(#sent)*
            /// Shared object types as received in responses: every field optional, never failing to parse.
            pub mod received {
                use #rt as rt;
                #(#received)*
            }
        }
    }
}

/// A validated object `name` (its builder comes from `rt::Object`) and every item its fields need.
/// `prefix` names those items.
pub(crate) fn object(
    cx: &Cx,
    name: &str,
    doc: Option<&str>,
    fields: &[Field],
    prefix: &str,
    place: Place,
) -> TokenStream {
    object_with(cx, name, doc, fields, prefix, place, TokenStream::new())
}

/// [`object`] with extra attributes on the struct (a request's `#[rules(RULES)]`).
pub(crate) fn object_with(
    cx: &Cx,
    name: &str,
    doc: Option<&str>,
    fields: &[Field],
    prefix: &str,
    place: Place,
    attrs: TokenStream,
) -> TokenStream {
    let ty = format_ident!("{name}");
    let mut items = Vec::new();
    let decls: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let sent = sent_type(cx, f, &f.ty, &format!("{prefix}{}", f.type_name), place, &mut items);
            let sent = if f.sensitive {
                quote!(rt::Sensitive<#sent>)
            } else {
                sent
            };
            let sent = if f.required { sent } else { quote!(Option<#sent>) };
            let (id, wire, doc) = (ident(&f.rust), wire_attr(f), field_doc(f));
            quote! { #doc #wire #id: #sent, }
        })
        .collect();
    let (struct_doc, runtime) = (docs(doc, &[]), cx.derive_runtime());
    quote! {
        #struct_doc
        #[derive(Clone, Debug, rt::Object)]
        #runtime
        #attrs
        pub struct #ty { #(#decls)* }
        #(#items)*
    }
}

/// A tolerant response-side object: public `Option` fields, unknown and mistyped values never fail.
pub(crate) fn received_object(
    cx: &Cx,
    name: &str,
    doc: Option<&str>,
    fields: &[Field],
    prefix: &str,
    place: Place,
) -> TokenStream {
    let ty = format_ident!("{name}");
    let mut items = Vec::new();
    let decls: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let inner = received_type(cx, f, &f.ty, prefix, place, &mut items);
            let inner = if f.sensitive {
                quote!(rt::Sensitive<#inner>)
            } else {
                inner
            };
            let (id, wire, doc) = (ident(&f.rust), wire_attr(f), docs(f.doc.as_deref(), &[]));
            quote! { #doc #wire pub #id: Option<#inner>, }
        })
        .collect();
    let (struct_doc, runtime) = (docs(doc, &[]), cx.derive_runtime());
    quote! {
        #struct_doc
        #[derive(Clone, Debug, Default, rt::Received)]
        #runtime
        pub struct #ty { #(#decls)* }
        #(#items)*
    }
}

fn received_type(
    cx: &Cx,
    f: &Field,
    ty: &FieldType,
    prefix: &str,
    place: Place,
    items: &mut Vec<TokenStream>,
) -> TokenStream {
    match ty {
        FieldType::Str(_) | FieldType::Decimal { .. } | FieldType::DateTime => quote!(String),
        FieldType::Integer { .. } => quote!(i64),
        FieldType::Bool => quote!(bool),
        FieldType::Json => quote!(rt::serde_json::Value),
        FieldType::Named(name) => {
            let path = place.types_path();
            let name = format_ident!("{name}");
            quote!(#path #name)
        }
        FieldType::Object(fields) => {
            let name = format!("{prefix}{}", f.type_name);
            items.push(received_object(cx, &name, f.doc.as_deref(), fields, &name, place));
            let name = format_ident!("{name}");
            quote!(#name)
        }
        FieldType::List { items: item, .. } => {
            let inner = received_type(cx, f, item, prefix, place, items);
            quote!(Vec<#inner>)
        }
    }
}

/// The validated type of a request-side field; items it needs (enums, nested objects, pattern rules)
/// are pushed to `items`, named `name`.
fn sent_type(
    cx: &Cx,
    f: &Field,
    ty: &FieldType,
    name: &str,
    place: Place,
    items: &mut Vec<TokenStream>,
) -> TokenStream {
    match ty {
        FieldType::Str(rule) if !rule.enum_values.is_empty() => {
            let id = format_ident!("{name}");
            items.push(wire_enum(cx, &id, f, rule));
            quote!(#id)
        }
        FieldType::Str(rule) if rule.pattern.is_some() => {
            let id = format_ident!("{name}");
            let pattern = rule.pattern.as_deref().unwrap_or_default();
            let (min, max) = (
                lit(rule.min_length.unwrap_or(0)),
                lit(rule.max_length.unwrap_or(u32::MAX)),
            );
            items.push(quote! { rt::__private::pattern_rule!(#id, #pattern, #min, #max); });
            quote!(rt::Matching<#id>)
        }
        // A string without rules is `FreeText` (`Text<0, UNBOUNDED>`) rather than `String`: the same inline
        // storage as every other string value, so a short one costs no heap allocation in a builder.
        FieldType::Str(rule) => text_type(rule),
        FieldType::Decimal {
            integer_digits,
            fraction_digits,
        } => {
            let (integer_digits, fraction_digits) = (lit(*integer_digits), lit(*fraction_digits));
            quote!(rt::Decimal<#integer_digits, #fraction_digits>)
        }
        FieldType::DateTime => quote!(rt::SnapDateTime),
        FieldType::Integer { min, max } => {
            let min = min.map(signed).unwrap_or(quote!({ i64::MIN }));
            let max = max.map(signed).unwrap_or(quote!({ i64::MAX }));
            quote!(rt::Int<#min, #max>)
        }
        FieldType::Bool => quote!(bool),
        FieldType::Json => quote!(rt::serde_json::Value),
        FieldType::Named(type_name) => {
            let path = place.types_path();
            let ty = format_ident!("{type_name}");
            quote!(#path #ty)
        }
        FieldType::Object(fields) => {
            items.push(object(cx, name, f.doc.as_deref(), fields, name, place));
            let ty = format_ident!("{name}");
            quote!(#ty)
        }
        FieldType::List {
            items: item,
            min_items,
            max_items,
        } => {
            let inner = sent_type(cx, f, item, name, place, items);
            match (min_items, max_items) {
                (None, None) => quote!(Vec<#inner>),
                (min, max) => {
                    let min = lit(min.unwrap_or(0));
                    let max = max.map(|m| {
                        let m = lit(m);
                        quote!(#m)
                    });
                    let max = max.unwrap_or(quote!({ rt::values::UNBOUNDED }));
                    quote!(rt::List<#inner, #min, #max>)
                }
            }
        }
    }
}

/// A field's docs: the spec's doc with its rules appended, so setters say what they accept.
fn field_doc(f: &Field) -> TokenStream {
    let rules = constraint_doc(f);
    match f.doc.as_deref().map(str::trim) {
        Some(doc) if !doc.contains('\n') => {
            let line = format!(" {doc} {rules}");
            quote!(#[doc = #line])
        }
        doc => docs(doc, &[rules]),
    }
}

/// `rt::Text<MIN, MAX>` (with a kind when the rule has a charset or format).
fn text_type(rule: &StrRule) -> TokenStream {
    let min = lit(rule.min_length.unwrap_or(0));
    let max = match rule.max_length {
        Some(m) => {
            let m = lit(m);
            quote!(#m)
        }
        None => quote!({ rt::values::UNBOUNDED }),
    };
    let kind = match (rule.format, rule.charset) {
        (Some(Format::Ipv4), _) => Some(quote!({ rt::values::IPV4 })),
        (None, Some(Charset::Digits)) => Some(quote!({ rt::values::DIGITS })),
        (None, Some(Charset::Alphanumeric)) => Some(quote!({ rt::values::ALPHANUMERIC })),
        (None, None) => None,
    };
    match (kind, rule.min_length, rule.max_length) {
        // The common "any string" reads better under its own name.
        (None, None | Some(0), None) => quote!(rt::FreeText),
        (Some(kind), _, _) => quote!(rt::Text<#min, #max, #kind>),
        (None, _, _) => quote!(rt::Text<#min, #max>),
    }
}

fn wire_enum(cx: &Cx, id: &proc_macro2::Ident, f: &Field, rule: &StrRule) -> TokenStream {
    let runtime = cx.derive_runtime();
    let doc = docs(f.doc.as_deref(), &[]);
    let variants = rule.enum_values.iter().map(|value| {
        let variant = variant_ident(value);
        quote! { #[wire(#value)] #variant }
    });
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, rt::WireEnum)]
        #runtime
        pub enum #id { #(#variants),* }
    }
}

/// The Rust variant for an enum value: UpperCamelCase, prefixed with `V` when it starts with a digit.
pub(crate) fn variant_ident(value: &str) -> proc_macro2::Ident {
    let camel = heck::ToUpperCamelCase::to_upper_camel_case(value);
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format_ident!("V{camel}")
    } else {
        format_ident!("{camel}")
    }
}

/// `#[wire("…")]` when the camelCase of the Rust name is not the wire name.
fn wire_attr(f: &Field) -> TokenStream {
    if f.rust.trim_start_matches("r#").to_lower_camel_case() == f.wire {
        quote!()
    } else {
        let wire = &f.wire;
        quote!(#[wire(#wire)])
    }
}

/// One line that states a field's rules, for its setter's docs.
pub(crate) fn constraint_doc(f: &Field) -> String {
    let presence = if f.required { "Required" } else { "Optional" };
    let rule = match &f.ty {
        FieldType::Str(rule) => str_rule_doc(rule),
        FieldType::Decimal {
            integer_digits,
            fraction_digits,
        } => {
            format!("a decimal string, up to {integer_digits} digits and exactly {fraction_digits} decimals")
        }
        FieldType::DateTime => "a datetime `YYYY-MM-DDTHH:mm:ss+07:00`".into(),
        FieldType::Integer { min, max } => match (min, max) {
            (Some(lo), Some(hi)) => format!("an integer from {lo} to {hi}"),
            _ => "an integer".into(),
        },
        FieldType::List {
            min_items: Some(min), ..
        } => format!("a list of at least {min} item(s)"),
        FieldType::List { .. } => "a list".into(),
        _ => String::new(),
    };
    if rule.is_empty() {
        format!("{presence}.")
    } else {
        format!("{presence}; {rule}.")
    }
}

fn str_rule_doc(rule: &StrRule) -> String {
    let mut parts = Vec::new();
    match (rule.min_length, rule.max_length) {
        (Some(a), Some(b)) if a == b => parts.push(format!("exactly {a} characters")),
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, None) => {}
    }
    match rule.charset {
        Some(Charset::Digits) => parts.push("digits only".into()),
        Some(Charset::Alphanumeric) => parts.push("letters and digits only".into()),
        None => {}
    }
    if rule.format == Some(Format::Ipv4) {
        parts.push("an IPv4 address".into());
    }
    if let Some(p) = &rule.pattern {
        parts.push(format!("matching `{p}`"));
    }
    if !rule.enum_values.is_empty() {
        parts.push(format!(
            "one of {}",
            rule.enum_values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join(", ")
}

/// An unsuffixed integer literal (`64`, not `64u32`), for readable generated code.
pub(crate) fn lit(n: u32) -> proc_macro2::Literal {
    proc_macro2::Literal::u32_unsuffixed(n)
}

/// An unsuffixed, possibly negative, integer (negative const arguments need braces).
fn signed(n: i64) -> TokenStream {
    let abs = proc_macro2::Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 { quote!({ -#abs }) } else { quote!(#abs) }
}
