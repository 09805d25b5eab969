//! The shipped specs load and check cleanly.

use std::path::Path;

#[test]
fn shipped_specs_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    match snapbi_codegen::load(&root, Path::new("specs")) {
        Ok(loaded) => {
            assert!(loaded.api.endpoints.len() >= 4);
            assert!(loaded.api.codes.services.len() >= 80);
        }
        Err(diagnostics) => panic!("{}", snapbi_codegen::diagnostic::render_all(&diagnostics)),
    }
}
