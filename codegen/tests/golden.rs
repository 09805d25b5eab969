//! Golden generated code for the shipped specs: any change to a spec or to the generator shows up as a
//! diff of `snapshots/specs.rs` in review. The same file is compiled by `snapbi-tests`. The non-SNAP test
//! provider has its own (`snapshots/nonsnap.rs`).

// The golden comparison is the spec library's test helper (one copy for both crates' goldens).
#[path = "../../spec/tests/support/mod.rs"]
mod support;

use std::path::Path;

use support::{assert_golden, crate_dir};

fn generate() -> String {
    generate_from("../specs")
}

fn generate_from(folder: &str) -> String {
    let specs = crate_dir().join(folder);
    match snapbi_codegen::generate(&specs, Path::new("specs"), &snapbi_codegen::Options::default()) {
        Ok(generated) => generated.code,
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

#[test]
fn generated_code_matches_the_golden_file() {
    assert_golden(&crate_dir().join("tests/snapshots/specs.rs"), &generate());
}

/// The test provider of DOKU's non-SNAP scheme (`tests/tests/fixtures/nonsnap`): what the shipped specs do not have
/// yet, path parameters (`Params`) and a bodiless GET, reviewed as generated code too.
#[test]
fn the_nonsnap_fixture_matches_its_golden_file() {
    let generated = generate_from("../tests/tests/fixtures/nonsnap");
    assert_golden(&crate_dir().join("tests/snapshots/nonsnap.rs"), &generated);
}

#[test]
fn generating_twice_gives_identical_bytes() {
    assert_eq!(generate(), generate());
}

#[test]
fn parallel_rendering_is_the_same_code_as_rendering_the_whole_file_at_once() {
    // Endpoint modules rendered alone may wrap lines differently; the code itself must be the same.
    let specs = crate_dir().join("../specs");
    let loaded = snapbi_spec::load(&specs, Path::new("specs")).expect("shipped specs load");
    let options = snapbi_codegen::Options::default();
    let whole = snapbi_codegen::render::render(snapbi_codegen::emit::api(&loaded.api, &options), &[]).expect("render");
    let parallel = snapbi_codegen::render::render_api(&loaded.api, &options, &[]).expect("render in parallel");
    // prettyplease adds a trailing comma where it wraps a list; that is formatting, not code.
    let tokens = |text: &str| {
        let file = syn::parse_file(text).expect("generated code parses");
        let tokens = quote::quote!(#file).to_string();
        // Drop every comma whose next non-space character closes a list.
        let chars: Vec<char> = tokens.chars().collect();
        let closes = |i: usize| {
            chars[i + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| ")]}>".contains(*c))
        };
        // Spacing between tokens is formatting too.
        let tokens: String = chars
            .iter()
            .enumerate()
            .filter(|(i, c)| !c.is_whitespace() && (**c != ',' || !closes(*i)))
            .map(|(_, c)| *c)
            .collect();
        tokens
    };
    let (a, b) = (tokens(&whole), tokens(&parallel));
    if a != b {
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(0);
        let show = |s: &str| {
            s.get(at.saturating_sub(150)..(at + 150).min(s.len()))
                .unwrap_or_default()
                .to_owned()
        };
        panic!(
            "the parallel rendering is different code near:\n{}\n---\n{}",
            show(&a),
            show(&b)
        );
    }
}
