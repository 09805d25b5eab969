//! Object types: validated request shapes with their builders, and tolerant response shapes.
//!
//! A request-side object `X` becomes a struct with private fields, an `XBuilder` whose setters take plain
//! values and whose `build()` checks every field through the runtime, and a `FromRaw` impl so the same check
//! runs on JSON bodies. A response-side object is a plain struct of `Option`s that never fails to parse.

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

/// A validated object `name`, its builder, and every item its fields need. `prefix` names those items.
pub(crate) fn object(
    cx: &Cx,
    name: &str,
    doc: Option<&str>,
    fields: &[Field],
    prefix: &str,
    place: Place,
) -> TokenStream {
    let ty = format_ident!("{name}");
    let builder = format_ident!("{name}Builder");
    let mut items = Vec::new();
    let mut decls = Vec::new();
    let mut builder_fields = Vec::new();
    let mut setters = Vec::new();
    let mut checks = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let shape = Shape::of(cx, f, prefix, place, &mut items);
        let (id, sent, raw) = (ident(&f.rust), &shape.sent, &shape.raw);
        let rename = rename(f);
        let wire = &f.wire;
        if f.required {
            decls.push(quote! { #rename #id: #sent, });
            checks.push(quote! { let #id = c.required(#wire, self.#id); });
        } else {
            decls.push(quote! { #rename #[serde(skip_serializing_if = "Option::is_none")] #id: Option<#sent>, });
            checks.push(quote! { let #id = c.optional(#wire, self.#id); });
        }
        if let FieldType::List {
            min_items, max_items, ..
        } = &f.ty
            && (min_items.is_some() || max_items.is_some())
        {
            let (min, max) = (option_tokens(*min_items), option_tokens(*max_items));
            checks.push(quote! { let #id = c.bounded(#wire, #id, #min, #max); });
        }
        inits.push(quote! { #id: #id?, });
        builder_fields.push(quote! { #rename #id: Option<#raw>, });
        let (param, expr) = (&shape.param, &shape.into_raw);
        let setter_doc = docs(f.doc.as_deref(), &[constraint_doc(f)]);
        setters.push(quote! {
            #setter_doc
            pub fn #id(mut self, value: #param) -> Self {
                self.#id = Some(#expr);
                self
            }
        });
    }
    let struct_doc = docs(
        doc,
        &[format!(
            "Built with [`{name}Builder`], which checks every field: a value of this type is valid."
        )],
    );
    let builder_doc = format!("Builder for [`{name}`]: setters take plain values, `build()` checks them all.");
    quote! {
        #struct_doc
        #[derive(Clone, Debug, rt::serde::Serialize)]
        #[serde(crate = "rt::serde", rename_all = "camelCase")]
        pub struct #ty { #(#decls)* }

        impl #ty {
            /// Starts a builder.
            pub fn builder() -> #builder {
                #builder::default()
            }
        }

        #[doc = #builder_doc]
        #[derive(Default, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde", rename_all = "camelCase")]
        pub struct #builder { #(#builder_fields)* }

        impl #builder {
            #(#setters)*

            /// Checks every field; returns the value or every violation with its wire path.
            pub fn build(self) -> Result<#ty, rt::BuildError> {
                rt::Checker::run(|c| self.check(c))
            }

            fn check(self, c: &mut rt::Checker) -> Option<#ty> {
                #(#checks)*
                Some(#ty { #(#inits)* })
            }
        }

        impl rt::FromRaw for #ty {
            type Raw = rt::Loose<#builder>;
            fn from_raw(raw: Self::Raw, c: &mut rt::Checker) -> Option<Self> {
                c.take(raw, "an object")?.check(c)
            }
        }

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
    let decls = fields.iter().map(|f| {
        let id = ident(&f.rust);
        let inner = received_type(cx, f, &f.ty, prefix, place, &mut items);
        let inner = if f.sensitive {
            quote!(rt::Sensitive<#inner>)
        } else {
            inner
        };
        let rename = rename(f);
        let field_doc = docs(f.doc.as_deref(), &[]);
        quote! {
            #field_doc
            #rename
            #[serde(deserialize_with = "rt::lenient")]
            pub #id: Option<#inner>,
        }
    });
    let decls: Vec<TokenStream> = decls.collect();
    let struct_doc = docs(doc, &[]);
    quote! {
        #struct_doc
        #[derive(Clone, Debug, Default, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde", rename_all = "camelCase", default)]
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

/// How one request-side field is typed, held raw, and set.
struct Shape {
    /// The validated type.
    sent: TokenStream,
    /// What the builder holds.
    raw: TokenStream,
    /// The setter's parameter type.
    param: TokenStream,
    /// Expression turning `value` (of `param`) into `raw`.
    into_raw: TokenStream,
}

impl Shape {
    fn of(cx: &Cx, f: &Field, prefix: &str, place: Place, items: &mut Vec<TokenStream>) -> Shape {
        let name = format!("{prefix}{}", f.type_name);
        let mut shape = Shape::of_type(cx, f, &f.ty, &name, place, items);
        if f.sensitive {
            let sent = &shape.sent;
            shape.sent = quote!(rt::Sensitive<#sent>);
        }
        shape
    }

    fn of_type(cx: &Cx, f: &Field, ty: &FieldType, name: &str, place: Place, items: &mut Vec<TokenStream>) -> Shape {
        let text = |sent: TokenStream| Shape {
            sent,
            raw: quote!(rt::Loose<String>),
            param: quote!(impl Into<String>),
            into_raw: quote!(rt::Loose::ok(value.into())),
        };
        let plain = |sent: TokenStream, raw: TokenStream| Shape {
            sent,
            raw: quote!(rt::Loose<#raw>),
            param: raw,
            into_raw: quote!(rt::Loose::ok(value)),
        };
        match ty {
            FieldType::Str(rule) if !rule.enum_values.is_empty() => {
                let id = format_ident!("{name}");
                items.push(wire_enum(&id, f, rule));
                Shape {
                    sent: quote!(#id),
                    raw: quote!(rt::Loose<String>),
                    param: quote!(#id),
                    into_raw: quote!(rt::Loose::ok(value.as_str().to_owned())),
                }
            }
            FieldType::Str(rule) if rule.pattern.is_some() => {
                let id = format_ident!("{name}");
                let pattern = rule.pattern.as_deref().unwrap_or_default();
                let (min, max) = (
                    lit(rule.min_length.unwrap_or(0)),
                    lit(rule.max_length.unwrap_or(u32::MAX)),
                );
                items.push(quote! { rt::pattern_rule!(#id, #pattern, #min, #max); });
                text(quote!(rt::Matching<#id>))
            }
            FieldType::Str(rule) if rule.is_constrained() => text(text_type(rule)),
            FieldType::Str(_) => text(quote!(String)),
            FieldType::Decimal {
                integer_digits,
                fraction_digits,
            } => {
                let (integer_digits, fraction_digits) = (lit(*integer_digits), lit(*fraction_digits));
                text(quote!(rt::Decimal<#integer_digits, #fraction_digits>))
            }
            FieldType::DateTime => text(quote!(rt::SnapDateTime)),
            FieldType::Integer { min, max } => {
                let min = min.map(signed).unwrap_or(quote!({ i64::MIN }));
                let max = max.map(signed).unwrap_or(quote!({ i64::MAX }));
                plain(quote!(rt::Int<#min, #max>), quote!(i64))
            }
            FieldType::Bool => plain(quote!(bool), quote!(bool)),
            FieldType::Json => Shape {
                sent: quote!(rt::serde_json::Value),
                raw: quote!(rt::serde_json::Value),
                param: quote!(rt::serde_json::Value),
                into_raw: quote!(value),
            },
            FieldType::Named(type_name) => {
                let path = place.types_path();
                let (ty, builder) = (format_ident!("{type_name}"), format_ident!("{type_name}Builder"));
                Shape {
                    sent: quote!(#path #ty),
                    raw: quote!(rt::Loose<#path #builder>),
                    param: quote!(#path #builder),
                    into_raw: quote!(rt::Loose::ok(value)),
                }
            }
            FieldType::Object(fields) => {
                items.push(object(cx, name, f.doc.as_deref(), fields, name, place));
                let (ty, builder) = (format_ident!("{name}"), format_ident!("{name}Builder"));
                Shape {
                    sent: quote!(#ty),
                    raw: quote!(rt::Loose<#builder>),
                    param: quote!(#builder),
                    into_raw: quote!(rt::Loose::ok(value)),
                }
            }
            FieldType::List { items: item, .. } => {
                let inner = Shape::of_type(cx, f, item, name, place, items);
                let (sent, raw, param, expr) = (inner.sent, inner.raw, inner.param, inner.into_raw);
                Shape {
                    sent: quote!(Vec<#sent>),
                    raw: quote!(rt::Loose<Vec<#raw>>),
                    param: quote!(impl IntoIterator<Item = #param>),
                    into_raw: quote!(rt::Loose::ok(value.into_iter().map(|value| #expr).collect())),
                }
            }
        }
    }
}

/// `rt::Text<MIN, MAX>` (with a kind when the rule has a charset or format).
fn text_type(rule: &StrRule) -> TokenStream {
    let min = rule.min_length.unwrap_or(0);
    let max = rule
        .max_length
        .map(|m| quote!(#m))
        .unwrap_or(quote!({ rt::values::UNBOUNDED }));
    let kind = match (rule.format, rule.charset) {
        (Some(Format::Ipv4), _) => Some(quote!({ rt::values::IPV4 })),
        (None, Some(Charset::Digits)) => Some(quote!({ rt::values::DIGITS })),
        (None, Some(Charset::Alphanumeric)) => Some(quote!({ rt::values::ALPHANUMERIC })),
        (None, None) => None,
    };
    match kind {
        Some(kind) => quote!(rt::Text<#min, #max, #kind>),
        None => quote!(rt::Text<#min, #max>),
    }
}

fn wire_enum(id: &proc_macro2::Ident, f: &Field, rule: &StrRule) -> TokenStream {
    let doc = docs(f.doc.as_deref(), &[]);
    let variants = rule.enum_values.iter().map(|value| {
        let variant = variant_ident(value);
        let doc = format!(" `{value}`");
        quote! { #[doc = #doc] #variant = #value }
    });
    quote! {
        rt::wire_enum! {
            #doc
            pub enum #id { #(#variants),* }
        }
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

/// `#[serde(rename = "…")]` when `rename_all = "camelCase"` would not give the wire name back.
fn rename(f: &Field) -> TokenStream {
    if f.rust.to_lower_camel_case() == f.wire {
        quote!()
    } else {
        let wire = &f.wire;
        quote!(#[serde(rename = #wire)])
    }
}

fn option_tokens(value: Option<u32>) -> TokenStream {
    match value {
        Some(v) => {
            let v = lit(v);
            quote!(Some(#v))
        }
        None => quote!(None),
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
