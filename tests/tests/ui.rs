//! Compile-fail and compile-pass tests (trybuild): spec errors surface as located compile errors on the
//! `snap_api!` literal, the generated types enforce the rules, and the intended use compiles and runs.
//!
//! Re-bless the `.stderr` files with `TRYBUILD=overwrite cargo test -p snapbi-tests --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/**/*.rs");
    t.pass("ui/pass/*.rs");
}
