//! `snapbi-derive`: the derives that keep snapbi's generated code thin.
//!
//! The generator emits plain, readable Rust items (a struct per object, an enum per value list or code
//! list) and these derives add what is the same for every one of them: builders that check every field,
//! request bodies written as JSON, tolerant response decoding, wire spellings and response-code tables.
//! What is the same for every type stays in the runtime: an expansion is short, per-type code that calls
//! shared, non-generic functions (the JSON writer, the object reader), so a client compiles quickly.
//! They are re-exported by
//! `snapbi-runtime` (`rt::Object`, `rt::Received`, `rt::WireEnum`, `rt::ResponseCodes`), and the code
//! they expand to reaches the runtime as `::snapbi_runtime`: its public types and traits, and what only
//! expansions use (the checker, raw values, serde, the object reader) under `::snapbi_runtime::__private`.
//! Code in a crate that reaches the runtime another way (through the `snapbi` facade: `::snapbi::rt`) says so
//! on each item with `#[snapbi(crate = "::snapbi::rt")]`, as serde's `#[serde(crate = "…")]` does.

mod codes;
mod object;
mod wire_enum;

use proc_macro::TokenStream;

/// A validated request object: adds `X::builder()`, an `XBuilder` whose setters take plain values and
/// whose `build()` returns every violation with its wire path, the runtime's `WriteJson` (the request body:
/// wire names, absent optional fields skipped), `Serialize` (the same JSON through serde) and the runtime's
/// `FromRaw`/`IntoRaw` impls. A field typed `Option<T>` is optional.
/// Wire names are the camelCase of the field names unless a field says `#[wire("X-DEVICE-ID")]`.
#[proc_macro_derive(Object, attributes(wire, rules, snapbi))]
pub fn derive_object(input: TokenStream) -> TokenStream {
    expand(input, object::expand_object)
}

/// A tolerant response object: `Deserialize` from a JSON object where every field is optional, unknown
/// fields are ignored and a value of the wrong type becomes `None` instead of failing the whole response.
#[proc_macro_derive(Received, attributes(wire, snapbi))]
pub fn derive_received(input: TokenStream) -> TokenStream {
    expand(input, object::expand_received)
}

/// A value list of a spec: each unit variant names its wire spelling with `#[wire("app")]`.
#[proc_macro_derive(WireEnum, attributes(wire, snapbi))]
pub fn derive_wire_enum(input: TokenStream) -> TokenStream {
    expand(input, wire_enum::expand)
}

/// An endpoint's response codes: each unit variant says `#[code("2005400", Success, "Successful")]`, and
/// the last variant is `Unknown(ResponseCode)`. An optional `#[sensitive("accessToken", …)]` on the enum names
/// the wire keys of the endpoint's bodies the spec marks `sensitive`: an error's `Debug` redacts them.
#[proc_macro_derive(ResponseCodes, attributes(code, snapbi, sensitive))]
pub fn derive_response_codes(input: TokenStream) -> TokenStream {
    expand(input, codes::expand)
}

fn expand(input: TokenStream, f: fn(syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    let expanded = syn::parse::<syn::DeriveInput>(input).and_then(|input| {
        let runtime = runtime_attr(&input.attrs)?;
        RUNTIME.with_borrow_mut(|current| *current = runtime);
        f(input)
    });
    RUNTIME.with_borrow_mut(|current| *current = None);
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

thread_local! {
    /// The runtime path of the item being expanded (one derive runs at a time on a thread), so that the
    /// expansion's many small steps need not each take it as an argument.
    static RUNTIME: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The path expansions reach the runtime by: the item's `#[snapbi(crate = "…")]`, else `::snapbi_runtime`.
fn rt() -> proc_macro2::TokenStream {
    let path = RUNTIME
        .with_borrow(|current| current.clone())
        .unwrap_or_else(|| "::snapbi_runtime".to_owned());
    syn::parse_str::<syn::Path>(&path).map_or_else(|e| e.to_compile_error(), |p| quote::quote!(#p))
}

/// The `#[snapbi(crate = "…")]` of an item, if any; the path must parse.
fn runtime_attr(attrs: &[syn::Attribute]) -> syn::Result<Option<String>> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("snapbi")) {
        attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("crate") {
                return Err(meta.error("expected `crate = \"path::to::runtime\"`"));
            }
            let text: syn::LitStr = meta.value()?.parse()?;
            text.parse::<syn::Path>()?;
            found = Some(text.value());
            Ok(())
        })?;
    }
    Ok(found)
}

/// The `#[wire("…")]` of a field or variant, if any.
fn wire_attr(attrs: &[syn::Attribute]) -> syn::Result<Option<syn::LitStr>> {
    for attr in attrs {
        if attr.path().is_ident("wire") {
            return attr.parse_args::<syn::LitStr>().map(Some);
        }
    }
    Ok(None)
}

/// `text` as a JSON string, escaped as serde_json escapes strings (and as the runtime's `write_str` does):
/// wire names and value spellings are quoted once here, at expansion, and written as bytes.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The doc attributes of an item, to copy onto what is generated from it.
fn docs(attrs: &[syn::Attribute]) -> Vec<&syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("doc")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let cases = [
            ("partnerReferenceNo", r#""partnerReferenceNo""#),
            ("X-DEVICE-ID", r#""X-DEVICE-ID""#),
            ("a\"b\\c/d é", r#""a\"b\\c/d é""#),
            (
                "\u{0}\u{8}\t\n\u{c}\r\u{1f}\u{7f}",
                "\"\\u0000\\b\\t\\n\\f\\r\\u001f\u{7f}\"",
            ),
        ];
        for (text, json) in cases {
            assert_eq!(super::json_string(text), json, "{text:?}");
        }
    }
}
