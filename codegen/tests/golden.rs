//! Golden generated code for the shipped specs: any change to a spec or to the generator shows up as a
//! diff of `snapshots/specs.rs` in review. The same file is compiled by `snapbi-tests`.

mod support;

use std::path::Path;

use support::{assert_golden, crate_dir};

fn generate() -> String {
    let specs = crate_dir().join("../specs");
    match snapbi_codegen::generate(&specs, Path::new("specs"), &snapbi_codegen::Options::default()) {
        Ok(generated) => generated.code,
        Err(d) => panic!("{}", snapbi_codegen::diagnostic::render_all(&d)),
    }
}

#[test]
fn generated_code_matches_the_golden_file() {
    assert_golden(&crate_dir().join("tests/snapshots/specs.rs"), &generate());
}

#[test]
fn generating_twice_gives_identical_bytes() {
    assert_eq!(generate(), generate());
}
