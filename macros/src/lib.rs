//! `snapbi-macros`: the [`snap_api!`] proc-macro, which expands snapbi YAML specs into a typed, validated and
//! signed SNAP client inside the calling crate.
//!
//! It runs the same generator as `snapbi`'s build script (`snapbi-codegen`), so the expansion is the
//! code of `snapbi` for the same specs: `CODE_TABLE`, `types`, one module per provider
//! (`doku::Client`, `doku::direct_debit_payment::{Request, Headers, Response, Code}`, …) and `ENDPOINTS`.
//!
//! ```ignore
//! // Cargo.toml: snapbi-macros and snapbi-runtime (the expansion calls `::snapbi_runtime`).
//! mod api {
//!     snapbi_macros::snap_api!("../specs");
//! }
//!
//! let request = api::doku::direct_debit_payment::Request::builder()
//!     .partner_reference_no("INV-0001")
//!     // …
//!     .build()?;
//! ```
//!
//! Spec problems become compile errors on the string literal, one per problem, each starting with
//! `file:line:col` of the offending YAML value. Prefer `snapbi` (generated once by its build script)
//! for everyday use: a macro expansion is redone every time the calling crate compiles.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::LitStr;
use syn::parse::{Parse, ParseStream};

/// Env var naming a directory where every expansion is also written as formatted Rust, for debugging.
const DUMP_ENV: &str = "SNAPBI_MACRO_DUMP";

/// How to call the macro, shown when the input is not one string literal.
const USAGE: &str = "snap_api! takes one string literal: the path of a specs directory or of one endpoint \
                     file, relative to this source file (like include_str!), e.g. `snap_api!(\"../specs\")`";

/// Expands the SNAP specs at a path into a typed client, in place.
///
/// The argument is one string literal: a specs directory (the one holding `common/codes.yaml`) or a single
/// endpoint file inside one. A directory expands every provider and endpoint; a file expands only that
/// endpoint and its provider's token endpoint, after checking the whole specs directory above it.
///
/// The path is resolved like `include_str!`: relative to the directory of the source file that calls the
/// macro (or to `CARGO_MANIFEST_DIR` when the compiler cannot tell which file that is).
///
/// The expanded items are the same as `snapbi`'s: `pub use ::snapbi_runtime as rt;`, `CODE_TABLE`,
/// `types`, one module per provider (`doku::Client`, `doku::direct_debit_payment::{ENDPOINT, Request,
/// RequestBuilder, Headers, Response, Code}`, …) and `ENDPOINTS`. Expand it inside a module of its own:
///
/// ```ignore
/// mod api {
///     snapbi_macros::snap_api!("../specs");
/// }
/// use api::doku;
/// ```
///
/// **The calling crate must depend on `snapbi-runtime`**: the expansion refers to it as `::snapbi_runtime`.
///
/// Every spec problem becomes a compile error on the literal, all reported at once, each reading
/// `file:line:col: error: spec.path: message` with the file shown as written in the literal. Each spec file
/// read is also `include_bytes!`-ed, so editing the YAML recompiles the crate (adding a new file does not:
/// touch the calling file). Set `SNAPBI_MACRO_DUMP=<dir>` to also write the expansion there as formatted Rust.
#[proc_macro]
pub fn snap_api(input: TokenStream) -> TokenStream {
    let lit = match syn::parse::<Input>(input) {
        Ok(Input(lit)) => lit,
        Err(e) => return e.to_compile_error().into(),
    };
    match expand(&lit) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The macro input: one string literal, optionally followed by a comma.
struct Input(LitStr);

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let usage = |span| syn::Error::new(span, USAGE);
        if input.is_empty() {
            return Err(usage(Span::call_site()));
        }
        let lit: LitStr = input.parse().map_err(|e| usage(e.span()))?;
        if input.peek(syn::Token![,]) {
            input.parse::<syn::Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(usage(input.span()));
        }
        Ok(Input(lit))
    }
}

/// Resolves the path, runs the generator and adds the rebuild-tracking consts.
fn expand(lit: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let written = lit.value();
    if written.is_empty() {
        return Err(syn::Error::new(lit.span(), USAGE));
    }
    let root = resolve(&written).map_err(|message| syn::Error::new(lit.span(), message))?;
    let options = snapbi_codegen::Options::default();
    let (tokens, files) = snapbi_codegen::generate_tokens(&root, Path::new(&written), &options).map_err(|ds| {
        ds.iter()
            .map(|d| syn::Error::new(lit.span(), d))
            .reduce(|mut all, e| {
                all.combine(e);
                all
            })
            // An empty error list would be a generator bug; still fail rather than expand nothing.
            .unwrap_or_else(|| syn::Error::new(lit.span(), "the specs could not be loaded (no diagnostic given)"))
    })?;
    dump(&written, &root, &tokens, &files);
    // The progenitor trick: rustc records include_bytes! inputs as dependencies, so editing a spec file
    // recompiles the calling crate. Paths are absolute, so they do not depend on where the caller lives.
    let tracked = files.iter().filter_map(|f| f.to_str()).map(|f| {
        let f = LitStr::new(f, Span::call_site());
        quote!(
            const _: &[u8] = ::core::include_bytes!(#f);
        )
    });
    // option_env! records the variable in the dep-info, so setting SNAPBI_MACRO_DUMP re-expands the macro.
    Ok(quote! {
        #tokens
        #(#tracked)*
        const _: ::core::option::Option<&str> = ::core::option_env!(#DUMP_ENV);
    })
}

/// The absolute path of `written`, relative to the calling file's directory like `include_str!`.
fn resolve(written: &str) -> Result<PathBuf, String> {
    let base = proc_macro::Span::call_site()
        .local_file()
        .and_then(|file| file.parent().map(Path::to_owned))
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default();
    // rustc may name the calling file relative to its working directory, which is also ours.
    let path = base.join(written);
    match std::fs::canonicalize(&path) {
        Ok(path) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "`{written}` does not exist: expected a specs directory or an endpoint file (the path is relative \
             to the directory of this source file, as for include_str!)"
        )),
        Err(e) => Err(format!("cannot open `{written}`: {e}")),
    }
}

/// Writes the formatted expansion to `$SNAPBI_MACRO_DUMP/<crate>-<path>.rs` when asked; never fails.
fn dump(written: &str, root: &Path, tokens: &proc_macro2::TokenStream, files: &[PathBuf]) {
    let Some(dir) = std::env::var_os(DUMP_ENV).filter(|d| !d.is_empty()) else {
        return;
    };
    // Files are shown as the user wrote them when the root is a directory, else as absolute paths.
    let shown: Vec<String> = files
        .iter()
        .map(|f| match f.strip_prefix(root) {
            Ok(rel) if root.is_dir() => Path::new(written).join(rel).display().to_string(),
            _ => f.display().to_string(),
        })
        .collect();
    let code = snapbi_codegen::render::render(tokens.clone(), &shown).unwrap_or_else(|e| e);
    let krate = std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "crate".into());
    let name: String = written
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_');
    let dir = PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{krate}-{name}.rs")), code);
}
