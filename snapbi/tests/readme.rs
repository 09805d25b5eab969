//! The README's payment is the crate docs' quickstart, which runs as a doc test against the in-process
//! sandbox: the snippet a new user copies compiles and pays.

/// The visible lines of the first ```rust block after `heading` in Markdown `text` (rustdoc's hidden `# `
/// lines left out).
fn rust_block(text: &str, heading: &str) -> Vec<String> {
    let section = text.split(heading).nth(1).unwrap_or_else(|| panic!("no `{heading}`"));
    let block = section
        .split("```rust\n")
        .nth(1)
        .or_else(|| section.split("```\n").nth(1));
    let block = block.and_then(|b| b.split("```").next()).expect("a code block");
    block
        .lines()
        .filter(|l| !(l.trim_start().starts_with("# ") || l.trim() == "#"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_payment_is_the_tested_quickstart() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{dir}/../README.md")).expect("README.md");
    let lib = std::fs::read_to_string(format!("{dir}/src/lib.rs")).expect("lib.rs");
    let docs: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!").map(|l| l.strip_prefix(' ').unwrap_or(l)))
        .collect::<Vec<_>>()
        .join("\n");
    let quickstart = rust_block(&docs, "# Quickstart");
    assert!(quickstart.len() > 10, "{quickstart:?}");
    assert_eq!(rust_block(&readme, "## Use it in your crate"), quickstart);
}

/// Whether `lines` holds `wanted` as consecutive lines.
fn holds(lines: &[String], wanted: &[&str]) -> bool {
    lines
        .windows(wanted.len())
        .any(|w| w.iter().zip(wanted).all(|(a, b)| a == b))
}

#[test]
fn the_readme_own_provider_is_the_example_crate() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read_to_string(format!("{dir}/../{path}")).expect(path);
    let snippet = rust_block(&read("README.md"), "## Your own provider");
    let build_rs = read("examples/own-provider/build.rs");
    let lib_rs = read("examples/own-provider/src/lib.rs");
    let module: Vec<&str> = lib_rs
        .lines()
        .skip_while(|l| !l.starts_with("pub mod bank"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(module.len(), 3, "{module:?}");
    assert!(
        holds(&snippet, &build_rs.lines().collect::<Vec<_>>()),
        "build.rs drifted: {snippet:?}"
    );
    assert!(holds(&snippet, &module), "src/lib.rs drifted: {snippet:?}");
}
